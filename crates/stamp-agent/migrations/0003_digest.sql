-- A tenant's data in one figure, kept current on every write: the XOR of a 128-bit
-- hash per (key, value) row, and the key count. NULL = not computed yet (tenants
-- from before this migration): the first checksum computes and stores it.
ALTER TABLE tenants ADD COLUMN digest TEXT;
ALTER TABLE tenants ADD COLUMN key_count INTEGER;
