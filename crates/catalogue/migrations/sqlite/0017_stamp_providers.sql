-- Stampfleet catalogue, schema 17: which named operator provider (providers.json on the
-- operator's machine) made a stamp, so a rollout upgrades the stamp's infrastructure
-- through the same provider before the Stamp API upgrade. Only the name: what it runs
-- stays in the operator's own config file, never in the catalogue.
CREATE TABLE stamp_providers (
    stamp     TEXT PRIMARY KEY REFERENCES stamps (id),
    provider  TEXT NOT NULL CHECK (length(provider) BETWEEN 1 AND 40)
) STRICT;
