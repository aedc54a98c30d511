-- Stampfleet catalogue, schema 15: drift findings an operator chose to ignore, with
-- why. A finding stays ignored while what differs is the same (its detail); a changed
-- difference shows again.
CREATE TABLE drift_ignores (
    kind        TEXT NOT NULL,
    stamp       TEXT NOT NULL,
    tenant      TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL,
    reason      TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    actor       TEXT NOT NULL,
    ignored_at  TEXT NOT NULL,
    PRIMARY KEY (kind, stamp, tenant)
) STRICT;
