-- Large values kept in files beside the store (`value_files.rs`): such a row names its
-- file (the hash of the value's bytes) and holds '' (kv) or NULL (changes) as its value.
-- A change is a delete when both its value and its file are NULL.
ALTER TABLE kv ADD COLUMN value_file TEXT;
ALTER TABLE changes ADD COLUMN value_file TEXT;
CREATE INDEX kv_value_files ON kv (value_file) WHERE value_file IS NOT NULL;
CREATE INDEX changes_value_files ON changes (value_file) WHERE value_file IS NOT NULL;
