-- PostgreSQL form of the SQLite migration 0019_stamp_health.sql (schema 19); keep the two in step.
-- Stampfleet catalogue, schema 19: the health each stamp last answered, with when (unix
-- seconds), kept by the app's health watcher and by stampctl, so a decision reads it
-- instead of asking every stamp again, and every process on the catalogue shares it.
-- State, not history: not audited; a row of a stamp that is gone is ignored.
CREATE TABLE stamp_health (
    stamp       TEXT COLLATE "C" PRIMARY KEY,
    health      TEXT NOT NULL,
    checked_at  BIGINT NOT NULL
);
