//! A versions folder, read and linked into a graph: everything migrator
//! knows without a database.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::graph::RevisionGraph;
use crate::revision::Revision;
use crate::source;

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
        let revisions = source::load(dir).map_err(|problems| Error::Folder {
            dir: dir.to_path_buf(),
            problems,
        })?;
        let graph = RevisionGraph::new(revisions).map_err(|problems| Error::Folder {
            dir: dir.to_path_buf(),
            problems,
        })?;
        Ok(Project {
            dir: dir.to_path_buf(),
            graph,
        })
    }

    /// Resolves a full id or unique prefix to its revision.
    pub fn revision(&self, name: &str) -> Result<&Revision, Error> {
        Ok(self.graph.at(self.graph.resolve(name)?))
    }
}
