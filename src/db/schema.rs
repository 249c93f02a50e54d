//! A database schema as a plain, comparable value, for `verify --roundtrip`:
//! one line per object or property (`table users`, `column users.email
//! text`, `index users_email ON users (email)`), kept sorted. Each backend
//! builds one by introspection ([`crate::db::Database::schema_snapshot`]);
//! comparing two is pure.

use std::collections::BTreeSet;

/// The user's schema at one moment, without migrator's bookkeeping tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    lines: BTreeSet<String>,
}

impl Snapshot {
    /// A snapshot of these lines; order and duplicates do not matter.
    pub fn from_lines<I, S>(lines: I) -> Snapshot
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Snapshot {
            lines: lines.into_iter().map(Into::into).collect(),
        }
    }

    /// The lines, sorted.
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().map(String::as_str)
    }

    /// True when the schema holds no object of a user: nothing but schemas
    /// (PostgreSQL's `public`) and the `plpgsql` extension every database has.
    pub fn is_empty_database(&self) -> bool {
        self.lines
            .iter()
            .all(|line| line.starts_with("schema ") || line == "extension plpgsql")
    }

    /// What changed from `self` to `later`.
    pub fn diff(&self, later: &Snapshot) -> SchemaDiff {
        SchemaDiff {
            removed: self.lines.difference(&later.lines).cloned().collect(),
            added: later.lines.difference(&self.lines).cloned().collect(),
        }
    }
}

/// The difference of two snapshots.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SchemaDiff {
    /// Lines of the earlier snapshot that the later one lacks.
    pub removed: Vec<String>,
    /// Lines of the later snapshot that the earlier one lacks.
    pub added: Vec<String>,
}

impl SchemaDiff {
    pub fn is_empty(&self) -> bool {
        self.removed.is_empty() && self.added.is_empty()
    }

    /// `- line` / `+ line`, one per line, sorted by the line so that the two
    /// versions of one object sit together, the removed one first.
    pub fn render(&self) -> String {
        let mut lines: Vec<(&str, char)> = self
            .removed
            .iter()
            .map(|l| (l.as_str(), '-'))
            .chain(self.added.iter().map(|l| (l.as_str(), '+')))
            .collect();
        // '-' sorts after '+' in ASCII: compare the signs the other way.
        lines.sort_by(|a, b| (object_of(a.0), b.1, a.0).cmp(&(object_of(b.0), a.1, b.0)));
        lines
            .iter()
            .map(|(line, sign)| format!("{sign} {line}\n"))
            .collect()
    }
}

/// The part of a line that names its object (`column users.email`), so the
/// old and new versions of a changed object sort next to each other.
fn object_of(line: &str) -> &str {
    let mut words = line.splitn(3, ' ');
    match (words.next(), words.next()) {
        (Some(kind), Some(name)) => &line[..kind.len() + 1 + name.len()],
        _ => line,
    }
}

/// Runs of whitespace as one space, trimmed: SQL text as a snapshot
/// compares it, so re-indenting a view is not a change.
pub fn squeeze(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_of_snapshots() {
        let cases: &[(&[&str], &[&str], &str)] = &[
            (&["table t"], &["table t"], ""),
            (
                &["table users"],
                &["index users_email ON users (email)", "table users"],
                "+ index users_email ON users (email)\n",
            ),
            (
                &["column users.email text", "table users"],
                &["table users"],
                "- column users.email text\n",
            ),
            (
                &["column t.a integer", "table t"],
                &["column t.a bigint", "table t"],
                "- column t.a integer\n+ column t.a bigint\n",
            ),
        ];
        for (before, after, expected) in cases {
            let diff = Snapshot::from_lines(before.iter().copied())
                .diff(&Snapshot::from_lines(after.iter().copied()));
            assert_eq!(diff.render(), *expected, "{before:?} -> {after:?}");
            assert_eq!(diff.is_empty(), expected.is_empty());
        }
    }

    #[test]
    fn order_and_duplicates_do_not_matter() {
        assert_eq!(
            Snapshot::from_lines(["b", "a", "a"]),
            Snapshot::from_lines(["a", "b"])
        );
    }

    #[test]
    fn an_empty_database_has_only_schemas() {
        assert!(Snapshot::default().is_empty_database());
        assert!(Snapshot::from_lines(["schema public", "extension plpgsql"]).is_empty_database());
        assert!(!Snapshot::from_lines(["schema public", "table public.t"]).is_empty_database());
    }

    #[test]
    fn squeeze_collapses_whitespace() {
        assert_eq!(
            squeeze("  CREATE VIEW v AS\n  SELECT 1\n"),
            "CREATE VIEW v AS SELECT 1"
        );
    }
}
