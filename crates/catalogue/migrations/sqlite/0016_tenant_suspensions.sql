-- Stampfleet catalogue, schema 16: tenants their operator suspended (their stamp
-- refuses their own requests until they are resumed), with why and by whom.
CREATE TABLE tenant_suspensions (
    tenant        TEXT PRIMARY KEY REFERENCES tenants (id),
    reason        TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    actor         TEXT NOT NULL,
    suspended_at  TEXT NOT NULL
) STRICT;
