-- Stamp store, schema 8: template versions. The version a stamp runs is kept here once
-- it has been upgraded (the flag names the version it was provisioned from), with each
-- upgrade operation and the history of versions its data was migrated to.
CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT;

CREATE TABLE upgrades (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    from_version    TEXT NOT NULL,
    target_version  TEXT NOT NULL,
    phase           TEXT NOT NULL CHECK (phase IN ('migrating', 'restarting', 'done', 'failed')),
    message         TEXT NOT NULL DEFAULT '',
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER
) STRICT;

-- The migration step each upgrade ran on the stamp's data, in its own transaction.
CREATE TABLE version_history (
    upgrade       INTEGER NOT NULL REFERENCES upgrades (id),
    version       TEXT NOT NULL,
    from_version  TEXT NOT NULL,
    tenants       INTEGER NOT NULL,
    applied_at    INTEGER NOT NULL
) STRICT;
