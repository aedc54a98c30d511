-- Stampfleet catalogue, schema 6: tenant moves. The routing table's version grows with
-- every binding change (routers poll it); a move's cancellation is a request the
-- running move honours before its cut-over.
CREATE TABLE routing (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
) STRICT;
INSERT INTO routing (id, version) VALUES (1, (SELECT COUNT(*) FROM bindings));
CREATE TRIGGER routing_on_bind AFTER INSERT ON bindings BEGIN
    UPDATE routing SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER routing_on_rebind AFTER UPDATE OF stamp ON bindings BEGIN
    UPDATE routing SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER routing_on_unbind AFTER DELETE ON bindings BEGIN
    UPDATE routing SET version = version + 1 WHERE id = 1;
END;

CREATE TABLE move_cancels (
    operation  INTEGER PRIMARY KEY REFERENCES operations (id)
) STRICT;
