-- Parents: 0001_create_users
-- Message: Create products
-- Created: 2026-11-03 14:30:00 UTC

CREATE TABLE products (
    id          bigint      PRIMARY KEY,
    sku         varchar(64) NOT NULL UNIQUE,
    name        text        NOT NULL,
    price_cents integer     NOT NULL CHECK (price_cents >= 0),
    created_at  timestamp   NOT NULL
);
