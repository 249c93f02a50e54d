//! An async application migrates at start-up from inside its runtime: a
//! real PostgreSQL database and a SQLite file, through the async entry
//! point and through the blocking API called on the runtime's own thread,
//! on Tokio's multi-thread and current-thread runtimes.

#[macro_use]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use migrator::Migrator;
use support::{Backend, Project};

/// Runs `work` on a thread outside the runtime: the test harness's own
/// PostgreSQL client is the blocking `postgres` crate, which may not run
/// inside one.
fn outside_runtime<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| scope.spawn(work).join().unwrap())
}

/// A project with two revisions; the second sleeps a little on
/// PostgreSQL, long enough for other tasks to show they ran meanwhile.
fn project(backend: Backend) -> Project {
    let p = Project::new(backend);
    let pause = match backend {
        Backend::Postgres => "SELECT pg_sleep(0.3);",
        Backend::Mysql => "DO SLEEP(0.3);",
        Backend::Sqlite => "",
    };
    p.revision(
        "0001_users",
        &[],
        "CREATE TABLE users (id integer PRIMARY KEY);",
        "DROP TABLE users;",
    )
    .revision(
        "0002_posts",
        &["0001_users"],
        &format!("CREATE TABLE posts (id integer PRIMARY KEY);\n{pause}"),
        "DROP TABLE posts;",
    );
    p
}

fn migrator(p: &Project) -> Migrator {
    Migrator::from_dir(p.path().join("versions"))
        .unwrap()
        .with_database_url(p.url())
        .unwrap()
}

/// The blocking API on the runtime's thread, then the async entry point
/// while another task ticks: each applies its revision, and the ticker
/// goes on while the async one runs.
async fn migrates_from_inside_the_runtime(backend: Backend) {
    let p = outside_runtime(|| project(backend));

    let mut blocking = migrator(&p);
    let report = blocking.upgrade("0001_users").unwrap();
    assert_eq!(report.steps.len(), 1);
    assert_eq!(report.steps[0].revision.id, "0001_users");

    let ticks = Arc::new(AtomicUsize::new(0));
    let ticker = tokio::spawn({
        let ticks = Arc::clone(&ticks);
        async move {
            loop {
                tokio::time::sleep(Duration::from_millis(10)).await;
                ticks.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    let report = migrator(&p).upgrade_async("head").await.unwrap();
    assert_eq!(report.steps.len(), 1);
    assert_eq!(report.steps[0].revision.id, "0002_posts");
    if backend != Backend::Sqlite {
        // 0.3 s of sleep: a runtime blocked on it would not have ticked.
        let ticked = ticks.load(Ordering::SeqCst);
        assert!(
            ticked >= 5,
            "the runtime ran {ticked} ticks during the upgrade"
        );
    }
    ticker.abort();

    // The blocking migrator's connection is still good, and sees the run.
    let status = blocking.status().unwrap();
    assert_eq!(status.applied, ["0001_users", "0002_posts"]);
    assert!(status.pending.is_empty());
    // Closing a connection inside the runtime must not panic either.
    drop(blocking);

    let status = migrator(&p)
        .run_async(|mut migrator| migrator.status())
        .await
        .unwrap();
    assert_eq!(status.applied, ["0001_users", "0002_posts"]);
    outside_runtime(move || {
        assert_eq!(p.applied(), ["0001_users", "0002_posts"]);
        drop(p);
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_on_a_multi_thread_runtime() {
    migrates_from_inside_the_runtime(Backend::Postgres).await;
}

#[tokio::test(flavor = "current_thread")]
async fn postgres_on_a_current_thread_runtime() {
    migrates_from_inside_the_runtime(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_on_a_multi_thread_runtime() {
    migrates_from_inside_the_runtime(Backend::Mysql).await;
}

#[tokio::test(flavor = "current_thread")]
async fn mysql_on_a_current_thread_runtime() {
    migrates_from_inside_the_runtime(Backend::Mysql).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_on_a_multi_thread_runtime() {
    migrates_from_inside_the_runtime(Backend::Sqlite).await;
}

#[tokio::test(flavor = "current_thread")]
async fn sqlite_on_a_current_thread_runtime() {
    migrates_from_inside_the_runtime(Backend::Sqlite).await;
}

/// A failing revision is an error value from the async entry point too,
/// naming its file and line.
#[tokio::test(flavor = "current_thread")]
async fn a_failing_revision_is_an_error_from_the_async_entry_point() {
    let p = outside_runtime(|| {
        let p = Project::new(Backend::Postgres);
        p.revision(
            "0001_bad",
            &[],
            "CREATE TABLE t (id integer);\nSELECT nope;",
            "",
        );
        p
    });
    let error = migrator(&p).upgrade_async("head").await.unwrap_err();
    let text = error.to_string();
    assert!(text.contains("0001_bad") && text.contains("nope"), "{text}");
    let location = error.diagnostic().location().unwrap_or_default();
    assert!(
        location.ends_with("versions/0001_bad.up.sql:5:8"),
        "{location}"
    );
    outside_runtime(move || {
        assert!(p.applied().is_empty());
        drop(p);
    });
}
