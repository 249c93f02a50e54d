//! `verify`, the CI gate: the folder is well formed and has one head; with a
//! database, nothing applied drifted, went missing or moved; with a
//! roundtrip, every down undoes its up on a scratch database; with lint, no
//! up file still to run holds dangerous DDL.

use std::path::PathBuf;

use crate::db::{self, DatabaseUrl};
use crate::diagnostic::{Diagnostic, Level};
use crate::engine::roundtrip::{self, Outcome};
use crate::engine::{RunOptions, Silent, verify};
use crate::error::Error;
use crate::lint::{self, Backend, Unparsed};
use crate::project::Project;

use super::Migrator;

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
    /// Lint the up files of the revisions the database has not applied
    /// (all of them when it does not exist) with the rules of the backend
    /// of the database URL ([`Migrator::with_database_url`]; the embedded
    /// default is SQLite): see [`crate::lint`].
    pub lint: bool,
    /// Lint the revisions whose up file differs from this Git revision (or
    /// is not tracked yet) instead; implies `lint`.
    pub since: Option<String>,
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// False when any problem is an error.
    pub ok: bool,
    pub problems: Vec<Diagnostic>,
    /// What was checked, one phrase each (`8 revisions, 1 head`, …).
    pub summary: Vec<String>,
    /// What the lint read, when it ran; its findings are among `problems`.
    pub lint: Option<LintReport>,
}

/// What `verify --lint` read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LintReport {
    /// Whose rules applied: the backend of the database URL.
    pub backend: Backend,
    /// Which revisions: `pending` (those the database has not applied),
    /// `since` (those changed since the Git revision `since`), or `all`
    /// (there is no database yet).
    pub selection: &'static str,
    pub since: Option<String>,
    /// The revisions linted, in order.
    pub revisions: Vec<String>,
    /// How many statements their up files hold.
    pub statements: usize,
    /// Statements the parser could not read, which were not linted.
    pub unparsed: Vec<Unparsed>,
}

impl VerifyReport {
    fn new(problems: Vec<Diagnostic>, summary: Vec<String>) -> VerifyReport {
        VerifyReport {
            ok: !problems.iter().any(|p| p.level == Level::Error),
            problems,
            summary,
            lint: None,
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
        let mut state = None;
        if !self.nothing_to_read() {
            let read = self.state()?;
            let location = self.location();
            problems.extend(verify::database(&self.project.graph, &read, &location));
            summary.push(format!("{} applied to {location}", read.applied.len()));
            state = Some(read);
        }
        let mut lint_report = None;
        if options.lint || options.since.is_some() {
            let (report, findings) = self.lint(options.since.as_deref(), state.as_ref())?;
            summary.push(lint_summary(&report, &self.location()));
            problems.extend(findings);
            lint_report = Some(report);
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
        let mut report = VerifyReport::new(problems, summary);
        report.lint = lint_report;
        Ok(report)
    }

    /// Lints the revisions changed since `since`, else those `state` says
    /// are not applied, else all.
    fn lint(
        &self,
        since: Option<&str>,
        state: Option<&crate::engine::DatabaseState>,
    ) -> Result<(LintReport, Vec<Diagnostic>), Error> {
        let graph = &self.project.graph;
        let (selection, revisions): (&'static str, Vec<usize>) = match (since, state) {
            (Some(base), _) => {
                let changed = crate::source::git::changed_since(&self.project.dir, base)?;
                let revisions = (0..graph.len())
                    .filter(|&i| {
                        std::fs::canonicalize(&graph.at(i).up.path)
                            .is_ok_and(|path| changed.contains(&path))
                    })
                    .collect();
                ("since", revisions)
            }
            (None, Some(state)) => {
                let applied: std::collections::HashSet<&str> =
                    state.applied.iter().map(|r| r.id.as_str()).collect();
                let pending = (0..graph.len())
                    .filter(|&i| !applied.contains(graph.at(i).id.as_str()))
                    .collect();
                ("pending", pending)
            }
            (None, None) => ("all", (0..graph.len()).collect()),
        };
        let backend = match self.url {
            DatabaseUrl::Postgres { .. } => Backend::Postgresql,
            DatabaseUrl::Sqlite { .. } => Backend::Sqlite,
        };
        let linted = lint::lint(graph, &revisions, backend);
        let report = LintReport {
            backend,
            selection,
            since: since.map(str::to_owned),
            revisions: revisions.iter().map(|&i| graph.at(i).id.clone()).collect(),
            statements: linted.statements,
            unparsed: linted.unparsed,
        };
        Ok((report, linted.findings))
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

/// What the lint read, as a phrase of the summary.
fn lint_summary(report: &LintReport, location: &str) -> String {
    let revisions = count(report.revisions.len(), "revision");
    let which = match (report.selection, &report.since) {
        ("since", Some(base)) => format!("{revisions} changed since {base}"),
        ("pending", _) => format!("{revisions} not applied to {location}"),
        _ => revisions,
    };
    let mut phrase = format!("lint ({} rules) of {which}", report.backend.name());
    if !report.unparsed.is_empty() {
        phrase.push_str(&format!(
            ", {} not parsed",
            count(report.unparsed.len(), "statement")
        ));
    }
    phrase
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
