//! What `migrator verify` reports, as plain values: each finding names its
//! kind, the revision and file (and line) at fault, and says what is wrong,
//! so text, JSON and GitHub annotations are all renderings of one list.

use std::path::{Path, PathBuf};

use crate::engine::DatabaseState;
use crate::engine::roundtrip::{self, Check};
use crate::graph::RevisionGraph;
use crate::graph::drift::Drift;
use crate::source::problem::Problem;

/// What kind of problem a finding is; its JSON name is part of the
/// contract (`folder`, `heads`, `drift`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The versions folder is not well formed (DESIGN section 1).
    Folder,
    /// More than one head, without `--allow-heads`.
    Heads,
    /// An applied up file changed since it ran.
    Drift,
    /// An applied down file changed since it ran (a warning).
    DownDrift,
    /// An applied revision is not in the folder.
    Missing,
    /// An applied revision's recorded parents differ from its file's.
    Parents,
    /// A down file does not undo its up file.
    Roundtrip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub kind: Kind,
    pub revision: Option<String>,
    pub file: Option<PathBuf>,
    /// 1-based line of `file`, when the problem sits on one.
    pub line: Option<usize>,
    pub message: String,
    pub hint: Option<String>,
    /// A unified diff (drift) or a schema difference (roundtrip).
    pub diff: Option<String>,
}

impl Finding {
    fn error(kind: Kind, message: String) -> Finding {
        Finding {
            severity: Severity::Error,
            kind,
            revision: None,
            file: None,
            line: None,
            message,
            hint: None,
            diff: None,
        }
    }

    fn at(mut self, revision: &str, file: &Path, line: Option<usize>) -> Finding {
        self.revision = Some(revision.to_string());
        self.file = Some(file.to_path_buf());
        self.line = line;
        self
    }

    fn hint(mut self, hint: impl Into<String>) -> Finding {
        self.hint = Some(hint.into());
        self
    }
}

/// The folder's problems, each with the revision its file belongs to.
pub fn folder(problems: &[Problem]) -> Vec<Finding> {
    problems
        .iter()
        .map(|problem| Finding {
            revision: revision_of(&problem.path),
            file: Some(problem.path.clone()),
            line: problem.line,
            hint: problem.hint.clone(),
            ..Finding::error(Kind::Folder, problem.message.clone())
        })
        .collect()
}

/// The revision id a file name carries: `versions/0001_a.up.sql` → `0001_a`.
fn revision_of(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let id = name
        .strip_suffix(".up.sql")
        .or_else(|| name.strip_suffix(".down.sql"))?;
    Some(id.to_string())
}

/// One finding per head when there are several and they are not allowed.
pub fn heads(graph: &RevisionGraph, allow_heads: bool) -> Vec<Finding> {
    let heads = graph.heads();
    if heads.len() < 2 || allow_heads {
        return Vec::new();
    }
    let ids: Vec<&str> = heads.iter().map(|&i| graph.at(i).id.as_str()).collect();
    heads
        .iter()
        .map(|&head| {
            let revision = graph.at(head);
            Finding::error(
                Kind::Heads,
                format!(
                    "{} is one of {} heads ({})",
                    revision.id,
                    heads.len(),
                    ids.join(", ")
                ),
            )
            .at(&revision.id, &revision.up.path, Some(1))
            .hint("join them with `migrator merge`, or pass --allow-heads")
        })
        .collect()
}

/// Drift, missing revisions and moved parents of the database at `location`.
pub fn database(graph: &RevisionGraph, state: &DatabaseState, location: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    for drift in &state.comparison.drifted {
        findings.push(
            drift_finding(Kind::Drift, drift, graph)
                .hint("restore the file as it was applied; if the edit was reviewed and the database matches it, record it with `migrator repair`"),
        );
    }
    for drift in &state.comparison.down_drifted {
        findings.push(Finding {
            severity: Severity::Warning,
            ..drift_finding(Kind::DownDrift, drift, graph)
        });
    }
    for id in &state.comparison.missing {
        findings.push(Finding {
            revision: Some(id.clone()),
            ..Finding::error(
                Kind::Missing,
                format!("{id} is applied to {location} but missing from the folder"),
            )
            .hint("restore its files from version control")
        });
    }
    for record in &state.applied {
        if let Some(revision) = graph.get(&record.id)
            && revision.parents != record.parents
        {
            findings.push(
                Finding::error(
                    Kind::Parents,
                    format!(
                        "{} was applied with parents [{}]; the file now says [{}]",
                        record.id,
                        record.parents.join(", "),
                        revision.parents.join(", ")
                    ),
                )
                .at(&record.id, &revision.up.path, Some(revision.parents_line))
                .hint("a rebase or an edit moved an applied revision; restore its Parents header"),
            );
        }
    }
    findings
}

fn drift_finding(kind: Kind, drift: &Drift, graph: &RevisionGraph) -> Finding {
    let current = graph.get(&drift.revision).map(|revision| match drift.file {
        crate::graph::drift::FileKind::Up => revision.up.sql.as_str(),
        crate::graph::drift::FileKind::Down => revision.down.sql.as_str(),
    });
    let which = match kind {
        Kind::DownDrift => "down file",
        _ => "up file",
    };
    let mut finding = Finding::error(
        kind,
        format!(
            "{} changed since it was applied: {which} {} has blake3 {}, the database recorded {}",
            drift.revision,
            drift.path.display(),
            short(&drift.current),
            short(&drift.recorded)
        ),
    )
    .at(&drift.revision, &drift.path, Some(1));
    if let (Some(recorded), Some(current)) = (&drift.recorded_sql, current) {
        finding.line = Some(first_changed_line(recorded, current));
        finding.diff = Some(crate::diff::unified(
            recorded,
            current,
            "applied",
            &drift.path.display().to_string(),
        ));
    }
    finding
}

fn short(checksum: &str) -> &str {
    &checksum[..checksum.len().min(12)]
}

/// The 1-based line of `new` where it first differs from `old`.
pub fn first_changed_line(old: &str, new: &str) -> usize {
    let mut old_lines = old.split_inclusive('\n');
    let mut line = 1;
    for new_line in new.split_inclusive('\n') {
        if old_lines.next() != Some(new_line) {
            return line;
        }
        line += 1;
    }
    // `new` is a prefix of `old`: the change is at its end.
    (line - 1).max(1)
}

/// A roundtrip failure as a finding on the file to fix.
pub fn roundtrip(failure: &roundtrip::Failure) -> Finding {
    let (message, hint) = match failure.check {
        Check::DownUndoesUp => (
            format!(
                "the down file of {} does not undo its up file: after up and down the schema differs from before the up",
                failure.revision
            ),
            "`-` lines were there before the up and are gone, `+` lines were left behind by the down",
        ),
        Check::UpAgain => (
            format!(
                "{} gives a different schema when applied again after its down",
                failure.revision
            ),
            "`-` lines are from the first up, `+` lines from the second",
        ),
    };
    Finding {
        diff: Some(failure.diff.render()),
        ..Finding::error(Kind::Roundtrip, message)
            .at(&failure.revision, &failure.path, Some(1))
            .hint(hint)
    }
}

/// A revision's SQL that failed during the roundtrip, as a finding on the
/// line that failed; `None` for other errors.
pub fn roundtrip_error(error: &crate::Error) -> Option<Finding> {
    let crate::Error::Sql {
        revision,
        path,
        position,
        failure,
    } = error
    else {
        return None;
    };
    Some(
        Finding::error(
            Kind::Roundtrip,
            format!(
                "{revision} failed on the scratch database: {}",
                failure.message
            ),
        )
        .at(revision, path, Some(position.map_or(1, |(line, _)| line))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_changed_lines() {
        let cases = [
            ("a\nb\nc\n", "a\nB\nc\n", 2),
            ("a\n", "b\n", 1),
            ("a\nb\n", "a\nb\nc\n", 3),
            ("a\nb\nc\n", "a\nb\n", 2),
            ("a\nb", "a\nb\n", 2),
        ];
        for (old, new, expected) in cases {
            assert_eq!(first_changed_line(old, new), expected, "{old:?} -> {new:?}");
        }
    }

    #[test]
    fn folder_findings_name_their_revision() {
        let problems = [
            Problem::new("versions/0001_a.up.sql", Some(2), "unknown key"),
            Problem::new("versions", None, "two ids"),
        ];
        let findings = folder(&problems);
        assert_eq!(findings[0].revision.as_deref(), Some("0001_a"));
        assert_eq!(findings[0].line, Some(2));
        assert_eq!(findings[1].revision, None);
    }
}
