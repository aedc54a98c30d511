-- PostgreSQL form of the SQLite migration 0011_change_notices.sql (schema 11).
-- Every committed change to the fleet notifies the channel stampfleet_changes, once per
-- statement (PostgreSQL folds equal notices of one transaction into one, sent at
-- commit): windows listening there reload what they show.
CREATE FUNCTION stampfleet_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('stampfleet_changes', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER audit_notify AFTER INSERT ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION stampfleet_notify_change();
CREATE TRIGGER bindings_notify AFTER INSERT OR UPDATE OR DELETE ON bindings
    FOR EACH STATEMENT EXECUTE FUNCTION stampfleet_notify_change();
CREATE TRIGGER stamps_notify AFTER INSERT OR UPDATE OR DELETE ON stamps
    FOR EACH STATEMENT EXECUTE FUNCTION stampfleet_notify_change();
