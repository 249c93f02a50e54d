//! Concurrency torture on PostgreSQL: many `upgrade` processes started at
//! once against one database and a long folder. Every process must exit 0,
//! and every revision be applied exactly once: its insert into a table with
//! a primary key would fail a second time, and the log must name it once.
//!
//! Long: `#[ignore]`d in the normal suite (which has an 8-process version in
//! postgres_backend.rs); `scripts/torture` runs it with `--ignored`.
//! Budget: `TORTURE_PROCESSES` (default 32) processes, `TORTURE_REVISIONS`
//! (default 200) revisions.

mod support;
mod torture_support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use support::{Backend, Project};
use torture_support::{budget, report};

#[test]
#[ignore = "long: scripts/torture runs it"]
fn postgres_simultaneous_upgrades_apply_each_revision_once() {
    let processes = budget("TORTURE_PROCESSES", 32);
    let revisions = budget("TORTURE_REVISIONS", 200);
    let p = Project::new(Backend::Postgres);
    let ids: Vec<String> = (1..=revisions).map(|n| format!("{n:04}_r{n}")).collect();
    for (i, id) in ids.iter().enumerate() {
        let parents: Vec<&str> = i
            .checked_sub(1)
            .map(|j| ids[j].as_str())
            .into_iter()
            .collect();
        let create = if i == 0 {
            "CREATE TABLE ran (id text PRIMARY KEY, pid integer NOT NULL);\n"
        } else {
            ""
        };
        // A table of its own too, so each revision does some DDL; the
        // backend's pid tells which process ran it.
        p.revision(
            id,
            &parents,
            &format!(
                "{create}CREATE TABLE c{n} (id integer);\n\
                 INSERT INTO ran VALUES ('{id}', pg_backend_pid());",
                n = i + 1
            ),
            &format!(
                "DROP TABLE c{n};\nDELETE FROM ran WHERE id = '{id}';",
                n = i + 1
            ),
        );
    }

    let started = Instant::now();
    // One waiting thread per process, so each wall time ends when its
    // process does.
    let waiting: Vec<_> = (0..processes)
        .map(|_| {
            let start = Instant::now();
            let running = p.spawn(&["--lock-timeout", "300s", "upgrade"]);
            std::thread::spawn(move || {
                let run = running.wait();
                (start.elapsed(), run)
            })
        })
        .collect();
    let mut walls = Vec::with_capacity(processes);
    let mut applied_by_processes: BTreeMap<String, usize> = BTreeMap::new();
    let mut failed = Vec::new();
    let mut nothing_to_do = 0;
    for (i, waiter) in waiting.into_iter().enumerate() {
        let (wall, run) = waiter.join().unwrap();
        walls.push(wall);
        if run.code != Some(0) {
            failed.push(format!("process {i}: {run:?}"));
            continue;
        }
        // Each applied revision is a line `applied  ID  MESSAGE (TIME)`,
        // and the last line sums them up, or says there was nothing to do.
        for line in run.stdout.lines() {
            if let Some(rest) = line.strip_prefix("applied  ") {
                let id = rest.split_whitespace().next().unwrap_or_default();
                *applied_by_processes.entry(id.to_string()).or_default() += 1;
            }
        }
        let last = run.stdout.lines().last().unwrap_or_default();
        nothing_to_do += usize::from(last.starts_with("nothing to do"));
        assert!(
            last.starts_with("applied ") || last.starts_with("nothing to do"),
            "process {i}: {run:?}"
        );
    }
    let total = started.elapsed();
    let applying_processes = walls.len() - nothing_to_do;
    let max = walls.iter().max().copied().unwrap_or_default();
    let mean = walls.iter().sum::<Duration>() / u32::try_from(walls.len().max(1)).unwrap();

    let ran = p.query("SELECT id FROM ran ORDER BY id");
    let ran: Vec<String> = ran.into_iter().map(|mut row| row.remove(0)).collect();
    let sessions: BTreeMap<String, usize> = p
        .query("SELECT pid::text, count(*)::text FROM ran GROUP BY pid")
        .into_iter()
        .map(|row| (row[0].clone(), row[1].parse().unwrap()))
        .collect();
    let logged = p.query(
        "SELECT revision, count(*)::text FROM migrator_log WHERE event = 'upgrade' \
         GROUP BY revision HAVING count(*) <> 1",
    );
    eprintln!(
        "concurrency postgres: {processes} processes, {revisions} revisions in {total:?}; \
         wall time per process: max {max:?}, mean {mean:?}; the revisions were run by {} \
         sessions, applied by {} processes",
        sessions.len(),
        applying_processes
    );
    report(&format!(
        "processes concurrency-postgres {processes} max_wall_ms={} mean_wall_ms={} revisions={revisions}",
        max.as_millis(),
        mean.as_millis()
    ));
    let mut wrong = failed;
    if ran != ids {
        wrong.push(format!(
            "{} revisions ran, {} expected",
            ran.len(),
            ids.len()
        ));
    }
    if p.applied() != ids {
        wrong.push("the recorded revisions are not the folder's, in order".to_string());
    }
    if !logged.is_empty() {
        wrong.push(format!("logged other than once: {logged:?}"));
    }
    let logged_events = p.query("SELECT count(*) FROM migrator_log");
    if logged_events[0][0] != revisions.to_string() {
        wrong.push(format!(
            "{} log events, not one upgrade per revision",
            logged_events[0][0]
        ));
    }
    let said_once = ids
        .iter()
        .all(|id| applied_by_processes.get(id) == Some(&1));
    if !said_once || applied_by_processes.len() != revisions {
        let not_once: Vec<String> = ids
            .iter()
            .filter(|id| applied_by_processes.get(*id) != Some(&1))
            .map(|id| format!("{id} ({}x)", applied_by_processes.get(id).unwrap_or(&0)))
            .collect();
        wrong.push(format!(
            "the processes do not say they applied each revision once: {}",
            not_once.join(", ")
        ));
    }
    if !wrong.is_empty() {
        report(&format!(
            "failure concurrency-postgres {} {}",
            wrong.len(),
            wrong.join("; ").replace('\n', " ")
        ));
        panic!("{}", wrong.join("\n"));
    }
}
