//! Reading the versions folder: file names, pairs, headers. The only I/O is
//! in [`load`], [`read_all`], [`write_revision`] (with [`draft::create`],
//! which numbers and renders a new revision first), [`write_files`] and
//! [`replace_files`];
//! everything they call is pure and tested without files. [`read_files`] is
//! the reading without the folder, for files already in memory
//! ([`Embedded`]).

pub mod checksum;
pub mod clock;
pub mod draft;
pub mod embedded;
pub mod problem;
pub mod revision;

pub mod file_name;
pub mod git;
pub mod header;
pub mod placeholder;
pub mod template;

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::{self, Write};
use std::ops::Deref;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::source::problem::Problem;
use crate::source::revision::{Revision, SqlFile};
use crate::sql::lexer::Dialect;
use crate::sql::split as sql_split;
use crate::sql::text::line_col;
pub use embedded::Embedded;
use file_name::Direction;

/// Reads every revision of a versions folder, subfolders included, sorted by
/// number, then id. Returns every problem of the folder at once, not the
/// first one only, sorted by file and line.
///
/// Only `*.sql` files are looked at. Symbolic links are not followed but
/// reported, as are `*.sql` names that are not regular files (a named pipe
/// would block the read). An empty folder has zero revisions; a missing one
/// is a problem. Whether parents exist and form no cycle is for the graph
/// to say.
pub fn load(dir: &Path) -> Result<Vec<Revision>, Vec<Problem>> {
    load_check_folder(dir)?;
    let reading = read_all(dir);
    if !reading.problems.is_empty() {
        return Err(reading.problems);
    }
    Ok(reading.revisions)
}

/// Whether `dir` is a folder that can be read: the problem to report when not.
pub fn load_check_folder(dir: &Path) -> Result<(), Vec<Problem>> {
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(vec![
                Problem::new(dir, None, "is not a folder")
                    .with_hint("pass the versions folder with --dir"),
            ]);
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(vec![
                Problem::new(dir, None, "the versions folder does not exist")
                    .with_hint("run `migrator init` or pass --dir"),
            ]);
        }
        Err(e) => return Err(vec![Problem::new(dir, None, format!("cannot read: {e}"))]),
    }
    Ok(())
}

/// Everything a folder gave, good and bad, so that a caller can check the
/// good revisions further and still report every problem in one run.
#[derive(Debug, Default)]
pub struct Reading {
    /// The revisions that read cleanly, by number then id.
    pub revisions: Vec<Revision>,
    /// The problems, by file then line.
    pub problems: Vec<Problem>,
    /// Ids whose files exist but did not give a revision: a parent link to
    /// one of them is not "unknown", its file is broken.
    pub broken_ids: HashSet<String>,
}

/// Reads a folder that exists, keeping what could be read beside what
/// could not.
pub fn read_all(dir: &Path) -> Reading {
    let mut problems = Vec::new();
    let files = find_files(dir, &mut problems);
    read(files, problems)
}

/// Reads revisions from files already in memory, as [`read_all`] reads
/// them from a folder: the same revisions, checksums and problems for the
/// same names and bytes. Each path is the file's path as problems show it
/// (the folder's name joined with the path inside it); only its last part,
/// the file name, is parsed. Files whose names do not end in `.sql` are
/// left out, as in a folder.
pub fn read_files<B: Deref<Target = [u8]>>(
    files: impl IntoIterator<Item = (PathBuf, B)>,
) -> Reading {
    read(
        files.into_iter().map(|(path, bytes)| (path, Some(bytes))),
        Vec::new(),
    )
}

/// The reading once the folder is listed: `problems` are the listing's, and
/// a file without bytes could not be read (its problem is among them). It
/// still counts for its pair, so that its other half is not reported as
/// alone.
fn read<B: Deref<Target = [u8]>>(
    files: impl IntoIterator<Item = (PathBuf, Option<B>)>,
    problems: Vec<Problem>,
) -> Reading {
    let mut reading = Reading {
        problems,
        ..Reading::default()
    };
    let files = group_files(files, &mut reading.problems);
    for (id, found) in files {
        match read_revision(&id, found, &mut reading.problems) {
            Some(revision) => reading.revisions.push(revision),
            None => {
                reading.broken_ids.insert(id);
            }
        }
    }
    reading
        .problems
        .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    reading
        .revisions
        .sort_by(|a, b| (&a.number, &a.id).cmp(&(&b.number, &b.id)));
    reading
}

/// Writes the two files of a new revision into `dir` (created if missing):
/// `ID.up.sql` with `up` and `ID.down.sql` with `down`. Never overwrites:
/// when either file exists, fails with [`io::ErrorKind::AlreadyExists`] and
/// leaves nothing behind. Returns the paths of the up and down files.
///
/// It only looks at `dir` itself: the caller checks the id against the
/// loaded revisions, which may sit in subfolders.
pub fn write_revision(
    dir: &Path,
    id: &str,
    up: &str,
    down: &str,
) -> io::Result<(PathBuf, PathBuf)> {
    if file_name::parse_id(id).is_none() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("`{id}` is not a revision id"),
        ));
    }
    fs::create_dir_all(dir)?;
    let up_path = dir.join(format!("{id}{}", Direction::Up.suffix()));
    let down_path = dir.join(format!("{id}{}", Direction::Down.suffix()));
    write_new(&up_path, up)?;
    if let Err(e) = write_new(&down_path, down) {
        // A lone up file would make the folder invalid.
        let _ = fs::remove_file(&up_path);
        return Err(e);
    }
    Ok((up_path, down_path))
}

/// One file to replace by another: `old` is removed once `new`, with
/// `contents`, is written.
#[derive(Debug, Clone)]
pub struct Replacement {
    pub old: PathBuf,
    pub new: PathBuf,
    pub contents: Vec<u8>,
}

/// Replaces files as one change, as far as a folder allows: checks that
/// every old file exists and no new one does, writes every new file, then
/// removes the old ones. When a step fails, what it already did is undone,
/// so the folder is left as it was, and the error names the file.
pub fn replace_files(replacements: &[Replacement]) -> Result<(), (PathBuf, io::Error)> {
    for r in replacements {
        if !r.old.is_file() {
            return Err((r.old.clone(), io::Error::from(io::ErrorKind::NotFound)));
        }
        if r.new.exists() {
            return Err((r.new.clone(), io::Error::from(io::ErrorKind::AlreadyExists)));
        }
    }
    let new_files: Vec<(&Path, &[u8])> = replacements
        .iter()
        .map(|r| (r.new.as_path(), r.contents.as_slice()))
        .collect();
    write_files(&new_files)?;
    let undo_writes = || {
        for r in replacements {
            let _ = fs::remove_file(&r.new);
        }
    };
    // Keep the old bytes, to put back a file whose removal went through
    // when a later one fails.
    let mut removed: Vec<(&Path, Vec<u8>)> = Vec::with_capacity(replacements.len());
    for r in replacements {
        let kept = fs::read(&r.old).and_then(|bytes| fs::remove_file(&r.old).map(|()| bytes));
        match kept {
            Ok(bytes) => removed.push((&r.old, bytes)),
            Err(e) => {
                for (path, bytes) in &removed {
                    let _ = fs::write(path, bytes);
                }
                undo_writes();
                return Err((r.old.clone(), e));
            }
        }
    }
    Ok(())
}

/// Writes new files as one change, as far as a folder allows: when one of
/// them exists already or cannot be written, the ones written are removed
/// and the error names the file. Their folders must exist.
pub fn write_files(files: &[(&Path, &[u8])]) -> Result<(), (PathBuf, io::Error)> {
    if let Some((path, _)) = files.iter().find(|(path, _)| path.exists()) {
        return Err((
            path.to_path_buf(),
            io::Error::from(io::ErrorKind::AlreadyExists),
        ));
    }
    for (done, (path, bytes)) in files.iter().enumerate() {
        if let Err(e) = write_new_bytes(path, bytes) {
            for (written, _) in &files[..done] {
                let _ = fs::remove_file(written);
            }
            return Err((path.to_path_buf(), e));
        }
    }
    Ok(())
}

fn write_new(path: &Path, text: &str) -> io::Result<()> {
    write_new_bytes(path, text.as_bytes())
}

fn write_new_bytes(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
        let _ = fs::remove_file(path);
        return Err(e);
    }
    Ok(())
}

/// The files found for one revision id, with their bytes when they could be
/// read; more than one per direction is an error, none is a missing half.
struct Found<B> {
    number: file_name::Number,
    up: Vec<(PathBuf, Option<B>)>,
    down: Vec<(PathBuf, Option<B>)>,
}

/// The `.sql` files under `dir` with their bytes, in the walk's order; none
/// for a file that could not be read. Symbolic links and unreadable entries
/// go to `problems`.
fn find_files(dir: &Path, problems: &mut Vec<Problem>) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    let mut files = Vec::new();
    let walk = WalkDir::new(dir).follow_links(false).into_iter();
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_owned();
                let cause = e.io_error().map_or(e.to_string(), |io| io.to_string());
                problems.push(Problem::new(path, None, format!("cannot read: {cause}")));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        // The folder itself may be a link: the user named it.
        if entry.path_is_symlink() && entry.depth() > 0 {
            let to_folder = fs::metadata(entry.path()).is_ok_and(|meta| meta.is_dir());
            if to_folder {
                problems.push(
                    Problem::new(
                        entry.path(),
                        None,
                        "is a symbolic link to a folder; migrator does not follow links",
                    )
                    .with_hint(
                        "move its revisions into the versions folder (subfolders are read), \
                         or name that folder with --dir",
                    ),
                );
            } else if file_name::is_sql(&name) {
                problems.push(
                    Problem::new(
                        entry.path(),
                        None,
                        "is a symbolic link; migrator does not follow links",
                    )
                    .with_hint("put the file itself in the versions folder"),
                );
            }
            continue;
        }
        if entry.file_type().is_dir() || !file_name::is_sql(&name) {
            continue;
        }
        // Reading a named pipe would wait for a writer for ever.
        if !entry.file_type().is_file() {
            problems.push(
                Problem::new(
                    entry.path(),
                    None,
                    format!("is {}, not a regular file", special_kind(entry.file_type())),
                )
                .with_hint("a revision file is a plain file; replace it with one"),
            );
            continue;
        }
        let bytes = fs::read(entry.path())
            .inspect_err(|e| {
                problems.push(Problem::new(
                    entry.path(),
                    None,
                    format!("cannot read: {e}"),
                ));
            })
            .ok();
        files.push((entry.into_path(), bytes));
    }
    files
}

/// The revision files by id, in a stable order. Badly named `.sql` files go
/// to `problems`; files not named `.sql` are left out.
fn group_files<B>(
    listed: impl IntoIterator<Item = (PathBuf, Option<B>)>,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, Found<B>> {
    let mut files: BTreeMap<String, Found<B>> = BTreeMap::new();
    for (path, bytes) in listed {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if !file_name::is_sql(&name) {
            continue;
        }
        match file_name::parse(&name) {
            Ok(parsed) => {
                let found = files.entry(parsed.id).or_insert_with(|| Found {
                    number: parsed.number,
                    up: Vec::new(),
                    down: Vec::new(),
                });
                match parsed.direction {
                    Direction::Up => found.up.push((path, bytes)),
                    Direction::Down => found.down.push((path, bytes)),
                }
            }
            Err(bad) => {
                problems.push(Problem::new(&path, None, bad.message).with_hint(bad.hint));
            }
        }
    }
    // The files come in any order (a walk's is the file system's); sorting
    // here, where only an id's few paths are compared, keeps the output
    // stable without sorting every entry of the folder by name (which
    // parses each path on every comparison).
    for found in files.values_mut() {
        found.up.sort_by(|a, b| a.0.cmp(&b.0));
        found.down.sort_by(|a, b| a.0.cmp(&b.0));
    }
    files
}

/// What a file that is neither a folder, a link nor a regular file is.
fn special_kind(file_type: fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device";
        }
    }
    let _ = file_type;
    "a special file"
}

/// Reads and checks one revision's files. Every file is read, even when the
/// pair is already known to be broken, so that all problems come out at once.
fn read_revision<B: Deref<Target = [u8]>>(
    id: &str,
    found: Found<B>,
    problems: &mut Vec<Problem>,
) -> Option<Revision> {
    let mut complete = true;
    // A missing down file is fine for a repeatable revision, which only its
    // header says: the problem waits until the header is read.
    let mut missing_down: Option<Problem> = None;
    for (files, direction) in [(&found.up, Direction::Up), (&found.down, Direction::Down)] {
        if files.len() > 1 {
            complete = false;
            let names: Vec<String> = files
                .iter()
                .map(|(p, _)| format!("`{}`", p.display()))
                .collect();
            problems.push(
                Problem::new(
                    &files[1].0,
                    None,
                    format!(
                        "revision id `{id}` is used more than once: {}",
                        names.join(", ")
                    ),
                )
                .with_hint("ids are unique in the whole folder, subfolders included; rename one"),
            );
        }
        if files.is_empty() {
            // Not empty: the id was found through one of its files.
            let present = match direction {
                Direction::Up => &found.down[0].0,
                Direction::Down => &found.up[0].0,
            };
            let missing = format!("{id}{}", direction.suffix());
            let (message, hint) = match direction {
                Direction::Down => (
                    "up file without its down file",
                    format!("create {missing}; it may be empty"),
                ),
                Direction::Up => (
                    "down file without its up file",
                    format!("create {missing}, starting with its header (`-- Parents: ...`)"),
                ),
            };
            let problem = Problem::new(present, None, message).with_hint(hint);
            match direction {
                Direction::Up => {
                    complete = false;
                    problems.push(problem);
                }
                Direction::Down => missing_down = Some(problem),
            }
        }
    }

    let mut ups: Vec<(SqlFile, Option<header::Header>)> = Vec::new();
    for (path, bytes) in found.up {
        let Some(file) = read_sql(&path, bytes, problems) else {
            complete = false;
            continue;
        };
        match header::parse(&path, id, &file.sql) {
            Ok(header) => ups.push((file, Some(header))),
            Err(mut header_problems) => {
                complete = false;
                problems.append(&mut header_problems);
                ups.push((file, None));
            }
        }
    }
    let mut downs: Vec<SqlFile> = Vec::new();
    for (path, bytes) in found.down {
        match read_sql(&path, bytes, problems) {
            Some(file) => downs.push(file),
            None => complete = false,
        }
    }

    let repeatable = matches!(ups.as_slice(), [(_, Some(header))] if header.repeatable);
    if let Some(problem) = missing_down.filter(|_| !repeatable) {
        complete = false;
        problems.push(problem);
    }
    if !complete {
        return None;
    }
    let (up, header) = ups.pop()?;
    let header = header?;
    let has_down_file = !downs.is_empty();
    // A repeatable without a down file undoes nothing, as an empty one
    // would: it is recorded with the checksum of an empty file.
    let down = downs.pop().unwrap_or_else(|| SqlFile {
        path: up
            .path
            .with_file_name(format!("{id}{}", Direction::Down.suffix())),
        sql: String::new(),
        checksum: checksum::of_normalized(b""),
    });
    if header.transactional {
        for file in [&up, &down] {
            problems.extend(transaction_control_problems(file, &up.path));
        }
    }
    Some(Revision {
        id: id.to_owned(),
        number: found.number,
        parents: header.parents,
        parents_line: header.parents_line,
        message: header.message,
        created: header.created,
        transactional: header.transactional,
        timeouts: header.timeouts,
        repeatable: header.repeatable,
        replaces: header.replaces,
        has_down_file,
        placeholders: header.placeholders,
        up,
        down,
    })
}

/// A problem for each statement of `file` that begins, ends or divides a
/// transaction, for a revision that runs in one (`up_path` holds its
/// header). migrator records the revision in that same transaction: a
/// `ROLLBACK` in the file would leave it recorded but not applied, a
/// `COMMIT` applied in part but not recorded.
fn transaction_control_problems<'a>(
    file: &'a SqlFile,
    up_path: &'a Path,
) -> impl Iterator<Item = Problem> + 'a {
    let header = if file.path == up_path {
        "its header".to_owned()
    } else {
        let name = up_path.file_name().unwrap_or(up_path.as_os_str());
        format!("the header of {}", name.to_string_lossy())
    };
    // The backend is not known yet. A reading that hid a statement would
    // let it through to a run (where the database still catches it, but
    // only after part of the revision may have committed), while one that
    // shows too much only asks for a rewrite: so the reading under which
    // neither database's statements hide.
    sql_split::split(&file.sql, Dialect::Unknown)
        .into_iter()
        .filter_map(move |statement| {
            let control = sql_split::transaction_control(statement.text, Dialect::Unknown)?;
            let (line, _) = line_col(&file.sql, statement.offset);
            Some(
                Problem::new(
                    &file.path,
                    Some(line),
                    format!(
                        "transaction control `{}` in a revision that runs in a transaction",
                        control.keyword
                    ),
                )
                .with_hint(format!(
                    "migrator runs each revision in a transaction of its own and records it \
                     in that transaction; remove `{}`, or run the revision without one: \
                     `-- Transaction: off` in {header}",
                    control.keyword
                )),
            )
        })
}

/// Reads one SQL file as migrator sees it (see [`checksum::normalize`]);
/// none when it has no bytes, that is, could not be read.
fn read_sql<B: Deref<Target = [u8]>>(
    path: &Path,
    bytes: Option<B>,
    problems: &mut Vec<Problem>,
) -> Option<SqlFile> {
    let bytes = bytes?;
    let normalized = checksum::normalize(&bytes);
    let checksum = checksum::of_normalized(&normalized);
    match String::from_utf8(normalized) {
        Ok(sql) => match nul_line(&sql) {
            None => Some(SqlFile {
                path: path.to_owned(),
                sql,
                checksum,
            }),
            Some(line) => {
                problems.push(
                    Problem::new(path, Some(line), "contains a NUL byte (0x00)").with_hint(
                        "remove it: PostgreSQL refuses SQL text with a NUL and SQLite silently \
                         stops reading at one (write binary data with an escape, e.g. \
                         '\\x00'::bytea or X'00')",
                    ),
                );
                None
            }
        },
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
            let bad = e.as_bytes()[valid.len()];
            problems.push(
                Problem::new(
                    path,
                    Some(line),
                    format!("is not valid UTF-8 (byte 0x{bad:02X})"),
                )
                .with_hint("save the file as UTF-8"),
            );
            None
        }
    }
}

/// The 1-based line of the first NUL character of `text`, if any. A NUL
/// is valid UTF-8 but never valid SQL text, and would otherwise only show
/// when the database refuses it, after the revisions before it ran.
fn nul_line(text: &str) -> Option<usize> {
    let at = text.find('\0')?;
    Some(1 + text[..at].matches('\n').count())
}

#[cfg(test)]
mod tests;
