-- PostgreSQL form of the SQLite migration 0007_plans.sql (schema 7); keep the two in step.
-- Stampfleet catalogue, schema 7: plans (issue 7). A plan is a named draft: its actions
-- as JSON (fleet_core::plan::Plan) and the catalogue version (newest audit row) it was
-- made against.
CREATE TABLE plans (
    name          TEXT COLLATE "C" PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 100),
    base_version  BIGINT NOT NULL,
    body          TEXT NOT NULL,
    created_at    TEXT COLLATE "C" NOT NULL DEFAULT (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
    updated_at    TEXT COLLATE "C" NOT NULL DEFAULT (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
);
