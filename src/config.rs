//! Settings: command-line options over `migrator.toml` (the environment in
//! use over `DATABASE_URL` over the top level) over the defaults.
//!
//! The pure parts have modules of their own: `${VAR}` expansion
//! ([`expand`]), the `.env` file ([`dotenv`]), and which keys are in
//! effect for an environment ([`layers`]).

pub mod dotenv;
pub mod expand;
pub mod layers;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::db::LockStrategy;
pub use crate::duration::{MAX_DURATION, parse_duration};
use crate::error::Error;
use crate::source::placeholder::{self, Placeholders};

/// The file looked for in the working directory and its parents.
pub const FILE_NAME: &str = "migrator.toml";
pub const DEFAULT_DIR: &str = "versions";
/// The database when neither an option, `DATABASE_URL` nor the file names one.
pub const DEFAULT_DATABASE_URL: &str = crate::db::DEFAULT_URL;

/// The `.env` file read beside `migrator.toml`.
pub const DOTENV_FILE: &str = ".env";
/// The environment variable that chooses an environment when `--env` does not.
pub const ENV_VARIABLE: &str = "MIGRATOR_ENV";
/// How many targets of a fleet run at once when neither `--jobs` nor
/// `jobs` says: a few connections, well under any server's limit.
pub const DEFAULT_JOBS: usize = 4;

/// What `migrator.toml` may hold; each key is overridden by its option.
/// An `[env.NAME]` section holds the same keys, over the top level's.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub schema: Option<String>,
    /// The wait for migrator's own run lock.
    pub lock_timeout: Option<String>,
    /// How runs are kept apart: `session`, `table` or `none`.
    pub lock: Option<LockStrategy>,
    /// `verify` lints as with `--lint`.
    pub lint: Option<bool>,
    /// A fleet: these database URLs (`database_urls` is accepted too).
    #[serde(alias = "database_urls")]
    pub targets: Option<Vec<String>>,
    /// A fleet: the URLs in this file, one a line, `#` comments.
    pub targets_file: Option<PathBuf>,
    /// A fleet: these schemas (tenants) on `database_url`'s server.
    pub schemas: Option<Vec<String>>,
    /// A fleet: what this query returns on `database_url`, schema names
    /// or URLs (first column).
    pub targets_query: Option<String>,
    /// How many targets of a fleet run at once (`--jobs`).
    pub jobs: Option<usize>,
    /// The database's own lock timeout for revisions whose header has no
    /// `Lock-Timeout`.
    pub revision_lock_timeout: Option<String>,
    /// The database's own statement timeout for revisions whose header has
    /// no `Statement-Timeout`.
    pub revision_statement_timeout: Option<String>,
    /// Where `upgrade`, `downgrade`, `stamp` and `dump` write the schema
    /// dump, and what `verify --schema-file` checks; never written over a
    /// fleet.
    pub schema_file: Option<PathBuf>,
    /// The environments, `[env.NAME]`: only the one in use counts.
    #[serde(default)]
    pub env: BTreeMap<String, FileConfig>,
    /// The folder that holds the file (empty: the working directory), not
    /// a key: relative `sqlite:` targets of a fleet are relative to it.
    #[serde(skip)]
    pub folder: PathBuf,
    /// Every revision without `-- Placeholders: off` substitutes `${NAME}`.
    pub substitute_placeholders: Option<bool>,
    /// The `[placeholders]` table: `NAME = "value"`.
    pub placeholders: Option<BTreeMap<String, String>>,
}

impl FileConfig {
    /// The config with its relative paths taken from `base`.
    fn relative_to(mut self, base: &Path) -> FileConfig {
        if base.as_os_str().is_empty() {
            return self;
        }
        // The folder of the file is the project's: the defaults are there too.
        let dir = self.dir.unwrap_or_else(|| PathBuf::from(DEFAULT_DIR));
        self.dir = Some(base.join(dir));
        let url = self
            .database_url
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        self.database_url = Some(sqlite_relative_to(&url, base));
        self.schema_file = self.schema_file.map(|path| base.join(path));
        self.targets_file = self.targets_file.map(|path| base.join(path));
        // A fleet's URLs keep their text, which names them (and decides
        // their shard) wherever the command runs; the fleet reads their
        // files from `folder`.
        self.folder = base.to_path_buf();
        self
    }

    /// Parses the text of a `migrator.toml`: every key of the top level
    /// and of every environment is checked (unknown keys, types), none is
    /// expanded.
    pub fn parse(text: &str) -> Result<FileConfig, String> {
        let file: FileConfig = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            let message = e.message().to_string();
            match line {
                Some(line) => format!("line {line}: {message}"),
                None => message,
            }
        })?;
        if let Some((name, _)) = file.env.iter().find(|(_, env)| !env.env.is_empty()) {
            return Err(format!(
                "[env.{name}] holds environments of its own; environments do not nest"
            ));
        }
        Ok(file)
    }
}

/// A `migrator.toml` found and read, with the `.env` file beside it.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// Its path as messages show it: relative when it is in the working
    /// directory.
    pub shown: PathBuf,
    /// The folder its relative paths are relative to; empty for the
    /// working directory.
    base: PathBuf,
    /// Its keys, checked but not expanded.
    checked: FileConfig,
    table: toml::Table,
    /// The variables of the `.env` beside it, in file order.
    dotenv: Vec<(String, String)>,
}

impl ConfigFile {
    /// Finds `migrator.toml` in `start` or the nearest of its parents, the
    /// way Cargo finds `Cargo.toml`, and reads it with the `.env` beside
    /// it; `None` when there is none. A malformed one is an error naming
    /// the file and line. Relative paths in it (`dir`, `schema_file`,
    /// `targets_file`, `sqlite:` files), and the defaults of those it
    /// leaves out, are relative to its folder, so a command gives the
    /// same answer from any subfolder.
    pub fn find(start: &Path) -> Result<Option<ConfigFile>, Error> {
        let start = if start.as_os_str().is_empty() {
            Path::new(".")
        } else {
            start
        };
        let absolute = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
        for folder in absolute.ancestors() {
            let path = folder.join(FILE_NAME);
            if path.is_file() {
                // Shown relative to where the user stands when it is here.
                let (shown, base) = if folder == absolute {
                    (PathBuf::from(FILE_NAME), PathBuf::new())
                } else {
                    (path.clone(), folder.to_path_buf())
                };
                return ConfigFile::read(&path, shown, base).map(Some);
            }
        }
        Ok(None)
    }

    /// Reads the file `--config` names; its folder is the base of its
    /// relative paths. A file that is not there is bad usage.
    pub fn open(path: &Path) -> Result<ConfigFile, Error> {
        if !path.is_file() {
            return Err(Error::Usage {
                message: format!("--config {}: no such file", path.display()),
                hint: Some(format!(
                    "name a {FILE_NAME}, or leave --config out to use the one in this folder or a parent"
                )),
            });
        }
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        ConfigFile::read(path, path.to_path_buf(), base)
    }

    fn read(path: &Path, shown: PathBuf, base: PathBuf) -> Result<ConfigFile, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(&shown, e))?;
        let config_error = |message| Error::Config {
            path: shown.clone(),
            message,
        };
        let checked = FileConfig::parse(&text).map_err(config_error)?;
        let table: toml::Table = toml::from_str(&text).map_err(|e| config_error(e.to_string()))?;
        let dotenv_path = path.with_file_name(DOTENV_FILE);
        let dotenv = match std::fs::read_to_string(&dotenv_path) {
            Ok(text) => dotenv::parse(&text).map_err(|(line, message)| Error::Config {
                path: shown.with_file_name(DOTENV_FILE),
                message: format!("line {line}: {message}"),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(Error::io(shown.with_file_name(DOTENV_FILE), e)),
        };
        Ok(ConfigFile {
            shown,
            base,
            checked,
            table,
            dotenv,
        })
    }

    /// The names of its environments, in order.
    pub fn environments(&self) -> Vec<&str> {
        self.checked.env.keys().map(String::as_str).collect()
    }

    /// The variables of the `.env` beside it.
    pub fn dotenv(&self) -> &[(String, String)] {
        &self.dotenv
    }

    /// The keys in effect for environment `env` (none: the top level
    /// alone), with `${VAR}` expanded from `variables` in them and in
    /// nothing else, and relative paths made relative to the file's folder.
    /// An environment the file does not have, or a variable that is not
    /// set, is bad usage naming it.
    pub fn settings_for(
        &self,
        env: Option<&str>,
        variables: &Variables,
    ) -> Result<FileConfig, Error> {
        let section = match env {
            None => None,
            Some(name) => Some(self.section(name)?),
        };
        let url_variable = variables.get("DATABASE_URL");
        let mut merged = layers::effective(&self.table, url_variable.as_deref(), section);
        let lookup = |name: &str| variables.get(name);
        for (key, value) in merged.iter_mut() {
            expand::expand_value(key, value, &lookup).map_err(|(key, error)| {
                let from_section = section.is_some_and(|s| s.contains_key(key_root(&key)));
                let place = match env {
                    Some(name) if from_section => format!("[env.{name}] {key}"),
                    _ => key.clone(),
                };
                self.expand_error(&place, error)
            })?;
        }
        let file: FileConfig =
            toml::Value::Table(merged)
                .try_into()
                .map_err(|e: toml::de::Error| Error::Config {
                    path: self.shown.clone(),
                    message: e.message().to_string(),
                })?;
        Ok(file.relative_to(&self.base))
    }

    fn section(&self, name: &str) -> Result<&toml::Table, Error> {
        let section = self
            .table
            .get(layers::ENV_KEY)
            .and_then(|envs| envs.get(name))
            .and_then(toml::Value::as_table);
        section.ok_or_else(|| {
            let known = self.environments();
            Error::Usage {
                message: format!("{} has no environment `{name}`", self.shown.display()),
                hint: Some(if known.is_empty() {
                    format!(
                        "add a section [env.{name}] to {}, or leave --env and {ENV_VARIABLE} out",
                        self.shown.display()
                    )
                } else {
                    format!(
                        "its environments: {}{}",
                        known.join(", "),
                        crate::suggest::closest(name, known.iter().copied(), &[])
                            .map(|s| format!(" (did you mean `{s}`?)"))
                            .unwrap_or_default()
                    )
                }),
            }
        })
    }

    fn expand_error(&self, place: &str, error: expand::ExpandError) -> Error {
        let file = self.shown.display();
        match error {
            expand::ExpandError::Unset { variable } => Error::Usage {
                message: format!("{file}: {place}: the environment variable {variable} is not set"),
                hint: Some(format!(
                    "export {variable}, put {variable}=... in {DOTENV_FILE} beside {FILE_NAME}, \
                     or write ${{{variable}:-default}}"
                )),
            },
            expand::ExpandError::Malformed { reason } => Error::Usage {
                message: format!("{file}: {place}: {reason}"),
                hint: Some("write ${NAME}, ${NAME:-default}, or $${ for a literal ${".into()),
            },
        }
    }
}

/// `migrator.toml` as a command finds it: the keys in effect for the
/// environment asked for, and the variables they were expanded from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub file: FileConfig,
    /// The environment in use: `--env`, else `MIGRATOR_ENV` (from the
    /// process, else `.env`).
    pub environment: Option<String>,
    pub variables: Variables,
}

impl Loaded {
    /// Reads the file `config` names (`--config`), else the one found from
    /// `start`, and the `.env` beside it; lays the environment asked for
    /// (`environment`, else `MIGRATOR_ENV`) over its top level. Without a
    /// file, only `DATABASE_URL` says anything; an environment asked for
    /// without a file is bad usage.
    pub fn load(
        config: Option<&Path>,
        start: &Path,
        environment: Option<String>,
    ) -> Result<Loaded, Error> {
        let found = match config {
            Some(path) => Some(ConfigFile::open(path)?),
            None => ConfigFile::find(start)?,
        };
        let variables = Variables::new(found.as_ref().map_or(&[][..], ConfigFile::dotenv));
        let environment = environment
            .or_else(|| variables.get(ENV_VARIABLE))
            .filter(|name| !name.is_empty());
        let file = match (&found, &environment) {
            (Some(found), environment) => found.settings_for(environment.as_deref(), &variables)?,
            (None, Some(name)) => {
                return Err(Error::Usage {
                    message: format!(
                        "environment `{name}` asked for, but there is no {FILE_NAME} here or in a parent folder"
                    ),
                    hint: Some(format!(
                        "run from the project, pass --config PATH, or unset {ENV_VARIABLE}"
                    )),
                });
            }
            (None, None) => FileConfig {
                database_url: variables.get("DATABASE_URL").filter(|url| !url.is_empty()),
                ..FileConfig::default()
            },
        };
        Ok(Loaded {
            file,
            environment,
            variables,
        })
    }
}

/// `targets` of `targets[2]`, `placeholders` of `placeholders.name`.
fn key_root(key: &str) -> &str {
    key.split(['[', '.']).next().unwrap_or(key)
}

/// The variables `${VAR}` reads: the process environment, then the `.env`
/// file (which never overrides the real environment).
#[derive(Debug, Clone, Default)]
pub struct Variables {
    dotenv: HashMap<String, String>,
}

impl Variables {
    /// The process environment over these `.env` variables.
    pub fn new(dotenv: &[(String, String)]) -> Variables {
        Variables {
            dotenv: dotenv.iter().cloned().collect(),
        }
    }

    /// A variable's value; one that is set but not Unicode counts as unset.
    pub fn get(&self, name: &str) -> Option<String> {
        std::env::var(name)
            .ok()
            .or_else(|| self.dotenv.get(name).cloned())
    }
}

/// The settings a command runs with, after every source was consulted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub dir: PathBuf,
    pub database_url: String,
    pub schema: Option<String>,
    /// The wait for migrator's own run lock (`None`: for ever).
    pub lock_timeout: Option<Duration>,
    /// How runs are kept apart (`--lock`, `lock`).
    pub lock: LockStrategy,
    /// `verify` lints the SQL of the revisions still to run (`lint = true`).
    pub lint: bool,
    /// The environment in use (`--env`, `MIGRATOR_ENV`).
    pub environment: Option<String>,
    /// The databases or schemas a command runs over, when the settings
    /// name many: see [`crate::migrator::fleet`].
    pub fleet: Option<FleetSource>,
    /// How many targets of a fleet run at once.
    pub jobs: usize,
    /// The database's own timeouts for revisions whose header sets none
    /// (`revision_lock_timeout`, `revision_statement_timeout`).
    pub revision_timeouts: crate::timeout::Defaults,
    /// The schema dump's file (`schema_file`), relative to the folder of
    /// migrator.toml; never written over a fleet.
    pub schema_file: Option<PathBuf>,
    /// The folder of `migrator.toml` (empty: the working directory):
    /// relative `sqlite:` targets of a fleet are relative to it.
    pub folder: PathBuf,
    /// `[placeholders]` under the environment's `MIGRATOR_*` under `--set`.
    pub placeholders: Placeholders,
}

/// Where a fleet's targets come from: one of the four keys that make one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FleetSource {
    /// `targets = [URL, …]`.
    Urls(Vec<String>),
    /// `targets_file = PATH`: one URL a line, `#` comments.
    File(PathBuf),
    /// `schemas = [NAME, …]`: tenant schemas on `database_url`'s server.
    Schemas(Vec<String>),
    /// `targets_query = "SQL"`, run on `database_url`: its first column,
    /// schema names or URLs.
    Query(String),
}

impl FleetSource {
    /// The key that made it, for messages.
    pub fn key(&self) -> &'static str {
        match self {
            FleetSource::Urls(_) => "targets",
            FleetSource::File(_) => "targets_file",
            FleetSource::Schemas(_) => "schemas",
            FleetSource::Query(_) => "targets_query",
        }
    }

    /// Whether the targets are databases of their own, which
    /// `--database-url` replaces by one, rather than places on the server
    /// `database_url` names.
    pub fn lists_databases(&self) -> bool {
        matches!(self, FleetSource::Urls(_) | FleetSource::File(_))
    }
}

/// What the command line and the environment said.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub dir: Option<PathBuf>,
    /// `--database-url` (`DATABASE_URL` is read with the file, under the
    /// environment in use).
    pub database_url: Option<String>,
    pub schema: Option<String>,
    /// `--lock-timeout`, already parsed (a bad one is a usage error).
    pub lock_timeout: Option<Duration>,
    /// `--jobs`.
    pub jobs: Option<usize>,
    /// The environment chosen, for messages and reports.
    pub environment: Option<String>,
    /// `--lock`.
    pub lock: Option<LockStrategy>,
    /// Placeholder values from `MIGRATOR_NAME` variables
    /// ([`placeholder::from_environment`]).
    pub placeholders_from_environment: BTreeMap<String, String>,
    /// `--set NAME=VALUE`, in the order given (the last one of a name wins).
    pub placeholders_set: Vec<(String, String)>,
}

impl Settings {
    /// Fails only on bad usage: a value in the file that its option would
    /// refuse. It is checked even when the option overrides it, so a bad
    /// file shows before it is relied on.
    pub fn resolve(overrides: Overrides, file: FileConfig) -> Result<Settings, Error> {
        let mut fleet = fleet_source(&file)?;
        let file_lock_timeout = match file.lock_timeout {
            Some(text) => Some(parse_duration(&text).map_err(|message| {
                Error::Usage {
                    message: format!("{FILE_NAME}: lock_timeout: {message}"),
                    hint: Some(
                        "write a duration such as lock_timeout = \"30s\" (ms, s, m or h), \
                     or leave the key out to wait for ever"
                            .to_owned(),
                    ),
                }
            })?),
            None => None,
        };
        let lock_timeout = overrides.lock_timeout.or(file_lock_timeout);
        if overrides.database_url.is_some()
            && fleet.as_ref().is_some_and(FleetSource::lists_databases)
        {
            // `--database-url` names the one database to use.
            fleet = None;
        }
        if let (Some(FleetSource::Schemas(_)), Some(_)) =
            (&fleet, overrides.schema.as_ref().or(file.schema.as_ref()))
        {
            return Err(Error::Usage {
                message: format!("{FILE_NAME}: `schema` and `schemas` are both set"),
                hint: Some(
                    "with `schemas` each tenant schema keeps its own bookkeeping tables: leave `schema` (and --schema) out"
                        .into(),
                ),
            });
        }
        let jobs = match overrides.jobs.or(file.jobs) {
            Some(0) => {
                return Err(Error::Usage {
                    message: "jobs must be at least 1".into(),
                    hint: Some(format!(
                        "--jobs N or jobs = N runs N targets at once; default {DEFAULT_JOBS}"
                    )),
                });
            }
            Some(n) => n,
            None => DEFAULT_JOBS,
        };
        let revision_timeouts = crate::timeout::Defaults {
            lock: revision_timeout("revision_lock_timeout", file.revision_lock_timeout)?,
            statement: revision_timeout(
                "revision_statement_timeout",
                file.revision_statement_timeout,
            )?,
        };
        let mut values = file.placeholders.unwrap_or_default();
        if let Some(bad) = values.keys().find(|name| !placeholder::is_name(name)) {
            return Err(Error::Usage {
                message: format!("{FILE_NAME}: [placeholders]: `{bad}` is not a placeholder name"),
                hint: Some(
                    "a name is letters, digits and _, not starting with a digit, as in ${TENANT}"
                        .to_owned(),
                ),
            });
        }
        values.extend(overrides.placeholders_from_environment);
        values.extend(overrides.placeholders_set);
        Ok(Settings {
            environment: overrides.environment,
            fleet,
            jobs,
            folder: file.folder,
            dir: overrides
                .dir
                .or(file.dir)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DIR)),
            database_url: overrides
                .database_url
                .or(file.database_url)
                .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string()),
            schema: overrides.schema.or(file.schema),
            lock_timeout,
            lock: overrides.lock.or(file.lock).unwrap_or_default(),
            lint: file.lint.unwrap_or(false),
            revision_timeouts,
            schema_file: file.schema_file,
            placeholders: Placeholders {
                values,
                everywhere: file.substitute_placeholders.unwrap_or(false),
            },
        })
    }
}

/// The fleet the keys name, if any; two of its keys at once is bad usage.
fn fleet_source(file: &FileConfig) -> Result<Option<FleetSource>, Error> {
    let mut sources = Vec::new();
    if let Some(urls) = &file.targets {
        sources.push(FleetSource::Urls(urls.clone()));
    }
    if let Some(path) = &file.targets_file {
        sources.push(FleetSource::File(path.clone()));
    }
    if let Some(schemas) = &file.schemas {
        sources.push(FleetSource::Schemas(schemas.clone()));
    }
    if let Some(query) = &file.targets_query {
        sources.push(FleetSource::Query(query.clone()));
    }
    match sources.len() {
        0 | 1 => Ok(sources.pop()),
        _ => Err(Error::Usage {
            message: format!(
                "{FILE_NAME}: a fleet is named twice: {}",
                sources
                    .iter()
                    .map(FleetSource::key)
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            hint: Some(
                "keep one of targets, targets_file, schemas and targets_query per environment"
                    .into(),
            ),
        }),
    }
}

/// A default for the revisions' own timeouts: a duration, or `off` (the
/// same as leaving the key out).
fn revision_timeout(key: &str, text: Option<String>) -> Result<Option<Duration>, Error> {
    let Some(text) = text else {
        return Ok(None);
    };
    match crate::timeout::Setting::parse(&text) {
        Ok(crate::timeout::Setting::After(after)) => Ok(Some(after)),
        Ok(crate::timeout::Setting::Off) => Ok(None),
        Err(message) => Err(Error::Usage {
            message: format!("{FILE_NAME}: {key}: {message}"),
            hint: Some(format!(
                "write a duration such as {key} = \"5s\" (ms, s, min or h): the database's own \
                 timeout for each revision whose header sets none; not the wait for migrator's \
                 run lock, which is lock_timeout"
            )),
        }),
    }
}

/// A `sqlite:` URL whose file is relative, made relative to `base`; any
/// other URL as it is.
pub fn sqlite_relative_to(url: &str, base: &Path) -> String {
    let Some(rest) = url.strip_prefix("sqlite:") else {
        return url.to_string();
    };
    let path = rest.strip_prefix("//").unwrap_or(rest);
    if path.starts_with(':') || Path::new(path).is_absolute() {
        return url.to_string();
    }
    format!("sqlite:{}", base.join(path).display())
}

/// The commented `migrator.toml` that `init` writes.
pub fn template(dir: &Path) -> String {
    format!(
        "# migrator settings. Each is overridden by its command-line option;\n\
         # database_url also by the DATABASE_URL environment variable.\n\
         \n\
         # Where the revision files live.\n\
         dir = \"{}\"\n\
         \n\
         # The database to migrate: sqlite:PATH, sqlite::memory:, or\n\
         # postgres://user@host:5432/dbname?sslmode=require\n\
         # Prefer DATABASE_URL for anything with a password.\n\
         # database_url = \"{DEFAULT_DATABASE_URL}\"\n\
         \n\
         # PostgreSQL: the schema that holds migrator_revisions and migrator_log.\n\
         # schema = \"public\"\n\
         \n\
         # How long to wait for another migrator run to finish (default: for ever).\n\
         # This is migrator's own run lock, not the database's lock_timeout.\n\
         # lock_timeout = \"30s\"\n\
         \n\
         # The database's own timeouts for each revision whose header sets no\n\
         # `-- Lock-Timeout:` / `-- Statement-Timeout:` (default: the database's).\n\
         # revision_lock_timeout = \"5s\"\n\
         # revision_statement_timeout = \"10min\"\n\
         # How runs are kept apart: \"session\" (PostgreSQL's advisory lock, SQLite's\n\
         # lock file), \"table\" (a row in migrator_lock: through PgBouncer's\n\
         # transaction pooling, on CockroachDB) or \"none\" (your own business).\n\
         # lock = \"session\"\n\
         \n\
         # verify also lints the SQL of the revisions still to run (verify --lint).\n\
         # lint = true\n\
         \n\
         # Write the database's schema here after upgrade, downgrade and stamp,\n\
         # for reviewers to see in each pull request; verify --schema-file checks it.\n\
         # schema_file = \"schema.sql\"\n\
         \n\
         # Replace ${{NAME}} in every revision's SQL, not only in those whose header\n\
         # says `-- Placeholders: on`. Values: --set NAME=VALUE, then MIGRATOR_NAME\n\
         # in the environment, then the [placeholders] table.\n\
         # substitute_placeholders = true\n\
         # [placeholders]\n\
         # TENANT = \"acme\"\n",
        dir.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_lock_timeout_in_the_file_is_bad_usage_naming_the_key() {
        for text in ["soon", "99999999999999999999s"] {
            let file = FileConfig {
                lock_timeout: Some(text.to_owned()),
                ..FileConfig::default()
            };
            let overridden = Overrides {
                lock_timeout: Some(Duration::from_secs(1)),
                ..Overrides::default()
            };
            for overrides in [Overrides::default(), overridden] {
                match Settings::resolve(overrides, file.clone()) {
                    Err(Error::Usage { message, .. }) => {
                        let start =
                            format!("migrator.toml: lock_timeout: `{text}` is not a duration");
                        assert!(message.starts_with(&start), "{message}");
                    }
                    other => panic!("{text}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn options_win_over_the_file_and_the_file_over_defaults() {
        let file = FileConfig::parse(
            "dir = \"migrations\"\ndatabase_url = \"sqlite:file.db\"\nlock_timeout = \"10s\"\nlint = true\n",
        )
        .unwrap();
        let settings = Settings::resolve(Overrides::default(), file.clone()).unwrap();
        assert!(settings.lint);
        assert_eq!(settings.dir, PathBuf::from("migrations"));
        assert_eq!(settings.database_url, "sqlite:file.db");
        assert_eq!(settings.lock_timeout, Some(Duration::from_secs(10)));
        assert_eq!(
            settings.revision_timeouts,
            crate::timeout::Defaults::default()
        );
        let timeouts = FileConfig::parse(
            "revision_lock_timeout = \"5s\"\nrevision_statement_timeout = \"off\"\n",
        )
        .unwrap();
        let settings = Settings::resolve(Overrides::default(), timeouts).unwrap();
        assert_eq!(
            settings.revision_timeouts,
            crate::timeout::Defaults {
                lock: Some(Duration::from_secs(5)),
                statement: None
            }
        );
        let zero = FileConfig::parse("revision_lock_timeout = \"0\"\n").unwrap();
        match Settings::resolve(Overrides::default(), zero) {
            Err(Error::Usage { message, .. }) => assert!(
                message.starts_with("migrator.toml: revision_lock_timeout: `0` is too short"),
                "{message}"
            ),
            other => panic!("{other:?}"),
        }
        let overrides = Overrides {
            database_url: Some("sqlite:cli.db".into()),
            ..Overrides::default()
        };
        assert_eq!(
            Settings::resolve(overrides, file).unwrap().database_url,
            "sqlite:cli.db"
        );
        let defaults = Settings::resolve(Overrides::default(), FileConfig::default()).unwrap();
        assert_eq!(defaults.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(defaults.dir, PathBuf::from(DEFAULT_DIR));
        assert!(!defaults.lint);
    }

    #[test]
    fn the_lock_strategy_comes_from_the_option_the_file_or_the_default() {
        let file = FileConfig::parse("lock = \"table\"\n").unwrap();
        assert_eq!(file.lock, Some(LockStrategy::Table));
        let from_file = Settings::resolve(Overrides::default(), file.clone()).unwrap();
        assert_eq!(from_file.lock, LockStrategy::Table);
        let overrides = Overrides {
            lock: Some(LockStrategy::None),
            ..Overrides::default()
        };
        assert_eq!(
            Settings::resolve(overrides, file).unwrap().lock,
            LockStrategy::None
        );
        let default = Settings::resolve(Overrides::default(), FileConfig::default()).unwrap();
        assert_eq!(default.lock, LockStrategy::Session);
        let err = FileConfig::parse("dir = \"v\"\nlock = \"advisory\"\n").unwrap_err();
        assert!(
            err.starts_with("line 2:") && err.contains("`session`, `table`, `none`"),
            "{err}"
        );
    }

    #[test]
    fn unknown_keys_name_the_line() {
        let err = FileConfig::parse("dir = \"v\"\ndatabse_url = \"x\"\n").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
        assert!(err.contains("databse_url"), "{err}");
    }

    #[test]
    fn relative_paths_of_a_parent_folders_file_follow_it() {
        let cases = [
            ("sqlite:app.db", "sqlite:/p/app.db"),
            ("sqlite://data/app.db", "sqlite:/p/data/app.db"),
            ("sqlite:/abs/app.db", "sqlite:/abs/app.db"),
            ("sqlite::memory:", "sqlite::memory:"),
            ("postgres://u@h/db", "postgres://u@h/db"),
        ];
        for (url, expected) in cases {
            assert_eq!(sqlite_relative_to(url, Path::new("/p")), expected, "{url}");
        }
        let file = FileConfig {
            dir: Some("versions".into()),
            ..FileConfig::default()
        };
        assert_eq!(
            file.relative_to(Path::new("/p")).dir,
            Some(PathBuf::from("/p/versions"))
        );
        let file = FileConfig::parse("schema_file = \"db/schema.sql\"\n").unwrap();
        assert_eq!(
            file.relative_to(Path::new("/p")).schema_file,
            Some(PathBuf::from("/p/db/schema.sql"))
        );
    }

    fn config_file(text: &str, base: &str) -> ConfigFile {
        ConfigFile {
            shown: PathBuf::from(FILE_NAME),
            base: PathBuf::from(base),
            checked: FileConfig::parse(text).unwrap(),
            table: toml::from_str(text).unwrap(),
            dotenv: Vec::new(),
        }
    }

    const ENVIRONMENTS: &str = "\
dir = \"versions\"
database_url = \"sqlite:dev.db\"
lock_timeout = \"5s\"

[env.staging]
database_url = \"postgres://app:${FLEET_TEST_PASSWORD}@staging/app\"

[env.production]
database_url = \"postgres://app:${FLEET_TEST_UNSET}@prod/app\"
lock_timeout = \"1m\"

[env.tenants]
targets = [\"sqlite:a.db\", \"sqlite:/abs/b.db\", \"sqlite:${FLEET_TEST_DIR}/c.db\"]
jobs = 8
";

    fn variables(name: &str) -> Option<String> {
        match name {
            "FLEET_TEST_PASSWORD" => Some("s3cret".into()),
            "FLEET_TEST_DIR" => Some("data".into()),
            _ => None,
        }
    }

    fn resolve(text: &str, env: Option<&str>, base: &str) -> Result<FileConfig, Error> {
        let file = config_file(text, base);
        let vars = Variables {
            dotenv: ["FLEET_TEST_PASSWORD", "FLEET_TEST_DIR"]
                .iter()
                .map(|n| (n.to_string(), variables(n).unwrap()))
                .collect(),
        };
        file.settings_for(env, &vars)
    }

    #[test]
    fn an_environment_is_chosen_and_only_it_is_expanded() {
        // (environment, database_url, lock_timeout, targets)
        type Case<'a> = (Option<&'a str>, &'a str, &'a str, Option<Vec<&'a str>>);
        let cases: [Case; 3] = [
            (None, "sqlite:dev.db", "5s", None),
            (
                Some("staging"),
                "postgres://app:s3cret@staging/app",
                "5s",
                None,
            ),
            (
                Some("tenants"),
                "sqlite:dev.db",
                "5s",
                Some(vec!["sqlite:a.db", "sqlite:/abs/b.db", "sqlite:data/c.db"]),
            ),
        ];
        for (env, url, timeout, targets) in cases {
            // production's unset variable is not read unless it is in use.
            let file = resolve(ENVIRONMENTS, env, "").unwrap_or_else(|e| panic!("{env:?}: {e}"));
            assert_eq!(file.database_url.as_deref(), Some(url), "{env:?}");
            assert_eq!(file.lock_timeout.as_deref(), Some(timeout), "{env:?}");
            let got: Option<Vec<&str>> = file
                .targets
                .as_ref()
                .map(|t| t.iter().map(String::as_str).collect());
            assert_eq!(got, targets, "{env:?}");
            assert!(file.env.is_empty());
        }
    }

    #[test]
    fn an_unset_variable_names_the_key_and_the_variable() {
        let cases = [
            (
                Some("production"),
                "migrator.toml: [env.production] database_url: the environment variable FLEET_TEST_UNSET is not set",
            ),
            (
                None,
                "migrator.toml: schema: the environment variable FLEET_TEST_UNSET is not set",
            ),
        ];
        let text = format!("schema = \"${{FLEET_TEST_UNSET}}\"\n{ENVIRONMENTS}");
        for (env, expected) in cases {
            match resolve(&text, env, "") {
                Err(Error::Usage { message, hint }) => {
                    assert_eq!(message, expected);
                    assert!(hint.unwrap().contains(".env"));
                }
                other => panic!("{env:?}: {other:?}"),
            }
        }
        match resolve(ENVIRONMENTS, Some("tenant"), "") {
            Err(Error::Usage { message, hint }) => {
                assert_eq!(message, "migrator.toml has no environment `tenant`");
                let hint = hint.unwrap();
                assert!(hint.contains("production, staging, tenants"), "{hint}");
                assert!(hint.contains("did you mean `tenants`?"), "{hint}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn relative_paths_follow_the_files_folder() {
        let text = "targets_file = \"fleet.txt\"\nschema_file = \"schema.sql\"\n[env.list]\ntargets = [\"sqlite:a.db\", \"postgres://h/db\"]\n";
        let top = resolve(text, None, "/p").unwrap();
        assert_eq!(top.targets_file, Some(PathBuf::from("/p/fleet.txt")));
        assert_eq!(top.schema_file, Some(PathBuf::from("/p/schema.sql")));
        assert_eq!(top.dir, Some(PathBuf::from("/p/versions")));
        assert_eq!(top.database_url.as_deref(), Some("sqlite:/p/migrator.db"));
        // A fleet's URLs keep the text that names them; the fleet reads
        // them from the file's folder.
        let list = resolve(text, Some("list"), "/p").unwrap();
        assert_eq!(list.targets.unwrap(), ["sqlite:a.db", "postgres://h/db"]);
        assert_eq!(list.folder, PathBuf::from("/p"));
    }

    #[test]
    fn environments_hold_every_key_and_do_not_nest() {
        let err = FileConfig::parse("[env.a]\ndatabse_url = \"x\"\n").unwrap_err();
        assert!(
            err.starts_with("line 2:") && err.contains("databse_url"),
            "{err}"
        );
        let err = FileConfig::parse("[env.a.env.b]\ndir = \"v\"\n").unwrap_err();
        assert!(err.contains("do not nest"), "{err}");
    }

    #[test]
    fn a_fleet_is_named_once() {
        let resolve_text = |text: &str, overrides: Overrides| {
            Settings::resolve(overrides, FileConfig::parse(text).unwrap())
        };
        let settings = resolve_text(
            "schemas = [\"t1\", \"t2\"]\njobs = 2\n",
            Overrides::default(),
        )
        .unwrap();
        assert_eq!(
            settings.fleet,
            Some(FleetSource::Schemas(vec!["t1".into(), "t2".into()]))
        );
        assert_eq!(settings.jobs, 2);
        let cases = [
            (
                "targets = [\"sqlite:a\"]\nschemas = [\"t\"]\n",
                "a fleet is named twice: targets and schemas",
            ),
            (
                "schemas = [\"t\"]\nschema = \"s\"\n",
                "`schema` and `schemas` are both set",
            ),
            ("jobs = 0\n", "jobs must be at least 1"),
        ];
        for (text, expected) in cases {
            match resolve_text(text, Overrides::default()) {
                Err(Error::Usage { message, .. }) => {
                    assert!(message.contains(expected), "{message}")
                }
                other => panic!("{text}: {other:?}"),
            }
        }
        // --database-url names one database of a fleet of URLs; with
        // schemas it names the server.
        let one = Overrides {
            database_url: Some("sqlite:one.db".into()),
            ..Overrides::default()
        };
        assert_eq!(
            resolve_text("targets = [\"sqlite:a\"]\n", one.clone())
                .unwrap()
                .fleet,
            None
        );
        assert!(
            resolve_text("schemas = [\"t\"]\n", one)
                .unwrap()
                .fleet
                .is_some()
        );
        assert_eq!(
            resolve_text("", Overrides::default()).unwrap().jobs,
            DEFAULT_JOBS
        );
    }

    #[test]
    fn the_template_parses() {
        let file = FileConfig::parse(&template(Path::new("versions"))).unwrap();
        assert_eq!(file.dir, Some(PathBuf::from("versions")));
        let uncommented: String = template(Path::new("v"))
            .lines()
            .map(|line| line.strip_prefix("# ").unwrap_or(line))
            .filter(|line| line.contains(" = ") || line.starts_with('['))
            .map(|line| format!("{line}\n"))
            .collect();
        let every_key = FileConfig::parse(&uncommented).unwrap();
        assert_eq!(every_key.lint, Some(true));
        assert_eq!(
            every_key.revision_statement_timeout.as_deref(),
            Some("10min")
        );
        assert_eq!(every_key.lock, Some(LockStrategy::Session));
        assert_eq!(every_key.schema_file, Some(PathBuf::from("schema.sql")));
        assert_eq!(every_key.substitute_placeholders, Some(true));
        assert_eq!(every_key.placeholders.unwrap()["TENANT"], "acme");
    }

    #[test]
    fn placeholders_come_from_set_over_the_environment_over_the_file() {
        let file = FileConfig::parse(
            "substitute_placeholders = true\n[placeholders]\nA = \"file\"\nB = \"file\"\nC = \"file\"\n",
        )
        .unwrap();
        let overrides = Overrides {
            placeholders_from_environment: [("B", "env"), ("C", "env")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .into(),
            placeholders_set: vec![("C".into(), "first".into()), ("C".into(), "set".into())],
            ..Overrides::default()
        };
        let settings = Settings::resolve(overrides, file).unwrap();
        assert!(settings.placeholders.everywhere);
        let values: Vec<(&str, &str)> = settings
            .placeholders
            .values
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(values, [("A", "file"), ("B", "env"), ("C", "set")]);

        let bad = FileConfig::parse("[placeholders]\n\"a-b\" = \"x\"\n").unwrap();
        match Settings::resolve(Overrides::default(), bad) {
            Err(Error::Usage { message, .. }) => assert!(message.contains("`a-b`"), "{message}"),
            other => panic!("{other:?}"),
        }
        let not_text = FileConfig::parse("[placeholders]\nA = 1\n").unwrap_err();
        assert!(not_text.starts_with("line 2:"), "{not_text}");
    }
}
