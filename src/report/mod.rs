//! What commands return: plain values that say what happened or what is,
//! for the CLI to render as text or JSON and for applications to read.
//! A revision looks the same in every one of them ([`RevisionView`]).

pub mod folder;
pub mod import;
pub mod revise;
pub mod run;
pub mod schema_file;
pub mod state;
pub mod verify;

use std::path::PathBuf;

use crate::graph::RevisionGraph;
use crate::record::AppliedRevision;

/// One revision of the folder, with its place in the graph and, when a
/// database was read, its state there. The JSON shape of a revision in every
/// document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RevisionView {
    pub id: String,
    pub message: Option<String>,
    pub parents: Vec<String>,
    pub children: Vec<String>,
    pub head: bool,
    pub mergepoint: bool,
    pub branchpoint: bool,
    pub created: Option<String>,
    /// False for `Transaction: off`.
    pub transaction: bool,
    /// `Repeatable: yes`: applied again whenever its up file changes.
    pub repeatable: bool,
    /// For a squash, the revisions it replaces (`Replaces:`); else empty.
    pub replaces: Vec<String>,
    /// What `-- Placeholders: on|off` says; left out of JSON without the
    /// line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placeholders: Option<bool>,
    pub up_file: PathBuf,
    /// Where the down file is, or would be: a repeatable revision may
    /// have none (`down_file_exists`).
    pub down_file: PathBuf,
    pub down_file_exists: bool,
    pub up_checksum: String,
    pub down_checksum: String,
    /// `None` when no database was read or the revision is pending there.
    pub applied: Option<AppliedView>,
}

/// When, by whom and how fast a revision was applied, and whether its files
/// changed since.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppliedView {
    /// UTC, `YYYY-MM-DD HH:MM:SS.mmm`.
    pub applied_at: String,
    /// `user@host` of the operating-system user.
    pub applied_by: String,
    /// The database user, where the backend has users.
    pub database_user: Option<String>,
    pub execution_ms: i64,
    pub up_file_changed: bool,
    pub down_file_changed: bool,
}

impl RevisionView {
    /// The revision at `index` of the graph, with its applied record.
    pub fn of(
        graph: &RevisionGraph,
        index: usize,
        applied: Option<&AppliedRevision>,
    ) -> RevisionView {
        let revision = graph.at(index);
        let ids = |indices: &[usize]| {
            indices
                .iter()
                .map(|&i| graph.at(i).id.clone())
                .collect::<Vec<_>>()
        };
        RevisionView {
            id: revision.id.clone(),
            message: revision.message.clone(),
            parents: revision.parents.clone(),
            children: ids(graph.children_of(index)),
            head: graph.is_head(index),
            mergepoint: revision.is_merge(),
            branchpoint: graph.is_branch_point(index),
            created: revision.created.clone(),
            transaction: revision.transactional,
            repeatable: revision.repeatable,
            replaces: revision.replaces.clone(),
            placeholders: revision.placeholders,
            up_file: revision.up.path.clone(),
            down_file: revision.down.path.clone(),
            down_file_exists: revision.has_down_file,
            up_checksum: revision.up.checksum.clone(),
            down_checksum: revision.down.checksum.clone(),
            applied: applied.map(|record| AppliedView {
                applied_at: record.applied_at.clone(),
                applied_by: record.os_user.clone(),
                database_user: (!record.db_user.is_empty()).then(|| record.db_user.clone()),
                execution_ms: record.execution_ms,
                up_file_changed: record.up_checksum != revision.up.checksum,
                down_file_changed: record.down_checksum != revision.down.checksum,
            }),
        }
    }

    /// The message, or an empty string.
    pub fn message_or_empty(&self) -> &str {
        self.message.as_deref().unwrap_or("")
    }

    /// ` (head) (mergepoint) (branchpoint)`, as history prints them.
    pub fn markers(&self) -> String {
        let mut out = String::new();
        if self.head {
            out.push_str(" (head)");
        }
        if self.mergepoint {
            out.push_str(" (mergepoint)");
        }
        if self.branchpoint {
            out.push_str(" (branchpoint)");
        }
        if self.repeatable {
            out.push_str(" (repeatable)");
        }
        if !self.replaces.is_empty() {
            out.push_str(" (squash)");
        }
        out
    }
}
