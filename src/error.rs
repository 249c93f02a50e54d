//! The library's error: every way a command fails, each carrying the file,
//! line, revision or URL it is about. The CLI turns it into text in one
//! place.

use std::path::PathBuf;

use crate::db::{DbError, Fault, SqlFailure};
use crate::diagnostic::Diagnostic;
use crate::graph::drift::Drift;
use crate::graph::target::TargetError;
use crate::record::Direction;
use crate::source::problem::Problem;

/// Where a revision that runs statement by statement stopped when one of
/// its statements failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stopped {
    pub direction: Direction,
    /// The statements of the file.
    pub total: usize,
    /// How many of its first statements are done for good, and recorded
    /// as done in `migrator_progress`.
    pub done: usize,
    /// The statement that failed, counting from 1.
    pub failed: usize,
    /// The line of the first statement not done: where the next run
    /// resumes.
    pub resume_line: usize,
    /// Whether the failure is recorded beside the statements done (it is
    /// not when none is done, or the database could not be written).
    pub failure_recorded: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The versions folder is not well formed; every problem at once.
    #[error("{} in {}", count(problems.len(), "problem"), dir.display())]
    Folder {
        dir: PathBuf,
        problems: Vec<Problem>,
    },

    /// Revisions about to run name placeholders that have no value: every
    /// one at once, each at its file and line. Nothing ran.
    #[error("{} without a value", count(problems.len(), "placeholder"))]
    Placeholders { problems: Vec<Problem> },

    #[error(transparent)]
    Target(#[from] TargetError),

    #[error(transparent)]
    Database(#[from] DbError),

    /// A revision's SQL failed, or the database failed while running it
    /// (`failure.fault` says which); `position` is the line and column
    /// inside `path`, when the database said where.
    #[error("revision {revision} {}: {}", match failure.fault {
        Fault::Revision => "failed",
        Fault::Database => "could not run",
    }, failure.message)]
    Sql {
        revision: String,
        path: PathBuf,
        position: Option<(usize, usize)>,
        failure: Box<SqlFailure>,
        /// For a revision run statement by statement: how far it got.
        stopped: Option<Stopped>,
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

    /// Bad usage the command line could not see: a setting in
    /// `migrator.toml` that its option would have refused. Exit status 2.
    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },

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

impl Error {
    /// True for bad usage (exit status 2): a target, URL or option that
    /// cannot mean anything, decided before anything was read or changed.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Error::Target(
                TargetError::Invalid { .. }
                    | TargetError::WrongDirection { .. }
                    | TargetError::InvalidRange { .. }
            ) | Error::Url(_)
                | Error::Usage { .. }
                | Error::Placeholders { .. }
        )
    }

    /// The error as people read it: what, where, and what to do.
    pub fn diagnostic(&self) -> Diagnostic {
        let message = self.to_string();
        match self {
            Error::Folder { problems, .. } => Diagnostic::error("folder", message)
                .children(problems.iter().map(Problem::diagnostic)),
            Error::Placeholders { problems } => {
                Diagnostic::error("placeholder", message).children(problems.iter().map(|problem| {
                    let mut child = problem.diagnostic();
                    child.kind = "placeholder";
                    child
                }))
            }
            Error::Target(target) => {
                let mut diagnostic = Diagnostic::error("target", message);
                if let TargetError::MultipleHeads { heads } = target {
                    diagnostic = diagnostic.notes(head_list(heads));
                }
                diagnostic.maybe_hint(target_hint(target))
            }
            Error::Database(error) => database_diagnostic(error, message),
            Error::Sql {
                revision,
                path,
                position,
                failure,
                stopped,
            } if failure.fault == Fault::Database => database_fault(
                Diagnostic::error("database", message).revision(revision.clone()),
                path,
                *position,
                failure,
                stopped.as_ref(),
            ),
            Error::Sql {
                revision,
                path,
                position,
                failure,
                stopped,
            } => {
                let mut diagnostic = Diagnostic::error("sql", message)
                    .revision(revision.clone())
                    .at(path, position.map(|(line, _)| line))
                    .column(position.map(|(_, column)| column));
                if let Some(code) = &failure.code {
                    diagnostic = diagnostic.note(format!("code: {code}"));
                }
                if let Some(detail) = &failure.detail {
                    diagnostic = diagnostic.note(format!("detail: {detail}"));
                }
                if let Some(stopped) = stopped {
                    diagnostic = diagnostic.notes(stopped_notes(stopped, path));
                }
                diagnostic.hint(failure.hint.clone().unwrap_or_else(|| match stopped {
                    Some(stopped) if stopped.done > 0 => format!(
                        "fix the file from statement {} on and run the command again; {} must stay \
                         as {} ran (white space and comments aside)",
                        stopped.done + 1,
                        statements_phrase(stopped.done),
                        if stopped.done == 1 { "it" } else { "they" },
                    ),
                    _ => "fix the file and run the command again; revisions before this one stay applied"
                        .into(),
                }))
            }
            Error::Drift {
                drifted, missing, ..
            } => {
                let mut children: Vec<Diagnostic> = drifted
                    .iter()
                    .map(|drift| {
                        Diagnostic::error(
                            "drift",
                            format!(
                                "{} changed since applied: recorded {}, file now {}",
                                drift.revision,
                                short(&drift.recorded),
                                short(&drift.current)
                            ),
                        )
                        .revision(drift.revision.clone())
                        .at(&drift.path, None)
                        .diff(drift.diff())
                    })
                    .collect();
                children.extend(missing.iter().map(|id| {
                    Diagnostic::error(
                        "missing",
                        format!("{id}: applied, but its files are not in the folder"),
                    )
                    .revision(id.clone())
                }));
                let mut hint = String::from(
                    "restore the applied files as they were; if the change was reviewed and the database already matches it, \
                     record the new checksums with `migrator repair`; to deploy anyway, pass --allow-drift",
                );
                if !missing.is_empty() {
                    // The usual cause of revisions nobody here knows.
                    hint.push_str(
                        "; if another project keeps its revisions in the same schema, give each its own \
                         bookkeeping with --schema (or `schema` in migrator.toml)",
                    );
                }
                Diagnostic::error("drift", message)
                    .children(children)
                    .hint(hint)
            }
            Error::Config { path, .. } => Diagnostic::error("config", message).at(path, None),
            Error::Usage { hint, .. } => {
                Diagnostic::error("usage", message).maybe_hint(hint.clone())
            }
            Error::Url(url) => Diagnostic::error("usage", message).maybe_hint(url.hint.clone()),
            Error::Io { path, .. } => Diagnostic::error("io", message).at(path, None),
            Error::Refused { details, hint, .. } => Diagnostic::error("refused", message)
                .notes(details.iter().cloned())
                .maybe_hint(hint.clone()),
        }
    }
}

/// A revision that the database could not run: the file is not pointed
/// at, as nothing in it is to fix; where the run stopped is a note.
fn database_fault(
    mut diagnostic: Diagnostic,
    path: &std::path::Path,
    position: Option<(usize, usize)>,
    failure: &SqlFailure,
    stopped: Option<&Stopped>,
) -> Diagnostic {
    if let Some(code) = &failure.code {
        diagnostic = diagnostic.note(format!("code: {code}"));
    }
    if let Some(detail) = &failure.detail {
        diagnostic = diagnostic.note(format!("detail: {detail}"));
    }
    if let Some((line, column)) = position {
        diagnostic = diagnostic.note(format!("it stopped at {}:{line}:{column}", path.display()));
    }
    if let Some(stopped) = stopped {
        diagnostic = diagnostic.notes(stopped_notes(stopped, path));
    }
    diagnostic.hint(failure.hint.clone().unwrap_or_else(|| {
        "the database failed, not the file: fix the database, then run the command again".into()
    }))
}

/// What a revision run statement by statement leaves when a statement
/// fails: which statements stay done, and what is recorded of them.
fn stopped_notes(stopped: &Stopped, path: &std::path::Path) -> Vec<String> {
    let mut notes = Vec::new();
    if stopped.done == 0 {
        notes.push(format!(
            "this revision runs statement by statement, outside a transaction: statement {} of {} failed, \
             and no statement before it stays done; nothing was recorded",
            stopped.failed, stopped.total
        ));
        return notes;
    }
    notes.push(format!(
        "this revision runs statement by statement, outside a transaction: statement {} of {} failed; \
         {} ran and {} done, recorded in migrator_progress{}; the revision is not recorded as applied",
        stopped.failed,
        stopped.total,
        statements_phrase(stopped.done),
        if stopped.done == 1 { "stays" } else { "stay" },
        if stopped.failure_recorded {
            " with this failure"
        } else {
            ""
        },
    ));
    if stopped.failed > stopped.done + 1 {
        notes.push(format!(
            "statements {}-{} ran inside the file's own transaction, which the failure rolled back",
            stopped.done + 1,
            stopped.failed - 1
        ));
    }
    notes.push(format!(
        "the next `migrator {}` resumes at statement {} ({}:{})",
        match stopped.direction {
            Direction::Up => "upgrade",
            Direction::Down => "downgrade",
        },
        stopped.done + 1,
        path.display(),
        stopped.resume_line
    ));
    notes
}

/// "statement 1", "statements 1-3": the first `done` statements.
fn statements_phrase(done: usize) -> String {
    if done == 1 {
        "statement 1".into()
    } else {
        format!("statements 1-{done}")
    }
}

fn database_diagnostic(error: &DbError, message: String) -> Diagnostic {
    match error {
        DbError::Connect { hint, .. } | DbError::NotReady { hint, .. } => {
            Diagnostic::error("database", message).maybe_hint(hint.clone())
        }
        DbError::LockTimeout { .. } => Diagnostic::error("lock", message)
            .hint("another migrator run holds the lock; wait for it, or raise --lock-timeout"),
        DbError::Sql { revision, path, .. } => Diagnostic::error("sql", message)
            .revision(revision.clone())
            .at(path, None),
        DbError::Scratch { .. } => Diagnostic::error("database", message).hint(
            "the roundtrip makes its scratch database beside the database it checks, which on a \
             server needs the right to create databases (CREATEDB); or give --scratch-url an \
             empty database it may fill",
        ),
        DbError::Lock { hint, .. } => Diagnostic::error("lock", message).hint(hint.clone()),
        DbError::Other { .. } => Diagnostic::error("database", message),
    }
}

fn target_hint(error: &TargetError) -> Option<String> {
    match error {
        TargetError::MultipleHeads { .. } => Some(
            "join them with `migrator merge` (and commit the merge revision), \
             or apply every head with `migrator upgrade heads`"
                .into(),
        ),
        TargetError::Unknown {
            suggestion: Some(s),
            ..
        } => Some(format!("did you mean `{s}`?")),
        TargetError::Unknown { .. } => Some("`migrator history` lists the revisions".into()),
        TargetError::Ambiguous { .. } => Some("type more of the id".into()),
        TargetError::NoRevisions => Some("create one with `migrator new -m \"...\"`".into()),
        TargetError::WrongDirection { text, command } => {
            Some(match (*command, text.chars().next()) {
                ("upgrade", Some('-')) => {
                    format!("to undo revisions, run `migrator downgrade {text}`")
                }
                ("downgrade", Some('+')) => {
                    format!("to apply revisions, run `migrator upgrade {text}`")
                }
                _ => "a count must be 1 or more: `+N` for upgrade, `-N` for downgrade".into(),
            })
        }
        TargetError::Invalid { .. } => None,
        TargetError::InvalidRange { .. } => Some(
            "A and B are revision ids or prefixes; leave one out for an open end: `-r 0003:`, `-r :0005`"
                .into(),
        ),
    }
}

/// One line per head, `ID  MESSAGE`, ids padded so messages line up.
pub fn head_list(heads: &[(String, String)]) -> Vec<String> {
    let width = heads.iter().map(|(id, _)| id.len()).max().unwrap_or(0);
    heads
        .iter()
        .map(|(id, message)| format!("{id:width$}  {message}").trim_end().to_string())
        .collect()
}

/// The first 12 hex digits of a checksum: enough to tell them apart.
pub fn short(checksum: &str) -> &str {
    &checksum[..checksum.len().min(12)]
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
