//! golang-migrate: `VERSION_TITLE.up.sql` and `VERSION_TITLE.down.sql`,
//! each file run as a whole (the PostgreSQL driver sends it in one call,
//! the SQLite driver runs it in a transaction).

use super::migration::{Migration, SourceFile, description, pair, whole};
use super::tool::Tool;
use super::version::Version;
use crate::source::problem::Problem;

pub(super) fn read(files: &[SourceFile], problems: &mut Vec<Problem>) -> Vec<Migration> {
    let mut items = Vec::new();
    for file in files.iter().filter(|f| f.name.ends_with(".sql")) {
        match parse_name(file.file_name()) {
            Some((version, title, is_up)) => items.push((version, description(title), is_up, file)),
            None => problems.push(
                Problem::new(
                    &file.path,
                    None,
                    "is not a golang-migrate migration file name",
                )
                .with_hint(
                    "golang-migrate reads VERSION_TITLE.up.sql and VERSION_TITLE.down.sql \
                         (e.g. 000001_create_users.up.sql); move other files out of the folder",
                ),
            ),
        }
    }
    pair(Tool::GolangMigrate, items, files, problems)
        .into_iter()
        .filter_map(|halves| {
            Some(Migration {
                version: halves.version,
                description: halves.description,
                up: whole(halves.up?),
                down: halves.down.map(whole),
                no_transaction: None,
            })
        })
        .collect()
}

/// `^([0-9]+)_(.*)\.(up|down)\.sql$`, as golang-migrate matches names:
/// the version, the title, and whether it is the up file.
fn parse_name(name: &str) -> Option<(Version, &str, bool)> {
    let (digits, rest) = name.split_once('_')?;
    let version = Version::parse(digits, false)?;
    match rest.strip_suffix(".up.sql") {
        Some(title) => Some((version, title, true)),
        None => Some((version, rest.strip_suffix(".down.sql")?, false)),
    }
}
