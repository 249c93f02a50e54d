//! When the database fails rather than the revision (it is read-only, full,
//! or the session was ended under it), the error says so and what to do,
//! instead of sending the user to fix a file that has nothing wrong.

#[macro_use]
mod support;

use std::time::Duration;

use support::{Backend, Project, eventually};

/// Writes 0001_users (transactional) and 0002_orders, whose header says
/// `Transaction: off` when `transaction` is false.
fn two_revisions(p: &Project, transaction: bool) {
    p.revision(
        "0001_users",
        &[],
        "CREATE TABLE users (id integer);",
        "DROP TABLE users;",
    );
    let header = if transaction {
        ""
    } else {
        "-- Transaction: off\n"
    };
    p.file(
        "versions/0002_orders.up.sql",
        &format!(
            "-- Parents: 0001_users\n{header}\nCREATE TABLE orders (id integer);\nINSERT INTO orders VALUES (1);\n"
        ),
    )
    .file("versions/0002_orders.down.sql", "DROP TABLE orders;\n");
}

/// Makes the database refuse every write, in a way that works for root
/// (which the tests run as in CI, and for whom file permissions change
/// nothing). SQLite: byte 18 of the file's header is the format version
/// needed to write it, and SQLite opens a file that asks for more than 2
/// read-only. PostgreSQL: every new session's transactions are read-only.
fn read_only(p: &Project, on: bool) {
    match p.backend {
        Backend::Sqlite => {
            let path = p.path().join("test.db");
            let mut bytes = std::fs::read(&path).unwrap();
            assert_eq!(bytes[..16], *b"SQLite format 3\0");
            bytes[18] = if on { 3 } else { 1 };
            std::fs::write(&path, bytes).unwrap();
        }
        Backend::Postgres => {
            let database = p.query("SELECT current_database()").remove(0).remove(0);
            let change = if on {
                "SET default_transaction_read_only = on"
            } else {
                "RESET default_transaction_read_only"
            };
            // This session is read-only too once it is on.
            p.query(&format!(
                "BEGIN READ WRITE; ALTER DATABASE \"{database}\" {change}; COMMIT"
            ));
        }
        Backend::Mysql => unreachable!("not on MySQL"),
    }
}

// Not on MySQL: making one database read-only there takes the server's
// global read_only, which would reach every other test's database.
sqlite_and_postgres!(
    fn a_read_only_database_is_the_databases_fault_not_the_files(p: Project) {
        for transaction in [true, false] {
            let p = Project::new(p.backend);
            two_revisions(&p, transaction);
            p.run(&["upgrade", "0001"]).success();
            read_only(&p, true);

            let run = p.run(&["upgrade"]);
            run.failure(1)
                .stderr_has("error: revision 0002_orders could not run: ")
                .stderr_has(match p.backend {
                    Backend::Sqlite => "code: SQLITE_READONLY",
                    Backend::Postgres => "code: 25006",
                    Backend::Mysql => unreachable!(),
                })
                .stderr_lacks("fix the file")
                .stderr_lacks("-->");
            match p.backend {
                Backend::Sqlite => run.stderr_has("hint: the database cannot be written"),
                Backend::Postgres => run.stderr_has("hint: the server only accepts reads"),
                Backend::Mysql => unreachable!(),
            };
            assert_eq!(p.applied(), ["0001_users"], "transaction: {transaction}");
            assert!(!p.has_table("orders"));

            read_only(&p, false);
            p.run(&["upgrade"]).success();
            assert_eq!(p.applied(), ["0001_users", "0002_orders"]);
        }
    }
);

#[test]
fn a_session_ended_by_the_server_mid_revision_is_not_blamed_on_the_file() {
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
    let sleeping = "FROM pg_stat_activity WHERE datname = current_database() \
                    AND application_name = 'migrator' AND query LIKE '%pg_sleep%' AND state = 'active'";
    eventually(
        Duration::from_secs(20),
        "the revision to start sleeping",
        || p.query(&format!("SELECT count(*) {sleeping}"))[0][0] == "1",
    );
    let terminated = p.query(&format!("SELECT pg_terminate_backend(pid) {sleeping}"));
    assert_eq!(terminated, [["t"]]);

    let run = running.wait();
    run.failure(1)
        .stderr_has("error: revision 0002_slow could not run: ")
        .stderr_has("hint: the connection to the server was lost")
        .stderr_lacks("fix the file")
        .stderr_lacks("-->");
    assert!(
        run.stderr.contains("code: 57P01") || run.stderr.contains("closed the connection"),
        "{}",
        run.stderr
    );
    assert_eq!(p.applied(), ["0001_a"]);
    assert!(!p.has_table("b"));

    p.query(&format!(
        "ALTER DATABASE \"{database}\" RESET migrator_test.sleep"
    ));
    p.run(&["upgrade"]).success();
    assert_eq!(p.applied(), ["0001_a", "0002_slow"]);
}
