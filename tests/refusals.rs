//! A command that refuses changes nothing: no file in the project (no
//! SQLite database, no lock file, no revision file), no table and no row in
//! the database. Read-only commands and runs with nothing to do create
//! nothing either.

#[macro_use]
mod support;

use std::collections::BTreeMap;
use std::path::Path;

use support::{Backend, Project, Run, sqlite_rows};

/// SQLite runs use the embedded default, `sqlite:migrator.db`, as a user
/// without settings would.
const DATABASE: &str = "migrator.db";

fn run(p: &Project, args: &[&str]) -> Run {
    match p.backend {
        Backend::Sqlite => p.run_without_url(args),
        Backend::Postgres | Backend::Mysql => p.run(args),
    }
}

/// What a run could leave behind.
#[derive(Debug, PartialEq, Eq)]
struct Leftovers {
    /// Every file of the project folder by path, with its text; the
    /// database's own files by name only, their bytes are the database's
    /// business.
    files: BTreeMap<String, Option<String>>,
    /// Every table of the database, schema-qualified on PostgreSQL.
    tables: Vec<String>,
    /// Every row of the bookkeeping tables that exist.
    rows: Vec<Vec<String>>,
}

fn leftovers(p: &Project) -> Leftovers {
    let mut files = BTreeMap::new();
    collect_files(p.path(), p.path(), &mut files);
    let (tables, rows) = match p.backend {
        Backend::Sqlite => {
            let path = p.path().join(DATABASE);
            if path.exists() {
                let tables = sqlite_rows(
                    &path,
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                );
                let tables: Vec<String> = tables.into_iter().map(|mut r| r.remove(0)).collect();
                let rows = bookkeeping_rows(&tables, |sql| sqlite_rows(&path, sql));
                (tables, rows)
            } else {
                (Vec::new(), Vec::new())
            }
        }
        Backend::Postgres => {
            let tables: Vec<String> = p
                .query(
                    "SELECT table_schema || '.' || table_name FROM information_schema.tables \
                     WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
                )
                .into_iter()
                .map(|mut row| row.remove(0))
                .collect();
            let names: Vec<String> = tables
                .iter()
                .map(|t| t.rsplit('.').next().unwrap().to_string())
                .collect();
            let rows = bookkeeping_rows(&names, |sql| p.query(sql));
            (tables, rows)
        }
        Backend::Mysql => {
            let tables: Vec<String> = p
                .query(
                    "SELECT table_name FROM information_schema.tables \
                     WHERE table_schema = DATABASE() ORDER BY 1",
                )
                .into_iter()
                .map(|mut row| row.remove(0))
                .collect();
            let rows = bookkeeping_rows(&tables, |sql| p.query(sql));
            (tables, rows)
        }
    };
    Leftovers {
        files,
        tables,
        rows,
    }
}

fn collect_files(root: &Path, dir: &Path, files: &mut BTreeMap<String, Option<String>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_files(root, &path, files);
            continue;
        }
        let name = path.strip_prefix(root).unwrap().display().to_string();
        let text = (!name.starts_with(DATABASE))
            .then(|| String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned());
        files.insert(name, text);
    }
}

fn bookkeeping_rows(
    tables: &[String],
    query: impl Fn(&str) -> Vec<Vec<String>>,
) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for table in ["migrator_revisions", "migrator_log"] {
        if tables.iter().any(|t| t == table) {
            rows.extend(query(&format!("SELECT * FROM {table} ORDER BY seq")));
        }
    }
    rows
}

/// Runs each command, expecting `code`, and checks it left nothing behind.
#[track_caller]
fn leave_nothing(p: &Project, cases: &[(&[&str], i32)]) {
    let before = leftovers(p);
    for (args, code) in cases {
        let run = run(p, args);
        run.failure(*code);
        assert_eq!(
            leftovers(p),
            before,
            "`migrator {}` left something behind\n{}",
            run.args,
            run.stderr
        );
    }
}

/// users <- (email | orders): two heads.
fn two_heads(p: &Project) {
    p.revision(
        "0001_users",
        &[],
        "CREATE TABLE users (id integer);",
        "DROP TABLE users;",
    )
    .revision(
        "0002_email",
        &["0001_users"],
        "ALTER TABLE users ADD COLUMN email text;",
        "ALTER TABLE users DROP COLUMN email;",
    )
    .revision(
        "0002_orders",
        &["0001_users"],
        "CREATE TABLE orders (id integer);",
        "DROP TABLE orders;",
    );
}

/// No database yet: the SQLite file does not exist, the PostgreSQL
/// database has no table.
#[track_caller]
fn no_database(p: &Project) {
    assert!(!p.path().join(DATABASE).exists(), "no {DATABASE}");
    assert!(
        !p.path().join(format!("{DATABASE}.lock")).exists(),
        "no lock file"
    );
    assert_eq!(leftovers(p).tables, Vec::<String>::new(), "no tables");
}

both_backends!(
    fn refusals_on_a_fresh_folder_create_no_database_table_or_file(p: Project) {
        two_heads(&p);
        no_database(&p);
        leave_nothing(
            &p,
            &[
                // Two heads.
                (&["upgrade"], 1),
                (&["stamp", "head"], 1),
                (&["new", "-m", "next"], 1),
                // Unknown revisions and bad targets.
                (&["upgrade", "0009_nope"], 1),
                (&["upgrade", "+1", "0009"], 2),
                (&["upgrade", "-1"], 2),
                (&["downgrade", "0009_nope"], 1),
                (&["stamp", "0009_nope"], 1),
                (&["show", "0009_nope"], 1),
                (&["history", "-r", "0009_nope:"], 1),
                (&["history", "-r", "nope"], 2),
                // Not applied, not a head, nothing to merge or repair.
                (&["show", "0001", "--applied"], 1),
                (&["repair", "0001", "--yes"], 1),
                (&["merge", "0001"], 1),
                (&["merge", "0002_email"], 1),
                (&["rebase", "0002_email", "--onto", "0001"], 1),
                (&["upgrade", "--format", "json", "0009_nope"], 1),
                // Read-only, or nothing to do: nothing to create.
                (&["status"], 0),
                (&["status", "--check"], 1),
                (&["current"], 0),
                (&["log"], 0),
                (&["history", "-v"], 0),
                (&["history", "--graph"], 0),
                (&["show", "0001"], 0),
                (&["verify"], 1),
                (&["merge", "--check"], 0),
                (&["upgrade", "heads", "--sql"], 0),
                (&["upgrade", "heads", "--dry-run"], 0),
                (&["downgrade", "base"], 0),
                (&["repair", "--all", "--yes"], 0),
                (
                    &["rebase", "0002_email", "--onto", "0002_orders", "--dry-run"],
                    0,
                ),
            ],
        );

        // A header the folder check refuses.
        p.file(
            "versions/0003_bad.up.sql",
            "-- Parent: 0002_email\nCREATE TABLE bad (id integer);\n",
        )
        .file("versions/0003_bad.down.sql", "DROP TABLE bad;\n");
        leave_nothing(
            &p,
            &[
                (&["upgrade"], 1),
                (&["upgrade", "heads"], 1),
                (&["upgrade", "heads", "--sql"], 1),
                (&["downgrade", "base"], 1),
                (&["stamp", "heads"], 1),
                (&["repair", "--all", "--yes"], 1),
                (&["new", "-m", "next", "--parent", "0002_email"], 1),
                (&["merge"], 1),
                (&["status"], 1),
                (&["verify"], 1),
            ],
        );
        no_database(&p);
    }
);

both_backends!(
    fn refusals_of_a_drifted_database_write_no_row_or_file(p: Project) {
        two_heads(&p);
        run(&p, &["upgrade", "heads"]).success();
        let up = p.path().join("versions/0001_users.up.sql");
        let text = std::fs::read_to_string(&up).unwrap();
        std::fs::write(&up, text.replace("id integer", "id bigint")).unwrap();
        p.revision(
            "0003_email_index",
            &["0002_email"],
            "CREATE INDEX users_email ON users (email);",
            "DROP INDEX users_email;",
        );
        let before = leftovers(&p);
        assert_eq!(before.rows.len(), 6, "three revisions and three log rows");
        leave_nothing(
            &p,
            &[
                (&["upgrade", "heads"], 1),
                (&["upgrade", "0003"], 1),
                (&["upgrade", "heads", "--sql"], 1),
                (&["downgrade", "base"], 1),
                (&["downgrade", "-1"], 1),
                (&["rebase", "0002_email", "--onto", "0002_orders"], 1),
                (&["repair", "0002_email", "--yes"], 1),
                (&["status", "--check"], 1),
                (&["verify"], 1),
            ],
        );
        // The refusals read the database: the next run still completes.
        run(&p, &["upgrade", "heads", "--allow-drift"]).success();
        assert_ne!(leftovers(&p).rows, before.rows);
    }
);
