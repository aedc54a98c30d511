-- Stampfleet catalogue, schema 1. Never edit a released migration: add a new file.

CREATE TABLE regions (
    id            TEXT PRIMARY KEY,
    provider      TEXT NOT NULL,
    code          TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    city          TEXT NOT NULL,
    country       TEXT NOT NULL,
    geography     TEXT NOT NULL,
    latitude      REAL NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude     REAL NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    builtin       INTEGER NOT NULL CHECK (builtin IN (0, 1))
) STRICT;

CREATE TABLE templates (
    name            TEXT NOT NULL,
    version         TEXT NOT NULL,
    capacity_units  INTEGER NOT NULL CHECK (capacity_units > 0),
    isolation       TEXT NOT NULL CHECK (isolation IN ('shared', 'dedicated')),
    description     TEXT NOT NULL,
    PRIMARY KEY (name, version)
) STRICT;

CREATE TABLE stamps (
    id                TEXT PRIMARY KEY,
    region            TEXT NOT NULL REFERENCES regions (id),
    template          TEXT NOT NULL,
    template_version  TEXT NOT NULL,
    capacity_units    INTEGER NOT NULL CHECK (capacity_units > 0),
    status            TEXT NOT NULL CHECK (status IN ('planned', 'provisioning', 'active', 'draining', 'retired', 'failed')),
    endpoint          TEXT,
    FOREIGN KEY (template, template_version) REFERENCES templates (name, version)
) STRICT;

CREATE TABLE tenants (
    id              TEXT PRIMARY KEY,
    display_name    TEXT NOT NULL,
    tier            TEXT NOT NULL CHECK (tier IN ('free', 'standard', 'premium', 'enterprise')),
    size_units      INTEGER NOT NULL CHECK (size_units > 0),
    residency_json  TEXT NOT NULL,
    isolation       TEXT NOT NULL CHECK (isolation IN ('shared', 'dedicated')),
    pinned          INTEGER NOT NULL CHECK (pinned IN (0, 1))
) STRICT;

-- Where each tenant lives. version grows on every change (compare-and-swap for moves).
CREATE TABLE bindings (
    tenant   TEXT PRIMARY KEY REFERENCES tenants (id),
    stamp    TEXT NOT NULL REFERENCES stamps (id),
    version  INTEGER NOT NULL CHECK (version > 0)
) STRICT;
CREATE INDEX bindings_by_stamp ON bindings (stamp);

-- Every change, written in the same transaction as the change itself.
CREATE TABLE audit (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    entity       TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    before_json  TEXT,
    after_json   TEXT
) STRICT;
CREATE INDEX audit_by_entity ON audit (entity, entity_id);
