-- Stampfleet catalogue, schema 20: an index for substring search over tenants' ids and
-- names (FTS5's trigram tokenizer, ASCII case folded, as the search is), so a search of
-- a million tenants reads the matching rows instead of every row.
--
-- The index holds no copy of the text: it reads tenant_search_text (one line per tenant,
-- "id" newline "display name", by the tenant's rowid; nothing vacuums the catalogue, so
-- rowids stay). Triggers keep it in step with every write.
--
-- A whole-catalogue replace (import, snapshot) rewrites every row: it sets
-- bulk_rewrite.active, and the triggers of this index, of stamp_loads (schema 3) and of
-- the routing version (schema 6), made again here with that condition, stand aside; it
-- then rebuilds the index and the loads in one pass each, moves the routing version
-- once by the binding changes it made (as PostgreSQL's statement triggers count them)
-- and clears the flag, in the same transaction (row by row they were half its
-- time at a million tenants).
CREATE TABLE bulk_rewrite (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    active  INTEGER NOT NULL CHECK (active IN (0, 1))
) STRICT;
INSERT INTO bulk_rewrite (id, active) VALUES (1, 0);

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
WHEN (SELECT active FROM bulk_rewrite WHERE id = 1) = 0
BEGIN
    INSERT INTO tenant_search (rowid, text) VALUES (new.rowid, new.id || char(10) || new.display_name);
END;

CREATE TRIGGER tenant_search_delete AFTER DELETE ON tenants
WHEN (SELECT active FROM bulk_rewrite WHERE id = 1) = 0
BEGIN
    INSERT INTO tenant_search (tenant_search, rowid, text)
        VALUES ('delete', old.rowid, old.id || char(10) || old.display_name);
END;

CREATE TRIGGER tenant_search_update AFTER UPDATE OF id, display_name ON tenants
WHEN (SELECT active FROM bulk_rewrite WHERE id = 1) = 0
BEGIN
    INSERT INTO tenant_search (tenant_search, rowid, text)
        VALUES ('delete', old.rowid, old.id || char(10) || old.display_name);
    INSERT INTO tenant_search (rowid, text) VALUES (new.rowid, new.id || char(10) || new.display_name);
END;

-- The tenants already here.
INSERT INTO tenant_search (tenant_search) VALUES ('rebuild');

-- stamp_loads' triggers (schema 3), standing aside during a bulk rewrite.
DROP TRIGGER stamp_loads_bind;
DROP TRIGGER stamp_loads_unbind;
DROP TRIGGER stamp_loads_rebind;
DROP TRIGGER stamp_loads_resize;

CREATE TRIGGER stamp_loads_bind AFTER INSERT ON bindings
WHEN (SELECT active FROM bulk_rewrite WHERE id = 1) = 0
BEGIN
    INSERT INTO stamp_loads (stamp, tenants, used_units)
    VALUES (NEW.stamp, 1, (SELECT size_units FROM tenants WHERE id = NEW.tenant))
    ON CONFLICT (stamp) DO UPDATE SET
        tenants = tenants + 1,
        used_units = used_units + excluded.used_units;
END;

CREATE TRIGGER stamp_loads_unbind AFTER DELETE ON bindings
WHEN (SELECT active FROM bulk_rewrite WHERE id = 1) = 0
BEGIN
    UPDATE stamp_loads SET
        tenants = tenants - 1,
        used_units = used_units - (SELECT size_units FROM tenants WHERE id = OLD.tenant)
    WHERE stamp = OLD.stamp;
END;

CREATE TRIGGER stamp_loads_rebind AFTER UPDATE OF tenant, stamp ON bindings
WHEN (SELECT active FROM bulk_rewrite WHERE id = 1) = 0
BEGIN
    UPDATE stamp_loads SET
        tenants = tenants - 1,
        used_units = used_units - (SELECT size_units FROM tenants WHERE id = OLD.tenant)
    WHERE stamp = OLD.stamp;
    INSERT INTO stamp_loads (stamp, tenants, used_units)
    VALUES (NEW.stamp, 1, (SELECT size_units FROM tenants WHERE id = NEW.tenant))
    ON CONFLICT (stamp) DO UPDATE SET
        tenants = tenants + 1,
        used_units = used_units + excluded.used_units;
END;

CREATE TRIGGER stamp_loads_resize AFTER UPDATE OF size_units ON tenants
WHEN (SELECT active FROM bulk_rewrite WHERE id = 1) = 0
BEGIN
    UPDATE stamp_loads SET used_units = used_units + NEW.size_units - OLD.size_units
    WHERE stamp = (SELECT stamp FROM bindings WHERE tenant = NEW.id);
END;

-- The routing version's binding triggers (schema 6): one move per bulk rewrite.
DROP TRIGGER routing_on_bind;
DROP TRIGGER routing_on_rebind;
DROP TRIGGER routing_on_unbind;
CREATE TRIGGER routing_on_bind AFTER INSERT ON bindings
WHEN (SELECT active FROM bulk_rewrite WHERE id = 1) = 0
BEGIN
    UPDATE routing SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER routing_on_rebind AFTER UPDATE OF stamp ON bindings
WHEN (SELECT active FROM bulk_rewrite WHERE id = 1) = 0
BEGIN
    UPDATE routing SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER routing_on_unbind AFTER DELETE ON bindings
WHEN (SELECT active FROM bulk_rewrite WHERE id = 1) = 0
BEGIN
    UPDATE routing SET version = version + 1 WHERE id = 1;
END;
