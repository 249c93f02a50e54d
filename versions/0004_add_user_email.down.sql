-- SQLite refuses to drop an indexed column: the index goes first.
-- MySQL wants the table named; the others read /*! */ as a comment.
DROP INDEX users_email_key /*! ON users */;
ALTER TABLE users DROP COLUMN email;
