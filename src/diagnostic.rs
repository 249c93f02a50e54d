//! One value for everything migrator has to tell a person is wrong: an
//! error that stops a command, a problem `verify` finds, a warning. Errors
//! of every layer and `verify`'s findings become a [`Diagnostic`], and one
//! renderer turns it into text, JSON or a GitHub annotation, the way rustc
//! renders its diagnostics.

use std::path::{Path, PathBuf};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

/// Something wrong, where it is, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub level: Level,
    /// What kind of problem this is; part of the JSON contract (`folder`,
    /// `heads`, `drift`, `down_drift`, `missing`, `ahead`, `parents`,
    /// `roundtrip`, `target`, `sql`, `database`, `lock`, `config`, `usage`,
    /// `refused`, `io`, `bookkeeping`, `lint`, `placeholder`, `reapply`,
    /// `squash`).
    pub kind: &'static str,
    /// The lint rule that found it (`index-not-concurrent`, …), for kind
    /// `lint`; see [`crate::lint::RULES`].
    pub rule: Option<&'static str>,
    pub message: String,
    /// The revision it is about, when there is one.
    pub revision: Option<String>,
    pub file: Option<PathBuf>,
    /// 1-based line of `file`.
    pub line: Option<usize>,
    /// 1-based column (in characters) of `line`.
    pub column: Option<usize>,
    /// Further facts, one line each (a SQLSTATE, the heads, …).
    pub notes: Vec<String>,
    /// What to do about it.
    pub hint: Option<String>,
    /// A unified diff (drift) or a schema difference (roundtrip).
    pub diff: Option<String>,
    /// The parts of a problem that has several (every problem of a folder).
    pub children: Vec<Diagnostic>,
}

impl Diagnostic {
    pub fn error(kind: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Error,
            kind,
            rule: None,
            message: message.into(),
            revision: None,
            file: None,
            line: None,
            column: None,
            notes: Vec::new(),
            hint: None,
            diff: None,
            children: Vec::new(),
        }
    }

    pub fn warning(kind: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Warning,
            ..Diagnostic::error(kind, message)
        }
    }

    /// The diagnostic about `file` (at `line`, when known).
    pub fn at(mut self, file: &Path, line: Option<usize>) -> Diagnostic {
        self.file = Some(file.to_path_buf());
        self.line = line;
        self
    }

    pub fn column(mut self, column: Option<usize>) -> Diagnostic {
        self.column = column;
        self
    }

    pub fn rule(mut self, rule: &'static str) -> Diagnostic {
        self.rule = Some(rule);
        self
    }

    pub fn revision(mut self, revision: impl Into<String>) -> Diagnostic {
        self.revision = Some(revision.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn maybe_hint(mut self, hint: Option<String>) -> Diagnostic {
        self.hint = hint;
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn notes(mut self, notes: impl IntoIterator<Item = String>) -> Diagnostic {
        self.notes.extend(notes);
        self
    }

    pub fn diff(mut self, diff: impl Into<String>) -> Diagnostic {
        let diff = diff.into();
        self.diff = (!diff.is_empty()).then_some(diff);
        self
    }

    pub fn children(mut self, children: impl IntoIterator<Item = Diagnostic>) -> Diagnostic {
        self.children.extend(children);
        self
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    /// `FILE:LINE:COLUMN`, as far as known.
    pub fn location(&self) -> Option<String> {
        let file = self.file.as_ref()?;
        let mut text = file.display().to_string();
        if let Some(line) = self.line {
            text.push_str(&format!(":{line}"));
            if let Some(column) = self.column {
                text.push_str(&format!(":{column}"));
            }
        }
        Some(text)
    }
}
