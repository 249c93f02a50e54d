//! Runs plans against a database: upgrade, downgrade, stamp. The engine
//! decides what happens and in which order; the [`Database`] does it; a
//! [`Progress`] hears about it. It prints nothing itself.

pub mod kinds;
pub mod roundtrip;
pub mod schema_file;
pub mod verify;

pub use kinds::record_of;

use std::time::Duration;

use crate::db::lock_row::LockRow;
use crate::db::run_lock::TableLock;
use crate::db::{Database, DbError, LockStrategy, Step};
use crate::error::Error;
use crate::graph::drift::{self, Comparison};
use crate::graph::plan::{self, StepKind};
use crate::graph::target::Target;
use crate::project::Project;
use crate::record::{AppliedRevision, Direction, Event, Operator, RecordChange};
use crate::source::placeholder::Placeholders;
use crate::source::revision::Revision;
use crate::sql::text::line_col;

/// How a run may proceed.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Go ahead although applied files changed or vanished (the log says so).
    pub allow_drift: bool,
    /// How long to wait for another run's lock; `None` waits for ever.
    pub lock_timeout: Option<Duration>,
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
pub fn step_of<'a>(revision: &'a Revision, kind: StepKind, event: Event) -> Step<'a> {
    let direction = match kind {
        StepKind::Undo => Direction::Down,
        StepKind::Apply | StepKind::Reapply | StepKind::Adopt => Direction::Up,
    };
    let mut step = step_for(revision, direction, event);
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

/// The step that runs one revision one way, with its bookkeeping.
pub fn step_for<'a>(revision: &'a Revision, direction: Direction, event: Event) -> Step<'a> {
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
        record,
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
        let event = match direction {
            Direction::Up => Event::Upgrade,
            Direction::Down => Event::Downgrade,
        };
        let total = prepared.steps.len();
        let mut done = Vec::with_capacity(total);
        // What is recorded as the run goes: a squash recorded after the
        // revisions it replaces takes over their records.
        let mut recorded = kinds::recorded(&state.applied);
        for (number, &index) in prepared.steps.iter().enumerate() {
            let revision = project.graph.at(index);
            // A table lock is proved still ours, and renewed, before each
            // revision: a run that stalled and lost it stops here.
            held.confirm()?;
            progress.step_started(revision, direction, number + 1, total);
            let kind = plan::step_kind(&project.graph, &recorded, index, direction);
            let substituted = as_run(revision, direction, &options.placeholders)?;
            let step = step_of(&substituted, kind, event);
            let result = match kind {
                StepKind::Adopt => kinds::adopt(
                    db,
                    &project.graph,
                    index,
                    &recorded,
                    &state.applied,
                    &operator,
                ),
                _ => db.run_step(&step, &operator),
            };
            kinds::note_done(&mut recorded, revision, direction);
            let notices = db.notices();
            let elapsed = match result {
                Ok(elapsed) => elapsed,
                Err(error) => {
                    for notice in &notices {
                        progress.notice(revision, notice);
                    }
                    return Err(locate(error, &step));
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

/// Turns a byte offset in a failing step into a line and column of its file.
pub(crate) fn locate(error: DbError, step: &Step<'_>) -> Error {
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
            }
        }
        other => Error::Database(other),
    }
}
