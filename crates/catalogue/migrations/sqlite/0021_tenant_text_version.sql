-- Stampfleet catalogue, schema 21: a version of the tenants' searchable text (ids and
-- display names), moved by every write that changes it. Text under 3 characters cannot
-- use the trigram index of schema 20; a process answers such searches from a copy of
-- the text in memory (catalogue/src/short_search.rs) and reads it again when this
-- version moved. A whole-catalogue replace sets these triggers aside with the others on
-- tenants (document.rs) and moves the version once.
CREATE TABLE tenant_text_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
) STRICT;
INSERT INTO tenant_text_version (id, version) VALUES (1, 0);

CREATE TRIGGER tenant_text_insert AFTER INSERT ON tenants
BEGIN
    UPDATE tenant_text_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER tenant_text_delete AFTER DELETE ON tenants
BEGIN
    UPDATE tenant_text_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER tenant_text_update AFTER UPDATE OF id, display_name ON tenants
BEGIN
    UPDATE tenant_text_version SET version = version + 1 WHERE id = 1;
END;
