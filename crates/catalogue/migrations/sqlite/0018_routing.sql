-- Stampfleet catalogue, schema 18: routing for real.
-- The fleet's signing keys: only the public half is here (the private half is in the
-- secret store of the operator who made the key). Tenant tokens a key signs are valid
-- on every stamp that was given the key; a retired key has been taken back from them.
CREATE TABLE fleet_keys (
    kid         TEXT PRIMARY KEY CHECK (length(kid) BETWEEN 1 AND 32),
    public_key  TEXT NOT NULL CHECK (length(public_key) = 43),
    created_at  TEXT NOT NULL,
    retired_at  TEXT
) STRICT;
-- Routers attached to the routing table (HAProxy through its Runtime API), with how
-- far each one is in sync: the routing version it holds, when, the lag from a binding
-- change to its map, and the last error.
CREATE TABLE routers (
    name            TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 40),
    kind            TEXT NOT NULL CHECK (kind IN ('haproxy')),
    admin_socket    TEXT NOT NULL,
    tenants_map     TEXT NOT NULL,
    stamps_map      TEXT NOT NULL,
    synced_version  INTEGER,
    synced_at       TEXT,
    lag_ms          INTEGER,
    last_error      TEXT
) STRICT;
