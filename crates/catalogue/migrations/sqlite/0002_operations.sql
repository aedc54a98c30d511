-- Schema 2: the operation journal (every step recorded before it runs, so a killed
-- provisioning resumes or fails cleanly at the next start) and local stamp agents.

CREATE TABLE operations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'failed')),
    step        TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    -- What the operation needs to resume (e.g. the provider's configuration), as JSON.
    params      TEXT NOT NULL DEFAULT '{}',
    started_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX operations_running ON operations (state) WHERE state = 'running';

-- Stamps run by the embedded local provider: where their data lives and their port.
CREATE TABLE local_agents (
    stamp     TEXT PRIMARY KEY REFERENCES stamps (id),
    data_dir  TEXT NOT NULL,
    port      INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535)
) STRICT;

-- Why a stamp failed, when it did.
ALTER TABLE stamps ADD COLUMN failure TEXT;
