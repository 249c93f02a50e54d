//! A versions folder, read and linked into a graph: everything migrator
//! knows without a database.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::graph::RevisionGraph;
use crate::source;
use crate::source::revision::Revision;

/// The revisions of one versions folder and their graph.
#[derive(Debug, Clone)]
pub struct Project {
    pub dir: PathBuf,
    pub graph: RevisionGraph,
}

impl Project {
    /// Reads and checks the folder. Reports every problem of the folder at
    /// once: file names, headers, pairs, parents, cycles.
    pub fn load(dir: &Path) -> Result<Project, Error> {
        let folder_error = |problems| Error::Folder {
            dir: dir.to_path_buf(),
            problems,
        };
        // A missing or unreadable folder has nothing more to check.
        source::load_check_folder(dir).map_err(folder_error)?;
        let reading = source::read_all(dir);
        if reading.problems.is_empty() {
            let graph = RevisionGraph::new(reading.revisions).map_err(folder_error)?;
            return Ok(Project {
                dir: dir.to_path_buf(),
                graph,
            });
        }
        // Broken files still leave the graph of the good ones to check, so
        // that one run reports every problem; links to a broken file are
        // left out rather than reported as unknown parents.
        let mut problems = reading.problems;
        let mut revisions = reading.revisions;
        for revision in &mut revisions {
            revision
                .parents
                .retain(|parent| !reading.broken_ids.contains(parent));
        }
        if let Err(graph_problems) = RevisionGraph::new(revisions) {
            problems.extend(graph_problems);
            problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        }
        Err(folder_error(problems))
    }

    /// Resolves a full id or unique prefix to its revision.
    pub fn revision(&self, name: &str) -> Result<&Revision, Error> {
        Ok(self.graph.at(self.graph.resolve(name)?))
    }
}
