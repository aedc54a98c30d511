-- PostgreSQL form of the SQLite migration 0017_stamp_providers.sql (schema 17); keep the two in step.
-- Stampfleet catalogue, schema 17: which named operator provider (providers.json on the
-- operator's machine) made a stamp, so a rollout upgrades the stamp's infrastructure
-- through the same provider before the Stamp API upgrade. Only the name: what it runs
-- stays in the operator's own config file, never in the catalogue.
CREATE TABLE stamp_providers (
    stamp     TEXT COLLATE "C" PRIMARY KEY REFERENCES stamps (id) DEFERRABLE INITIALLY IMMEDIATE,
    provider  TEXT NOT NULL CHECK (length(provider) BETWEEN 1 AND 40)
);
