//! `verify`, the CI gate: the folder is well formed and has one head; with a
//! database, nothing applied drifted, went missing or moved; with a
//! roundtrip, every down undoes its up on a scratch database; with lint, no
//! up file still to run holds dangerous DDL; with a schema file, the
//! committed dump is the schema the folder gives.

use std::path::Path;

use crate::db::Database;
use crate::db::DatabaseUrl;
use crate::diagnostic::Diagnostic;
use crate::engine::DatabaseState;
use crate::engine::roundtrip::{self, Outcome};
use crate::engine::schema_file;
use crate::engine::verify;
use crate::engine::{RunOptions, Silent};
use crate::error::Error;
use crate::graph::RevisionGraph;
use crate::lint::{self, Backend};
use crate::project::Project;
use crate::report::verify::{LintReport, VerifyReport};

use super::options::VerifyOptions;
use super::{Migrator, connection};

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
        let mut state = None;
        if (self.db.is_some() || self.url.is_ok())
            && let Some(read) = self.existing_state()?
        {
            let location = self.location();
            problems.extend(verify::database(&self.project.graph, &read, &location));
            let tables = self.tables_if_incomplete()?;
            problems.extend(verify::bookkeeping(&read, tables, &location));
            if read.initialized {
                let db = connection(&mut self.db, &self.url, &self.connect_options)?;
                let progress = db.progress()?;
                let views = super::state::interrupted_views(&self.project, &progress, db);
                problems.extend(verify::progress(&views, &read, &location));
            }
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
        // A scratch database given that a failed roundtrip left filled.
        let mut scratch_filled = false;
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
                Err(error) => match verify::scratch_error(&error, "roundtrip") {
                    Some(finding) => Some(finding),
                    None => return Err(error),
                },
            };
            if let Some(mut finding) = finding {
                if let Some(url) = &options.scratch_url {
                    scratch_filled = true;
                    finding = finding.note(format!(
                        "the scratch database {} keeps what the roundtrip applied; re-create it before the next roundtrip",
                        DatabaseUrl::parse(url)?.redacted()
                    ));
                }
                problems.push(finding);
            }
        }
        if let Some(path) = options.schema_file.as_ref().filter(|_| scratch_filled) {
            problems.push(Diagnostic::warning(
                "schema-file",
                format!(
                    "{} was not checked: the scratch database keeps what the failed roundtrip applied",
                    path.display()
                ),
            ));
        } else if let Some(path) = &options.schema_file {
            let finding =
                match self.check_schema_file(path, options.scratch_url.as_deref(), &mut problems) {
                    Ok((None, location)) => {
                        summary.push(format!(
                            "{} is the schema of the folder applied to {location}",
                            path.display()
                        ));
                        None
                    }
                    Ok((Some(finding), _)) => Some(finding),
                    Err(error) => match verify::scratch_error(&error, "schema-file") {
                        Some(finding) => Some(finding),
                        None => return Err(error),
                    },
                };
            if let Some(mut finding) = finding {
                if let Some(url) = &options.scratch_url {
                    finding = finding.note(format!(
                        "the scratch database {} keeps what was applied to it; re-create it before the next check",
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
    /// are not applied, else all; by the rules of the database's backend.
    fn lint(
        &self,
        since: Option<&str>,
        state: Option<&DatabaseState>,
    ) -> Result<(LintReport, Vec<Diagnostic>), Error> {
        // The location is the URL (or the open database's), password
        // hidden: its scheme names the backend.
        let location = self.location();
        let scheme = crate::db::url::scheme(&location).unwrap_or_default();
        let Some(backend) = Backend::for_scheme(&scheme) else {
            return Err(Error::refused(
                format!("verify --lint has rules for PostgreSQL and SQLite, not for {location}"),
                "leave --lint out (and `lint = true` out of migrator.toml) for this database"
                    .to_owned(),
            ));
        };
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
                // What the next upgrade would run: a squash it records
                // without running is left out, a repeatable it runs again
                // is in.
                let recorded = crate::engine::kinds::recorded(&state.applied);
                let stale = crate::engine::kinds::stale(&state.comparison);
                let mut is_pending = vec![false; graph.len()];
                for &i in &state.comparison.pending {
                    is_pending[i] = true;
                }
                let pending = (0..graph.len())
                    .filter(|&i| {
                        let revision = graph.at(i);
                        if recorded.contains(revision.id.as_str()) {
                            return stale.contains(&revision.id.as_str());
                        }
                        let adopted = revision.is_squash()
                            && crate::graph::squash::state(graph, i, &recorded).adopts();
                        !adopted && is_pending[i]
                    })
                    .collect();
                ("pending", pending)
            }
            (None, None) => ("all", (0..graph.len()).collect()),
        };
        // Revisions with placeholders are read with them replaced (by
        // their names when they have no value), so that their SQL parses.
        let placeholders = &self.run_options.placeholders;
        let substituted = graph
            .revisions()
            .iter()
            .any(|revision| placeholders.apply_to(revision))
            .then(|| {
                let revisions = graph.revisions().iter();
                RevisionGraph::new(
                    revisions
                        .map(|r| placeholders.revision_for_lint(r).into_owned())
                        .collect(),
                )
                .expect("the same revisions link into the same graph")
            });
        let linted = lint::lint(
            substituted.as_ref().unwrap_or(graph),
            &revisions,
            backend,
            self.run_options.revision_timeouts.lock,
        );
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

    /// Runs the roundtrip on a scratch database ([`Migrator::on_scratch`]).
    fn roundtrip(
        &self,
        scratch_url: Option<&str>,
        problems: &mut Vec<Diagnostic>,
    ) -> Result<(Outcome, String), Error> {
        let run_options = self.scratch_run_options();
        let operator = crate::record::operator::current(Some("verify --roundtrip".into()));
        let project: &Project = &self.project;
        self.on_scratch(scratch_url, "roundtrip", problems, |db| {
            roundtrip::run(project, db, &run_options, &operator, &mut Silent)
        })
    }

    /// Compares the committed schema dump at `path` with the dump of a
    /// scratch database ([`Migrator::on_scratch`]) that the whole folder
    /// was applied to: a finding when they differ, and where it ran.
    fn check_schema_file(
        &self,
        path: &Path,
        scratch_url: Option<&str>,
        problems: &mut Vec<Diagnostic>,
    ) -> Result<(Option<Diagnostic>, String), Error> {
        let committed = match std::fs::read_to_string(path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(path, e)),
        };
        let run_options = self.scratch_run_options();
        let operator = crate::record::operator::current(Some("verify --schema-file".into()));
        let project: &Project = &self.project;
        let (expected, location) = self.on_scratch(scratch_url, "schema-file", problems, |db| {
            schema_file::dump_of_folder(project, db, &run_options, &operator, &mut Silent)
        })?;
        Ok((
            verify::schema_file(path, committed.as_deref(), &expected),
            location,
        ))
    }

    fn scratch_run_options(&self) -> RunOptions {
        RunOptions {
            allow_drift: false,
            lock_timeout: self.run_options.lock_timeout,
            revision_timeouts: self.run_options.revision_timeouts,
            lock: self.run_options.lock,
            placeholders: self.run_options.placeholders.clone(),
        }
    }

    /// Runs `check` on the scratch database: the one given, or one the
    /// backend makes beside the database migrated and removes afterwards (a
    /// failure to remove it is a warning of `kind` in `problems`). Returns
    /// where it ran, too.
    fn on_scratch<T>(
        &self,
        scratch_url: Option<&str>,
        kind: &'static str,
        problems: &mut Vec<Diagnostic>,
        check: impl FnOnce(&mut dyn Database) -> Result<T, Error>,
    ) -> Result<(T, String), Error> {
        if let Some(url) = scratch_url {
            let mut db = DatabaseUrl::parse(url)?.open(&self.connect_options)?;
            let location = db.location().to_string();
            return Ok((check(db.as_mut())?, location));
        }
        let mut scratch = self.url.clone()?.scratch(&self.connect_options)?;
        let location = scratch.database().location().to_string();
        let outcome = check(scratch.database());
        if let Err(error) = scratch.remove() {
            problems.push(
                Diagnostic::warning(kind, error.to_string())
                    .hint(format!("remove {location} by hand")),
            );
        }
        Ok((outcome?, format!("{location} (made for it, then removed)")))
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
