//! `migrator import`: each tool's folder (tests/fixtures/import/TOOL/migrations,
//! in that tool's own format) becomes revisions that a fresh database
//! applies; on a database the tool migrated (its tables and history, as
//! the dumps in tests/fixtures/import hold them), the import stamps what
//! the tool applied and `upgrade` has nothing left to do. And every refusal
//! leaves no file and no record behind.

#[macro_use]
mod support;

use std::path::PathBuf;

use support::{Backend, Project};

/// The ids every fixture folder becomes: the three migrations make one
/// schema, whichever tool wrote them.
const IDS: [&str; 3] = [
    "0001_create_users",
    "0002_add_email_to_users",
    "0003_create_notes",
];

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(path)
}

fn migrations(tool: &str) -> String {
    fixture(&format!("{tool}/migrations")).display().to_string()
}

fn backend(p: &Project) -> &'static str {
    match p.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
        // The fixtures are each tool's folder and what it leaves in a SQLite
        // and a PostgreSQL database (dumps of real runs where the tool
        // installs); MariaDB ones are not written yet, and the tools'
        // folders hold SQL that MySQL refuses (`DROP INDEX` without its
        // table).
        Backend::Mysql => unreachable!("import's stories run on SQLite and PostgreSQL"),
    }
}

/// The database as `tool` left it after applying its fixture folder: the
/// tables, and the tool's history table.
fn migrated_by(p: &Project, tool: &str) {
    load(p, &format!("schema.{}.sql", backend(p)));
    history_of(p, tool);
}

/// Only `tool`'s history table, as it is after the fixture folder.
fn history_of(p: &Project, tool: &str) {
    load(p, &format!("{tool}/history.{}.sql", backend(p)));
}

fn load(p: &Project, dump: &str) {
    p.execute(&std::fs::read_to_string(fixture(dump)).unwrap());
}

/// Takes the last migration back as `tool` would: its down SQL, and what
/// the tool writes in its history.
fn roll_back_last(p: &Project, tool: &str) {
    p.execute("DROP TABLE notes; DELETE FROM users WHERE id = 1;");
    p.execute(match tool {
        "golang-migrate" => "UPDATE schema_migrations SET version = 2",
        // goose before 3.16 added a row; later ones delete it.
        "goose" => "INSERT INTO goose_db_version (version_id, is_applied) VALUES (3, false)",
        "dbmate" => "DELETE FROM schema_migrations WHERE version = '20240107093000'",
        "sqlx" => "DELETE FROM _sqlx_migrations WHERE version = 20240107093000",
        "flyway" => {
            "INSERT INTO flyway_schema_history (installed_rank, version, description, type, \
             script, checksum, installed_by, execution_time, success) VALUES (4, '1.10', \
             'Create notes', 'UNDO_SQL', 'notes/U1.10__Create_notes.sql', 1, '', 1, true)"
        }
        other => panic!("no such tool: {other}"),
    });
}

/// The `import` of `tool`'s fixture folder, with this project's database.
fn import(p: &Project, tool: &str) -> support::Run {
    p.run(&["import", "--from", tool, &migrations(tool)])
}

/// The files of the versions folder, sorted.
fn written(p: &Project) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(p.path().join("versions")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|id| id.to_string()).collect()
}

/// Runs a story once per tool, on both backends:
/// `story::golang_migrate::sqlite`, …, `story::flyway::postgres`.
macro_rules! every_tool {
    ($story:ident) => {
        mod $story {
            sqlite_and_postgres!(
                fn golang_migrate(p: Project) {
                    crate::$story(&p, "golang-migrate")
                }
            );
            sqlite_and_postgres!(
                fn goose(p: Project) {
                    crate::$story(&p, "goose")
                }
            );
            sqlite_and_postgres!(
                fn dbmate(p: Project) {
                    crate::$story(&p, "dbmate")
                }
            );
            sqlite_and_postgres!(
                fn sqlx(p: Project) {
                    crate::$story(&p, "sqlx")
                }
            );
            sqlite_and_postgres!(
                fn flyway(p: Project) {
                    crate::$story(&p, "flyway")
                }
            );
        }
    };
}

every_tool!(a_fresh_database_applies_the_imported_revisions);
every_tool!(a_database_the_tool_migrated_is_up_to_date_after_the_import);
every_tool!(the_stamp_is_what_the_tool_applied);

fn a_fresh_database_applies_the_imported_revisions(p: &Project, tool: &str) {
    p.run_without_url(&["import", "--from", tool, &migrations(tool)])
        .success()
        .stdout_has(&format!("imported 3 {tool} migrations from"))
        .stdout_lacks("stamped");
    let mut files: Vec<String> = IDS
        .iter()
        .flat_map(|id| [format!("{id}.down.sql"), format!("{id}.up.sql")])
        .collect();
    files.sort();
    assert_eq!(written(p), files);
    // Each tool's way of saying "no transaction" became the header's.
    let up =
        |id: &str| std::fs::read_to_string(p.path().join(format!("versions/{id}.up.sql"))).unwrap();
    assert!(
        up(IDS[1]).contains("\n-- Transaction: off\n"),
        "{}",
        up(IDS[1])
    );
    assert!(!up(IDS[2]).contains("-- Transaction: off"));
    p.run_without_url(&["verify"]).success();

    p.run(&["upgrade"])
        .success()
        .stdout_has("applied 3 revisions");
    assert_eq!(p.applied(), ids(&IDS));
    // The note's text kept the semicolon that ends a line inside it.
    assert_eq!(
        p.query("SELECT body FROM notes"),
        [["Welcome;\nnotes keep their line breaks"]]
    );
    p.run(&["status", "--check"])
        .success()
        .stdout_has("up to date");

    // The last revision's down is the tool's.
    p.run(&["downgrade", "-1"]).success();
    assert!(!p.has_table("notes"));
    assert_eq!(p.query("SELECT count(*) FROM users"), [["0"]]);
    p.run(&["upgrade"])
        .success()
        .stdout_has("applied 1 revision");
}

fn a_database_the_tool_migrated_is_up_to_date_after_the_import(p: &Project, tool: &str) {
    migrated_by(p, tool);
    import(p, tool)
        .success()
        .stdout_has("stamped 0003_create_notes in")
        .stdout_has("3 revisions recorded as applied");
    assert_eq!(p.applied(), ids(&IDS));
    assert_eq!(
        p.query("SELECT event, revision FROM migrator_log ORDER BY seq"),
        IDS.map(|id| ["stamp".to_string(), id.to_string()])
    );
    p.run(&["upgrade"])
        .success()
        .stdout_has("nothing to do: the database is already at head");
    p.run(&["status", "--check"])
        .success()
        .stdout_has("up to date");

    // The records say what the schema is: the last revision's down and up
    // run on the tables the tool made.
    p.run(&["downgrade", "-1"]).success();
    assert!(!p.has_table("notes"));
    p.run(&["upgrade"])
        .success()
        .stdout_has("applied 1 revision");
}

fn the_stamp_is_what_the_tool_applied(p: &Project, tool: &str) {
    migrated_by(p, tool);
    roll_back_last(p, tool);
    import(p, tool)
        .success()
        .stdout_has("stamped 0002_add_email_to_users in")
        .stdout_has("2 revisions recorded as applied");
    assert_eq!(p.applied(), ids(&IDS[..2]));
    p.run(&["upgrade"])
        .success()
        .stdout_has("applied  0003_create_notes")
        .stdout_has("applied 1 revision");
    assert_eq!(p.query("SELECT count(*) FROM notes"), [["1"]]);
    p.run(&["status", "--check"]).success();
}

/// A refused import: exit 1, the message, and nothing written anywhere.
fn refused(p: &Project, run: &support::Run, message: &str) {
    run.failure(1).stderr_has(message);
    assert_eq!(written(p), Vec::<String>::new(), "{}", run.stderr);
    assert!(!p.has_table("migrator_revisions"), "{}", run.stderr);
}

sqlite_and_postgres!(
    fn a_history_that_cannot_be_stamped_is_refused_before_anything_is_written(p: Project) {
        migrated_by(&p, "golang-migrate");
        p.execute("UPDATE schema_migrations SET dirty = true");
        let run = import(&p, "golang-migrate");
        refused(
            &p,
            &run,
            "golang-migrate's schema_migrations says version 3 failed halfway",
        );
        run.stderr_has("migrate force");

        p.execute("UPDATE schema_migrations SET dirty = false, version = 4");
        let run = import(&p, "golang-migrate");
        refused(
            &p,
            &run,
            "golang-migrate's schema_migrations records a version that the folder lacks: 4",
        );

        // dbmate's table has the same name and another shape.
        let run = import(&p, "dbmate");
        refused(
            &p,
            &run,
            "dbmate's schema_migrations records a version that the folder lacks: 4",
        );
        let run = import(&p, "goose");
        refused(
            &p,
            &run,
            "has no goose_db_version table: goose has not migrated it",
        );
    }
);

sqlite_and_postgres!(
    fn histories_out_of_order_or_failed_are_refused(p: Project) {
        migrated_by(&p, "goose");
        p.execute("DELETE FROM goose_db_version WHERE version_id = 2");
        let run = import(&p, "goose");
        refused(
            &p,
            &run,
            "goose's goose_db_version records version 00003 as applied but not version 00002",
        );

        history_of(&p, "sqlx");
        p.execute("UPDATE _sqlx_migrations SET success = false WHERE version = 20240107093000");
        let run = import(&p, "sqlx");
        refused(
            &p,
            &run,
            "version 20240107093000 failed halfway (success is false)",
        );
    }
);

sqlite_and_postgres!(
    fn a_table_of_another_tool_is_not_read_as_this_one(p: Project) {
        migrated_by(&p, "dbmate");
        let run = import(&p, "golang-migrate");
        refused(
            &p,
            &run,
            "cannot read schema_migrations as golang-migrate writes it",
        );
        run.stderr_has("Check --from");
    }
);

sqlite_and_postgres!(
    fn a_problem_in_any_source_file_refuses_the_whole_import(p: Project) {
        migrated_by(&p, "goose");
        for entry in std::fs::read_dir(fixture("goose/migrations")).unwrap() {
            let entry = entry.unwrap();
            std::fs::create_dir_all(p.path().join("goose")).unwrap();
            std::fs::copy(entry.path(), p.path().join("goose").join(entry.file_name())).unwrap();
        }
        p.file("goose/00004_backfill.go", "package migrations\n")
            .file(
                "goose/00005_index.sql",
                "-- +goose Up\n-- +goose NO-TRANSACTION\nCREATE INDEX users_name ON users (name);\n",
            );
        let run = p.run(&["import", "--from", "goose", "goose"]);
        refused(&p, &run, "2 problems in goose");
        run.stderr_has("goose/00004_backfill.go: is a goose migration written in Go")
            .stderr_has(
                "goose/00005_index.sql:2: unknown goose annotation `+goose NO-TRANSACTION`",
            );
    }
);

sqlite_and_postgres!(
    fn an_import_follows_the_revisions_already_in_the_folder(p: Project) {
        p.revision(
            "0001_create_settings",
            &[],
            "CREATE TABLE settings (key text);",
            "DROP TABLE settings;",
        );
        migrated_by(&p, "sqlx");
        // Stamping the import would record 0001 as applied, which it is not.
        import(&p, "sqlx")
            .failure(1)
            .stderr_has("stamping 0004_create_notes would also change the records of revisions")
            .stderr_has("0001_create_settings");
        assert_eq!(
            written(&p),
            [
                "0001_create_settings.down.sql",
                "0001_create_settings.up.sql"
            ]
        );
        assert!(!p.has_table("migrator_revisions"));

        p.run(&["upgrade"]).success();
        import(&p, "sqlx")
            .success()
            .stdout_has("stamped 0004_create_notes");
        let up =
            std::fs::read_to_string(p.path().join("versions/0002_create_users.up.sql")).unwrap();
        assert!(up.starts_with("-- Parents: 0001_create_settings\n"), "{up}");
        assert_eq!(
            p.applied(),
            ids(&[
                "0001_create_settings",
                "0002_create_users",
                "0003_add_email_to_users",
                "0004_create_notes"
            ])
        );
        p.run(&["upgrade"]).success().stdout_has("nothing to do");
    }
);

sqlite_and_postgres!(
    fn only_a_database_named_for_the_import_is_stamped(p: Project) {
        migrated_by(&p, "dbmate");
        // migrator.toml's database is the project's, not the other tool's.
        p.file(
            "migrator.toml",
            &format!("database_url = \"{}\"\n", p.url()),
        );
        p.run_without_url(&["import", "--from", "dbmate", &migrations("dbmate")])
            .success()
            .stdout_lacks("stamped")
            .stderr_has("import with --database-url, or run `migrator stamp REVISION` there");
        assert!(p.applied().is_empty());

        // DATABASE_URL is --database-url's other spelling.
        std::fs::remove_dir_all(p.path().join("versions")).unwrap();
        p.run_env(
            &["import", "--from", "dbmate", &migrations("dbmate")],
            &[("DATABASE_URL", p.url())],
        )
        .success()
        .stdout_has("stamped 0003_create_notes");
        assert_eq!(p.applied(), ids(&IDS));
    }
);

sqlite_and_postgres!(
    fn the_json_report_names_the_versions_the_revisions_and_the_stamp(p: Project) {
        migrated_by(&p, "flyway");
        let run = p.run(&[
            "import",
            "--from",
            "flyway",
            &migrations("flyway"),
            "--format",
            "json",
        ]);
        run.success();
        let document: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(document["tool"], "flyway");
        let revisions = document["revisions"].as_array().unwrap();
        let summary: Vec<(&str, &str, bool, bool)> = revisions
            .iter()
            .map(|r| {
                (
                    r["version"].as_str().unwrap(),
                    r["revision"]["id"].as_str().unwrap(),
                    r["revision"]["transaction"].as_bool().unwrap(),
                    r["reversible"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("1", IDS[0], true, false),
                ("1.2", IDS[1], false, true),
                ("1.10", IDS[2], true, true),
            ]
        );
        assert_eq!(
            revisions[1]["files"],
            serde_json::json!([
                "V1.2__Add_email_to_users.sql",
                "U1.2__Add_email_to_users.sql"
            ])
        );
        assert_eq!(
            revisions[1]["no_transaction"],
            "V1.2__Add_email_to_users.sql.conf says `executeInTransaction=false`"
        );
        let history = &document["history"];
        assert_eq!(history["table"], "flyway_schema_history");
        assert_eq!(history["applied"], serde_json::json!(["1", "1.2", "1.10"]));
        assert_eq!(history["stamp"]["inserted"], serde_json::json!(IDS));
    }
);

#[test]
fn a_missing_sqlite_database_is_not_created() {
    let p = Project::new(Backend::Sqlite);
    let run = p.run_without_url(&[
        "--database-url",
        "sqlite:other.db",
        "import",
        "--from",
        "goose",
        &migrations("goose"),
    ]);
    run.failure(1)
        .stderr_has("sqlite:other.db has no goose_db_version table");
    assert!(!p.path().join("other.db").exists());
    assert!(!p.path().join("versions").exists());
}

/// The stamp runs after the files are written: when it fails (here, the
/// run lock is held past --lock-timeout), the files are taken back.
#[test]
fn a_stamp_that_fails_takes_the_files_back() {
    let p = Project::new(Backend::Sqlite);
    migrated_by(&p, "goose");
    let mut holder = std::fs::File::create(p.path().join("test.db.lock")).unwrap();
    holder.lock().unwrap();
    std::io::Write::write_all(&mut holder, b"pid 4242 (deploy@build-7)").unwrap();
    p.run(&[
        "--lock-timeout",
        "1s",
        "import",
        "--from",
        "goose",
        &migrations("goose"),
    ])
    .failure(1)
    .stderr_has("timed out after 1s waiting for the migration lock");
    assert!(!p.path().join("versions").exists());
    assert!(p.applied().is_empty());

    drop(holder);
    import(&p, "goose").success();
    assert_eq!(p.applied(), ids(&IDS));
}

#[test]
fn the_versions_folder_is_not_imported_into_itself() {
    let p = Project::new(Backend::Sqlite);
    p.revision(
        "0001_create_users",
        &[],
        "CREATE TABLE users (id integer);",
        "",
    );
    p.run_without_url(&["import", "--from", "golang-migrate", "versions"])
        .failure(1)
        .stderr_has("versions is the versions folder itself");
}

#[test]
fn an_unknown_tool_is_bad_usage() {
    let p = Project::new(Backend::Sqlite);
    p.run_without_url(&["import", "--from", "liquibase", "changelog"])
        .failure(2)
        .stderr_has("golang-migrate, goose, dbmate, sqlx, flyway");
}
