//! `verify --roundtrip`: every down file checked against its up file on a
//! scratch database. Each revision is applied in graph order; after its up
//! the schema is snapshotted, its down runs, and the schema must be what it
//! was before the up; then the up runs again and must give the same schema
//! as the first time. The first revision that fails is reported with the
//! difference.

use std::path::PathBuf;

use crate::db::Database;
use crate::db::schema::SchemaDiff;
use crate::engine::{self, Progress, RunOptions};
use crate::error::Error;
use crate::project::Project;
use crate::record::{Direction, Event, Operator};

/// Which check a revision failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// After up then down, the schema differs from the one before the up.
    DownUndoesUp,
    /// After up, down, up, the schema differs from the one after the first up.
    UpAgain,
}

/// The first revision whose down does not undo its up.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Failure {
    pub revision: String,
    pub check: Check,
    /// The file to fix: the down file for [`Check::DownUndoesUp`].
    pub path: PathBuf,
    /// For [`Check::DownUndoesUp`]: `removed` is what the down dropped that
    /// was there before the up, `added` what it left behind.
    pub diff: SchemaDiff,
}

/// How a roundtrip ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every revision's down undid its up; `revisions` were checked.
    Passed {
        revisions: usize,
    },
    Failed(Failure),
}

/// Refuses a scratch database that is not empty: one with applied
/// revisions, tables or other objects. `check` needs one it may fill, and
/// `leaves` says what it leaves there.
pub fn require_empty(db: &mut dyn Database, check: &str, leaves: &str) -> Result<(), Error> {
    let location = db.location().to_string();
    let not_empty = |what: &str| {
        Error::refused(
            format!("the scratch database {location} is not empty: it {what}"),
            Some(format!(
                "{check} needs an empty database it may fill ({leaves}): give --scratch-url a new one, or leave --scratch-url out to use \
                 a temporary one, made beside the database and removed afterwards"
            )),
        )
    };
    if db.has_tables()? && !db.applied()?.is_empty() {
        return Err(not_empty("has applied revisions"));
    }
    if !db.schema_for_comparison()?.is_empty_database() {
        return Err(not_empty("holds tables or other objects"));
    }
    Ok(())
}

/// Runs the roundtrip on `db`, which must be empty (no user objects, nothing
/// applied). On success every revision is undone again, newest first, so a
/// scratch database is left as empty as it was found; after a failure it
/// holds what had been applied.
pub fn run(
    project: &Project,
    db: &mut dyn Database,
    options: &RunOptions,
    operator: &Operator,
    progress: &mut dyn Progress,
) -> Result<Outcome, Error> {
    require_empty(
        db,
        "roundtrip",
        "a failed roundtrip leaves its revisions there",
    )?;
    let graph = &project.graph;
    // What a fresh database runs: a squash in place of the revisions it
    // replaces.
    let order =
        crate::graph::plan::upgrade(graph, &[], &crate::graph::target::Target::Heads)?.steps;
    engine::check_placeholders(project, &order, Direction::Up, &options.placeholders)?;
    engine::with_lock(db, options, progress, |db, progress| {
        let total = order.len();
        for (index, written) in order.iter().map(|&i| graph.at(i)).enumerate() {
            let revision = &*engine::as_run(written, Direction::Up, &options.placeholders)?;
            let mut run = |db: &mut dyn Database, direction: Direction, event: Event| {
                progress.step_started(revision, direction, index + 1, total);
                let elapsed = engine::run_one(
                    db,
                    revision,
                    engine::step_for(revision, direction, event, options.revision_timeouts),
                    None,
                    operator,
                    progress,
                )?;
                progress.step_finished(revision, direction, elapsed);
                Ok::<_, Error>(())
            };
            let before = db.schema_for_comparison()?;
            run(db, Direction::Up, Event::Upgrade)?;
            // A repeatable revision without a down file undoes nothing:
            // there is nothing to check.
            if !revision.has_down_file {
                continue;
            }
            let after_up = db.schema_for_comparison()?;
            run(db, Direction::Down, Event::Downgrade)?;
            let diff = before.diff(&db.schema_for_comparison()?);
            if !diff.is_empty() {
                return Ok(Outcome::Failed(Failure {
                    revision: revision.id.clone(),
                    check: Check::DownUndoesUp,
                    path: revision.down.path.clone(),
                    diff,
                }));
            }
            run(db, Direction::Up, Event::Upgrade)?;
            let diff = after_up.diff(&db.schema_for_comparison()?);
            if !diff.is_empty() {
                return Ok(Outcome::Failed(Failure {
                    revision: revision.id.clone(),
                    check: Check::UpAgain,
                    path: revision.up.path.clone(),
                    diff,
                }));
            }
        }
        for written in order.iter().rev().map(|&i| graph.at(i)) {
            let revision = engine::as_run(written, Direction::Down, &options.placeholders)?;
            engine::run_one(
                db,
                &revision,
                engine::step_for(
                    &revision,
                    Direction::Down,
                    Event::Downgrade,
                    options.revision_timeouts,
                ),
                None,
                operator,
                &mut *progress,
            )?;
        }
        Ok(Outcome::Passed { revisions: total })
    })
}
