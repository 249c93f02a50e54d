-- Parents:
-- Message: Create users
-- Created: 2026-11-02 09:00:00 UTC

-- Ids are assigned by the application, so no SERIAL / AUTOINCREMENT:
-- the same SQL runs on SQLite, PostgreSQL and MySQL/MariaDB (which index
-- varchar, not text, columns).
CREATE TABLE users (
    id         bigint      PRIMARY KEY,
    username   varchar(64) NOT NULL UNIQUE,
    created_at timestamp   NOT NULL
);
