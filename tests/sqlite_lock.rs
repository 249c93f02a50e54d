//! SQLite's run lock through the real binary: concurrent runs in WAL and
//! rollback-journal mode, readers beside a run, and what is left beside the
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
    const PROCESSES: usize = 8;
    const REVISIONS: usize = 30;
    let p = Project::new(Backend::Sqlite);
    chain(&p, REVISIONS);
    journal_mode(&p, mode);

    let start = Instant::now();
    let mut runs: Vec<_> = (0..PROCESSES)
        .map(|_| Some(p.spawn(&["upgrade"])))
        .collect();
    let mut walls = vec![None; PROCESSES];
    while walls.iter().any(Option::is_none) {
        for (i, run) in runs.iter_mut().enumerate() {
            if walls[i].is_none()
                && let Some(running) = run
                && running.child.try_wait().unwrap().is_some()
            {
                walls[i] = Some(start.elapsed());
            }
        }
        if start.elapsed() > Duration::from_secs(60) {
            for run in runs.iter_mut().flatten() {
                let _ = run.child.kill();
            }
            panic!("{mode}: runs still going after 60 s: {walls:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let outputs: Vec<_> = runs.into_iter().map(|run| run.unwrap().wait()).collect();
    for output in &outputs {
        output.success();
    }
    let applying = outputs
        .iter()
        .filter(|o| o.stdout.contains(&format!("applied {REVISIONS} revisions")))
        .count();
    assert_eq!(applying, 1, "{outputs:#?}");
    let max = walls.iter().flatten().max().unwrap();
    // The work is a few hundred milliseconds; the failures were 60 s
    // timeouts and runs that never ended.
    assert!(
        *max < Duration::from_secs(15),
        "{mode}: slowest run {max:?}"
    );

    assert_eq!(
        p.query("SELECT count(*), count(DISTINCT id) FROM migrator_revisions"),
        [[REVISIONS.to_string(), REVISIONS.to_string()]]
    );
    assert_eq!(
        p.query("SELECT count(*) FROM migrator_log WHERE event = 'upgrade'"),
        [[REVISIONS.to_string()]]
    );
    assert_eq!(current_journal_mode(&p), mode);
    assert_eq!(folder(&p), ["test.db", "versions"]);
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
