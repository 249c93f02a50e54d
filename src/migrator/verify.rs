//! `verify`, the CI gate: the folder is well formed and has one head; with a
//! database, nothing applied drifted, went missing or moved; with a
//! roundtrip, every down undoes its up on a scratch database.

use std::path::PathBuf;

use crate::db::{self, DatabaseUrl};
use crate::diagnostic::{Diagnostic, Level};
use crate::engine::roundtrip::{self, Outcome};
use crate::engine::{RunOptions, Silent, verify};
use crate::error::Error;
use crate::project::Project;

use super::{Migrator, connection};

/// What `verify` checks besides the folder.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Allow more than one head.
    pub allow_heads: bool,
    /// Apply each revision on a scratch database, run its down, check the
    /// schema is back, apply it again.
    pub roundtrip: bool,
    /// The scratch database for the roundtrip; it must be empty. `None`: a
    /// temporary SQLite file.
    pub scratch_url: Option<String>,
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// False when any problem is an error.
    pub ok: bool,
    pub problems: Vec<Diagnostic>,
    /// What was checked, one phrase each (`8 revisions, 1 head`, …).
    pub summary: Vec<String>,
}

impl VerifyReport {
    fn new(problems: Vec<Diagnostic>, summary: Vec<String>) -> VerifyReport {
        VerifyReport {
            ok: !problems.iter().any(|p| p.level == Level::Error),
            problems,
            summary,
        }
    }

    /// How many problems are errors.
    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.level == Level::Error)
            .count()
    }
}

impl Migrator {
    /// Checks a folder that may not load: its problems are the findings.
    /// `load` is what [`Migrator::from_dir`] would do; the database and the
    /// roundtrip are checked only when the folder loads.
    pub fn verify_folder(
        load: impl FnOnce() -> Result<Migrator, Error>,
        options: &VerifyOptions,
    ) -> Result<VerifyReport, Error> {
        match load() {
            Ok(mut migrator) => migrator.verify(options),
            Err(Error::Folder { problems, .. }) => {
                Ok(VerifyReport::new(verify::folder(&problems), Vec::new()))
            }
            Err(other) => Err(other),
        }
    }

    /// Checks the folder, the database (when it exists) and, if asked, the
    /// roundtrip.
    pub fn verify(&mut self, options: &VerifyOptions) -> Result<VerifyReport, Error> {
        let graph = &self.project.graph;
        let mut problems = verify::heads(graph, options.allow_heads);
        let mut summary = vec![format!(
            "{}, {}",
            count(graph.len(), "revision"),
            count(graph.heads().len(), "head")
        )];
        if !self.nothing_to_read() {
            let state = self.state()?;
            let location = self.location();
            problems.extend(verify::database(&self.project.graph, &state, &location));
            let tables = self.tables_if_incomplete()?;
            problems.extend(verify::bookkeeping(&state, tables, &location));
            summary.push(format!("{} applied to {location}", state.applied.len()));
        }
        if options.roundtrip {
            let finding = match self.roundtrip(options.scratch_url.as_deref()) {
                Ok(Outcome::Passed { revisions }) => {
                    summary.push(format!(
                        "roundtrip of {}: every down undoes its up",
                        count(revisions, "revision")
                    ));
                    None
                }
                Ok(Outcome::Failed(failure)) => Some(verify::roundtrip(&failure)),
                Err(error) => match verify::roundtrip_error(&error) {
                    Some(finding) => Some(finding),
                    None => return Err(error),
                },
            };
            if let Some(mut finding) = finding {
                if let Some(url) = &options.scratch_url {
                    finding = finding.note(format!(
                        "the scratch database {} keeps what the roundtrip applied; re-create it before the next roundtrip",
                        DatabaseUrl::parse(url)?.redacted()
                    ));
                }
                problems.push(finding);
            }
        }
        Ok(VerifyReport::new(problems, summary))
    }

    /// What each bookkeeping table holds, when they are not both there;
    /// `None` when they are.
    fn tables_if_incomplete(&mut self) -> Result<Option<verify::Tables>, Error> {
        let db = connection(&mut self.db, &self.url, &self.connect_options)?;
        if db.has_tables()? {
            return Ok(None);
        }
        // A table that cannot be read is missing.
        Ok(Some(verify::Tables {
            revisions: db.applied().ok().map(|rows| rows.len()),
            log: db.log().ok().map(|rows| rows.len()),
        }))
    }

    /// Runs the roundtrip on the scratch database.
    fn roundtrip(&self, scratch_url: Option<&str>) -> Result<Outcome, Error> {
        let temporary = match scratch_url {
            Some(_) => None,
            None => Some(TemporaryFile::new()),
        };
        let url = match (scratch_url, &temporary) {
            (Some(url), _) => DatabaseUrl::parse(url)?,
            (None, Some(file)) => DatabaseUrl::Sqlite {
                path: Some(file.path.clone()),
            },
            (None, None) => unreachable!("a temporary file when no URL is given"),
        };
        let mut db = db::connect(&url, &self.connect_options)?;
        let run_options = RunOptions {
            allow_drift: false,
            lock_timeout: self.run_options.lock_timeout,
        };
        let operator = crate::record::operator::current(Some("verify --roundtrip".into()));
        let project: &Project = &self.project;
        roundtrip::run(project, db.as_mut(), &run_options, &operator, &mut Silent)
    }
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A SQLite file in the temporary folder, removed (with the files SQLite and
/// migrator keep beside it) when dropped.
struct TemporaryFile {
    path: PathBuf,
}

impl TemporaryFile {
    fn new() -> TemporaryFile {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!("migrator-roundtrip-{}-{nanos}.db", std::process::id());
        TemporaryFile {
            path: std::env::temp_dir().join(name),
        }
    }
}

impl Drop for TemporaryFile {
    fn drop(&mut self) {
        for suffix in ["", "-journal", "-wal", "-shm", ".lock"] {
            let mut name = self.path.as_os_str().to_owned();
            name.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
    }
}
