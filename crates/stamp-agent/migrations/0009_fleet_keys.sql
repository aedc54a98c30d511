-- Stamp store, schema 9: the public keys of the fleet's (Ed25519, base64url) by id.
-- Tenant tokens a kept key signed (f.<kid>.<tenant>.<expires>.<signature>) are accepted
-- for the tenants this stamp holds; only the stamp's own admin token gives or takes one.
CREATE TABLE fleet_keys (
    kid         TEXT PRIMARY KEY,
    public_key  TEXT NOT NULL
) STRICT;
