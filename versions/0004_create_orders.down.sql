DROP TABLE IF EXISTS order_items;
DROP INDEX IF EXISTS orders_user_id_idx;
DROP TABLE IF EXISTS orders;
