//! `migrator upgrade [TARGET]`, and the run that `downgrade` shares.

use std::io::IsTerminal;
use std::time::Duration;

use colored::Colorize;
use migrator::db::{DatabaseUrl, Direction, Event};
use migrator::drift::Comparison;
use migrator::engine::{self, DatabaseState, Progress, RunOptions};
use migrator::revision::Revision;
use migrator::target::Target;
use migrator::{Error, Project};

use crate::cli::args::RunArgs;
use crate::cli::{Access, Context, Output};

pub fn run(context: &Context<'_>, target: &str, args: &RunArgs) -> Result<i32, Error> {
    migrate(context, Direction::Up, target, args)
}

/// Upgrade or downgrade: load, plan, then print the plan (`--dry-run`,
/// `--sql`) or execute it.
pub fn migrate(
    context: &Context<'_>,
    direction: Direction,
    target: &str,
    args: &RunArgs,
) -> Result<i32, Error> {
    let target: Target = target.parse()?;
    if args.sql || args.dry_run {
        let project = context.project()?;
        return preview(context, &project, direction, &target, args);
    }

    let (project, db) = context.project_and_database(Access::Write)?;
    let mut db = db.expect("a database opened for writing");
    let options = RunOptions {
        allow_drift: args.allow_drift,
        lock_timeout: context.settings.lock_timeout,
    };
    let operator = migrator::operator::current(None);
    let mut progress = Printer {
        output: context.output,
        terminal: std::io::stderr().is_terminal(),
    };
    let started = std::time::Instant::now();
    let done = engine::run(
        &project,
        db.as_mut(),
        direction,
        &target,
        &options,
        &operator,
        &mut progress,
    )?;

    let output = context.output;
    let elapsed = started.elapsed();
    if output.is_json() {
        output.json(&serde_json::json!({ "steps": done, "elapsed_ms": elapsed.as_millis() }));
    } else if done.is_empty() {
        output.line(format!(
            "nothing to do: the database is already at {target}"
        ));
    } else {
        let verb = if direction == Direction::Up {
            "applied"
        } else {
            "reverted"
        };
        output.line(format!(
            "{verb} {} in {}",
            count(done.len()),
            crate::cli::output::duration(elapsed)
        ));
    }
    Ok(0)
}

/// `--dry-run` and `--sql`: the plan, with nothing created or changed.
fn preview(
    context: &Context<'_>,
    project: &Project,
    direction: Direction,
    target: &Target,
    args: &RunArgs,
) -> Result<i32, Error> {
    let db = context.database(Access::Read)?;
    // The renderer for --sql when the SQLite file does not exist yet: same
    // dialect, nothing created.
    let mut db = match db {
        Some(db) => db,
        None => migrator::db::connect(&DatabaseUrl::Sqlite { path: None }, &Default::default())?,
    };
    let state = engine::read_state(project, db.as_mut())?;
    refuse_drift(&state, db.location(), args)?;
    let plan = engine::plan_run(project, &state, direction, target)?;
    let output = context.output;
    let event = if direction == Direction::Up {
        Event::Upgrade
    } else {
        Event::Downgrade
    };
    let operator = migrator::operator::current(None);

    if args.sql {
        for &index in &plan.steps {
            let revision = project.graph.at(index);
            let step = engine::step_for(revision, direction, event);
            output.line(format!(
                "-- {} {}: {}",
                verb(direction),
                revision.id,
                step.path.display()
            ));
            output.line(db.render_step(&step, &operator));
        }
        return Ok(0);
    }
    if output.is_json() {
        let steps: Vec<_> = plan
            .steps
            .iter()
            .map(|&i| serde_json::json!({ "revision": project.graph.at(i).id, "direction": direction }))
            .collect();
        output.json(&serde_json::json!({ "steps": steps }));
    } else if plan.steps.is_empty() {
        output.line(format!(
            "nothing to do: the database is already at {target}"
        ));
    } else {
        for &index in &plan.steps {
            let revision = project.graph.at(index);
            output.line(format!(
                "would {} {}  {}",
                verb(direction),
                revision.id,
                revision.message_or_empty()
            ));
        }
        output.line(format!(
            "{} would {}; nothing was changed",
            count(plan.steps.len()),
            verb(direction)
        ));
    }
    Ok(0)
}

/// A preview refuses drift as the real run would.
fn refuse_drift(state: &DatabaseState, location: &str, args: &RunArgs) -> Result<(), Error> {
    if state.comparison.is_clean() || args.allow_drift {
        return Ok(());
    }
    Err(Error::Drift {
        location: location.to_string(),
        drifted: state.comparison.drifted.clone(),
        missing: state.comparison.missing.clone(),
    })
}

fn verb(direction: Direction) -> &'static str {
    match direction {
        Direction::Up => "apply",
        Direction::Down => "revert",
    }
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 revision".into()
    } else {
        format!("{n} revisions")
    }
}

/// Says on stderr that the run waits for another one's lock, and for whom:
/// the progress of commands that print no steps (stamp, repair).
pub struct LockNotice<'a>(pub &'a Output);

impl Progress for LockNotice<'_> {
    fn waiting_for_lock(&mut self, holder: Option<&str>, timeout: Option<Duration>) {
        self.0.note(lock_wait_text(holder, timeout));
    }
}

/// The same notice, for a read that finds a run in its way: the database
/// layer says so itself, on stderr as [`Output::note`] does.
pub fn note_lock_wait(holder: Option<&str>, timeout: Option<Duration>) {
    eprintln!("{}", lock_wait_text(holder, timeout));
}

fn lock_wait_text(holder: Option<&str>, timeout: Option<Duration>) -> String {
    let holder = holder.map(|h| format!(", held by {h}")).unwrap_or_default();
    let limit = match timeout {
        Some(limit) => format!("for up to {limit:?} (--lock-timeout)"),
        None => "for as long as it takes (--lock-timeout sets a limit)".into(),
    };
    format!("another migrator run is active: waiting for the migration lock{holder}, {limit}")
}

/// Prints each step as it completes; a counter on a terminal.
struct Printer<'a> {
    output: &'a Output,
    terminal: bool,
}

impl Progress for Printer<'_> {
    fn waiting_for_lock(&mut self, holder: Option<&str>, timeout: Option<Duration>) {
        LockNotice(self.output).waiting_for_lock(holder, timeout);
    }

    fn drift_allowed(&mut self, comparison: &Comparison) {
        let ids: Vec<&str> = comparison
            .drifted
            .iter()
            .map(|d| d.revision.as_str())
            .chain(comparison.missing.iter().map(String::as_str))
            .collect();
        self.output.warn(format!(
            "going on despite drift in {} (--allow-drift; logged)",
            ids.join(", ")
        ));
    }

    fn down_files_changed(&mut self, comparison: &Comparison) {
        for drift in &comparison.down_drifted {
            self.output.warn(format!(
                "{} changed since {} was applied",
                drift.path.display(),
                drift.revision
            ));
        }
    }

    fn step_started(
        &mut self,
        revision: &Revision,
        direction: Direction,
        number: usize,
        total: usize,
    ) {
        if self.terminal && total > 1 {
            eprint!("[{number}/{total}] {} {} …\r", verb(direction), revision.id);
        }
    }

    fn step_finished(&mut self, revision: &Revision, direction: Direction, elapsed: Duration) {
        if self.terminal {
            eprint!("\x1b[2K");
        }
        let verb = match direction {
            Direction::Up => "applied ".green(),
            Direction::Down => "reverted".yellow(),
        };
        self.output.line(format!(
            "{verb} {}  {} ({})",
            revision.id.bold(),
            revision.message_or_empty(),
            crate::cli::output::duration(elapsed)
        ));
    }
}
