-- Stampfleet catalogue, schema 20: an index for substring search over tenants' ids and
-- names (FTS5's trigram tokenizer, ASCII case folded, as the search is), so a search of
-- a million tenants reads the matching rows instead of every row.
--
-- The index holds no copy of the text: it reads tenant_search_text (one line per tenant,
-- "id" newline "display name", by the tenant's rowid; nothing vacuums the catalogue, so
-- rowids stay). Triggers keep it in step with every write while tenant_search_state.live
-- is 1; a whole-catalogue replace (import, snapshot) sets it to 0, writes every tenant,
-- rebuilds the index in one pass and sets it back, in the same transaction.
CREATE TABLE tenant_search_state (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    live  INTEGER NOT NULL CHECK (live IN (0, 1))
) STRICT;
INSERT INTO tenant_search_state (id, live) VALUES (1, 1);

CREATE VIEW tenant_search_text AS
    SELECT rowid, id || char(10) || display_name AS text FROM tenants;

CREATE VIRTUAL TABLE tenant_search USING fts5(
    text,
    content = 'tenant_search_text',
    content_rowid = 'rowid',
    tokenize = 'trigram',
    detail = 'none'
);

CREATE TRIGGER tenant_search_insert AFTER INSERT ON tenants
WHEN (SELECT live FROM tenant_search_state WHERE id = 1) = 1
BEGIN
    INSERT INTO tenant_search (rowid, text) VALUES (new.rowid, new.id || char(10) || new.display_name);
END;

CREATE TRIGGER tenant_search_delete AFTER DELETE ON tenants
WHEN (SELECT live FROM tenant_search_state WHERE id = 1) = 1
BEGIN
    INSERT INTO tenant_search (tenant_search, rowid, text)
        VALUES ('delete', old.rowid, old.id || char(10) || old.display_name);
END;

CREATE TRIGGER tenant_search_update AFTER UPDATE OF id, display_name ON tenants
WHEN (SELECT live FROM tenant_search_state WHERE id = 1) = 1
BEGIN
    INSERT INTO tenant_search (tenant_search, rowid, text)
        VALUES ('delete', old.rowid, old.id || char(10) || old.display_name);
    INSERT INTO tenant_search (rowid, text) VALUES (new.rowid, new.id || char(10) || new.display_name);
END;

-- The tenants already here.
INSERT INTO tenant_search (tenant_search) VALUES ('rebuild');
