-- PostgreSQL form of the SQLite migration 0013_operator_tokens.sql (schema 13).
-- Each login may write only its own row (row-level security): an operator cannot put
-- its hash under another's name. Everyone who reads the catalogue sees every row; an
-- admin (a member of the tables' owner) also removes a revoked operator's row.
CREATE TABLE operator_tokens (
    login         TEXT COLLATE "C" PRIMARY KEY,
    token_sha256  TEXT NOT NULL CHECK (length(token_sha256) = 64),
    registered_at TEXT NOT NULL
);
ALTER TABLE operator_tokens ENABLE ROW LEVEL SECURITY;
CREATE POLICY operator_tokens_read ON operator_tokens FOR SELECT USING (true);
CREATE POLICY operator_tokens_insert ON operator_tokens FOR INSERT WITH CHECK (login = current_user);
CREATE POLICY operator_tokens_update ON operator_tokens FOR UPDATE USING (login = current_user);
CREATE POLICY operator_tokens_delete ON operator_tokens FOR DELETE USING (
    login = current_user
    OR pg_has_role(current_user, (SELECT tableowner FROM pg_tables
        WHERE schemaname = current_schema() AND tablename = 'operator_tokens'), 'MEMBER'));
