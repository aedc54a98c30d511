-- Tenant moves. state: active | importing | frozen | fenced (see stamp-protocol).
-- moved_to: the new home's base URL once fenced. log_start: the change log is complete
-- after this sequence (an imported tenant's log starts at its snapshot). While
-- importing: import_seq is the source's sequence when the snapshot began,
-- import_cursor the last key copied, snapshot_done whether the snapshot is complete.
ALTER TABLE tenants ADD COLUMN moved_to TEXT;
ALTER TABLE tenants ADD COLUMN log_start INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN import_seq INTEGER;
ALTER TABLE tenants ADD COLUMN import_cursor TEXT;
ALTER TABLE tenants ADD COLUMN snapshot_done INTEGER NOT NULL DEFAULT 1;
