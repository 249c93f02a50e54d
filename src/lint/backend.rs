//! The backend a folder's revisions are linted for, as a database URL's
//! scheme names it, and the dialect their SQL is read in.

use crate::sql::lexer::Dialect;

/// Whose rules apply: the backend the revisions are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Postgresql,
    Sqlite,
}

impl Backend {
    /// The backend of a URL scheme (`postgres`, `postgresql`, `sqlite`, in
    /// lower case); `None` for one the lint has no rules for.
    pub fn for_scheme(scheme: &str) -> Option<Backend> {
        match scheme {
            "postgres" | "postgresql" => Some(Backend::Postgresql),
            "sqlite" => Some(Backend::Sqlite),
            _ => None,
        }
    }

    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgresql => "PostgreSQL",
            Backend::Sqlite => "SQLite",
        }
    }

    /// The dialect its SQL is split and read in.
    pub fn dialect(self) -> Dialect {
        match self {
            Backend::Postgresql => Dialect::Postgres,
            Backend::Sqlite => Dialect::Sqlite,
        }
    }
}
