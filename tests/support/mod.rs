//! The harness every integration test shares: a project folder with a fresh
//! database on one backend, the real `migrator` binary run against it, and
//! direct queries to check what it did.
//!
//! PostgreSQL tests need a server: `scripts/test` starts a throwaway one and
//! sets `MIGRATOR_TEST_POSTGRES_URL`; set it yourself to use your own.
//! Likewise MySQL/MariaDB tests and `MIGRATOR_TEST_MYSQL_URL`. Each test
//! gets a database of its own, dropped afterwards.

#![allow(dead_code)]

pub mod pg;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub const POSTGRES_ENV: &str = "MIGRATOR_TEST_POSTGRES_URL";
pub const MYSQL_ENV: &str = "MIGRATOR_TEST_MYSQL_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

/// Runs one test body on every backend: SQLite, PostgreSQL and MariaDB
/// (or MySQL), as `name::sqlite`, `name::postgres` and `name::mysql`.
// Not every suite that shares the harness has tests for both.
#[allow(unused_macros)]
macro_rules! both_backends {
    (fn $name:ident($p:ident: Project) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn body($p: $crate::support::Project) $body

            #[test]
            fn sqlite() {
                body($crate::support::Project::new($crate::support::Backend::Sqlite));
            }

            #[test]
            fn postgres() {
                body($crate::support::Project::new($crate::support::Backend::Postgres));
            }

            #[test]
            fn mysql() {
                body($crate::support::Project::new($crate::support::Backend::Mysql));
            }
        }
    };
}

/// As `both_backends!`, for stories of what only SQLite and PostgreSQL
/// have: `verify --lint`'s rules, `import`'s fixtures of other tools.
#[allow(unused_macros)]
macro_rules! sqlite_and_postgres {
    (fn $name:ident($p:ident: Project) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn body($p: $crate::support::Project) $body

            #[test]
            fn sqlite() {
                body($crate::support::Project::new($crate::support::Backend::Sqlite));
            }

            #[test]
            fn postgres() {
                body($crate::support::Project::new($crate::support::Backend::Postgres));
            }
        }
    };
}

/// The server URL from the environment, or a failure that says how to get one.
pub fn postgres_server_url() -> String {
    match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "this test needs PostgreSQL: run the suite with `scripts/test`, which starts a \
             throwaway server, or set {POSTGRES_ENV}=postgres://USER@HOST:PORT/postgres to a \
             server where that user may CREATE DATABASE"
        ),
    }
}

/// The MySQL/MariaDB server URL from the environment, or a failure that
/// says how to get one.
pub fn mysql_server_url() -> String {
    match std::env::var(MYSQL_ENV) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "this test needs MySQL or MariaDB: run the suite with `scripts/test`, which starts a \
             throwaway MariaDB, or set {MYSQL_ENV}=mysql://USER:PASSWORD@HOST:PORT/ to a server \
             where that user may CREATE DATABASE"
        ),
    }
}

/// Runs statements on a MySQL server (`mysql://` URL, no TLS) with the
/// tests' own client, returning the first result's rows as text (`NULL`
/// for null).
pub fn mysql_rows(url: &str, sql: &str) -> Vec<Vec<String>> {
    use mysql_async::prelude::Queryable;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut conn = mysql_async::Conn::from_url(url)
            .await
            .unwrap_or_else(|e| panic!("cannot reach the test server {MYSQL_ENV}: {e}"));
        let mut result = conn
            .query_iter(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let rows: Vec<mysql_async::Row> = result
            .collect()
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        // The rest of a batch, and its errors.
        result
            .drop_result()
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let _ = conn.disconnect().await;
        rows.into_iter()
            .map(|row| {
                row.unwrap()
                    .into_iter()
                    .map(|value| match value {
                        mysql_async::Value::NULL => "NULL".to_string(),
                        mysql_async::Value::Bytes(bytes) => {
                            String::from_utf8_lossy(&bytes).into_owned()
                        }
                        other => other.as_sql(true),
                    })
                    .collect()
            })
            .collect()
    })
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    format!("{base}/{database}{query}")
}

/// `url` with `user:password@` in place of its user information.
pub fn with_user(url: &str, user: &str, password: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let authority_end = url[scheme_end..]
        .find(['/', '?'])
        .map_or(url.len(), |i| scheme_end + i);
    let host = match url[scheme_end..authority_end].rfind('@') {
        Some(at) => scheme_end + at + 1,
        None => scheme_end,
    };
    format!("{}{user}:{password}@{}", &url[..scheme_end], &url[host..])
}

/// `url` with a password added to (or replacing) the one of its user.
pub fn with_password(url: &str, password: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let authority = url[scheme_end..]
        .split(['/', '?'])
        .next()
        .unwrap_or_default();
    let user = authority.rsplit_once('@').map_or("", |(userinfo, _)| {
        userinfo.split(':').next().unwrap_or_default()
    });
    with_user(url, user, password)
}

/// The commands `migrator --help` lists, but clap's own `help`.
pub fn commands(p: &Project) -> std::collections::BTreeSet<String> {
    let help = p.run_without_url(&["--help"]);
    help.success();
    help.stdout
        .lines()
        .skip_while(|line| !line.starts_with("Commands:"))
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        .filter_map(|line| line.split_whitespace().next())
        .filter(|command| *command != "help")
        .map(String::from)
        .collect()
}

/// Polls `check` until it holds; fails naming `what` after `limit`.
#[track_caller]
pub fn eventually(limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn unique_name() -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "migrator_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        nanos
    )
}

/// A project folder and a database of its own that the test may fill.
pub struct Project {
    pub backend: Backend,
    dir: tempfile::TempDir,
    url: String,
    /// PostgreSQL: the server URL and the database to drop at the end.
    postgres: Option<(String, String)>,
    /// MySQL: the server URL and the database to drop at the end.
    mysql: Option<(String, String)>,
}

impl Project {
    pub fn new(backend: Backend) -> Project {
        let dir = tempfile::tempdir().expect("a temporary folder");
        match backend {
            Backend::Sqlite => {
                let url = format!("sqlite:{}", dir.path().join("test.db").display());
                Project {
                    backend,
                    dir,
                    url,
                    postgres: None,
                    mysql: None,
                }
            }
            Backend::Postgres => {
                let server = postgres_server_url();
                let database = unique_name();
                let mut admin = postgres::Client::connect(&server, postgres::NoTls)
                    .unwrap_or_else(|e| panic!("cannot reach the test server {POSTGRES_ENV}: {e}"));
                admin
                    .batch_execute(&format!("CREATE DATABASE {database}"))
                    .expect("CREATE DATABASE on the test server");
                Project {
                    backend,
                    dir,
                    url: with_database(&server, &database),
                    postgres: Some((server, database)),
                    mysql: None,
                }
            }
            Backend::Mysql => {
                let server = mysql_server_url();
                let database = unique_name();
                mysql_rows(&server, &format!("CREATE DATABASE {database}"));
                Project {
                    backend,
                    dir,
                    url: with_database(&server, &database),
                    postgres: None,
                    mysql: Some((server, database)),
                }
            }
        }
    }

    /// The database URL the binary is given.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The project folder, the binary's working directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a revision pair in `versions/` whose message is its id.
    pub fn revision(&self, id: &str, parents: &[&str], up: &str, down: &str) -> &Self {
        let up = format!(
            "-- Parents: {}\n-- Message: {id}\n\n{up}\n",
            parents.join(", ")
        );
        self.file(&format!("versions/{id}.up.sql"), &up)
            .file(&format!("versions/{id}.down.sql"), &format!("{down}\n"))
    }

    /// Writes any file of the project, making its folders.
    pub fn file(&self, relative: &str, contents: &str) -> &Self {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        self
    }

    /// The binary as every run starts it (in the project folder, without
    /// colour, `DATABASE_URL` or stdin), for a test that changes one of
    /// these or runs it some other way.
    pub fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_migrator"));
        command
            .current_dir(self.path())
            .env("NO_COLOR", "1")
            .env_remove("DATABASE_URL")
            .env_remove("MIGRATOR_DIR")
            .stdin(Stdio::null());
        command
    }

    /// Runs the binary with this project's database URL.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut command = self.command();
        command.arg("--database-url").arg(&self.url).args(args);
        Run::from_output(args, command.output().expect("the migrator binary runs"))
    }

    /// Runs the binary with only the arguments and environment given.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = self.command();
        command.args(args);
        for (key, value) in env {
            command.env(key, value);
        }
        Run::from_output(args, command.output().expect("the migrator binary runs"))
    }

    /// Runs the binary in `folder` with only the arguments given.
    pub fn command_in(&self, folder: &Path, args: &[&str]) -> Run {
        let mut command = self.command();
        command.current_dir(folder).args(args);
        Run::from_output(args, command.output().expect("the migrator binary runs"))
    }

    /// Runs the binary with only the arguments given.
    pub fn run_without_url(&self, args: &[&str]) -> Run {
        let mut command = self.command();
        command.args(args);
        Run::from_output(args, command.output().expect("the migrator binary runs"))
    }

    /// Starts the binary and returns at once.
    pub fn spawn(&self, args: &[&str]) -> Running {
        let mut command = self.command();
        command
            .arg("--database-url")
            .arg(&self.url)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Running {
            args: args.iter().map(|a| a.to_string()).collect(),
            child: command.spawn().expect("the migrator binary starts"),
        }
    }

    /// A client of this project's PostgreSQL database of its own, for
    /// holding locks or sessions beside the binary.
    pub fn postgres_client(&self) -> postgres::Client {
        assert_eq!(self.backend, Backend::Postgres, "a PostgreSQL test");
        postgres::Client::connect(&self.url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", self.url))
    }

    /// Every row of a query, every value as text (NULL as "NULL").
    pub fn query(&self, sql: &str) -> Vec<Vec<String>> {
        match self.backend {
            Backend::Sqlite => sqlite_rows(&self.path().join("test.db"), sql),
            Backend::Mysql => mysql_rows(&self.url, sql),
            Backend::Postgres => self
                .postgres_client()
                .simple_query(sql)
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .into_iter()
                .filter_map(|message| match message {
                    postgres::SimpleQueryMessage::Row(row) => Some(
                        (0..row.len())
                            .map(|i| row.get(i).unwrap_or("NULL").to_string())
                            .collect(),
                    ),
                    _ => None,
                })
                .collect(),
        }
    }

    /// Runs statements on this project's database with the tests' own
    /// client, e.g. to load a dump of what another tool left there.
    pub fn execute(&self, sql: &str) {
        match self.backend {
            Backend::Sqlite => rusqlite::Connection::open(self.path().join("test.db"))
                .and_then(|connection| connection.execute_batch(sql))
                .unwrap_or_else(|e| panic!("{sql}: {e}")),
            Backend::Postgres => self
                .postgres_client()
                .batch_execute(sql)
                .unwrap_or_else(|e| panic!("{sql}: {e}")),
            Backend::Mysql => {
                mysql_rows(&self.url, sql);
            }
        }
    }

    /// The applied revisions in the order they were applied.
    pub fn applied(&self) -> Vec<String> {
        if !self.has_table("migrator_revisions") {
            return Vec::new();
        }
        self.query("SELECT id FROM migrator_revisions ORDER BY seq")
            .into_iter()
            .map(|mut row| row.remove(0))
            .collect()
    }

    pub fn has_table(&self, name: &str) -> bool {
        let sql = match self.backend {
            Backend::Sqlite => {
                format!(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{name}'"
                )
            }
            Backend::Postgres => format!(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = '{name}' \
                 AND table_schema = current_schema()"
            ),
            Backend::Mysql => format!(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = '{name}' \
                 AND table_schema = DATABASE()"
            ),
        };
        self.query(&sql)[0][0] != "0"
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        if let Some((server, database)) = &self.postgres
            && let Ok(mut admin) = postgres::Client::connect(server, postgres::NoTls)
        {
            let _ =
                admin.batch_execute(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"));
        }
        if let Some((server, database)) = &self.mysql {
            // Not on a panic of its own while the test is already failing.
            let server = server.clone();
            let drop = format!("DROP DATABASE IF EXISTS {database}");
            let _ = std::thread::spawn(move || mysql_rows(&server, &drop)).join();
        }
    }
}

/// A binary started by [`Project::spawn`].
pub struct Running {
    args: Vec<String>,
    pub child: Child,
}

impl Running {
    /// Kills the binary (SIGKILL on Unix) and reaps it.
    pub fn kill(mut self) {
        self.child.kill().expect("the binary can be killed");
        self.child.wait().expect("the killed binary is reaped");
    }

    pub fn wait(self) -> Run {
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        Run::from_output(&args, self.child.wait_with_output().unwrap())
    }
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub args: String,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from_output(args: &[&str], output: Output) -> Run {
        Run {
            args: args.join(" "),
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    fn describe(&self) -> String {
        format!(
            "`migrator {}` exited {:?}\n--- stdout\n{}--- stderr\n{}",
            self.args, self.code, self.stdout, self.stderr
        )
    }

    #[track_caller]
    pub fn success(&self) -> &Run {
        assert_eq!(self.code, Some(0), "expected success: {}", self.describe());
        self
    }

    #[track_caller]
    pub fn failure(&self, code: i32) -> &Run {
        assert_eq!(
            self.code,
            Some(code),
            "expected exit {code}: {}",
            self.describe()
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(&self, text: &str) -> &Run {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}: {}",
            self.describe()
        );
        self
    }

    #[track_caller]
    pub fn stdout_lacks(&self, text: &str) -> &Run {
        assert!(
            !self.stdout.contains(text),
            "stdout has {text:?}: {}",
            self.describe()
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(&self, text: &str) -> &Run {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}: {}",
            self.describe()
        );
        self
    }

    #[track_caller]
    pub fn stderr_lacks(&self, text: &str) -> &Run {
        assert!(
            !self.stderr.contains(text),
            "stderr has {text:?}: {}",
            self.describe()
        );
        self
    }
}

/// The rows of a query on a SQLite file, every value as text (`NULL` for
/// null).
pub fn sqlite_rows(path: &Path, sql: &str) -> Vec<Vec<String>> {
    let connection = rusqlite::Connection::open(path).unwrap();
    let mut statement = connection
        .prepare(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let columns = statement.column_count();
    statement
        .query_map([], |row| {
            (0..columns)
                .map(|i| {
                    Ok(match row.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => "NULL".to_string(),
                        rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                        rusqlite::types::ValueRef::Real(x) => x.to_string(),
                        rusqlite::types::ValueRef::Text(t) => {
                            String::from_utf8_lossy(t).into_owned()
                        }
                        rusqlite::types::ValueRef::Blob(b) => format!("{b:?}"),
                    })
                })
                .collect::<rusqlite::Result<Vec<String>>>()
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// The `mariadb` client's options for a `mysql://USER[:PASSWORD]@HOST:PORT/DB`
/// URL (as the tests' servers have), to run scripts with it.
pub fn mariadb_client_args(url: &str) -> Vec<String> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split('?').next().unwrap_or(rest);
    let (userinfo, hostpath) = rest.rsplit_once('@').unwrap_or(("root", rest));
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let (hostport, database) = hostpath.split_once('/').unwrap_or((hostpath, ""));
    let (host, port) = hostport.rsplit_once(':').unwrap_or((hostport, "3306"));
    let mut args = vec![
        "--no-defaults".to_string(),
        format!("--host={host}"),
        format!("--port={port}"),
        format!("--user={user}"),
        "--batch".to_string(),
    ];
    if !password.is_empty() {
        args.push(format!("--password={password}"));
    }
    if !database.is_empty() {
        args.push(database.to_string());
    }
    args
}
