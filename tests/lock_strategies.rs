//! The run lock's strategies (`lock = "session" | "table" | "none"`)
//! through the real binary: the table lock on SQLite and PostgreSQL
//! (concurrent runs, a holder named, an expired or killed run's lock taken
//! over), and everything migrator sends through a real PgBouncer in
//! transaction pooling (`scripts/test` starts one, see
//! `scripts/throwaway-pgbouncer.sh`, and sets `MIGRATOR_TEST_PGBOUNCER_URL`).

#[macro_use]
mod support;

use std::time::Duration;

use support::pg::{database_name, project_with_table_a, slow_chain};
use support::{Backend, Project, Run, eventually, with_database};

const PGBOUNCER_ENV: &str = "MIGRATOR_TEST_PGBOUNCER_URL";

/// This project's database, reached through the test PgBouncer.
fn through_pgbouncer(p: &Project) -> String {
    assert_eq!(p.backend, Backend::Postgres, "a PostgreSQL test");
    let pgbouncer = match std::env::var(PGBOUNCER_ENV) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "this test needs PgBouncer in front of the test PostgreSQL: run the suite with \
             `scripts/test`, which starts a throwaway one (Debian: apt-get install pgbouncer), or \
             set {PGBOUNCER_ENV}=postgres://USER@HOST:PORT/postgres to a PgBouncer with \
             pool_mode = transaction in front of the server of MIGRATOR_TEST_POSTGRES_URL"
        ),
    };
    with_database(&pgbouncer, database_name(p.url()))
}

/// Runs the binary on `url` instead of the project's own.
fn run_on(p: &Project, url: &str, args: &[&str]) -> Run {
    let mut all = vec!["--database-url", url];
    all.extend_from_slice(args);
    p.run_without_url(&all)
}

fn copy_sample(p: &Project) {
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("versions");
    for entry in std::fs::read_dir(sample).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        p.file(&format!("versions/{name}"), &text);
    }
}

const SAMPLE: [&str; 8] = [
    "0001_create_users",
    "0002_create_products",
    "0003_add_product_stock",
    "0004_add_user_email",
    "0004_create_orders",
    "0005_merge_heads",
    "0006_create_order_totals_view",
    "0007_add_order_shipped_at",
];

fn log(p: &Project) -> Vec<Vec<String>> {
    p.query("SELECT event, revision FROM migrator_log ORDER BY seq")
}

/// Eight runs at once on `url` with `args`: each revision applied once,
/// and logged once.
fn eight_at_once(p: &Project, url: &str, args: &[&str]) {
    let ids = slow_chain(p);
    let runs: Vec<_> = (0..8)
        .map(|_| {
            let mut command = p.command();
            command
                .arg("--database-url")
                .arg(url)
                .args(args)
                .arg("upgrade")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            command.spawn().expect("the migrator binary starts")
        })
        .collect();
    for run in runs {
        let output = run.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(p.applied(), ids);
    assert_eq!(p.query("SELECT count(*) FROM ran"), [["5"]]);
    let logged: Vec<[&str; 2]> = ids.iter().map(|id| ["upgrade", id]).collect();
    assert_eq!(log(p), logged);
    assert_eq!(
        p.query("SELECT count(*) FROM migrator_lock"),
        [["0"]],
        "released"
    );
}

sqlite_and_postgres!(
    fn eight_concurrent_upgrades_with_the_table_lock_apply_each_revision_once(p: Project) {
        eight_at_once(&p, p.url(), &["--lock", "table"]);
    }
);

sqlite_and_postgres!(
    fn eight_concurrent_upgrades_with_the_session_lock_apply_each_revision_once(p: Project) {
        let ids = slow_chain(&p);
        let runs: Vec<_> = (0..8)
            .map(|_| p.spawn(&["--lock", "session", "upgrade"]))
            .collect();
        for run in runs {
            run.wait().success();
        }
        assert_eq!(p.applied(), ids);
        assert_eq!(p.query("SELECT count(*) FROM ran"), [["5"]]);
        assert!(
            !p.has_table("migrator_lock"),
            "the session lock needs no table"
        );
    }
);

/// A lock row as a run on another machine would have left it, expiring
/// `seconds` from now by the database's clock.
fn plant_lock_row(p: &Project, holder: &str, seconds: u32) {
    let expires = match p.backend {
        Backend::Mysql => unreachable!("lock = \"table\" and \"none\" are not on MySQL yet"),
        Backend::Postgres => format!("now() + interval '{seconds} seconds'"),
        Backend::Sqlite => format!("strftime('%Y-%m-%d %H:%M:%f', 'now', '+{seconds} seconds')"),
    };
    let now = match p.backend {
        Backend::Mysql => unreachable!("lock = \"table\" and \"none\" are not on MySQL yet"),
        Backend::Postgres => "now()",
        Backend::Sqlite => "strftime('%Y-%m-%d %H:%M:%f', 'now')",
    };
    p.execute(&format!(
        "INSERT INTO migrator_lock (id, holder, run_id, acquired_at, heartbeat_at, expires_at) \
         VALUES (1, '{holder}', 'feedc0de00000000', {now}, {now}, {expires})"
    ));
}

sqlite_and_postgres!(
    fn a_waiter_names_the_table_locks_holder_and_takes_the_lock_over_once_it_expired(p: Project) {
        p.revision(
            "0001_a",
            &[],
            "CREATE TABLE a (id integer);",
            "DROP TABLE a;",
        );
        p.run(&["--lock", "table", "upgrade"]).success();
        p.revision(
            "0002_b",
            &["0001_a"],
            "CREATE TABLE b (id integer);",
            "DROP TABLE b;",
        );
        plant_lock_row(&p, "pid 4242 (ghost@elsewhere)", 4);

        p.run(&["--lock", "table", "status"])
            .success()
            .stdout_has("a run is in progress: pid 4242 (ghost@elsewhere), run feedc0de");
        p.run(&["--lock", "table", "--lock-timeout", "500ms", "upgrade"])
            .failure(1)
            .stderr_has("waiting for the migration lock, held by pid 4242 (ghost@elsewhere), run feedc0de, last heartbeat")
            .stderr_has("timed out after 500ms")
            .stderr_has("held by pid 4242 (ghost@elsewhere)");
        assert_eq!(p.applied(), ["0001_a"]);

        // Its run sends no heartbeat: once the row expires, the next run
        // takes it over, saying from whom.
        p.run(&["--lock", "table", "--lock-timeout", "30s", "upgrade"])
            .success()
            .stderr_has("took over the migration lock of a run that stopped sending heartbeats: pid 4242 (ghost@elsewhere)")
            .stdout_has("0002_b");
        assert_eq!(p.applied(), ["0001_a", "0002_b"]);
        assert_eq!(p.query("SELECT count(*) FROM migrator_lock"), [["0"]]);
        p.run(&["status"]).success().stdout_lacks("in progress");
    }
);

/// A run killed while it holds the table lock leaves its row: the next run
/// waits for it, naming the dead run, until it expires, and then takes it
/// over.
#[test]
fn a_killed_runs_table_lock_is_taken_over_after_it_expires() {
    let p = project_with_table_a();
    p.revision(
        "0002_slow",
        &["0001_a"],
        "CREATE TABLE b (id integer);\nSELECT pg_sleep(30);",
        "DROP TABLE b;",
    );
    let running = p.spawn(&["--lock", "table", "upgrade"]);
    let pid = running.child.id();
    eventually(
        Duration::from_secs(20),
        "the run to sleep in 0002_slow",
        || {
            p.query(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND query LIKE '%pg_sleep(30)%' AND state = 'active' AND pid <> pg_backend_pid()",
            )[0][0]
                == "1"
        },
    );
    running.kill();
    let holder = format!("pid {pid} (");
    let row = p.query("SELECT holder FROM migrator_lock");
    assert!(row[0][0].starts_with(&holder), "{row:?}");
    p.run(&["--lock", "table", "--lock-timeout", "1s", "upgrade"])
        .failure(1)
        .stderr_has(&format!("held by {holder}"));
    assert_eq!(p.applied(), ["0001_a"]);
    // Rather than wait the whole expiry: its last heartbeat long ago.
    p.execute("UPDATE migrator_lock SET expires_at = now() - interval '1 second'");
    p.run(&["--lock", "table", "--lock-timeout", "10s", "upgrade"])
        .success()
        .stderr_has(&format!(
            "took over the migration lock of a run that stopped sending heartbeats: {holder}"
        ));
    assert_eq!(p.applied(), ["0001_a", "0002_slow"]);
}

/// The heartbeat moves the expiry forward while a long revision runs, so
/// nobody takes a live run's lock over.
#[test]
fn a_long_revision_keeps_its_table_lock_alive() {
    let p = Project::new(Backend::Postgres);
    p.revision(
        "0001_slow",
        &[],
        "CREATE TABLE a (id integer);\nSELECT pg_sleep(7);",
        "DROP TABLE a;",
    );
    let running = p.spawn(&["--lock", "table", "upgrade"]);
    eventually(Duration::from_secs(20), "the lock row", || {
        p.has_table("migrator_lock") && p.query("SELECT count(*) FROM migrator_lock")[0][0] == "1"
    });
    let first = p.query("SELECT expires_at::text FROM migrator_lock");
    eventually(Duration::from_secs(15), "a heartbeat", || {
        let now = p.query("SELECT expires_at::text FROM migrator_lock");
        now.is_empty() || now != first
    });
    running.wait().success();
    assert_eq!(p.applied(), ["0001_slow"]);
}

sqlite_and_postgres!(
    fn lock_none_takes_no_lock_and_says_so(p: Project) {
        p.revision(
            "0001_a",
            &[],
            "CREATE TABLE a (id integer);",
            "DROP TABLE a;",
        );
        plant_lock_row_table(&p);
        p.file("migrator.toml", "lock = \"none\"\n");
        p.run(&["upgrade"])
            .success()
            .stderr_has("lock = \"none\": this run takes no migration lock");
        assert_eq!(p.applied(), ["0001_a"]);
        p.run(&["--lock", "advisory", "status"])
            .failure(2)
            .stderr_has("`advisory` is not a lock strategy: expected session, table or none");
        // As every other mistake in the file.
        p.file("migrator.toml", "lock = \"advisory\"\n");
        p.run(&["status"])
            .failure(1)
            .stderr_has("migrator.toml")
            .stderr_has("unknown variant `advisory`");
    }
);

/// A table lock held by someone else does not stop `lock = "none"`.
fn plant_lock_row_table(p: &Project) {
    let create = match p.backend {
        Backend::Mysql => unreachable!("lock = \"table\" and \"none\" are not on MySQL yet"),
        Backend::Postgres => {
            "CREATE TABLE migrator_lock (id integer PRIMARY KEY, holder text NOT NULL, run_id text NOT NULL, acquired_at timestamptz NOT NULL, heartbeat_at timestamptz NOT NULL, expires_at timestamptz NOT NULL)"
        }
        Backend::Sqlite => {
            "CREATE TABLE migrator_lock (id INTEGER PRIMARY KEY, holder TEXT NOT NULL, run_id TEXT NOT NULL, acquired_at TEXT NOT NULL, heartbeat_at TEXT NOT NULL, expires_at TEXT NOT NULL)"
        }
    };
    p.execute(create);
    plant_lock_row(p, "pid 1 (someone@else)", 600);
}

// Through PgBouncer in transaction pooling.

#[test]
fn the_sample_runs_through_pgbouncer_with_the_table_lock() {
    let p = Project::new(Backend::Postgres);
    copy_sample(&p);
    let url = through_pgbouncer(&p);
    p.file("migrator.toml", "lock = \"table\"\n");
    run_on(&p, &url, &["upgrade"])
        .success()
        .stdout_has("applied 8 revisions");
    assert_eq!(p.applied(), SAMPLE);
    run_on(&p, &url, &["status"])
        .success()
        .stdout_has("up to date");
    run_on(&p, &url, &["downgrade", "0004_create_orders"])
        .success()
        .stdout_has("reverted 0007_add_order_shipped_at");
    run_on(&p, &url, &["upgrade"])
        .success()
        .stdout_has("0007_add_order_shipped_at");
    assert_eq!(p.applied(), SAMPLE);
    assert_eq!(p.query("SELECT count(*) FROM migrator_lock"), [["0"]]);
}

#[test]
fn eight_concurrent_upgrades_through_pgbouncer_apply_each_revision_once() {
    let p = Project::new(Backend::Postgres);
    let url = through_pgbouncer(&p);
    eight_at_once(&p, &url, &["--lock", "table"]);
}

/// Through transaction pooling a session advisory lock would be taken on
/// whatever server session ran that statement, and stay there when the
/// pool hands it to someone else: the run refuses before it takes it.
#[test]
fn a_session_lock_through_transaction_pooling_is_refused() {
    let p = project_with_table_a();
    let url = through_pgbouncer(&p);
    run_on(&p, &url, &["upgrade"])
        .failure(1)
        .stderr_has("refusing the session lock (lock = \"session\") through a connection pooler")
        .stderr_has("use the table lock, which works through poolers: lock = \"table\"");
    assert!(!p.has_table("migrator_revisions"), "nothing was created");
    assert!(!p.has_table("a"));
    let advisory = p.query(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    assert_eq!(advisory, [["0"]], "no lock left behind on a pooled session");
    // Straight to the server, the same run takes the session lock.
    p.run(&["upgrade"]).success().stdout_has("0001_a");
}

/// This PgBouncer resets every server session after each transaction
/// (see scripts/throwaway-pgbouncer.sh), so a named prepared statement is
/// gone by the time it is used: every command that talks to the database
/// succeeding through it shows migrator prepares none. (It sends simple
/// queries, and `query_typed`'s unnamed statement, parsed, bound and run
/// before one Sync.)
#[test]
fn no_prepared_statements_are_used() {
    let p = Project::new(Backend::Postgres);
    let url = through_pgbouncer(&p);
    // The trap works: a client that prepares, fails.
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let statement = client.prepare("SELECT 1").unwrap();
    let error = client.query(&statement, &[]).unwrap_err();
    let error = error
        .as_db_error()
        .expect("the server's error")
        .message()
        .to_string();
    assert!(
        error.contains("prepared statement") && error.contains("does not exist"),
        "{error}"
    );
    drop(client);

    copy_sample(&p);
    p.file("migrator.toml", "lock = \"table\"\n");
    for args in [
        &["upgrade", "0003"][..],
        &["upgrade", "--sql"],
        &["status"],
        &["current"],
        &["history", "-v"],
        &["upgrade"],
        &["verify"],
        &["log"],
        &["stamp", "0005_merge_heads"],
        &["stamp", "heads"],
        &["downgrade", "base"],
        &["status", "--format", "json"],
    ] {
        run_on(&p, &url, args).success();
    }
    assert!(p.applied().is_empty());
    // 3 and 5 applied, 2 stamped off and on again, 8 reverted.
    assert_eq!(log(&p).len(), 3 + 5 + 2 + 2 + 8, "{:?}", log(&p));
}
