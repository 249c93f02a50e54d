//! What `migrator verify` reports, as plain values: each finding names its
//! kind, the revision and file (and line) at fault, and says what is wrong,
//! so text, JSON and GitHub annotations are all renderings of one list.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::engine::DatabaseState;
use crate::engine::roundtrip::{self, Check};
use crate::graph::RevisionGraph;
use crate::graph::drift::Drift;
use crate::record::Direction;
use crate::report::state::InterruptedView;
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
    findings.extend(squashes_and_repeatables(graph, state, location));
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

/// Repeatable revisions that the next upgrade applies again, and, for
/// each squash whose replaced files are still in the folder, whether this
/// database still needs them: the files may go once every database has
/// passed them.
fn squashes_and_repeatables(
    graph: &RevisionGraph,
    state: &DatabaseState,
    location: &str,
) -> Vec<Diagnostic> {
    use crate::graph::squash::{self, SquashState};
    let mut findings = Vec::new();
    for drift in &state.comparison.stale {
        findings.push(
            Diagnostic::warning(
                "reapply",
                format!(
                    "{} changed since it was applied to {location}; it is repeatable: the next upgrade applies it again",
                    drift.revision
                ),
            )
            .revision(&drift.revision)
            .at(&drift.path, None),
        );
    }
    let recorded: std::collections::HashSet<&str> =
        state.applied.iter().map(|r| r.id.as_str()).collect();
    for s in graph.squashes() {
        let revision = graph.at(s);
        let present: Vec<&str> = revision
            .replaces
            .iter()
            .filter(|id| graph.index_of(id).is_some())
            .map(String::as_str)
            .collect();
        let finding = match squash::state(graph, s, &recorded) {
            SquashState::Started { remaining, missing } if !missing.is_empty() => {
                Diagnostic::error(
                    "squash",
                    format!(
                        "{location} applied {} of the revisions {} replaces, and the files of {} are gone: upgrade cannot pass it",
                        revision.replaces.len() - remaining.len(),
                        revision.id,
                        missing.join(", ")
                    ),
                )
                .hint("restore those files from version control, upgrade this database, then delete them again")
            }
            _ if present.is_empty() => continue,
            SquashState::Started { remaining, .. } => Diagnostic::warning(
                "squash",
                format!(
                    "keep the files of the revisions {} replaces: {location} applied {} of them and still needs {}",
                    revision.id,
                    revision.replaces.len() - remaining.len(),
                    remaining.join(", ")
                ),
            )
            .hint(format!(
                "upgrade this database; it runs them, then records {}",
                revision.id
            )),
            state => Diagnostic::warning(
                "squash",
                format!(
                    "{location} no longer needs the files of the revisions {} replaces ({}): {}",
                    revision.id,
                    present.join(", "),
                    match state {
                        SquashState::Recorded => format!("it recorded {}", revision.id),
                        SquashState::Complete => format!(
                            "it applied them all, and its next upgrade records {}",
                            revision.id
                        ),
                        _ => format!("it applied none of them, and will run {}", revision.id),
                    }
                ),
            )
            .hint("delete them once `verify` says this for every database (deleting is safe for this one)"),
        };
        findings.push(finding.revision(&revision.id).at(&revision.up.path, None));
    }
    findings
}

/// What the bookkeeping tables hold when they are not both there: rows of
/// each, `None` for a table that is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tables {
    pub revisions: Option<usize>,
    pub log: Option<usize>,
}

/// The bookkeeping against itself, which only a hand edit breaks: migrator
/// records a revision only after its parents, so every recorded parent of
/// an applied revision is applied; and it creates both tables at once,
/// so history in one without the other means a table was dropped.
/// `tables` is what a database without both tables holds (`None` when
/// both are there).
pub fn bookkeeping(
    state: &DatabaseState,
    tables: Option<Tables>,
    location: &str,
) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    // A squash that is recorded stands for the revisions it replaces.
    let applied: std::collections::HashSet<&str> = state
        .applied
        .iter()
        .map(|r| r.id.as_str())
        .chain(state.comparison.squashed.iter().map(String::as_str))
        .collect();
    // Each parent that lost its row, with its applied children, in the
    // order of the rows.
    let mut orphaned: Vec<(&str, Vec<&str>)> = Vec::new();
    for record in &state.applied {
        for parent in &record.parents {
            if applied.contains(parent.as_str()) {
                continue;
            }
            match orphaned.iter_mut().find(|(p, _)| p == parent) {
                Some((_, children)) => children.push(&record.id),
                None => orphaned.push((parent, vec![&record.id])),
            }
        }
    }
    for (parent, children) in orphaned {
        findings.push(
            Diagnostic::error(
                "bookkeeping",
                format!(
                    "{parent} is not recorded as applied to {location}, but its {} {} {}: its row was deleted from migrator_revisions",
                    if children.len() == 1 { "child" } else { "children" },
                    children.join(", "),
                    if children.len() == 1 { "is" } else { "are" },
                ),
            )
            .revision(parent)
            .hint(format!(
                "upgrade would run {parent} again; if its changes are in the database, record it again: \
                 `migrator stamp {}` records every ancestor of that revision (and un-records what was applied after it)",
                children[0]
            )),
        );
    }
    let Some(tables) = tables else {
        return findings;
    };
    match (tables.revisions, tables.log) {
        (None, Some(events)) if events > 0 => findings.push(
            Diagnostic::error(
                "bookkeeping",
                format!(
                    "migrator_revisions is missing from {location}, but migrator_log records {events} event(s): the table of applied revisions was dropped"
                ),
            )
            .hint(
                "restore migrator_revisions from a backup; until then every revision counts as pending, and upgrade would run them all again",
            ),
        ),
        (Some(rows), None) if rows > 0 => findings.push(
            Diagnostic::error(
                "bookkeeping",
                format!(
                    "migrator_log is missing from {location}, but migrator_revisions records {rows} applied revision(s): the log was dropped"
                ),
            )
            .hint(
                "restore migrator_log from a backup; the next upgrade creates it empty, and the history it held is lost",
            ),
        ),
        _ => {}
    }
    findings
}

/// What `migrator_progress` holds: a revision interrupted halfway is an
/// error until a run finishes it (kind `interrupted`); progress of a
/// revision whose record says it is done, or not started, only a hand
/// edit or a crash of an older migrator leaves (kind `bookkeeping`).
pub fn progress(
    interrupted: &[InterruptedView],
    state: &DatabaseState,
    location: &str,
) -> Vec<Diagnostic> {
    let applied: std::collections::HashSet<&str> =
        state.applied.iter().map(|r| r.id.as_str()).collect();
    let mut findings = Vec::new();
    for view in interrupted {
        let run = match view.direction {
            Direction::Up => "upgrade",
            Direction::Down => "downgrade",
        };
        let is_applied = applied.contains(view.revision.as_str());
        let stale = match view.direction {
            Direction::Up => is_applied.then_some("applied"),
            Direction::Down => (!is_applied).then_some("not applied"),
        };
        if let Some(recorded) = stale {
            findings.push(
                Diagnostic::error(
                    "bookkeeping",
                    format!(
                        "migrator_progress holds {} of the {run} of {}, which is recorded as {recorded} on {location}",
                        count(view.done, "statement"),
                        view.revision
                    ),
                )
                .revision(&view.revision)
                .hint(format!(
                    "nothing else writes both: check the database, then `migrator repair {}` forgets the progress",
                    view.revision
                )),
            );
            continue;
        }
        let mut message = format!(
            "the {run} of {} stopped halfway on {location}: {} done",
            view.revision,
            match view.done {
                1 => "statement 1".to_string(),
                n => format!("statements 1-{n}"),
            }
        );
        if let Some(total) = view.statements {
            message.push_str(&format!(" of {total}"));
        }
        if let Some(failed) = &view.failed {
            message.push_str(&format!(
                ", statement {} failed: {}",
                failed.statement, failed.error
            ));
        }
        let mut finding = Diagnostic::error("interrupted", message).revision(&view.revision);
        let line = view.edited.or(view.resumes_at).map(|at| at.line);
        if let Some(file) = &view.file {
            finding = finding.at(file, line);
        }
        finding = match (view.edited, view.resumes_at) {
            (Some(edited), _) => finding.hint(format!(
                "statement {} was edited since it ran: restore it, then `migrator {run}` resumes; \
                 or undo by hand what ran and `migrator repair {}`",
                edited.statement, view.revision
            )),
            (None, Some(next)) => finding.hint(format!(
                "`migrator {run}` resumes at statement {}",
                next.statement
            )),
            (None, None) => finding.hint(format!(
                "finish it with the folder that has {}; or undo by hand what ran and `migrator repair {}`",
                view.revision, view.revision
            )),
        };
        findings.push(finding);
    }
    findings
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
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

/// A revision's SQL that failed on a scratch database (the roundtrip's,
/// the schema file's), as a finding of `kind` on the line that failed, with
/// what the database said; `None` for other errors.
pub fn scratch_error(error: &crate::error::Error, kind: &'static str) -> Option<Diagnostic> {
    let crate::error::Error::Sql {
        revision, failure, ..
    } = error
    else {
        return None;
    };
    if failure.fault == crate::db::Fault::Database {
        // The scratch database failed: nothing to say about the file.
        return None;
    }
    let mut diagnostic = error.diagnostic();
    diagnostic.kind = kind;
    diagnostic.message = format!(
        "{revision} failed on the scratch database: {}",
        failure.message
    );
    diagnostic.hint = None;
    Some(diagnostic)
}

/// The committed schema dump at `path` (`None`: there is none) against the
/// one the folder gives: a finding with the diff when they differ.
pub fn schema_file(path: &Path, committed: Option<&str>, expected: &str) -> Option<Diagnostic> {
    let regenerate = "run `migrator upgrade` (with schema_file set in migrator.toml it rewrites \
                      the file) or `migrator dump` on a database at the folder's heads, and commit \
                      the file";
    let Some(committed) = committed else {
        return Some(
            Diagnostic::error(
                "schema-file",
                format!("the schema file {} does not exist", path.display()),
            )
            .hint(regenerate),
        );
    };
    let name = path.display().to_string();
    let diff = crate::db::dump::compare(committed, expected, &name)?;
    let line = first_changed_line(&committed.replace("\r\n", "\n"), expected);
    Some(
        Diagnostic::error(
            "schema-file",
            format!(
                "{name} is not the schema the versions folder gives: it was edited by hand, or \
                 not written again after a revision changed"
            ),
        )
        .at(path, Some(line))
        .diff(diff)
        .hint(format!(
            "`-` lines are the committed file's, `+` lines the folder's; {regenerate}"
        )),
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

    /// Applied rows as `(id, recorded parents)`.
    type Rows<'a> = &'a [(&'a str, &'a [&'a str])];

    fn state(rows: Rows<'_>) -> DatabaseState {
        let applied = rows
            .iter()
            .map(|(id, parents)| crate::record::AppliedRevision::of(id, parents))
            .collect();
        DatabaseState {
            initialized: true,
            applied,
            comparison: Default::default(),
        }
    }

    #[test]
    fn progress_is_an_interruption_or_bookkeeping_that_contradicts_the_records() {
        use crate::report::state::{InterruptedView, StatementAt};
        let view = |revision: &str, direction, edited: bool| InterruptedView {
            revision: revision.into(),
            direction,
            file: Some(format!("versions/{revision}.up.sql").into()),
            statements: Some(5),
            done: 2,
            done_lines: vec![4, 5],
            failed: None,
            resumes_at: (!edited).then_some(StatementAt {
                statement: 3,
                line: 6,
            }),
            edited: edited.then_some(StatementAt {
                statement: 2,
                line: 5,
            }),
            at: String::new(),
            os_user: String::new(),
        };
        let applied = state(&[("0001_a", &[])]);
        // (view, kind, line, hint contains)
        let cases = [
            (
                view("0002_b", Direction::Up, false),
                "interrupted",
                Some(6),
                "`migrator upgrade` resumes at statement 3",
            ),
            (
                view("0002_b", Direction::Up, true),
                "interrupted",
                Some(5),
                "statement 2 was edited since it ran",
            ),
            (
                view("0001_a", Direction::Down, false),
                "interrupted",
                Some(6),
                "`migrator downgrade` resumes at statement 3",
            ),
            // Up progress of an applied revision, down progress of one
            // that is not: only a hand edit writes that.
            (
                view("0001_a", Direction::Up, false),
                "bookkeeping",
                None,
                "`migrator repair 0001_a`",
            ),
            (
                view("0002_b", Direction::Down, false),
                "bookkeeping",
                None,
                "`migrator repair 0002_b`",
            ),
        ];
        for (view, kind, line, hint) in cases {
            let findings = progress(std::slice::from_ref(&view), &applied, "db");
            assert_eq!(findings.len(), 1, "{view:?}");
            let finding = &findings[0];
            assert_eq!(finding.kind, kind, "{view:?}");
            assert!(finding.is_error());
            assert_eq!(finding.line, line, "{view:?}");
            assert!(
                finding.hint.as_deref().unwrap_or_default().contains(hint),
                "{:?}",
                finding.hint
            );
        }
    }

    #[test]
    fn a_recorded_parent_without_its_row_is_a_finding() {
        let cases: &[(Rows<'_>, &[&str])] = &[
            (&[], &[]),
            (&[("0001", &[]), ("0002", &["0001"])], &[]),
            // The root's row deleted.
            (
                &[("0002", &["0001"])],
                &["0001 is not recorded as applied to db, but its child 0002 is"],
            ),
            // One of two parents of a merge, and the one parent of two children.
            (
                &[
                    ("0001", &[]),
                    ("0003m", &["0002a", "0001"]),
                    ("0004", &["0003m"]),
                    ("0005", &["0002a"]),
                ],
                &["0002a is not recorded as applied to db, but its children 0003m, 0005 are"],
            ),
        ];
        for (rows, expected) in cases {
            let findings = bookkeeping(&state(rows), None, "db");
            let messages: Vec<&str> = findings
                .iter()
                .map(|f| f.message.split(':').next().unwrap())
                .collect();
            assert_eq!(messages, *expected, "{rows:?}");
            assert!(
                findings
                    .iter()
                    .all(|f| f.kind == "bookkeeping" && f.is_error())
            );
        }
    }

    #[test]
    fn history_in_one_bookkeeping_table_without_the_other_is_a_finding() {
        let fresh = state(&[]);
        let cases = [
            (None, None, None),
            (Some(0), None, None),
            (None, Some(0), None),
            (None, Some(3), Some("migrator_revisions is missing")),
            (Some(2), None, Some("migrator_log is missing")),
        ];
        for (revisions, log, expected) in cases {
            let findings = bookkeeping(&fresh, Some(Tables { revisions, log }), "db");
            let found = findings
                .first()
                .map(|f| &f.message[..expected.map_or(0, str::len)]);
            assert_eq!(found, expected, "{revisions:?} {log:?}");
            assert!(findings.len() <= 1);
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
