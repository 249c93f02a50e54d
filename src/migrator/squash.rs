//! `squash UPTO -m MSG`: one revision that replaces every revision up to
//! UPTO, Django's way (see [`crate::graph::squash`] for what databases at
//! each point do with it).

use crate::error::Error;
use crate::graph::squash::{self, SquashError};
use crate::report::RevisionView;
use crate::report::revise::SquashReport;
use crate::source::{self, clock, draft};

use super::Migrator;

impl Migrator {
    /// Writes a squash of every revision up to and including `upto` (an id
    /// or unique prefix): their up SQL in order, their down SQL in reverse.
    /// Refuses a point that some revision does not descend from, a range
    /// holding a repeatable revision, and a range of one. An earlier squash
    /// in the range is replaced as one revision.
    /// Writes nothing else: the replaced files stay until every database
    /// has passed them (`verify` says when, per database).
    pub fn squash(&mut self, upto: &str, message: &str) -> Result<SquashReport, Error> {
        let graph = &self.project.graph;
        let at = graph.resolve(upto)?;
        let chosen = squash::choose(graph, at).map_err(refusal)?;
        let members: Vec<_> = chosen.members.iter().map(|&i| graph.at(i)).collect();
        let files = draft::render_squash(
            message,
            &members,
            chosen.placeholders,
            graph.revisions().iter().map(|r| &r.number),
            &clock::now_utc(),
        );
        source::write_revision(&self.project.dir, &files.id, &files.up, &files.down)
            .map_err(|e| Error::io(self.project.dir.join(&files.id), e))?;
        let replaces = members.iter().map(|r| r.id.clone()).collect();
        let untransactional = chosen
            .untransactional
            .iter()
            .map(|&i| graph.at(i).id.clone())
            .collect();
        self.project = crate::project::Project::load(&self.project.dir)?;
        let index = self
            .project
            .graph
            .index_of(&files.id)
            .expect("a squash just written loads back");
        Ok(SquashReport {
            revision: RevisionView::of(&self.project.graph, index, None),
            replaces,
            untransactional,
        })
    }
}

fn refusal(error: SquashError) -> Error {
    let hint = match &error {
        SquashError::NotSinglePoint { revision, upto } => format!(
            "squash up to a revision that {revision} descends from too (merge the heads first with `migrator merge`, then squash up to the merge), or up to an older point than {upto}"
        ),
        SquashError::Repeatable { .. } | SquashError::RepeatableMember { .. } => {
            "squash up to a point before the repeatable revision; it stays as it is, and follows the squash".into()
        }
        SquashError::Single { .. } => "name a later revision: UPTO is the newest revision replaced".into(),
        SquashError::Placeholders { .. } => "give both the same `-- Placeholders:` line (a reviewed edit: `migrator repair` records it), or squash up to a point before one of them".into(),
    };
    Error::refused(error.to_string(), Some(hint))
}
