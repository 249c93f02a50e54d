//! The rules of `verify --lint`: each names a danger, how serious it is,
//! which database it is about, and the safe way to get the same change.
//! A finding's message says what the statement does; the rule's hint says
//! what to write instead. docs/lint.md shows each one at work.

use crate::diagnostic::Level;

use super::backend::Backend;

/// One rule: what it finds and what to do instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Its name in findings, JSON (`rule`) and `-- migrator:allow RULE`.
    pub id: &'static str,
    /// Errors fail `verify`; warnings are shown and let it pass.
    pub level: Level,
    /// The backend whose revisions it reads; `None`: both.
    pub backend: Option<Backend>,
    /// The danger, in a line.
    pub summary: &'static str,
    /// The safe alternative.
    pub hint: &'static str,
}

use Level::{Error, Warning};

/// Every rule, in the order docs/lint.md lists them.
pub const RULES: &[Rule] = &[
    Rule {
        id: "index-not-concurrent",
        level: Error,
        backend: Some(Backend::Postgresql),
        summary: "CREATE INDEX without CONCURRENTLY on a table this revision did not create: writes to the table wait until the index is built",
        hint: "build it with CREATE INDEX CONCURRENTLY, in a revision of its own with `-- Transaction: off` (CONCURRENTLY cannot run in a transaction)",
    },
    Rule {
        id: "not-null-without-default",
        level: Error,
        backend: Some(Backend::Postgresql),
        summary: "ADD COLUMN … NOT NULL without a default: fails as soon as the table has a row",
        hint: "give the column a constant default (`NOT NULL DEFAULT 0`), or add it nullable, fill it, and set NOT NULL in a later revision",
    },
    Rule {
        id: "volatile-default",
        level: Error,
        backend: Some(Backend::Postgresql),
        summary: "ADD COLUMN with a value computed per row (a volatile default such as random() or gen_random_uuid(), a serial, an identity, a stored generated column): the whole table is rewritten under an ACCESS EXCLUSIVE lock",
        hint: "add the column without it, then `ALTER COLUMN … SET DEFAULT …` (which only affects new rows) and fill the old rows in batches; a constant or stable default (now(), current_timestamp) does not rewrite on PostgreSQL 11 and later",
    },
    Rule {
        id: "type-change-rewrite",
        level: Error,
        backend: Some(Backend::Postgresql),
        summary: "ALTER COLUMN … TYPE that rewrites the table and rebuilds its indexes under an ACCESS EXCLUSIVE lock (most type changes do)",
        hint: "add a column of the new type, fill it in batches, move the code to it, and drop the old one later; these changes need no rewrite: varchar(n) to varchar(m) with m ≥ n, varchar(n) or text to varchar or text, numeric(p,s) to numeric(q,s) with q ≥ p or to numeric",
    },
    Rule {
        id: "constraint-not-valid",
        level: Error,
        backend: Some(Backend::Postgresql),
        summary: "a FOREIGN KEY or CHECK constraint added to a table without NOT VALID (or with a new column): every row is checked while writes wait (and reads, but for ADD FOREIGN KEY alone)",
        hint: "add it with NOT VALID (new rows are checked at once), then `ALTER TABLE … VALIDATE CONSTRAINT …` in a later revision, which checks the old rows without blocking writes",
    },
    Rule {
        id: "constraint-builds-index",
        level: Error,
        backend: Some(Backend::Postgresql),
        summary: "a PRIMARY KEY or UNIQUE constraint added to a table: its index is built under an ACCESS EXCLUSIVE lock that blocks reads and writes",
        hint: "build the index with CREATE UNIQUE INDEX CONCURRENTLY (a revision with `-- Transaction: off`), then `ALTER TABLE … ADD CONSTRAINT … UNIQUE USING INDEX …` (or PRIMARY KEY USING INDEX)",
    },
    Rule {
        id: "set-not-null",
        level: Warning,
        backend: Some(Backend::Postgresql),
        summary: "ALTER COLUMN … SET NOT NULL: the whole table is read under an ACCESS EXCLUSIVE lock",
        hint: "first `ADD CONSTRAINT … CHECK (column IS NOT NULL) NOT VALID` and VALIDATE it (a revision each); PostgreSQL 12 and later then sets NOT NULL without reading the table",
    },
    Rule {
        id: "cannot-run-in-transaction",
        level: Error,
        backend: Some(Backend::Postgresql),
        summary: "a statement PostgreSQL refuses inside a transaction block (CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, DETACH PARTITION CONCURRENTLY, VACUUM, CREATE DATABASE, …) in a revision that runs in one",
        hint: "run the revision without a transaction: `-- Transaction: off` in its header, best in a revision of its own",
    },
    Rule {
        id: "add-enum-value-in-transaction",
        level: Warning,
        backend: Some(Backend::Postgresql),
        summary: "ALTER TYPE … ADD VALUE in a revision that runs in a transaction: PostgreSQL 11 and older refuse it there, and later versions refuse to use the new value before the transaction commits",
        hint: "put it in a revision of its own with `-- Transaction: off`",
    },
    Rule {
        id: "exclusive-lock-without-timeout",
        level: Warning,
        backend: Some(Backend::Postgresql),
        summary: "a statement that takes an ACCESS EXCLUSIVE lock on a table in use (most ALTER TABLE forms, DROP TABLE, DROP INDEX, TRUNCATE, LOCK TABLE, REINDEX, CLUSTER, VACUUM FULL, REFRESH MATERIALIZED VIEW) in a revision with no Lock-Timeout: while it waits for the lock behind a long query, every other query on the table waits behind it",
        hint: "give the revision `-- Lock-Timeout: 5s` in its header (or every revision `revision_lock_timeout = \"5s\"` in migrator.toml): if the lock is not free by then, the revision fails instead of blocking the table, and runs again later",
    },
    Rule {
        id: "drop-table",
        level: Warning,
        backend: None,
        summary: "DROP TABLE of a table this revision did not create: code still running (the release before, during a deploy) may use it",
        hint: "first release code that no longer uses the table, then drop it in a later release",
    },
    Rule {
        id: "drop-column",
        level: Warning,
        backend: None,
        summary: "DROP COLUMN on a table this revision did not create: code still running may read or write the column",
        hint: "first release code that no longer uses the column, then drop it in a later release",
    },
    Rule {
        id: "rename-table",
        level: Warning,
        backend: None,
        summary: "a table this revision did not create is renamed: code still running uses the old name",
        hint: "keep the old name working while both releases run (a view with the old name), and drop it in a later release",
    },
    Rule {
        id: "rename-column",
        level: Warning,
        backend: None,
        summary: "a column of a table this revision did not create is renamed: code still running uses the old name",
        hint: "add the new column, write both, move the reads to the new one, and drop the old column in a later release",
    },
    Rule {
        id: "sqlite-alter-unsupported",
        level: Error,
        backend: Some(Backend::Sqlite),
        summary: "a form of ALTER TABLE that SQLite does not have (ALTER COLUMN, ADD CONSTRAINT, DROP CONSTRAINT, several changes in one statement, …): the statement fails",
        hint: "SQLite's ALTER TABLE can RENAME TO, RENAME COLUMN, ADD COLUMN and DROP COLUMN, one per statement; for anything else rebuild the table: CREATE TABLE new_t (…), INSERT INTO new_t SELECT … FROM t, DROP TABLE t, ALTER TABLE new_t RENAME TO t (https://www.sqlite.org/lang_altertable.html#otheralter)",
    },
    Rule {
        id: "sqlite-add-column-unsupported",
        level: Error,
        backend: Some(Backend::Sqlite),
        summary: "ADD COLUMN that SQLite refuses: PRIMARY KEY, UNIQUE, NOT NULL without a non-NULL default, a default that is not a constant (CURRENT_TIMESTAMP, an expression in parentheses), a STORED generated column",
        hint: "add the column with a literal default, or without the constraint (a UNIQUE index can follow: CREATE UNIQUE INDEX); for anything else rebuild the table (https://www.sqlite.org/lang_altertable.html#otheralter)",
    },
    Rule {
        id: "invalid-allow",
        level: Error,
        backend: None,
        summary: "a `-- migrator:allow` comment that silences nothing: it has no reason, names an unknown rule, or is not next to a statement",
        hint: "write `-- migrator:allow RULE REASON` on the line right before the statement, or at the end of its first line",
    },
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.id == id)
}

/// The rule with this id, which the caller knows exists.
pub(super) fn known(id: &'static str) -> &'static Rule {
    rule(id).unwrap_or_else(|| panic!("`{id}` is a rule of RULES"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        for (i, rule) in RULES.iter().enumerate() {
            assert!(
                rule.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                rule.id
            );
            assert!(
                RULES[..i].iter().all(|other| other.id != rule.id),
                "{} twice",
                rule.id
            );
        }
    }
}
