//! The schema dump: a database's schema as plain SQL that recreates it
//! (`schema_file` in migrator.toml, `migrator dump`), rendered from the
//! [`Definition`]s of a [`crate::db::schema::Snapshot`], so every backend
//! that fills those in gets the same dump, and the same check, for free.
//!
//! The dump is stable: objects are ordered by kind (so each refers only to
//! what came before it), then by dependencies within a kind (a view on a
//! view), then by name; it holds no timestamp, server version, owner,
//! privilege or data, and migrator's bookkeeping tables are left out. The
//! revisions it reflects are named in its last line. Pure: no I/O here.

use std::collections::{BTreeMap, BTreeSet};

use super::schema::Definition;
use crate::record::AppliedRevision;

/// The first lines of every dump.
pub const HEADER: &str = "\
-- The database schema, written by migrator: do not edit. `migrator dump`
-- writes it (and upgrade, downgrade and stamp, with schema_file set in
-- migrator.toml); `migrator verify --schema-file` checks it against the
-- versions folder.
";

/// The start of the last line, which names the applied revisions.
pub const APPLIED: &str = "-- Applied: ";

/// The dump of a schema: `definitions` in a creation order, then a line
/// naming `applied_heads` (the applied revisions no other applied revision
/// descends from: with their ancestors, everything applied).
pub fn render(definitions: &[Definition], applied_heads: &[String]) -> String {
    let mut out = String::from(HEADER);
    for definition in creation_order(definitions) {
        out.push('\n');
        for statement in &definition.statements {
            out.push_str(&terminated(statement));
        }
    }
    out.push('\n');
    out.push_str(&applied_line(applied_heads));
    out
}

/// The applied revisions that are not a parent of another applied one,
/// sorted: what a dump says it reflects.
pub fn applied_heads(applied: &[AppliedRevision]) -> Vec<String> {
    let parents: BTreeSet<&str> = applied
        .iter()
        .flat_map(|revision| revision.parents.iter().map(String::as_str))
        .collect();
    let heads: BTreeSet<&str> = applied
        .iter()
        .map(|revision| revision.id.as_str())
        .filter(|id| !parents.contains(id))
        .collect();
    heads.into_iter().map(String::from).collect()
}

/// The unified diff from the committed dump to the one the folder gives,
/// or `None` when they agree. A checkout that turned line ends into CRLF
/// agrees.
pub fn compare(committed: &str, expected: &str, name: &str) -> Option<String> {
    let committed = committed.replace("\r\n", "\n");
    if committed == expected {
        return None;
    }
    Some(crate::diff::unified(
        &committed,
        expected,
        &format!("{name} (committed)"),
        &format!("{name} (from the versions folder)"),
    ))
}

fn applied_line(heads: &[String]) -> String {
    match heads {
        [] => format!("{APPLIED}nothing\n"),
        [one] => format!("{APPLIED}{one} and its ancestors\n"),
        many => format!("{APPLIED}{} and their ancestors\n", many.join(", ")),
    }
}

/// One statement with one closing `;` and a line end, whether or not the
/// backend's text had its own (`pg_get_viewdef` ends in one).
fn terminated(statement: &str) -> String {
    let text = statement.trim();
    let text = text.strip_suffix(';').unwrap_or(text).trim_end();
    format!("{text};\n")
}

/// Kind by kind, then by name (so the order never depends on the order
/// the backend read them in), except that an object waits for those it
/// depends on: a view for the view it reads, a function for the table whose
/// rows it returns (right after that table, then). A name in
/// [`Definition::depends_on`] stands for the first object of that name,
/// the one that creates it (a table, not its comment). A cycle, which the
/// database itself would not allow, is broken in that same order.
fn creation_order(definitions: &[Definition]) -> Vec<&Definition> {
    let mut sorted: Vec<&Definition> = definitions.iter().collect();
    sorted.sort_by(|a, b| (a.kind, &a.name, &a.statements).cmp(&(b.kind, &b.name, &b.statements)));
    let mut first_of: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, definition) in sorted.iter().enumerate() {
        first_of.entry(definition.name.as_str()).or_insert(index);
    }
    let needs: Vec<Vec<usize>> = sorted
        .iter()
        .enumerate()
        .map(|(index, definition)| {
            definition
                .depends_on
                .iter()
                .filter_map(|name| first_of.get(name.as_str()).copied())
                .filter(|&needed| needed != index)
                .collect()
        })
        .collect();
    let mut placed = vec![false; sorted.len()];
    let mut ordered = Vec::with_capacity(sorted.len());
    while ordered.len() < sorted.len() {
        let next = (0..sorted.len())
            .find(|&i| !placed[i] && needs[i].iter().all(|&needed| placed[needed]))
            .or_else(|| (0..sorted.len()).find(|&i| !placed[i]))
            .expect("an object is left while fewer than all are placed");
        placed[next] = true;
        ordered.push(sorted[next]);
    }
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::schema::Kind;

    fn definition(kind: Kind, name: &str, sql: &str, depends_on: &[&str]) -> Definition {
        Definition {
            kind,
            name: name.into(),
            statements: vec![sql.into()],
            depends_on: depends_on.iter().map(|d| d.to_string()).collect(),
        }
    }

    /// The body of a dump: its statements, without the header and the
    /// applied line.
    fn body(dump: &str) -> String {
        let body = dump
            .strip_prefix(HEADER)
            .expect("the dump starts with its header");
        let end = body
            .rfind(APPLIED)
            .expect("the dump ends with its applied line");
        body[..end].to_string()
    }

    #[test]
    fn objects_come_by_kind_then_dependencies_then_name() {
        use Kind::*;
        let cases: &[(&[Definition], &str)] = &[
            (&[], "\n"),
            (
                &[
                    definition(
                        Index,
                        "users_email",
                        "CREATE INDEX users_email ON users (email)",
                        &[],
                    ),
                    definition(
                        Table,
                        "users",
                        "CREATE TABLE users (id int, email text)",
                        &[],
                    ),
                ],
                "\nCREATE TABLE users (id int, email text);\n\nCREATE INDEX users_email ON users (email);\n\n",
            ),
            (
                &[
                    definition(Table, "b", "CREATE TABLE b ()", &[]),
                    definition(Table, "a", "CREATE TABLE a ()", &[]),
                    definition(Schema, "s", "CREATE SCHEMA s", &[]),
                    definition(
                        Setting,
                        "check_function_bodies",
                        "SET check_function_bodies = false",
                        &[],
                    ),
                ],
                "\nSET check_function_bodies = false;\n\nCREATE SCHEMA s;\n\nCREATE TABLE a ();\n\nCREATE TABLE b ();\n\n",
            ),
            // A view on a view comes after it, whatever their names.
            (
                &[
                    definition(
                        View,
                        "a_report",
                        "CREATE VIEW a_report AS SELECT * FROM z_base",
                        &["z_base", "users"],
                    ),
                    definition(View, "z_base", "CREATE VIEW z_base AS SELECT 1 AS x", &[]),
                    definition(View, "m", "CREATE VIEW m AS SELECT 2 AS y", &[]),
                ],
                "\nCREATE VIEW m AS SELECT 2 AS y;\n\nCREATE VIEW z_base AS SELECT 1 AS x;\n\nCREATE VIEW a_report AS SELECT * FROM z_base;\n\n",
            ),
            // A function that returns a table's rows comes right after that
            // table, before the next one; a comment on the table does not
            // hold it back.
            (
                &[
                    definition(
                        Function,
                        "active()",
                        "CREATE FUNCTION active() RETURNS SETOF users",
                        &["users"],
                    ),
                    definition(Function, "f()", "CREATE FUNCTION f()", &[]),
                    definition(Comment, "users", "COMMENT ON TABLE users IS 'x'", &[]),
                    definition(Table, "zebras", "CREATE TABLE zebras ()", &[]),
                    definition(Table, "users", "CREATE TABLE users ()", &[]),
                    definition(Table, "accounts", "CREATE TABLE accounts ()", &[]),
                ],
                "\nCREATE FUNCTION f();\n\nCREATE TABLE accounts ();\n\nCREATE TABLE users ();\n\nCREATE FUNCTION active() RETURNS SETOF users;\n\nCREATE TABLE zebras ();\n\nCOMMENT ON TABLE users IS 'x';\n\n",
            ),
            // A cycle (which no database allows) still puts out every object.
            (
                &[
                    definition(View, "b", "CREATE VIEW b", &["a"]),
                    definition(View, "a", "CREATE VIEW a", &["b"]),
                ],
                "\nCREATE VIEW a;\n\nCREATE VIEW b;\n\n",
            ),
            // Closing semicolons and surrounding whitespace are the
            // renderer's: one each, whatever the backend gave.
            (
                &[
                    definition(View, "v", " SELECT 1;\n", &[]),
                    Definition {
                        kind: Table,
                        name: "t".into(),
                        statements: vec![
                            "CREATE TABLE t (id int)".into(),
                            "ALTER SEQUENCE s OWNED BY t.id;".into(),
                        ],
                        depends_on: vec![],
                    },
                ],
                "\nCREATE TABLE t (id int);\nALTER SEQUENCE s OWNED BY t.id;\n\nSELECT 1;\n\n",
            ),
            // A trigger's body keeps its inner semicolons.
            (
                &[definition(
                    Trigger,
                    "tr",
                    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END",
                    &[],
                )],
                "\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;\n\n",
            ),
        ];
        for (definitions, expected) in cases {
            let dump = render(definitions, &[]);
            assert_eq!(body(&dump), *expected, "{definitions:#?}");
            let mut reversed = definitions.to_vec();
            reversed.reverse();
            assert_eq!(
                render(&reversed, &[]),
                dump,
                "the order given does not matter"
            );
        }
    }

    #[test]
    fn the_last_line_names_the_applied_heads() {
        let cases: &[(&[&str], &str)] = &[
            (&[], "-- Applied: nothing\n"),
            (&["0002_b"], "-- Applied: 0002_b and its ancestors\n"),
            (
                &["0002a", "0002b"],
                "-- Applied: 0002a, 0002b and their ancestors\n",
            ),
        ];
        for (heads, expected) in cases {
            let heads: Vec<String> = heads.iter().map(|h| h.to_string()).collect();
            assert!(
                render(&[], &heads).ends_with(&format!("\n\n{expected}")),
                "{heads:?}"
            );
        }
    }

    #[test]
    fn applied_heads_are_those_no_applied_revision_descends_from() {
        type Rows<'a> = &'a [(&'a str, &'a [&'a str])];
        let cases: &[(Rows<'_>, &[&str])] = &[
            (&[], &[]),
            (&[("0001", &[])], &["0001"]),
            (&[("0001", &[]), ("0002", &["0001"])], &["0002"]),
            (
                &[("0001", &[]), ("0002b", &["0001"]), ("0002a", &["0001"])],
                &["0002a", "0002b"],
            ),
            (
                &[
                    ("0001", &[]),
                    ("0002a", &["0001"]),
                    ("0002b", &["0001"]),
                    ("0003m", &["0002a", "0002b"]),
                ],
                &["0003m"],
            ),
        ];
        for (rows, expected) in cases {
            let applied: Vec<AppliedRevision> = rows
                .iter()
                .map(|(id, parents)| AppliedRevision::of(id, parents))
                .collect();
            assert_eq!(applied_heads(&applied), *expected, "{rows:?}");
        }
    }

    #[test]
    fn compare_shows_how_the_committed_dump_differs() {
        let expected = render(
            &[definition(Kind::Table, "t", "CREATE TABLE t (a int)", &[])],
            &[],
        );
        assert_eq!(compare(&expected, &expected, "schema.sql"), None);
        assert_eq!(
            compare(&expected.replace('\n', "\r\n"), &expected, "schema.sql"),
            None,
            "CRLF line ends are the checkout's, not a change"
        );
        let edited = expected.replace("a int", "a bigint");
        let diff = compare(&edited, &expected, "schema.sql").expect("an edit is a difference");
        assert!(
            diff.starts_with(
                "--- schema.sql (committed)\n+++ schema.sql (from the versions folder)\n"
            ),
            "{diff}"
        );
        assert!(
            diff.contains("\n-CREATE TABLE t (a bigint);\n+CREATE TABLE t (a int);\n"),
            "{diff}"
        );
    }
}
