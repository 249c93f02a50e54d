//! The run lock that keeps two migrator runs apart, and its strategies
//! (`lock = "session" | "table" | "none"`).
//!
//! `session` is each backend's own lock, held by a connection for as long
//! as it lives (PostgreSQL's session advisory lock, SQLite's lock file):
//! [`Database::lock`](super::database::Database::lock).
//!
//! `table` is a row in a table of the bookkeeping schema,
//! `migrator_lock`, that works wherever a table does: through a pooler
//! that hands each transaction to another server session (PgBouncer's
//! transaction pooling), and on engines without advisory locks
//! (CockroachDB). Every statement of it is one short transaction of its
//! own, on a connection of the lock's own, so it holds no server session
//! and no transaction open while the run goes on:
//!
//! - **take**: insert the row (holder, run id, times), or take over a row
//!   whose expiry passed: its run stopped sending heartbeats (killed, its
//!   machine gone). A row that has not expired is someone's: wait, poll,
//!   and tell the user whose it is.
//! - **heartbeat**: while the run goes on, a thread of the lock's own
//!   moves the expiry forward every [`HEARTBEAT`], and the engine does the
//!   same before each revision, which also proves the row is still this
//!   run's: a run that lost it (stalled past [`EXPIRY`], and taken over)
//!   stops before its next revision instead of running beside the new
//!   holder.
//! - **release**: delete the row, if it is still this run's.
//!
//! Time is the database's clock, never the machines' of the runs, so
//! clocks that disagree cannot expire a live run's lock. This module holds
//! the protocol; a backend gives it the statements
//! ([`LockTable`]), and the row's values are
//! [`super::lock_row`]'s.
//!
//! `none` takes no lock: running one migrator at a time is then the
//! user's own business.

use std::fmt;
use std::str::FromStr;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::database::{DbError, LockTable};
use super::lock_row::{Claim, Claimant, LockRow};

/// How migrator keeps two runs on one database apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LockStrategy {
    /// The backend's own lock for the life of a connection: PostgreSQL's
    /// session advisory lock, SQLite's lock file beside the database.
    #[default]
    Session,
    /// A row in `migrator_lock`, each step of it a short transaction of
    /// its own: through transaction poolers and on engines without
    /// advisory locks.
    Table,
    /// No lock: the user makes sure that one run at a time reaches the
    /// database.
    None,
}

impl LockStrategy {
    pub const ALL: [LockStrategy; 3] = [
        LockStrategy::Session,
        LockStrategy::Table,
        LockStrategy::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LockStrategy::Session => "session",
            LockStrategy::Table => "table",
            LockStrategy::None => "none",
        }
    }
}

impl fmt::Display for LockStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LockStrategy {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        LockStrategy::ALL
            .into_iter()
            .find(|strategy| strategy.as_str() == text.trim())
            .ok_or_else(|| {
                format!("`{text}` is not a lock strategy: expected session, table or none")
            })
    }
}

/// How often the holder of a table lock says it is alive.
pub const HEARTBEAT: Duration = Duration::from_secs(5);

/// How long after its last heartbeat a table lock may be taken over: six
/// heartbeats, so that a slow database or a busy machine does not lose it.
pub const EXPIRY: Duration = Duration::from_secs(30);

/// How often a run waiting for a table lock tries it again.
const POLL: Duration = Duration::from_millis(250);

/// A table lock this run holds, with its heartbeat thread. Released by
/// [`TableLock::release`], or, should the process die, by its expiry.
pub struct TableLock {
    run_id: String,
    location: String,
    commands: mpsc::Sender<Command>,
    heartbeat: Option<JoinHandle<Box<dyn LockTable>>>,
}

enum Command {
    /// Refresh now, and say whether the row is still ours.
    Refresh(mpsc::Sender<Result<bool, DbError>>),
    Stop,
}

impl TableLock {
    /// Takes the lock row on `table`, waiting up to `timeout` (`None`: for
    /// ever) while another run holds it. `waiting` hears once, naming the
    /// holder, before the wait; `took_over` hears of an expired row taken
    /// over. `location` names the database in errors.
    pub fn acquire(
        mut table: Box<dyn LockTable>,
        location: &str,
        timeout: Option<Duration>,
        waiting: &mut dyn FnMut(Option<&str>),
        took_over: &mut dyn FnMut(&LockRow),
    ) -> Result<TableLock, DbError> {
        table.ensure()?;
        let claimant = Claimant::current();
        let start = Instant::now();
        let mut told = false;
        loop {
            let row = match table.claim(&claimant, EXPIRY)? {
                Claim::Taken => break,
                Claim::TookOver(row) => {
                    took_over(&row);
                    break;
                }
                Claim::Raced => continue,
                Claim::Held(row) => row,
            };
            if !told {
                told = true;
                waiting(Some(&row.describe()));
            }
            let pause = match timeout {
                Some(limit) if start.elapsed() >= limit => {
                    return Err(DbError::LockTimeout {
                        location: location.to_string(),
                        waited: limit,
                        holder: Some(row.describe()),
                    });
                }
                Some(limit) => POLL.min(limit.saturating_sub(start.elapsed())),
                None => POLL,
            };
            std::thread::sleep(pause);
        }
        let (commands, received) = mpsc::channel();
        let run_id = claimant.run_id.clone();
        let heartbeat = std::thread::Builder::new()
            .name("migrator-lock-heartbeat".into())
            .spawn(move || beat(table, &run_id, &received))
            .map_err(|e| DbError::Other {
                location: location.to_string(),
                message: format!("cannot start the lock's heartbeat: {e}"),
            })?;
        Ok(TableLock {
            run_id: claimant.run_id,
            location: location.to_string(),
            commands,
            heartbeat: Some(heartbeat),
        })
    }

    /// Proves the lock is still this run's and moves its expiry forward:
    /// what the engine asks before each revision. An error when another
    /// run took it over (this one stalled past the expiry), or when the
    /// database cannot say.
    pub fn confirm(&self) -> Result<(), DbError> {
        let (reply, answer) = mpsc::channel();
        let answered = self
            .commands
            .send(Command::Refresh(reply))
            .ok()
            .and_then(|()| answer.recv().ok());
        match answered {
            Some(Ok(true)) => Ok(()),
            Some(Ok(false)) => Err(DbError::Lock {
                location: self.location.clone(),
                message: format!(
                    "this run lost the migration lock (run {}): it went more than {}s without a \
                     heartbeat, and another run took the lock over",
                    &self.run_id[..8],
                    EXPIRY.as_secs()
                ),
                hint: "the revisions applied so far stay applied; run the command again once \
                       the other run is done"
                    .into(),
            }),
            Some(Err(error)) => Err(error),
            None => Err(DbError::Other {
                location: self.location.clone(),
                message: "the lock's heartbeat stopped".into(),
            }),
        }
    }

    /// Stops the heartbeat and deletes the row.
    pub fn release(mut self) -> Result<(), DbError> {
        let _ = self.commands.send(Command::Stop);
        let Some(heartbeat) = self.heartbeat.take() else {
            return Ok(());
        };
        let mut table = heartbeat.join().map_err(|_| DbError::Other {
            location: self.location.clone(),
            message: "the lock's heartbeat failed".into(),
        })?;
        table.release(&self.run_id)
    }
}

impl Drop for TableLock {
    fn drop(&mut self) {
        // Unwinding: the row is released if the database can be told, and
        // expires otherwise.
        if let Some(heartbeat) = self.heartbeat.take() {
            let _ = self.commands.send(Command::Stop);
            if let Ok(mut table) = heartbeat.join() {
                let _ = table.release(&self.run_id);
            }
        }
    }
}

/// The heartbeat thread: refreshes the row every [`HEARTBEAT`] and when
/// asked, until told to stop; gives the connection back for the release.
/// A failed heartbeat is tried again at the next beat: the row stays
/// valid until [`EXPIRY`], and `confirm` reports what persists.
fn beat(
    mut table: Box<dyn LockTable>,
    run_id: &str,
    commands: &mpsc::Receiver<Command>,
) -> Box<dyn LockTable> {
    loop {
        match commands.recv_timeout(HEARTBEAT) {
            Err(RecvTimeoutError::Timeout) => {
                let _ = table.refresh(run_id, EXPIRY);
            }
            Ok(Command::Refresh(reply)) => {
                let _ = reply.send(table.refresh(run_id, EXPIRY));
            }
            Ok(Command::Stop) | Err(RecvTimeoutError::Disconnected) => return table,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn strategies_read_and_print_as_written() {
        for strategy in LockStrategy::ALL {
            assert_eq!(strategy.as_str().parse::<LockStrategy>(), Ok(strategy));
        }
        let error = "advisory".parse::<LockStrategy>().unwrap_err();
        assert!(error.contains("session, table or none"), "{error}");
        assert_eq!(LockStrategy::default(), LockStrategy::Session);
    }

    /// A lock table in memory, for the protocol alone (the backends' own
    /// tests run it against real databases).
    #[derive(Clone, Default)]
    struct Memory(Arc<Mutex<Option<(String, bool)>>>);

    impl LockTable for Memory {
        fn ensure(&mut self) -> Result<(), DbError> {
            Ok(())
        }
        fn claim(&mut self, claimant: &Claimant, _expiry: Duration) -> Result<Claim, DbError> {
            let mut row = self.0.lock().unwrap();
            let held = |run_id: &str, expired| LockRow {
                holder: "pid 1 (other@host)".into(),
                run_id: run_id.into(),
                heartbeat_age: 1.0,
                expired,
            };
            let claim = match row.as_ref() {
                None => Claim::Taken,
                Some((run, true)) => Claim::TookOver(held(run, true)),
                Some((run, false)) => return Ok(Claim::Held(held(run, false))),
            };
            *row = Some((claimant.run_id.clone(), false));
            Ok(claim)
        }
        fn refresh(&mut self, run_id: &str, _expiry: Duration) -> Result<bool, DbError> {
            Ok(self
                .0
                .lock()
                .unwrap()
                .as_ref()
                .is_some_and(|(run, _)| run == run_id))
        }
        fn release(&mut self, run_id: &str) -> Result<(), DbError> {
            let mut row = self.0.lock().unwrap();
            if row.as_ref().is_some_and(|(run, _)| run == run_id) {
                *row = None;
            }
            Ok(())
        }
    }

    fn acquire(
        table: &Memory,
        timeout: Option<Duration>,
    ) -> (Result<TableLock, DbError>, Vec<String>) {
        let heard = std::cell::RefCell::new(Vec::new());
        let lock = TableLock::acquire(
            Box::new(table.clone()),
            "db",
            timeout,
            &mut |holder| {
                heard
                    .borrow_mut()
                    .push(format!("waiting for {}", holder.unwrap_or("?")))
            },
            &mut |row| heard.borrow_mut().push(format!("took over {}", row.run_id)),
        );
        (lock, heard.into_inner())
    }

    #[test]
    fn a_held_lock_times_out_naming_its_holder_and_a_released_one_is_free() {
        let table = Memory::default();
        let (first, heard) = acquire(&table, None);
        let first = first.unwrap();
        assert!(heard.is_empty());
        first.confirm().unwrap();
        let (second, heard) = acquire(&table, Some(Duration::from_millis(300)));
        match second {
            Err(DbError::LockTimeout {
                holder: Some(holder),
                ..
            }) => {
                assert!(holder.starts_with("pid 1 (other@host), run "), "{holder}");
            }
            other => panic!("{:?}", other.map(|_| ())),
        }
        assert_eq!(heard.len(), 1, "told once: {heard:?}");
        first.release().unwrap();
        assert!(table.0.lock().unwrap().is_none());
        let (third, _) = acquire(&table, Some(Duration::ZERO));
        third.unwrap().release().unwrap();
    }

    #[test]
    fn an_expired_lock_is_taken_over_and_its_old_run_learns_it_lost_it() {
        let table = Memory::default();
        let (first, _) = acquire(&table, None);
        let first = first.unwrap();
        // The first run stalls past its expiry.
        table.0.lock().unwrap().as_mut().unwrap().1 = true;
        let (second, heard) = acquire(&table, Some(Duration::ZERO));
        let second = second.unwrap();
        assert_eq!(heard.len(), 1);
        assert!(heard[0].starts_with("took over "), "{heard:?}");
        match first.confirm() {
            Err(DbError::Lock { message, .. }) => {
                assert!(message.contains("lost the migration lock"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        // Releasing the lost lock leaves the new holder's row alone.
        first.release().unwrap();
        second.confirm().unwrap();
        second.release().unwrap();
    }
}
