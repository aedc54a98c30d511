-- Stampfleet catalogue, schema 13: operators' own stamp tokens, by their SHA-256 only.
-- On a team catalogue each operator calls the stamps with a token of its own, which an
-- admin enrolls on every stamp by this hash; the token itself stays in the operator's
-- secret store. (A file has one operator; the table stays empty there.)
CREATE TABLE operator_tokens (
    login         TEXT PRIMARY KEY,
    token_sha256  TEXT NOT NULL CHECK (length(token_sha256) = 64),
    registered_at TEXT NOT NULL
) STRICT;
