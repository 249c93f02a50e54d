//! The schema dump: the database's schema as plain, sorted SQL
//! ([`crate::db::dump`]), on demand or written to the schema file after a
//! run. Writing is a step of its own, so that a run over a fleet of
//! databases, whose schemas are one, leaves the file alone.

use std::io::Write as _;
use std::path::Path;

use crate::engine::schema_file;
use crate::error::Error;
use crate::report::schema_file::SchemaFileReport;

use super::{Migrator, connection};

impl Migrator {
    /// The database's schema as SQL that recreates it, sorted, without
    /// migrator's bookkeeping tables, ending with a line that names the
    /// applied revisions (see [`crate::db::dump`]).
    pub fn schema_dump(&mut self) -> Result<String, Error> {
        let db = connection(&mut self.db, &self.url, &self.connect_options)?;
        schema_file::dump(db)
    }

    /// Writes [`Migrator::schema_dump`] to `path`, atomically (a temporary
    /// file beside it, then renamed over it), so that a reader never sees
    /// half a file; a file that already holds the dump is left untouched.
    /// Call it after [`Migrator::upgrade`], [`Migrator::downgrade`] or
    /// [`Migrator::stamp`], on the database whose schema the file stands for.
    pub fn write_schema_file(&mut self, path: &Path) -> Result<SchemaFileReport, Error> {
        let dump = self.schema_dump()?;
        let changed = write_if_changed(path, &dump).map_err(|e| Error::io(path, e))?;
        Ok(SchemaFileReport {
            path: path.to_path_buf(),
            changed,
        })
    }
}

/// Replaces the file at `path` with `text` unless it holds it already (a
/// checkout's CRLF line ends count as the same); says whether it wrote.
fn write_if_changed(path: &Path, text: &str) -> std::io::Result<bool> {
    match std::fs::read_to_string(path) {
        Ok(old) if old.replace("\r\n", "\n") == text => return Ok(false),
        Ok(_) => {}
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::InvalidData
            ) => {}
        Err(e) => return Err(e),
    }
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path.file_name().map_or_else(
        || "schema".into(),
        |name| name.to_string_lossy().into_owned(),
    );
    // A folder named in migrator.toml (`db/schema.sql`) may not exist yet.
    std::fs::create_dir_all(folder)?;
    let temporary = folder.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)
        .and_then(|mut file| {
            file.write_all(text.as_bytes())?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temporary, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(e);
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_atomically_and_only_what_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("schema.sql");
        assert!(write_if_changed(&path, "one\n").unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\n");
        assert!(!write_if_changed(&path, "one\n").unwrap());
        std::fs::write(&path, "one\r\n").unwrap();
        assert!(
            !write_if_changed(&path, "one\n").unwrap(),
            "CRLF is the same dump"
        );
        assert!(write_if_changed(&path, "two\n").unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two\n");
        let names = || -> Vec<_> {
            let mut names: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|entry| entry.unwrap().file_name())
                .collect();
            names.sort();
            names
        };
        assert_eq!(names(), ["schema.sql"], "no temporary file is left behind");
        let nested = dir.path().join("db/schema.sql");
        assert!(
            write_if_changed(&nested, "x").unwrap(),
            "its folder is made"
        );
        assert!(
            write_if_changed(dir.path(), "x").is_err(),
            "a folder is not a file"
        );
        assert_eq!(names(), ["db", "schema.sql"], "nor after a failure");
    }
}
