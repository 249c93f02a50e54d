//! migrator: versions a database schema with hand-written plain SQL.
//!
//! The layers, in the order data flows through them: [`source`] reads the
//! versions folder into [`revision::Revision`] values, [`graph`] links them
//! into a [`graph::RevisionGraph`], [`plan`] decides what to run for a
//! [`target::Target`], and [`engine`] runs a plan against a [`db::Database`].
//! The `migrator` binary is a thin layer over this library.

pub mod checksum;
pub mod db;
pub mod graph;
pub mod plan;
pub mod problem;
pub mod revision;
pub mod source;
pub mod target;
