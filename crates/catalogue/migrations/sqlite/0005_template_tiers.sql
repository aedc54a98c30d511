-- Stampfleet catalogue, schema 5: the tenant tiers a template serves, comma-separated in
-- Tier order ('' = every tier). Placement refuses a tenant a stamp whose template does
-- not serve its tier.
ALTER TABLE templates ADD COLUMN tiers TEXT NOT NULL DEFAULT '' CHECK (tiers NOT GLOB '*[^a-z,]*');
