-- Stampfleet catalogue, schema 12: where a snapshot came from. "Take a snapshot" copies
-- a (team) catalogue into a new file for offline planning; this one row says which
-- catalogue it copies and at which version (its newest audit row), so plans made here
-- carry that version as their base and the drift check of the catalogue they are
-- applied to counts what changed since. Empty in a catalogue that is not a snapshot.
CREATE TABLE snapshot_origin (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    source_id      TEXT NOT NULL CHECK (length(source_id) = 36),
    source         TEXT NOT NULL,
    version        INTEGER NOT NULL CHECK (version >= 0),
    -- This file's own newest audit row right after the copy: later rows are edits here.
    local_version  INTEGER NOT NULL CHECK (local_version >= 0),
    taken_at       TEXT NOT NULL
) STRICT;
