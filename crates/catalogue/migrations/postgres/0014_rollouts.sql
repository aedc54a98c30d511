-- PostgreSQL form of the SQLite migration 0014_rollouts.sql (schema 14); keep the two in step.
-- Stampfleet catalogue, schema 14: template versions carry their release notes, and a
-- running rollout takes operators' requests (pause, abort) through this table: the
-- rollout itself is an operation of the journal (kind 'rollout'), its state the
-- operation's params.
ALTER TABLE templates ADD COLUMN release_notes TEXT NOT NULL DEFAULT '';

CREATE TABLE rollout_requests (
    operation  BIGINT NOT NULL REFERENCES operations (id),
    request    TEXT NOT NULL CHECK (request IN ('pause', 'abort')),
    PRIMARY KEY (operation, request)
);
