//! Table tests of each tool's format, of the history tables, and of the
//! revisions an import writes.

use std::path::PathBuf;

use super::history::{HistoryError, Row};
use super::*;

/// Files of a folder `m/`, by name and text.
fn files(list: &[(&str, &str)]) -> Vec<SourceFile> {
    list.iter()
        .map(|(name, text)| SourceFile {
            path: PathBuf::from("m").join(name),
            name: name.to_string(),
            text: text.to_string(),
        })
        .collect()
}

/// A migration as the tables write it: version, description, up SQL, down
/// SQL (or none), and why it runs outside a transaction (or none).
type Expected = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

/// A problem as the tables write it: file, line, the start of the message.
type ExpectedProblem = (&'static str, Option<usize>, &'static str);

type Case = (
    &'static [(&'static str, &'static str)],
    Result<&'static [Expected], &'static [ExpectedProblem]>,
);

fn check(tool: Tool, cases: &[Case]) {
    for (list, expected) in cases {
        let names: Vec<&str> = list.iter().map(|(name, _)| *name).collect();
        match (convert(tool, &files(list)), expected) {
            (Ok(migrations), Ok(expected)) => {
                let got: Vec<Expected> = migrations
                    .iter()
                    .map(|m| {
                        (
                            leak(m.version.as_str()),
                            leak(&m.description),
                            leak(&m.up.sql),
                            m.down.as_ref().map(|d| leak(&d.sql)),
                            m.no_transaction.as_deref().map(leak),
                        )
                    })
                    .collect();
                assert_eq!(got, *expected, "{tool} {names:?}");
            }
            (Err(problems), Err(expected)) => {
                assert_eq!(
                    problems.len(),
                    expected.len(),
                    "{tool} {names:?}: {problems:#?}"
                );
                for (problem, (file, line, message)) in problems.iter().zip(*expected) {
                    assert_eq!(
                        (&problem.path, problem.line),
                        (&PathBuf::from("m").join(file), *line),
                        "{tool} {names:?}: {problem}"
                    );
                    assert!(
                        problem.message.starts_with(message),
                        "{tool} {names:?}: {problem} (expected {message:?})"
                    );
                    assert!(problem.hint.is_some(), "{problem} has no hint");
                }
            }
            (got, _) => panic!("{tool} {names:?}: expected {expected:?}, got {got:#?}"),
        }
    }
}

fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

#[test]
fn golang_migrate_pairs_up_and_down_files_by_version() {
    check(
        Tool::GolangMigrate,
        &[
            (
                &[
                    (
                        "2_add_email.up.sql",
                        "ALTER TABLE users ADD email text;\r\n",
                    ),
                    (
                        "2_add_email.down.sql",
                        "\n\nALTER TABLE users DROP email;  \n\n",
                    ),
                    ("10_seed.up.sql", "INSERT INTO users VALUES (1);"),
                    (
                        "000001_create_users.up.sql",
                        "CREATE TABLE users (id int);\n",
                    ),
                    ("000001_create_users.down.sql", "DROP TABLE users;\n"),
                    ("README.md", ""),
                ],
                Ok(&[
                    (
                        "000001",
                        "create users",
                        "CREATE TABLE users (id int);\n",
                        Some("DROP TABLE users;\n"),
                        None,
                    ),
                    (
                        "2",
                        "add email",
                        "ALTER TABLE users ADD email text;\n",
                        Some("ALTER TABLE users DROP email;\n"),
                        None,
                    ),
                    ("10", "seed", "INSERT INTO users VALUES (1);\n", None, None),
                ]),
            ),
            // PostgreSQL folders often run their own transaction.
            (
                &[("1_a.up.sql", "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n")],
                Ok(&[(
                    "1",
                    "a",
                    "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n",
                    None,
                    Some("1_a.up.sql runs a `BEGIN` of its own"),
                )]),
            ),
            (
                &[
                    ("1_a.up.sql", ""),
                    ("01_b.up.sql", ""),
                    ("3_c.down.sql", ""),
                    ("schema.sql", ""),
                    ("4_d.sql", ""),
                ],
                Err(&[
                    (
                        "1_a.up.sql",
                        None,
                        "version 1 is used twice: by 01_b.up.sql and 1_a.up.sql",
                    ),
                    (
                        "3_c.down.sql",
                        None,
                        "down file of version 3 without its up migration",
                    ),
                    (
                        "4_d.sql",
                        None,
                        "is not a golang-migrate migration file name",
                    ),
                    (
                        "schema.sql",
                        None,
                        "is not a golang-migrate migration file name",
                    ),
                ]),
            ),
        ],
    );
}

#[test]
fn goose_sections_and_annotations() {
    check(
        Tool::Goose,
        &[
            (
                &[
                    (
                        "00001_create_users.sql",
                        "-- Who can log in.\n\n-- +goose Up\nCREATE TABLE users (id int);\n\n\
                         -- +goose Down\nDROP TABLE users;\n",
                    ),
                    (
                        "00002_add_email.sql",
                        "-- +goose NO TRANSACTION\n-- +goose up\nCREATE INDEX CONCURRENTLY i ON users (id);\n",
                    ),
                    (
                        "00003_trigger.sql",
                        "-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql;\n\
                         -- +goose StatementEnd\n-- +goose Down\n-- +goose StatementBegin\nDROP FUNCTION f();\n-- +goose StatementEnd\n",
                    ),
                    ("main.go", ""),
                    ("00004_helpers_test.go", ""),
                ],
                Ok(&[
                    (
                        "00001",
                        "create users",
                        "-- Who can log in.\n\nCREATE TABLE users (id int);\n",
                        Some("DROP TABLE users;\n"),
                        None,
                    ),
                    (
                        "00002",
                        "add email",
                        "CREATE INDEX CONCURRENTLY i ON users (id);\n",
                        None,
                        Some("00002_add_email.sql says `-- +goose NO TRANSACTION`"),
                    ),
                    (
                        "00003",
                        "trigger",
                        "CREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql;\n",
                        Some("DROP FUNCTION f();\n"),
                        None,
                    ),
                ]),
            ),
            (
                &[
                    ("00001_go.go", "package migrations"),
                    ("00002_none.sql", "CREATE TABLE a (id int);\n"),
                    (
                        "00003_order.sql",
                        "-- +goose Down\nDROP TABLE a;\n-- +goose Up\n",
                    ),
                    ("00004_unknown.sql", "-- +goose Up\n-- +goose Sideways\n"),
                    ("00005_indented.sql", "  -- +goose Up\n"),
                    (
                        "00006_open.sql",
                        "-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n",
                    ),
                    (
                        "00007_env.sql",
                        "-- +goose ENVSUB ON\n-- +goose Up\nSELECT '${X}';\n",
                    ),
                    (
                        "00008_twice.sql",
                        "-- +goose Up\n-- +goose Down\n-- +goose Down\n",
                    ),
                    ("00000_zero.sql", "-- +goose Up\n"),
                    ("notes.sql", ""),
                    ("00009_comments.sql", "-- nothing here\n"),
                ],
                Err(&[
                    ("00000_zero.sql", None, "has version 0"),
                    ("00001_go.go", None, "is a goose migration written in Go"),
                    ("00002_none.sql", Some(1), "SQL before `-- +goose Up`"),
                    (
                        "00003_order.sql",
                        Some(1),
                        "`-- +goose Down` before `-- +goose Up`",
                    ),
                    ("00003_order.sql", Some(2), "SQL before `-- +goose Up`"),
                    (
                        "00004_unknown.sql",
                        Some(2),
                        "unknown goose annotation `+goose Sideways`",
                    ),
                    (
                        "00005_indented.sql",
                        Some(1),
                        "white space before a goose annotation",
                    ),
                    (
                        "00006_open.sql",
                        Some(2),
                        "`-- +goose StatementBegin` without its StatementEnd",
                    ),
                    ("00007_env.sql", Some(1), "`-- +goose ENVSUB ON`"),
                    ("00008_twice.sql", Some(3), "a second `-- +goose Down`"),
                    (
                        "00009_comments.sql",
                        None,
                        "has no `-- +goose Up` annotation",
                    ),
                    ("notes.sql", None, "is not a goose migration file name"),
                ]),
            ),
        ],
    );
}

#[test]
fn dbmate_sections_and_options() {
    check(
        Tool::Dbmate,
        &[
            (
                &[
                    (
                        "20240105093000_create_users.sql",
                        "-- migrate:up\nCREATE TABLE users (id int);\n\n-- migrate:down\nDROP TABLE users;\n",
                    ),
                    (
                        "20240106093000_index.sql",
                        "-- An index built without locking writes.\n--migrate:up transaction:false\n\
                         CREATE INDEX CONCURRENTLY i ON users (id);\n-- migrate:down\n",
                    ),
                    (
                        "20240107093000.sql",
                        "-- migrate:up\nSELECT 1;\n-- migrate:down transaction:false\nSELECT 2;\n",
                    ),
                ],
                Ok(&[
                    (
                        "20240105093000",
                        "create users",
                        "CREATE TABLE users (id int);\n",
                        Some("DROP TABLE users;\n"),
                        None,
                    ),
                    (
                        "20240106093000",
                        "index",
                        "-- An index built without locking writes.\nCREATE INDEX CONCURRENTLY i ON users (id);\n",
                        Some(""),
                        Some("20240106093000_index.sql:2 says `transaction:false`"),
                    ),
                    (
                        "20240107093000",
                        "",
                        "SELECT 1;\n",
                        Some("SELECT 2;\n"),
                        Some("20240107093000.sql:3 says `transaction:false`"),
                    ),
                ]),
            ),
            (
                &[
                    ("1_no_up.sql", "CREATE TABLE a (id int);\n"),
                    ("2_no_down.sql", "-- migrate:up\nSELECT 1;\n"),
                    ("3_order.sql", "-- migrate:down\n-- migrate:up\n"),
                    (
                        "4_before.sql",
                        "SELECT 0;\n-- migrate:up\n-- migrate:down\n",
                    ),
                    (
                        "5_not_a_directive.sql",
                        "-- migrate:upgrade\n-- migrate:down\n",
                    ),
                    ("schema.sql", ""),
                ],
                Err(&[
                    ("1_no_up.sql", None, "has no `-- migrate:up` line"),
                    ("2_no_down.sql", None, "has no `-- migrate:down` line"),
                    (
                        "3_order.sql",
                        Some(1),
                        "`-- migrate:down` before `-- migrate:up`",
                    ),
                    ("4_before.sql", Some(1), "SQL before `-- migrate:up`"),
                    ("5_not_a_directive.sql", None, "has no `-- migrate:up` line"),
                    ("schema.sql", None, "is not a dbmate migration file name"),
                ]),
            ),
        ],
    );
}

#[test]
fn sqlx_simple_and_reversible_migrations() {
    check(
        Tool::Sqlx,
        &[
            (
                &[
                    ("1_create_users.up.sql", "CREATE TABLE users (id int);\n"),
                    ("1_create_users.down.sql", "DROP TABLE users;\n"),
                    (
                        "2_add_index.sql",
                        "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON users (id);\n",
                    ),
                    // Only the very start of a file is the marker.
                    ("3_seed.sql", "\n-- no-transaction\nSELECT 1;\n"),
                ],
                Ok(&[
                    (
                        "1",
                        "create users",
                        "CREATE TABLE users (id int);\n",
                        Some("DROP TABLE users;\n"),
                        None,
                    ),
                    (
                        "2",
                        "add index",
                        "CREATE INDEX CONCURRENTLY i ON users (id);\n",
                        None,
                        Some("2_add_index.sql starts with `-- no-transaction`"),
                    ),
                    ("3", "seed", "-- no-transaction\nSELECT 1;\n", None, None),
                ]),
            ),
            (
                &[
                    ("1_a.sql", ""),
                    ("1_a.up.sql", ""),
                    ("2_b.down.sql", ""),
                    ("x_c.sql", ""),
                    ("schema.sql", ""),
                ],
                Err(&[
                    (
                        "1_a.up.sql",
                        None,
                        "version 1 is used twice: by 1_a.sql and 1_a.up.sql",
                    ),
                    (
                        "2_b.down.sql",
                        None,
                        "down file of version 2 without its up migration",
                    ),
                    ("schema.sql", None, "is not a sqlx migration file name"),
                    ("x_c.sql", None, "`x` is not a sqlx version"),
                ]),
            ),
        ],
    );
}

#[test]
fn flyway_versions_undo_files_and_refusals() {
    check(
        Tool::Flyway,
        &[
            (
                &[
                    ("V1__Create_users.sql", "CREATE TABLE users (id int);\n"),
                    ("more/V1.10__Seed.sql", "INSERT INTO users VALUES (10);\n"),
                    (
                        "V1_2__Add_index.sql",
                        "CREATE INDEX CONCURRENTLY i ON users (id);\n",
                    ),
                    (
                        "V1_2__Add_index.sql.conf",
                        "# Flyway script config\nexecuteInTransaction = false\n",
                    ),
                    ("U1.2__Add_index.sql", "DROP INDEX i;\n"),
                    ("flyway.conf", ""),
                ],
                Ok(&[
                    (
                        "1",
                        "Create users",
                        "CREATE TABLE users (id int);\n",
                        None,
                        None,
                    ),
                    (
                        "1.2",
                        "Add index",
                        "CREATE INDEX CONCURRENTLY i ON users (id);\n",
                        Some("DROP INDEX i;\n"),
                        Some("V1_2__Add_index.sql.conf says `executeInTransaction=false`"),
                    ),
                    (
                        "1.10",
                        "Seed",
                        "INSERT INTO users VALUES (10);\n",
                        None,
                        None,
                    ),
                ]),
            ),
            (
                &[
                    ("R__Views.sql", ""),
                    ("B5__Baseline.sql", ""),
                    ("afterMigrate.sql", ""),
                    ("V1.a__Bad.sql", ""),
                    (
                        "V2__Owner.sql",
                        "SELECT 1;\nALTER TABLE t OWNER TO ${owner};\n",
                    ),
                    ("V3__A.sql", ""),
                    ("V3.0__B.sql", ""),
                    ("U4__Orphan.sql", ""),
                ],
                Err(&[
                    ("B5__Baseline.sql", None, "is a Flyway baseline migration"),
                    ("R__Views.sql", None, "is a Flyway repeatable migration"),
                    (
                        "U4__Orphan.sql",
                        None,
                        "undo migration (U file) of version 4 without",
                    ),
                    ("V1.a__Bad.sql", None, "`1.a` is not a Flyway version"),
                    ("V2__Owner.sql", Some(2), "Flyway placeholder `${owner}`"),
                    (
                        "V3__A.sql",
                        None,
                        "version 3 is used twice: by V3.0__B.sql and V3__A.sql",
                    ),
                    (
                        "afterMigrate.sql",
                        None,
                        "is not a Flyway migration file name",
                    ),
                ]),
            ),
        ],
    );
}

/// Migrations of these versions, for the history tables.
fn migrations(versions: &[&str], dotted: bool) -> Vec<Migration> {
    versions
        .iter()
        .map(|v| Migration {
            version: Version::parse(v, dotted).unwrap(),
            description: String::new(),
            up: Body {
                file: format!("{v}.sql"),
                section: None,
                sql: String::new(),
            },
            down: None,
            no_transaction: None,
        })
        .collect()
}

/// Rows as the tables write them: `-` for NULL.
fn rows(list: &[&[&str]]) -> Vec<Row> {
    list.iter()
        .map(|row| {
            row.iter()
                .map(|v| (*v != "-").then(|| v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn history_tables_say_how_many_migrations_are_applied() {
    let plain = migrations(&["1", "2", "3"], false);
    let dotted = migrations(&["1", "1.2", "1.10"], true);
    // (tool, rows, how many applied, or the error's message)
    type HistoryCase = (
        Tool,
        &'static [&'static [&'static str]],
        Result<usize, &'static str>,
    );
    let cases: &[HistoryCase] = &[
        (Tool::GolangMigrate, &[], Ok(0)),
        (Tool::GolangMigrate, &[&["2", "f"]], Ok(2)),
        (Tool::GolangMigrate, &[&["3", "false"]], Ok(3)),
        (Tool::GolangMigrate, &[&["-1", "0"]], Ok(0)),
        (
            Tool::GolangMigrate,
            &[&["2", "t"]],
            Err("golang-migrate's schema_migrations says version 2 failed halfway (dirty is true)"),
        ),
        (
            Tool::GolangMigrate,
            &[&["7", "0"]],
            Err("golang-migrate's schema_migrations records a version that the folder lacks: 7"),
        ),
        (
            Tool::GolangMigrate,
            &[&["1", "0"], &["2", "0"]],
            Err("golang-migrate's schema_migrations: row 2: golang-migrate keeps one row"),
        ),
        (
            Tool::GolangMigrate,
            &[&["-", "0"]],
            Err("golang-migrate's schema_migrations: row 1: version is NULL"),
        ),
        (
            Tool::Goose,
            &[&["1", "0", "t"], &["2", "1", "t"], &["3", "2", "t"]],
            Ok(2),
        ),
        // Before goose 3.16 a down added a row; the newest row decides.
        (
            Tool::Goose,
            &[
                &["4", "2", "0"],
                &["1", "0", "1"],
                &["3", "2", "1"],
                &["2", "1", "1"],
            ],
            Ok(1),
        ),
        (
            Tool::Goose,
            &[&["1", "0", "t"], &["2", "3", "t"]],
            Err("goose's goose_db_version records version 3 as applied but not version 1"),
        ),
        (
            Tool::Goose,
            &[&["x", "1", "t"]],
            Err("goose's goose_db_version: row 1: `x` is not an integer"),
        ),
        (
            Tool::Goose,
            &[&["1", "1", "yes"]],
            Err("goose's goose_db_version: row 1: `yes` is neither true nor false"),
        ),
        (Tool::Dbmate, &[&["2"], &["1"]], Ok(2)),
        (
            Tool::Dbmate,
            &[&["1"], &["3"]],
            Err("dbmate's schema_migrations records version 3 as applied but not version 2"),
        ),
        (
            Tool::Dbmate,
            &[&["1"], &["8"], &["9"]],
            Err("dbmate's schema_migrations records versions that the folder lacks: 8, 9"),
        ),
        (
            Tool::Sqlx,
            &[&["1", "t"], &["2", "1"], &["3", "true"]],
            Ok(3),
        ),
        (
            Tool::Sqlx,
            &[&["1", "t"], &["2", "f"]],
            Err("sqlx's _sqlx_migrations says version 2 failed halfway (success is false)"),
        ),
    ];
    let flyway_cases: &[HistoryCase] = &[
        (
            Tool::Flyway,
            &[&["2", "1.2", "SQL", "t"], &["1", "1", "SQL", "t"]],
            Ok(2),
        ),
        // A repeatable migration has no version; Flyway's schema row is
        // its own.
        (
            Tool::Flyway,
            &[
                &["0", "0", "SCHEMA", "t"],
                &["1", "1", "SQL", "t"],
                &["2", "-", "SQL", "t"],
            ],
            Ok(1),
        ),
        // A baseline counts every version up to it, in the folder or not.
        (Tool::Flyway, &[&["1", "1.5", "BASELINE", "t"]], Ok(2)),
        (
            Tool::Flyway,
            &[&["1", "1.2", "BASELINE", "t"], &["2", "1.10", "SQL", "t"]],
            Ok(3),
        ),
        (
            Tool::Flyway,
            &[
                &["1", "1", "SQL", "t"],
                &["2", "1.2", "SQL", "t"],
                &["3", "1.10", "SQL", "t"],
                &["4", "1.10", "UNDO_SQL", "t"],
            ],
            Ok(2),
        ),
        (
            Tool::Flyway,
            &[&["1", "1", "SQL", "t"], &["2", "1.10", "SQL", "t"]],
            Err(
                "flyway's flyway_schema_history records version 1.10 as applied but not version 1.2",
            ),
        ),
        (
            Tool::Flyway,
            &[&["1", "1", "SQL", "t"], &["2", "1.2", "SQL", "f"]],
            Err("flyway's flyway_schema_history says version 1.2 failed halfway"),
        ),
    ];
    for (tool, list, expected) in cases.iter().chain(flyway_cases) {
        let folder = if *tool == Tool::Flyway {
            &dotted
        } else {
            &plain
        };
        let got = history::applied(*tool, &rows(list), folder);
        match (got, expected) {
            (Ok(count), Ok(expected)) => assert_eq!(count, *expected, "{tool} {list:?}"),
            (Err(error), Err(message)) => {
                assert!(
                    error.to_string().starts_with(message),
                    "{tool} {list:?}: {error} (expected {message:?})"
                );
                assert!(!error.hint().is_empty());
            }
            (got, _) => panic!("{tool} {list:?}: expected {expected:?}, got {got:?}"),
        }
    }
    // The hint of a dirty golang-migrate database names its way out.
    let dirty = history::applied(Tool::GolangMigrate, &rows(&[&["2", "t"]]), &plain).unwrap_err();
    assert!(matches!(dirty, HistoryError::Dirty { .. }));
    assert!(dirty.hint().contains("migrate force"), "{}", dirty.hint());
}

#[test]
fn an_import_is_a_line_of_revisions_the_folder_reads_back() {
    let migrations = convert(
        Tool::Goose,
        &files(&[
            (
                "00001_create_users.sql",
                "-- +goose Up\nCREATE TABLE users (id int);\n-- +goose Down\nDROP TABLE users;\n",
            ),
            (
                "00002_add_index.sql",
                "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX i ON users (id);\n",
            ),
        ]),
    )
    .unwrap();
    let existing = [Number::parse("0007").unwrap()];
    let created = "2026-11-21 10:15:00 UTC";
    let drafts = revisions(
        Tool::Goose,
        &migrations,
        Some("0007_base"),
        &existing,
        created,
    );
    let texts: Vec<(&str, &str, &str)> = drafts
        .iter()
        .map(|d| (d.id.as_str(), d.up.as_str(), d.down.as_str()))
        .collect();
    assert_eq!(
        texts,
        [
            (
                "0008_create_users",
                "-- Parents: 0007_base\n-- Message: create users\n-- Created: 2026-11-21 10:15:00 UTC\n\n\
                 -- Imported from goose 00001_create_users.sql (version 00001, its Up section).\n\n\
                 CREATE TABLE users (id int);\n",
                "-- Imported from goose 00001_create_users.sql (version 00001, its Down section).\n\n\
                 DROP TABLE users;\n",
            ),
            (
                "0009_add_index",
                "-- Parents: 0008_create_users\n-- Message: add index\n-- Created: 2026-11-21 10:15:00 UTC\n\
                 -- Transaction: off\n\n\
                 -- Imported from goose 00002_add_index.sql (version 00002, its Up section).\n\n\
                 CREATE INDEX i ON users (id);\n",
                "-- goose 00002_add_index.sql (version 00002) has no `-- +goose Down` section: \
                 nothing undoes this revision.\n",
            ),
        ]
    );

    // The folder reads them as they were meant.
    let reading = crate::source::read_files(drafts.iter().flat_map(|d| {
        [
            (PathBuf::from(format!("v/{}.up.sql", d.id)), d.up.as_bytes()),
            (
                PathBuf::from(format!("v/{}.down.sql", d.id)),
                d.down.as_bytes(),
            ),
        ]
    }));
    assert_eq!(reading.problems, []);
    let read: Vec<(&str, &[String], bool)> = reading
        .revisions
        .iter()
        .map(|r| (r.id.as_str(), r.parents.as_slice(), r.transactional))
        .collect();
    assert_eq!(
        read,
        [
            ("0008_create_users", &["0007_base".to_string()][..], true),
            (
                "0009_add_index",
                &["0008_create_users".to_string()][..],
                false
            ),
        ]
    );
}

#[test]
fn a_migration_without_a_description_is_named_after_its_version() {
    let migrations = convert(Tool::Flyway, &files(&[("V3__.sql", "SELECT 1;\n")])).unwrap();
    let drafts = revisions(Tool::Flyway, &migrations, None, &[], "now");
    assert_eq!(drafts[0].id, "0001_version_3");
    assert!(
        drafts[0]
            .up
            .starts_with("-- Parents:\n-- Message: version 3\n")
    );
}

#[test]
fn a_file_name_cannot_end_the_comment_that_names_it() {
    let migrations = convert(
        Tool::GolangMigrate,
        &files(&[("1_a\nDROP TABLE users;.up.sql", "SELECT 1;\n")]),
    )
    .unwrap();
    let drafts = revisions(Tool::GolangMigrate, &migrations, None, &[], "now");
    assert!(
        drafts[0]
            .up
            .contains("-- Imported from golang-migrate 1_a?DROP TABLE users;.up.sql (version 1)."),
        "{}",
        drafts[0].up
    );
}

#[test]
fn tool_names_read_back() {
    for tool in Tool::ALL {
        assert_eq!(tool.name().parse::<Tool>(), Ok(tool));
    }
    assert!(
        "liquibase"
            .parse::<Tool>()
            .unwrap_err()
            .contains("golang-migrate")
    );
}

#[test]
fn a_folder_is_read_as_the_tool_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    std::fs::create_dir(path("sub")).unwrap();
    std::fs::write(path("1_a.up.sql"), "\u{feff}SELECT 1;\r\n").unwrap();
    std::fs::write(path("sub/V2__b.sql"), "SELECT 2;\n").unwrap();
    std::fs::write(path("notes.txt"), [0xff]).unwrap();
    let names = |tool| {
        read_folder(tool, dir.path())
            .unwrap()
            .into_iter()
            .map(|f| (f.name, f.text))
            .collect::<Vec<_>>()
    };
    // A byte-order mark is not SQL; a file that is not read has no text.
    let top = [
        ("1_a.up.sql".to_string(), "SELECT 1;\r\n".to_string()),
        ("notes.txt".to_string(), String::new()),
    ];
    assert_eq!(names(Tool::GolangMigrate), top);
    // Flyway reads its locations' subfolders, the others do not.
    let mut all = top.to_vec();
    all.push(("sub/V2__b.sql".to_string(), "SELECT 2;\n".to_string()));
    assert_eq!(names(Tool::Flyway), all);

    std::fs::write(path("2_c.up.sql"), b"SELECT 1;\n\xff").unwrap();
    let problems = read_folder(Tool::GolangMigrate, dir.path()).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(
        (problems[0].path.clone(), problems[0].line),
        (path("2_c.up.sql"), Some(2))
    );

    let missing = read_folder(Tool::Goose, &path("missing")).unwrap_err();
    assert!(
        missing[0].message.starts_with("cannot read"),
        "{}",
        missing[0]
    );
}
