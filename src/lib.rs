//! migrator: versions a database schema with hand-written plain SQL.
//!
//! The layers, in the order data flows through them: [`source`] reads the
//! versions folder into [`revision::Revision`] values, [`graph`] links them
//! into a [`graph::RevisionGraph`], [`plan`] decides what to run for a
//! [`target::Target`], and [`engine`] runs a plan against a [`db::Database`].
//! The `migrator` binary is a thin layer over this library.

pub mod checksum;
pub mod config;
pub mod db;
pub mod drift;
pub mod engine;
pub mod error;
pub mod graph;
pub mod lanes;
pub mod operator;
pub mod overlap;
pub mod plan;
pub mod problem;
pub mod project;
pub mod rebase;
pub mod revision;
pub mod roundtrip;
pub mod schema;
pub mod source;
pub mod sql_split;
pub mod sql_text;
pub mod target;
pub mod verify;

pub use error::Error;
pub use project::Project;
pub mod clock;
pub mod diff;
