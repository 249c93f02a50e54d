//! What writing the schema dump did.

use std::path::PathBuf;

/// The schema file after `upgrade`, `downgrade`, `stamp` or `dump` wrote
/// it ([`crate::Migrator::write_schema_file`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SchemaFileReport {
    pub path: PathBuf,
    /// False when the file already held this dump, and was left untouched.
    pub changed: bool,
}
