-- Stampfleet catalogue, schema 3: an index of stamps by region, and per-stamp load (tenants bound, units used), kept by
-- triggers in the same transaction as every binding or tenant change, so the overview
-- reads one row per stamp instead of joining every binding with its tenant.

CREATE TABLE stamp_loads (
    stamp       TEXT PRIMARY KEY,
    tenants     INTEGER NOT NULL CHECK (tenants >= 0),
    used_units  INTEGER NOT NULL CHECK (used_units >= 0)
) STRICT;

INSERT INTO stamp_loads (stamp, tenants, used_units)
SELECT b.stamp, COUNT(*), SUM(t.size_units)
FROM bindings b JOIN tenants t ON t.id = b.tenant
GROUP BY b.stamp;

CREATE TRIGGER stamp_loads_bind AFTER INSERT ON bindings
BEGIN
    INSERT INTO stamp_loads (stamp, tenants, used_units)
    VALUES (NEW.stamp, 1, (SELECT size_units FROM tenants WHERE id = NEW.tenant))
    ON CONFLICT (stamp) DO UPDATE SET
        tenants = tenants + 1,
        used_units = used_units + excluded.used_units;
END;

CREATE TRIGGER stamp_loads_unbind AFTER DELETE ON bindings
BEGIN
    UPDATE stamp_loads SET
        tenants = tenants - 1,
        used_units = used_units - (SELECT size_units FROM tenants WHERE id = OLD.tenant)
    WHERE stamp = OLD.stamp;
END;

CREATE TRIGGER stamp_loads_rebind AFTER UPDATE OF tenant, stamp ON bindings
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
BEGIN
    UPDATE stamp_loads SET used_units = used_units + NEW.size_units - OLD.size_units
    WHERE stamp = (SELECT stamp FROM bindings WHERE tenant = NEW.id);
END;

-- Tenants by region start from the region's stamps, not from every binding.
CREATE INDEX stamps_by_region ON stamps (region);
