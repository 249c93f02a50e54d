//! What `migrator verify` reports, as plain values: each finding names its
//! kind, the revision and file (and line) at fault, and says what is wrong,
//! so text, JSON and GitHub annotations are all renderings of one list.

use crate::diagnostic::Diagnostic;
use crate::engine::DatabaseState;
use crate::engine::roundtrip::{self, Check};
use crate::graph::RevisionGraph;
use crate::graph::drift::Drift;
use crate::source::problem::Problem;

/// The folder's problems, each with the revision its file belongs to.
pub fn folder(problems: &[Problem]) -> Vec<Diagnostic> {
    problems.iter().map(Problem::diagnostic).collect()
}

/// One finding per head when there are several and they are not allowed.
pub fn heads(graph: &RevisionGraph, allow_heads: bool) -> Vec<Diagnostic> {
    let heads = graph.heads();
    if heads.len() < 2 || allow_heads {
        return Vec::new();
    }
    let ids: Vec<&str> = heads.iter().map(|&i| graph.at(i).id.as_str()).collect();
    heads
        .iter()
        .map(|&head| {
            let revision = graph.at(head);
            Diagnostic::error(
                "heads",
                format!(
                    "{} is one of {} heads ({})",
                    revision.id,
                    heads.len(),
                    ids.join(", ")
                ),
            )
            .revision(&revision.id)
            .at(&revision.up.path, Some(1))
            .hint("join them with `migrator merge`, or pass --allow-heads")
        })
        .collect()
}

/// Drift, missing revisions, a database ahead of the folder, and moved
/// parents, of the database at `location`.
pub fn database(graph: &RevisionGraph, state: &DatabaseState, location: &str) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    for drift in &state.comparison.drifted {
        findings.push(
            drift_finding("drift", drift)
                .hint("restore the file as it was applied; if the edit was reviewed and the database matches it, record it with `migrator repair`"),
        );
    }
    for drift in &state.comparison.down_drifted {
        let mut finding = drift_finding("down_drift", drift);
        finding.level = crate::diagnostic::Level::Warning;
        findings.push(finding);
    }
    for id in &state.comparison.missing {
        findings.push(
            Diagnostic::error(
                "missing",
                format!("{id} is applied to {location} but missing from the folder"),
            )
            .revision(id)
            .hint("restore its files from version control; if another project shares this schema, give each its own with --schema"),
        );
    }
    if !state.comparison.ahead.is_empty() {
        findings.push(
            Diagnostic::warning(
                "ahead",
                format!(
                    "{location} is ahead of this folder: a newer release applied {}",
                    state.comparison.ahead.join(", ")
                ),
            )
            .hint("expected during a rolling deploy or after a rollback of the code; `upgrade` leaves them applied"),
        );
    }
    for record in &state.applied {
        if let Some(revision) = graph.get(&record.id)
            && revision.parents != record.parents
        {
            findings.push(
                Diagnostic::error(
                    "parents",
                    format!(
                        "{} was applied with parents [{}]; the file now says [{}]",
                        record.id,
                        record.parents.join(", "),
                        revision.parents.join(", ")
                    ),
                )
                .revision(&record.id)
                .at(&revision.up.path, Some(revision.parents_line))
                .hint("a rebase or an edit moved an applied revision; restore its Parents header"),
            );
        }
    }
    findings
}

fn drift_finding(kind: &'static str, drift: &Drift) -> Diagnostic {
    let which = match kind {
        "down_drift" => "down file",
        _ => "up file",
    };
    let mut finding = Diagnostic::error(
        kind,
        format!(
            "{} changed since it was applied: {which} {} has blake3 {}, the database recorded {}",
            drift.revision,
            drift.path.display(),
            short(&drift.current),
            short(&drift.recorded)
        ),
    )
    .revision(&drift.revision)
    .at(&drift.path, Some(1));
    if let Some(recorded) = &drift.recorded_sql {
        finding.line = Some(first_changed_line(recorded, &drift.current_sql));
        finding = finding.diff(drift.diff());
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
pub fn roundtrip(failure: &roundtrip::Failure) -> Diagnostic {
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
    Diagnostic::error("roundtrip", message)
        .revision(&failure.revision)
        .at(&failure.path, Some(1))
        .diff(failure.diff.render())
        .hint(hint)
}

/// A revision's SQL that failed during the roundtrip, as a finding on the
/// line that failed, with what the database said; `None` for other errors.
pub fn roundtrip_error(error: &crate::error::Error) -> Option<Diagnostic> {
    let crate::error::Error::Sql {
        revision, failure, ..
    } = error
    else {
        return None;
    };
    let mut diagnostic = error.diagnostic();
    diagnostic.kind = "roundtrip";
    diagnostic.message = format!(
        "{revision} failed on the scratch database: {}",
        failure.message
    );
    diagnostic.hint = None;
    Some(diagnostic)
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
