//! What migrator generates about itself: a shell's completion script and
//! the manual's pages. As text they are the files themselves, byte for
//! byte; as JSON, one document that holds them.

use std::path::PathBuf;

use super::{Render, Text};

/// `migrator completions SHELL`.
#[derive(serde::Serialize)]
pub struct Completions {
    pub shell: String,
    pub script: String,
}

impl Render for Completions {
    fn text(&self, out: &mut Text<'_>) {
        out.verbatim(&self.script);
    }
}

/// `migrator man`: one page on stdout.
#[derive(serde::Serialize)]
pub struct ManPage {
    pub name: String,
    pub roff: String,
}

impl Render for ManPage {
    fn text(&self, out: &mut Text<'_>) {
        out.verbatim(&self.roff);
    }
}

/// `migrator man --out DIR`: the pages written.
#[derive(serde::Serialize)]
pub struct ManPagesWritten {
    pub files: Vec<PathBuf>,
}

impl Render for ManPagesWritten {
    fn text(&self, out: &mut Text<'_>) {
        for file in &self.files {
            out.line(format!("wrote {}", file.display()));
        }
    }
}
