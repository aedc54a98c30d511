-- Stampfleet catalogue, schema 9: the catalogue's identity. A UUID written once, when
-- the catalogue is created (or first opened by a version that knows it); secrets are
-- named by it and the stamp id, never by the file's path, so the file keeps its stamps'
-- tokens whatever path it is opened by, renamed or moved.
CREATE TABLE catalogue_identity (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    uuid                 TEXT NOT NULL CHECK (length(uuid) = 36),
    -- 1 once the tokens a catalogue made before schema 9 kept (named after a hash of
    -- the path it was opened by) are renamed after the UUID; a new catalogue has none.
    token_names_migrated INTEGER NOT NULL CHECK (token_names_migrated IN (0, 1))
) STRICT;

-- A version 4 UUID from SQLite's generator.
INSERT INTO catalogue_identity (id, uuid, token_names_migrated)
SELECT 1,
       lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||
       substr(lower(hex(randomblob(2))), 2) || '-' ||
       substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) ||
       '-' || lower(hex(randomblob(6))),
       (SELECT COUNT(*) = 0 FROM stamps);
