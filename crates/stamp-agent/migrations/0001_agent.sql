-- A stamp's own data: its tenants, their key/value stores, the change log, and the
-- idempotency keys of mutating calls.

CREATE TABLE tenants (
    id            TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    size_units    INTEGER NOT NULL CHECK (size_units > 0),
    state         TEXT NOT NULL DEFAULT 'active',
    change_seq    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE kv (
    tenant  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    PRIMARY KEY (tenant, key)
) STRICT;

-- Every write and delete, in order: what a tenant move catches up from.
CREATE TABLE changes (
    tenant  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    key     TEXT NOT NULL,
    value   TEXT,
    PRIMARY KEY (tenant, seq)
) STRICT;

CREATE TABLE idempotency (
    key          TEXT PRIMARY KEY,
    fingerprint  TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX idempotency_by_age ON idempotency (created_at);
