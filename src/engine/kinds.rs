//! What the engine does differently for repeatable revisions and squashes:
//! the record a step writes, the records a squash takes over, what a run
//! refuses, and what it says about such a step. Pure.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::db::{Database, DbError};

use crate::error::Error;
use crate::graph::RevisionGraph;
use crate::graph::drift::Comparison;
use crate::graph::plan::StepKind;
use crate::graph::squash::{self, SquashState};
use crate::graph::target::Target;
use crate::record::{AppliedRevision, Direction, Event, Operator, RecordChange, RevisionRecord};
use crate::source::revision::Revision;

/// What the bookkeeping keeps of a revision when it becomes applied.
pub fn record_of(revision: &Revision) -> RevisionRecord {
    RevisionRecord {
        id: revision.id.clone(),
        parents: revision.parents.clone(),
        up_checksum: revision.up.checksum.clone(),
        down_checksum: revision.down.checksum.clone(),
        up_sql: revision.up.sql.clone(),
        down_sql: revision.down.sql.clone(),
    }
}

/// The ids the database recorded.
pub fn recorded(applied: &[AppliedRevision]) -> HashSet<&str> {
    applied.iter().map(|r| r.id.as_str()).collect()
}

/// The applied repeatable revisions whose up file changed: they run again.
pub fn stale(comparison: &Comparison) -> Vec<&str> {
    comparison
        .stale
        .iter()
        .map(|d| d.revision.as_str())
        .collect()
}

/// What each step does, in the order of `steps`.
pub fn of_steps(
    graph: &RevisionGraph,
    recorded: &HashSet<&str>,
    steps: &[usize],
    direction: Direction,
) -> Vec<StepKind> {
    steps
        .iter()
        .map(|&i| crate::graph::plan::step_kind(graph, recorded, i, direction))
        .collect()
}

/// The change that records a step of `kind` (not [`StepKind::Adopt`], see
/// [`adoption`]).
pub fn record_change(revision: &Revision, kind: StepKind, event: Event) -> RecordChange {
    match kind {
        StepKind::Apply | StepKind::Adopt => RecordChange::Insert {
            event,
            record: record_of(revision),
        },
        StepKind::Reapply => RecordChange::Reapply {
            event,
            record: record_of(revision),
        },
        StepKind::Undo => RecordChange::Delete {
            event,
            id: revision.id.clone(),
            checksum: revision.down.checksum.clone(),
        },
    }
}

/// The changes that record the squash at `squash` without running it, in
/// one transaction: its record, and the removal of the records of the
/// revisions it replaces (`recorded` by the time it runs), which it now
/// stands for. Logged as `stamp`.
pub fn adoption(
    graph: &RevisionGraph,
    squash: usize,
    recorded: &HashSet<&str>,
    applied: &[AppliedRevision],
) -> Vec<RecordChange> {
    let revision = graph.at(squash);
    let mut changes = vec![RecordChange::Insert {
        event: Event::Stamp,
        record: record_of(revision),
    }];
    for id in revision.replaces.iter().rev() {
        if !recorded.contains(id.as_str()) {
            continue;
        }
        let checksum = match graph.get(id) {
            Some(member) => member.down.checksum.clone(),
            None => applied
                .iter()
                .find(|r| &r.id == id)
                .map(|r| r.down_checksum.clone())
                .unwrap_or_default(),
        };
        changes.push(RecordChange::Delete {
            event: Event::Stamp,
            id: id.clone(),
            checksum,
        });
    }
    changes
}

/// Records the squash at `squash` without running it (see [`adoption`]),
/// in one transaction; returns how long that took.
pub fn adopt(
    db: &mut dyn Database,
    graph: &RevisionGraph,
    squash: usize,
    recorded: &HashSet<&str>,
    applied: &[AppliedRevision],
    operator: &Operator,
) -> Result<Duration, DbError> {
    let changes = adoption(graph, squash, recorded, applied);
    let mut operator = operator.clone();
    operator.note = Some(adoption_note(graph.at(squash)));
    let started = Instant::now();
    db.record(&changes, &operator)?;
    Ok(started.elapsed())
}

/// Keeps `recorded` up to date as a run goes: a squash recorded later in
/// the run finds the revisions it replaces recorded.
pub fn note_done<'a>(
    recorded: &mut HashSet<&'a str>,
    revision: &'a Revision,
    direction: Direction,
) {
    match direction {
        Direction::Up => recorded.insert(&revision.id),
        Direction::Down => recorded.remove(revision.id.as_str()),
    };
}

/// The note for the log rows of an adoption.
pub fn adoption_note(revision: &Revision) -> String {
    format!(
        "squash {}: the revisions it replaces were applied",
        revision.id
    )
}

/// Refuses a target that names a revision a squash replaced and whose files
/// are gone, saying so (the graph alone would call it unknown).
pub fn check_target(graph: &RevisionGraph, target: &Target) -> Result<(), Error> {
    let Target::Revision(name) = target else {
        return Ok(());
    };
    if graph.resolve(name).is_ok() {
        return Ok(());
    }
    for s in graph.squashes() {
        let squash = graph.at(s);
        if let Some(id) = squash
            .replaces
            .iter()
            .find(|id| id.starts_with(name.as_str()))
        {
            return Err(Error::refused(
                format!(
                    "{id} was squashed into {}, and its files are gone from the folder",
                    squash.id
                ),
                Some(format!(
                    "name {} instead: it stands for {id} and the revisions before it",
                    squash.id
                )),
            ));
        }
    }
    Ok(())
}

/// Refuses a plan that would record a squash whose remaining replaced
/// revisions cannot run (their files are gone), or undo a squash to reach
/// a revision inside it.
pub fn check(
    graph: &RevisionGraph,
    recorded: &HashSet<&str>,
    direction: Direction,
    target: &Target,
    steps: &[usize],
    location: &str,
) -> Result<(), Error> {
    match direction {
        Direction::Up => {
            for &s in steps.iter().filter(|&&i| graph.at(i).is_squash()) {
                if let SquashState::Started { remaining, missing } =
                    squash::state(graph, s, recorded)
                    && !missing.is_empty()
                {
                    let revision = graph.at(s);
                    return Err(Error::refused(
                        format!(
                            "{location} applied {} of the {} revisions that {} replaces, and the files of {} are gone",
                            revision.replaces.len() - remaining.len(),
                            revision.replaces.len(),
                            revision.id,
                            missing.join(", ")
                        ),
                        Some(format!(
                            "restore those files from version control (they were deleted before this database passed them) and upgrade: \
                             they run, then {} is recorded; `migrator verify` with this database says when they may go",
                            revision.id
                        )),
                    ));
                }
            }
        }
        Direction::Down => {
            let Target::Revision(name) = target else {
                return Ok(());
            };
            let Ok(index) = graph.resolve(name) else {
                return Ok(());
            };
            let id = &graph.at(index).id;
            if let Some(s) = squash::recorded_squash_of(graph, id, recorded) {
                let squash = graph.at(s);
                return Err(Error::refused(
                    format!(
                        "{id} is one of the revisions {} replaces, and {location} has {} as one revision: there is no undoing part of it",
                        squash.id, squash.id
                    ),
                    Some(format!(
                        "downgrade to {} (keeps all of it) or past it (undoes all of it: `migrator downgrade base` when it is a root)",
                        squash.id
                    )),
                ));
            }
        }
    }
    Ok(())
}

/// What a person should know about a step that is not the plain run of a
/// file, said after it.
pub fn note(revision: &Revision, kind: StepKind) -> Option<String> {
    match kind {
        StepKind::Reapply => {
            Some("applied again: its up file changed since it was last applied".into())
        }
        StepKind::Adopt => Some(format!(
            "recorded without running: the {} revisions it replaces are applied",
            revision.replaces.len()
        )),
        StepKind::Undo if !revision.has_down_file => {
            Some("no down file: nothing to undo; its record is removed".into())
        }
        StepKind::Apply | StepKind::Undo => None,
    }
}
