//! A versions folder compiled into the application's binary.

use std::path::{Path, PathBuf};

/// A versions folder embedded into the binary at compile time by
/// [`embed!`](crate::embed): the folder's name as the macro was given it,
/// and every `*.sql` file under it with its bytes.
///
/// Nothing is parsed at compile time:
/// [`Project::from_embedded`](crate::Project::from_embedded) reads it at
/// start-up with the same checks, checksums and problems as a folder on
/// disk, so a broken file is an error naming the file and line.
#[derive(Debug, Clone, Copy)]
pub struct Embedded {
    dir: &'static str,
    files: &'static [(&'static str, &'static [u8])],
}

impl Embedded {
    /// What [`embed!`](crate::embed) expands to. `dir` names the folder in
    /// problems; `files` are `/`-separated paths relative to it, sorted,
    /// with the files' bytes.
    pub const fn new(dir: &'static str, files: &'static [(&'static str, &'static [u8])]) -> Self {
        Embedded { dir, files }
    }

    /// The folder as the macro named it, e.g. `versions`.
    pub const fn dir(&self) -> &'static str {
        self.dir
    }

    /// Each file's path relative to [`dir`](Self::dir) and its bytes.
    pub const fn files(&self) -> &'static [(&'static str, &'static [u8])] {
        self.files
    }

    /// Each file with its path as problems show it: `dir/path`, the path a
    /// folder on disk would give relative to where the macro was called.
    pub fn paths(&self) -> impl Iterator<Item = (PathBuf, &'static [u8])> + use<> {
        let dir = Path::new(self.dir);
        self.files
            .iter()
            .map(move |&(path, bytes)| (dir.join(path), bytes))
    }
}
