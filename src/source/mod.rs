//! Reading the versions folder: file names, pairs, headers. The only I/O is
//! in [`load`]; everything it calls is pure and tested without files.

pub mod file_name;
pub mod header;

use std::path::Path;

use crate::problem::Problem;
use crate::revision::Revision;

/// Reads every revision of a versions folder. Returns every problem of the
/// folder at once, not the first one only.
pub fn load(dir: &Path) -> Result<Vec<Revision>, Vec<Problem>> {
    let _ = dir;
    todo!("source::load")
}

/// Creates both files of a revision; never overwrites.
pub fn write_revision(
    dir: &Path,
    id: &str,
    up: &str,
    down: &str,
) -> std::io::Result<(std::path::PathBuf, std::path::PathBuf)> {
    let _ = (dir, id, up, down);
    todo!("being written on the source branch")
}
