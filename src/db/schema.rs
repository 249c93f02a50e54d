//! A database schema as a plain, comparable value, for `verify --roundtrip`:
//! one line per object or property (`table users`, `column users.email
//! text`, `index users_email ON users (email)`), kept sorted. Each backend
//! builds one by introspection ([`crate::db::Database::schema_snapshot`]);
//! comparing two is pure.
//!
//! A snapshot also holds the SQL that creates each object, as
//! [`Definition`]s, which [`crate::db::dump`] renders as the schema dump
//! (`schema_file`, `migrator dump`): a backend that fills them in gets
//! dumps, and their checks, with nothing else to write.

use std::collections::{BTreeMap, BTreeSet};

/// The user's schema at one moment, without migrator's bookkeeping tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    lines: BTreeSet<String>,
    /// The text of objects whose line holds only a hash of it (PostgreSQL
    /// functions), by line: shown when two versions differ, where the
    /// hashes alone would not say how.
    bodies: BTreeMap<String, String>,
    /// The SQL that creates each object, for the schema dump.
    definitions: Vec<Definition>,
}

/// What an object of a schema is, in the order a dump creates them: an
/// object refers to kinds that come before its own (a table's default to a
/// function or sequence, an index to a table or view, a foreign key to the
/// unique index it needs), or to the objects named in
/// [`Definition::depends_on`] (a view to a view, a function to the table
/// whose rows it returns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A session setting the rest needs (PostgreSQL's
    /// `check_function_bodies = false`, so that a function may name a
    /// table created after it).
    Setting,
    Schema,
    Extension,
    /// Enums, domains and composite types.
    Type,
    /// Functions and procedures.
    Function,
    Sequence,
    /// A table with its columns (and, where the backend writes them inline,
    /// its constraints).
    Table,
    /// Which column owns a sequence (PostgreSQL's `OWNED BY`).
    SequenceOwner,
    /// Primary keys, unique, check and exclusion constraints added to a
    /// table after it.
    Constraint,
    /// Views and materialized views.
    View,
    Index,
    ForeignKey,
    Trigger,
    /// Row-level security: a table's switch, and its policies.
    Policy,
    /// Comments on objects and columns.
    Comment,
}

/// One object of the schema as the SQL that creates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub kind: Kind,
    /// Its name as the SQL writes it (schema-qualified where the backend
    /// has schemas): what orders objects of one kind.
    pub name: String,
    /// The statements that create it, without their closing `;`.
    pub statements: Vec<String>,
    /// Names of objects that must be created first, where the order of
    /// the kinds does not see to it.
    pub depends_on: Vec<String>,
}

impl Definition {
    /// An object created by one statement, needing nothing of its kind.
    pub fn new(kind: Kind, name: impl Into<String>, sql: impl Into<String>) -> Definition {
        Definition {
            kind,
            name: name.into(),
            statements: vec![sql.into()],
            depends_on: Vec::new(),
        }
    }
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
            bodies: BTreeMap::new(),
            definitions: Vec::new(),
        }
    }

    /// The snapshot with the SQL that creates its objects, in any order.
    pub fn with_definitions(
        mut self,
        definitions: impl IntoIterator<Item = Definition>,
    ) -> Snapshot {
        self.definitions.extend(definitions);
        // Equal schemas make equal snapshots, whatever order they came in.
        self.definitions
            .sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
        self
    }

    /// The SQL that creates each object, as the backend gave it.
    pub fn definitions(&self) -> &[Definition] {
        &self.definitions
    }

    /// The snapshot with the texts of some of its lines' objects.
    pub fn with_bodies(mut self, bodies: impl IntoIterator<Item = (String, String)>) -> Snapshot {
        self.bodies.extend(bodies);
        self
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
        let removed: Vec<String> = self.lines.difference(&later.lines).cloned().collect();
        let added: Vec<String> = later.lines.difference(&self.lines).cloned().collect();
        let bodies = removed
            .iter()
            .filter_map(|line| Some((line.clone(), self.bodies.get(line)?.clone())))
            .chain(
                added
                    .iter()
                    .filter_map(|line| Some((line.clone(), later.bodies.get(line)?.clone()))),
            )
            .collect();
        SchemaDiff {
            removed,
            added,
            bodies,
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
    /// The texts of the objects of those lines that have one.
    #[serde(skip)]
    pub bodies: BTreeMap<String, String>,
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
        let mut out = String::new();
        for (i, (line, sign)) in lines.iter().enumerate() {
            out.push_str(&format!("{sign} {line}\n"));
            // A changed object with texts, removed then added: how the
            // texts differ, under the pair.
            if let (Some((previous, '-')), '+') = (i.checked_sub(1).map(|p| lines[p]), sign)
                && object_of(previous) == object_of(line)
                && let (Some(old), Some(new)) = (self.bodies.get(previous), self.bodies.get(*line))
            {
                let diff = crate::diff::unified(old, new, "-", "+");
                // The hunks only: the signs above say which is which.
                for hunk_line in diff.lines().skip(2) {
                    out.push_str(&format!("    {hunk_line}\n"));
                }
            }
        }
        out
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
    fn a_changed_function_shows_how_its_text_changed() {
        let old_line = "function public.total(integer) returns integer definition md5 aaa";
        let new_line = "function public.total(integer) returns integer definition md5 bbb";
        let body = |n: u32| {
            format!(
                "CREATE OR REPLACE FUNCTION public.total(x integer)\n RETURNS integer\nAS $function$\nBEGIN\n  RETURN x + {n};\nEND\n$function$\n"
            )
        };
        let other = "function public.other() returns integer definition md5 ccc";
        let before = Snapshot::from_lines([old_line, "table public.t"])
            .with_bodies([(old_line.to_string(), body(1))]);
        let after = Snapshot::from_lines([new_line, other, "table public.t"]).with_bodies([
            (new_line.to_string(), body(2)),
            (other.to_string(), "CREATE FUNCTION other".to_string()),
        ]);
        let expected = [
            format!("+ {other}"),
            format!("- {old_line}"),
            format!("+ {new_line}"),
            "    @@ -2,6 +2,6 @@".into(),
            "      RETURNS integer".into(),
            "     AS $function$".into(),
            "     BEGIN".into(),
            "    -  RETURN x + 1;".into(),
            "    +  RETURN x + 2;".into(),
            "     END".into(),
            "     $function$".into(),
        ];
        assert_eq!(
            before.diff(&after).render().lines().collect::<Vec<_>>(),
            expected
        );
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
