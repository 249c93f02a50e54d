//! The database file: its connection, opened when first needed (a file
//! that does not exist is created by the first write, never by a read),
//! how reads wait for a run, and the run lock.
//!
//! Two migrator runs are kept apart by the run lock, an exclusive lock on a
//! file beside the database (`app.db.lock`, see [`lock_file`]) that exists
//! only while a run holds it: SQLite's own write lock lasts one
//! transaction, and each revision commits on its own.
//!
//! A process that waits for the run lock keeps no connection open while it
//! waits: it closes the one it read with and opens a new one once it holds
//! the lock, so that nothing the holder does can wait for the processes
//! queued behind it. (The holder used to keep SQLite's lock for the whole
//! run, `locking_mode = EXCLUSIVE`, which in WAL mode needs every other
//! connection closed: the queue and the holder waited for each other.)
//!
//! The run takes nothing more than SQLite's usual locks, one transaction at
//! a time, so other connections read between its revisions, and in WAL mode
//! even during them. With a rollback journal it keeps the journal file
//! during the run (`journal_mode = PERSIST`: a commit zeroes and syncs the
//! journal's header instead of deleting the file, to create it again at the
//! next revision) and switches back to `DELETE` at the end, which removes
//! it. Only a `DELETE` journal is switched; a WAL database's mode is never
//! touched.
//!
//! Commands that only read (`status`, `current`, `history -v`, the first
//! look of every `upgrade`) take no lock and read what is committed. Only
//! when the database stays locked (a revision that changes more than
//! SQLite's cache holds keeps the write lock of a rollback-journal database
//! until it commits) do they check whether a migrator run holds the run
//! lock, and then wait for that run to end, in shared mode, saying whom they
//! wait for and honouring the lock timeout. What stays locked with no run
//! in progress is another program's doing: SQLite's busy timeout applies.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use super::lock_file::{self, LockError, LockFile};
use crate::db::database::{ConnectOptions, DbError, LockWaitNotice};

/// How long a run waits for other connections (another program's
/// transaction, a reader in the middle of a commit) before "database is
/// locked".
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a read waits for the database before it checks whether a
/// migrator run is what holds it: longer than a commit of a run takes.
const READ_PATIENCE: Duration = Duration::from_secs(1);

/// A SQLite database file (or `sqlite::memory:`, when `path` is `None`)
/// and the run lock beside it.
pub struct DatabaseFile {
    path: Option<PathBuf>,
    location: String,
    /// `None` until first needed, and while a waiter has closed it.
    conn: Option<Connection>,
    lock_path: Option<PathBuf>,
    lock: Option<LockFile>,
    /// The run switched the journal from `DELETE` to `PERSIST`.
    persisting: bool,
    read_timeout: Option<Duration>,
    notice: Option<LockWaitNotice>,
}

impl DatabaseFile {
    /// The database at `path`; nothing is opened or created yet.
    pub fn open(path: Option<PathBuf>, location: String, options: &ConnectOptions) -> DatabaseFile {
        let lock_path = path.as_ref().map(|p| {
            let mut name = p.as_os_str().to_owned();
            name.push(".lock");
            PathBuf::from(name)
        });
        DatabaseFile {
            path,
            location,
            conn: None,
            lock_path,
            lock: None,
            persisting: false,
            read_timeout: options.lock_timeout,
            notice: options.lock_notice,
        }
    }

    /// The file; `None` for `:memory:`.
    pub fn path(&self) -> Option<&PathBuf> {
        self.path.as_ref()
    }

    /// The connection, to write, as patient with other connections as a
    /// run is: for a run under the table lock, which takes no lock file.
    pub fn patient_writer(&mut self) -> Result<(), DbError> {
        let location = self.location.clone();
        self.writer()?
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| other(&location, e))
    }

    /// Where the database is, for messages.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// False while the file does not exist: it reads as a database with
    /// nothing in it.
    pub fn exists(&self) -> bool {
        match &self.path {
            Some(path) => self.conn.is_some() || path.exists(),
            None => true,
        }
    }

    /// Runs a query that reads, waiting for a migrator run that keeps the
    /// database locked (see the module's documentation); `None` while the
    /// file does not exist. Reading never creates it.
    pub fn read<T>(
        &mut self,
        query: impl Fn(&Connection) -> rusqlite::Result<T>,
    ) -> Result<Option<T>, DbError> {
        if !self.exists() {
            return Ok(None);
        }
        // An existing file is opened without the right to create it, so a
        // file removed meanwhile is an error, not a new empty database.
        self.connect(OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        let conn = self.conn.as_ref().expect("connected above");
        let lock_path = match (&self.lock, &self.lock_path) {
            (None, Some(path)) => path.clone(),
            // The run reads what it wrote; an in-memory database has no
            // other connection.
            _ => return query(conn).map(Some).map_err(|e| other(&self.location, e)),
        };
        let start = Instant::now();
        let mut deadline = None;
        loop {
            let conn = self.conn.as_ref().expect("connected above");
            let error = match query(conn) {
                Err(error) if is_busy(&error) => error,
                result => return result.map(Some).map_err(|e| other(&self.location, e)),
            };
            let timeout = self.read_timeout;
            let deadline = *deadline.get_or_insert_with(|| timeout.map(|t| Instant::now() + t));
            let notice = self.notice;
            let waited = lock_file::wait_for_run(&lock_path, deadline, &mut |holder| {
                if let Some(notice) = notice {
                    notice(holder, timeout)
                }
            })
            .map_err(|e| self.lock_error(e, timeout))?;
            if !waited && start.elapsed() >= BUSY_TIMEOUT {
                return Err(other(&self.location, error));
            }
        }
    }

    /// The connection, to write: the file is created if it does not exist.
    pub fn writer(&mut self) -> Result<&Connection, DbError> {
        self.connect(OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)
    }

    /// Opens the connection unless it is open, patient as a reader is.
    fn connect(&mut self, flags: OpenFlags) -> Result<&Connection, DbError> {
        if self.conn.is_none() {
            let flags = flags | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let opened = match &self.path {
                Some(path) => Connection::open_with_flags(path, flags),
                None => Connection::open_in_memory(),
            };
            let conn = opened.map_err(|e| DbError::Connect {
                location: self.location.clone(),
                message: e.to_string(),
                hint: Some("check that the folder exists and is writable".into()),
            })?;
            conn.busy_timeout(READ_PATIENCE)
                .map_err(|e| other(&self.location, e))?;
            self.conn = Some(conn);
        }
        Ok(self.conn.as_ref().expect("opened above"))
    }

    /// Closes the connection while this process waits for the run lock: see
    /// the module's documentation. An in-memory database has nothing to
    /// wait for, and would lose its content.
    fn disconnect(&mut self) {
        if self.path.is_some() {
            self.conn = None;
        }
    }

    fn lock_error(&self, error: LockError, timeout: Option<Duration>) -> DbError {
        match error {
            LockError::TimedOut { holder } => DbError::LockTimeout {
                location: self.location.clone(),
                waited: timeout.unwrap_or_default(),
                holder,
            },
            LockError::Io(error) => match &self.lock_path {
                Some(path) => other(&path.display().to_string(), error),
                None => other(&self.location, error),
            },
        }
    }

    /// Takes the run lock, for the rest of the session; `waiting` hears
    /// once who holds it before this waits. `None` waits for ever.
    pub fn lock(
        &mut self,
        timeout: Option<Duration>,
        waiting: &mut dyn FnMut(Option<&str>),
    ) -> Result<(), DbError> {
        let Some(lock_path) = self.lock_path.clone() else {
            return Ok(());
        };
        let holder = format!(
            "pid {} ({})",
            std::process::id(),
            crate::record::operator::os_user()
        );
        let deadline = timeout.map(|t| Instant::now() + t);
        let acquired = LockFile::acquire(&lock_path, &holder, deadline, &mut |holder| {
            self.disconnect();
            waiting(holder);
        });
        match acquired {
            Ok(lock) => self.lock = Some(lock),
            Err(error) => return Err(self.lock_error(error, timeout)),
        }
        self.begin_run().inspect_err(|_| {
            let _ = self.unlock();
        })
    }

    /// What a run does once it holds the run lock.
    fn begin_run(&mut self) -> Result<(), DbError> {
        let location = self.location.clone();
        let conn = self.writer()?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| other(&location, e))?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .map_err(|e| other(&location, e))?;
        if mode.eq_ignore_ascii_case("delete") {
            conn.query_row("PRAGMA journal_mode = PERSIST", [], |_| Ok(()))
                .map_err(|e| other(&location, e))?;
            self.persisting = true;
        }
        Ok(())
    }

    /// Releases the lock taken by [`DatabaseFile::lock`].
    pub fn unlock(&mut self) -> Result<(), DbError> {
        let Some(lock) = self.lock.take() else {
            return Ok(());
        };
        if let Some(conn) = &self.conn {
            // Unless a revision chose a journal mode of its own (WAL, say).
            if std::mem::take(&mut self.persisting)
                && conn
                    .query_row("PRAGMA journal_mode", [], |row| row.get::<_, String>(0))
                    .is_ok_and(|mode| mode.eq_ignore_ascii_case("persist"))
            {
                // Removes the journal. Should another connection be writing
                // at this instant, the file stays, and that connection
                // removes it when it commits: nothing here is worth failing
                // a run for.
                let _ = conn.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()));
            }
            let _ = conn.busy_timeout(READ_PATIENCE);
        }
        lock.release()
            .map_err(|e| self.lock_error(LockError::Io(e), None))
    }

    /// Who holds the run lock, when another process does.
    pub fn lock_holder(&self) -> Result<Option<String>, DbError> {
        match &self.lock_path {
            Some(path) if self.lock.is_none() => {
                lock_file::holder(path).map_err(|e| other(&self.location, e))
            }
            _ => Ok(None),
        }
    }
}

fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::DatabaseBusy)
}

/// A driver or file error, as the layer reports it.
pub fn other(location: &str, error: impl std::fmt::Display) -> DbError {
    DbError::Other {
        location: location.to_string(),
        message: error.to_string(),
    }
}
