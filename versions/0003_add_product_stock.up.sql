-- Parents: 0002_create_products
-- Message: Track stock per product
-- Created: 2026-11-05 11:12:00 UTC

ALTER TABLE products ADD COLUMN stock integer NOT NULL DEFAULT 0 CHECK (stock >= 0);
