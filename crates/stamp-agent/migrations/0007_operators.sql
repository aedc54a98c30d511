-- Stamp store, schema 7: operators enrolled by name. Each operator of a team catalogue
-- calls the stamp with a token of its own (`o.<name>.<secret>`); the stamp keeps only
-- its SHA-256, so this file holds no secret. Enrolled and revoked with the admin token.
CREATE TABLE operators (
    name          TEXT PRIMARY KEY,
    token_sha256  TEXT NOT NULL CHECK (length(token_sha256) = 64)
) STRICT;
