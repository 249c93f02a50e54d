DROP INDEX IF EXISTS orders_status_created_at_idx;
ALTER TABLE orders DROP COLUMN shipped_at;
