//! [`Migrator`], the library's front door: a versions folder (read from
//! disk or embedded in the binary) and a database, with a method for each
//! thing a user asks of them. The `migrator` command is a thin layer over
//! it; an application calls the same methods at start-up.
//!
//! ```no_run
//! # fn main() -> Result<(), migrator::Error> {
//! let mut migrator = migrator::Migrator::from_dir("versions")?
//!     .with_database_url(&std::env::var("DATABASE_URL").expect("a database URL"))?;
//! let report = migrator.upgrade("head")?;
//! println!("{} revisions applied", report.steps.len());
//! # Ok(())
//! # }
//! ```

mod background;
mod choose;
pub mod fleet;
mod folder;
mod import;
mod options;
mod repair;
mod revise;
mod run;
mod schema_file;
mod squash;
mod state;
mod verify;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use crate::db::{self, ConnectOptions, Database, DatabaseUrl, LockStrategy, UrlError};
use crate::engine::{self, DatabaseState, RunOptions};
use crate::error::Error;
use crate::project::Project;
use crate::record::{AppliedRevision, Operator};
use crate::source::placeholder::Placeholders;

pub use crate::engine::{Progress, Silent};
pub use crate::report::verify::{LintReport, VerifyReport};
// Re-exported from modules that do not name this one: the children that
// implement `Migrator`'s methods do, so nothing is re-exported from them.
pub use choose::{choose_heads, choose_parents};
pub use options::{
    DEFAULT_MERGE_MESSAGE, Forget, HistoryOptions, ImportOptions, NewRevision, RepairPlan, Repairs,
    VerifyOptions,
};

/// The database used when nothing names one: a file in the working
/// directory.
pub const DEFAULT_DATABASE_URL: &str = db::DEFAULT_URL;

/// A versions folder and the database it migrates.
///
/// Built from a folder ([`Migrator::from_dir`]), an embedded folder, or a
/// [`Project`] already read, then pointed at a database with
/// [`Migrator::with_database_url`] (or an open connection with
/// [`Migrator::with_database`]). Methods that need the database connect on
/// first use and keep the connection.
pub struct Migrator {
    project: Project,
    /// The database to connect to; the default's error when this build
    /// cannot read it.
    url: Result<DatabaseUrl, UrlError>,
    connect_options: ConnectOptions,
    run_options: RunOptions,
    operator: Operator,
    db: Option<Box<dyn Database>>,
}

impl Migrator {
    /// The migrator of a folder read already, on the embedded default
    /// database.
    pub fn new(project: Project) -> Migrator {
        Migrator {
            project,
            url: DatabaseUrl::parse(DEFAULT_DATABASE_URL),
            connect_options: ConnectOptions::default(),
            run_options: RunOptions::default(),
            operator: crate::record::operator::current(None),
            db: None,
        }
    }

    /// Reads and checks a versions folder: every problem of the folder at
    /// once, as [`Error::Folder`].
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Migrator, Error> {
        Ok(Migrator::new(Project::load(dir.as_ref())?))
    }

    /// As [`Migrator::from_dir`], but a folder that does not exist yet is an
    /// empty one: [`Migrator::new_revision`] creates it with its first
    /// revision.
    pub fn from_dir_or_empty(dir: impl AsRef<Path>) -> Result<Migrator, Error> {
        let dir = dir.as_ref();
        if std::fs::symlink_metadata(dir).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
            return Ok(Migrator::new(Project::empty(dir)));
        }
        Migrator::from_dir(dir)
    }

    /// A versions folder compiled into the binary with
    /// [`embed!`](crate::embed), read with the same checks as a folder on
    /// disk: a broken file is an [`Error::Folder`] naming it.
    pub fn from_embedded(embedded: &crate::source::Embedded) -> Result<Migrator, Error> {
        Ok(Migrator::new(Project::from_embedded(embedded)?))
    }

    /// Reads the folder and connects to the database at the same time when
    /// connecting takes round trips (TCP, TLS, authentication), so a deploy
    /// with nothing to do waits for the slower of the two, not for both. A
    /// broken folder is reported first.
    pub fn open(
        dir: &Path,
        url: DatabaseUrl,
        connect_options: ConnectOptions,
    ) -> Result<Migrator, Error> {
        if !url.backend().opens_over_network() {
            let mut migrator = Migrator::from_dir(dir)?;
            migrator.url = Ok(url);
            migrator.connect_options = connect_options;
            return Ok(migrator);
        }
        let (project, database) = std::thread::scope(|scope| {
            let connecting = scope.spawn(|| url.open(&connect_options));
            let project = Project::load(dir);
            let database = connecting
                .join()
                .expect("the connecting thread does not panic");
            (project, database)
        });
        let mut migrator = Migrator::new(project?);
        migrator.db = Some(database?);
        migrator.url = Ok(url);
        migrator.connect_options = connect_options;
        Ok(migrator)
    }

    /// The database to migrate, as a URL whose scheme names a backend this
    /// build compiles in (see [`db::REGISTRY`]). Nothing connects until a
    /// method needs the database.
    pub fn with_database_url(self, url: &str) -> Result<Migrator, Error> {
        Ok(self.with_url(DatabaseUrl::parse(url)?))
    }

    /// As [`Migrator::with_database_url`], with a URL parsed already.
    pub fn with_url(mut self, url: DatabaseUrl) -> Migrator {
        self.url = Ok(url);
        self.db = None;
        self
    }

    /// A database connection opened by the application.
    pub fn with_database(mut self, database: Box<dyn Database>) -> Migrator {
        self.db = Some(database);
        self
    }

    /// Where the database has schemas: the one that holds the bookkeeping
    /// tables (default: the session's current schema).
    pub fn with_schema(mut self, schema: Option<String>) -> Migrator {
        self.connect_options.schema = schema;
        self
    }

    /// How long to wait for another run's lock (migrator's own run lock,
    /// not the database's `lock_timeout`: see
    /// [`Migrator::with_revision_timeouts`]); `None` (the default) waits for
    /// ever.
    pub fn with_lock_timeout(mut self, timeout: Option<Duration>) -> Migrator {
        self.run_options.lock_timeout = timeout;
        // Reads that find a run in their way wait as long.
        self.connect_options.lock_timeout = timeout;
        self
    }

    /// The database's own lock and statement timeouts for each revision
    /// whose header sets none (`-- Lock-Timeout:`, `-- Statement-Timeout:`):
    /// `revision_lock_timeout` and `revision_statement_timeout` in
    /// `migrator.toml`. The default leaves the database's settings alone.
    pub fn with_revision_timeouts(mut self, defaults: crate::timeout::Defaults) -> Migrator {
        self.run_options.revision_timeouts = defaults;
        self
    }

    /// How runs on this database are kept apart (default
    /// [`LockStrategy::Session`]): see [`crate::db::run_lock`]. Every run
    /// on one database must use the same strategy: a session lock and a
    /// table lock do not see each other.
    pub fn with_lock(mut self, strategy: LockStrategy) -> Migrator {
        self.run_options.lock = strategy;
        self
    }

    /// The values of `${NAME}` placeholders, and whether revisions without
    /// a `-- Placeholders:` header line use them (`substitute_placeholders`
    /// in `migrator.toml`). Replaces what was set before.
    pub fn with_placeholders(mut self, placeholders: Placeholders) -> Migrator {
        self.run_options.placeholders = placeholders;
        self
    }

    /// One placeholder's value: `${name}` becomes `value` in the SQL of
    /// revisions that use placeholders.
    pub fn with_placeholder(mut self, name: &str, value: &str) -> Migrator {
        self.run_options
            .placeholders
            .values
            .insert(name.to_owned(), value.to_owned());
        self
    }

    /// `--wait`: keep connecting for up to `limit` while the database is
    /// not up yet (a server still starting in a container: connection
    /// refused, starting up), with backoff; `notice` hears when the wait
    /// starts and ends. A wrong password or database fails at once. `None`
    /// (the default) tries once.
    pub fn with_wait(
        mut self,
        limit: Option<Duration>,
        notice: Option<db::ConnectWaitNotice>,
    ) -> Migrator {
        self.connect_options.wait = limit;
        self.connect_options.wait_notice = notice;
        self
    }

    /// Go ahead although applied files changed or vanished (the log says so).
    pub fn allow_drift(mut self, allow: bool) -> Migrator {
        self.run_options.allow_drift = allow;
        self
    }

    /// The folder and its graph.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// Where the database is, for messages: never with a password.
    pub fn location(&self) -> String {
        match (&self.db, &self.url) {
            (Some(db), _) => db.location().to_string(),
            (None, Ok(url)) => url.redacted(),
            (None, Err(error)) => error.url.clone(),
        }
    }

    /// The database as it stands against the folder, read without taking
    /// the lock or creating anything (a database that does not exist yet
    /// reads as one where nothing is applied).
    pub fn state(&mut self) -> Result<DatabaseState, Error> {
        let db = connection(&mut self.db, &self.url, &self.connect_options)?;
        engine::read_state(&self.project, db)
    }

    /// [`Migrator::state`], or `None` when the database does not exist yet
    /// (a file never written): commands that show a database's state then
    /// show none.
    fn existing_state(&mut self) -> Result<Option<DatabaseState>, Error> {
        let db = connection(&mut self.db, &self.url, &self.connect_options)?;
        if !db.exists()? {
            return Ok(None);
        }
        engine::read_state(&self.project, db).map(Some)
    }
}

/// Applied records by id.
fn applied_by_id(applied: &[AppliedRevision]) -> HashMap<&str, &AppliedRevision> {
    applied
        .iter()
        .map(|record| (record.id.as_str(), record))
        .collect()
}

/// The open connection in `slot`, connecting first if needed. A function
/// of the fields rather than a method, so the project can be read while
/// the connection is in use.
fn connection<'a>(
    slot: &'a mut Option<Box<dyn Database>>,
    url: &Result<DatabaseUrl, UrlError>,
    options: &ConnectOptions,
) -> Result<&'a mut dyn Database, Error> {
    let db = match slot {
        Some(db) => db,
        None => slot.insert(url.clone()?.open(options)?),
    };
    Ok(db.as_mut())
}
