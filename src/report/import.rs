//! What `import` did.

use std::path::PathBuf;

use crate::import::{Tool, Version};
use crate::report::RevisionView;
use crate::report::run::StampReport;

/// `import`: the revisions written from another tool's migrations, and,
/// with a database, what its history said and what was stamped.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    pub tool: Tool,
    /// The other tool's folder.
    pub source: PathBuf,
    /// The versions folder written into.
    pub folder: PathBuf,
    /// One per migration, in the order the tool applies them.
    pub revisions: Vec<ImportedRevision>,
    /// `None` when no database was read.
    pub history: Option<HistoryReport>,
}

/// One migration of the other tool and the revision it became.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportedRevision {
    pub version: Version,
    /// The files it came from, inside the other tool's folder: the up
    /// file, then the down file when it is another.
    pub files: Vec<String>,
    pub revision: RevisionView,
    /// Why it runs outside a transaction; `None` when it runs in one.
    pub no_transaction: Option<String>,
    /// False when the tool had nothing that undoes it (its down file says
    /// so in a comment).
    pub reversible: bool,
}

/// The other tool's history in the database, and the stamp that records
/// the same migrations as applied revisions.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HistoryReport {
    /// Where it was read (never with a password).
    pub database: String,
    /// The tool's history table.
    pub table: String,
    /// The versions it records as applied, in order.
    pub applied: Vec<Version>,
    /// `None` when it records none: nothing was stamped.
    pub stamp: Option<StampReport>,
}
