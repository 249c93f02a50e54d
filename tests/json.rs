//! `--format json`: every command prints exactly one JSON document on
//! stdout, an object, on success and on refusal; and the documents are the
//! ones docs/json.md shows, key for key, on each backend.
//!
//! docs/json.md's examples are this file's session, run on the sample
//! versions/ folder: `MIGRATOR_BLESS=1 cargo test --test json` writes them
//! anew after a deliberate change of a document (then review the diff).

#[macro_use]
mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::{Backend, Project, Run};

/// The one JSON document of a run's stdout, which must be an object.
#[track_caller]
fn document(run: &Run) -> serde_json::Map<String, Value> {
    // from_str refuses anything after the first document but white space.
    let value: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "`migrator {}` did not print one JSON document ({e}):\n--- stdout\n{}--- stderr\n{}",
            run.args, run.stdout, run.stderr
        )
    });
    match value {
        Value::Object(object) => object,
        other => panic!("`migrator {}` printed {other}, not an object", run.args),
    }
}

/// Asserts a refusal: a non-zero exit and `{"error": DIAGNOSTIC}`.
#[track_caller]
fn refusal(run: &Run) {
    assert!(
        matches!(run.code, Some(1 | 2)),
        "`migrator {}` should refuse: exit {:?}\n{}",
        run.args,
        run.code,
        run.stderr
    );
    let document = document(run);
    let keys: Vec<&str> = document.keys().map(String::as_str).collect();
    assert_eq!(keys, ["error"], "`migrator {}`", run.args);
    let error = &document["error"];
    for key in ["kind", "message", "level"] {
        assert!(error[key].is_string(), "`migrator {}`: {key}", run.args);
    }
    assert!(!run.stderr.is_empty(), "the error is said on stderr too");
}

/// The project of a story: the sample versions/ folder of this repository.
fn sample(p: &Project) {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("versions");
    for entry in std::fs::read_dir(samples).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap();
        p.file(
            &format!("versions/{name}"),
            &std::fs::read_to_string(&path).unwrap(),
        );
    }
}

/// The project's database: SQLite's is the embedded default, so the
/// documents say `sqlite:migrator.db` as a user's would. A command line
/// that names it (`import` reads a database only when told to) names the
/// PostgreSQL one there.
fn run(p: &Project, args: &[&str]) -> Run {
    let mut args: Vec<&str> = args.iter().copied().chain(["--format", "json"]).collect();
    match p.backend {
        Backend::Sqlite => p.run_without_url(&args),
        Backend::Postgres | Backend::Mysql => {
            match args.iter().position(|arg| *arg == "--database-url") {
                Some(option) => {
                    args[option + 1] = p.url();
                    p.run_without_url(&args)
                }
                None => p.run(&args),
            }
        }
    }
}

/// Runs statements on the database the session's commands use.
fn execute(p: &Project, sql: &str) {
    match p.backend {
        Backend::Sqlite => rusqlite::Connection::open(p.path().join("migrator.db"))
            .and_then(|connection| connection.execute_batch(sql))
            .unwrap(),
        Backend::Postgres | Backend::Mysql => p.execute(sql),
    }
}

/// The table golang-migrate keeps, with the version it applied last.
fn golang_migrate_history(p: &Project, version: Option<u32>) {
    let mut sql = "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, \
                   dirty boolean NOT NULL);"
        .to_string();
    if let Some(version) = version {
        sql.push_str(&format!(
            "INSERT INTO schema_migrations VALUES ({version}, false);"
        ));
    }
    execute(p, &sql);
}

both_backends!(
    fn every_command_prints_one_json_object_on_success_and_on_refusal(p: Project) {
        // (arguments, expected exit: 0 a result, 1 a finding, None a refusal)
        // No versions folder yet: every command but init and new refuses.
        let fresh: &[(&[&str], Option<i32>)] = &[
            (&["heads"], None),
            (&["branches"], None),
            (&["history"], None),
            (&["show", "0001"], None),
            (&["status"], None),
            (&["current"], None),
            (&["log"], None),
            (&["upgrade"], None),
            (&["verify"], Some(1)),
            (&["verify", "--scratch-url", "sqlite::memory:"], None),
            (&["init", "--dir", "taken"], None),
            (&["revision"], None),
            (&["init"], Some(0)),
            (&["init"], Some(0)),
            (&["new", "-m", "Create users", "--parent", "0009"], None),
            (&["new", "-m", "Create users"], Some(0)),
            (&["revision", "-m", "Create orders"], Some(0)),
            (&["completions", "bash"], Some(0)),
            (&["completions", "tcsh"], None),
            (&["man"], Some(0)),
            (&["man", "--out", "man1"], Some(0)),
            (&["man", "--out", "taken"], None),
        ];
        let steps: &[(&[&str], Option<i32>)] = &[
            (&["heads"], Some(0)),
            (&["branches"], Some(0)),
            (&["history"], Some(0)),
            (&["history", "-v"], Some(0)),
            (&["history", "--graph"], Some(0)),
            (&["history", "-r", "0002:"], Some(0)),
            (&["history", "-r", "0002"], None),
            (&["history", "-r", "0009:"], None),
            (&["show", "0001"], Some(0)),
            (&["show", "0009"], None),
            (&["show", "0001", "--applied"], None),
            (&["status"], Some(0)),
            (&["status", "--check"], Some(1)),
            (&["current"], Some(0)),
            (&["log"], Some(0)),
            (&["verify"], Some(0)),
            (&["upgrade", "--dry-run"], Some(0)),
            (&["upgrade", "--sql"], Some(0)),
            (&["upgrade", "0009"], None),
            (&["upgrade", "-1"], None),
            (&["upgrade", "--no-such-option"], None),
            (&["upgrade", "+1"], Some(0)),
            (&["upgrade"], Some(0)),
            (&["upgrade"], Some(0)),
            (&["dump", "--output", "-"], Some(0)),
            (&["dump", "--output", "schema.sql"], Some(0)),
            (&["dump", "--output", "versions"], None),
            (&["show", "0001", "--applied"], Some(0)),
            (&["downgrade", "0001", "--dry-run"], Some(0)),
            (&["downgrade", "0001", "--sql"], Some(0)),
            (&["downgrade"], None),
            (&["downgrade", "0001"], Some(0)),
            (&["stamp", "0009"], None),
            (&["stamp", "head"], Some(0)),
            (&["repair", "--all"], Some(0)),
            (&["repair", "0001"], None),
            (&["repair"], None),
            (&["merge"], None),
            (&["merge", "--check"], None),
            (&["rebase", "0002", "--onto", "0001"], None),
            (&["no-such-command"], None),
        ];
        let two_heads: &[(&[&str], Option<i32>)] = &[
            (&["upgrade"], None),
            (&["new", "-m", "next"], None),
            (&["heads"], Some(0)),
            (&["branches"], Some(0)),
            (&["verify"], Some(1)),
            (&["merge", "--check"], Some(0)),
            (
                &["rebase", "0003_add_tags", "--onto", "0002", "--dry-run"],
                Some(0),
            ),
            (&["rebase", "0003_add_tags", "--onto", "0002"], Some(0)),
            (&["new", "-m", "Add notes", "--parent", "0002"], Some(0)),
            (&["squash", "0001", "-m", "too early"], None),
            (&["merge"], Some(0)),
            (&["repair", "--all", "--yes"], Some(0)),
            (&["upgrade"], Some(0)),
            (&["squash", "0002", "-m", "squash to orders"], Some(0)),
            (&["upgrade"], Some(0)),
        ];
        let mut covered = BTreeSet::new();
        let mut check = |args: &[&str], expected: Option<i32>| {
            let run = run(&p, args);
            match expected {
                Some(code) => {
                    run.failure(code);
                    let document = document(&run);
                    assert!(
                        !document.contains_key("error"),
                        "`migrator {}`: {}",
                        run.args,
                        run.stdout
                    );
                }
                None => refusal(&run),
            }
            covered.insert((args[0].to_string(), expected.is_some()));
        };
        p.file("taken", "a file where init is asked for a folder");
        for (args, expected) in fresh {
            check(args, *expected);
        }
        for (args, expected) in steps {
            check(args, *expected);
        }
        // A second head, and an applied file edited since.
        p.revision("0003_add_tags", &["0001_create_users"], "", "");
        let up = p.path().join("versions/0001_create_users.up.sql");
        let text = std::fs::read_to_string(&up).unwrap();
        std::fs::write(&up, format!("{text}-- reviewed\n")).unwrap();
        for (args, expected) in two_heads {
            check(args, *expected);
        }
        // Another tool's folder, imported into a folder of its own. The
        // database is read only when named, as on PostgreSQL here.
        p.file(
            "gm/1_create_audit_log.up.sql",
            "CREATE TABLE audit_log (id integer);\n",
        );
        golang_migrate_history(&p, None);
        check(
            &[
                "import",
                "--from",
                "golang-migrate",
                "gm",
                "--dir",
                "imported",
            ],
            Some(0),
        );
        check(&["import", "--from", "golang-migrate", "nowhere"], None);

        for command in support::commands(&p) {
            for succeeds in [true, false] {
                assert!(
                    covered.contains(&(command.clone(), succeeds)),
                    "no JSON story for `migrator {command}` {}",
                    if succeeds { "succeeding" } else { "refusing" }
                );
            }
        }
    }
);

/// One step of the session that docs/json.md shows.
enum Step {
    /// `migrator ARGS --format json`, its exit status, and whether
    /// docs/json.md shows its document.
    Run(&'static [&'static str], i32, bool),
    /// A change to the project between runs.
    Edit(fn(&Project)),
}

use Step::{Edit, Run as Cmd};

/// The session of docs/json.md, on the sample versions/ folder.
const SESSION: &[Step] = &[
    Cmd(&["init"], 0, true),
    Cmd(&["heads"], 0, true),
    Cmd(&["branches"], 0, true),
    Cmd(&["upgrade", "0002", "--dry-run"], 0, true),
    Cmd(&["upgrade", "+1", "--sql"], 0, true),
    Cmd(&["upgrade", "0002"], 0, true),
    Cmd(&["upgrade", "0006"], 0, false),
    Cmd(&["current"], 0, true),
    Cmd(&["status"], 0, true),
    Cmd(&["history", "-r", "0005:"], 0, true),
    Cmd(&["history", "-r", "0005:", "--graph"], 0, true),
    Cmd(&["show", "0007"], 0, true),
    Cmd(&["show", "0006", "--applied"], 0, true),
    Cmd(&["log"], 0, true),
    Cmd(&["stamp", "0007"], 0, true),
    Cmd(&["stamp", "0006"], 0, false),
    Cmd(&["verify"], 0, true),
    Cmd(&["dump", "--output", "schema.sql"], 0, true),
    Edit(|p| {
        let up = p.path().join("versions/0002_create_products.up.sql");
        let text = std::fs::read_to_string(&up).unwrap();
        std::fs::write(&up, text.replace("price_cents >= 0", "price_cents > 0")).unwrap();
    }),
    Cmd(&["verify"], 1, true),
    Cmd(&["upgrade"], 1, true),
    Cmd(&["repair", "0002", "--yes"], 0, true),
    Cmd(&["new", "-m", "Add order notes"], 0, true),
    Cmd(
        &["new", "-m", "Add order priority", "--parent", "0007"],
        0,
        false,
    ),
    Edit(|p| {
        for (id, sql) in [
            (
                "0008_add_order_notes",
                "ALTER TABLE orders ADD COLUMN notes text;\n",
            ),
            (
                "0009_add_order_priority",
                "ALTER TABLE orders ADD COLUMN priority integer NOT NULL DEFAULT 0;\n",
            ),
        ] {
            let up = p.path().join(format!("versions/{id}.up.sql"));
            let text = std::fs::read_to_string(&up).unwrap();
            std::fs::write(&up, format!("{text}{sql}")).unwrap();
        }
    }),
    Cmd(&["merge", "--check"], 1, true),
    Cmd(&["rebase", "0009", "--onto", "0008", "--dry-run"], 0, true),
    Cmd(&["merge"], 0, true),
    Cmd(&["downgrade", "0005"], 0, true),
    Cmd(&["show", "0099"], 1, true),
    // A squash of the sample folder, on a database part-way through it
    // (the downgrade above), and a repeatable revision.
    Cmd(&["squash", "0007", "-m", "squash to shipped at"], 0, true),
    Cmd(&["upgrade", "--dry-run"], 0, true),
    Edit(|p| {
        p.file(
            "versions/0012_user_directory.up.sql",
            "-- Parents: 0001_create_users\n-- Message: user directory\n-- Repeatable: yes\n\n\
             DROP VIEW IF EXISTS user_directory;\n\
             CREATE VIEW user_directory AS SELECT id FROM users;\n",
        )
        .file(
            "versions/0012_user_directory.down.sql",
            "DROP VIEW user_directory;\n",
        );
    }),
    Cmd(&["upgrade"], 0, true),
    Edit(|p| {
        let up = p.path().join("versions/0012_user_directory.up.sql");
        let text = std::fs::read_to_string(&up).unwrap();
        std::fs::write(&up, text.replace("SELECT id", "SELECT id, email")).unwrap();
    }),
    Cmd(&["status"], 0, true),
    Cmd(&["upgrade"], 0, false),
    Edit(|p| {
        p.file(
            "db/migrations/000001_create_audit_log.up.sql",
            "CREATE TABLE audit_log (id integer PRIMARY KEY, event text NOT NULL);\n",
        )
        .file(
            "db/migrations/000001_create_audit_log.down.sql",
            "DROP TABLE audit_log;\n",
        )
        .file(
            "db/migrations/000002_index_audit_log.up.sql",
            "BEGIN;\nCREATE INDEX audit_log_event ON audit_log (event);\nCOMMIT;\n",
        )
        .file(
            "db/migrations/000002_index_audit_log.down.sql",
            "DROP INDEX audit_log_event;\n",
        )
        .file(
            "db/migrations/000003_add_audit_log_time.up.sql",
            "ALTER TABLE audit_log ADD COLUMN at text;\n",
        );
        golang_migrate_history(p, Some(2));
    }),
    Cmd(
        &[
            "import",
            "--from",
            "golang-migrate",
            "db/migrations",
            "--dir",
            "audit",
            "--database-url",
            "sqlite:migrator.db",
        ],
        0,
        true,
    ),
];

/// The command line docs/json.md shows for a step.
fn command_line(args: &[&str]) -> String {
    let quoted: Vec<String> = args
        .iter()
        .map(|arg| {
            if arg.contains(' ') {
                format!("\"{arg}\"")
            } else {
                arg.to_string()
            }
        })
        .collect();
    format!("migrator {} --format json", quoted.join(" "))
}

/// The examples of docs/json.md: each `$ migrator …` line of a `console`
/// block, the `json` block after it, and that block's lines in the file.
fn examples(doc: &str) -> Vec<(String, String, std::ops::Range<usize>)> {
    let lines: Vec<&str> = doc.lines().collect();
    let mut examples = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i] == "```console"
            && let Some(command) = lines.get(i + 1).and_then(|l| l.strip_prefix("$ "))
            && lines.get(i + 2) == Some(&"```")
            && lines.get(i + 3) == Some(&"```json")
        {
            let start = i + 4;
            let end = start
                + lines[start..]
                    .iter()
                    .position(|l| *l == "```")
                    .expect("a json block ends");
            examples.push((
                command.to_string(),
                lines[start..end].join("\n"),
                start..end,
            ));
            i = end;
        }
        i += 1;
    }
    examples
}

/// What may differ between two runs of the session: times, durations,
/// checksums of the files `new` and `merge` write (they hold the time),
/// who ran it, the database's name, and on PostgreSQL its own SQL.
struct Volatile {
    location: Option<String>,
    user: String,
    backend: Backend,
}

/// The operator the documents show in place of the one who ran them.
const DOC_USER: &str = "alice@laptop";

/// The database of the documents: the embedded default.
const DOC_DATABASE: &str = "sqlite:migrator.db";

impl Volatile {
    fn normalize(&self, value: &Value) -> Value {
        self.normalize_at(None, value)
    }

    fn normalize_at(&self, key: Option<&str>, value: &Value) -> Value {
        let placeholder = |text: &str| Value::String(text.to_string());
        match (key, value) {
            (_, Value::Object(object)) => {
                let sql_step = object.contains_key("file") && object.contains_key("sql");
                Value::Object(
                    object
                        .iter()
                        .map(|(k, v)| {
                            let backend_sql = self.backend != Backend::Sqlite
                                && (k == "preamble" || (sql_step && k == "sql"));
                            let v = if backend_sql {
                                placeholder("<sql>")
                            } else {
                                self.normalize_at(Some(k), v)
                            };
                            (k.clone(), v)
                        })
                        .collect(),
                )
            }
            (_, Value::Array(items)) => {
                Value::Array(items.iter().map(|v| self.normalize_at(key, v)).collect())
            }
            (Some("applied_at" | "at" | "created"), Value::String(_)) => placeholder("<time>"),
            (Some(k), Value::Number(_)) if k.ends_with("_ms") => placeholder("<ms>"),
            (Some("applied_by" | "os_user"), _) => placeholder("<user>"),
            (Some("db_user" | "database_user"), _) => placeholder("<database user>"),
            (Some(_), Value::String(text))
                if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                placeholder("<checksum>")
            }
            (_, Value::String(text)) => {
                let mut text = text
                    .replace(&self.user, "<user>")
                    .replace(DOC_USER, "<user>")
                    .replace(DOC_DATABASE, "<database>");
                if let Some(location) = &self.location {
                    text = text.replace(location.as_str(), "<database>");
                }
                Value::String(text)
            }
            (_, other) => other.clone(),
        }
    }
}

fn docs_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/json.md")
}

/// Every key of every revision object (one with an `up_checksum`) in a
/// document, as one set per revision.
fn revision_key_sets(value: &Value, sets: &mut Vec<BTreeSet<String>>) {
    match value {
        Value::Object(object) => {
            if object.contains_key("up_checksum") {
                sets.push(object.keys().cloned().collect());
            }
            object.values().for_each(|v| revision_key_sets(v, sets));
        }
        Value::Array(items) => items.iter().for_each(|v| revision_key_sets(v, sets)),
        _ => {}
    }
}

both_backends!(
    fn the_documents_are_the_ones_docs_json_md_shows(p: Project) {
        sample(&p);
        let bless = p.backend == Backend::Sqlite && std::env::var_os("MIGRATOR_BLESS").is_some();
        let doc = std::fs::read_to_string(docs_path()).expect("docs/json.md");
        let examples = examples(&doc);
        let mut volatile = Volatile {
            location: None,
            user: migrator::record::operator::os_user(),
            backend: p.backend,
        };
        let mut blessed: Vec<(std::ops::Range<usize>, String)> = Vec::new();
        let mut shown: Vec<String> = Vec::new();
        let mut revision_keys = Vec::new();
        for step in SESSION {
            let (args, code, documented) = match step {
                Edit(edit) => {
                    edit(&p);
                    continue;
                }
                Cmd(args, code, documented) => (*args, *code, *documented),
            };
            let run = run(&p, args);
            run.failure(code);
            let actual = Value::Object(document(&run));
            revision_key_sets(&actual, &mut revision_keys);
            if volatile.location.is_none()
                && let Some(database) = actual["database"].as_str()
            {
                volatile.location = Some(database.to_string());
            }
            if !documented {
                continue;
            }
            let line = command_line(args);
            // The same command line twice (verify before and after an
            // edit) is shown twice, in order.
            let nth = shown.iter().filter(|shown| **shown == line).count();
            shown.push(line.clone());
            let Some((_, expected, lines)) =
                examples.iter().filter(|(c, _, _)| *c == line).nth(nth)
            else {
                panic!(
                    "docs/json.md has no example of `{line}` (number {})",
                    nth + 1
                );
            };
            if bless {
                let text = run.stdout.trim_end().replace(&volatile.user, DOC_USER);
                blessed.push((lines.clone(), text));
                continue;
            }
            let expected: Value = serde_json::from_str(expected)
                .unwrap_or_else(|e| panic!("docs/json.md: the example of `{line}`: {e}"));
            assert_eq!(
                volatile.normalize(&actual),
                volatile.normalize(&expected),
                "`{line}` prints another document than docs/json.md shows\n--- printed\n{}",
                run.stdout
            );
        }
        let mut listed: Vec<&String> = examples.iter().map(|(command, _, _)| command).collect();
        let mut ran: Vec<&String> = shown.iter().collect();
        listed.sort();
        ran.sort();
        assert_eq!(
            listed, ran,
            "docs/json.md shows other commands than the session runs"
        );

        // A revision looks the same in every document.
        let first = revision_keys
            .first()
            .expect("documents with revisions")
            .clone();
        assert!(first.contains("applied") && first.contains("down_file"));
        for keys in &revision_keys {
            assert_eq!(keys, &first, "a revision with other keys");
        }

        if bless {
            let mut lines: Vec<String> = doc.lines().map(String::from).collect();
            blessed.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
            for (range, text) in blessed {
                lines.splice(range, text.lines().map(String::from));
            }
            std::fs::write(docs_path(), lines.join("\n") + "\n").unwrap();
        }
    }
);
