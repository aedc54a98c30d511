-- PostgreSQL form of the SQLite migration 0006_moves.sql (schema 6); keep the two in step.
-- Stampfleet catalogue, schema 6: tenant moves. The routing table's version grows with
-- every binding change (routers poll it); a move's cancellation is a request the
-- running move honours before its cut-over.
CREATE TABLE routing (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO routing (id, version) VALUES (1, (SELECT COUNT(*) FROM bindings));
-- One bump per binding inserted, moved or deleted, as on SQLite; inserts and deletes
-- count their rows once per statement (an import's million bindings would otherwise
-- update the one routing row a million times in one transaction).
CREATE FUNCTION routing_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE routing SET version = routing.version + 1 WHERE routing.id = 1;
    RETURN NULL;
END;
$$;
CREATE FUNCTION routing_bump_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE routing SET version = routing.version + (SELECT COUNT(*) FROM added)
    WHERE routing.id = 1 AND EXISTS (SELECT 1 FROM added);
    RETURN NULL;
END;
$$;
CREATE FUNCTION routing_bump_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE routing SET version = routing.version + (SELECT COUNT(*) FROM removed)
    WHERE routing.id = 1 AND EXISTS (SELECT 1 FROM removed);
    RETURN NULL;
END;
$$;
CREATE TRIGGER routing_on_bind AFTER INSERT ON bindings
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION routing_bump_inserted();
CREATE TRIGGER routing_on_rebind AFTER UPDATE OF stamp ON bindings
    FOR EACH ROW EXECUTE FUNCTION routing_bump();
CREATE TRIGGER routing_on_unbind AFTER DELETE ON bindings
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION routing_bump_deleted();

CREATE TABLE move_cancels (
    operation  BIGINT PRIMARY KEY REFERENCES operations (id) DEFERRABLE INITIALLY IMMEDIATE
);
