//! Reading the folder, with the database's state where it helps: `heads`,
//! `branches`, `history`, `show`.

use crate::error::Error;
use crate::graph::lanes;
use crate::graph::range::Range;
use crate::report::RevisionView;
use crate::report::folder::{
    AppliedFile, AppliedSqlReport, BranchPoint, BranchesReport, GraphLine, HeadsReport,
    HistoryReport, ShowReport,
};
use crate::source::revision::SqlFile;

use super::{Migrator, applied_by_id};

/// What `history` lists and shows.
#[derive(Debug, Clone, Default)]
pub struct HistoryOptions {
    /// Only the revisions of this range (`-r A:B`).
    pub range: Option<Range>,
    /// Read each revision's state in the database: applied (when, by whom,
    /// whether its files changed since) or pending.
    pub with_state: bool,
    /// Draw the graph's lanes. The drawing is worth having without a
    /// database: one that cannot be read only costs the applied markers
    /// (the report says why in `state_error`).
    pub graph: bool,
}

impl Migrator {
    /// The revisions with no children and, with several, where they parted.
    pub fn heads(&self) -> HeadsReport {
        let graph = &self.project.graph;
        let heads = graph.heads();
        let merge_bases = if heads.len() > 1 {
            graph
                .merge_bases(&heads)
                .iter()
                .map(|&i| graph.at(i).id.clone())
                .collect()
        } else {
            Vec::new()
        };
        HeadsReport {
            heads: heads
                .iter()
                .map(|&i| RevisionView::of(graph, i, None))
                .collect(),
            merge_bases,
        }
    }

    /// The revisions with two or more children, with their children.
    pub fn branches(&self) -> BranchesReport {
        let graph = &self.project.graph;
        let view = |i: usize| RevisionView::of(graph, i, None);
        BranchesReport {
            branch_points: graph
                .branch_points()
                .into_iter()
                .map(|i| BranchPoint {
                    revision: view(i),
                    children: graph.children_of(i).iter().map(|&c| view(c)).collect(),
                })
                .collect(),
        }
    }

    /// The revisions newest first, within a range, with their state in the
    /// database and the drawing of the graph when asked.
    pub fn history(&mut self, options: &HistoryOptions) -> Result<HistoryReport, Error> {
        let selected = match &options.range {
            Some(range) => range.select(&self.project.graph)?,
            None => vec![true; self.project.graph.len()],
        };
        let mut state_error = None;
        let state = if !options.with_state || self.nothing_to_read() {
            None
        } else {
            match self.state() {
                Ok(state) => Some(state),
                Err(error) if options.graph => {
                    state_error = Some(error.to_string());
                    None
                }
                Err(error) => return Err(error),
            }
        };
        let database = state.as_ref().map(|_| self.location());
        let graph = &self.project.graph;
        let applied = state
            .as_ref()
            .map(|state| applied_by_id(&state.applied))
            .unwrap_or_default();
        let rows: Vec<usize> = (0..graph.len()).rev().filter(|&i| selected[i]).collect();
        let revisions: Vec<RevisionView> = rows
            .iter()
            .map(|&i| RevisionView::of(graph, i, applied.get(graph.at(i).id.as_str()).copied()))
            .collect();
        let drawing = options.graph.then(|| {
            // Parents outside the selection are left out of the drawing.
            let mut row_of = vec![None; graph.len()];
            for (row, &i) in rows.iter().enumerate() {
                row_of[i] = Some(row);
            }
            let parents: Vec<Vec<usize>> = rows
                .iter()
                .map(|&i| {
                    graph
                        .parents_of(i)
                        .iter()
                        .filter_map(|&p| row_of[p])
                        .collect()
                })
                .collect();
            lanes::draw(&parents, |row| {
                if revisions[row].applied.is_some() {
                    'o'
                } else {
                    '*'
                }
            })
            .into_iter()
            .map(|line| GraphLine {
                art: line.art,
                width: line.width,
                revision: line.row,
            })
            .collect()
        });
        Ok(HistoryReport {
            database,
            range: options.range.as_ref().map(Range::to_string),
            revisions,
            graph: drawing,
            state_error,
        })
    }

    /// One revision (full id or unique prefix), its files' text, and its
    /// state in the database when there is one.
    pub fn show(&mut self, name: &str) -> Result<ShowReport, Error> {
        let index = self.project.graph.resolve(name)?;
        let state = if self.nothing_to_read() {
            None
        } else {
            Some(self.state()?)
        };
        let database = state.as_ref().map(|_| self.location());
        let graph = &self.project.graph;
        let revision = graph.at(index);
        let record = state
            .as_ref()
            .and_then(|state| state.applied.iter().find(|r| r.id == revision.id));
        Ok(ShowReport {
            database,
            revision: RevisionView::of(graph, index, record),
            up_sql: revision.up.sql.clone(),
            down_sql: revision.down.sql.clone(),
        })
    }

    /// The SQL recorded when a revision was applied, and for each file that
    /// changed since, the diff to what it says now. Refuses a revision that
    /// is not applied.
    pub fn show_applied(&mut self, name: &str) -> Result<AppliedSqlReport, Error> {
        let index = self.project.graph.resolve(name)?;
        let applied = if self.nothing_to_read() {
            Vec::new()
        } else {
            self.state()?.applied
        };
        let database = self.location();
        let graph = &self.project.graph;
        let revision = graph.at(index);
        let Some(record) = applied.iter().find(|r| r.id == revision.id) else {
            return Err(Error::refused(
                format!("{} is not applied to {database}", revision.id),
                Some("`migrator show ID` without --applied prints the files".to_string()),
            ));
        };
        let file = |now: &SqlFile, sql: &Option<String>, recorded: &str| {
            let changed = recorded != now.checksum;
            AppliedFile {
                path: now.path.clone(),
                sql: sql.clone(),
                recorded_checksum: recorded.to_string(),
                checksum: now.checksum.clone(),
                changed,
                diff: sql.as_ref().filter(|_| changed).map(|ran| {
                    crate::diff::unified(ran, &now.sql, "applied", &now.path.display().to_string())
                }),
            }
        };
        Ok(AppliedSqlReport {
            revision: RevisionView::of(graph, index, Some(record)),
            up: file(&revision.up, &record.up_sql, &record.up_checksum),
            down: file(&revision.down, &record.down_sql, &record.down_checksum),
            database,
        })
    }
}
