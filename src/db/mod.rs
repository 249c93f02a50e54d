//! The database boundary and its backends. The engine sees a
//! [`Database`]; which backend serves a URL is decided here, by its scheme,
//! from the registry of the backends this build compiles in.
//!
//! A backend is one folder of this module behind [`Backend`] and
//! [`Database`], its `mod` line and its line in [`REGISTRY`]. Nothing
//! outside `db/` names one.

mod backend;
mod database;
pub mod dump;
pub mod foreign;
pub mod lock_row;
pub mod run_lock;
#[cfg(any(feature = "postgres", feature = "mysql"))]
mod runtime;
pub mod schema;
pub mod url;
pub mod wait;

#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::fmt;

pub use backend::{Backend, Registration};
pub use database::{
    ConnectOptions, ConnectWait, ConnectWaitNotice, Database, DbError, Fault, LockTable,
    LockWaitNotice, Scratch, SqlFailure, Step,
};
pub use run_lock::LockStrategy;
pub use url::UrlError;

/// The database a migrator uses when nothing names one: a SQLite file in
/// the working directory.
pub const DEFAULT_URL: &str = "sqlite:migrator.db";

/// A registry entry: the backend in `$module` when cargo feature
/// `$feature` is on, else only its feature and schemes.
macro_rules! registration {
    ($feature:literal, $module:ident, [$($scheme:literal),+ $(,)?]) => {
        Registration {
            feature: $feature,
            schemes: &[$($scheme),+],
            backend: {
                #[cfg(feature = $feature)]
                let backend: Option<&'static dyn Backend> = Some(&$module::BACKEND);
                #[cfg(not(feature = $feature))]
                let backend: Option<&'static dyn Backend> = None;
                backend
            },
        }
    };
}

/// Every backend migrator has, compiled in or not, with the URL schemes it
/// answers to.
pub static REGISTRY: &[Registration] = &[
    registration!("sqlite", sqlite, ["sqlite"]),
    registration!("postgres", postgres, ["postgres", "postgresql"]),
    registration!("mysql", mysql, ["mysql", "mariadb"]),
];

/// The backends this build speaks.
pub fn backends() -> impl Iterator<Item = &'static dyn Backend> {
    REGISTRY.iter().filter_map(|entry| entry.backend)
}

/// A database URL read and checked by the backend its scheme names. It
/// keeps the text as given, for the backend; printing it (`Display`,
/// `Debug`, [`DatabaseUrl::redacted`]) never shows a password.
#[derive(Clone)]
pub struct DatabaseUrl {
    backend: &'static dyn Backend,
    text: String,
}

impl DatabaseUrl {
    /// Reads a URL: its scheme picks the backend, which reads the rest as
    /// it will when opening, so that a URL that cannot work is refused now.
    pub fn parse(text: &str) -> Result<DatabaseUrl, UrlError> {
        DatabaseUrl::parse_in(REGISTRY, text)
    }

    fn parse_in(registry: &[Registration], text: &str) -> Result<DatabaseUrl, UrlError> {
        let text = text.trim();
        let compiled = || registry.iter().filter_map(|entry| entry.backend);
        let entry = url::scheme(text)
            .and_then(|scheme| registry.iter().find(|e| e.schemes.contains(&&*scheme)));
        let Some(entry) = entry else {
            let forms = compiled().flat_map(|backend| backend.forms().iter().copied());
            let reason = compiled()
                .find_map(|backend| backend.misread(text))
                .unwrap_or_else(|| format!("expected {}", or_list(forms)));
            return Err(UrlError {
                url: url::redact(text),
                reason,
                hint: Some(examples(registry)),
            });
        };
        let Some(backend) = entry.backend else {
            return Err(UrlError {
                url: url::redact(text),
                reason: format!(
                    "this build of migrator leaves out the cargo feature `{}`, which reads these URLs",
                    entry.feature
                ),
                hint: Some(format!(
                    "build migrator with `--features {}` (the default features include it)",
                    entry.feature
                )),
            });
        };
        backend.check(text).map_err(|reason| UrlError {
            // Where the user information of a URL the backend could not
            // read ends is anyone's guess: hide everything up to its last `@`.
            url: url::redact_unreadable(text),
            reason,
            hint: backend.help().map(String::from),
        })?;
        Ok(DatabaseUrl {
            backend,
            text: text.to_string(),
        })
    }

    /// The backend that reads this URL.
    pub fn backend(&self) -> &'static dyn Backend {
        self.backend
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        url::redact(&self.text)
    }

    /// Opens the database. Creates nothing: a database that does not exist
    /// yet reads as empty until the first write.
    ///
    /// With `options.wait`, connects again while the server is not up yet
    /// (see [`wait::connecting`]).
    pub fn open(&self, options: &ConnectOptions) -> Result<Box<dyn Database>, DbError> {
        wait::connecting(options, || self.backend.open(&self.text, options))
    }

    /// A new, empty database of the same backend beside this one, removed
    /// afterwards: what `verify --roundtrip` runs on.
    pub fn scratch(&self, options: &ConnectOptions) -> Result<Scratch, DbError> {
        wait::connecting(options, || self.backend.scratch(&self.text, options))
    }
}

impl PartialEq for DatabaseUrl {
    fn eq(&self, other: &DatabaseUrl) -> bool {
        self.text == other.text && self.backend.name() == other.backend.name()
    }
}

impl Eq for DatabaseUrl {}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DatabaseUrl({}: {})",
            self.backend.name(),
            self.redacted()
        )
    }
}

/// Opens the database a URL names: [`DatabaseUrl::open`].
pub fn connect(url: &DatabaseUrl, options: &ConnectOptions) -> Result<Box<dyn Database>, DbError> {
    url.open(options)
}

/// `a, b or c`.
fn or_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<&str> = items.collect();
    match items.split_last() {
        None => "a database URL, but this build of migrator has no backend".into(),
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// The hint for a URL no backend of the registry takes.
fn examples(registry: &[Registration]) -> String {
    let examples: Vec<&str> = registry
        .iter()
        .filter_map(|entry| Some(entry.backend?.example()))
        .collect();
    if examples.is_empty() {
        let features: Vec<String> = registry
            .iter()
            .map(|e| format!("`{}`", e.feature))
            .collect();
        return format!(
            "this build of migrator has no backend: turn on a cargo feature ({})",
            features.join(", ")
        );
    }
    format!("examples: {}", examples.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_names_each_scheme_once_in_lower_case() {
        let mut seen = Vec::new();
        for entry in REGISTRY {
            for scheme in entry.schemes {
                assert_eq!(*scheme, scheme.to_ascii_lowercase());
                assert!(!seen.contains(scheme), "{scheme} twice");
                seen.push(*scheme);
            }
            assert_eq!(
                entry.backend.is_some(),
                backends().any(|b| entry.backend.is_some_and(|e| e.name() == b.name()))
            );
        }
    }

    #[test]
    fn refuses_unknown_schemes_without_printing_the_password() {
        for text in [
            "oracle://root:hunter2@db/app",
            "host=db password=hunter2 dbname=app",
            "host=db password='hunter2 x' dbname=app",
        ] {
            let err = DatabaseUrl::parse(text).unwrap_err();
            assert!(!err.to_string().contains("hunter2"), "{err}");
            assert!(err.hint.is_some_and(|h| h.starts_with("examples: ")));
        }
    }

    #[cfg(feature = "sqlite")]
    #[test]
    fn reads_sqlite_urls() {
        for text in [
            "sqlite:migrator.db",
            "sqlite://data/app.db",
            "sqlite:///abs/app.db",
            "sqlite::memory:",
            " sqlite://app.db?mode=rwc ",
        ] {
            let url = DatabaseUrl::parse(text).unwrap();
            assert_eq!(url.backend().name(), "SQLite");
            assert_eq!(url.redacted(), text.trim());
        }
        assert!(DatabaseUrl::parse("sqlite:").is_err());
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn reads_postgres_urls_and_refuses_those_the_connection_could_not_read() {
        for text in ["postgres://u@h/db", "postgresql://u@h/db"] {
            assert_eq!(
                DatabaseUrl::parse(text).unwrap().backend().name(),
                "PostgreSQL"
            );
        }
        let cases = [
            (
                "postgres://u:Pw1@h:notaport/db",
                "postgres://u:***@h:notaport/db",
                "port",
            ),
            (
                "postgresql://u:Pw1@h:99999/db",
                "postgresql://u:***@h:99999/db",
                "port",
            ),
            (
                "postgres://u:Pw1@[::1/db",
                "postgres://u:***@[::1/db",
                "host",
            ),
            (
                "postgres://u:Pw/1?@h/db?nope=1",
                "postgres://u:***@h/db?nope=1",
                "unknown option `nope`",
            ),
            (
                "postgres://u:Pw1@h/db?sslmode=verify-fulll",
                "postgres://u:***@h/db?sslmode=verify-fulll",
                "verify-fulll",
            ),
            ("postgres://u:Pw1@Pw2@h/db", "postgres://u:***@h/db", "%40"),
            (
                "postgres://u:Pw1@Pw2?Pw3@h/db",
                "postgres://u:***@h/db",
                "has no `=`",
            ),
        ];
        for (text, url, says) in cases {
            let err = DatabaseUrl::parse(text).unwrap_err();
            assert_eq!(err.url, url, "{text}");
            assert!(err.reason.contains(says), "{text}: {err}");
            assert!(err.hint.as_deref().is_some_and(|h| h.contains("libpq")));
            for secret in ["Pw1", "Pw2", "Pw3", "Pw/1?"] {
                assert!(!err.to_string().contains(secret), "{text}: {err}");
            }
        }
        let err = DatabaseUrl::parse("host=db dbname=app").unwrap_err();
        assert!(err.reason.contains("key/value"), "{err}");
    }

    #[cfg(feature = "mysql")]
    #[test]
    fn reads_mysql_urls_and_refuses_those_the_connection_could_not_read() {
        for text in [
            "mysql://u@h/db",
            "MariaDB://u:pw@h:3307/db?ssl-mode=required",
        ] {
            assert_eq!(DatabaseUrl::parse(text).unwrap().backend().name(), "MySQL");
        }
        let cases = [
            ("mysql://u:Pw1@h/", "mysql://u:***@h/", "no database"),
            (
                "mariadb://u:Pw1@h/db?ssl-mode=on",
                "mariadb://u:***@h/db?ssl-mode=on",
                "ssl-mode",
            ),
            ("mysql://u:Pw1@Pw2@h/db", "mysql://u:***@h/db", "%40"),
        ];
        for (text, url, says) in cases {
            let err = DatabaseUrl::parse(text).unwrap_err();
            assert_eq!(err.url, url, "{text}");
            assert!(err.reason.contains(says), "{text}: {err}");
            assert!(err.hint.as_deref().is_some_and(|h| h.contains("ssl-mode")));
            assert!(!err.to_string().contains("Pw"), "{text}: {err}");
        }
    }

    /// A backend for registries written in tests: it takes every URL.
    struct Fake;

    impl Backend for Fake {
        fn name(&self) -> &'static str {
            "Fake"
        }
        fn forms(&self) -> &'static [&'static str] {
            &["fake:NAME"]
        }
        fn example(&self) -> &'static str {
            "fake:db"
        }
        fn check(&self, url: &str) -> Result<(), String> {
            match url.strip_prefix("fake:") {
                Some("") => Err("no name after `fake:`".into()),
                _ => Ok(()),
            }
        }
        fn open(&self, _: &str, _: &ConnectOptions) -> Result<Box<dyn Database>, DbError> {
            unreachable!("not opened in these tests")
        }
        fn scratch(&self, _: &str, _: &ConnectOptions) -> Result<Scratch, DbError> {
            unreachable!("not opened in these tests")
        }
    }

    static FAKE: Fake = Fake;

    static WITHOUT_MYSQL: &[Registration] = &[
        Registration {
            feature: "fake",
            schemes: &["fake"],
            backend: Some(&FAKE),
        },
        Registration {
            feature: "mysql",
            schemes: &["mysql", "mariadb"],
            backend: None,
        },
    ];

    #[test]
    fn the_scheme_picks_the_backend_and_a_left_out_one_is_named_by_its_feature() {
        let url = DatabaseUrl::parse_in(WITHOUT_MYSQL, " FAKE:db ").unwrap();
        assert_eq!(url.backend().name(), "Fake");
        assert_eq!(url.to_string(), "FAKE:db");

        let err = DatabaseUrl::parse_in(WITHOUT_MYSQL, "fake:").unwrap_err();
        assert_eq!(err.to_string(), "`fake:`: no name after `fake:`");

        for text in [
            "mysql://root:hunter2@db/app",
            "MariaDB://root:hunter2@db/app",
        ] {
            let err = DatabaseUrl::parse_in(WITHOUT_MYSQL, text).unwrap_err();
            assert_eq!(
                err.reason,
                "this build of migrator leaves out the cargo feature `mysql`, which reads these URLs"
            );
            assert!(err.url.ends_with("root:***@db/app"), "{err}");
            assert_eq!(
                err.hint.as_deref(),
                Some("build migrator with `--features mysql` (the default features include it)")
            );
        }

        let err = DatabaseUrl::parse_in(WITHOUT_MYSQL, "oracle://u:hunter2@h/db").unwrap_err();
        assert_eq!(err.reason, "expected fake:NAME");
        assert_eq!(err.hint.as_deref(), Some("examples: fake:db"));
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn a_build_without_backends_says_which_features_give_one() {
        static NONE: &[Registration] = &[Registration {
            feature: "sqlite",
            schemes: &["sqlite"],
            backend: None,
        }];
        let err = DatabaseUrl::parse_in(NONE, "app.db").unwrap_err();
        assert!(err.reason.contains("no backend"), "{err}");
        assert!(err.hint.unwrap().contains("`sqlite`"));
        let err = DatabaseUrl::parse_in(NONE, "sqlite:app.db").unwrap_err();
        assert!(err.reason.contains("`sqlite`"), "{err}");
    }
}
