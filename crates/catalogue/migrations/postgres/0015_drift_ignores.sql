-- PostgreSQL form of the SQLite migration 0015_drift_ignores.sql (schema 15); keep the two in step.
-- Stampfleet catalogue, schema 15: drift findings an operator chose to ignore, with
-- why. A finding stays ignored while what differs is the same (its detail); a changed
-- difference shows again.
CREATE TABLE drift_ignores (
    kind        TEXT COLLATE "C" NOT NULL,
    stamp       TEXT COLLATE "C" NOT NULL,
    tenant      TEXT COLLATE "C" NOT NULL DEFAULT '',
    detail      TEXT NOT NULL,
    reason      TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    actor       TEXT NOT NULL,
    ignored_at  TEXT NOT NULL,
    PRIMARY KEY (kind, stamp, tenant)
);
