//! The database file: its connection, opened when first needed (a file
//! that does not exist is created by the first write, never by a read),
//! SQLite's busy timeout, and the lock that keeps two migrator runs apart.
//!
//! Two runs are kept apart by an exclusive lock on a file beside the
//! database (`app.db.lock`): SQLite's own write lock lasts one transaction,
//! and each revision commits on its own.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use crate::db::database::DbError;

/// A SQLite database file (or `sqlite::memory:`, when `path` is `None`)
/// and the lock file beside it.
pub struct DatabaseFile {
    path: Option<PathBuf>,
    location: String,
    conn: Option<Connection>,
    lock_path: Option<PathBuf>,
    lock_file: Option<File>,
}

impl DatabaseFile {
    /// The database at `path`; nothing is opened or created yet.
    pub fn open(path: Option<PathBuf>, location: String) -> DatabaseFile {
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
            lock_file: None,
        }
    }

    /// Where the database is, for messages.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The connection, to read: `None` while the file does not exist, which
    /// reads as a database with nothing in it. Reading never creates it.
    pub fn reader(&mut self) -> Result<Option<&Connection>, DbError> {
        if self.conn.is_none()
            && let Some(path) = &self.path
            && !path.exists()
        {
            return Ok(None);
        }
        // An existing file is opened without the right to create it, so a
        // file removed meanwhile is an error, not a new empty database.
        self.connect(OpenFlags::SQLITE_OPEN_READ_WRITE).map(Some)
    }

    /// The connection, to write: the file is created if it does not exist.
    pub fn writer(&mut self) -> Result<&Connection, DbError> {
        self.connect(OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)
    }

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
            // Other programs may be reading the file; wait for them rather
            // than failing a deploy.
            conn.busy_timeout(Duration::from_secs(60))
                .map_err(|e| other(&self.location, e))?;
            self.conn = Some(conn);
        }
        Ok(self.conn.as_ref().expect("opened above"))
    }

    fn exec(&mut self, sql: &str) -> Result<(), DbError> {
        let location = self.location.clone();
        self.writer()?
            .execute_batch(sql)
            .map_err(|e| other(&location, e))
    }

    /// Takes the run lock, for the rest of the session; `waiting` hears
    /// once who holds it before this waits. `None` waits for ever.
    pub fn lock(
        &mut self,
        timeout: Option<Duration>,
        waiting: &mut dyn FnMut(Option<&str>),
    ) -> Result<(), DbError> {
        let Some(path) = &self.lock_path else {
            return Ok(());
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| other(&format!("{}", path.display()), e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim().to_string();
                waiting((!holder.is_empty()).then_some(holder.as_str()));
                match timeout {
                    None => file.lock().map_err(|e| other(&self.location, e))?,
                    Some(limit) => {
                        let start = Instant::now();
                        loop {
                            match file.try_lock() {
                                Ok(()) => break,
                                Err(TryLockError::WouldBlock) if start.elapsed() < limit => {
                                    std::thread::sleep(Duration::from_millis(20))
                                }
                                Err(TryLockError::WouldBlock) => {
                                    return Err(DbError::LockTimeout {
                                        location: self.location.clone(),
                                        waited: limit,
                                        holder: (!holder.is_empty()).then_some(holder),
                                    });
                                }
                                Err(TryLockError::Error(e)) => {
                                    return Err(other(&self.location, e));
                                }
                            }
                        }
                    }
                }
            }
            Err(TryLockError::Error(e)) => return Err(other(&self.location, e)),
        }
        // Tell a process that has to wait whom it waits for.
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = write!(
            file,
            "pid {} ({})",
            std::process::id(),
            crate::record::operator::os_user()
        );
        self.lock_file = Some(file);
        // While a run holds the lock, SQLite's own write lock stays with it
        // from its first commit to the end of the run: each commit then
        // zeroes and syncs the rollback journal instead of deleting and
        // recreating it (the same syncs, so the same durability, with a
        // quarter less time per revision), and no other connection sees the
        // schema halfway through a run.
        self.exec("PRAGMA locking_mode = EXCLUSIVE")
    }

    /// Releases the lock taken by [`DatabaseFile::lock`].
    pub fn unlock(&mut self) -> Result<(), DbError> {
        if self.lock_file.is_some() {
            // Back to normal locking; SQLite lets go of its lock at the next
            // access of the file, and deletes the journal.
            self.exec("PRAGMA locking_mode = NORMAL")?;
            self.exec("SELECT count(*) FROM sqlite_schema")?;
        }
        if let Some(file) = self.lock_file.take() {
            let _ = file.set_len(0);
            file.unlock().map_err(|e| other(&self.location, e))?;
        }
        Ok(())
    }
}

/// A driver or file error, as the layer reports it.
pub fn other(location: &str, error: impl std::fmt::Display) -> DbError {
    DbError::Other {
        location: location.to_string(),
        message: error.to_string(),
    }
}
