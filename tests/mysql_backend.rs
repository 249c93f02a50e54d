//! What only MySQL and MariaDB do, through the real binary against a real
//! server (see `support` for how to get one): DELIMITER blocks for
//! triggers and procedures, `/*! */` comments, revisions of DDL that run
//! statement by statement and data-only ones that run in a transaction,
//! error numbers and positions, concurrent runs and the GET_LOCK run
//! lock, passwords and TLS.

#[macro_use]
mod support;

use std::time::Duration;

use support::{Backend, Project, Run, eventually, with_password, with_user};

/// The account `scripts/test` creates for the authentication tests.
const PASSWORD_USER: &str = "migrator_pw";
const PASSWORD: &str = "migrator_pw_secret";
/// The account that may only connect over TLS.
const TLS_USER: &str = "migrator_tls";
const TLS_PASSWORD: &str = "migrator_tls_secret";

/// `(event, revision)` of each log row, in order.
fn log(p: &Project) -> Vec<Vec<String>> {
    p.query("SELECT event, revision FROM migrator_log ORDER BY seq")
}

/// This project's database URL as `user`, which must exist on the server
/// with every privilege; fails, saying how to set it up, otherwise.
fn account_url(p: &Project, user: &str, password: &str) -> String {
    let exists = p.query(&format!(
        "SELECT count(*) FROM mysql.user WHERE User = '{user}'"
    ));
    assert_eq!(
        exists,
        [["1"]],
        "the server in {} has no account {user}: run the suite with `scripts/test` \
         (scripts/throwaway-mariadb.sh makes it)",
        support::MYSQL_ENV
    );
    with_user(p.url(), user, password)
}

#[test]
fn delimiter_blocks_make_triggers_and_procedures_and_the_rest_runs_as_written() {
    let p = Project::new(Backend::Mysql);
    p.revision(
        "0001_accounts",
        &[],
        "CREATE TABLE `order` (id integer PRIMARY KEY, note varchar(64) NOT NULL DEFAULT 'it\\'s; # not a comment');\n\
         CREATE TABLE audit (id integer, what varchar(64));\n\
         # a comment\n\
         -- another\n\
         /*!40101 SET @old_mode = @@sql_mode */;\n\
         \n\
         DELIMITER //\n\
         CREATE TRIGGER order_audit AFTER INSERT ON `order` FOR EACH ROW\n\
         BEGIN\n\
         \x20 IF NEW.id > 0 THEN\n\
         \x20   INSERT INTO audit VALUES (NEW.id, 'insert; with a semicolon');\n\
         \x20 END IF;\n\
         END //\n\
         \n\
         CREATE PROCEDURE add_order(IN n integer)\n\
         BEGIN\n\
         \x20 DECLARE i integer DEFAULT 0;\n\
         \x20 WHILE i < n DO\n\
         \x20   SET i = i + 1;\n\
         \x20   INSERT INTO `order` (id) VALUES (i);\n\
         \x20 END WHILE;\n\
         END //\n\
         DELIMITER ;\n\
         \n\
         CALL add_order(3);",
        "DROP PROCEDURE add_order;\nDROP TRIGGER order_audit;\nDROP TABLE audit;\nDROP TABLE `order`;",
    );
    p.run(&["verify"]).success();
    p.run(&["upgrade"]).success().stdout_has("0001_accounts");
    assert_eq!(
        p.query("SELECT id, what FROM audit ORDER BY id"),
        [
            ["1", "insert; with a semicolon"],
            ["2", "insert; with a semicolon"],
            ["3", "insert; with a semicolon"]
        ]
    );
    assert_eq!(
        p.query("SELECT DISTINCT note FROM `order`"),
        [["it's; # not a comment"]]
    );
    // The schema comes back whole after the down, and again after the up.
    p.run(&["verify", "--roundtrip"]).success();
    p.run(&["downgrade", "base"]).success();
    assert!(!p.has_table("audit") && !p.has_table("order"));
    assert_eq!(
        p.query(
            "SELECT count(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()"
        ),
        [["0"]]
    );
}

#[test]
fn a_data_only_revision_runs_in_one_transaction_and_a_failure_leaves_nothing_of_it() {
    let p = Project::new(Backend::Mysql);
    p.revision(
        "0001_t",
        &[],
        "CREATE TABLE t (id integer PRIMARY KEY);",
        "DROP TABLE t;",
    )
    .revision(
        "0002_rows",
        &["0001_t"],
        "INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);\nINSERT INTO t VALUES (1);",
        "DELETE FROM t;",
    );
    let run = p.run(&["upgrade"]);
    run.failure(1)
        .stderr_has("error: revision 0002_rows failed: Duplicate entry '1' for key 'PRIMARY'")
        .stderr_has("--> versions/0002_rows.up.sql:6:1")
        .stderr_has("code: 1062 (SQLSTATE 23000)")
        .stderr_lacks("outside a transaction");
    assert_eq!(p.applied(), ["0001_t"]);
    assert_eq!(p.query("SELECT count(*) FROM t"), [["0"]], "rolled back");

    // A syntax error points at its line and column.
    p.revision(
        "0002_rows",
        &["0001_t"],
        "INSERT INTO t VALUES (1);\nINSERT INTO t\n  VALUES (2) garbage;",
        "DELETE FROM t;",
    );
    p.run(&["upgrade"])
        .failure(1)
        .stderr_has("--> versions/0002_rows.up.sql:6:14")
        .stderr_has("code: 1064 (SQLSTATE 42000)");
    assert_eq!(p.query("SELECT count(*) FROM t"), [["0"]]);
}

#[test]
fn a_ddl_revision_that_fails_says_which_statements_stay_done() {
    let p = Project::new(Backend::Mysql);
    p.revision(
        "0001_two_tables",
        &[],
        "CREATE TABLE a (id integer);\nCREATE TABLE b (id integer);\nCREATE TABLE a (id integer);",
        "DROP TABLE b;\nDROP TABLE a;",
    );
    p.run(&["upgrade"])
        .failure(1)
        .stderr_has("error: revision 0001_two_tables failed: Table 'a' already exists")
        .stderr_has("--> versions/0001_two_tables.up.sql:6:1")
        .stderr_has("code: 1050 (SQLSTATE 42S01)")
        .stderr_has("statements 1-2 ran and stay done, recorded in migrator_progress")
        .stderr_has("the next `migrator upgrade` resumes at statement 3");
    assert!(p.has_table("a") && p.has_table("b"));
    assert!(p.applied().is_empty());
    // Fixed, it resumes at the failed statement: nothing runs twice.
    p.revision(
        "0001_two_tables",
        &[],
        "CREATE TABLE a (id integer);\nCREATE TABLE b (id integer);\nCREATE TABLE c (id integer);",
        "DROP TABLE c;\nDROP TABLE b;\nDROP TABLE a;",
    );
    p.run(&["upgrade"])
        .success()
        .stderr_has("resuming the upgrade of 0001_two_tables at statement 3 of 3");
    assert_eq!(p.applied(), ["0001_two_tables"]);
    assert!(p.has_table("c"));
}

#[test]
fn eight_concurrent_upgrades_apply_each_revision_exactly_once() {
    let p = Project::new(Backend::Mysql);
    let ids: Vec<String> = (1..=5).map(|n| format!("000{n}_r{n}")).collect();
    for (n, id) in ids.iter().enumerate() {
        let parents: Vec<&str> = if n == 0 { vec![] } else { vec![&ids[n - 1]] };
        let create = if n == 0 {
            "CREATE TABLE ran (id varchar(64) PRIMARY KEY);\n"
        } else {
            ""
        };
        p.revision(
            id,
            &parents,
            &format!("{create}INSERT INTO ran VALUES ('{id}');\nDO SLEEP(0.2);"),
            &format!("DELETE FROM ran WHERE id = '{id}';"),
        );
    }
    let runs: Vec<_> = (0..8).map(|_| p.spawn(&["upgrade"])).collect();
    let runs: Vec<Run> = runs.into_iter().map(|run| run.wait()).collect();
    for run in &runs {
        run.success();
    }
    assert!(
        runs.iter()
            .any(|run| run.stderr.contains("waiting for the migration lock")),
        "someone waited"
    );
    assert_eq!(p.applied(), ids);
    assert_eq!(p.query("SELECT count(*) FROM ran"), [["5"]]);
    let logged: Vec<[&str; 2]> = ids.iter().map(|id| ["upgrade", id]).collect();
    assert_eq!(log(&p), logged);
}

#[test]
fn the_waiter_is_told_who_holds_the_lock_and_lock_timeout_gives_up() {
    let p = Project::new(Backend::Mysql);
    p.revision(
        "0001_slow",
        &[],
        "CREATE TABLE a (id integer);\nDO SLEEP(3);",
        "DROP TABLE a;",
    )
    .revision(
        "0002_next",
        &["0001_slow"],
        "CREATE TABLE b (id integer);",
        "DROP TABLE b;",
    );
    let first = p.spawn(&["upgrade"]);
    eventually(Duration::from_secs(20), "the first run to sleep", || {
        p.query(
            "SELECT count(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'DO SLEEP(3)%'",
        )[0][0]
            == "1"
    });
    p.run(&["status"])
        .success()
        .stdout_has("a run is in progress: connection ");
    p.run(&["upgrade", "--lock-timeout", "500ms"])
        .failure(1)
        .stderr_has("waiting for the migration lock")
        .stderr_has("held by connection ")
        .stderr_has("timed out after 500ms waiting for the migration lock");
    first.wait().success();
    assert_eq!(p.applied(), ["0001_slow", "0002_next"]);
}

#[test]
fn a_wrong_password_is_one_line_without_any_password() {
    let p = Project::new(Backend::Mysql);
    p.revision(
        "0001_a",
        &[],
        "CREATE TABLE a (id integer);",
        "DROP TABLE a;",
    );
    let url = account_url(&p, PASSWORD_USER, "not-the-Secret");
    let run = p.run_without_url(&["--database-url", &url, "status"]);
    run.failure(1)
        .stderr_has("Access denied for user 'migrator_pw'")
        .stderr_has("error 1045")
        .stderr_has("hint: check the user name and password in the URL (or MYSQL_PWD)")
        .stderr_lacks("not-the-Secret")
        .stderr_lacks(PASSWORD);

    // The right one, from the URL or from MYSQL_PWD, gets in.
    let url = account_url(&p, PASSWORD_USER, PASSWORD);
    p.run_without_url(&["--database-url", &url, "status"])
        .success()
        .stdout_lacks(PASSWORD);
    let without = with_password(&url, "").replace(":@", "@");
    let run = p.run_env(
        &["--database-url", &without, "status"],
        &[("MYSQL_PWD", PASSWORD)],
    );
    run.success().stdout_lacks(PASSWORD);
}

/// The throwaway server's certificate authority (`scripts/test` sets it).
fn test_authority() -> String {
    std::env::var("MIGRATOR_TEST_MYSQL_CA")
        .ok()
        .filter(|path| !path.is_empty())
        .unwrap_or_else(|| {
            panic!(
                "this test needs a MariaDB that speaks TLS: run the suite with `scripts/test` \
                 (which makes a certificate authority and sets MIGRATOR_TEST_MYSQL_CA)"
            )
        })
}

#[test]
fn ssl_modes_encrypt_and_check_what_they_promise() {
    let p = Project::new(Backend::Mysql);
    let ca = test_authority();
    p.revision(
        "0001_a",
        &[],
        "CREATE TABLE a (id integer);",
        "DROP TABLE a;",
    );
    // An account the server only lets in over TLS.
    let base = account_url(&p, TLS_USER, TLS_PASSWORD);
    let url = |query: &str| format!("{base}?{query}");
    let status = |url: &str| p.run_without_url(&["--database-url", url, "status"]);

    for mode in ["ssl-mode=required", "ssl-mode=preferred", ""] {
        status(&url(mode)).success();
    }
    status(&url("ssl-mode=disabled"))
        .failure(1)
        .stderr_has("Access denied for user 'migrator_tls'")
        .stderr_lacks(TLS_PASSWORD);
    // Verified against the test authority: the certificate names
    // `localhost`, so the host name check fails for 127.0.0.1.
    status(&url(&format!("ssl-mode=verify_ca&ssl-ca={ca}"))).success();
    status(&url(&format!("ssl-mode=verify_identity&ssl-ca={ca}")))
        .failure(1)
        .stderr_has("TLS with 127.0.0.1 port ")
        .stderr_lacks(TLS_PASSWORD);
    let localhost =
        url(&format!("ssl-mode=verify_identity&ssl-ca={ca}")).replace("@127.0.0.1:", "@localhost:");
    p.run_without_url(&["--database-url", &localhost, "upgrade"])
        .success();
    // Without the authority, the chain is not trusted.
    status(&url("ssl-mode=verify_ca"))
        .failure(1)
        .stderr_has("TLS with ")
        .stderr_has("hint: name the server's certificate authority with ssl-ca=PATH");
    status(&url("ssl-mode=verify_ca&ssl-ca=/no/such/ca.pem"))
        .failure(1)
        .stderr_has("cannot read ssl-ca /no/such/ca.pem");
}

#[test]
fn upgrade_sql_runs_in_the_mariadb_client() {
    let p = Project::new(Backend::Mysql);
    p.revision(
        "0001_t",
        &[],
        "CREATE TABLE t (id integer PRIMARY KEY, note varchar(64));\n\
         CREATE PROCEDURE touch() BEGIN UPDATE t SET note = 'a;b'; END;",
        "DROP PROCEDURE touch;\nDROP TABLE t;",
    )
    .revision(
        "0002_rows",
        &["0001_t"],
        "INSERT INTO t VALUES (1, 'back\\\\slash; it''s');",
        "DELETE FROM t;",
    );
    let script = p.run(&["upgrade", "--sql"]);
    script.success();
    assert!(!p.has_table("migrator_revisions"));
    let mut client = std::process::Command::new("mariadb")
        .args(support::mariadb_client_args(p.url()))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("the mariadb client must be installed: {e}"));
    std::io::Write::write_all(client.stdin.as_mut().unwrap(), script.stdout.as_bytes()).unwrap();
    let output = client.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "mariadb failed: {}\n--- the script\n{}",
        String::from_utf8_lossy(&output.stderr),
        script.stdout
    );
    p.run(&["status"]).success().stdout_has("up to date");
    p.run(&["verify"]).success();
    assert_eq!(p.query("SELECT note FROM t"), [["back\\slash; it's"]]);
}

#[test]
fn nothing_to_do_takes_one_query_after_the_handshake() {
    let p = Project::new(Backend::Mysql);
    p.revision(
        "0001_a",
        &[],
        "CREATE TABLE a (id integer);",
        "DROP TABLE a;",
    );
    p.run(&["upgrade"]).success();
    let database = p.query("SELECT DATABASE()").remove(0).remove(0);
    // The server's general log, as a table, for the length of one run: the
    // queries that name this test's database (its own client's name none).
    p.query("SET GLOBAL log_output = 'TABLE', GLOBAL general_log = 1");
    p.run(&["upgrade"]).success().stdout_has("nothing to do");
    p.query("SET GLOBAL general_log = 0");
    let queries = p.query(&format!(
        "SELECT CONVERT(argument USING utf8mb4) FROM mysql.general_log \
         WHERE command_type = 'Query' AND CONVERT(argument USING utf8mb4) LIKE '%{database}%' \
         AND CONVERT(argument USING utf8mb4) NOT LIKE '%general_log%'"
    ));
    assert_eq!(queries.len(), 1, "{queries:?}");
    assert!(queries[0][0].contains("migrator_revisions"), "{queries:?}");
}
