-- The database schema, written by migrator: do not edit. `migrator dump`
-- writes it (and upgrade, downgrade and stamp, with schema_file set in
-- migrator.toml); `migrator verify --schema-file` checks it against the
-- versions folder.

CREATE TABLE order_items (
    order_id         bigint  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id       bigint  NOT NULL REFERENCES products (id),
    quantity         integer NOT NULL CHECK (quantity > 0),
    unit_price_cents integer NOT NULL CHECK (unit_price_cents >= 0),
    PRIMARY KEY (order_id, product_id)
);

CREATE TABLE orders (
    id         bigint      PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id),
    status     varchar(16) NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'paid', 'shipped', 'cancelled')),
    created_at timestamp   NOT NULL
, shipped_at timestamp);

CREATE TABLE products (
    id          bigint      PRIMARY KEY,
    sku         varchar(64) NOT NULL UNIQUE,
    name        text        NOT NULL,
    price_cents integer     NOT NULL CHECK (price_cents >= 0),
    created_at  timestamp   NOT NULL
, stock integer NOT NULL DEFAULT 0 CHECK (stock >= 0));

CREATE TABLE users (
    id         bigint      PRIMARY KEY,
    username   varchar(64) NOT NULL UNIQUE,
    created_at timestamp   NOT NULL
, email varchar(255));

CREATE VIEW order_totals AS
SELECT o.id                                  AS order_id,
       u.id                                  AS user_id,
       u.email                               AS email,
       o.status                              AS status,
       count(i.product_id)                   AS item_count,
       coalesce(sum(i.quantity * i.unit_price_cents), 0) AS total_cents
FROM orders o
JOIN users u ON u.id = o.user_id
LEFT JOIN order_items i ON i.order_id = o.id
GROUP BY o.id, u.id, u.email, o.status;

CREATE INDEX orders_status_created_at_idx ON orders (status, created_at);

CREATE INDEX orders_user_id_idx ON orders (user_id);

CREATE UNIQUE INDEX users_email_key ON users (email);

-- Applied: 0007_add_order_shipped_at and its ancestors
