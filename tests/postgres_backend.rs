//! What only PostgreSQL does, through the real binary against a real server
//! (see `support` for how to get one): its SQL syntax, statements that
//! refuse a transaction, error positions, concurrent and killed runs, the
//! advisory lock, schemas, and connection failures.

#[macro_use]
mod support;

use std::time::{Duration, Instant};

use support::pg::{
    database_name, project_with_table_a, slow_chain, test_authority, with_host_and_query,
};
use support::{
    Backend, Project, Run, eventually, postgres_server_url, with_database, with_password, with_user,
};

/// The role `scripts/test` creates for the authentication tests; the
/// server must ask it for a password over TCP.
const PASSWORD_ROLE: &str = "migrator_pw";
const PASSWORD: &str = "migrator_pw_secret";

/// The advisory lock key every migrator derives for a schema: the first 8
/// bytes of BLAKE3("<schema>.migrator_revisions"), big-endian.
fn lock_key(schema: &str) -> i64 {
    let hash = blake3::hash(format!("{schema}.migrator_revisions").as_bytes());
    i64::from_be_bytes(hash.as_bytes()[..8].try_into().unwrap())
}

/// `(event, revision)` of each log row, in order.
fn log(p: &Project) -> Vec<Vec<String>> {
    p.query("SELECT event, revision FROM migrator_log ORDER BY seq")
}

/// The error line of a failed run, which may only be followed by a hint.
#[track_caller]
fn error_line(run: &Run) -> &str {
    let mut lines = run.stderr.lines();
    let first = lines.next().unwrap_or_default();
    assert!(first.starts_with("error: "), "{run:?}");
    assert!(lines.all(|line| line.starts_with("hint: ")), "{run:?}");
    first
}

/// This project's database URL as the password role, which may create
/// tables in it. Fails, saying how to set it up, on a server without it.
fn password_role_url(p: &Project, password: &str) -> String {
    let mut client = p.postgres_client();
    let exists = client
        .query_opt(
            "SELECT 1 FROM pg_roles WHERE rolname = $1",
            &[&PASSWORD_ROLE],
        )
        .unwrap()
        .is_some();
    assert!(
        exists,
        "the server in {} has no role {PASSWORD_ROLE}: run the suite with `scripts/test`, or \
         create it with `CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD '{PASSWORD}'` and make \
         pg_hba.conf ask it for one, e.g. `host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256` \
         above any trust line",
        support::POSTGRES_ENV
    );
    client
        .batch_execute(&format!("GRANT CREATE ON SCHEMA public TO {PASSWORD_ROLE}"))
        .unwrap();
    with_user(p.url(), PASSWORD_ROLE, password)
}

#[test]
fn dollar_quotes_do_blocks_comments_and_quoted_identifiers_run_as_written() {
    let p = Project::new(Backend::Postgres);
    p.revision(
        "0001_quoting",
        &[],
        r#"-- A comment; with a semicolon.
CREATE TABLE "Order Lines;" (
    id integer PRIMARY KEY,
    "Note" text DEFAULT 'it''s; fine' /* nested /* comment; */ still */
);

CREATE FUNCTION add_one(n integer) RETURNS integer LANGUAGE plpgsql AS $fn$
BEGIN
    -- $$ inside a tagged body; and a semicolon
    RETURN n + 1;
END
$fn$;

DO $$
BEGIN
    INSERT INTO "Order Lines;" (id) VALUES (add_one(41));
    INSERT INTO "Order Lines;" (id, "Note") VALUES (2, E'back\\slash \' quote');
END
$$;"#,
        "DROP FUNCTION add_one(integer);\nDROP TABLE \"Order Lines;\";",
    );
    p.run(&["upgrade"])
        .success()
        .stdout_has("applied 1 revision");
    assert_eq!(
        p.query(r#"SELECT id::text, "Note" FROM "Order Lines;" ORDER BY id"#),
        [["2", "back\\slash ' quote"], ["42", "it's; fine"]]
    );
    assert_eq!(p.applied(), ["0001_quoting"]);
    // The stored text is the file's, byte for byte.
    let file = std::fs::read_to_string(p.path().join("versions/0001_quoting.up.sql")).unwrap();
    assert_eq!(p.query("SELECT up_sql FROM migrator_revisions"), [[file]]);

    p.run(&["downgrade", "base"]).success();
    assert!(!p.has_table("Order Lines;"));
    assert_eq!(
        log(&p),
        [["upgrade", "0001_quoting"], ["downgrade", "0001_quoting"]]
    );
    p.run(&["history", "-v"])
        .success()
        .stdout_has("0001_quoting");
    p.run(&["status"]).success().stdout_has("pending");
}

#[test]
fn create_index_concurrently_runs_in_a_transaction_off_revision() {
    let p = Project::new(Backend::Postgres);
    p.revision(
        "0001_items",
        &[],
        "CREATE TABLE items (id integer, name text);\nINSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 1000) g;",
        "DROP TABLE items;",
    )
    .file(
        "versions/0002_items_name.up.sql",
        "-- Parents: 0001_items\n-- Transaction: off\n\n\
         CREATE INDEX CONCURRENTLY items_name_idx ON items (name);\n\
         -- Two statements, each on its own.\n\
         CREATE INDEX CONCURRENTLY items_id_idx ON items (id);\n",
    )
    .file(
        "versions/0002_items_name.down.sql",
        "DROP INDEX CONCURRENTLY items_id_idx;\nDROP INDEX CONCURRENTLY items_name_idx;\n",
    );
    p.run(&["upgrade"])
        .success()
        .stdout_has("applied 2 revisions");
    assert_eq!(
        p.query("SELECT count(*) FROM pg_index WHERE indrelid = 'items'::regclass AND indisvalid"),
        [["2"]]
    );
    assert_eq!(p.applied(), ["0001_items", "0002_items_name"]);
    p.run(&["downgrade", "0001_items"]).success();
    assert_eq!(
        p.query("SELECT count(*) FROM pg_index WHERE indrelid = 'items'::regclass"),
        [["0"]]
    );

    // Inside a transaction the server refuses it, and says where.
    p.revision(
        "0002_items_name",
        &["0001_items"],
        "CREATE INDEX CONCURRENTLY items_name_idx ON items (name);",
        "",
    );
    p.run(&["upgrade"])
        .failure(1)
        .stderr_has("CREATE INDEX CONCURRENTLY cannot run inside a transaction block")
        .stderr_has("versions/0002_items_name.up.sql:4:1")
        .stderr_has("25001")
        .stderr_has("hint: this statement cannot run inside a transaction: add `-- Transaction: off` to the revision's header");
    assert_eq!(p.applied(), ["0001_items"]);
}

#[test]
fn a_failing_statement_names_file_line_column_and_sqlstate() {
    let p = Project::new(Backend::Postgres);
    p.revision(
        "0001_users",
        &[],
        "CREATE TABLE users (id integer);",
        "DROP TABLE users;",
    )
    .revision(
        "0002_bad",
        &["0001_users"],
        "CREATE TABLE audit (id integer);\n\n  SELECT é, nope FROM users;",
        "DROP TABLE audit;",
    );
    // Line 6 of the file; `é` is one character but two bytes.
    p.run(&["upgrade"])
        .failure(1)
        .stderr_has("revision 0002_bad failed: column \"é\" does not exist")
        .stderr_has("versions/0002_bad.up.sql:6:10")
        .stderr_has("42703");
    assert_eq!(p.applied(), ["0001_users"]);
    assert!(!p.has_table("audit"), "the failed revision left a table");
    assert_eq!(log(&p), [["upgrade", "0001_users"]]);

    // No position from the server: the failing statement's line.
    p.revision(
        "0002_bad",
        &["0001_users"],
        "CREATE TABLE audit (id integer);\nCREATE TABLE users (id integer);",
        "DROP TABLE audit;",
    );
    p.run(&["upgrade"])
        .failure(1)
        .stderr_has("relation \"users\" already exists")
        .stderr_has("versions/0002_bad.up.sql:5:1")
        .stderr_has("42P07");
    assert!(!p.has_table("audit"));
}

#[test]
fn eight_concurrent_upgrades_apply_each_revision_exactly_once() {
    let p = Project::new(Backend::Postgres);
    let ids = slow_chain(&p);
    let runs: Vec<_> = (0..8).map(|_| p.spawn(&["upgrade"])).collect();
    for run in runs {
        run.wait().success();
    }
    assert_eq!(p.applied(), ids);
    assert_eq!(p.query("SELECT count(*) FROM ran"), [["5"]]);
    let logged: Vec<[&str; 2]> = ids.iter().map(|id| ["upgrade", id]).collect();
    assert_eq!(log(&p), logged);
}

/// The run lock is held on a session of its own: a revision that releases
/// every advisory lock of its session (`pg_advisory_unlock_all()`, or
/// `DISCARD ALL` outside a transaction) must not let a second run in to
/// run the same revisions beside it.
#[test]
fn a_revision_that_releases_its_sessions_advisory_locks_does_not_let_a_second_run_in() {
    let p = Project::new(Backend::Postgres);
    p.revision(
        "0001_a",
        &[],
        "CREATE TABLE ran (id text PRIMARY KEY);\nINSERT INTO ran VALUES ('0001_a');",
        "DROP TABLE ran;",
    )
    .revision(
        "0002_unlock_all",
        &["0001_a"],
        "INSERT INTO ran VALUES ('0002_unlock_all');\nSELECT pg_advisory_unlock_all();\nSELECT pg_sleep(2);",
        "DELETE FROM ran WHERE id = '0002_unlock_all';",
    )
    .file(
        "versions/0003_discard.up.sql",
        "-- Parents: 0002_unlock_all\n-- Transaction: off\n\n\
         INSERT INTO ran VALUES ('0003_discard');\nDISCARD ALL;\nSELECT pg_sleep(1);\n",
    )
    .file(
        "versions/0003_discard.down.sql",
        "DELETE FROM ran WHERE id = '0003_discard';\n",
    );
    let first = p.spawn(&["upgrade"]);
    let sleeping = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                    AND query LIKE '%pg_sleep(2)%' AND state = 'active' AND pid <> pg_backend_pid()";
    eventually(
        Duration::from_secs(20),
        "the first run to sleep after pg_advisory_unlock_all()",
        || p.query(sleeping)[0][0] == "1",
    );
    let second = p.spawn(&["upgrade"]);
    let (first, second) = (first.wait(), second.wait());
    first.success().stdout_has("0003_discard");
    second
        .success()
        .stderr_has("waiting for the migration lock")
        .stdout_lacks("0002_unlock_all");
    assert_eq!(p.applied(), ["0001_a", "0002_unlock_all", "0003_discard"]);
    assert_eq!(
        p.query("SELECT id FROM ran ORDER BY id"),
        [["0001_a"], ["0002_unlock_all"], ["0003_discard"]]
    );
    assert_eq!(
        log(&p),
        [
            ["upgrade", "0001_a"],
            ["upgrade", "0002_unlock_all"],
            ["upgrade", "0003_discard"]
        ]
    );
}

/// A run with work opens a second session, for the lock, and closes it
/// with the run (a run with nothing to do takes no lock: see below).
#[test]
fn the_lock_session_is_opened_only_when_a_run_has_work() {
    let p = Project::new(Backend::Postgres);
    p.revision(
        "0001_a",
        &[],
        "CREATE TABLE a (id integer);\n\
         CREATE TABLE sessions AS SELECT count(*) AS n FROM pg_stat_activity \
         WHERE datname = current_database() AND application_name = 'migrator';",
        "DROP TABLE sessions;\nDROP TABLE a;",
    );
    p.run(&["upgrade"]).success();
    // The revision's session, and the one holding the lock.
    assert_eq!(p.query("SELECT n FROM sessions"), [["2"]]);
    let holder = p.query(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    assert_eq!(holder, [["0"]], "the lock is released with the run");
}

#[test]
fn a_killed_run_leaves_nothing_of_its_revision_and_the_next_run_completes() {
    let p = Project::new(Backend::Postgres);
    p.revision("0001_a", &[], "CREATE TABLE a (id integer);", "DROP TABLE a;")
        .revision(
            "0002_slow",
            &["0001_a"],
            // Sleeps only while the database sets migrator_test.sleep.
            "CREATE TABLE b (id integer);\nSELECT pg_sleep(current_setting('migrator_test.sleep', true)::float8);",
            "DROP TABLE b;",
        );
    let database = p.query("SELECT current_database()").remove(0).remove(0);
    p.query(&format!(
        "ALTER DATABASE \"{database}\" SET migrator_test.sleep = 30"
    ));
    let running = p.spawn(&["upgrade"]);
    let sleeping = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                    AND application_name = 'migrator' AND query LIKE '%pg_sleep%' AND state = 'active'";
    eventually(
        Duration::from_secs(20),
        "the revision to start sleeping",
        || p.query(sleeping)[0][0] == "1",
    );
    running.kill();
    // The server notices the vanished client and rolls back, releasing the
    // lock, well before the 30 s sleep ends.
    eventually(Duration::from_secs(10), "the killed session to end", || {
        p.query(sleeping)[0][0] == "0"
    });
    assert_eq!(p.applied(), ["0001_a"]);
    assert!(!p.has_table("b"));
    assert_eq!(log(&p), [["upgrade", "0001_a"]]);

    p.query(&format!(
        "ALTER DATABASE \"{database}\" RESET migrator_test.sleep"
    ));
    p.run(&["--lock-timeout", "10s", "upgrade"])
        .success()
        .stdout_has("0002_slow");
    assert_eq!(p.applied(), ["0001_a", "0002_slow"]);
    assert!(p.has_table("b"));
}

#[test]
fn lock_timeout_gives_up_while_another_session_holds_the_lock() {
    let p = project_with_table_a();
    let key = lock_key("public");
    let mut holder = p.postgres_client();
    holder
        .batch_execute(&format!(
            "SET application_name = 'lock holder'; SELECT pg_advisory_lock({key})"
        ))
        .unwrap();

    let start = Instant::now();
    p.run(&["--lock-timeout", "1s", "upgrade"])
        .failure(1)
        .stderr_has("timed out after 1s waiting for the migration lock")
        .stderr_has("(lock holder)");
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(p.applied().is_empty());
    assert!(!p.has_table("a"));
    p.run(&["status"])
        .success()
        .stdout_has("a run is in progress: pid ")
        .stdout_has(" (lock holder)");

    holder
        .batch_execute(&format!("SELECT pg_advisory_unlock({key})"))
        .unwrap();
    p.run(&["--lock-timeout", "1s", "upgrade"]).success();
    assert_eq!(p.applied(), ["0001_a"]);
    p.run(&["status"]).success().stdout_lacks("in progress");
}

#[test]
fn upgrade_with_nothing_to_do_does_not_wait_for_the_lock() {
    let p = project_with_table_a();
    p.run(&["upgrade"]).success();
    let key = lock_key("public");
    let mut holder = p.postgres_client();
    holder
        .batch_execute(&format!("SELECT pg_advisory_lock({key})"))
        .unwrap();

    // Every instance of an application may run this at start-up while
    // one of them migrates: finding nothing to do must not queue them.
    p.run(&["--lock-timeout", "1s", "upgrade"])
        .success()
        .stdout_has("nothing to do");
    // With work to do, the same run waits for the lock the holder has.
    p.revision(
        "0002_b",
        &["0001_a"],
        "CREATE TABLE b (id integer);",
        "DROP TABLE b;",
    );
    p.run(&["--lock-timeout", "1s", "upgrade"])
        .failure(1)
        .stderr_has("waiting for the migration lock");
    assert_eq!(p.applied(), ["0001_a"]);
}

#[test]
fn the_schema_option_keeps_the_bookkeeping_in_its_schema() {
    let p = project_with_table_a();
    p.run(&["--schema", "Deploy Log", "upgrade"]).success();
    assert_eq!(
        p.query("SELECT count(*) FROM \"Deploy Log\".migrator_revisions"),
        [["1"]]
    );
    assert!(!p.has_table("migrator_revisions"));
    // Read-only commands create nothing: `public` still has no tables.
    p.run(&["status"]).success().stdout_has("pending");
    assert!(!p.has_table("migrator_revisions"));
    p.run(&["--schema", "Deploy Log", "current"])
        .success()
        .stdout_has("0001_a");
    // A schema that does not exist yet holds nothing applied.
    p.run(&["--schema", "Not Yet", "status"])
        .success()
        .stdout_has("pending");
}

#[test]
fn connection_failures_are_one_line_naming_host_and_database_without_the_password() {
    let p = Project::new(Backend::Postgres);
    p.revision("0001_a", &[], "SELECT 1;", "");
    let password = "s3cret-Pa55";
    let no_such_db = with_password(
        &with_database(&postgres_server_url(), "migrator_no_such_db"),
        password,
    );
    let host_and_port = no_such_db
        .rsplit_once('@')
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(host, _)| host.to_string())
        .unwrap();
    let cases = [
        (
            no_such_db,
            vec![
                host_and_port.as_str(),
                "migrator_no_such_db",
                "does not exist",
                "createdb",
            ],
        ),
        (
            format!("postgres://postgres:{password}@127.0.0.1:1/shop"),
            vec!["127.0.0.1:1/shop", "connection refused by 127.0.0.1 port 1"],
        ),
        (
            format!("postgres://postgres:{password}@no-such-host.invalid:5432/shop"),
            vec!["no-such-host.invalid:5432/shop", "cannot resolve"],
        ),
    ];
    for (url, expected) in cases {
        for command in ["upgrade", "status"] {
            let run = p.run_without_url(&["--database-url", &url, command]);
            run.failure(1).stdout_lacks(password).stderr_lacks(password);
            let error = error_line(&run);
            assert!(
                error.starts_with("error: cannot connect to postgres://"),
                "{run:?}"
            );
            assert!(error.contains(":***@"), "{run:?}");
            for text in &expected {
                run.stderr_has(text);
            }
        }
    }
}

#[test]
fn a_wrong_password_is_one_line_naming_host_and_database_without_any_password() {
    let p = project_with_table_a();
    let url = password_role_url(&p, "wrong_secret");
    for command in ["upgrade", "status"] {
        let run = p.run_without_url(&["--database-url", &url, command]);
        assert_ne!(
            run.code,
            Some(0),
            "{PASSWORD_ROLE} got in with a wrong password: pg_hba.conf must ask it for one \
             (scram-sha-256) above any trust line"
        );
        run.failure(1);
        for secret in ["wrong_secret", PASSWORD] {
            run.stdout_lacks(secret).stderr_lacks(secret);
        }
        let error = error_line(&run);
        let redacted = format!(
            "cannot connect to {}",
            with_user(p.url(), PASSWORD_ROLE, "***")
        );
        for text in [redacted.as_str(), "password authentication failed"] {
            assert!(error.contains(text), "{text:?} missing: {run:?}");
        }
    }
    assert!(p.applied().is_empty());
}

#[test]
fn the_right_password_gets_in_and_is_never_shown() {
    let p = project_with_table_a();
    let url = password_role_url(&p, PASSWORD);
    let runs = [
        &["upgrade"][..],
        &["history", "--verbose"],
        &["--format", "json", "history"],
        &["--format", "json", "status"],
        &["--format", "json", "current"],
    ]
    .map(|args| p.run_without_url(&[&["--database-url", url.as_str()][..], args].concat()));
    runs[0].stdout_has("applied 1 revision");
    for run in &runs {
        run.success().stdout_lacks(PASSWORD).stderr_lacks(PASSWORD);
    }
    assert_eq!(p.applied(), ["0001_a"]);
    assert_eq!(
        p.query("SELECT db_user FROM migrator_revisions"),
        [[PASSWORD_ROLE]]
    );
}

/// A role of the test's own, dropped when the test ends (after its
/// project's database, which holds what the role owns: declare it first).
struct TemporaryRole {
    name: String,
}

impl TemporaryRole {
    fn create(password: &str) -> TemporaryRole {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("migrator_role_{}_{nanos}", std::process::id());
        let mut admin = postgres::Client::connect(&postgres_server_url(), postgres::NoTls).unwrap();
        admin
            .batch_execute(&format!(
                "CREATE ROLE {name} LOGIN PASSWORD '{}'",
                password.replace('\'', "''")
            ))
            .unwrap();
        TemporaryRole { name }
    }
}

impl Drop for TemporaryRole {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&postgres_server_url(), postgres::NoTls) {
            let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS {}", self.name));
        }
    }
}

/// Generated passwords (base64) hold `/`, and often `?` or `#`: the driver
/// reads all of them as the password, up to the `@`, and so must every
/// message that shows the URL. On a server that asks this role for its
/// password (CI's PostgreSQL 17; the throwaway server trusts loopback
/// logins) getting in also proves the whole password was sent.
#[test]
fn a_password_with_slash_and_question_mark_gets_in_and_is_never_shown() {
    let password = "Kq7/Zr8?Vm9#Xt6";
    let pieces = ["Kq7", "Zr8", "Vm9", "Xt6"];
    let role = TemporaryRole::create(password);
    let p = project_with_table_a();
    p.postgres_client()
        .batch_execute(&format!("GRANT CREATE ON SCHEMA public TO {}", role.name))
        .unwrap();
    // The harness's helpers split a URL at its first `?`: the database is
    // named before the password goes in.
    let database = database_name(p.url());
    let url_as = |database: &str, password: &str| {
        with_user(
            &with_database(&postgres_server_url(), database),
            &role.name,
            password,
        )
    };
    let url = url_as(database, password);
    let redacted = url_as(database, "***");
    let run =
        |args: &[&str]| p.run_without_url(&[&["--database-url", url.as_str()][..], args].concat());
    let never_shown = |run: &Run| {
        run.stdout_lacks(password).stderr_lacks(password);
        for piece in pieces {
            run.stdout_lacks(piece).stderr_lacks(piece);
        }
    };

    let upgrade = run(&["upgrade"]);
    upgrade.success().stdout_has("applied 1 revision");
    never_shown(&upgrade);
    assert_eq!(
        p.query("SELECT db_user FROM migrator_revisions"),
        [[role.name.as_str()]]
    );
    for args in [
        &["status"][..],
        &["--format", "json", "status"],
        &["verify"],
        &["--format", "json", "verify"],
        &["--format", "json", "current"],
        &["history", "--verbose"],
    ] {
        let run = run(args);
        run.success();
        never_shown(&run);
    }
    run(&["status"]).stdout_has(&format!("database: {redacted}"));
    run(&["--format", "json", "status"]).stdout_has(&format!("\"database\": \"{redacted}\""));

    // Drift: the refusal and verify's finding name the database.
    p.file(
        "versions/0001_a.up.sql",
        "-- Parents:\n-- Message: 0001_a\n\nCREATE TABLE a (id bigint);\n",
    );
    for args in [
        &["upgrade"][..],
        &["verify"],
        &["--format", "json", "verify"],
    ] {
        let run = run(args);
        run.failure(1);
        never_shown(&run);
    }
    run(&["upgrade"]).stderr_has(&format!("error: {redacted} has drifted"));

    // A connection that fails: a database that does not exist.
    let no_such_db = url_as("migrator_no_such_db", password);
    let expected = format!(
        "error: cannot connect to {}",
        url_as("migrator_no_such_db", "***")
    );
    for command in ["status", "upgrade", "verify"] {
        let run = p.run_without_url(&["--database-url", &no_such_db, command]);
        run.failure(1).stderr_has("does not exist");
        never_shown(&run);
        assert!(error_line(&run).starts_with(&expected), "{run:?}");
    }
}

#[test]
fn tls_modes_encrypt_and_check_what_they_promise() {
    let authority = test_authority();
    let p = Project::new(Backend::Postgres);
    // The revision notes whether its own session is encrypted.
    p.revision(
        "0001_tls",
        &[],
        "CREATE TABLE tls AS SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();",
        "DROP TABLE tls;",
    );
    // No ~/.postgresql/root.crt of the machine's may decide a test.
    let home = p.path().display().to_string();
    let run = |url: String, args: &[&str]| {
        let args = [&["--database-url", url.as_str()][..], args].concat();
        p.run_env(&args, &[("HOME", &home)])
    };
    let url = p.url().to_string();

    // verify-ca against the public roots: the throwaway authority is not one.
    let refused = run(
        with_host_and_query(&url, "127.0.0.1", "sslmode=verify-ca"),
        &["status"],
    );
    refused.failure(1);
    assert!(error_line(&refused).contains("certificate"), "{refused:?}");

    // verify-full checks the name: the certificate is for localhost only.
    let verify_full_ip = format!("sslmode=verify-full&sslrootcert={authority}");
    let refused = run(
        with_host_and_query(&url, "127.0.0.1", &verify_full_ip),
        &["status"],
    );
    refused.failure(1);
    assert!(error_line(&refused).contains("certificate"), "{refused:?}");
    assert!(!p.has_table("migrator_revisions"));

    // verify-ca with the authority: the chain is enough, the name is not checked.
    run(
        with_host_and_query(
            &url,
            "127.0.0.1",
            &format!("sslmode=verify-ca&sslrootcert={authority}"),
        ),
        &["status"],
    )
    .success();

    // verify-full with the authority and the right name, and the revision
    // ran encrypted.
    run(
        with_host_and_query(
            &url,
            "localhost",
            &format!("sslmode=verify-full&sslrootcert={authority}"),
        ),
        &["upgrade"],
    )
    .success();
    assert_eq!(p.query("SELECT ssl FROM tls"), [["t"]]);

    // require encrypts without checking anything; disable never encrypts.
    for (mode, encrypted) in [("require", "t"), ("disable", "f")] {
        let url = with_host_and_query(&url, "127.0.0.1", &format!("sslmode={mode}"));
        run(url.clone(), &["downgrade", "base"]).success();
        run(url, &["upgrade"]).success();
        assert_eq!(
            p.query("SELECT ssl FROM tls"),
            [[encrypted]],
            "sslmode={mode}"
        );
    }
}

#[test]
fn server_notices_are_shown_under_their_revision_on_stderr() {
    let p = Project::new(Backend::Postgres);
    p.revision(
        "0001_users",
        &[],
        "CREATE TABLE users (id integer);",
        "DROP TABLE users;",
    )
    .revision(
        "0002_extension",
        &["0001_users"],
        "DO $$ BEGIN\n  RAISE NOTICE 'extension pg_trgm is not installed: skipping the trigram index';\nEND $$;\n\
         CREATE TABLE IF NOT EXISTS users (id integer);\n\
         DO $$ BEGIN RAISE WARNING 'check the search_path' USING HINT = 'SET search_path = app'; END $$;",
        "",
    )
    .revision(
        "0003_quiet",
        &["0002_extension"],
        "CREATE TABLE quiet (id integer);",
        "DROP TABLE quiet;",
    );

    // With --format json the steps are on stderr too, so the order shows.
    let run = p.run(&["upgrade", "--format", "json"]);
    run.success();
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .map(|l| l.split(" (").next().unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            "applied  0001_users  0001_users",
            "applied  0002_extension  0002_extension",
            "  NOTICE: extension pg_trgm is not installed: skipping the trigram index",
            "  NOTICE: relation \"users\" already exists, skipping",
            "  WARNING: check the search_path",
            "  HINT: SET search_path = app",
            "applied  0003_quiet  0003_quiet",
        ],
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("NOTICE"), "{}", run.stdout);

    // Before the error of a revision that fails after raising one, and in
    // a revision outside a transaction too.
    p.file(
        "versions/0004_fails.up.sql",
        "-- Parents: 0003_quiet\n-- Transaction: off\n\n\
         DO $$ BEGIN RAISE NOTICE 'about to fail'; END $$;\nSELECT * FROM nope;\n",
    )
    .file("versions/0004_fails.down.sql", "");
    let run = p.run(&["upgrade"]);
    run.failure(1);
    let notice = run
        .stderr
        .find("  NOTICE: about to fail")
        .expect(&run.stderr);
    let error = run
        .stderr
        .find("error: revision 0004_fails failed")
        .expect(&run.stderr);
    assert!(notice < error, "{}", run.stderr);
}

/// `verify --roundtrip` makes its scratch database on the server of the
/// database it checks; a role that may not create databases gets an error
/// that says so and what to do instead, and the folder's check still ran.
#[test]
fn a_roundtrip_without_the_right_to_create_a_scratch_database_says_what_to_do() {
    let p = project_with_table_a();
    let role = format!("migrator_nocreatedb_{}", std::process::id());
    let mut admin = p.postgres_client();
    admin
        .batch_execute(&format!(
            "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN NOCREATEDB PASSWORD 'Secret_pw1'"
        ))
        .unwrap();
    let url = with_user(p.url(), &role, "Secret_pw1");
    let run = p.run_without_url(&["--database-url", &url, "verify", "--roundtrip"]);
    admin.batch_execute(&format!("DROP ROLE {role}")).unwrap();
    run.failure(1)
        .stderr_has("cannot create database migrator_scratch_")
        .stderr_has("permission denied to create database")
        .stderr_has("CREATEDB")
        .stderr_has("--scratch-url")
        .stderr_lacks("Secret_pw1")
        .stdout_lacks("Secret_pw1");
}
