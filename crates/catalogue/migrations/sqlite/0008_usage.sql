-- Stampfleet catalogue, schema 8: usage over time for the capacity forecast. One sample
-- per stamp per hour (the latest check of that hour), from health reports.
CREATE TABLE usage_samples (
    stamp       TEXT NOT NULL REFERENCES stamps (id),
    at          INTEGER NOT NULL,
    used_units  INTEGER NOT NULL CHECK (used_units >= 0),
    PRIMARY KEY (stamp, at)
) STRICT;
