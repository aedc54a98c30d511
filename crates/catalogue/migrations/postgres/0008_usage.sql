-- PostgreSQL form of the SQLite migration 0008_usage.sql (schema 8); keep the two in step.
-- Stampfleet catalogue, schema 8: usage over time for the capacity forecast. One sample
-- per stamp per hour (the latest check of that hour), from health reports.
CREATE TABLE usage_samples (
    stamp       TEXT COLLATE "C" NOT NULL REFERENCES stamps (id) DEFERRABLE INITIALLY IMMEDIATE,
    at          BIGINT NOT NULL,
    used_units  BIGINT NOT NULL CHECK (used_units >= 0),
    PRIMARY KEY (stamp, at)
);
