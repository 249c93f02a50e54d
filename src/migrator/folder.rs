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

use super::options::HistoryOptions;
use super::{Migrator, applied_by_id};

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
        let state = if !options.with_state {
            None
        } else {
            match self.existing_state() {
                Ok(state) => state,
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
        let state = self.existing_state()?;
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
        let applied = self
            .existing_state()?
            .map(|state| state.applied)
            .unwrap_or_default();
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

// On a database file that does not exist.
#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::project::Project;

    /// A migrator of revisions in memory: `(id, parents)`, each with its id
    /// as message.
    fn migrator(revisions: &[(&str, &[&str])]) -> Migrator {
        let files = revisions.iter().flat_map(|(id, parents)| {
            [
                (
                    PathBuf::from(format!("versions/{id}.up.sql")),
                    format!("-- Parents: {}\n-- Message: {id}\n", parents.join(", ")).into_bytes(),
                ),
                (PathBuf::from(format!("versions/{id}.down.sql")), Vec::new()),
            ]
        });
        // A database that does not exist: reading it must not be needed.
        Migrator::new(Project::from_files(Path::new("versions"), files).unwrap())
            .with_database_url("sqlite:/nonexistent/migrator.db")
            .unwrap()
    }

    const DIAMOND: &[(&str, &[&str])] = &[
        ("0001_a", &[]),
        ("0002_b", &["0001_a"]),
        ("0002_c", &["0001_a"]),
        ("0003_m", &["0002_b", "0002_c"]),
        ("0004_d", &["0003_m"]),
    ];

    fn ids(revisions: &[RevisionView]) -> Vec<&str> {
        revisions.iter().map(|r| r.id.as_str()).collect()
    }

    #[test]
    fn heads_say_where_the_branches_parted() {
        let one = migrator(DIAMOND).heads();
        assert_eq!(ids(&one.heads), ["0004_d"]);
        assert!(one.merge_bases.is_empty());
        let two = migrator(&DIAMOND[..3]).heads();
        assert_eq!(ids(&two.heads), ["0002_b", "0002_c"]);
        assert_eq!(two.merge_bases, ["0001_a"]);
        let roots = migrator(&[("0001_a", &[]), ("0001_b", &[])]).heads();
        assert_eq!(ids(&roots.heads), ["0001_a", "0001_b"]);
        assert!(roots.merge_bases.is_empty(), "nothing shared");
    }

    #[test]
    fn branch_points_come_with_their_children() {
        let report = migrator(DIAMOND).branches();
        assert_eq!(report.branch_points.len(), 1);
        let point = &report.branch_points[0];
        assert_eq!(point.revision.id, "0001_a");
        assert!(point.revision.branchpoint);
        assert_eq!(ids(&point.children), ["0002_b", "0002_c"]);
    }

    #[test]
    fn history_is_newest_first_within_the_range_and_draws_its_rows() {
        let mut migrator = migrator(DIAMOND);
        let all = migrator.history(&HistoryOptions::default()).unwrap();
        assert_eq!(
            ids(&all.revisions),
            ["0004_d", "0003_m", "0002_c", "0002_b", "0001_a"]
        );
        assert_eq!((all.database, all.graph, all.range), (None, None, None));

        let drawn = migrator
            .history(&HistoryOptions {
                range: Some("0002_b:".parse().unwrap()),
                with_state: true,
                graph: true,
            })
            .unwrap();
        assert_eq!(drawn.range.as_deref(), Some("0002_b:"));
        assert_eq!(ids(&drawn.revisions), ["0004_d", "0003_m", "0002_b"]);
        // The database file does not exist: no state, and no error either.
        assert_eq!((drawn.database, drawn.state_error), (None, None));
        let lines: Vec<(&str, Option<usize>)> = drawn
            .graph
            .as_ref()
            .unwrap()
            .iter()
            .map(|line| (line.art.as_str(), line.revision))
            .collect();
        // 0003_m's other parent, 0002_c, is outside the range.
        assert_eq!(lines, [("*", Some(0)), ("*", Some(1)), ("*", Some(2))]);

        let error = migrator
            .history(&HistoryOptions {
                range: Some("0009:".parse().unwrap()),
                ..HistoryOptions::default()
            })
            .unwrap_err();
        assert_eq!(error.to_string(), "no revision matches `0009`");
    }

    #[test]
    fn show_without_a_database_has_no_state() {
        let report = migrator(DIAMOND).show("0003").unwrap();
        assert_eq!(report.revision.id, "0003_m");
        assert!(report.revision.mergepoint);
        assert_eq!(report.database, None);
        assert_eq!(
            report.up_sql,
            "-- Parents: 0002_b, 0002_c\n-- Message: 0003_m\n"
        );
        let refused = migrator(DIAMOND).show_applied("0003").unwrap_err();
        assert_eq!(
            refused.to_string(),
            "0003_m is not applied to sqlite:/nonexistent/migrator.db"
        );
    }
}
