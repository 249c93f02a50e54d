-- Parents:
-- Message: Create users
-- Created: 2026-11-02 09:00:00 UTC

-- Ids are assigned by the application, so no SERIAL / AUTOINCREMENT:
-- the same SQL runs on SQLite and PostgreSQL.
CREATE TABLE users (
    id         bigint    PRIMARY KEY,
    username   text      NOT NULL UNIQUE,
    created_at timestamp NOT NULL
);
