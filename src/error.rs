//! The library's error: every way a command fails, each carrying the file,
//! line, revision or URL it is about. The CLI turns it into text in one
//! place.

use std::path::PathBuf;

use crate::db::{DbError, SqlFailure};
use crate::drift::Drift;
use crate::problem::Problem;
use crate::target::TargetError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The versions folder is not well formed; every problem at once.
    #[error("{} in {}", count(problems.len(), "problem"), dir.display())]
    Folder {
        dir: PathBuf,
        problems: Vec<Problem>,
    },

    #[error(transparent)]
    Target(#[from] TargetError),

    #[error(transparent)]
    Database(#[from] DbError),

    /// A revision's SQL failed; `position` is the line and column inside
    /// `path`, when the database said where.
    #[error("revision {revision} failed: {}", failure.message)]
    Sql {
        revision: String,
        path: PathBuf,
        position: Option<(usize, usize)>,
        failure: Box<SqlFailure>,
    },

    /// Applied revisions changed or vanished: a deploy refuses to go on.
    #[error(
        "{} has drifted from the folder: {}",
        location,
        summary(drifted, missing)
    )]
    Drift {
        location: String,
        drifted: Vec<Drift>,
        missing: Vec<String>,
    },

    #[error("{path}: {message}")]
    Config { path: PathBuf, message: String },

    #[error("invalid database URL {0}")]
    Url(#[from] crate::db::url::UrlError),

    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    /// The command was asked something it cannot do; `details` list what
    /// it is about (one line each), `hint` says what to do instead.
    #[error("{message}")]
    Refused {
        message: String,
        details: Vec<String>,
        hint: Option<String>,
    },
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn refused(message: impl Into<String>, hint: impl Into<Option<String>>) -> Error {
        Error::Refused {
            message: message.into(),
            details: Vec::new(),
            hint: hint.into(),
        }
    }

    /// Adds detail lines to a [`Error::Refused`]; other errors are returned
    /// as they are.
    pub fn with_details(mut self, lines: impl IntoIterator<Item = String>) -> Error {
        if let Error::Refused { details, .. } = &mut self {
            details.extend(lines);
        }
        self
    }
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn summary(drifted: &[Drift], missing: &[String]) -> String {
    let mut parts = Vec::new();
    if !drifted.is_empty() {
        let ids: Vec<&str> = drifted.iter().map(|d| d.revision.as_str()).collect();
        parts.push(format!(
            "{} changed since applied ({})",
            count(drifted.len(), "revision"),
            ids.join(", ")
        ));
    }
    if !missing.is_empty() {
        parts.push(format!(
            "{} applied but missing from the folder ({})",
            count(missing.len(), "revision"),
            missing.join(", ")
        ));
    }
    parts.join("; ")
}
