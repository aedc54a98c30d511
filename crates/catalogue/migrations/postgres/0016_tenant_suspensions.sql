-- PostgreSQL form of the SQLite migration 0016_tenant_suspensions.sql (schema 16); keep the two in step.
-- Stampfleet catalogue, schema 16: tenants their operator suspended (their stamp
-- refuses their own requests until they are resumed), with why and by whom.
CREATE TABLE tenant_suspensions (
    tenant        TEXT COLLATE "C" PRIMARY KEY REFERENCES tenants (id) DEFERRABLE INITIALLY IMMEDIATE,
    reason        TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    actor         TEXT NOT NULL,
    suspended_at  TEXT NOT NULL
);
