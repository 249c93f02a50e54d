//! A fleet: one versions folder, many targets (databases, or tenant
//! schemas on one server), and a command run over all of them by a bounded
//! pool of workers, each target on its own connection and under its own
//! lock. A failure stays with its target; the others complete.
//!
//! The targets come from the settings ([`FleetSource`]): a list of URLs, a
//! file of URLs, a list of schemas, or a query. `--only` and `--shard`
//! narrow them ([`Selection`]). The fleet knows no backend: every target
//! is a [`DatabaseUrl`], opened by whichever backend its scheme names.
//!
//! ```no_run
//! # fn main() -> Result<(), migrator::Error> {
//! use migrator::config::FleetSource;
//! use migrator::migrator::fleet::{Fleet, FleetOptions, Selection};
//!
//! let project = migrator::Project::load("versions".as_ref())?;
//! let source = FleetSource::Urls(vec!["sqlite:a.db".into(), "sqlite:b.db".into()]);
//! let fleet = Fleet::resolve(project, &source, None, FleetOptions::default(), &Selection::default())?;
//! let report = fleet.run(|migrator, progress| migrator.upgrade_with("head", progress), &());
//! assert!(report.ok());
//! # Ok(())
//! # }
//! ```

mod select;

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::Migrator;
use crate::config::{FleetSource, sqlite_relative_to};
use crate::db::{ConnectOptions, DatabaseUrl};
use crate::diagnostic::Diagnostic;
use crate::engine::Progress;
use crate::error::Error;
use crate::project::Project;
use crate::source::revision::Revision;

pub use select::{Shard, glob_matches, targets_file_lines};

/// One database (or tenant schema) of a fleet.
#[derive(Debug, Clone)]
pub struct FleetTarget {
    /// What the target is called in output, `--only` and `--shard`: the
    /// URL with its password hidden, or the schema's name.
    pub name: String,
    url: DatabaseUrl,
    /// The schema of the bookkeeping tables (and, for a tenant, of the
    /// revisions).
    schema: Option<String>,
    tenant: bool,
}

/// How a fleet runs.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// How many targets run at once.
    pub jobs: usize,
    /// Start no new target after the first failure.
    pub fail_fast: bool,
    /// Each target's wait for its own run lock.
    pub lock_timeout: Option<Duration>,
    /// The schema of the bookkeeping tables, for a fleet of URLs.
    pub schema: Option<String>,
    /// The folder relative `sqlite:` targets are relative to: that of
    /// `migrator.toml` (empty: the working directory).
    pub folder: std::path::PathBuf,
    /// Go on although applied files changed or vanished (`--allow-drift`).
    pub allow_drift: bool,
}

impl Default for FleetOptions {
    fn default() -> FleetOptions {
        FleetOptions {
            jobs: crate::config::DEFAULT_JOBS,
            fail_fast: false,
            lock_timeout: None,
            schema: None,
            folder: std::path::PathBuf::new(),
            allow_drift: false,
        }
    }
}

/// Which targets of the fleet a run takes.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `--only`: targets whose name matches one of these globs (none: all).
    pub only: Vec<String>,
    /// `--shard K/N`.
    pub shard: Option<Shard>,
}

impl Selection {
    fn takes(&self, name: &str) -> bool {
        (self.only.is_empty() || self.only.iter().any(|p| glob_matches(p, name)))
            && self.shard.is_none_or(|shard| shard.holds(name))
    }
}

/// What every target's [`Migrator`] is given besides its database: the
/// lock strategy, placeholders, … as for one database.
pub type Setup = Box<dyn Fn(Migrator) -> Migrator + Send + Sync>;

/// A versions folder and the targets a command runs over.
pub struct Fleet {
    project: Project,
    setup: Setup,
    targets: Vec<FleetTarget>,
    /// How many targets the fleet has before `--only` and `--shard`.
    size: usize,
    options: FleetOptions,
}

impl Fleet {
    /// Lists the fleet's targets and keeps those `selection` takes. A
    /// targets file is read, a `targets_query` run on `server_url` (the
    /// `database_url` in effect), which `schemas` need too. Every URL is
    /// checked before anything connects: a bad one, or a target listed
    /// twice, is bad usage.
    pub fn resolve(
        project: Project,
        source: &FleetSource,
        server_url: Option<&str>,
        options: FleetOptions,
        selection: &Selection,
    ) -> Result<Fleet, Error> {
        let server = || -> Result<DatabaseUrl, Error> {
            let url = server_url.ok_or_else(|| Error::Usage {
                message: format!(
                    "`{}` needs database_url: the server to run it on",
                    source.key()
                ),
                hint: Some("set database_url beside it in migrator.toml".into()),
            })?;
            Ok(DatabaseUrl::parse(url)?)
        };
        let urls = |urls: Vec<String>| -> Result<Vec<FleetTarget>, Error> {
            urls.iter()
                .map(|text| {
                    // Named as written, opened from the settings' folder.
                    DatabaseUrl::parse(text)?;
                    let url = DatabaseUrl::parse(&sqlite_relative_to(text, &options.folder))?;
                    Ok(FleetTarget {
                        name: crate::db::url::redact(text.trim()),
                        url,
                        schema: options.schema.clone(),
                        tenant: false,
                    })
                })
                .collect()
        };
        let targets = match source {
            FleetSource::Urls(list) => urls(list.clone())?,
            FleetSource::File(path) => {
                let lines = read_targets_file(path)?;
                // A bad line is named by its place in the file.
                for (line, text) in &lines {
                    DatabaseUrl::parse(text).map_err(|error| Error::Usage {
                        message: format!("{}:{line}: {error}", path.display()),
                        hint: error.hint.clone(),
                    })?;
                }
                urls(lines.into_iter().map(|(_, url)| url).collect())?
            }
            FleetSource::Schemas(schemas) => {
                let server = server()?;
                schemas
                    .iter()
                    .map(|schema| FleetTarget::of_schema(&server, schema))
                    .collect::<Result<_, _>>()?
            }
            FleetSource::Query(query) => {
                let server = server()?;
                let mut db = server.open(&ConnectOptions::default())?;
                let values = db.query_targets(query)?;
                drop(db);
                let are_urls = values
                    .iter()
                    .filter(|v| crate::db::url::scheme(v).is_some())
                    .count();
                if are_urls == values.len() {
                    urls(values)?
                } else if are_urls == 0 {
                    values
                        .iter()
                        .map(|schema| FleetTarget::of_schema(&server, schema))
                        .collect::<Result<_, _>>()?
                } else {
                    return Err(Error::refused(
                        format!(
                            "targets_query on {server} returned {are_urls} URLs and {} schema names",
                            values.len() - are_urls
                        ),
                        Some("return either URLs or schema names, in the first column".into()),
                    ));
                }
            }
        };
        let mut seen = std::collections::HashSet::new();
        if let Some(twice) = targets.iter().find(|t| !seen.insert(t.name.clone())) {
            return Err(Error::Usage {
                message: format!("the fleet ({}) lists {} twice", source.key(), twice.name),
                hint: Some("list each target once: each run takes its own lock anyway".into()),
            });
        }
        let size = targets.len();
        let targets = targets
            .into_iter()
            .filter(|target| selection.takes(&target.name))
            .collect();
        Ok(Fleet {
            project,
            setup: Box::new(|migrator| migrator),
            targets,
            size,
            options,
        })
    }

    /// Gives every target's [`Migrator`] what a command gives one
    /// database's (`with_lock`, `with_placeholders`, …), before its URL
    /// and schema are set.
    pub fn with_setup(
        mut self,
        setup: impl Fn(Migrator) -> Migrator + Send + Sync + 'static,
    ) -> Fleet {
        self.setup = Box::new(setup);
        self
    }

    /// The targets a run takes, in the fleet's order.
    pub fn targets(&self) -> &[FleetTarget] {
        &self.targets
    }

    /// How many targets the fleet has before `--only` and `--shard`.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The folder, read once for every target.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// Runs `work` on every target, `jobs` at a time, each with a
    /// [`Migrator`] of its own and a progress that tells `watch` which
    /// revision it is at. A target's error is its outcome; the others go
    /// on, unless `fail_fast` stops new ones from starting.
    pub fn run<T: Send>(
        &self,
        work: impl Fn(&mut Migrator, &mut dyn Progress) -> Result<T, Error> + Sync,
        watch: &dyn FleetProgress<T>,
    ) -> FleetReport<T> {
        self.run_checked(work, &|_| true, watch)
    }

    /// [`Fleet::run`], where a target whose report `passes` rejects fails
    /// too (`verify` that found a problem, `status --check` that found
    /// something pending), its report kept.
    pub fn run_checked<T: Send>(
        &self,
        work: impl Fn(&mut Migrator, &mut dyn Progress) -> Result<T, Error> + Sync,
        passes: &(dyn Fn(&T) -> bool + Sync),
        watch: &dyn FleetProgress<T>,
    ) -> FleetReport<T> {
        let started = Instant::now();
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let outcomes: Mutex<Vec<Option<TargetOutcome<T>>>> =
            Mutex::new((0..self.targets.len()).map(|_| None).collect());
        let workers = self.options.jobs.clamp(1, self.targets.len().max(1));
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    // A tenant's connection serves the worker's next tenant
                    // on the same server: a schema switch, not a new session.
                    let mut kept: Option<Kept> = None;
                    loop {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        let index = next.fetch_add(1, Ordering::SeqCst);
                        let Some(target) = self.targets.get(index) else {
                            break;
                        };
                        watch.started(index, &target.name);
                        let outcome = self.run_one(index, target, &mut kept, &work, passes, watch);
                        if !outcome.ok && self.options.fail_fast {
                            stop.store(true, Ordering::SeqCst);
                        }
                        watch.finished(index, &outcome);
                        outcomes.lock().expect("no worker panics")[index] = Some(outcome);
                    }
                });
            }
        });
        let targets: Vec<TargetOutcome<T>> = outcomes
            .into_inner()
            .expect("no worker panics")
            .into_iter()
            .zip(&self.targets)
            .map(|(outcome, target)| outcome.unwrap_or_else(|| TargetOutcome::not_started(target)))
            .collect();
        FleetReport {
            summary: Summary::of(&targets, self.size, self.options.jobs, started.elapsed()),
            targets,
        }
    }

    fn run_one<T>(
        &self,
        index: usize,
        target: &FleetTarget,
        kept: &mut Option<Kept>,
        work: &(impl Fn(&mut Migrator, &mut dyn Progress) -> Result<T, Error> + Sync),
        passes: &(dyn Fn(&T) -> bool + Sync),
        watch: &dyn FleetProgress<T>,
    ) -> TargetOutcome<T> {
        let started = Instant::now();
        let mut migrator = (self.setup)(Migrator::new(self.project.clone()))
            .with_url(target.url.clone())
            .with_schema(target.schema.clone())
            .with_lock_timeout(self.options.lock_timeout);
        migrator.connect_options.run_in_schema = target.tenant;
        migrator.run_options.allow_drift = self.options.allow_drift;
        if let Some(database) = reuse(kept, target) {
            migrator.db = Some(database);
        }
        let mut progress = TargetProgress { watch, index };
        let result = work(&mut migrator, &mut progress);
        let elapsed_ms = started.elapsed().as_millis();
        // Only a session that ended well is worth keeping.
        if target.tenant
            && result.is_ok()
            && let Some(database) = migrator.db.take()
        {
            *kept = Some(Kept {
                url: target.url.clone(),
                database,
            });
        }
        match result {
            Ok(report) => TargetOutcome {
                target: target.name.clone(),
                ok: passes(&report),
                started: true,
                elapsed_ms,
                report: Some(report),
                error: None,
            },
            Err(error) => TargetOutcome {
                target: target.name.clone(),
                ok: false,
                started: true,
                elapsed_ms,
                report: None,
                error: Some(error.diagnostic()),
            },
        }
    }
}

/// A worker's open connection, kept for its next tenant.
struct Kept {
    url: DatabaseUrl,
    database: Box<dyn crate::db::Database>,
}

/// The kept connection, switched to `target`'s schema, when it is on the
/// same server and the backend can switch; otherwise it is closed.
fn reuse(kept: &mut Option<Kept>, target: &FleetTarget) -> Option<Box<dyn crate::db::Database>> {
    let Kept { url, mut database } = kept.take()?;
    let schema = target.schema.as_deref()?;
    if !target.tenant || url != target.url {
        return None;
    }
    match database.switch_schema(schema) {
        Ok(true) => Some(database),
        _ => None,
    }
}

impl FleetTarget {
    fn of_schema(server: &DatabaseUrl, schema: &str) -> Result<FleetTarget, Error> {
        if !server.backend().runs_in_schemas() {
            return Err(Error::Usage {
                message: format!(
                    "a fleet of schemas needs a server with schemas, and {} ({}) runs no revisions in one",
                    server.redacted(),
                    server.backend().name()
                ),
                hint: Some("list the databases in `targets` instead".into()),
            });
        }
        Ok(FleetTarget {
            name: schema.to_owned(),
            url: server.clone(),
            schema: Some(schema.to_owned()),
            tenant: true,
        })
    }

    /// The URL of the target's database, password hidden.
    pub fn location(&self) -> String {
        self.url.redacted()
    }
}

/// The URLs of a targets file, with their line numbers.
fn read_targets_file(path: &Path) -> Result<Vec<(usize, String)>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    Ok(targets_file_lines(&text))
}

/// What a fleet run tells as it goes, from its workers' threads: which
/// target starts, which revision it is at, when it waits, how it ended.
pub trait FleetProgress<T>: Sync {
    fn started(&self, _index: usize, _target: &str) {}
    /// Target `index` starts a revision.
    fn step(&self, _index: usize, _revision: &str, _number: usize, _total: usize) {}
    /// Target `index` waits for another run's lock.
    fn waiting_for_lock(&self, _index: usize, _holder: Option<&str>) {}
    fn finished(&self, _index: usize, _outcome: &TargetOutcome<T>) {}
}

/// Hears nothing.
impl<T> FleetProgress<T> for () {}

/// A target's engine progress, passed on to the fleet's.
struct TargetProgress<'a, T> {
    watch: &'a dyn FleetProgress<T>,
    index: usize,
}

impl<T> Progress for TargetProgress<'_, T> {
    fn waiting_for_lock(&mut self, holder: Option<&str>, _timeout: Option<Duration>) {
        self.watch.waiting_for_lock(self.index, holder);
    }

    fn step_started(
        &mut self,
        revision: &Revision,
        _direction: crate::record::Direction,
        number: usize,
        total: usize,
    ) {
        self.watch.step(self.index, &revision.id, number, total);
    }
}

/// How one target fared.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TargetOutcome<T> {
    /// The URL (password hidden) or the schema.
    pub target: String,
    pub ok: bool,
    /// False when `--fail-fast` stopped the fleet before this target.
    pub started: bool,
    pub elapsed_ms: u128,
    /// What the command returned for this target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<T>,
    /// Why it failed, as every error of migrator is said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Diagnostic>,
}

impl<T> TargetOutcome<T> {
    fn not_started(target: &FleetTarget) -> TargetOutcome<T> {
        TargetOutcome {
            target: target.name.clone(),
            ok: false,
            started: false,
            elapsed_ms: 0,
            report: None,
            error: Some(
                Diagnostic::error(
                    "fleet",
                    "not started: --fail-fast stopped the fleet at the first failure",
                )
                .hint("run the command again (without --fail-fast) to do the rest"),
            ),
        }
    }
}

/// What a command did over a fleet: every target's outcome, in the
/// fleet's order, and the counts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FleetReport<T> {
    pub targets: Vec<TargetOutcome<T>>,
    pub summary: Summary,
}

impl<T> FleetReport<T> {
    /// Whether every target succeeded.
    pub fn ok(&self) -> bool {
        self.targets.iter().all(|t| t.ok)
    }
}

/// The counts of a fleet run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    /// The targets this run took (after `--only` and `--shard`).
    pub targets: usize,
    /// The fleet's size before `--only` and `--shard`.
    pub fleet: usize,
    pub ok: usize,
    pub failed: usize,
    pub not_started: usize,
    pub jobs: usize,
    pub elapsed_ms: u128,
}

impl Summary {
    fn of<T>(
        targets: &[TargetOutcome<T>],
        fleet: usize,
        jobs: usize,
        elapsed: Duration,
    ) -> Summary {
        let ok = targets.iter().filter(|t| t.ok).count();
        let not_started = targets.iter().filter(|t| !t.started).count();
        Summary {
            targets: targets.len(),
            fleet,
            ok,
            failed: targets.len() - ok - not_started,
            not_started,
            jobs,
            elapsed_ms: elapsed.as_millis(),
        }
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use super::*;

    /// A folder of two revisions and `count` SQLite files, `broken` of
    /// which already has the first revision's table.
    fn setup(count: usize, broken: &[usize]) -> (tempfile::TempDir, Project, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let versions = dir.path().join("versions");
        std::fs::create_dir_all(&versions).unwrap();
        for (id, parents, sql) in [
            ("0001_a", "", "CREATE TABLE a (id integer);"),
            ("0002_b", "0001_a", "CREATE TABLE b (id integer);"),
        ] {
            std::fs::write(
                versions.join(format!("{id}.up.sql")),
                format!("-- Parents: {parents}\n\n{sql}\n"),
            )
            .unwrap();
            std::fs::write(versions.join(format!("{id}.down.sql")), "").unwrap();
        }
        let urls: Vec<String> = (0..count)
            .map(|i| format!("sqlite:{}", dir.path().join(format!("t{i}.db")).display()))
            .collect();
        for &i in broken {
            let path = dir.path().join(format!("t{i}.db"));
            rusqlite::Connection::open(path)
                .unwrap()
                .execute_batch("CREATE TABLE a (x)")
                .unwrap();
        }
        let project = Project::load(&versions).unwrap();
        (dir, project, urls)
    }

    fn fleet(
        project: Project,
        urls: &[String],
        options: FleetOptions,
        selection: &Selection,
    ) -> Result<Fleet, Error> {
        Fleet::resolve(
            project,
            &FleetSource::Urls(urls.to_vec()),
            None,
            options,
            selection,
        )
    }

    #[test]
    fn every_target_runs_once_and_a_failure_stays_with_its_target() {
        let (_dir, project, urls) = setup(12, &[3, 8]);
        let options = FleetOptions {
            jobs: 3,
            ..FleetOptions::default()
        };
        let fleet = fleet(project, &urls, options, &Selection::default()).unwrap();
        let report = fleet.run(|m, p| m.upgrade_with("head", p), &());
        assert_eq!(report.targets.len(), 12);
        let failed: Vec<usize> = (0..12).filter(|&i| !report.targets[i].ok).collect();
        assert_eq!(failed, [3, 8]);
        assert!(report.targets.iter().all(|t| t.started));
        assert_eq!(
            report.targets[3]
                .error
                .as_ref()
                .unwrap()
                .revision
                .as_deref(),
            Some("0001_a")
        );
        assert_eq!(
            (
                report.summary.ok,
                report.summary.failed,
                report.summary.not_started
            ),
            (10, 2, 0)
        );
        // In the fleet's order, whatever order they ended in.
        let names: Vec<&str> = report.targets.iter().map(|t| t.target.as_str()).collect();
        assert_eq!(names, urls.iter().map(String::as_str).collect::<Vec<_>>());
        let again = fleet.run(|m, p| m.upgrade_with("head", p), &());
        let steps: usize = again
            .targets
            .iter()
            .filter_map(|t| t.report.as_ref())
            .map(|r| r.steps.len())
            .sum();
        assert_eq!(steps, 0, "a re-run has nothing left but the broken ones");
    }

    #[test]
    fn fail_fast_starts_nothing_after_a_failure() {
        let (_dir, project, urls) = setup(5, &[0]);
        let options = FleetOptions {
            jobs: 1,
            fail_fast: true,
            ..FleetOptions::default()
        };
        let report = fleet(project, &urls, options, &Selection::default())
            .unwrap()
            .run(|m, p| m.upgrade_with("head", p), &());
        let started: Vec<bool> = report.targets.iter().map(|t| t.started).collect();
        assert_eq!(started, [true, false, false, false, false]);
        assert_eq!(report.summary.not_started, 4);
        assert!(!report.ok());
    }

    #[test]
    fn selection_duplicates_and_bad_urls() {
        let (_dir, project, urls) = setup(8, &[]);
        let only = Selection {
            only: vec!["*t1.db".into(), "*t2.db".into()],
            shard: None,
        };
        let chosen = fleet(project.clone(), &urls, FleetOptions::default(), &only).unwrap();
        assert_eq!(chosen.targets().len(), 2);
        assert_eq!(chosen.size(), 8);
        let twice = [urls[0].clone(), urls[0].clone()];
        match fleet(
            project.clone(),
            &twice,
            FleetOptions::default(),
            &Selection::default(),
        ) {
            Err(Error::Usage { message, .. }) => assert!(message.contains("twice"), "{message}"),
            other => panic!("{:?}", other.map(|f| f.size())),
        }
        let bad = ["sqlite:ok.db".to_owned(), "mysq://nope".to_owned()];
        let error = fleet(
            project,
            &bad,
            FleetOptions::default(),
            &Selection::default(),
        )
        .err()
        .unwrap();
        assert!(error.is_usage(), "{error}");
    }
}
