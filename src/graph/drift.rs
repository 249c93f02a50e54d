//! The database compared with the folder: which applied revisions drifted
//! (their file changed since they ran) or went missing. Pure.

use crate::graph::RevisionGraph;
use crate::record::AppliedRevision;

/// Which file of a revision changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Up,
    Down,
}

/// An applied revision whose file no longer has the checksum recorded when
/// it was applied.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Drift {
    pub revision: String,
    pub file: FileKind,
    pub path: std::path::PathBuf,
    pub recorded: String,
    pub current: String,
    /// The text recorded at apply time, when the database kept it.
    #[serde(skip)]
    pub recorded_sql: Option<String>,
}

/// How the applied revisions stand against the folder.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Comparison {
    /// Applied revisions found in the folder, as positions, in graph order.
    #[serde(skip)]
    pub applied: Vec<usize>,
    /// Positions of revisions not applied, in graph order.
    #[serde(skip)]
    pub pending: Vec<usize>,
    /// Applied up files that changed: a deploy refuses these.
    pub drifted: Vec<Drift>,
    /// Applied down files that changed: a warning only.
    pub down_drifted: Vec<Drift>,
    /// Applied revisions that are no longer in the folder.
    pub missing: Vec<String>,
}

impl Comparison {
    /// True when a deploy may go ahead without `--allow-drift`.
    pub fn is_clean(&self) -> bool {
        self.drifted.is_empty() && self.missing.is_empty()
    }
}

/// Compares what the database recorded with what the folder holds.
pub fn compare(graph: &RevisionGraph, applied: &[AppliedRevision]) -> Comparison {
    let mut is_applied = vec![false; graph.len()];
    let mut comparison = Comparison::default();
    for record in applied {
        let Some(index) = graph.index_of(&record.id) else {
            comparison.missing.push(record.id.clone());
            continue;
        };
        is_applied[index] = true;
        let revision = graph.at(index);
        if revision.up.checksum != record.up_checksum {
            comparison.drifted.push(Drift {
                revision: record.id.clone(),
                file: FileKind::Up,
                path: revision.up.path.clone(),
                recorded: record.up_checksum.clone(),
                current: revision.up.checksum.clone(),
                recorded_sql: record.up_sql.clone(),
            });
        }
        if revision.down.checksum != record.down_checksum {
            comparison.down_drifted.push(Drift {
                revision: record.id.clone(),
                file: FileKind::Down,
                path: revision.down.path.clone(),
                recorded: record.down_checksum.clone(),
                current: revision.down.checksum.clone(),
                recorded_sql: record.down_sql.clone(),
            });
        }
    }
    for (index, applied) in is_applied.iter().enumerate() {
        if *applied {
            comparison.applied.push(index);
        } else {
            comparison.pending.push(index);
        }
    }
    comparison
}
