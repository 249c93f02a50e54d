//! `migrator verify`: the CI gate. The folder is well formed and has one
//! head; with a database, nothing applied drifted, went missing or moved;
//! with `--roundtrip`, every down undoes its up on a scratch database.
//!
//! The database is checked when one is configured (`--database-url`,
//! `DATABASE_URL`, `migrator.toml`) or the default `sqlite:migrator.db`
//! exists; a SQLite file that does not exist has nothing applied to check.

use std::path::PathBuf;

use migrator::db::{self, DatabaseUrl};
use migrator::engine::{self, RunOptions, Silent};
use migrator::roundtrip::{self, Outcome};
use migrator::verify::{self, Finding, Severity};
use migrator::{Error, Project};

use crate::cli::args::Format;
use crate::cli::github;
use crate::cli::{Access, Context};

pub struct Options<'a> {
    pub allow_heads: bool,
    pub roundtrip: bool,
    pub scratch_url: Option<&'a str>,
}

pub fn run(context: &Context<'_>, options: &Options<'_>) -> Result<i32, Error> {
    let mut findings = Vec::new();
    let mut summary = Vec::new();
    match Project::load(&context.settings.dir) {
        Err(Error::Folder { problems, .. }) => findings.extend(verify::folder(&problems)),
        Err(other) => return Err(other),
        Ok(project) => {
            let graph = &project.graph;
            findings.extend(verify::heads(graph, options.allow_heads));
            summary.push(format!(
                "{} revision{}, {} head{}",
                graph.len(),
                plural(graph.len()),
                graph.heads().len(),
                plural(graph.heads().len())
            ));
            if let Some(mut db) = context.database(Access::Read)? {
                let state = engine::read_state(&project, db.as_mut())?;
                findings.extend(verify::database(graph, &state, db.location()));
                summary.push(format!(
                    "{} applied to {}",
                    state.applied.len(),
                    db.location()
                ));
            }
            if options.roundtrip {
                let finding = match roundtrip(context, &project, options.scratch_url) {
                    Ok(Outcome::Passed { revisions }) => {
                        summary.push(format!(
                            "roundtrip of {revisions} revision{}: every down undoes its up",
                            plural(revisions)
                        ));
                        None
                    }
                    Ok(Outcome::Failed(failure)) => Some(verify::roundtrip(&failure)),
                    Err(error) => match verify::roundtrip_error(&error) {
                        Some(finding) => Some(finding),
                        None => return Err(error),
                    },
                };
                if let Some(finding) = finding {
                    findings.push(finding);
                    if let Some(url) = options.scratch_url {
                        context.output.note(format!(
                            "note: the scratch database {} keeps what the roundtrip applied; re-create it before the next roundtrip",
                            DatabaseUrl::parse(url)?.redacted()
                        ));
                    }
                }
            }
        }
    }
    let failed = findings.iter().any(|f| f.severity == Severity::Error);
    report(context, &findings, &summary, failed);
    Ok(if failed { 1 } else { 0 })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Runs the roundtrip on the scratch database.
fn roundtrip(
    context: &Context<'_>,
    project: &Project,
    scratch_url: Option<&str>,
) -> Result<Outcome, Error> {
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
    let options = db::ConnectOptions {
        schema: context.settings.schema.clone(),
        ..Default::default()
    };
    let mut db = db::connect(&url, &options)?;
    let run_options = RunOptions {
        allow_drift: false,
        lock_timeout: context.settings.lock_timeout,
    };
    let operator = migrator::operator::current(Some("verify --roundtrip".into()));
    roundtrip::run(project, db.as_mut(), &run_options, &operator, &mut Silent)
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

fn report(context: &Context<'_>, findings: &[Finding], summary: &[String], failed: bool) {
    let output = context.output;
    match output.format {
        Format::Json => output.json(&serde_json::json!({
            "ok": !failed,
            "problems": findings,
        })),
        Format::Github => {
            for finding in findings {
                output.line(github::annotation(finding));
            }
            if !failed {
                output.line(format!("ok: {}", summary.join("; ")));
            }
        }
        Format::Text => {
            for finding in findings {
                let level = match finding.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                let place = match (&finding.file, finding.line) {
                    (Some(file), Some(line)) => format!("{}:{line}: ", file.display()),
                    (Some(file), None) => format!("{}: ", file.display()),
                    _ => String::new(),
                };
                output.line(format!("{level}: {place}{}", finding.message));
                if let Some(diff) = &finding.diff {
                    for line in diff.lines() {
                        output.line(format!("    {line}"));
                    }
                }
                if let Some(hint) = &finding.hint {
                    output.line(format!("  hint: {hint}"));
                }
            }
            let errors = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            if failed {
                output.line(format!("verify failed: {errors} problem{}", plural(errors)));
            } else {
                output.line(format!("ok: {}", summary.join("; ")));
            }
        }
    }
}
