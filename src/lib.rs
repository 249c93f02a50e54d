//! migrator: versions a database schema with hand-written plain SQL.
//!
//! The layers, in the order data flows through them:
//!
//! - [`source`]: reads a versions folder into [`source::revision::Revision`]
//!   values (file names, headers, checksums, folder problems), from disk or
//!   from a folder compiled into the binary by [`embed!`].
//! - [`graph`]: links them into a [`graph::RevisionGraph`] and plans runs
//!   for a [`graph::target::Target`]. Pure.
//! - [`sql`]: SQL as text (statements, positions). Pure.
//! - [`lint`]: dangerous DDL in up files, found by rules per backend, for
//!   `verify --lint`. Pure.
//! - [`timeout`]: a revision's own lock and statement timeouts (its
//!   header's, else the defaults), which each backend applies to that
//!   revision alone. Pure.
//! - [`db`]: the [`db::Database`] boundary and one folder per backend;
//!   the schema dump ([`db::dump`]), rendered from any backend's snapshot.
//! - [`engine`]: runs plans against a database, compares it with the
//!   folder, verifies.
//! - [`import`]: another tool's migrations folder and history table, read
//!   as revisions (`migrator import`). Pure but for its reading of files.
//!
//! The `migrator` binary is a thin layer over this library.

pub mod config;
pub mod db;
pub mod diagnostic;
pub mod diff;
pub mod duration;
pub mod engine;
pub mod error;
pub mod graph;
pub mod import;
pub mod lint;
pub mod migrator;
pub mod project;
pub mod record;
pub mod report;
pub mod source;
pub mod sql;
mod suggest;
pub mod timeout;

pub use error::Error;
pub use migrator::Migrator;
pub use project::Project;

/// Compiles a versions folder into the application, to migrate without
/// shipping the folder: `embed!("versions")` is a [`source::Embedded`],
/// read at start-up by [`Project::from_embedded`] with the same checks as
/// [`Project::load`].
///
/// ```
/// use migrator::Project;
/// use migrator::source::Embedded;
///
/// static VERSIONS: Embedded = migrator::embed!("versions");
///
/// let project = Project::from_embedded(&VERSIONS)?;
/// assert_eq!(project.graph.revisions()[0].id, "0001_create_users");
/// # Ok::<(), migrator::Error>(())
/// ```
pub use migrator_macros::embed;
