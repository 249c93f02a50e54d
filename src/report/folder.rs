//! What the commands that read the versions folder return: `heads`,
//! `branches`, `history`, `show`.

use std::path::PathBuf;

use crate::report::RevisionView;

/// `heads`: the revisions with no children.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HeadsReport {
    /// In the order of the graph.
    pub heads: Vec<RevisionView>,
    /// With two heads or more: the newest revisions they all share (Git's
    /// merge bases), where the branches started; empty when they share
    /// none, or with a single head.
    pub merge_bases: Vec<String>,
}

/// `branches`: the revisions with two or more children.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BranchesReport {
    /// In the order of the graph.
    pub branch_points: Vec<BranchPoint>,
}

/// A revision several revisions build on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BranchPoint {
    pub revision: RevisionView,
    /// Its children, in the order of the graph.
    pub children: Vec<RevisionView>,
}

/// `history`: the revisions, newest first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HistoryReport {
    /// The database whose state the revisions carry; `None` when it was not
    /// asked for, could not be read (see `state_error`), or does not exist
    /// yet (a database file never written).
    pub database: Option<String>,
    /// The range asked for (`-r A:B`), as an `A:B` with open ends empty.
    pub range: Option<String>,
    /// Newest first: the reverse of the order revisions are applied in.
    pub revisions: Vec<RevisionView>,
    /// The lanes, when a drawing was asked for (`--graph`).
    pub graph: Option<Vec<GraphLine>>,
    /// Why the database could not be read, when the drawing went on
    /// without its applied markers.
    pub state_error: Option<String>,
}

/// One line of a drawing of the graph, as `git log --graph` prints it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GraphLine {
    /// The lane characters, no trailing spaces: `*` a revision not applied
    /// (or no database read), `o` one applied in the database, `|`, `/`,
    /// `\` and `-` the lanes.
    pub art: String,
    /// How wide the lanes are on this line, so that text after them lines
    /// up.
    pub width: usize,
    /// The position in `revisions` of the revision drawn on this line, or
    /// `None` for a line that only connects lanes.
    pub revision: Option<usize>,
}

/// `show ID`: one revision and the text of both its files.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ShowReport {
    /// The database read for the revision's state; `None` for one that does
    /// not exist yet (a database file never written).
    pub database: Option<String>,
    pub revision: RevisionView,
    /// The up file's text, normalized (no BOM, LF line ends).
    pub up_sql: String,
    pub down_sql: String,
}

/// `show ID --applied`: the SQL the database recorded when the revision
/// was applied, beside what its files say now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppliedSqlReport {
    pub database: String,
    /// With its `applied` record.
    pub revision: RevisionView,
    pub up: AppliedFile,
    pub down: AppliedFile,
}

/// One file of an applied revision: what ran, and whether it changed since.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppliedFile {
    /// The file in the folder now.
    pub path: PathBuf,
    /// The text that ran, as recorded; `None` when the database did not
    /// keep it.
    pub sql: Option<String>,
    /// The checksum recorded when the revision was applied.
    pub recorded_checksum: String,
    /// The checksum of the file now.
    pub checksum: String,
    /// The two checksums differ: the file was edited since it ran.
    pub changed: bool,
    /// A unified diff from what ran to the file now, when it changed and
    /// the text that ran was recorded.
    pub diff: Option<String>,
}
