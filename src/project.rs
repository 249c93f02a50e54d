//! A versions folder, read and linked into a graph: everything migrator
//! knows without a database.

use std::ops::Deref;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::graph::RevisionGraph;
use crate::source::problem::Problem;
use crate::source::revision::Revision;
use crate::source::{self, Embedded, Reading};

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
        // A missing or unreadable folder has nothing more to check.
        source::load_check_folder(dir).map_err(|problems| folder_error(dir, problems))?;
        Project::from_reading(dir, source::read_all(dir))
    }

    /// A folder without revisions, which need not exist yet.
    pub fn empty(dir: &Path) -> Project {
        Project {
            dir: dir.to_path_buf(),
            graph: RevisionGraph::new(Vec::new()).expect("no revisions make a graph"),
        }
    }

    /// Reads and checks a folder embedded into the binary by
    /// [`embed!`](crate::embed), as [`Project::load`] reads one on disk:
    /// a broken file is an [`Error::Folder`] naming the file and line.
    pub fn from_embedded(embedded: &Embedded) -> Result<Project, Error> {
        Project::from_files(Path::new(embedded.dir()), embedded.paths())
    }

    /// Reads and checks files already in memory, as [`Project::load`] reads
    /// a folder: each path is the file's path as problems show it (`dir`
    /// joined with the path inside the folder), `dir` names the folder.
    /// See [`source::read_files`].
    pub fn from_files<B: Deref<Target = [u8]>>(
        dir: &Path,
        files: impl IntoIterator<Item = (PathBuf, B)>,
    ) -> Result<Project, Error> {
        Project::from_reading(dir, source::read_files(files))
    }

    /// The graph of a reading without problems; otherwise every problem of
    /// the reading and of the graph of its good revisions.
    fn from_reading(dir: &Path, reading: Reading) -> Result<Project, Error> {
        if reading.problems.is_empty() {
            let graph = RevisionGraph::new(reading.revisions).map_err(|p| folder_error(dir, p))?;
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
        Err(folder_error(dir, problems))
    }

    /// Resolves a full id or unique prefix to its revision.
    pub fn revision(&self, name: &str) -> Result<&Revision, Error> {
        Ok(self.graph.at(self.graph.resolve(name)?))
    }
}

fn folder_error(dir: &Path, problems: Vec<Problem>) -> Error {
    Error::Folder {
        dir: dir.to_path_buf(),
        problems,
    }
}
