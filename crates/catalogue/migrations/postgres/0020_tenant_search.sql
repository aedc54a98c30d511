-- PostgreSQL form of the SQLite migration 0020_tenant_search.sql (schema 20); keep the two in step.
-- Stampfleet catalogue, schema 20: an index for substring search over tenants' ids and
-- names: pg_trgm's GIN index on the same line the SQLite index reads ("id" newline
-- "display name"), which ILIKE '%text%' uses. pg_trgm ships with PostgreSQL and is a
-- trusted extension (any role that may create in this database may add it). Where the
-- server does not have it, or the role may not add it, the catalogue works unchanged and
-- search reads every tenant; `stampctl info` says which (tenantSearchIndexed).
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX tenants_search ON tenants USING gin ((id || E'\n' || display_name) gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'tenant search is not indexed: %', SQLERRM;
END
$$;
