//! sqlx (`sqlx migrate`): `VERSION_DESCRIPTION.sql` (up only), or
//! reversible pairs `VERSION_DESCRIPTION.up.sql` / `.down.sql`; a file
//! that starts with `-- no-transaction` runs outside a transaction.
//!
//! Names are read as sqlx reads them: the version before the first `_`
//! (an integer), the description after it with `_` read as spaces.

use super::migration::{Body, Migration, SourceFile, body_text, description, pair, whole};
use super::tool::Tool;
use super::version::Version;
use crate::source::problem::Problem;

/// What sqlx finds at the very start of a file that runs outside a
/// transaction.
const NO_TRANSACTION: &str = "-- no-transaction";

pub(super) fn read(files: &[SourceFile], problems: &mut Vec<Problem>) -> Vec<Migration> {
    let mut items = Vec::new();
    for file in files.iter().filter(|f| f.name.ends_with(".sql")) {
        let Some((digits, rest)) = file.file_name().split_once('_') else {
            problems.push(
                Problem::new(&file.path, None, "is not a sqlx migration file name").with_hint(
                    "sqlx reads VERSION_DESCRIPTION.sql, or VERSION_DESCRIPTION.up.sql and \
                     .down.sql (e.g. 20240105093000_create_users.sql); move other files out \
                     of the folder",
                ),
            );
            continue;
        };
        let Some(version) = Version::parse(digits, false) else {
            problems.push(
                Problem::new(
                    &file.path,
                    None,
                    format!("`{digits}` is not a sqlx version"),
                )
                .with_hint("sqlx refuses it too: the name starts with an integer, then `_`"),
            );
            continue;
        };
        let (stem, is_up) = match (rest.strip_suffix(".up.sql"), rest.strip_suffix(".down.sql")) {
            (Some(stem), _) => (stem, true),
            (_, Some(stem)) => (stem, false),
            _ => (rest.trim_end_matches(".sql"), true),
        };
        items.push((version, description(stem), is_up, file));
    }
    pair(Tool::Sqlx, items, files, problems)
        .into_iter()
        .filter_map(|halves| {
            let up = halves.up?;
            let no_transaction = std::iter::once(up)
                .chain(halves.down)
                .find(|file| file.text.starts_with(NO_TRANSACTION))
                .map(|file| format!("{} starts with `{NO_TRANSACTION}`", file.name));
            Some(Migration {
                version: halves.version,
                description: halves.description,
                up: without_marker(up),
                down: halves.down.map(without_marker),
                no_transaction,
            })
        })
        .collect()
}

/// The file's body without its first line when that is the marker, which
/// the revision's header says instead.
fn without_marker(file: &SourceFile) -> Body {
    let mut body = whole(file);
    if file.text.starts_with(NO_TRANSACTION) {
        body.sql = body_text(file.text.lines().skip(1));
    }
    body
}
