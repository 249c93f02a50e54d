//! Runs plans against a database: upgrade, downgrade, stamp. The engine
//! decides what happens and in which order; the [`Database`] does it; a
//! [`Progress`] hears about it. It prints nothing itself.

pub mod kinds;
pub mod resume;
pub mod roundtrip;
pub mod schema_file;
pub mod verify;

pub use kinds::record_of;

use std::time::{Duration, Instant};

use crate::db::lock_row::LockRow;
use crate::db::run_lock::TableLock;
use crate::db::{Database, DbError, LockStrategy, Step};
use crate::error::{Error, Stopped};
use crate::graph::drift::{self, Comparison};
use crate::graph::plan::{self, StepKind};
use crate::graph::target::Target;
use crate::project::Project;
use crate::record::{AppliedRevision, Direction, Event, Operator, RecordChange};
use crate::source::placeholder::Placeholders;
use crate::source::revision::Revision;
use crate::sql::split::Statement;
use crate::sql::text::line_col;
use crate::timeout::{Defaults, Timeouts};
use resume::{Action, Blocked, Interrupted, Mismatch, Start};

/// How a run may proceed.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Go ahead although applied files changed or vanished (the log says so).
    pub allow_drift: bool,
    /// How long to wait for another run's lock; `None` waits for ever.
    pub lock_timeout: Option<Duration>,
    /// The database's own timeouts for revisions whose header sets none.
    pub revision_timeouts: crate::timeout::Defaults,
    /// How runs are kept apart: see [`crate::db::run_lock`].
    pub lock: LockStrategy,
    /// The values of `${NAME}` in revisions that use placeholders.
    pub placeholders: Placeholders,
}

/// Hears what a run does, as it happens (the CLI prints it).
pub trait Progress {
    /// Another run holds the lock; this one waits.
    fn waiting_for_lock(&mut self, _holder: Option<&str>, _timeout: Option<Duration>) {}
    /// The table lock was taken over from a run that stopped sending
    /// heartbeats (`lock = "table"`): its holder, described.
    fn lock_taken_over(&mut self, _previous: &str) {}
    /// `lock = "none"`: this run takes no lock.
    fn running_without_lock(&mut self) {}
    /// Applied files changed, and the run goes on because of `--allow-drift`.
    fn drift_allowed(&mut self, _comparison: &Comparison) {}
    /// Down files of applied revisions changed: a warning.
    fn down_files_changed(&mut self, _comparison: &Comparison) {}
    /// The database has revisions of a newer folder; they stay applied.
    fn database_ahead(&mut self, _ids: &[String]) {}
    fn step_started(
        &mut self,
        _revision: &Revision,
        _direction: Direction,
        _number: usize,
        _total: usize,
    ) {
    }
    fn step_finished(&mut self, _revision: &Revision, _direction: Direction, _elapsed: Duration) {}
    /// The revision, interrupted earlier, resumes: its first `done`
    /// statements of `total` are done already.
    fn resuming(
        &mut self,
        _revision: &Revision,
        _direction: Direction,
        _done: usize,
        _total: usize,
    ) {
    }
    /// What a step did that is not the plain run of a file (a repeatable
    /// applied again, a squash recorded without running, no down file),
    /// after `step_finished`.
    fn step_note(&mut self, _revision: &Revision, _note: &str) {}
    /// The server said something while the revision ran (a PostgreSQL
    /// `NOTICE` or `WARNING`, as `SEVERITY: message`): after
    /// `step_finished`, or before the error when the revision failed.
    fn notice(&mut self, _revision: &Revision, _text: &str) {}
}

/// A [`Progress`] that ignores everything.
pub struct Silent;
impl Progress for Silent {}

/// One step of a run that completed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StepDone {
    /// The revision's position in the graph.
    #[serde(skip)]
    pub index: usize,
    pub revision: String,
    pub direction: Direction,
    pub elapsed_ms: u128,
    pub kind: StepKind,
}

/// What the database holds, read without taking the lock or creating
/// anything: the state read-only commands show.
#[derive(Debug, Clone)]
pub struct DatabaseState {
    /// False when the bookkeeping tables do not exist yet (nothing applied).
    pub initialized: bool,
    pub applied: Vec<AppliedRevision>,
    pub comparison: Comparison,
}

/// Reads the applied revisions and compares them with the folder.
pub fn read_state(project: &Project, db: &mut dyn Database) -> Result<DatabaseState, Error> {
    let applied = db.applied_if_initialized()?;
    let initialized = applied.is_some();
    let applied = applied.unwrap_or_default();
    let comparison = drift::compare(&project.graph, &applied);
    Ok(DatabaseState {
        initialized,
        applied,
        comparison,
    })
}

/// A run decided before anything is locked or written: the target
/// resolved against the graph, drift checked, the steps chosen. `--dry-run`
/// and `--sql` show it; [`execute`] carries it out, so preview and run
/// cannot disagree.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub direction: Direction,
    pub target: Target,
    /// Positions in the graph of the revisions to run, in order.
    pub steps: Vec<usize>,
    /// What each step does (apply, apply again, record a squash, undo).
    pub kinds: Vec<StepKind>,
    /// The database as read when preparing.
    pub comparison: Comparison,
    /// False when the bookkeeping tables do not exist yet.
    pub initialized: bool,
}

/// Decides a run: pure, from the folder and the database as read. Refuses
/// drift (unless allowed), a downgrade of a database that is ahead of the
/// folder, and targets the graph cannot resolve.
pub fn prepare(
    project: &Project,
    state: &DatabaseState,
    direction: Direction,
    target: &Target,
    options: &RunOptions,
    location: &str,
) -> Result<Prepared, Error> {
    let comparison = &state.comparison;
    if !comparison.is_clean() && !options.allow_drift {
        return Err(Error::Drift {
            location: location.to_string(),
            drifted: comparison.drifted.clone(),
            missing: comparison.missing.clone(),
        });
    }
    kinds::check_target(&project.graph, target)?;
    let applied: Vec<&str> = state.applied.iter().map(|r| r.id.as_str()).collect();
    let plan = match direction {
        Direction::Up => plan::upgrade_reapplying(
            &project.graph,
            &applied,
            &kinds::stale(&state.comparison),
            target,
        )?,
        Direction::Down => plan::downgrade(&project.graph, &applied, target)?,
    };
    let recorded = kinds::recorded(&state.applied);
    kinds::check(
        &project.graph,
        &recorded,
        direction,
        target,
        &plan.steps,
        location,
    )?;
    let kinds = kinds::of_steps(&project.graph, &recorded, &plan.steps, direction);
    if direction == Direction::Down && !plan.steps.is_empty() && !comparison.ahead.is_empty() {
        return Err(Error::refused(
            format!(
                "{location} is ahead of this folder: a newer release applied {}, which this folder does not have",
                comparison.ahead.join(", ")
            ),
            Some(
                "downgrade with the folder of the release that applied them, so their down files run first".to_string(),
            ),
        ));
    }
    Ok(Prepared {
        direction,
        target: target.clone(),
        steps: plan.steps,
        kinds,
        comparison: comparison.clone(),
        initialized: state.initialized,
    })
}

/// The step of `kind` for one revision, with its bookkeeping; a squash
/// recorded without running ([`StepKind::Adopt`]) runs no SQL.
pub fn step_of<'a>(
    revision: &'a Revision,
    kind: StepKind,
    event: Event,
    defaults: Defaults,
) -> Step<'a> {
    let direction = match kind {
        StepKind::Undo => Direction::Down,
        StepKind::Apply | StepKind::Reapply | StepKind::Adopt => Direction::Up,
    };
    let mut step = step_for(revision, direction, event, defaults);
    step.record = kinds::record_change(revision, kind, event);
    if kind == StepKind::Adopt {
        step.sql = "";
    }
    step
}

/// Refuses a run whose revisions name placeholders without a value, with
/// every such name of every file that would run, before anything runs:
/// [`execute`] and the roundtrip call it first, `--sql` too; a plan
/// (`--dry-run`) needs no values.
pub fn check_placeholders(
    project: &Project,
    steps: &[usize],
    direction: Direction,
    placeholders: &Placeholders,
) -> Result<(), Error> {
    let mut problems: Vec<_> = steps
        .iter()
        .filter_map(|&index| {
            placeholders
                .revision(project.graph.at(index), direction == Direction::Up)
                .err()
        })
        .flatten()
        .collect();
    // One hint per name is enough: it is the same for each of its uses.
    let mut hinted = std::collections::HashSet::new();
    for problem in &mut problems {
        if let Some(hint) = problem.hint.take()
            && hinted.insert(hint.clone())
        {
            problem.hint = Some(hint);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Placeholders { problems })
    }
}

/// `revision` as it runs `direction`: its placeholders replaced when it
/// uses them (see [`Placeholders::revision`]).
pub fn as_run<'a>(
    revision: &'a Revision,
    direction: Direction,
    placeholders: &Placeholders,
) -> Result<std::borrow::Cow<'a, Revision>, Error> {
    placeholders
        .revision(revision, direction == Direction::Up)
        .map_err(|problems| Error::Placeholders { problems })
}

/// The step that runs one revision one way, with its bookkeeping, and the
/// database's timeouts for it: its header's, else `defaults`.
pub fn step_for<'a>(
    revision: &'a Revision,
    direction: Direction,
    event: Event,
    defaults: Defaults,
) -> Step<'a> {
    let (sql, path, record) = match direction {
        Direction::Up => (
            &revision.up.sql,
            &revision.up.path,
            RecordChange::Insert {
                event,
                record: record_of(revision),
            },
        ),
        Direction::Down => (
            &revision.down.sql,
            &revision.down.path,
            RecordChange::Delete {
                event,
                id: revision.id.clone(),
                checksum: revision.down.checksum.clone(),
            },
        ),
    };
    Step {
        revision: &revision.id,
        direction,
        sql,
        path,
        transactional: revision.transactional,
        timeouts: Timeouts::resolve(revision.timeouts, defaults),
        record,
        resume_at: 0,
    }
}

/// Tells `progress` what a run should know before it starts: down files
/// that changed, revisions of a newer folder.
pub fn announce(prepared: &Prepared, progress: &mut dyn Progress) {
    if !prepared.comparison.down_drifted.is_empty() {
        progress.down_files_changed(&prepared.comparison);
    }
    if !prepared.comparison.ahead.is_empty() {
        progress.database_ahead(&prepared.comparison.ahead);
    }
}

/// Carries out a prepared run under the lock, one revision per
/// transaction. A run with nothing to do takes no lock (every instance of an
/// application may run `upgrade` at start-up, and most find nothing to do).
/// Under the lock the database is read again and the run prepared again, in
/// case another run changed it meanwhile. Returns the steps that completed;
/// on failure the completed steps stay applied and the error names the
/// failing revision.
pub fn execute(
    project: &Project,
    db: &mut dyn Database,
    prepared: &Prepared,
    options: &RunOptions,
    operator: &Operator,
    progress: &mut dyn Progress,
) -> Result<Vec<StepDone>, Error> {
    announce(prepared, progress);
    if prepared.steps.is_empty() {
        return Ok(Vec::new());
    }
    // Before the lock, which creates the bookkeeping tables: a run that
    // lacks a value changes nothing.
    check_placeholders(
        project,
        &prepared.steps,
        prepared.direction,
        &options.placeholders,
    )?;
    with_lock_held(db, options, progress, |db, progress, held| {
        let state = read_state(project, db)?;
        let interrupted = resume::interrupted(&db.progress()?);
        let location = db.location().to_string();
        let prepared = prepare(
            project,
            &state,
            prepared.direction,
            &prepared.target,
            options,
            &location,
        )?;
        let mut operator = operator.clone();
        if !prepared.comparison.is_clean() {
            progress.drift_allowed(&prepared.comparison);
            operator.note = Some("--allow-drift".into());
        }
        let direction = prepared.direction;
        let steps = finish_first(project, &prepared, &interrupted)?;
        let event = match direction {
            Direction::Up => Event::Upgrade,
            Direction::Down => Event::Downgrade,
        };
        let total = steps.len();
        let mut done = Vec::with_capacity(total);
        // What is recorded as the run goes: a squash recorded after the
        // revisions it replaces takes over their records.
        let mut recorded = kinds::recorded(&state.applied);
        for (number, &index) in steps.iter().enumerate() {
            let revision = project.graph.at(index);
            // A table lock is proved still ours, and renewed, before each
            // revision: a run that stalled and lost it stops here.
            held.confirm()?;
            progress.step_started(revision, direction, number + 1, total);
            let kind = plan::step_kind(&project.graph, &recorded, index, direction);
            let substituted = as_run(revision, direction, &options.placeholders)?;
            let step = step_of(&substituted, kind, event, options.revision_timeouts);
            let result = match kind {
                StepKind::Adopt => kinds::adopt(
                    db,
                    &project.graph,
                    index,
                    &recorded,
                    &state.applied,
                    &operator,
                )
                .map_err(|error| locate(error, &step, None)),
                _ => {
                    let halfway = interrupted.iter().find(|group| {
                        group.revision == revision.id && group.direction == direction
                    });
                    run_one(db, &substituted, step, halfway, &operator, progress)
                }
            };
            kinds::note_done(&mut recorded, revision, direction);
            let notices = db.notices();
            let elapsed = match result {
                Ok(elapsed) => elapsed,
                Err(error) => {
                    for notice in &notices {
                        progress.notice(revision, notice);
                    }
                    return Err(error);
                }
            };
            progress.step_finished(revision, direction, elapsed);
            if let Some(note) = kinds::note(revision, kind) {
                progress.step_note(revision, &note);
            }
            for notice in &notices {
                progress.notice(revision, notice);
            }
            done.push(StepDone {
                index,
                revision: revision.id.clone(),
                direction,
                elapsed_ms: elapsed.as_millis(),
                kind,
            });
        }
        Ok(done)
    })
}

/// The steps of a prepared run, with the interrupted revisions it finishes
/// first; refused when a revision is interrupted that it leaves as it is.
pub fn finish_first(
    project: &Project,
    prepared: &Prepared,
    interrupted: &[Interrupted],
) -> Result<Vec<usize>, Error> {
    if interrupted.is_empty() {
        return Ok(prepared.steps.clone());
    }
    let mut applied = vec![false; project.graph.len()];
    for &index in &prepared.comparison.applied {
        applied[index] = true;
    }
    resume::finish_first(
        &project.graph,
        &applied,
        prepared.direction,
        &prepared.steps,
        interrupted,
    )
    .map_err(|blocked| blocked_error(project, interrupted, &blocked))
}

/// Where a step that runs statement by statement starts: after the
/// statements `recorded` says are done, when they are unchanged.
pub fn resume_at(
    revision: &Revision,
    step: &Step<'_>,
    recorded: Option<&Interrupted>,
    statements: &[resume::FileStatement<'_>],
) -> Result<usize, Error> {
    match resume::start(recorded, statements) {
        Start::Fresh => Ok(0),
        Start::Resume(done) => Ok(done),
        Start::Refused(mismatch) => Err(edited_error(
            revision,
            step,
            recorded.expect("a refusal comes from rows"),
            &mismatch,
            statements.len(),
        )),
    }
}

/// Runs one revision one way with its bookkeeping: in one transaction, or
/// statement by statement when the database says so, resuming after what
/// `recorded` says is done.
pub(crate) fn run_one(
    db: &mut dyn Database,
    revision: &Revision,
    mut step: Step<'_>,
    recorded: Option<&Interrupted>,
    operator: &Operator,
    progress: &mut dyn Progress,
) -> Result<Duration, Error> {
    if db.runs_by_statement(&step) {
        // What migrator's own statements raised is no revision's.
        db.notices();
        run_by_statement(db, revision, &mut step, recorded, operator, progress)
    } else {
        db.run_step(&step, operator)
            .map_err(|error| locate(error, &step, None))
    }
}

/// Runs a step statement by statement, from where an earlier run of it
/// stopped when the statements that run did are unchanged, recording each
/// statement as it becomes done for good, then records the revision.
fn run_by_statement(
    db: &mut dyn Database,
    revision: &Revision,
    step: &mut Step<'_>,
    recorded: Option<&Interrupted>,
    operator: &Operator,
    progress: &mut dyn Progress,
) -> Result<Duration, Error> {
    let statements =
        resume::file_statements(step.sql, db.dialect(), |text| db.commits_by_itself(text));
    let from = resume_at(revision, step, recorded, &statements)?;
    step.resume_at = from;
    if from > 0 {
        progress.resuming(revision, step.direction, from, statements.len());
    }
    let started = Instant::now();
    let mut done = from;
    for action in resume::script(&statements, from) {
        match action {
            Action::Run(index) => {
                let statement = Statement {
                    offset: statements[index].offset,
                    text: statements[index].text,
                };
                if let Err(error) = db.run_statement(step, &statement) {
                    // The failure is worth keeping only beside statements
                    // that stay done: else nothing of the revision is left.
                    let mut recorded = done > 0;
                    if let (true, DbError::Sql { failure, .. }) = (recorded, &error) {
                        let message = match &failure.code {
                            Some(code) => format!("{} ({code})", failure.message),
                            None => failure.message.clone(),
                        };
                        let entry = resume::failure_entry(
                            &revision.id,
                            step.direction,
                            &statements,
                            index,
                            message,
                        );
                        // The connection may be what failed: the statements
                        // done are recorded already, and say enough.
                        recorded = db.record_progress(&[entry], operator).is_ok();
                    }
                    let stopped = Stopped {
                        direction: step.direction,
                        total: statements.len(),
                        done,
                        failed: index + 1,
                        resume_line: statements[done].line,
                        failure_recorded: recorded,
                    };
                    return Err(locate(error, step, Some(stopped)));
                }
            }
            Action::Record(range) => {
                let entries =
                    resume::done_entries(&revision.id, step.direction, &statements, range.clone());
                db.record_progress(&entries, operator)?;
                done = range.end;
            }
        }
    }
    let elapsed = started.elapsed();
    db.finish_step(step, operator, elapsed)
        .map_err(|error| locate(error, step, None))?;
    Ok(elapsed)
}

/// The refusal to resume a revision one of whose statements done was
/// edited since it ran.
fn edited_error(
    revision: &Revision,
    step: &Step<'_>,
    recorded: &Interrupted,
    mismatch: &Mismatch,
    total: usize,
) -> Error {
    let file = step.path.display();
    let done = recorded.done_count();
    let (what, line) = match mismatch {
        Mismatch::Edited { line, .. } => ("was edited since it ran", Some(*line)),
        Mismatch::Removed { .. } => ("ran, but is not in the file any more", None),
        Mismatch::Gap { .. } => (
            "is not recorded as done while later ones are (migrator_progress was edited by hand)",
            None,
        ),
    };
    let statement = mismatch.statement();
    let at = match line {
        Some(line) => format!(" ({file}:{line})"),
        None => String::new(),
    };
    let verb = match step.direction {
        Direction::Up => "upgrade",
        Direction::Down => "downgrade",
    };
    let mut details = vec![format!(
        "{} of {total} ran and {} done ({} by {})",
        resume::statements_phrase(1, done),
        if done == 1 { "stays" } else { "stay" },
        recorded.at(),
        recorded.os_user(),
    )];
    match mismatch {
        Mismatch::Edited {
            line,
            recorded_line,
            ..
        } if line == recorded_line => {}
        Mismatch::Edited { recorded_line, .. } | Mismatch::Removed { recorded_line, .. } => {
            details.push(format!(
                "statement {statement} started at line {recorded_line} when it ran"
            ));
        }
        Mismatch::Gap { .. } => {}
    }
    if let Some(failure) = &recorded.failure {
        details.push(format!(
            "the {verb} failed at statement {} (line {}): {}",
            failure.statement,
            failure.line,
            failure.error.as_deref().unwrap_or_default()
        ));
    }
    Error::Refused {
        message: format!(
            "cannot resume {}: statement {statement}{} {what}",
            revision.id,
            if at.is_empty() {
                format!(" of {file}")
            } else {
                at.clone()
            }
        ),
        details,
        hint: Some(format!(
            "restore {} as {} ran (white space and comments may change) and fix only what comes after, \
             then run the command again: it resumes at statement {}; or, to run the revision from its \
             first statement, undo by hand what {} did and forget {} with `migrator repair {}`",
            resume::statements_phrase(1, done),
            if done == 1 { "it" } else { "they" },
            done + 1,
            resume::statements_phrase(1, done),
            if done == 1 { "it" } else { "them" },
            revision.id
        )),
    }
}

/// The refusal of a run that would leave an interrupted revision as it is.
fn blocked_error(project: &Project, interrupted: &[Interrupted], blocked: &Blocked) -> Error {
    let (revision, direction) = match blocked {
        Blocked::Elsewhere {
            revision,
            direction,
        }
        | Blocked::Order {
            revision,
            direction,
            ..
        } => (revision, *direction),
    };
    let group = interrupted
        .iter()
        .find(|g| &g.revision == revision && g.direction == direction);
    let done = group.map_or(0, Interrupted::done_count);
    let verb = match direction {
        Direction::Up => "upgrade",
        Direction::Down => "downgrade",
    };
    let mut details = vec![format!(
        "{} ran and {} done ({} by {})",
        if done == 0 {
            "no statement".to_string()
        } else {
            resume::statements_phrase(1, done)
        },
        if done == 1 { "stays" } else { "stay" },
        group.map_or("", Interrupted::at),
        group.map_or("", Interrupted::os_user),
    )];
    if let Some(failure) = group.and_then(|g| g.failure.as_ref()) {
        details.push(format!(
            "it failed at statement {} (line {}): {}",
            failure.statement,
            failure.line,
            failure.error.as_deref().unwrap_or_default()
        ));
    }
    let finish = match direction {
        Direction::Up => format!("`migrator upgrade {revision}` resumes it"),
        Direction::Down => {
            "a `migrator downgrade` that undoes it (`migrator downgrade -1` when it is the newest) resumes it"
                .to_string()
        }
    };
    let repair = format!(
        "or undo by hand what its statements done did, then `migrator repair {revision}` forgets them"
    );
    match blocked {
        Blocked::Elsewhere { .. } if project.graph.get(revision).is_none() => Error::Refused {
            message: format!(
                "the {verb} of {revision} was interrupted halfway, and {revision} is not in this folder"
            ),
            details,
            hint: Some(format!("finish it with the folder that has it; {repair}")),
        },
        Blocked::Elsewhere { .. } => Error::Refused {
            message: format!(
                "the {verb} of {revision} was interrupted halfway: finish it before anything else runs"
            ),
            details,
            hint: Some(format!("{finish}; {repair}")),
        },
        Blocked::Order { other, .. } => Error::Refused {
            message: format!(
                "the {verb} of {revision} was interrupted halfway, and cannot be finished first: {}",
                match direction {
                    Direction::Up => format!("its parent {other} is not applied"),
                    Direction::Down => format!("its child {other} is applied"),
                }
            ),
            details,
            hint: Some(repair),
        },
    }
}

/// What `stamp` changed.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct StampDone {
    pub inserted: Vec<String>,
    pub deleted: Vec<String>,
}

/// Changes the records as `upgrade T` then `downgrade T` would, running no
/// SQL of the revisions, in one transaction.
pub fn stamp(
    project: &Project,
    db: &mut dyn Database,
    target: &Target,
    options: &RunOptions,
    operator: &Operator,
    progress: &mut dyn Progress,
) -> Result<StampDone, Error> {
    with_lock(db, options, progress, |db, _progress| {
        let state = read_state(project, db)?;
        let applied: Vec<&str> = state.applied.iter().map(|r| r.id.as_str()).collect();
        let plan = plan::stamp_reapplying(
            &project.graph,
            &applied,
            &kinds::stale(&state.comparison),
            target,
        )?;
        let mut recorded = kinds::recorded(&state.applied);
        let mut changes = Vec::with_capacity(plan.insert.len() + plan.delete.len());
        let mut done = StampDone::default();
        // A revision stamped applied (or not) is no longer halfway: what a
        // run of it left in migrator_progress goes.
        for group in resume::interrupted(&db.progress()?) {
            let Some(index) = project.graph.index_of(&group.revision) else {
                continue;
            };
            let (stamped, file) = match group.direction {
                Direction::Up => (plan.insert.contains(&index), &project.graph.at(index).up),
                Direction::Down => (plan.delete.contains(&index), &project.graph.at(index).down),
            };
            if stamped {
                changes.push(RecordChange::ClearProgress {
                    event: Event::Stamp,
                    id: group.revision.clone(),
                    direction: group.direction,
                    checksum: file.checksum.clone(),
                });
            }
        }
        for &index in &plan.delete {
            let revision = project.graph.at(index);
            changes.push(RecordChange::Delete {
                event: Event::Stamp,
                id: revision.id.clone(),
                checksum: revision.down.checksum.clone(),
            });
            done.deleted.push(revision.id.clone());
            recorded.remove(revision.id.as_str());
        }
        let kinds = kinds::of_steps(&project.graph, &recorded, &plan.insert, Direction::Up);
        for (&index, kind) in plan.insert.iter().zip(kinds) {
            let revision = project.graph.at(index);
            if kind == StepKind::Adopt {
                changes.extend(kinds::adoption(
                    &project.graph,
                    index,
                    &recorded,
                    &state.applied,
                ));
            } else {
                changes.push(kinds::record_change(revision, kind, Event::Stamp));
            }
            recorded.insert(&revision.id);
            done.inserted.push(revision.id.clone());
        }
        if !changes.is_empty() {
            db.record(&changes, operator)?;
        }
        Ok(done)
    })
}

/// Records changes (repair) under the lock, in one transaction.
pub fn record_changes(
    db: &mut dyn Database,
    changes: &[RecordChange],
    options: &RunOptions,
    operator: &Operator,
    progress: &mut dyn Progress,
) -> Result<(), Error> {
    with_lock(db, options, progress, |db, _progress| {
        Ok(db.record(changes, operator)?)
    })
}

/// Takes the run lock (creating the bookkeeping tables first), runs `work`,
/// and releases the lock whatever happened.
pub(crate) fn with_lock<T>(
    db: &mut dyn Database,
    options: &RunOptions,
    progress: &mut dyn Progress,
    work: impl FnOnce(&mut dyn Database, &mut dyn Progress) -> Result<T, Error>,
) -> Result<T, Error> {
    with_lock_held(db, options, progress, |db, progress, _held| {
        work(db, progress)
    })
}

/// The run lock while a run holds it, as `options.lock` chose it.
pub(crate) enum Held {
    /// The backend's own: held for the life of its session.
    Session,
    /// A row with a heartbeat, which a stalled run can lose.
    Table(TableLock),
    /// No lock, or none needed (an in-memory database).
    Nothing,
}

impl Held {
    /// Proves a table lock is still this run's, and renews it.
    pub(crate) fn confirm(&self) -> Result<(), Error> {
        match self {
            Held::Table(lock) => Ok(lock.confirm()?),
            Held::Session | Held::Nothing => Ok(()),
        }
    }
}

/// [`with_lock`], with the lock for `work` to [`Held::confirm`].
pub(crate) fn with_lock_held<T>(
    db: &mut dyn Database,
    options: &RunOptions,
    progress: &mut dyn Progress,
    work: impl FnOnce(&mut dyn Database, &mut dyn Progress, &Held) -> Result<T, Error>,
) -> Result<T, Error> {
    // The lock comes first: two first runs creating the tables at once
    // would race (CREATE TABLE IF NOT EXISTS is not safe against a
    // concurrent one on every database).
    let held = take_lock(db, options, progress)?;
    let result = db
        .ensure_tables()
        .map_err(Error::from)
        .and_then(|()| work(&mut *db, &mut *progress, &held));
    let unlocked = match held {
        Held::Session => db.unlock(),
        Held::Table(lock) => lock.release(),
        Held::Nothing => Ok(()),
    };
    let value = result?;
    unlocked?;
    Ok(value)
}

/// Takes the run lock `options.lock` names, telling `progress` whom it
/// waits for, whose expired table lock it took over, or that it takes none.
fn take_lock(
    db: &mut dyn Database,
    options: &RunOptions,
    progress: &mut dyn Progress,
) -> Result<Held, Error> {
    let timeout = options.lock_timeout;
    let mut waiting = |holder: Option<&str>| progress.waiting_for_lock(holder, timeout);
    match options.lock {
        LockStrategy::Session => {
            db.lock(timeout, &mut waiting)?;
            Ok(Held::Session)
        }
        LockStrategy::Table => {
            let Some(table) = db.lock_table()? else {
                return Ok(Held::Nothing);
            };
            let mut previous: Option<LockRow> = None;
            let lock =
                TableLock::acquire(table, db.location(), timeout, &mut waiting, &mut |row| {
                    previous = Some(row.clone())
                })?;
            if let Some(row) = previous {
                progress.lock_taken_over(&row.describe());
            }
            Ok(Held::Table(lock))
        }
        LockStrategy::None => {
            progress.running_without_lock();
            Ok(Held::Nothing)
        }
    }
}

/// Turns a byte offset in a failing step into a line and column of its
/// file; `stopped` says how far a step run statement by statement got.
pub(crate) fn locate(error: DbError, step: &Step<'_>, stopped: Option<Stopped>) -> Error {
    match error {
        DbError::Sql {
            revision,
            path,
            failure,
        } => {
            let position = failure.offset.map(|offset| line_col(step.sql, offset));
            Error::Sql {
                revision,
                path,
                position,
                failure,
                stopped,
            }
        }
        other => Error::Database(other),
    }
}
