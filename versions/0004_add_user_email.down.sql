-- SQLite refuses to drop an indexed column: the index goes first.
DROP INDEX IF EXISTS users_email_key;
ALTER TABLE users DROP COLUMN email;
