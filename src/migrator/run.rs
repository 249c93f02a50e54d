//! Running revisions: `upgrade`, `downgrade`, their previews, and `stamp`.

use std::time::Instant;

use crate::engine::{self, Prepared, Progress, Silent, resume};
use crate::error::Error;
use crate::graph::plan::StepKind;
use crate::graph::target::Target;
use crate::record::{Direction, Event};
use crate::report::RevisionView;
use crate::report::run::{PlanReport, RunReport, SqlScript, SqlStep, StampReport, StepReport};

use super::{Migrator, connection};
use crate::db::Database;

impl Migrator {
    /// Decides a run without changing anything: reads the database (creating
    /// nothing), resolves the target, checks drift, chooses the steps. An
    /// error here leaves no file, table or row behind.
    pub fn prepare(&mut self, direction: Direction, target: &Target) -> Result<Prepared, Error> {
        let state = self.state()?;
        let location = self.location();
        engine::prepare(
            &self.project,
            &state,
            direction,
            target,
            &self.run_options,
            &location,
        )
    }

    /// Applies every revision the target needs (`head`, `heads`, an id or
    /// prefix, `+N`), each in its own transaction with its bookkeeping.
    pub fn upgrade(&mut self, target: &str) -> Result<RunReport, Error> {
        self.upgrade_with(target, &mut Silent)
    }

    /// [`Migrator::upgrade`], telling `progress` about each step.
    pub fn upgrade_with(
        &mut self,
        target: &str,
        progress: &mut dyn Progress,
    ) -> Result<RunReport, Error> {
        self.run(Direction::Up, target, progress)
    }

    /// Undoes every applied revision that descends from the target (`base`,
    /// an id or prefix, `-N`), newest first.
    pub fn downgrade(&mut self, target: &str) -> Result<RunReport, Error> {
        self.downgrade_with(target, &mut Silent)
    }

    /// [`Migrator::downgrade`], telling `progress` about each step.
    pub fn downgrade_with(
        &mut self,
        target: &str,
        progress: &mut dyn Progress,
    ) -> Result<RunReport, Error> {
        self.run(Direction::Down, target, progress)
    }

    fn run(
        &mut self,
        direction: Direction,
        target_text: &str,
        progress: &mut dyn Progress,
    ) -> Result<RunReport, Error> {
        let target: Target = target_text.parse()?;
        let started = Instant::now();
        let prepared = self.prepare(direction, &target)?;
        self.execute(&prepared, target_text, started, progress)
    }

    /// Carries out a prepared run under the lock.
    pub fn execute(
        &mut self,
        prepared: &Prepared,
        target_text: &str,
        started: Instant,
        progress: &mut dyn Progress,
    ) -> Result<RunReport, Error> {
        let done = if prepared.steps.is_empty() {
            // Nothing to do: nothing to open for writing either.
            engine::announce(prepared, progress);
            Vec::new()
        } else {
            let db = connection(&mut self.db, &self.url, &self.connect_options)?;
            engine::execute(
                &self.project,
                db,
                prepared,
                &self.run_options,
                &self.operator,
                progress,
            )?
        };
        let graph = &self.project.graph;
        Ok(RunReport {
            database: self.location(),
            direction: prepared.direction,
            target: target_text.to_string(),
            steps: done
                .iter()
                .map(|step| StepReport {
                    revision: RevisionView::of(graph, step.index, None),
                    direction: step.direction,
                    elapsed_ms: step.elapsed_ms,
                    kind: step.kind,
                    note: engine::kinds::note(graph.at(step.index), step.kind),
                })
                .collect(),
            elapsed_ms: started.elapsed().as_millis(),
            ahead: prepared.comparison.ahead.clone(),
        })
    }

    /// What a run would do (`--dry-run`); changes nothing.
    pub fn plan(&mut self, direction: Direction, target_text: &str) -> Result<PlanReport, Error> {
        let target: Target = target_text.parse()?;
        let prepared = self.prepare(direction, &target)?;
        let db = connection(&mut self.db, &self.url, &self.connect_options)?;
        let interrupted = if prepared.initialized && !prepared.steps.is_empty() {
            resume::interrupted(&db.progress()?)
        } else {
            Vec::new()
        };
        // In the order the run takes them: an interrupted revision first.
        let order = engine::finish_first(&self.project, &prepared, &interrupted)?;
        let graph = &self.project.graph;
        Ok(PlanReport {
            database: self.location(),
            direction,
            target: target_text.to_string(),
            steps: order
                .iter()
                .map(|&index| RevisionView::of(graph, index, None))
                .collect(),
            kinds: prepared.kinds,
            ahead: prepared.comparison.ahead,
        })
    }

    /// The SQL a run would send (`--sql`), bookkeeping included, from the
    /// same plan the run would carry out; changes nothing.
    pub fn sql(&mut self, direction: Direction, target_text: &str) -> Result<SqlScript, Error> {
        let target: Target = target_text.parse()?;
        let state = self.state()?;
        let location = self.location();
        let prepared = engine::prepare(
            &self.project,
            &state,
            direction,
            &target,
            &self.run_options,
            &location,
        )?;
        engine::check_placeholders(
            &self.project,
            &prepared.steps,
            direction,
            &self.run_options.placeholders,
        )?;
        let event = match direction {
            Direction::Up => Event::Upgrade,
            Direction::Down => Event::Downgrade,
        };
        let database = self.location();
        let db = connection(&mut self.db, &self.url, &self.connect_options)?;
        let interrupted = if prepared.initialized && !prepared.steps.is_empty() {
            resume::interrupted(&db.progress()?)
        } else {
            Vec::new()
        };
        let order = engine::finish_first(&self.project, &prepared, &interrupted)?;
        // Rendering sends nothing: a database that does not exist yet is
        // not created by it.
        let renderer: &dyn Database = db;
        let preamble = (!prepared.initialized && !prepared.steps.is_empty())
            .then(|| renderer.render_ensure_tables());
        let mut recorded = engine::kinds::recorded(&state.applied);
        let graph = &self.project.graph;
        let mut steps = Vec::with_capacity(order.len());
        // In the run's order (an interrupted revision first), each with its
        // kind.
        for &index in &order {
            let kind = prepared
                .steps
                .iter()
                .position(|&i| i == index)
                .map(|at| prepared.kinds[at])
                .expect("the order holds the prepared steps");
            let written = graph.at(index);
            let revision = engine::as_run(written, direction, &self.run_options.placeholders)?;
            let mut step =
                engine::step_of(&revision, kind, event, self.run_options.revision_timeouts);
            if kind != StepKind::Adopt && renderer.runs_by_statement(&step) {
                let halfway = interrupted
                    .iter()
                    .find(|g| g.revision == revision.id && g.direction == direction);
                let statements = resume::file_statements(step.sql, renderer.dialect(), |text| {
                    renderer.commits_by_itself(text)
                });
                step.resume_at = engine::resume_at(&revision, &step, halfway, &statements)?;
            }
            let sql = if kind == StepKind::Adopt {
                // The changes run as one transaction; each shows as the
                // bookkeeping of a step without SQL.
                let mut operator = self.operator.clone();
                operator.note = Some(engine::kinds::adoption_note(written));
                engine::kinds::adoption(graph, index, &recorded, &state.applied)
                    .into_iter()
                    .map(|record| {
                        let step = crate::db::Step {
                            record,
                            ..step.clone()
                        };
                        renderer.render_step(&step, &operator)
                    })
                    .collect()
            } else {
                renderer.render_step(&step, &self.operator)
            };
            engine::kinds::note_done(&mut recorded, written, direction);
            steps.push(SqlStep {
                revision: written.id.clone(),
                direction,
                file: step.path.to_path_buf(),
                resume_at: step.resume_at,
                sql,
            });
        }
        Ok(SqlScript {
            database,
            direction,
            target: target_text.to_string(),
            preamble,
            steps,
        })
    }

    /// Changes the records as `upgrade T` then `downgrade T` would, running
    /// no SQL of the revisions, in one transaction.
    pub fn stamp(&mut self, target_text: &str) -> Result<StampReport, Error> {
        self.stamp_with(target_text, &mut Silent)
    }

    /// [`Migrator::stamp`], telling `progress` when it waits for the lock.
    pub fn stamp_with(
        &mut self,
        target_text: &str,
        progress: &mut dyn Progress,
    ) -> Result<StampReport, Error> {
        let target: Target = target_text.parse()?;
        // Plan once before anything is created or locked: a target the graph
        // cannot resolve (unknown, several heads) changes nothing.
        let state = self.state()?;
        let applied: Vec<&str> = state.applied.iter().map(|r| r.id.as_str()).collect();
        let stale = engine::kinds::stale(&state.comparison);
        let plan =
            crate::graph::plan::stamp_reapplying(&self.project.graph, &applied, &stale, &target)?;
        if plan.insert.is_empty() && plan.delete.is_empty() {
            return Ok(StampReport {
                target: target_text.to_string(),
                ..StampReport::default()
            });
        }
        let options = crate::engine::RunOptions {
            allow_drift: true,
            ..self.run_options.clone()
        };
        let db = connection(&mut self.db, &self.url, &self.connect_options)?;
        let done = engine::stamp(
            &self.project,
            db,
            &target,
            &options,
            &self.operator,
            progress,
        )?;
        Ok(StampReport {
            target: target_text.to_string(),
            inserted: done.inserted,
            deleted: done.deleted,
        })
    }
}
