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
    /// The file's text now.
    #[serde(skip)]
    pub current_sql: String,
}

impl Drift {
    /// The recorded `file` of an applied revision beside the folder's.
    fn between(
        record: &AppliedRevision,
        revision: &crate::source::revision::Revision,
        file: FileKind,
    ) -> Drift {
        let (current, recorded, recorded_sql) = match file {
            FileKind::Up => (&revision.up, &record.up_checksum, &record.up_sql),
            FileKind::Down => (&revision.down, &record.down_checksum, &record.down_sql),
        };
        Drift {
            revision: record.id.clone(),
            file,
            path: current.path.clone(),
            recorded: recorded.clone(),
            current: current.checksum.clone(),
            recorded_sql: recorded_sql.clone(),
            current_sql: current.sql.clone(),
        }
    }

    /// A unified diff from what ran to what the file says now; empty when
    /// the database did not keep the text that ran.
    pub fn diff(&self) -> String {
        match &self.recorded_sql {
            Some(recorded) => crate::diff::unified(
                recorded,
                &self.current_sql,
                "applied",
                &self.path.display().to_string(),
            ),
            None => String::new(),
        }
    }
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
    /// Applied repeatable revisions whose up file changed: not drift, the
    /// next upgrade applies them again.
    pub stale: Vec<Drift>,
    /// Applied revisions that a squash in the folder replaces (their files
    /// may be gone): not missing, the squash stands for them.
    pub replaced: Vec<String>,
    /// The revisions that recorded squashes stand for: applied as part of
    /// one, though not recorded themselves.
    #[serde(skip)]
    pub squashed: Vec<String>,
    /// Applied revisions that are not in the folder and not explained by
    /// `ahead`: a real gap, which a deploy refuses.
    pub missing: Vec<String>,
    /// Applied revisions of a newer folder: not in this one, but each
    /// descends from one of its heads through revisions that are applied or
    /// in the folder (a rolling deploy or a rollback left the database
    /// ahead). Not an error: `upgrade` does what is left.
    pub ahead: Vec<String>,
}

impl Comparison {
    /// True when a deploy may go ahead without `--allow-drift`.
    pub fn is_clean(&self) -> bool {
        // `ahead` is left out on purpose: a newer release applied those.
        self.drifted.is_empty() && self.missing.is_empty()
    }
}

/// Compares what the database recorded with what the folder holds.
pub fn compare(graph: &RevisionGraph, applied: &[AppliedRevision]) -> Comparison {
    let mut is_applied = vec![false; graph.len()];
    let mut comparison = Comparison::default();
    for record in applied {
        if graph.squash_replacing(&record.id).is_some() {
            comparison.replaced.push(record.id.clone());
        }
        let Some(index) = graph.index_of(&record.id) else {
            if graph.squash_replacing(&record.id).is_none() {
                comparison.missing.push(record.id.clone());
            }
            continue;
        };
        is_applied[index] = true;
        let revision = graph.at(index);
        let stale = revision.repeatable && revision.up.checksum != record.up_checksum;
        if stale {
            comparison
                .stale
                .push(Drift::between(record, revision, FileKind::Up));
        } else if revision.up.checksum != record.up_checksum {
            comparison
                .drifted
                .push(Drift::between(record, revision, FileKind::Up));
        }
        // A stale repeatable records its new down file when it runs again.
        if !stale && revision.down.checksum != record.down_checksum {
            comparison
                .down_drifted
                .push(Drift::between(record, revision, FileKind::Down));
        }
    }
    let recorded: std::collections::HashSet<&str> = applied.iter().map(|r| r.id.as_str()).collect();
    let standing_in = squashes_standing_in(graph, &recorded);
    for s in graph.squashes() {
        let id = graph.at(s).id.as_str();
        if recorded.contains(id)
            || crate::graph::squash::recorded_squash_of(graph, id, &recorded).is_some()
        {
            comparison
                .squashed
                .extend(graph.at(s).replaces.iter().cloned());
        }
    }
    for (index, applied) in is_applied.iter().enumerate() {
        if *applied {
            comparison.applied.push(index);
        } else if !standing_in[index] {
            comparison.pending.push(index);
        }
    }
    let (ahead, missing) = split_ahead(graph, applied, &comparison.missing);
    comparison.ahead = ahead;
    comparison.missing = missing;
    comparison
}

/// By position: the revisions whose squash stands in for them in this
/// database (it is recorded, or it runs in their place), so they are not
/// pending themselves.
fn squashes_standing_in(
    graph: &RevisionGraph,
    recorded: &std::collections::HashSet<&str>,
) -> Vec<bool> {
    use crate::graph::squash::{self, SquashState};
    let mut standing_in = vec![false; graph.len()];
    for s in graph.squashes() {
        let enclosed = squash::recorded_squash_of(graph, &graph.at(s).id, recorded).is_some();
        if enclosed
            || matches!(
                squash::state(graph, s, recorded),
                SquashState::Recorded | SquashState::Fresh
            )
        {
            for id in &graph.at(s).replaces {
                if let Some(i) = graph.index_of(id) {
                    standing_in[i] = true;
                }
            }
        }
    }
    standing_in
}

/// Splits the applied revisions missing from the folder into those ahead of
/// it and a real gap. The database is ahead only when every missing
/// revision descends from a head of the folder, with each of its recorded
/// ancestors either in the folder or applied and missing too: one that
/// branched off an older revision, or whose parents nobody knows, is a gap.
fn split_ahead(
    graph: &RevisionGraph,
    applied: &[AppliedRevision],
    missing: &[String],
) -> (Vec<String>, Vec<String>) {
    use std::collections::HashMap;
    if missing.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let records: HashMap<&str, &AppliedRevision> =
        applied.iter().map(|r| (r.id.as_str(), r)).collect();
    let is_head = |index: usize| graph.children_of(index).is_empty();
    let descends_from_a_head = |start: &str| {
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![start];
        let mut reaches_head = false;
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            let Some(record) = records.get(id) else {
                return false;
            };
            for parent in &record.parents {
                match graph.index_of(parent) {
                    Some(index) => reaches_head |= is_head(index),
                    None if records.contains_key(parent.as_str()) => stack.push(parent),
                    None => return false,
                }
            }
        }
        reaches_head
    };
    if missing.iter().all(|id| descends_from_a_head(id)) {
        (missing.to_vec(), Vec::new())
    } else {
        (Vec::new(), missing.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::graph;

    /// Applied records, as `(id, parents)`.
    type Records<'a> = &'a [(&'a str, &'a [&'a str])];

    #[test]
    fn a_database_ahead_of_the_folder_is_not_a_gap() {
        // (folder, applied records, ahead, missing)
        let cases: &[(&str, Records, &[&str], &[&str])] = &[
            // A newer release added 0003 and 0004 on the head.
            (
                "0001; 0002 <- 0001",
                &[
                    ("0001", &[]),
                    ("0002", &["0001"]),
                    ("0003", &["0002"]),
                    ("0004", &["0003"]),
                ],
                &["0003", "0004"],
                &[],
            ),
            // A newer merge of the head and a new branch off the head.
            (
                "0001; 0002 <- 0001",
                &[
                    ("0001", &[]),
                    ("0002", &["0001"]),
                    ("0003a", &["0002"]),
                    ("0003b", &["0002"]),
                    ("0004m", &["0003a", "0003b"]),
                ],
                &["0003a", "0003b", "0004m"],
                &[],
            ),
            // Branched off an older revision, not the head: a gap.
            (
                "0001; 0002 <- 0001",
                &[("0001", &[]), ("0002", &["0001"]), ("0009", &["0001"])],
                &[],
                &["0009"],
            ),
            // A revision deleted from the middle of the folder: a gap.
            (
                "0001; 0003 <- 0001",
                &[("0001", &[]), ("0002", &[]), ("0003", &["0001"])],
                &[],
                &["0002"],
            ),
            // Its parent is known to nobody: a gap.
            (
                "0001",
                &[("0001", &[]), ("0003", &["0002"])],
                &[],
                &["0003"],
            ),
            // One gap makes every missing revision a gap.
            (
                "0001; 0002 <- 0001",
                &[
                    ("0001", &[]),
                    ("0002", &["0001"]),
                    ("0003", &["0002"]),
                    ("0009", &["0001"]),
                ],
                &[],
                &["0003", "0009"],
            ),
        ];
        for (folder, applied, ahead, missing) in cases {
            let graph = graph(folder);
            let records: Vec<AppliedRevision> = applied
                .iter()
                .map(|(id, parents)| AppliedRevision::of(id, parents))
                .collect();
            let comparison = compare(&graph, &records);
            assert_eq!(comparison.ahead, *ahead, "{folder} {applied:?}");
            assert_eq!(comparison.missing, *missing, "{folder} {applied:?}");
        }
    }
}

#[cfg(test)]
mod squash_and_repeatable_tests {
    use super::*;
    use crate::graph::tests::{folder, ids};

    /// A record of `id` whose up checksum is `checksum` (the test graphs'
    /// files have empty checksums).
    fn record(id: &str, checksum: &str) -> AppliedRevision {
        let mut record = AppliedRevision::of(id, &[]);
        record.up_checksum = checksum.into();
        record
    }

    #[test]
    fn a_changed_repeatable_is_stale_not_drifted() {
        let graph = folder("0001; 0002v <- 0001 R");
        let comparison = compare(&graph, &[record("0001", ""), record("0002v", "old")]);
        assert!(comparison.is_clean());
        assert!(comparison.drifted.is_empty());
        assert_eq!(comparison.stale.len(), 1);
        assert_eq!(comparison.stale[0].revision, "0002v");
        let edited = compare(&graph, &[record("0001", "old"), record("0002v", "")]);
        assert_eq!(edited.drifted.len(), 1);
        assert!(edited.stale.is_empty());
    }

    #[test]
    fn revisions_a_squash_replaces_are_not_missing_nor_pending_twice() {
        // (folder, applied, pending, replaced)
        type Case<'a> = (&'a str, &'a [&'a str], &'a [&'a str], &'a [&'a str]);
        let with_files = "0001; 0002 <- 0001; 0009s S=0001,0002; 0010 <- 0002";
        let without = "0009s S=0001,0002; 0010 <- 0002";
        let cases: &[Case] = &[
            (with_files, &[], &["0009s", "0010"], &[]),
            (with_files, &["0001"], &["0002", "0009s", "0010"], &["0001"]),
            (
                with_files,
                &["0001", "0002"],
                &["0009s", "0010"],
                &["0001", "0002"],
            ),
            (with_files, &["0009s"], &["0010"], &[]),
            (
                without,
                &["0001", "0002"],
                &["0009s", "0010"],
                &["0001", "0002"],
            ),
            (without, &["0009s", "0010"], &[], &[]),
        ];
        for (text, applied, pending, replaced) in cases {
            let graph = folder(text);
            let records: Vec<AppliedRevision> = applied.iter().map(|id| record(id, "")).collect();
            let comparison = compare(&graph, &records);
            assert!(comparison.missing.is_empty(), "{text} {applied:?}");
            assert_eq!(
                ids(&graph, &comparison.pending),
                *pending,
                "{text} {applied:?}"
            );
            assert_eq!(comparison.replaced, *replaced, "{text} {applied:?}");
        }
    }
}
