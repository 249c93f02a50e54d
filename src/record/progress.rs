//! The rows of `migrator_progress`: how far a revision that runs statement
//! by statement (a `Transaction: off` revision; on MySQL, any revision
//! holding DDL) got, so that a failed or killed run can be resumed at the
//! statement where it stopped.
//!
//! A row per statement that is done for good (ran outside any transaction,
//! or inside one of the file's own whose `COMMIT` succeeded), and at most
//! one row per revision and direction saying which statement failed last
//! and why. The rows of a revision go away in the transaction that records
//! it as applied (or undone), so a revision is never both recorded and in
//! progress.

use super::Direction;

/// One row of `migrator_progress`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProgressEntry {
    pub revision: String,
    pub direction: Direction,
    /// The statement's position in its file, counting from 1, as the
    /// statement splitter of the database's dialect cuts the file.
    pub statement: usize,
    /// The line of the file where the statement starts, when it ran.
    pub line: usize,
    /// The statement's checksum (see `engine::resume::statement_checksum`):
    /// a resume refuses to skip a statement whose checksum changed.
    pub checksum: String,
    /// `None`: the statement is done. Else it failed, with this message
    /// (the server's, with its code); such a row replaces the revision's
    /// earlier failure in that direction.
    pub error: Option<String>,
    /// When it was written, UTC, `YYYY-MM-DD HH:MM:SS.mmm`; filled in by the
    /// database (empty in a row to write).
    pub at: String,
    /// Who ran it, `user@host` (empty in a row to write: the operator's).
    pub os_user: String,
}

impl ProgressEntry {
    /// Whether this row says a statement is done (not that it failed).
    pub fn is_done(&self) -> bool {
        self.error.is_none()
    }
}
