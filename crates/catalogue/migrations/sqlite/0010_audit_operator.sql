-- Stampfleet catalogue, schema 10: the audit log names who made each change (the
-- operator: STAMPFLEET_OPERATOR, else the OS user at the host) apart from which part of
-- Stampfleet wrote it (via: import, onboard, move, plan, demo ...). Rows written
-- before schema 10 recorded only the part; they keep it in `via`.
ALTER TABLE audit ADD COLUMN via TEXT NOT NULL DEFAULT '';
UPDATE audit SET via = actor, actor = '(not recorded before schema 10)';
CREATE INDEX audit_by_actor ON audit (actor, id);
-- `stampctl audit --since` and the window's "last day" read by time.
CREATE INDEX audit_by_at ON audit (at);
