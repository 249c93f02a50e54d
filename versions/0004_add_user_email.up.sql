-- Parents: 0003_add_product_stock
-- Message: Add email to users
-- Created: 2026-11-09 10:15:00 UTC

ALTER TABLE users ADD COLUMN email varchar(255);

-- Several users may still have no email; unique among those who have one.
CREATE UNIQUE INDEX users_email_key ON users (email);
