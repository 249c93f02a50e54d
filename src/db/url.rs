//! Database URLs: which backend, where, and how to print them without the
//! password.

use std::fmt;
use std::path::PathBuf;

/// A parsed `--database-url`.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite:PATH`, `sqlite://PATH`; `path` is `None` for `sqlite::memory:`.
    Sqlite { path: Option<PathBuf> },
    /// `postgres://…` or `postgresql://…`, kept whole for the driver.
    Postgres { url: String },
}

/// Why a URL was refused; the text is already redacted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported database URL `{url}`: {reason}")]
pub struct UrlError {
    pub url: String,
    pub reason: String,
}

impl DatabaseUrl {
    pub fn parse(text: &str) -> Result<DatabaseUrl, UrlError> {
        let text = text.trim();
        if let Some(rest) = text.strip_prefix("sqlite:") {
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            let rest = rest.split_once('?').map_or(rest, |(path, _query)| path);
            if rest == ":memory:" {
                return Ok(DatabaseUrl::Sqlite { path: None });
            }
            if rest.is_empty() {
                return Err(UrlError {
                    url: text.into(),
                    reason: "no file name after `sqlite:`".into(),
                });
            }
            return Ok(DatabaseUrl::Sqlite {
                path: Some(PathBuf::from(rest)),
            });
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres {
                url: text.to_string(),
            });
        }
        Err(UrlError {
            url: redact(text),
            reason: "expected postgres://…, postgresql://…, sqlite:PATH or sqlite::memory:".into(),
        })
    }

    /// True for a database behind a server (worth connecting to while the
    /// folder is read), false for a file.
    pub fn is_server(&self) -> bool {
        !matches!(self, DatabaseUrl::Sqlite { .. })
    }

    /// True for a database file that does not exist yet: reading it finds
    /// nothing applied, and must not create it.
    pub fn is_missing_file(&self) -> bool {
        matches!(self, DatabaseUrl::Sqlite { path: Some(path) } if !path.exists())
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite { path: None } => "sqlite::memory:".into(),
            DatabaseUrl::Sqlite { path: Some(path) } => format!("sqlite:{}", path.display()),
            DatabaseUrl::Postgres { url } => redact(url),
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

/// Replaces the password of a URL (`user:secret@`) and any `password=`
/// query parameter with `***`.
pub fn redact(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let authority_start = scheme_end + 3;
        let authority_end = out[authority_start..]
            .find(['/', '?'])
            .map_or(out.len(), |i| authority_start + i);
        if let Some(at) = out[authority_start..authority_end].rfind('@') {
            let userinfo = &out[authority_start..authority_start + at];
            if let Some(colon) = userinfo.find(':') {
                let start = authority_start + colon + 1;
                let end = authority_start + at;
                out.replace_range(start..end, "***");
            }
        }
    }
    if let Some(query_start) = out.find('?') {
        let (head, query) = out.split_at(query_start + 1);
        let query: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => pair.to_string(),
            })
            .collect();
        out = format!("{head}{}", query.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_form() {
        let cases = [
            (
                "sqlite:migrator.db",
                DatabaseUrl::Sqlite {
                    path: Some("migrator.db".into()),
                },
            ),
            (
                "sqlite://data/app.db",
                DatabaseUrl::Sqlite {
                    path: Some("data/app.db".into()),
                },
            ),
            (
                "sqlite:///abs/app.db",
                DatabaseUrl::Sqlite {
                    path: Some("/abs/app.db".into()),
                },
            ),
            ("sqlite::memory:", DatabaseUrl::Sqlite { path: None }),
            (
                "sqlite://app.db?mode=rwc",
                DatabaseUrl::Sqlite {
                    path: Some("app.db".into()),
                },
            ),
            (
                "postgres://u@h/db",
                DatabaseUrl::Postgres {
                    url: "postgres://u@h/db".into(),
                },
            ),
            (
                "postgresql://u@h/db",
                DatabaseUrl::Postgres {
                    url: "postgresql://u@h/db".into(),
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(DatabaseUrl::parse(text).unwrap(), expected, "{text}");
        }
    }

    #[test]
    fn refuses_unknown_schemes_without_printing_the_password() {
        let err = DatabaseUrl::parse("mysql://root:hunter2@db/app").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert!(DatabaseUrl::parse("sqlite:").is_err());
    }

    #[test]
    fn redacts_passwords() {
        let cases = [
            (
                "postgres://u:secret@h:5432/db",
                "postgres://u:***@h:5432/db",
            ),
            ("postgres://u@h/db", "postgres://u@h/db"),
            (
                "postgres://h/db?password=secret&sslmode=require",
                "postgres://h/db?password=***&sslmode=require",
            ),
            (
                "postgres://u:p%40ss@h/db?application_name=x",
                "postgres://u:***@h/db?application_name=x",
            ),
            ("postgres://u:a@b@h/db", "postgres://u:***@h/db"),
        ];
        for (url, expected) in cases {
            assert_eq!(redact(url), expected, "{url}");
        }
    }
}
