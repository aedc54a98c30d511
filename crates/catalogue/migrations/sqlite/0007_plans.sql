-- Stampfleet catalogue, schema 7: plans (issue 7). A plan is a named draft: its actions
-- as JSON (fleet_core::plan::Plan) and the catalogue version (newest audit row) it was
-- made against.
CREATE TABLE plans (
    name          TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 100),
    base_version  INTEGER NOT NULL,
    body          TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
