DROP INDEX orders_status_created_at_idx /*! ON orders */;
ALTER TABLE orders DROP COLUMN shipped_at;
