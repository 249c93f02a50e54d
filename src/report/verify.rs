//! What `verify` found: the findings of every check, and what was checked.

use crate::diagnostic::{Diagnostic, Level};

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// False when any problem is an error.
    pub ok: bool,
    pub problems: Vec<Diagnostic>,
    /// What was checked, one phrase each (`8 revisions, 1 head`, …).
    pub summary: Vec<String>,
}

impl VerifyReport {
    /// The report of these findings: ok when none is an error.
    pub fn new(problems: Vec<Diagnostic>, summary: Vec<String>) -> VerifyReport {
        VerifyReport {
            ok: !problems.iter().any(|p| p.level == Level::Error),
            problems,
            summary,
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
