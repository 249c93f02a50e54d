//! Writing the versions folder: `init`, `new`, `merge` (and what the
//! branches did, `merge --check`), `rebase`. The choices (parents, heads,
//! ids, which files move) are made here; the files are written by
//! [`crate::source`].

use std::io::Write;
use std::path::Path;

use crate::config;
use crate::error::Error;
use crate::graph::RevisionGraph;
use crate::graph::overlap::{self, Branch};
use crate::graph::rebase::{self, Move};
use crate::project::Project;
use crate::report::RevisionView;
use crate::report::revise::{
    BranchReport, BranchRevision, InitReport, MergeCheckReport, MergeReport, NewReport,
    RebaseReport,
};
use crate::source::draft::{self, Draft};
use crate::source::template::{self, Templates};
use crate::source::{self, Replacement, clock};

use super::Migrator;
use super::choose::{choose_heads, choose_parents};
use super::options::{DEFAULT_MERGE_MESSAGE, NewRevision};

impl Migrator {
    /// Creates the versions folder `dir` and a commented `config_file`
    /// (`migrator.toml`) naming it; either one that exists is left as it is.
    pub fn init(dir: &Path, config_file: &Path) -> Result<InitReport, Error> {
        let dir_created = !dir.is_dir();
        if dir_created {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let config_file_created = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(config_file)
        {
            Ok(mut file) => {
                file.write_all(config::template(dir).as_bytes())
                    .map_err(|e| Error::io(config_file, e))?;
                true
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => false,
            Err(e) => return Err(Error::io(config_file, e)),
        };
        Ok(InitReport {
            dir: dir.to_path_buf(),
            dir_created,
            config_file: config_file.to_path_buf(),
            config_file_created,
        })
    }

    /// Creates the next revision: numbered after the highest number of the
    /// folder, on the given parents or the single head. With several heads
    /// and no parent given, refuses and suggests `merge`.
    pub fn new_revision(&mut self, new: &NewRevision) -> Result<NewReport, Error> {
        let parents = choose_parents(&self.project.graph, &new.parents)?;
        let index = self.create(&Draft {
            message: &new.message,
            parents: &parents,
            transactional: new.transactional,
            merge: false,
        })?;
        Ok(NewReport {
            revision: RevisionView::of(&self.project.graph, index, None),
        })
    }

    /// Creates a merge revision, without SQL, whose parents are the given
    /// heads (ids or unique prefixes), or every head. Refuses fewer than two
    /// heads and revisions that are not heads. The report lists the objects
    /// that more than one of the joined branches touched.
    pub fn merge(&mut self, heads: &[String], message: Option<&str>) -> Result<MergeReport, Error> {
        let graph = &self.project.graph;
        let chosen = choose_heads(graph, heads)?;
        let overlaps = overlap::overlaps(&branches(graph, &chosen));
        let parents: Vec<String> = chosen.iter().map(|&i| graph.at(i).id.clone()).collect();
        let index = self.create(&Draft {
            message: message.unwrap_or(DEFAULT_MERGE_MESSAGE),
            parents: &parents,
            transactional: true,
            merge: true,
        })?;
        Ok(MergeReport {
            revision: RevisionView::of(&self.project.graph, index, None),
            overlaps,
        })
    }

    /// What [`Migrator::merge`] would join: each branch's revisions since
    /// the heads parted, what their up files do, and the objects more than
    /// one branch touches. Writes nothing.
    pub fn merge_check(&self, heads: &[String]) -> Result<MergeCheckReport, Error> {
        let graph = &self.project.graph;
        let chosen = choose_heads(graph, heads)?;
        let branches = branches(graph, &chosen);
        let overlaps = overlap::overlaps(&branches);
        Ok(MergeCheckReport {
            heads: chosen.iter().map(|&i| graph.at(i).id.clone()).collect(),
            merge_bases: graph
                .merge_bases(&chosen)
                .iter()
                .map(|&i| graph.at(i).id.clone())
                .collect(),
            branches: branches
                .iter()
                .map(|branch| BranchReport {
                    head: branch.head.clone(),
                    revisions: branch
                        .revisions
                        .iter()
                        .map(|revision| BranchRevision {
                            revision: RevisionView::of(
                                graph,
                                graph
                                    .index_of(&revision.id)
                                    .expect("a revision of the graph"),
                                None,
                            ),
                            effects: overlap::effects(&revision.up.sql),
                        })
                        .collect(),
                })
                .collect(),
            overlaps,
        })
    }

    /// Moves revision `name` and its descendants onto head `onto`: its
    /// `Parents` becomes `onto`, the moved revisions are renumbered after the
    /// highest number (slugs kept) and their files renamed, as one change of
    /// the folder. Refuses a branch that cannot move (see
    /// [`rebase::plan`]) and one with a revision applied in the database,
    /// which would then name an id that no longer exists. With `dry_run`,
    /// checks everything and changes nothing.
    pub fn rebase(&mut self, name: &str, onto: &str, dry_run: bool) -> Result<RebaseReport, Error> {
        let graph = &self.project.graph;
        let start = graph.resolve(name)?;
        let onto = graph.resolve(onto)?;
        let moves = rebase::plan(graph, start, onto)
            .map_err(|refusal| Error::refused(refusal.message, Some(refusal.hint)))?;
        let onto = graph.at(onto).id.clone();
        let undo_to = graph
            .parents_of(start)
            .first()
            .map_or("base".to_string(), |&p| graph.at(p).id.clone());

        if let Some(state) = self.existing_state()? {
            let applied: Vec<String> = moves
                .iter()
                .filter(|m| state.applied.iter().any(|a| a.id == m.old_id))
                .map(|m| m.old_id.clone())
                .collect();
            if !applied.is_empty() {
                let (are, them) = if applied.len() == 1 {
                    ("a moved revision is", "it")
                } else {
                    ("moved revisions are", "them")
                };
                return Err(Error::refused(
                    format!(
                        "{are} applied in {}: rebase would rename {them}",
                        self.location()
                    ),
                    Some(format!(
                        "undo {them} first with `migrator downgrade {undo_to}`, or keep the branch and join it with `migrator merge`"
                    )),
                )
                .with_details(applied));
            }
        }

        let replacements = rebased_files(&moves)?;
        if !dry_run {
            source::replace_files(&replacements).map_err(|(path, e)| Error::io(path, e))?;
            self.reload()?;
        }
        Ok(RebaseReport {
            onto,
            dry_run,
            folder: self.project.dir.clone(),
            moves,
        })
    }

    /// Writes a draft into the folder, reads the folder again, and returns
    /// the new revision's position.
    fn create(&mut self, draft: &Draft<'_>) -> Result<usize, Error> {
        let graph = &self.project.graph;
        let folder = template::folder_of(&self.project.dir);
        let templates = if draft.merge {
            Templates::default()
        } else {
            template::read(&folder).map_err(|(path, e)| Error::io(path, e))?
        };
        let files = draft::render_templated(
            draft,
            graph.revisions().iter().map(|r| &r.number),
            &clock::now_utc(),
            &templates,
        )
        .map_err(|problems| Error::Folder {
            dir: folder.clone(),
            problems,
        })?;
        let dir = &self.project.dir;
        source::write_revision(dir, &files.id, &files.up, &files.down)
            .map_err(|e| Error::io(dir.join(&files.id), e))?;
        let written = files;
        self.reload()?;
        Ok(self
            .project
            .graph
            .index_of(&written.id)
            .expect("a revision just written loads back"))
    }

    /// Reads the folder again after this migrator changed it.
    fn reload(&mut self) -> Result<(), Error> {
        self.project = Project::load(&self.project.dir)?;
        Ok(())
    }
}

/// Each head's revisions since the heads parted.
fn branches<'g>(graph: &'g RevisionGraph, heads: &[usize]) -> Vec<Branch<'g>> {
    graph
        .branches_since_shared(heads)
        .into_iter()
        .zip(heads)
        .map(|(revisions, &head)| Branch {
            head: graph.at(head).id.clone(),
            revisions: revisions.iter().map(|&i| graph.at(i)).collect(),
        })
        .collect()
}

/// The files a rebase writes in place of the moved ones: each up file with
/// its `Parents` line rewritten and every other byte kept, each down file
/// as it is.
fn rebased_files(moves: &[Move]) -> Result<Vec<Replacement>, Error> {
    let mut replacements = Vec::with_capacity(2 * moves.len());
    for m in moves {
        let up = std::fs::read(&m.old_up).map_err(|e| Error::io(&m.old_up, e))?;
        let text = String::from_utf8(up).map_err(|_| {
            Error::refused(format!("{}: is not valid UTF-8", m.old_up.display()), None)
        })?;
        let rewritten =
            rebase::rewrite_parents(&text, m.parents_line, &m.parents).ok_or_else(|| {
                Error::refused(
                    format!(
                        "{}:{}: cannot find the Parents header to rewrite",
                        m.old_up.display(),
                        m.parents_line
                    ),
                    None,
                )
            })?;
        replacements.push(Replacement {
            old: m.old_up.clone(),
            new: m.new_up.clone(),
            contents: rewritten.into_bytes(),
        });
        // A repeatable revision may have no down file to move.
        match std::fs::read(&m.old_down) {
            Ok(down) => replacements.push(Replacement {
                old: m.old_down.clone(),
                new: m.new_down.clone(),
                contents: down,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&m.old_down, e)),
        }
    }
    Ok(replacements)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::graph;

    const TWO_HEADS: &str = "0001; 0002a <- 0001; 0002b <- 0001";

    /// A graph, the names given, and the ids chosen or the error's message.
    type Case = (
        &'static str,
        &'static [&'static str],
        Result<&'static [&'static str], &'static str>,
    );

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parents_are_the_named_ones_or_the_single_head() {
        let cases: [Case; 6] = [
            ("", &[], Ok(&[])),
            ("0001; 0002 <- 0001", &[], Ok(&["0002"])),
            (
                TWO_HEADS,
                &["0002a", "0002b", "0002a"],
                Ok(&["0002a", "0002b"]),
            ),
            (TWO_HEADS, &["0001"], Ok(&["0001"])),
            (
                TWO_HEADS,
                &[],
                Err("there are 2 heads, so the new revision's parent is ambiguous"),
            ),
            (TWO_HEADS, &["0009"], Err("no revision matches `0009`")),
        ];
        for (text, given, expected) in cases {
            let chosen = choose_parents(&graph(text), &names(given)).map_err(|e| e.to_string());
            let expected = expected.map(names).map_err(|message| message.to_string());
            assert_eq!(chosen, expected, "{text} {given:?}");
        }
    }

    #[test]
    fn a_merge_joins_two_or_more_heads() {
        let three = "0001; 0002a <- 0001; 0002b <- 0001; 0002c <- 0001";
        let cases: [Case; 7] = [
            (TWO_HEADS, &[], Ok(&["0002a", "0002b"])),
            (three, &["0002c", "0002a"], Ok(&["0002c", "0002a"])),
            (
                TWO_HEADS,
                &["0002a", "0002a"],
                Err("nothing to merge: only one head given, 0002a"),
            ),
            (
                "0001; 0002 <- 0001",
                &[],
                Err("nothing to merge: there is one head, 0002"),
            ),
            ("", &[], Err("nothing to merge: there are no revisions")),
            (
                TWO_HEADS,
                &["0001", "0002a"],
                Err("0001 is not a head: 0002a, 0002b build on it"),
            ),
            (
                TWO_HEADS,
                &["0002"],
                Err("`0002` is ambiguous: it matches 0002a, 0002b"),
            ),
        ];
        for (text, given, expected) in cases {
            let g = graph(text);
            let chosen = choose_heads(&g, &names(given))
                .map(|heads| {
                    heads
                        .iter()
                        .map(|&i| g.at(i).id.clone())
                        .collect::<Vec<_>>()
                })
                .map_err(|e| e.to_string());
            let expected = expected.map(names).map_err(|message| message.to_string());
            assert_eq!(chosen, expected, "{text} {given:?}");
        }
    }

    #[test]
    fn new_merge_and_rebase_write_files_the_folder_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let versions = dir.path().join("versions");
        let mut migrator = Migrator::from_dir_or_empty(&versions).unwrap();
        let new = |message: &str, parents: &[&str]| NewRevision {
            message: message.to_string(),
            parents: names(parents),
            transactional: true,
        };
        let root = migrator.new_revision(&new("Create users", &[])).unwrap();
        assert_eq!(root.revision.id, "0001_create_users");
        assert_eq!(
            root.revision.up_file,
            versions.join("0001_create_users.up.sql")
        );
        migrator.new_revision(&new("Add email", &[])).unwrap();
        let other = migrator
            .new_revision(&new("Create orders", &["0001"]))
            .unwrap();
        assert_eq!(other.revision.parents, ["0001_create_users"]);
        let refused = migrator.new_revision(&new("Next", &[])).unwrap_err();
        assert!(
            refused.to_string().starts_with("there are 2 heads"),
            "{refused}"
        );

        let dry = migrator.rebase("0003", "0002", true).unwrap();
        assert_eq!(dry.moves[0].new_id, "0004_create_orders");
        assert!(versions.join("0003_create_orders.up.sql").exists());

        let merge = migrator.merge(&[], None).unwrap();
        assert_eq!(merge.revision.id, "0004_merge_heads");
        assert!(merge.revision.mergepoint && merge.revision.head);
        assert_eq!(
            merge.revision.parents,
            ["0002_add_email", "0003_create_orders"]
        );
        assert!(merge.overlaps.is_empty());
        // The migrator reads its own writes: one head again.
        assert_eq!(migrator.heads().heads.len(), 1);
        let reread = Migrator::from_dir(&versions).unwrap();
        assert_eq!(reread.project().graph.len(), 4);
    }
}
