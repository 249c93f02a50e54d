//! What a backend gives the registry: how to read its URLs, how to open a
//! database, and how to make a scratch one. Everything a backend knows
//! (its driver, its dialect, its files or its server) stays in its folder
//! behind this trait and [`Database`].

use super::database::{ConnectOptions, Database, DbError, Scratch};

/// One kind of database migrator speaks: SQLite, PostgreSQL. A backend
/// is a folder of `db/` with a `static` value of this trait, listed in
/// the registry (`db::REGISTRY`) with its URL schemes.
pub trait Backend: Sync {
    /// Its name, for messages: `SQLite`, `PostgreSQL`.
    fn name(&self) -> &'static str;

    /// The URL forms it reads, for messages: `sqlite:PATH`,
    /// `sqlite::memory:`.
    fn forms(&self) -> &'static [&'static str];

    /// A URL to show as an example in a hint.
    fn example(&self) -> &'static str;

    /// Where to read about its URLs, the hint of a URL of its that is
    /// refused.
    fn help(&self) -> Option<&'static str> {
        None
    }

    /// Reads a URL of one of its schemes in full, as [`Backend::open`]
    /// would, so that a URL that cannot work is bad usage, refused before
    /// any database is touched. The error is the reason, without the URL,
    /// and never holds a password.
    fn check(&self, url: &str) -> Result<(), String>;

    /// For text that has no scheme any backend takes: a reason to refuse
    /// it when it looks like a connection string of this backend written
    /// another way (`host=… dbname=…`).
    fn misread(&self, _text: &str) -> Option<String> {
        None
    }

    /// Opens the database of a URL that [`Backend::check`] accepted. Opening
    /// creates nothing: a database that does not exist yet reads as one
    /// without the bookkeeping tables until something is written.
    fn open(&self, url: &str, options: &ConnectOptions) -> Result<Box<dyn Database>, DbError>;

    /// A new, empty database beside the one of `url` (a temporary file, a
    /// database of a unique name on the same server), removed when the
    /// [`Scratch`] is.
    fn scratch(&self, url: &str, options: &ConnectOptions) -> Result<Scratch, DbError>;

    /// True when opening takes round trips over a network (TCP, TLS,
    /// authentication): worth starting while the versions folder is read.
    fn opens_over_network(&self) -> bool {
        false
    }

    /// True when its databases have schemas that revisions can run in
    /// ([`ConnectOptions::run_in_schema`]): a fleet of tenant schemas
    /// needs it. False (the default) refuses such a fleet before it runs,
    /// rather than run every tenant's revisions in one place.
    fn runs_in_schemas(&self) -> bool {
        false
    }
}

/// A backend as the registry lists it, compiled in or not: a URL of a
/// backend that this build leaves out is refused naming its cargo feature.
pub struct Registration {
    /// The cargo feature that compiles it in.
    pub feature: &'static str,
    /// The URL schemes it answers to, lower case: `postgres`, `postgresql`.
    pub schemes: &'static [&'static str],
    /// The backend, when its feature is on.
    pub backend: Option<&'static dyn Backend>,
}
