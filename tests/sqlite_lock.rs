//! SQLite's run lock through the real binary: concurrent runs in WAL and
//! rollback-journal mode, runs that outlast SQLite's busy timeout or a
//! `--lock-timeout`, a run killed halfway, and what is left beside the
//! database afterwards.

#[macro_use]
mod support;

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{Backend, Project, eventually};

/// A chain of `n` revisions that each create a table and insert a row.
fn chain(p: &Project, n: usize) {
    for i in 1..=n {
        let parent = format!("{:04}_t{}", i - 1, i - 1);
        let parents: &[&str] = if i == 1 { &[] } else { &[&parent] };
        p.revision(
            &format!("{i:04}_t{i}"),
            parents,
            &format!("CREATE TABLE t{i} (id integer PRIMARY KEY, name text);\nINSERT INTO t{i} VALUES (1, 'row {i}');"),
            &format!("DROP TABLE t{i};"),
        );
    }
}

fn database(p: &Project) -> rusqlite::Connection {
    rusqlite::Connection::open(p.path().join("test.db")).unwrap()
}

/// Creates the database in `mode` (`wal` or `delete`) before any run.
fn journal_mode(p: &Project, mode: &str) {
    let conn = database(p);
    let set: String = conn
        .query_row(&format!("PRAGMA journal_mode = {mode}"), [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(set, mode);
    // Write something, so that the file is a database in that mode.
    conn.execute_batch("CREATE TABLE app_data (x integer); DROP TABLE app_data;")
        .unwrap();
}

fn current_journal_mode(p: &Project) -> String {
    p.query("PRAGMA journal_mode")[0][0].clone()
}

/// The names in the project folder: the database, `versions`, and whatever
/// SQLite or migrator left there.
fn folder(p: &Project) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(p.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Holds the run lock the way a migrator run does: an exclusive lock on
/// `test.db.lock`, which says who holds it.
fn hold_run_lock(p: &Project, holder: &str) -> File {
    let mut file = File::create(p.path().join("test.db.lock")).unwrap();
    file.lock().unwrap();
    file.write_all(holder.as_bytes()).unwrap();
    file
}

/// Whether a process holds the run lock now (never creates the file).
fn run_lock_held(p: &Project) -> bool {
    match File::open(p.path().join("test.db.lock")) {
        Ok(file) => file.try_lock_shared().is_err(),
        Err(_) => false,
    }
}

/// A binary that is killed if the test ends before it does, so a failing
/// test leaves no endless revision running.
struct Guarded(Option<Child>);

impl Guarded {
    /// Starts the binary with its stderr in a file the test can read while
    /// it runs.
    fn spawn(p: &Project, args: &[&str], stderr: &Path) -> Guarded {
        let child = Command::new(env!("CARGO_BIN_EXE_migrator"))
            .current_dir(p.path())
            .env("NO_COLOR", "1")
            .env_remove("DATABASE_URL")
            .arg("--database-url")
            .arg(p.url())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(stderr).unwrap())
            .spawn()
            .expect("the migrator binary starts");
        Guarded(Some(child))
    }

    fn id(&self) -> u32 {
        self.0.as_ref().unwrap().id()
    }

    fn kill(&mut self) {
        let mut child = self.0.take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// Waits at most `limit`; the exit code and stdout.
    fn finish(&mut self, limit: Duration) -> (Option<i32>, String) {
        let start = Instant::now();
        let child = self.0.as_mut().unwrap();
        while child.try_wait().unwrap().is_none() {
            assert!(start.elapsed() < limit, "still running after {limit:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
        let output = self.0.take().unwrap().wait_with_output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Eight `upgrade`s at once: every one succeeds, one applies everything,
/// the others find nothing left to do, and none waits for much more than
/// the work. In WAL mode this used to deadlock: runs queued for the lock
/// kept their connection open, and the holder's exclusive locking mode
/// needed every other connection gone (some failed after SQLite's 60 s
/// busy timeout, the others waited for ever). It did not every time, so
/// three rounds, each on a new database.
fn concurrent_upgrades(mode: &str) {
    for _ in 0..3 {
        concurrent_upgrades_once(mode);
    }
}

fn concurrent_upgrades_once(mode: &str) {
    let crowd = Crowd::run(8, 30, mode, Duration::from_secs(60));
    assert_eq!(crowd.failures(), 0, "{mode}: {:#?}", crowd.outputs);
    assert_eq!(crowd.applying(), 1, "{mode}: {:#?}", crowd.outputs);
    // The work is a few hundred milliseconds; the failures were 60 s
    // timeouts and runs that never ended.
    assert!(
        crowd.slowest() < Duration::from_secs(15),
        "{mode}: slowest run {:?}",
        crowd.slowest()
    );
    assert!(crowd.each_applied_once());
    assert_eq!(current_journal_mode(&crowd.p), mode);
    assert_eq!(folder(&crowd.p), ["test.db", "versions"]);
}

/// `upgrade` started by many processes at once on a chain of revisions.
struct Crowd {
    p: Project,
    revisions: usize,
    outputs: Vec<support::Run>,
    /// From the first start to each exit.
    walls: Vec<Duration>,
}

impl Crowd {
    /// Kills what still runs after `limit` (it then counts as a failure).
    fn run(processes: usize, revisions: usize, mode: &str, limit: Duration) -> Crowd {
        let p = Project::new(Backend::Sqlite);
        chain(&p, revisions);
        journal_mode(&p, mode);
        let start = Instant::now();
        let mut runs: Vec<_> = (0..processes).map(|_| p.spawn(&["upgrade"])).collect();
        let mut walls = vec![None; processes];
        while walls.iter().any(Option::is_none) {
            for (run, wall) in runs.iter_mut().zip(&mut walls) {
                if wall.is_none() && run.child.try_wait().unwrap().is_some() {
                    *wall = Some(start.elapsed());
                }
            }
            if start.elapsed() > limit {
                for (run, wall) in runs.iter_mut().zip(&mut walls) {
                    if wall.is_none() {
                        let _ = run.child.kill();
                        *wall = Some(start.elapsed());
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Crowd {
            p,
            revisions,
            outputs: runs.into_iter().map(|run| run.wait()).collect(),
            walls: walls.into_iter().flatten().collect(),
        }
    }

    fn failures(&self) -> usize {
        self.outputs.iter().filter(|o| o.code != Some(0)).count()
    }

    /// How many runs applied the revisions (the others found nothing to do).
    fn applying(&self) -> usize {
        let applied = format!("applied {} revisions", self.revisions);
        self.outputs
            .iter()
            .filter(|o| o.stdout.contains(&applied))
            .count()
    }

    fn slowest(&self) -> Duration {
        self.walls.iter().max().copied().unwrap_or_default()
    }

    /// Every revision of the folder has one row, and one upgrade in the log.
    fn each_applied_once(&self) -> bool {
        let n = self.revisions.to_string();
        self.p
            .query("SELECT count(*), count(DISTINCT id) FROM migrator_revisions")
            == [[n.clone(), n.clone()]]
            && self.p.query(
                "SELECT count(*), count(DISTINCT revision) FROM migrator_log WHERE event = 'upgrade'",
            ) == [[n.clone(), n]]
    }
}

/// `scripts/torture-sqlite-concurrency` runs this: 32 processes, 200
/// revisions (`TORTURE_PROCESSES`, `TORTURE_REVISIONS`), in WAL mode and
/// with a rollback journal.
#[test]
#[ignore = "minutes of work: run by scripts/torture-sqlite-concurrency"]
fn torture_concurrent_upgrades() {
    let number = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let processes = number("TORTURE_PROCESSES", 32);
    let revisions = number("TORTURE_REVISIONS", 200);
    let mut failed = false;
    for mode in ["wal", "delete"] {
        let crowd = Crowd::run(processes, revisions, mode, Duration::from_secs(300));
        let once = crowd.each_applied_once() && crowd.applying() == 1;
        println!(
            "{:<17} processes={processes} revisions={revisions} each applied exactly once={} max wall time per process={:.2}s failures={}",
            if mode == "wal" {
                "WAL mode:"
            } else {
                "rollback journal:"
            },
            if once { "yes" } else { "no" },
            crowd.slowest().as_secs_f64(),
            crowd.failures()
        );
        for output in crowd.outputs.iter().filter(|o| o.code != Some(0)) {
            println!("  failed: {output:?}");
        }
        failed |= !once || crowd.failures() > 0;
    }
    assert!(!failed);
}

#[test]
fn concurrent_upgrades_in_wal_mode_apply_each_revision_once() {
    concurrent_upgrades("wal");
}

#[test]
fn concurrent_upgrades_with_a_rollback_journal_apply_each_revision_once() {
    concurrent_upgrades("delete");
}

/// Nothing is left beside the database after a run, whatever the run did
/// (the lock file used to stay, and showed in `git status`).
#[test]
fn runs_leave_no_lock_file_nor_journal() {
    let p = Project::new(Backend::Sqlite);
    chain(&p, 3);
    let clean = ["test.db", "versions"];
    p.run(&["upgrade", "0002"]).success();
    assert_eq!(folder(&p), clean);
    p.run(&["downgrade", "base"]).success();
    assert_eq!(folder(&p), clean);
    p.run(&["stamp", "0001"]).success();
    assert_eq!(folder(&p), clean);
    p.run(&["stamp", "base"]).success();
    assert_eq!(folder(&p), clean);
    p.revision(
        "0004_broken",
        &["0003_t3"],
        "INSERT INTO nowhere VALUES (1);",
        "",
    );
    p.run(&["upgrade"]).failure(1);
    assert_eq!(folder(&p), clean);
    assert_eq!(p.applied().len(), 3);
    assert_eq!(current_journal_mode(&p), "delete");
}

/// A run in progress (here the test, holding the lock as a run does):
/// another run gives up after `--lock-timeout`, naming it; `status` answers
/// at once and says who runs.
#[test]
fn status_names_the_run_in_progress_and_a_second_run_times_out_naming_it() {
    let p = Project::new(Backend::Sqlite);
    chain(&p, 3);
    p.run(&["upgrade", "0001"]).success();
    let holder = hold_run_lock(&p, "pid 4242 (deploy@build-7)");

    p.run(&["--lock-timeout", "1s", "upgrade"])
        .failure(1)
        .stderr_has(
            "waiting for the migration lock, held by pid 4242 (deploy@build-7), for up to 1s",
        )
        .stderr_has("timed out after 1s waiting for the migration lock on sqlite:")
        .stderr_has(", held by pid 4242 (deploy@build-7)");
    p.run(&["status"])
        .success()
        .stdout_has("applied:  1 of 3")
        .stdout_has("a run is in progress: pid 4242 (deploy@build-7)");
    let json: serde_json::Value =
        serde_json::from_str(&p.run(&["status", "--format", "json"]).success().stdout).unwrap();
    assert_eq!(json["run_in_progress"], "pid 4242 (deploy@build-7)");
    p.run(&["current"]).success().stdout_has("0001_t1");

    drop(holder);
    p.run(&["status"]).success().stdout_lacks("in progress");
    let json: serde_json::Value =
        serde_json::from_str(&p.run(&["status", "--format", "json"]).success().stdout).unwrap();
    assert_eq!(json["run_in_progress"], serde_json::Value::Null);
    p.run(&["upgrade"]).success();
    assert_eq!(p.applied().len(), 3);
    assert_eq!(folder(&p), ["test.db", "versions"]);
}

/// With a rollback journal, a revision that stays within SQLite's page
/// cache holds only SQLite's RESERVED lock until it commits: readers read
/// what is committed, at once. (The run used to keep the file locked from
/// its first commit to its end: readers failed after 60 s.)
#[test]
fn readers_read_beside_a_run_that_keeps_within_the_cache() {
    let p = Project::new(Backend::Sqlite);
    p.revision("0001_quick", &[], "CREATE TABLE quick (id integer);", "DROP TABLE quick;")
        .revision(
            "0002_counting",
            &["0001_quick"],
            "SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000000000) SELECT x FROM c);",
            "",
        );
    let logs = tempfile::tempdir().unwrap();
    let mut long = Guarded::spawn(&p, &["upgrade"], &logs.path().join("long"));
    eventually(Duration::from_secs(60), "0001 to be applied", || {
        run_lock_held(&p) && p.applied() == ["0001_quick"]
    });
    let start = Instant::now();
    p.run(&["status"])
        .success()
        .stdout_has("applied:  1 of 2")
        .stdout_has(&format!("a run is in progress: pid {} (", long.id()));
    p.run(&["current"]).success().stdout_has("0001_quick");
    p.run(&["history", "--verbose"])
        .success()
        .stdout_has("State: applied");
    assert!(start.elapsed() < Duration::from_secs(10));
    long.kill();
}

/// 0001 is quick; 0002 writes more than SQLite's page cache holds (so a
/// rollback-journal database stays locked for readers until it commits),
/// then counts for minutes.
fn slow(p: &Project) {
    p.revision(
        "0001_quick",
        &[],
        "CREATE TABLE quick (id integer);",
        "DROP TABLE quick;",
    )
    .revision(
        "0002_slow",
        &["0001_quick"],
        "CREATE TABLE big AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) SELECT x, randomblob(200) AS pad FROM c;\n\
         SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000000000) SELECT x FROM c);",
        "DROP TABLE big;",
    );
}

/// Whether a reader finds the database locked right now.
fn locked_for_readers(p: &Project) -> bool {
    let conn = database(p);
    conn.busy_timeout(Duration::ZERO).unwrap();
    match conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| {
        row.get::<_, i64>(0)
    }) {
        Ok(_) => false,
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::DatabaseBusy =>
        {
            true
        }
        Err(e) => panic!("{e}"),
    }
}

fn wal_bytes(p: &Project) -> u64 {
    std::fs::metadata(p.path().join("test.db-wal")).map_or(0, |m| m.len())
}

/// A run that holds the lock far longer than SQLite's busy timeout, then
/// is killed (SIGKILL) halfway through a revision.
///
/// - Another `upgrade --lock-timeout 1s` gives up after a second of
///   waiting on the run lock, naming the run, instead of waiting in silence
///   on SQLite and failing with "database is locked".
/// - `status` with a rollback journal waits for the run (the revision keeps
///   the database locked), saying so, and answers when it is gone; in WAL
///   mode it answers at once and names the run in progress.
/// - Nothing the killed run left (its lock file, a hot journal or WAL)
///   stops the next run, which completes and leaves nothing behind.
fn long_run_then_killed(mode: &str) {
    let p = Project::new(Backend::Sqlite);
    slow(&p);
    journal_mode(&p, mode);
    let logs = tempfile::tempdir().unwrap();

    let mut long = Guarded::spawn(&p, &["upgrade"], &logs.path().join("long"));
    let holder = format!("held by pid {} (", long.id());
    eventually(
        Duration::from_secs(60),
        "the slow revision to be running",
        || {
            run_lock_held(&p)
                && if mode == "wal" {
                    wal_bytes(&p) > 4 << 20
                } else {
                    locked_for_readers(&p)
                }
        },
    );

    let started = Instant::now();
    p.run(&["--lock-timeout", "1s", "upgrade"])
        .failure(1)
        .stderr_has(&format!("waiting for the migration lock, {holder}"))
        .stderr_has("timed out after 1s waiting for the migration lock on sqlite:")
        .stderr_lacks("database is locked");
    assert!(started.elapsed() < Duration::from_secs(20));

    let status_log = logs.path().join("status");
    let mut status = Guarded::spawn(&p, &["status"], &status_log);
    if mode == "wal" {
        let (code, stdout) = status.finish(Duration::from_secs(20));
        assert_eq!(code, Some(0), "{stdout}");
        assert!(stdout.contains("applied:  1 of 2"), "{stdout}");
        assert!(
            stdout.contains(&format!("a run is in progress: pid {} (", long.id())),
            "{stdout}"
        );
    } else {
        eventually(
            Duration::from_secs(20),
            "status to say whom it waits for",
            || {
                std::fs::read_to_string(&status_log)
                    .unwrap()
                    .contains(&format!("waiting for the migration lock, {holder}"))
            },
        );
    }

    long.kill();
    if mode != "wal" {
        let (code, stdout) = status.finish(Duration::from_secs(20));
        let stderr = std::fs::read_to_string(&status_log).unwrap();
        assert_eq!(code, Some(0), "{stdout}{stderr}");
        assert!(stdout.contains("applied:  1 of 2"), "{stdout}");
        assert!(!stdout.contains("in progress"), "{stdout}");
        assert!(!stderr.contains("database is locked"), "{stderr}");
    }

    // The slow revision was never applied: it may be fixed.
    p.file(
        "versions/0002_slow.up.sql",
        "-- Parents: 0001_quick\n\nCREATE TABLE big (x integer);\n",
    );
    p.run(&["upgrade"])
        .success()
        .stdout_has("applied 1 revision");
    assert_eq!(p.applied(), ["0001_quick", "0002_slow"]);
    assert_eq!(p.query("PRAGMA integrity_check"), [["ok"]]);
    assert_eq!(current_journal_mode(&p), mode);
    assert_eq!(folder(&p), ["test.db", "versions"]);
}

#[test]
fn a_long_run_in_wal_mode_then_killed() {
    long_run_then_killed("wal");
}

#[test]
fn a_long_run_with_a_rollback_journal_then_killed() {
    long_run_then_killed("delete");
}
