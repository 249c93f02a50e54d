//! The PostgreSQL backend through the real binary, against a real server:
//! `MIGRATOR_TEST_POSTGRES_URL` names a database on it whose user may
//! create databases (e.g. `postgres://postgres@127.0.0.1:54329/postgres`).
//! Each test makes a database of its own and drops it at the end.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::runtime::Runtime;
use tokio_postgres::{Client, NoTls, SimpleQueryMessage};

const URL_VAR: &str = "MIGRATOR_TEST_POSTGRES_URL";

/// The server's admin URL; a test without it fails, so a green run always
/// means PostgreSQL was tested.
fn admin_url() -> String {
    std::env::var(URL_VAR).unwrap_or_else(|_| {
        panic!(
            "{URL_VAR} is not set: run `scripts/test`, which starts a throwaway PostgreSQL, or set {URL_VAR}=postgres://USER@HOST:PORT/postgres (a user that may CREATE DATABASE)"
        )
    })
}

/// `url` with its database name replaced.
fn with_dbname(url: &str, dbname: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").expect("a postgres:// URL") + 3;
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{dbname}?{query}"),
        None => format!("{base}/{dbname}"),
    }
}

/// A plain client for looking at (and poking) a database from the side.
struct Session {
    client: Client,
    runtime: Runtime,
}

impl Session {
    fn open(url: &str) -> Session {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (client, connection) = runtime
            .block_on(tokio_postgres::connect(url, NoTls))
            .unwrap_or_else(|e| panic!("cannot connect to the test server: {e}"));
        runtime.spawn(connection);
        Session { client, runtime }
    }

    /// Runs `sql`; the rows of its last statement, NULL as `None`.
    fn rows(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        let messages = self
            .runtime
            .block_on(self.client.simple_query(sql))
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        messages
            .into_iter()
            .filter_map(|m| match m {
                SimpleQueryMessage::Row(row) => Some(
                    (0..row.len())
                        .map(|i| row.get(i).map(String::from))
                        .collect(),
                ),
                _ => None,
            })
            .collect()
    }

    /// The single value `sql` returns.
    fn value(&self, sql: &str) -> String {
        let rows = self.rows(sql);
        assert_eq!(rows.len(), 1, "{sql}: {rows:?}");
        rows[0][0].clone().unwrap_or_default()
    }

    fn exec(&self, sql: &str) {
        self.rows(sql);
    }
}

/// A temporary database, dropped when the test ends.
struct Database {
    name: String,
    url: String,
}

impl Database {
    fn new(test: &str) -> Database {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "migrator_test_{test}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        Session::open(&admin_url()).exec(&format!("CREATE DATABASE \"{name}\""));
        let url = with_dbname(&admin_url(), &name);
        Database { name, url }
    }

    fn session(&self) -> Session {
        Session::open(&self.url)
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let admin = Session::open(&admin_url());
        let run = |sql: String| admin.runtime.block_on(admin.client.batch_execute(&sql));
        // A killed migrator's session may linger for a moment. Two
        // messages: DROP DATABASE refuses to run in a multi-statement one.
        let _ = run(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()",
            self.name
        ));
        if let Err(e) = run(format!("DROP DATABASE IF EXISTS \"{}\"", self.name)) {
            eprintln!("could not drop the test database {}: {e:?}", self.name);
        }
    }
}

/// A project folder with its own database.
struct Project {
    dir: tempfile::TempDir,
    db: Database,
}

impl Project {
    fn new(test: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("versions")).unwrap();
        Project {
            dir,
            db: Database::new(test),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a revision pair; `headers` are extra header lines such as
    /// `-- Transaction: off`.
    fn revision(
        &self,
        id: &str,
        parents: &[&str],
        headers: &str,
        up: &str,
        down: &str,
    ) -> &Project {
        let versions = self.path().join("versions");
        let up = format!(
            "-- Parents: {}\n-- Message: {id}\n{headers}\n{up}",
            parents.join(", ")
        );
        std::fs::write(versions.join(format!("{id}.up.sql")), up).unwrap();
        std::fs::write(versions.join(format!("{id}.down.sql")), down).unwrap();
        self
    }

    fn command(&self, url: &str, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_migrator"));
        command
            .current_dir(self.path())
            .env_remove("DATABASE_URL")
            .env("NO_COLOR", "1")
            .args(["--database-url", url])
            .args(args);
        command
    }

    /// Runs migrator against this project's database.
    fn run(&self, args: &[&str]) -> Run {
        self.run_with_url(&self.db.url, args)
    }

    fn run_with_url(&self, url: &str, args: &[&str]) -> Run {
        Run::from(self.command(url, args).output().unwrap())
    }

    fn spawn(&self, url: &str, args: &[&str]) -> Child {
        self.command(url, args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    fn session(&self) -> Session {
        self.db.session()
    }
}

/// What a run printed and how it ended.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    fn success(&self) -> &Run {
        assert_eq!(self.code, Some(0), "expected success\n{self}");
        self
    }

    fn failure(&self) -> &Run {
        assert_eq!(self.code, Some(1), "expected exit 1\n{self}");
        self
    }

    fn stdout_has(&self, text: &str) -> &Run {
        assert!(self.stdout.contains(text), "stdout lacks {text:?}\n{self}");
        self
    }

    fn stderr_has(&self, text: &str) -> &Run {
        assert!(self.stderr.contains(text), "stderr lacks {text:?}\n{self}");
        self
    }

    fn never_shows(&self, text: &str) -> &Run {
        assert!(
            !self.stdout.contains(text) && !self.stderr.contains(text),
            "{text:?} was printed\n{self}"
        );
        self
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// The applied revisions, in order.
fn applied(session: &Session) -> Vec<String> {
    if !table_exists(session, "migrator_revisions") {
        return Vec::new();
    }
    session
        .rows("SELECT id FROM migrator_revisions ORDER BY seq")
        .into_iter()
        .map(|row| row[0].clone().unwrap())
        .collect()
}

/// `(event, revision)` of each log row, in order.
fn log(session: &Session) -> Vec<(String, String)> {
    session
        .rows("SELECT event, revision FROM migrator_log ORDER BY seq")
        .into_iter()
        .map(|row| (row[0].clone().unwrap(), row[1].clone().unwrap()))
        .collect()
}

fn table_exists(session: &Session, name: &str) -> bool {
    session.value(&format!("SELECT to_regclass('{name}') IS NOT NULL")) == "t"
}

/// Waits until `check` holds, for at most `limit`.
fn eventually(limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn dollar_quotes_do_blocks_comments_and_quoted_identifiers_run_as_written() {
    let p = Project::new("quoting");
    p.revision(
        "0001_quoting",
        &[],
        "",
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
$$;
"#,
        "DROP FUNCTION add_one(integer);\nDROP TABLE \"Order Lines;\";\n",
    );
    p.run(&["upgrade"])
        .success()
        .stdout_has("applied 1 revision");
    let s = p.session();
    assert_eq!(
        s.rows(r#"SELECT id::text, "Note" FROM "Order Lines;" ORDER BY id"#),
        [
            [Some("2".into()), Some("back\\slash ' quote".into())],
            [Some("42".into()), Some("it's; fine".into())],
        ]
    );
    assert_eq!(applied(&s), ["0001_quoting"]);
    // The stored text is the file's, byte for byte.
    let stored = s.value("SELECT up_sql FROM migrator_revisions");
    let file = std::fs::read_to_string(p.path().join("versions/0001_quoting.up.sql")).unwrap();
    assert_eq!(stored, file);

    p.run(&["downgrade", "base"]).success();
    assert!(!table_exists(&s, "\"Order Lines;\""));
    assert_eq!(
        log(&s),
        [
            ("upgrade".into(), "0001_quoting".into()),
            ("downgrade".into(), "0001_quoting".into())
        ]
    );
    p.run(&["history", "-v"])
        .success()
        .stdout_has("0001_quoting");
    p.run(&["status"]).success().stdout_has("pending");
}

#[test]
fn create_index_concurrently_runs_in_a_transaction_off_revision() {
    let p = Project::new("concurrently");
    p.revision(
        "0001_items",
        &[],
        "",
        "CREATE TABLE items (id integer, name text);\nINSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 1000) g;\n",
        "DROP TABLE items;\n",
    )
    .revision(
        "0002_items_name",
        &["0001_items"],
        "-- Transaction: off\n",
        "CREATE INDEX CONCURRENTLY items_name_idx ON items (name);\n-- Two statements, each on its own.\nCREATE INDEX CONCURRENTLY items_id_idx ON items (id);\n",
        "DROP INDEX CONCURRENTLY items_id_idx;\nDROP INDEX CONCURRENTLY items_name_idx;\n",
    );
    p.run(&["upgrade"])
        .success()
        .stdout_has("applied 2 revisions");
    let s = p.session();
    assert_eq!(
        s.value("SELECT count(*) FROM pg_index WHERE indrelid = 'items'::regclass AND indisvalid"),
        "2"
    );
    assert_eq!(applied(&s), ["0001_items", "0002_items_name"]);
    p.run(&["downgrade", "0001_items"]).success();
    assert_eq!(
        s.value("SELECT count(*) FROM pg_index WHERE indrelid = 'items'::regclass"),
        "0"
    );

    // Inside a transaction the server refuses it, and says where.
    p.revision(
        "0002_items_name",
        &["0001_items"],
        "",
        "CREATE INDEX CONCURRENTLY items_name_idx ON items (name);\n",
        "",
    );
    p.run(&["upgrade"])
        .failure()
        .stderr_has("CREATE INDEX CONCURRENTLY cannot run inside a transaction block")
        .stderr_has("versions/0002_items_name.up.sql:4:1")
        .stderr_has("25001");
    assert_eq!(applied(&s), ["0001_items"]);
}

#[test]
fn a_failing_statement_names_file_line_column_and_sqlstate() {
    let p = Project::new("failure");
    p.revision(
        "0001_users",
        &[],
        "",
        "CREATE TABLE users (id integer);\n",
        "DROP TABLE users;\n",
    )
    .revision(
        "0002_bad",
        &["0001_users"],
        "",
        "CREATE TABLE audit (id integer);\n\n  SELECT é, nope FROM users;\n",
        "DROP TABLE audit;\n",
    );
    // Line 6 of the file; `é` is one character but two bytes.
    p.run(&["upgrade"])
        .failure()
        .stderr_has("revision 0002_bad failed: column \"é\" does not exist")
        .stderr_has("versions/0002_bad.up.sql:6:10")
        .stderr_has("42703");
    let s = p.session();
    assert_eq!(applied(&s), ["0001_users"]);
    assert!(
        !table_exists(&s, "audit"),
        "the failed revision left a table"
    );
    assert_eq!(log(&s), [("upgrade".into(), "0001_users".into())]);

    // No position from the server: the failing statement's line.
    p.revision(
        "0002_bad",
        &["0001_users"],
        "",
        "CREATE TABLE audit (id integer);\nCREATE TABLE users (id integer);\n",
        "DROP TABLE audit;\n",
    );
    p.run(&["upgrade"])
        .failure()
        .stderr_has("relation \"users\" already exists")
        .stderr_has("versions/0002_bad.up.sql:5:1")
        .stderr_has("42P07");
    assert!(!table_exists(&s, "audit"));
}

#[test]
fn eight_concurrent_upgrades_apply_each_revision_exactly_once() {
    let p = Project::new("concurrent");
    let ids = ["0001_a", "0002_b", "0003_c", "0004_d", "0005_e"];
    for (i, id) in ids.iter().enumerate() {
        let parents: Vec<&str> = ids[..i].last().into_iter().copied().collect();
        // Inserting twice would fail the primary key and the run with it.
        p.revision(
            id,
            &parents,
            "",
            &format!(
                "{}INSERT INTO ran VALUES ('{id}');\nSELECT pg_sleep(0.2);\n",
                if i == 0 {
                    "CREATE TABLE ran (id text PRIMARY KEY);\n"
                } else {
                    ""
                }
            ),
            &format!("DELETE FROM ran WHERE id = '{id}';\n"),
        );
    }
    let children: Vec<Child> = (0..8).map(|_| p.spawn(&p.db.url, &["upgrade"])).collect();
    for child in children {
        Run::from(child.wait_with_output().unwrap()).success();
    }
    let s = p.session();
    assert_eq!(applied(&s), ids);
    assert_eq!(s.value("SELECT count(*) FROM ran"), "5");
    let logged: Vec<(String, String)> = ids
        .iter()
        .map(|id| ("upgrade".into(), id.to_string()))
        .collect();
    assert_eq!(log(&s), logged);
}

#[test]
fn a_killed_run_leaves_nothing_of_its_revision_and_the_next_run_completes() {
    let p = Project::new("killed");
    p.revision("0001_a", &[], "", "CREATE TABLE a (id integer);\n", "DROP TABLE a;\n")
        .revision(
            "0002_slow",
            &["0001_a"],
            "",
            // Sleeps only when the URL sets migrator_test.sleep.
            "CREATE TABLE b (id integer);\nSELECT pg_sleep(current_setting('migrator_test.sleep', true)::float8);\n",
            "DROP TABLE b;\n",
        );
    let s = p.session();
    let sleepy = format!("{}?options=-cmigrator_test.sleep%3D30", p.db.url);
    let mut child = p.spawn(&sleepy, &["upgrade"]);
    let sleeping = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'migrator' AND query LIKE '%pg_sleep%' AND state = 'active'";
    eventually(
        Duration::from_secs(20),
        "the revision to start sleeping",
        || s.value(sleeping) == "1",
    );
    child.kill().unwrap();
    child.wait().unwrap();
    // The server notices the vanished client and rolls back, releasing the
    // lock, well before the 30 s sleep ends.
    eventually(Duration::from_secs(10), "the killed session to end", || {
        s.value(sleeping) == "0"
    });
    assert_eq!(applied(&s), ["0001_a"]);
    assert!(!table_exists(&s, "b"));
    assert_eq!(log(&s), [("upgrade".into(), "0001_a".into())]);

    p.run(&["--lock-timeout", "10s", "upgrade"])
        .success()
        .stdout_has("0002_slow");
    assert_eq!(applied(&s), ["0001_a", "0002_slow"]);
    assert!(table_exists(&s, "b"));
}

#[test]
fn lock_timeout_gives_up_while_another_session_holds_the_lock() {
    let p = Project::new("locked");
    p.revision(
        "0001_a",
        &[],
        "",
        "CREATE TABLE a (id integer);\n",
        "DROP TABLE a;\n",
    );
    // The key every migrator derives for the `public` schema: the first 8
    // bytes of BLAKE3("public.migrator_revisions"), big-endian.
    let hash = blake3::hash(b"public.migrator_revisions");
    let key = i64::from_be_bytes(hash.as_bytes()[..8].try_into().unwrap());
    let holder = p.session();
    holder.exec(&format!(
        "SET application_name = 'lock holder'; SELECT pg_advisory_lock({key})"
    ));

    let start = Instant::now();
    p.run(&["--lock-timeout", "1s", "upgrade"])
        .failure()
        .stderr_has("timed out after 1s waiting for the migration lock")
        .stderr_has("(lock holder)");
    assert!(start.elapsed() < Duration::from_secs(10));
    let s = p.session();
    assert!(applied(&s).is_empty());
    assert!(!table_exists(&s, "a"));

    holder.exec(&format!("SELECT pg_advisory_unlock({key})"));
    p.run(&["--lock-timeout", "1s", "upgrade"]).success();
    assert_eq!(applied(&s), ["0001_a"]);
}

#[test]
fn the_schema_option_keeps_the_bookkeeping_in_its_schema() {
    let p = Project::new("schema");
    p.revision(
        "0001_a",
        &[],
        "",
        "CREATE TABLE a (id integer);\n",
        "DROP TABLE a;\n",
    );
    p.run(&["--schema", "Deploy Log", "upgrade"]).success();
    let s = p.session();
    assert_eq!(
        s.value("SELECT count(*) FROM \"Deploy Log\".migrator_revisions"),
        "1"
    );
    assert!(!table_exists(&s, "public.migrator_revisions"));
    // Read-only commands create nothing: `public` still has no tables.
    p.run(&["status"]).success().stdout_has("pending");
    assert!(!table_exists(&s, "public.migrator_revisions"));
    p.run(&["--schema", "Deploy Log", "current"])
        .success()
        .stdout_has("0001_a");
}

#[test]
fn connection_failures_are_one_line_naming_host_and_database_without_the_password() {
    let p = Project::new("connect");
    p.revision("0001_a", &[], "", "SELECT 1;\n", "");
    let admin = admin_url();
    let authority_start = admin.find("://").unwrap() + 3;
    let host_and_port = admin[authority_start..]
        .split(['/', '?'])
        .next()
        .unwrap()
        .rsplit('@')
        .next()
        .unwrap()
        .to_string();
    let user = admin[authority_start..]
        .split_once('@')
        .map_or("postgres", |(userinfo, _)| {
            userinfo.split(':').next().unwrap()
        })
        .to_string();
    let password = "s3cret-Pa55";
    let cases = [
        (
            format!("postgres://{user}:{password}@{host_and_port}/migrator_no_such_db"),
            vec![
                host_and_port.as_str(),
                "migrator_no_such_db",
                "does not exist",
                "createdb",
            ],
        ),
        (
            format!("postgres://{user}:{password}@127.0.0.1:1/shop"),
            vec!["127.0.0.1:1/shop", "connection refused by 127.0.0.1 port 1"],
        ),
        (
            format!("postgres://{user}:{password}@no-such-host.invalid:5432/shop"),
            vec!["no-such-host.invalid:5432/shop", "cannot resolve"],
        ),
    ];
    for (url, expected) in cases {
        for args in [&["upgrade"][..], &["status"][..]] {
            let run = p.run_with_url(&url, args);
            run.failure().never_shows(password);
            let first = run.stderr.lines().next().unwrap_or_default();
            assert!(
                first.starts_with("error: cannot connect to postgres://"),
                "{run}"
            );
            for text in &expected {
                assert!(run.stderr.contains(text), "{text:?} missing\n{run}");
            }
            assert!(run.stderr.contains(":***@"), "{run}");
        }
    }
    // A wrong password is not covered: the test server trusts loopback
    // connections (pg_hba.conf), so any password gets in.
}
