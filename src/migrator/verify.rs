//! `verify`, the CI gate: the folder is well formed and has one head; with a
//! database, nothing applied drifted, went missing or moved; with a
//! roundtrip, every down undoes its up on a scratch database.

use crate::db::Database;
use crate::db::DatabaseUrl;
use crate::diagnostic::Diagnostic;
use crate::engine::roundtrip::{self, Outcome};
use crate::engine::verify;
use crate::engine::{RunOptions, Silent};
use crate::error::Error;
use crate::project::Project;
use crate::report::verify::VerifyReport;

use super::Migrator;
use super::options::VerifyOptions;

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
        // Without a database (none given, and this build cannot read the
        // default one) only the folder is checked.
        if (self.db.is_some() || self.url.is_ok())
            && let Some(state) = self.existing_state()?
        {
            let location = self.location();
            problems.extend(verify::database(&self.project.graph, &state, &location));
            summary.push(format!("{} applied to {location}", state.applied.len()));
        }
        if options.roundtrip {
            let finding = match self.roundtrip(options.scratch_url.as_deref(), &mut problems) {
                Ok((Outcome::Passed { revisions }, location)) => {
                    summary.push(format!(
                        "roundtrip of {} on {location}: every down undoes its up",
                        count(revisions, "revision")
                    ));
                    None
                }
                Ok((Outcome::Failed(failure), _)) => Some(verify::roundtrip(&failure)),
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

    /// Runs the roundtrip on the scratch database: the one given, or one
    /// the backend makes beside the database migrated and removes
    /// afterwards (a failure to remove it is a warning in `problems`).
    /// Returns where it ran, too.
    fn roundtrip(
        &self,
        scratch_url: Option<&str>,
        problems: &mut Vec<Diagnostic>,
    ) -> Result<(Outcome, String), Error> {
        let run_options = RunOptions {
            allow_drift: false,
            lock_timeout: self.run_options.lock_timeout,
        };
        let operator = crate::record::operator::current(Some("verify --roundtrip".into()));
        let project: &Project = &self.project;
        let run = |db: &mut dyn Database| {
            roundtrip::run(project, db, &run_options, &operator, &mut Silent)
        };
        if let Some(url) = scratch_url {
            let mut db = DatabaseUrl::parse(url)?.open(&self.connect_options)?;
            let location = db.location().to_string();
            return Ok((run(db.as_mut())?, location));
        }
        let mut scratch = self.url.clone()?.scratch(&self.connect_options)?;
        let location = scratch.database().location().to_string();
        let outcome = run(scratch.database());
        if let Err(error) = scratch.remove() {
            problems.push(
                Diagnostic::warning("roundtrip", error.to_string())
                    .hint(format!("remove {location} by hand")),
            );
        }
        Ok((outcome?, format!("{location} (made for it, then removed)")))
    }
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
