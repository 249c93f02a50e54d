//! The run lock of a database that has no lock of its own to lend (SQLite):
//! an advisory lock (`flock` on Unix) on a file beside the database. A run
//! holds it exclusively and writes who it is into it; a process that only
//! reads may wait for it in shared mode.
//!
//! The file exists only while a run holds it: the holder removes it before
//! letting go, so nothing is left beside the database for `git status` to
//! show. That opens the classic race, which [`LockFile::acquire`] closes: a
//! waiter blocked on the old file wakes up holding a lock on a file that no
//! longer has a name, while a newcomer has created and locked a fresh one.
//! So after locking, the path must still name the file that was locked
//! (same device and inode); if not, the lock is worthless and taken again.
//!
//! The kernel lets go of the lock when its holder dies, even by SIGKILL;
//! the file a killed run leaves behind is simply locked by the next run and
//! removed when that run ends. Off Unix an open file cannot be removed
//! safely, so the file stays there, empty, between runs.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often a wait with a deadline tries the lock again.
const POLL: Duration = Duration::from_millis(20);

/// How long a lock found taken is tried again before calling it a wait. A
/// reader that only looks who holds it (`status`) takes it in shared mode
/// for a few microseconds; a run must not announce a wait, nor close its
/// connection, for that.
const GRACE: Duration = Duration::from_millis(30);

/// Why a lock was not taken.
#[derive(Debug)]
pub(crate) enum LockError {
    /// The deadline passed; the holder as its file describes it.
    TimedOut {
        holder: Option<String>,
    },
    Io(io::Error),
}

impl From<io::Error> for LockError {
    fn from(error: io::Error) -> Self {
        LockError::Io(error)
    }
}

/// The exclusive lock of one run, released by [`LockFile::release`] (or,
/// if the process dies, by the kernel).
#[derive(Debug)]
pub(crate) struct LockFile {
    file: File,
    path: PathBuf,
}

impl LockFile {
    /// Takes the exclusive lock on `path`, creating the file, and writes
    /// `holder` into it for the processes that wait. When the lock is taken
    /// by someone else, `before_waiting` hears once, with the holder's
    /// description when it has one, before the wait starts. `None` waits
    /// for ever.
    pub(crate) fn acquire(
        path: &Path,
        holder: &str,
        deadline: Option<Instant>,
        before_waiting: &mut dyn FnMut(Option<&str>),
    ) -> Result<LockFile, LockError> {
        let mut told = false;
        loop {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)?;
            if !try_for(&file, GRACE, Mode::Exclusive)? {
                if !told {
                    told = true;
                    before_waiting(description(&file).as_deref());
                }
                if !wait(&file, deadline, Mode::Exclusive)? {
                    return Err(LockError::TimedOut {
                        holder: current_holder(path),
                    });
                }
            }
            if names(path, &file)? {
                let mut lock = LockFile {
                    file,
                    path: path.to_path_buf(),
                };
                lock.describe(holder)?;
                return Ok(lock);
            }
            // The holder removed the file while we waited for it: the lock
            // we hold is on a file nobody else will ever open.
        }
    }

    fn describe(&mut self, holder: &str) -> io::Result<()> {
        self.file.set_len(0)?;
        self.file.rewind()?;
        self.file.write_all(holder.as_bytes())
    }

    /// Removes the file, then lets go of the lock. Removing first is what
    /// makes a waiter on this file see, once it holds the lock, that it
    /// must start over on a fresh one.
    pub(crate) fn release(self) -> io::Result<()> {
        if cfg!(unix) {
            // Only the holder removes the file, so the path names it; unless
            // someone removed it by hand and another run made a new one,
            // which is that run's to remove.
            if names(&self.path, &self.file)? {
                match std::fs::remove_file(&self.path) {
                    Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
                    _ => {}
                }
            }
        } else {
            self.file.set_len(0)?;
        }
        self.file.unlock()
    }
}

/// Whether a run holds the lock on `path`, and then its description
/// (empty when it has not written one yet). Never creates the file.
pub(crate) fn holder(path: &Path) -> io::Result<Option<String>> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    match file.try_lock_shared() {
        Ok(()) => Ok(None),
        Err(TryLockError::WouldBlock) => Ok(Some(description(&file).unwrap_or_default())),
        Err(TryLockError::Error(error)) => Err(error),
    }
}

/// Waits until no run holds the lock on `path` (at most until `deadline`),
/// telling `before_waiting` once if it has to wait. Returns whether it
/// waited. Takes nothing: the caller reads, and a run may start meanwhile.
pub(crate) fn wait_for_run(
    path: &Path,
    deadline: Option<Instant>,
    before_waiting: &mut dyn FnMut(Option<&str>),
) -> Result<bool, LockError> {
    let mut waited = false;
    loop {
        // Read-only, and never created: a reader may not be allowed to
        // write beside the database, and must leave nothing there.
        let file = match File::open(path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(waited),
            Err(error) => return Err(error.into()),
        };
        if !try_for(&file, Duration::ZERO, Mode::Shared)? {
            if !waited {
                waited = true;
                before_waiting(description(&file).as_deref());
            }
            if !wait(&file, deadline, Mode::Shared)? {
                return Err(LockError::TimedOut {
                    holder: current_holder(path),
                });
            }
        }
        if names(path, &file)? {
            return Ok(waited);
        }
    }
}

#[derive(Clone, Copy)]
enum Mode {
    Exclusive,
    Shared,
}

fn try_lock(file: &File, mode: Mode) -> io::Result<bool> {
    let result = match mode {
        Mode::Exclusive => file.try_lock(),
        Mode::Shared => file.try_lock_shared(),
    };
    match result {
        Ok(()) => Ok(true),
        Err(TryLockError::WouldBlock) => Ok(false),
        Err(TryLockError::Error(error)) => Err(error),
    }
}

/// Tries the lock, and again for `patience`.
fn try_for(file: &File, patience: Duration, mode: Mode) -> io::Result<bool> {
    let start = Instant::now();
    loop {
        if try_lock(file, mode)? {
            return Ok(true);
        }
        if start.elapsed() >= patience {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Blocks until the lock is taken (true) or the deadline passes (false).
fn wait(file: &File, deadline: Option<Instant>, mode: Mode) -> io::Result<bool> {
    let Some(deadline) = deadline else {
        match mode {
            Mode::Exclusive => file.lock()?,
            Mode::Shared => file.lock_shared()?,
        }
        return Ok(true);
    };
    loop {
        if try_lock(file, mode)? {
            return Ok(true);
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(false);
        }
        std::thread::sleep(POLL.min(deadline - now));
    }
}

/// What the holder wrote into its file, if anything.
fn description(mut file: &File) -> Option<String> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.read_to_string(&mut text).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The description in the file the path names now: after a long wait the
/// run in the way may not be the one first waited for.
fn current_holder(path: &Path) -> Option<String> {
    File::open(path).ok().as_ref().and_then(description)
}

/// Whether `path` still names the open `file`.
#[cfg(unix)]
fn names(path: &Path, file: &File) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let open = file.metadata()?;
    match std::fs::metadata(path) {
        Ok(named) => Ok(named.dev() == open.dev() && named.ino() == open.ino()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(error),
    }
}

/// Off Unix the file is never removed, so the path names the file opened.
#[cfg(not(unix))]
fn names(_path: &Path, _file: &File) -> io::Result<bool> {
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(dir: &tempfile::TempDir) -> PathBuf {
        dir.path().join("app.db.lock")
    }

    #[test]
    fn a_run_leaves_no_file_and_says_who_it_is_while_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let path = path(&dir);
        assert_eq!(holder(&path).unwrap(), None);
        let lock = LockFile::acquire(&path, "pid 1 (a@b)", None, &mut |_| {
            panic!("nobody else holds it")
        })
        .unwrap();
        assert_eq!(holder(&path).unwrap().as_deref(), Some("pid 1 (a@b)"));
        lock.release().unwrap();
        assert!(!path.exists());
        assert_eq!(holder(&path).unwrap(), None);
    }

    #[test]
    fn a_second_run_times_out_naming_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = path(&dir);
        let first = LockFile::acquire(&path, "pid 1 (a@b)", None, &mut |_| {}).unwrap();
        let mut heard = Vec::new();
        let deadline = Instant::now() + Duration::from_millis(100);
        let second = LockFile::acquire(&path, "pid 2", Some(deadline), &mut |h| {
            heard.push(h.map(String::from))
        });
        assert!(
            matches!(&second, Err(LockError::TimedOut { holder: Some(h) }) if h == "pid 1 (a@b)"),
            "{second:?}"
        );
        assert_eq!(heard, [Some("pid 1 (a@b)".to_string())]);
        let waited = wait_for_run(&path, Some(Instant::now()), &mut |_| {});
        assert!(matches!(waited, Err(LockError::TimedOut { .. })));
        first.release().unwrap();
        assert!(!wait_for_run(&path, None, &mut |_| panic!("no run")).unwrap());
    }

    /// The race the identity check is for: a waiter blocked on the file the
    /// holder removes must not go on with a lock on a nameless file while a
    /// newcomer locks the fresh one.
    #[test]
    fn a_waiter_woken_on_a_removed_file_locks_the_fresh_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = path(&dir);
        let first = LockFile::acquire(&path, "first", None, &mut |_| {}).unwrap();
        let (told, heard) = std::sync::mpsc::channel();
        let waiter = {
            let path = path.clone();
            std::thread::spawn(move || {
                LockFile::acquire(&path, "waiter", None, &mut |_| told.send(()).unwrap()).unwrap()
            })
        };
        heard.recv().unwrap();
        // Let the waiter block on the file, then remove it and make a
        // newcomer lock a fresh one before the first lets go.
        std::thread::sleep(Duration::from_millis(50));
        std::fs::remove_file(&path).unwrap();
        let newcomer = LockFile::acquire(&path, "newcomer", None, &mut |_| {}).unwrap();
        first.file.unlock().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        assert!(
            !waiter.is_finished(),
            "the waiter must wait for the newcomer"
        );
        assert_eq!(holder(&path).unwrap().as_deref(), Some("newcomer"));
        newcomer.release().unwrap();
        let waiter = waiter.join().unwrap();
        assert_eq!(holder(&path).unwrap().as_deref(), Some("waiter"));
        waiter.release().unwrap();
        assert!(!path.exists());
    }

    #[test]
    fn a_file_left_by_a_dead_run_is_reused_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = path(&dir);
        std::fs::write(&path, "pid 99 (killed)").unwrap();
        assert_eq!(
            holder(&path).unwrap(),
            None,
            "nobody holds a left-over file"
        );
        let lock = LockFile::acquire(&path, "pid 2", None, &mut |_| panic!("free")).unwrap();
        assert_eq!(holder(&path).unwrap().as_deref(), Some("pid 2"));
        lock.release().unwrap();
        assert!(!path.exists());
    }
}
