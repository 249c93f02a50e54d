-- Parents: 0003_add_product_stock
-- Message: Create orders and order items
-- Created: 2026-11-09 16:40:00 UTC

CREATE TABLE orders (
    id         bigint      PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id),
    status     varchar(16) NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'paid', 'shipped', 'cancelled')),
    created_at timestamp   NOT NULL
);

CREATE INDEX orders_user_id_idx ON orders (user_id);

CREATE TABLE order_items (
    order_id         bigint  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id       bigint  NOT NULL REFERENCES products (id),
    quantity         integer NOT NULL CHECK (quantity > 0),
    unit_price_cents integer NOT NULL CHECK (unit_price_cents >= 0),
    PRIMARY KEY (order_id, product_id)
);
