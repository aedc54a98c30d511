-- PostgreSQL form of the SQLite migration 0009_identity.sql (schema 9); keep the two in step.
-- Stampfleet catalogue, schema 9: the catalogue's identity. A UUID written once, when
-- the catalogue is created (or first opened by a version that knows it); secrets are
-- named by it and the stamp id, never by the file's path, so the file keeps its stamps'
-- tokens whatever path it is opened by, renamed or moved.
CREATE TABLE catalogue_identity (
    id                   BIGINT PRIMARY KEY CHECK (id = 1),
    uuid                 TEXT NOT NULL CHECK (length(uuid) = 36),
    -- 1 once the tokens a catalogue made before schema 9 kept (named after a hash of
    -- the path it was opened by) are renamed after the UUID; a new catalogue has none.
    token_names_migrated BIGINT NOT NULL CHECK (token_names_migrated IN (0, 1))
);

-- A version 4 UUID (gen_random_uuid is built in since PostgreSQL 13), lower case like
-- SQLite's.
INSERT INTO catalogue_identity (id, uuid, token_names_migrated)
SELECT 1,
       gen_random_uuid()::text,
       (SELECT CASE WHEN COUNT(*) = 0 THEN 1 ELSE 0 END FROM stamps);
