-- PostgreSQL form of the SQLite migration 0005_template_tiers.sql (schema 5); keep the two in step.
-- Stampfleet catalogue, schema 5: the tenant tiers a template serves, comma-separated in
-- Tier order ('' = every tier). Placement refuses a tenant a stamp whose template does
-- not serve its tier.
-- (SQLite's `tiers NOT GLOB '*[^a-z,]*'`: only a-z and commas.)
ALTER TABLE templates ADD COLUMN tiers TEXT NOT NULL DEFAULT '' CHECK (tiers !~ '[^a-z,]');
