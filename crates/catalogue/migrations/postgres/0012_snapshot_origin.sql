-- PostgreSQL form of the SQLite migration 0012_snapshot_origin.sql (schema 12). A team
-- catalogue is not a snapshot: the table stays empty; it exists so both backends count
-- the same schema.
CREATE TABLE snapshot_origin (
    id             BIGINT PRIMARY KEY CHECK (id = 1),
    source_id      TEXT NOT NULL CHECK (length(source_id) = 36),
    source         TEXT NOT NULL,
    version        BIGINT NOT NULL CHECK (version >= 0),
    local_version  BIGINT NOT NULL CHECK (local_version >= 0),
    taken_at       TEXT NOT NULL
);
