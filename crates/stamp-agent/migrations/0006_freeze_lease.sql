-- A freeze is a lease: it ends by itself at frozen_until (seconds since the epoch)
-- unless renewed, and a frozen tenant can be fenced only before then.
ALTER TABLE tenants ADD COLUMN frozen_until INTEGER NOT NULL DEFAULT 0;
