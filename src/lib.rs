//! migrator: versions a database schema with hand-written plain SQL.
//!
//! The layers, in the order data flows through them:
//!
//! - [`source`]: reads a versions folder into [`source::revision::Revision`]
//!   values (file names, headers, checksums, folder problems).
//! - [`graph`]: links them into a [`graph::RevisionGraph`] and plans runs
//!   for a [`graph::target::Target`]. Pure.
//! - [`sql`]: SQL as text (statements, positions). Pure.
//! - [`db`]: the [`db::Database`] boundary and one folder per backend.
//! - [`engine`]: runs plans against a database, compares it with the
//!   folder, verifies.
//!
//! The `migrator` binary is a thin layer over this library.

pub mod config;
pub mod db;
pub mod diagnostic;
pub mod diff;
pub mod engine;
pub mod error;
pub mod graph;
pub mod migrator;
pub mod project;
pub mod record;
pub mod report;
pub mod source;
pub mod sql;

pub use error::Error;
pub use migrator::Migrator;
pub use project::Project;
