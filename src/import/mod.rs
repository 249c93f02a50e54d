//! `import`: the migrations folder of another tool (golang-migrate, goose,
//! dbmate, sqlx, Flyway) read as a line of migrator revisions, and that
//! tool's history table read as the revisions a database has applied.
//!
//! The conversion is pure: [`convert`] takes the folder's files (names and
//! text) and gives [`Migration`] values in version order, or every problem
//! of the folder at once, each naming its file and line; [`revisions`]
//! renders them as revision files through [`draft`]; [`history::applied`]
//! reads the other tool's history rows. [`read_folder`] and the database's
//! [`foreign_table`](crate::db::Database::foreign_table) are the only I/O,
//! and [`crate::Migrator::import`] puts it together.
//!
//! One module per tool reads its format; `migration` holds the values and
//! the reading they share, `tool` the tools, `version` their versions.

mod dbmate;
mod flyway;
mod golang_migrate;
mod goose;
pub mod history;
mod migration;
mod sqlx;
mod tool;
pub mod version;

use std::path::Path;

use crate::source::draft::{self, Draft, DraftFiles};
use crate::source::file_name::Number;
use crate::source::problem::Problem;
use crate::sql::lexer::Dialect;
use crate::sql::split;
pub use migration::{Body, Migration, SourceFile};
pub use tool::Tool;
pub use version::Version;

/// Reads the files of a `tool` folder as its migrations, in the order the
/// tool applies them (by version, numerically). Every problem of the folder
/// at once otherwise, sorted by file and line: a file the tool would
/// refuse, or one migrator cannot run as the tool did.
pub fn convert(tool: Tool, files: &[SourceFile]) -> Result<Vec<Migration>, Vec<Problem>> {
    // By name, so that which of two files is "the second" does not depend
    // on the order they came in.
    let mut files = files.to_vec();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let files = files.as_slice();
    let mut problems = Vec::new();
    let mut migrations = match tool {
        Tool::GolangMigrate => golang_migrate::read(files, &mut problems),
        Tool::Goose => goose::read(files, &mut problems),
        Tool::Dbmate => dbmate::read(files, &mut problems),
        Tool::Sqlx => sqlx::read(files, &mut problems),
        Tool::Flyway => flyway::read(files, &mut problems),
    };
    migrations.sort_by(|a, b| a.version.cmp(&b.version).then(a.up.file.cmp(&b.up.file)));
    for pair in migrations.windows(2) {
        if pair[0].version == pair[1].version {
            problems.push(migration::duplicate(
                tool,
                &pair[1].version,
                &pair[0].up.file,
                &pair[1].up.file,
                files,
            ));
        }
    }
    for migration in &mut migrations {
        if migration.no_transaction.is_none() {
            migration.no_transaction = own_transaction_control(migration);
        }
    }
    if problems.is_empty() {
        Ok(migrations)
    } else {
        problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        Err(problems)
    }
}

/// A file of a tool that runs each migration in a transaction, whose SQL
/// begins or ends one itself (golang-migrate's PostgreSQL files often do):
/// migrator would refuse it in a transaction of its own, and the file's
/// own transaction is what the tool ran.
fn own_transaction_control(migration: &Migration) -> Option<String> {
    std::iter::once(&migration.up)
        .chain(&migration.down)
        .find_map(|body| {
            split::split(&body.sql, Dialect::Unknown)
                .into_iter()
                .find_map(|statement| split::transaction_control(statement.text, Dialect::Unknown))
                .map(|control| format!("{} runs a `{}` of its own", body.file, control.keyword))
        })
}

/// The files of an import, one revision per migration, in order: each
/// the child of the one before it, the first the child of `parent` (none
/// in an empty folder); numbered after `existing` and the ones before it;
/// created at `created`. Pure: the header comes from the library's one
/// renderer ([`draft::render_with_sql`]).
pub fn revisions(
    tool: Tool,
    migrations: &[Migration],
    parent: Option<&str>,
    existing: &[Number],
    created: &str,
) -> Vec<DraftFiles> {
    let mut numbers = existing.to_vec();
    let mut parent = parent.map(str::to_owned);
    let mut drafts = Vec::with_capacity(migrations.len());
    for migration in migrations {
        let parents: Vec<String> = parent.iter().cloned().collect();
        let fallback = format!("version {}", migration.version);
        let message = if migration.description.is_empty() {
            &fallback
        } else {
            &migration.description
        };
        let files = draft::render_with_sql(
            &Draft {
                message,
                parents: &parents,
                transactional: migration.no_transaction.is_none(),
                merge: false,
            },
            &numbers,
            created,
            &up_text(tool, migration),
            &down_text(tool, migration),
        );
        numbers.push(crate::source::file_name::parse_id(&files.id).expect("a rendered id parses"));
        parent = Some(files.id.clone());
        drafts.push(files);
    }
    drafts
}

/// Where a body came from, for the comment that opens its file: `goose
/// 00002_add_email.sql (version 00002, its Down section)`.
fn origin(tool: Tool, version: &Version, body: &Body) -> String {
    let section = body
        .section
        .map(|section| format!(", its {section} section"))
        .unwrap_or_default();
    format!(
        "{tool} {} (version {version}{section})",
        one_line(&body.file)
    )
}

fn up_text(tool: Tool, migration: &Migration) -> String {
    let comment = format!(
        "-- Imported from {}.\n",
        origin(tool, &migration.version, &migration.up)
    );
    join_comment(comment, &migration.up.sql)
}

fn down_text(tool: Tool, migration: &Migration) -> String {
    match &migration.down {
        Some(body) => join_comment(
            format!(
                "-- Imported from {}.\n",
                origin(tool, &migration.version, body)
            ),
            &body.sql,
        ),
        None => format!(
            "-- {tool} {} (version {}) has no {}: nothing undoes this revision.\n",
            one_line(&migration.up.file),
            migration.version,
            tool.down_name()
        ),
    }
}

fn join_comment(comment: String, sql: &str) -> String {
    if sql.is_empty() {
        comment
    } else {
        format!("{comment}\n{sql}")
    }
}

/// A file name on one comment line: a line break in a name would end the
/// comment and run the rest as SQL.
fn one_line(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// Reads the `tool` folder `dir` for [`convert`]: the files the tool looks
/// at (Flyway reads subfolders too, the others only the folder itself),
/// with the text of those it reads. Thin I/O; a missing folder, one that
/// cannot be read and files that are not UTF-8 are problems.
pub fn read_folder(tool: Tool, dir: &Path) -> Result<Vec<SourceFile>, Vec<Problem>> {
    let mut problems = Vec::new();
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => return Err(vec![Problem::new(dir, None, "is not a folder")]),
        Err(e) => {
            return Err(vec![
                Problem::new(dir, None, format!("cannot read: {e}"))
                    .with_hint(format!("name the folder that holds the {tool} migrations")),
            ]);
        }
    }
    let depth = if tool == Tool::Flyway { usize::MAX } else { 1 };
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .max_depth(depth)
        .sort_by_file_name()
    {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_owned();
                problems.push(Problem::new(path, None, format!("cannot read: {e}")));
                continue;
            }
        };
        // Links are followed as the tools follow them; only files count.
        if !entry.path().is_file() {
            continue;
        }
        let name = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let text = if name.ends_with(".sql") || name.ends_with(".sql.conf") {
            match std::fs::read(entry.path()) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => text
                        .strip_prefix('\u{feff}')
                        .map(str::to_owned)
                        .unwrap_or(text),
                    Err(e) => {
                        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                        let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
                        problems.push(
                            Problem::new(entry.path(), Some(line), "is not valid UTF-8")
                                .with_hint("save the file as UTF-8"),
                        );
                        continue;
                    }
                },
                Err(e) => {
                    problems.push(Problem::new(
                        entry.path(),
                        None,
                        format!("cannot read: {e}"),
                    ));
                    continue;
                }
            }
        } else {
            String::new()
        };
        files.push(SourceFile {
            path: entry.path().to_owned(),
            name,
            text,
        });
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
pub(crate) mod tests;
