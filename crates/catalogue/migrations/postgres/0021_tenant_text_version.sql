-- PostgreSQL form of the SQLite migration 0021_tenant_text_version.sql (schema 21); keep the two in step.
-- Stampfleet catalogue, schema 21: a version of the tenants' searchable text (ids and
-- display names), moved by every statement that changes it. On SQLite, searches of 1 or
-- 2 characters are answered from a copy of that text in memory, read again when the
-- version moved; here pg_trgm's index (schema 20) or the server's scan answers them, and
-- the version is kept the same way so both backends have the same tables.
CREATE TABLE tenant_text_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO tenant_text_version (id, version) VALUES (1, 0);

CREATE FUNCTION tenant_text_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tenant_text_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER tenant_text_changed AFTER INSERT OR DELETE OR UPDATE OF id, display_name ON tenants
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_text_bump();
