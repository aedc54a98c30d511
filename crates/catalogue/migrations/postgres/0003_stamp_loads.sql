-- PostgreSQL form of the SQLite migration 0003_stamp_loads.sql (schema 3); keep the two in step.
-- Stampfleet catalogue, schema 3: an index of stamps by region, and per-stamp load (tenants bound, units used), kept by
-- triggers in the same transaction as every binding or tenant change, so the overview
-- reads one row per stamp instead of joining every binding with its tenant.
-- SQLite's trigger bodies are plpgsql functions here, one per trigger, named after it.
-- As in SQLite, `UPDATE OF tenant, stamp` fires on every UPDATE whose SET list names
-- either column, changed or not (a no-op move takes one off and puts one back).

CREATE TABLE stamp_loads (
    stamp       TEXT COLLATE "C" PRIMARY KEY,
    tenants     BIGINT NOT NULL CHECK (tenants >= 0),
    used_units  BIGINT NOT NULL CHECK (used_units >= 0)
);

-- (SUM of a BIGINT is NUMERIC in PostgreSQL; the insert casts it back.)
INSERT INTO stamp_loads (stamp, tenants, used_units)
SELECT b.stamp, COUNT(*), SUM(t.size_units)
FROM bindings b JOIN tenants t ON t.id = b.tenant
GROUP BY b.stamp;

-- Inserts and deletes run once per statement over its rows (a transition table):
-- an import binds a million tenants in a few statements, and a per-row trigger would
-- update each stamp's row as many times in one transaction, every version of it kept.
CREATE FUNCTION stamp_loads_bind() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stamp_loads (stamp, tenants, used_units)
    SELECT a.stamp, COUNT(*), SUM(t.size_units)::BIGINT
    FROM added a JOIN tenants t ON t.id = a.tenant
    GROUP BY a.stamp
    ON CONFLICT (stamp) DO UPDATE SET
        tenants = stamp_loads.tenants + excluded.tenants,
        used_units = stamp_loads.used_units + excluded.used_units;
    RETURN NULL;
END;
$$;
CREATE TRIGGER stamp_loads_bind AFTER INSERT ON bindings
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION stamp_loads_bind();

CREATE FUNCTION stamp_loads_unbind() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stamp_loads SET
        tenants = stamp_loads.tenants - r.n,
        used_units = stamp_loads.used_units - r.units
    FROM (SELECT d.stamp, COUNT(*) AS n, SUM(t.size_units)::BIGINT AS units
          FROM removed d JOIN tenants t ON t.id = d.tenant
          GROUP BY d.stamp) AS r
    WHERE stamp_loads.stamp = r.stamp;
    RETURN NULL;
END;
$$;
CREATE TRIGGER stamp_loads_unbind AFTER DELETE ON bindings
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION stamp_loads_unbind();

-- An update naming the tenant or stamp (a move: one row) stays per row, as on SQLite.
CREATE FUNCTION stamp_loads_rebind() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stamp_loads SET
        tenants = stamp_loads.tenants - 1,
        used_units = stamp_loads.used_units - (SELECT size_units FROM tenants WHERE id = OLD.tenant)
    WHERE stamp_loads.stamp = OLD.stamp;
    INSERT INTO stamp_loads (stamp, tenants, used_units)
    VALUES (NEW.stamp, 1, (SELECT size_units FROM tenants WHERE id = NEW.tenant))
    ON CONFLICT (stamp) DO UPDATE SET
        tenants = stamp_loads.tenants + 1,
        used_units = stamp_loads.used_units + excluded.used_units;
    RETURN NULL;
END;
$$;
CREATE TRIGGER stamp_loads_rebind AFTER UPDATE OF tenant, stamp ON bindings
    FOR EACH ROW EXECUTE FUNCTION stamp_loads_rebind();

CREATE FUNCTION stamp_loads_resize() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stamp_loads SET used_units = stamp_loads.used_units + NEW.size_units - OLD.size_units
    WHERE stamp_loads.stamp = (SELECT b.stamp FROM bindings b WHERE b.tenant = NEW.id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER stamp_loads_resize AFTER UPDATE OF size_units ON tenants
    FOR EACH ROW EXECUTE FUNCTION stamp_loads_resize();

-- Tenants by region start from the region's stamps, not from every binding.
CREATE INDEX stamps_by_region ON stamps (region);
