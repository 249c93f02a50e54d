//! Settings: command-line options over `DATABASE_URL` over `migrator.toml`
//! over the defaults.

use std::collections::BTreeMap;
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

/// What `migrator.toml` may hold; each key is overridden by its option.
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
    /// The database's own lock timeout for revisions whose header has no
    /// `Lock-Timeout`.
    pub revision_lock_timeout: Option<String>,
    /// The database's own statement timeout for revisions whose header has
    /// no `Statement-Timeout`.
    pub revision_statement_timeout: Option<String>,
    /// Where `upgrade`, `downgrade`, `stamp` and `dump` write the schema
    /// dump, and what `verify --schema-file` checks.
    pub schema_file: Option<PathBuf>,
    /// Every revision without `-- Placeholders: off` substitutes `${NAME}`.
    pub substitute_placeholders: Option<bool>,
    /// The `[placeholders]` table: `NAME = "value"`.
    pub placeholders: Option<BTreeMap<String, String>>,
}

impl FileConfig {
    /// Finds `migrator.toml` in `start` or the nearest of its parents, the
    /// way Cargo finds `Cargo.toml`, and reads it; no file is an empty
    /// config, a malformed one an error naming the file and line. Relative
    /// paths in it (`dir`, a `sqlite:` file), and the defaults of those it
    /// leaves out, are relative to its folder, so a command gives the same
    /// answer from any subfolder.
    pub fn find(start: &Path) -> Result<FileConfig, Error> {
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
                let shown = if folder == absolute {
                    PathBuf::from(FILE_NAME)
                } else {
                    path.clone()
                };
                let base = if folder == absolute {
                    PathBuf::new()
                } else {
                    folder.to_path_buf()
                };
                return FileConfig::read(&path, &shown).map(|file| file.relative_to(&base));
            }
        }
        Ok(FileConfig::default())
    }

    /// Reads one `migrator.toml`; `shown` is its path in messages.
    pub fn read(path: &Path, shown: &Path) -> Result<FileConfig, Error> {
        match std::fs::read_to_string(path) {
            Ok(text) => FileConfig::parse(&text).map_err(|message| Error::Config {
                path: shown.to_path_buf(),
                message,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileConfig::default()),
            Err(e) => Err(Error::io(shown, e)),
        }
    }

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
        self
    }

    /// Parses the text of a `migrator.toml`.
    pub fn parse(text: &str) -> Result<FileConfig, String> {
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            let message = e.message().to_string();
            match line {
                Some(line) => format!("line {line}: {message}"),
                None => message,
            }
        })
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
    /// The database's own timeouts for revisions whose header sets none
    /// (`revision_lock_timeout`, `revision_statement_timeout`).
    pub revision_timeouts: crate::timeout::Defaults,
    /// The schema dump's file (`schema_file`), relative to the folder of
    /// migrator.toml.
    pub schema_file: Option<PathBuf>,
    /// `[placeholders]` under the environment's `MIGRATOR_*` under `--set`.
    pub placeholders: Placeholders,
}

/// What the command line and the environment said.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub dir: Option<PathBuf>,
    /// `--database-url`, else `DATABASE_URL`.
    pub database_url: Option<String>,
    pub schema: Option<String>,
    /// `--lock-timeout`, already parsed (a bad one is a usage error).
    pub lock_timeout: Option<Duration>,
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
fn sqlite_relative_to(url: &str, base: &Path) -> String {
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
