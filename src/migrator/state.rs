//! Reading the database against the folder: `status`, `current`, `log`.

use crate::error::Error;
use crate::report::RevisionView;
use crate::report::state::{CurrentReport, LogReport, StatusReport};

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
        let run_in_progress = match &mut self.db {
            Some(db) => db.lock_holder()?,
            None => None,
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
