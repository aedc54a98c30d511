-- The row hash of the kept digest is XXH3-128 now (it was SHA-256): digests stored by
-- the old hash are forgotten, and the next checksum computes each again (as for tenants
-- from before 0003).
UPDATE tenants SET digest = NULL, key_count = NULL;
