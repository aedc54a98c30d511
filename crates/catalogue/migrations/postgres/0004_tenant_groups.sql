-- PostgreSQL form of the SQLite migration 0004_tenant_groups.sql (schema 4); keep the two in step.
-- Stampfleet catalogue, schema 4: a tenant's anti-affinity group (e.g. its customer);
-- placement spreads a group's tenants over stamps.
ALTER TABLE tenants ADD COLUMN anti_affinity_group TEXT CHECK (anti_affinity_group IS NULL OR length(anti_affinity_group) BETWEEN 1 AND 100);
CREATE INDEX tenants_by_group ON tenants (anti_affinity_group) WHERE anti_affinity_group IS NOT NULL;
