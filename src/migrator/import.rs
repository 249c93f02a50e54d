//! `import`: another tool's migrations folder written as a line of
//! revisions, and, with a database, that tool's history stamped. Every
//! check comes before the first file is written; the files are written as
//! one change, and taken back if the stamp fails.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::graph::RevisionGraph;
use crate::graph::target::Target;
use crate::import::{self, Migration, Tool, history};
use crate::project::Project;
use crate::report::RevisionView;
use crate::report::import::{HistoryReport, ImportReport, ImportedRevision};
use crate::source::draft::DraftFiles;
use crate::source::file_name::{Direction, Number};
use crate::source::{self, clock};

use super::choose::choose_parents;
use super::options::ImportOptions;
use super::{Migrator, Progress, Silent, connection};

impl Migrator {
    /// Writes the migrations of another tool's folder into the versions
    /// folder, one revision each, in the tool's order, each the child of
    /// the one before (the first on the folder's single head, if any);
    /// with [`ImportOptions::stamp`], stamps the last one the database's
    /// history records as applied. Refuses, writing nothing, any problem
    /// of the folder (all of them at once, at file and line) or of the
    /// history (a failed migration, a version the folder lacks, one
    /// applied out of order).
    pub fn import(&mut self, options: &ImportOptions) -> Result<ImportReport, Error> {
        self.import_with(options, &mut Silent)
    }

    /// [`Migrator::import`], telling `progress` when the stamp waits for
    /// the lock.
    pub fn import_with(
        &mut self,
        options: &ImportOptions,
        progress: &mut dyn Progress,
    ) -> Result<ImportReport, Error> {
        let (tool, source) = (options.tool, options.source.as_path());
        self.refuse_own_folder(source)?;
        let folder_error = |problems| Error::Folder {
            dir: source.to_path_buf(),
            problems,
        };
        let files = import::read_folder(tool, source).map_err(folder_error)?;
        let migrations = import::convert(tool, &files).map_err(folder_error)?;
        if migrations.is_empty() {
            return Err(Error::refused(
                format!("{} holds no {tool} migrations", source.display()),
                Some(format!(
                    "name the folder that holds the {tool} migration files"
                )),
            ));
        }
        let applied = if options.stamp {
            Some(self.read_history(tool, &migrations)?)
        } else {
            None
        };

        let graph = &self.project.graph;
        let parents = choose_parents(graph, &[])?;
        let existing: Vec<Number> = graph.revisions().iter().map(|r| r.number.clone()).collect();
        let drafts = import::revisions(
            tool,
            &migrations,
            parents.first().map(String::as_str),
            &existing,
            &clock::now_utc(),
        );
        let writes = self.files_of(&drafts);
        let imported = self.graph_with(&writes)?;
        let target = applied
            .filter(|&count| count > 0)
            .map(|count| drafts[count - 1].id.clone());
        if let Some(target) = &target {
            self.check_stamp(&imported, target, &drafts)?;
        }

        let created = self.write(&writes)?;
        let stamp = match &target {
            Some(target) => match self.stamp_with(target, progress) {
                Ok(stamp) => Some(stamp),
                Err(error) => {
                    self.take_back(&writes, created);
                    return Err(error);
                }
            },
            None => None,
        };
        let graph = &self.project.graph;
        let revisions = migrations
            .iter()
            .zip(&drafts)
            .map(|(migration, draft)| ImportedRevision {
                version: migration.version.clone(),
                files: source_files(migration),
                revision: RevisionView::of(
                    graph,
                    graph
                        .index_of(&draft.id)
                        .expect("an imported revision loads back"),
                    None,
                ),
                no_transaction: migration.no_transaction.clone(),
                reversible: migration.down.is_some(),
            })
            .collect();
        let history = applied.map(|count| HistoryReport {
            database: self.location(),
            table: tool.history_table().name.to_owned(),
            applied: migrations[..count]
                .iter()
                .map(|m| m.version.clone())
                .collect(),
            stamp,
        });
        Ok(ImportReport {
            tool,
            source: source.to_path_buf(),
            folder: self.project.dir.clone(),
            revisions,
            history,
        })
    }

    /// Importing the versions folder into itself would read revisions as
    /// another tool's files and write beside them.
    fn refuse_own_folder(&self, source: &Path) -> Result<(), Error> {
        let same = match (source.canonicalize(), self.project.dir.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if same {
            return Err(Error::refused(
                format!(
                    "{} is the versions folder itself",
                    self.project.dir.display()
                ),
                Some(
                    "import reads the other tool's folder and writes revisions into the \
                     versions folder (--dir): give two different folders"
                        .to_owned(),
                ),
            ));
        }
        Ok(())
    }

    /// How many migrations, in order, the tool's history table in the
    /// database records as applied.
    fn read_history(&mut self, tool: Tool, migrations: &[Migration]) -> Result<usize, Error> {
        let table = tool.history_table();
        let location = self.location();
        let db = connection(&mut self.db, &self.url, &self.connect_options)?;
        let rows = db.foreign_table(table.name, table.columns).map_err(|e| {
            Error::refused(
                format!("cannot read {} as {tool} writes it: {e}", table.name),
                Some(format!(
                    "is it {tool}'s table? Check --from, or leave out --database-url to \
                     import the files only"
                )),
            )
        })?;
        let Some(rows) = rows else {
            return Err(Error::refused(
                format!(
                    "{location} has no {} table: {tool} has not migrated it",
                    table.name
                ),
                Some(
                    "check --database-url and --from, or leave out --database-url to import \
                     the files only"
                        .to_owned(),
                ),
            ));
        };
        history::applied(tool, &rows, migrations)
            .map_err(|e| Error::refused(format!("{location}: {e}"), Some(e.hint())))
    }

    /// Where each draft's files go, with their text.
    fn files_of(&self, drafts: &[DraftFiles]) -> Vec<(PathBuf, String)> {
        let dir = &self.project.dir;
        drafts
            .iter()
            .flat_map(|draft| {
                [
                    (Direction::Up, draft.up.clone()),
                    (Direction::Down, draft.down.clone()),
                ]
                .map(|(direction, text)| {
                    (
                        dir.join(format!("{}{}", draft.id, direction.suffix())),
                        text,
                    )
                })
            })
            .collect()
    }

    /// The folder's graph with the files to write, read as the folder will
    /// read them: what cannot load is refused before it is written.
    fn graph_with(&self, writes: &[(PathBuf, String)]) -> Result<RevisionGraph, Error> {
        let folder_error = |problems| Error::Folder {
            dir: self.project.dir.clone(),
            problems,
        };
        let reading = source::read_files(
            writes
                .iter()
                .map(|(path, text)| (path.clone(), text.as_bytes())),
        );
        if !reading.problems.is_empty() {
            return Err(folder_error(reading.problems));
        }
        let mut revisions = self.project.graph.revisions().to_vec();
        revisions.extend(reading.revisions);
        RevisionGraph::new(revisions).map_err(folder_error)
    }

    /// Refuses a stamp of `target` that would record, or unrecord, more
    /// than the imported revisions: with revisions in the folder before
    /// the import, those the database has not applied.
    fn check_stamp(
        &mut self,
        graph: &RevisionGraph,
        target: &str,
        drafts: &[DraftFiles],
    ) -> Result<(), Error> {
        let state = self.state()?;
        let applied: Vec<&str> = state.applied.iter().map(|r| r.id.as_str()).collect();
        let plan = crate::graph::plan::stamp(graph, &applied, &Target::Revision(target.into()))?;
        let imported = |index: &usize| drafts.iter().any(|d| d.id == graph.at(*index).id);
        let others: Vec<String> = plan
            .insert
            .iter()
            .chain(&plan.delete)
            .filter(|index| !imported(index))
            .map(|&index| graph.at(index).id.clone())
            .collect();
        if others.is_empty() {
            return Ok(());
        }
        Err(Error::refused(
            format!(
                "stamping {target} would also change the records of revisions that were in \
                 the folder before the import, in {}",
                self.location()
            ),
            Some(
                "apply the folder's revisions to this database first (`migrator upgrade`), \
                 or import into an empty versions folder"
                    .to_owned(),
            ),
        )
        .with_details(others))
    }

    /// Writes the files as one change, creating the folder when missing
    /// (then true), and reads the folder again.
    fn write(&mut self, writes: &[(PathBuf, String)]) -> Result<bool, Error> {
        let dir = self.project.dir.clone();
        let created = !dir.exists();
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let files: Vec<(&Path, &[u8])> = writes
            .iter()
            .map(|(path, text)| (path.as_path(), text.as_bytes()))
            .collect();
        if let Err((path, e)) = source::write_files(&files) {
            if created {
                let _ = std::fs::remove_dir(&dir);
            }
            return Err(Error::io(path, e));
        }
        self.project = Project::load(&dir)?;
        Ok(created)
    }

    /// Removes the files an import wrote (and the folder, when it made
    /// it), after its stamp failed.
    fn take_back(&mut self, writes: &[(PathBuf, String)], created: bool) {
        for (path, _) in writes {
            let _ = std::fs::remove_file(path);
        }
        if created {
            let _ = std::fs::remove_dir(&self.project.dir);
        }
        if let Ok(project) = Project::load(&self.project.dir) {
            self.project = project;
        }
    }
}

/// The files of the other tool a migration came from.
fn source_files(migration: &Migration) -> Vec<String> {
    let mut files = vec![migration.up.file.clone()];
    if let Some(down) = &migration.down
        && down.file != migration.up.file
    {
        files.push(down.file.clone());
    }
    files
}
