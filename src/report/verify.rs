//! What `verify` found: the findings of every check, and what was checked.

use crate::diagnostic::{Diagnostic, Level};
use crate::lint::{Backend, Unparsed};

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// False when any problem is an error.
    pub ok: bool,
    pub problems: Vec<Diagnostic>,
    /// What was checked, one phrase each (`8 revisions, 1 head`, …).
    pub summary: Vec<String>,
    /// What the lint read, when it ran; its findings are among `problems`.
    pub lint: Option<LintReport>,
}

/// What `verify --lint` read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LintReport {
    /// Whose rules applied: the backend of the database URL.
    pub backend: Backend,
    /// Which revisions: `pending` (those the database has not applied),
    /// `since` (those changed since the Git revision `since`), or `all`
    /// (there is no database yet).
    pub selection: &'static str,
    pub since: Option<String>,
    /// The revisions linted, in order.
    pub revisions: Vec<String>,
    /// How many statements their up files hold.
    pub statements: usize,
    /// Statements the parser could not read, which were not linted.
    pub unparsed: Vec<Unparsed>,
}

impl VerifyReport {
    /// The report of these findings: ok when none is an error.
    pub fn new(problems: Vec<Diagnostic>, summary: Vec<String>) -> VerifyReport {
        VerifyReport {
            ok: !problems.iter().any(|p| p.level == Level::Error),
            problems,
            summary,
            lint: None,
        }
    }

    /// How many problems are errors.
    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.level == Level::Error)
            .count()
    }
}
