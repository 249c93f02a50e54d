//! Problems found in a versions folder: each names the file and line at fault.

use std::fmt;
use std::path::PathBuf;

use crate::diagnostic::Diagnostic;

/// One thing wrong with the versions folder: the file, the line when there is
/// one, what is wrong, and a hint where one helps. A folder's problems are
/// collected and reported together.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub path: PathBuf,
    /// 1-based line, when the problem sits on one line.
    pub line: Option<usize>,
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    pub fn new(path: impl Into<PathBuf>, line: Option<usize>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            line,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl Problem {
    /// The problem as a diagnostic of the folder, naming the revision its
    /// file belongs to.
    pub fn diagnostic(&self) -> Diagnostic {
        let mut diagnostic = Diagnostic::error("folder", self.message.clone())
            .at(&self.path, self.line)
            .maybe_hint(self.hint.clone());
        if let Some(revision) = revision_of(&self.path) {
            diagnostic = diagnostic.revision(revision);
        }
        diagnostic
    }
}

/// The revision id a file name carries: `versions/0001_a.up.sql` → `0001_a`.
fn revision_of(path: &std::path::Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let id = name
        .strip_suffix(".up.sql")
        .or_else(|| name.strip_suffix(".down.sql"))?;
    Some(id.to_string())
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {}", self.message)
    }
}
