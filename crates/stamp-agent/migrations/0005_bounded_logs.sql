-- Bounded growth. The change log is trimmed: an entry goes once it is older than the
-- retention or beyond the log's length cap, unless a move in progress still needs it
-- (a transfer grant pins the log from the sequence it was issued at until it expires);
-- tenants.log_start then says where the log starts, and older cursors get 410 and take
-- a snapshot. Idempotency keys are kept per caller (scope), each caller's newest ones.
ALTER TABLE changes ADD COLUMN at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN log_pinned_from INTEGER;
ALTER TABLE tenants ADD COLUMN log_pinned_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE idempotency ADD COLUMN scope TEXT NOT NULL DEFAULT '';
CREATE INDEX idempotency_by_scope ON idempotency (scope);
