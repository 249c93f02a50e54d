//! Reading the database against the folder: `status`, `current`, `log`.

use crate::db::Database;
use crate::engine::resume::{self, Mismatch, Start};
use crate::error::Error;
use crate::project::Project;
use crate::record::Direction;
use crate::record::progress::ProgressEntry;
use crate::report::RevisionView;
use crate::report::state::{
    CurrentReport, FailedStatement, InterruptedView, LogReport, StatementAt, StatusReport,
};

use super::{Migrator, applied_by_id, connection};

impl Migrator {
    /// Applied, pending, drifted and missing revisions.
    pub fn status(&mut self) -> Result<StatusReport, Error> {
        let state = self.state()?;
        let graph = &self.project.graph;
        let recorded = crate::engine::kinds::recorded(&state.applied);
        let adopt = graph
            .squashes()
            .into_iter()
            .filter(|&s| crate::graph::squash::state(graph, s, &recorded).adopts())
            .map(|s| graph.at(s).id.clone())
            .collect();
        let comparison = state.comparison;
        let (run_in_progress, interrupted) = match &mut self.db {
            Some(db) => {
                let holder = db.lock_holder()?;
                let progress = if state.initialized {
                    db.progress()?
                } else {
                    Vec::new()
                };
                (
                    holder,
                    interrupted_views(&self.project, &progress, db.as_ref()),
                )
            }
            None => (None, Vec::new()),
        };
        Ok(StatusReport {
            database: self.location(),
            folder: self.project.dir.clone(),
            revisions: graph.len(),
            applied: comparison
                .applied
                .iter()
                .map(|&i| graph.at(i).id.clone())
                .collect(),
            pending: comparison
                .pending
                .iter()
                .map(|&i| RevisionView::of(graph, i, None))
                .collect(),
            drifted: comparison.drifted,
            down_drifted: comparison.down_drifted,
            missing: comparison.missing,
            ahead: comparison.ahead,
            reapply: comparison.stale,
            adopt,
            replaced: comparison.replaced,
            run_in_progress,
            interrupted,
        })
    }

    /// The applied revisions none of whose children are applied.
    pub fn current(&mut self) -> Result<CurrentReport, Error> {
        let state = self.state()?;
        let graph = &self.project.graph;
        let mut is_applied = vec![false; graph.len()];
        for &index in &state.comparison.applied {
            is_applied[index] = true;
        }
        let by_id = applied_by_id(&state.applied);
        let current = graph
            .applied_heads(&is_applied)
            .into_iter()
            .map(|i| RevisionView::of(graph, i, by_id.get(graph.at(i).id.as_str()).copied()))
            .collect();
        Ok(CurrentReport {
            database: self.location(),
            current,
            missing: state.comparison.missing.clone(),
            ahead: state.comparison.ahead.clone(),
            pending: state.comparison.pending.len(),
            folder_heads: graph.heads().len(),
        })
    }

    /// The event log (`migrator_log`), newest first: who did what, when.
    pub fn log(&mut self) -> Result<LogReport, Error> {
        let database = self.location();
        let mut events = Vec::new();
        let db = connection(&mut self.db, &self.url, &self.connect_options)?;
        if db.has_tables()? {
            events = db.log()?;
            events.reverse();
        }
        Ok(LogReport { database, events })
    }
}

/// What `migrator_progress` holds, revision by revision, read against the
/// files of the folder.
pub(crate) fn interrupted_views(
    project: &Project,
    progress: &[ProgressEntry],
    db: &dyn Database,
) -> Vec<InterruptedView> {
    resume::interrupted(progress)
        .into_iter()
        .map(|group| {
            let file = project
                .graph
                .get(&group.revision)
                .map(|revision| match group.direction {
                    Direction::Up => &revision.up,
                    Direction::Down => &revision.down,
                });
            let statements = file.map(|file| {
                resume::file_statements(&file.sql, db.dialect(), |text| db.commits_by_itself(text))
            });
            let (resumes_at, edited) = match &statements {
                None => (None, None),
                Some(statements) => match resume::start(Some(&group), statements) {
                    Start::Fresh => (statements.first().map(|s| at(1, s.line)), None),
                    Start::Resume(done) => {
                        (statements.get(done).map(|s| at(done + 1, s.line)), None)
                    }
                    Start::Refused(mismatch) => {
                        let line = match &mismatch {
                            Mismatch::Edited { line, .. } => *line,
                            Mismatch::Removed { recorded_line, .. } => *recorded_line,
                            Mismatch::Gap { .. } => 0,
                        };
                        (None, Some(at(mismatch.statement(), line)))
                    }
                },
            };
            InterruptedView {
                file: file.map(|file| file.path.clone()),
                statements: statements.as_ref().map(Vec::len),
                done: group.done_count(),
                done_lines: group.done.iter().map(|entry| entry.line).collect(),
                failed: group.failure.as_ref().map(|failure| FailedStatement {
                    statement: failure.statement,
                    line: failure.line,
                    error: failure.error.clone().unwrap_or_default(),
                }),
                resumes_at,
                edited,
                at: group.at().to_string(),
                os_user: group.os_user().to_string(),
                revision: group.revision,
                direction: group.direction,
            }
        })
        .collect()
}

fn at(statement: usize, line: usize) -> StatementAt {
    StatementAt { statement, line }
}
