//! A revision passes in a run exactly when it passes alone: what one
//! revision sets on the connection (a statement timeout, the search path,
//! a role, a PRAGMA, a temporary table) does not reach the next revision
//! or the bookkeeping. And the headers `Lock-Timeout` / `Statement-Timeout`
//! (or their defaults in migrator.toml) hold for their revision only, and
//! say so when they fire.

#[macro_use]
mod support;

use std::time::{Duration, Instant};

use support::{Backend, Project};

/// Writes a revision with extra header lines.
fn with_header<'p>(p: &'p Project, id: &str, parent: &str, header: &str, up: &str) -> &'p Project {
    let parents = if parent.is_empty() {
        String::new()
    } else {
        format!(" {parent}")
    };
    p.file(
        &format!("versions/{id}.up.sql"),
        &format!("-- Parents:{parents}\n{header}\n{up}\n"),
    )
    .file(&format!("versions/{id}.down.sql"), "")
}

fn postgres() -> Project {
    Project::new(Backend::Postgres)
}

fn sqlite() -> Project {
    Project::new(Backend::Sqlite)
}

#[test]
fn a_statement_timeout_one_revision_sets_does_not_stop_the_next() {
    // Found when tried: the third revision was canceled after 50ms in the
    // same run as the first, and passed when run alone.
    let p = postgres();
    p.revision(
        "0001_sets_a_timeout",
        &[],
        "SET statement_timeout = '50ms';\nCREATE TABLE a (id integer);",
        "DROP TABLE a;",
    );
    with_header(
        &p,
        "0002_sets_it_outside_a_transaction",
        "0001_sets_a_timeout",
        "-- Transaction: off\n",
        "SET statement_timeout = '50ms';\nCREATE TABLE b (id integer);",
    );
    p.revision(
        "0003_takes_its_time",
        &["0002_sets_it_outside_a_transaction"],
        "SELECT pg_sleep(0.2);\nCREATE TABLE c (id integer);",
        "DROP TABLE c;",
    );
    p.run(&["upgrade"]).success();
    assert_eq!(
        p.applied(),
        [
            "0001_sets_a_timeout",
            "0002_sets_it_outside_a_transaction",
            "0003_takes_its_time"
        ]
    );
    p.run(&["downgrade", "base"]).success();
    assert!(p.applied().is_empty());
}

#[test]
fn a_search_path_one_revision_sets_does_not_move_the_next() {
    let p = postgres();
    p.revision(
        "0001_elsewhere",
        &[],
        "CREATE SCHEMA elsewhere;\nSET search_path = elsewhere;\nCREATE TABLE first (id integer);",
        "DROP SCHEMA elsewhere CASCADE;",
    );
    with_header(
        &p,
        "0002_set_config",
        "0001_elsewhere",
        "-- Transaction: off\n",
        "SELECT set_config('search_path', 'elsewhere', false);\nCREATE TABLE second (id integer);",
    );
    p.revision(
        "0003_placed",
        &["0002_set_config"],
        "CREATE TABLE placed (id integer);",
        "DROP TABLE placed;",
    );
    p.run(&["upgrade"]).success();
    let schemas = p.query(
        "SELECT table_name, table_schema FROM information_schema.tables \
         WHERE table_name IN ('first', 'second', 'placed', 'migrator_revisions') ORDER BY table_name",
    );
    assert_eq!(
        schemas,
        [
            ["first", "elsewhere"],
            ["migrator_revisions", "public"],
            ["placed", "public"],
            ["second", "elsewhere"],
        ]
    );
}

#[test]
fn a_role_one_revision_takes_does_not_run_the_next_or_the_bookkeeping() {
    let p = postgres();
    let me = p.query("SELECT current_user")[0][0].clone();
    // A role every server has, that may not create tables in public.
    p.revision("0001_set_role", &[], "SET ROLE pg_read_all_data;", "");
    with_header(
        &p,
        "0002_session_authorization",
        "0001_set_role",
        "-- Transaction: off\n",
        "SET SESSION AUTHORIZATION pg_read_all_data;",
    );
    p.revision(
        "0003_creates",
        &["0002_session_authorization"],
        "CREATE TABLE owned (id integer);",
        "DROP TABLE owned;",
    );
    p.run(&["upgrade"]).success();
    assert_eq!(
        p.query("SELECT tableowner FROM pg_tables WHERE tablename = 'owned'"),
        [[me.clone()]]
    );
    let recorded = p.query("SELECT DISTINCT db_user FROM migrator_revisions");
    assert_eq!(recorded, [[me]]);
}

sqlite_and_postgres!(
    fn a_temporary_table_of_one_revision_is_gone_for_the_next(p: Project) {
        p.revision(
            "0001_scratch",
            &[],
            "CREATE TEMP TABLE scratch (id integer);\nINSERT INTO scratch VALUES (1);",
            "",
        );
        with_header(
            &p,
            "0002_scratch_again",
            "0001_scratch",
            "-- Transaction: off\n",
            "CREATE TEMP TABLE scratch (id integer);",
        );
        p.revision(
            "0003_and_again",
            &["0002_scratch_again"],
            "CREATE TEMP TABLE scratch (id integer);",
            "",
        );
        p.run(&["upgrade"]).success();
        assert_eq!(p.applied().len(), 3);
    }
);

#[test]
fn a_pragma_one_revision_sets_does_not_reach_the_next_or_the_bookkeeping() {
    let p = sqlite();
    // query_only would make the bookkeeping fail. foreign_keys is on for
    // every revision (rusqlite's SQLite has it on by default); a revision
    // outside a transaction may switch it off to rebuild a table, and the
    // next revision's orphan row must be refused, as when it runs alone.
    p.revision(
        "0001_query_only",
        &[],
        "CREATE TABLE parent (id integer PRIMARY KEY);\n\
         CREATE TABLE child (parent_id integer REFERENCES parent (id));\n\
         PRAGMA query_only = ON;",
        "",
    );
    with_header(
        &p,
        "0002_foreign_keys_off",
        "0001_query_only",
        "-- Transaction: off\n",
        "PRAGMA foreign_keys = OFF;\nPRAGMA query_only = ON;",
    );
    p.revision(
        "0003_orphan",
        &["0002_foreign_keys_off"],
        "INSERT INTO child VALUES (42);",
        "DELETE FROM child;",
    );
    p.run(&["upgrade"])
        .failure(1)
        .stderr_has("error: revision 0003_orphan failed: FOREIGN KEY constraint failed");
    assert_eq!(p.applied(), ["0001_query_only", "0002_foreign_keys_off"]);
    assert!(p.query("SELECT parent_id FROM child").is_empty());
}

both_backends!(
    fn the_timeouts_of_the_header_hold_for_their_revision_only(p: Project) {
        let query = match p.backend {
            // Row locks, metadata locks (seconds), MariaDB's statement
            // limit (seconds).
            Backend::Mysql => {
                "CREATE TABLE seen AS SELECT @@innodb_lock_wait_timeout AS row_lock, \
                 @@lock_wait_timeout AS mdl, @@max_statement_time AS statement;"
            }
            Backend::Postgres => {
                "CREATE TABLE seen AS SELECT current_setting('lock_timeout') AS lock, \
                 current_setting('statement_timeout') AS statement;"
            }
            // SQLite shows its busy timeout; the statement timeout is a
            // handler with nothing to show.
            Backend::Sqlite => {
                "CREATE TABLE seen AS SELECT timeout AS lock FROM pragma_busy_timeout;"
            }
        };
        with_header(
            &p,
            "0001_with_timeouts",
            "",
            "-- Lock-Timeout: 5s\n-- Statement-Timeout: 10min\n",
            query,
        );
        let after = query.replace("TABLE seen", "TABLE after");
        p.revision("0002_without", &["0001_with_timeouts"], &after, "");
        p.run(&["upgrade"]).success();
        match p.backend {
            Backend::Mysql => {
                assert_eq!(
                    p.query("SELECT row_lock, mdl, statement FROM seen"),
                    [["5", "5", "600.000000"]]
                );
                // The server's defaults, as before the revision.
                assert_eq!(
                    p.query("SELECT row_lock, mdl, statement FROM after"),
                    [["50", "86400", "0.000000"]]
                );
            }
            Backend::Postgres => {
                assert_eq!(
                    p.query("SELECT lock, statement FROM seen"),
                    [["5s", "10min"]]
                );
                assert_eq!(p.query("SELECT lock, statement FROM after"), [["0", "0"]]);
            }
            Backend::Sqlite => {
                assert_eq!(p.query("SELECT lock FROM seen"), [["5000"]]);
                assert_eq!(p.query("SELECT lock FROM after"), [["60000"]]);
            }
        }
    }
);

/// A statement that runs for a while on each backend (SQLite: counting
/// to a large number).
fn slow(backend: Backend) -> &'static str {
    match backend {
        Backend::Mysql => "SELECT SLEEP(0.5);",
        Backend::Postgres => "SELECT pg_sleep(0.5);",
        Backend::Sqlite => {
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) \
             SELECT count(*) FROM n;"
        }
    }
}

both_backends!(
    fn a_statement_timeout_that_fires_names_the_revision_the_statement_and_the_timeout(p: Project) {
        p.revision(
            "0001_table",
            &[],
            "CREATE TABLE t (id integer);",
            "DROP TABLE t;",
        );
        for (id, header) in [
            ("0002_slow", "-- Statement-Timeout: 100ms\n"),
            (
                "0002_slow",
                "-- Statement-Timeout: 100ms\n-- Transaction: off\n",
            ),
        ] {
            with_header(
                &p,
                id,
                "0001_table",
                header,
                &format!("INSERT INTO t VALUES (1);\n{}", slow(p.backend)),
            );
            // After the header, a blank line and the INSERT.
            let line = header.lines().count() + 4;
            let run = p.run(&["upgrade"]);
            run.failure(1)
                .stderr_has(
                    "error: revision 0002_slow failed: the revision's statement timeout \
                     (Statement-Timeout: 100ms) ran out (",
                )
                .stderr_has(&format!("versions/0002_slow.up.sql:{line}"))
                .stderr_has("give the revision a longer Statement-Timeout");
            match p.backend {
                Backend::Postgres => {
                    run.stderr_has("code: 57014");
                }
                Backend::Mysql => {
                    run.stderr_has("max_statement_time exceeded")
                        .stderr_has("code: 1969");
                }
                Backend::Sqlite => {}
            }
            assert_eq!(p.applied(), ["0001_table"]);
        }
    }
);

#[test]
fn a_default_statement_timeout_holds_where_the_header_says_nothing() {
    let p = postgres();
    p.file("migrator.toml", "revision_statement_timeout = \"100ms\"\n");
    with_header(
        &p,
        "0001_long_on_purpose",
        "",
        "-- Statement-Timeout: off\n",
        "SELECT pg_sleep(0.3);",
    );
    p.revision(
        "0002_slow",
        &["0001_long_on_purpose"],
        "SELECT pg_sleep(0.3);",
        "",
    );
    p.run(&["upgrade"])
        .failure(1)
        .stderr_has(
            "error: revision 0002_slow failed: the revision's statement timeout \
             (revision_statement_timeout = 100ms) ran out (canceling statement due to statement timeout)",
        )
        .stderr_has("versions/0002_slow.up.sql:4");
    assert_eq!(p.applied(), ["0001_long_on_purpose"]);
}

#[test]
fn a_lock_timeout_that_fires_blames_the_database_and_leaves_nothing() {
    let p = postgres();
    p.revision(
        "0001_users",
        &[],
        "CREATE TABLE users (id integer);",
        "DROP TABLE users;",
    );
    p.run(&["upgrade"]).success();
    with_header(
        &p,
        "0002_add_email",
        "0001_users",
        "-- Lock-Timeout: 200ms\n",
        "CREATE TABLE audit (id integer);\nALTER TABLE users ADD COLUMN email text;",
    );
    // A long transaction that read the table holds it.
    let mut holder = p.postgres_client();
    let mut transaction = holder.transaction().unwrap();
    transaction.batch_execute("SELECT * FROM users").unwrap();
    let start = Instant::now();
    p.run(&["upgrade"])
        .failure(1)
        .stderr_has(
            "error: revision 0002_add_email could not run: the revision's lock timeout \
             (Lock-Timeout: 200ms) ran out (canceling statement due to lock timeout)",
        )
        .stderr_has("it stopped at versions/0002_add_email.up.sql:5:1")
        .stderr_has("code: 55P03")
        .stderr_has("run the command again once that session is done");
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(p.applied(), ["0001_users"]);
    assert!(!p.has_table("audit"), "nothing of the revision stayed");
    transaction.rollback().unwrap();
    p.run(&["upgrade"]).success();
    assert_eq!(p.applied(), ["0001_users", "0002_add_email"]);
}

#[test]
fn a_lock_timeout_on_mysql_bounds_row_and_metadata_lock_waits() {
    let p = Project::new(Backend::Mysql);
    p.revision(
        "0001_users",
        &[],
        "CREATE TABLE users (id integer);",
        "DROP TABLE users;",
    );
    p.run(&["upgrade"]).success();
    with_header(
        &p,
        "0002_add_email",
        "0001_users",
        "-- Lock-Timeout: 200ms\n",
        "CREATE TABLE audit (id integer);\nALTER TABLE users ADD COLUMN email text;",
    );
    // A transaction that read the table holds its metadata lock for 6s.
    let url = p.url().to_string();
    let holder = std::thread::spawn(move || {
        support::mysql_rows(
            &url,
            "START TRANSACTION; SELECT * FROM users; DO SLEEP(6); COMMIT",
        );
    });
    // Until it sleeps: it holds the lock then.
    let asleep = "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE STATE = 'User sleep' \
         AND DB = DATABASE()";
    let waiting = Instant::now();
    while p.query(asleep) == [["0"]] {
        assert!(
            waiting.elapsed() < Duration::from_secs(10),
            "the holder never slept"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let start = Instant::now();
    p.run(&["upgrade"])
        .failure(1)
        .stderr_has(
            "error: revision 0002_add_email could not run: the revision's lock timeout \
             (Lock-Timeout: 200ms) ran out (Lock wait timeout exceeded",
        )
        .stderr_has("versions/0002_add_email.up.sql:5")
        .stderr_has("code: 1205");
    // 200ms is a second on MySQL: its lock waits count whole seconds.
    assert!(
        start.elapsed() < Duration::from_millis(3500),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(p.applied(), ["0001_users"]);
    holder.join().unwrap();
    // DDL commits at once on MySQL: the table of the first statement
    // stayed, so the revision is resumed past it.
    p.run(&["upgrade"]).success();
    assert_eq!(p.applied(), ["0001_users", "0002_add_email"]);
}

#[test]
fn what_a_revision_sets_on_mysql_does_not_reach_the_next_or_the_bookkeeping() {
    let p = Project::new(Backend::Mysql);
    // A statement limit, ANSI_QUOTES, a time zone and foreign key checks
    // off, in a transactional revision and in one run statement by
    // statement.
    p.revision(
        "0000_tables",
        &[],
        "CREATE TABLE parent (id integer PRIMARY KEY) ENGINE=InnoDB;\n\
         CREATE TABLE child (parent_id integer, \
         FOREIGN KEY (parent_id) REFERENCES parent (id)) ENGINE=InnoDB;",
        "",
    );
    p.revision(
        "0001_settings",
        &["0000_tables"],
        "SET SESSION max_statement_time = 0.05, sql_mode = 'ANSI_QUOTES';\n\
         INSERT INTO parent VALUES (1);",
        "",
    );
    with_header(
        &p,
        "0002_more_settings",
        "0001_settings",
        "-- Transaction: off\n",
        "SET SESSION time_zone = '+05:00', foreign_key_checks = 0, autocommit = 0;\n\
         CREATE TABLE zone (at varchar(40));",
    );
    p.revision(
        "0003_as_if_alone",
        &["0002_more_settings"],
        "SELECT SLEEP(0.2);\nINSERT INTO zone VALUES (\"double quotes are a string\"), (@@time_zone);",
        "",
    );
    p.run(&["upgrade"]).success();
    assert_eq!(
        p.applied(),
        [
            "0000_tables",
            "0001_settings",
            "0002_more_settings",
            "0003_as_if_alone"
        ]
    );
    let zone = p.query("SELECT at FROM zone ORDER BY at");
    assert_eq!(zone.len(), 2);
    assert_ne!(zone[1][0], "+05:00", "{zone:?}");
    // Foreign key checks are back on for the next revision.
    with_header(
        &p,
        "0004_orphan",
        "0003_as_if_alone",
        "",
        "INSERT INTO child VALUES (42);",
    );
    p.run(&["upgrade"])
        .failure(1)
        .stderr_has("error: revision 0004_orphan failed: Cannot add or update a child row");
    assert!(p.query("SELECT parent_id FROM child").is_empty());
}

#[test]
fn a_lock_timeout_on_sqlite_is_the_busy_timeout() {
    let p = sqlite();
    p.revision(
        "0001_users",
        &[],
        "CREATE TABLE users (id integer);",
        "DROP TABLE users;",
    );
    p.run(&["upgrade"]).success();
    with_header(
        &p,
        "0002_add_email",
        "0001_users",
        "-- Lock-Timeout: 200ms\n",
        "ALTER TABLE users ADD COLUMN email text;",
    );
    // Another program's write transaction holds the database.
    let holder = rusqlite::Connection::open(p.path().join("test.db")).unwrap();
    holder
        .execute_batch("BEGIN IMMEDIATE; INSERT INTO users VALUES (1);")
        .unwrap();
    let start = Instant::now();
    p.run(&["upgrade"])
        .failure(1)
        .stderr_has(
            "error: revision 0002_add_email could not run: the revision's lock timeout \
             (Lock-Timeout: 200ms) ran out (database is locked)",
        )
        .stderr_has("code: SQLITE_BUSY");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    holder.execute_batch("COMMIT").unwrap();
    p.run(&["upgrade"]).success();
    assert_eq!(p.applied(), ["0001_users", "0002_add_email"]);
}

sqlite_and_postgres!(
    fn a_bad_timeout_in_a_header_is_a_folder_problem_naming_the_line(p: Project) {
        with_header(
            &p,
            "0001_a",
            "",
            "-- Message: a\n-- Lock-Timeout: soon\n",
            "SELECT 1;",
        );
        p.run(&["upgrade"])
            .failure(1)
            .stderr_has("versions/0001_a.up.sql:3: `Lock-Timeout`: `soon` is not a duration")
            .stderr_has("`-- Lock-Timeout: off` for none");
        assert!(!p.has_table("migrator_revisions"));
    }
);

/// The library's option is the default of revisions whose header sets none.
#[test]
fn an_application_sets_the_default_timeouts_through_the_library() {
    let p = sqlite();
    p.revision("0001_slow", &[], slow(Backend::Sqlite), "");
    let defaults = migrator::timeout::Defaults {
        lock: None,
        statement: Some(Duration::from_millis(50)),
    };
    let error = migrator::Migrator::from_dir(p.path().join("versions"))
        .unwrap()
        .with_database_url(p.url())
        .unwrap()
        .with_revision_timeouts(defaults)
        .upgrade("head")
        .unwrap_err();
    match &error {
        migrator::Error::Sql {
            revision, failure, ..
        } => {
            assert_eq!(revision, "0001_slow");
            assert_eq!(
                failure.message,
                "the revision's statement timeout (revision_statement_timeout = 50ms) ran out (interrupted)"
            );
            assert_eq!(failure.fault, migrator::db::Fault::Revision);
        }
        other => panic!("{other:?}"),
    }
}
