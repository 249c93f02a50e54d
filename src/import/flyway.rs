//! Flyway: versioned migrations `V1__Create_users.sql` (the version's
//! parts separated by `.` or `_`, the description after `__`), undo
//! migrations `U1__….sql` (Flyway Teams) that become the down files,
//! per-script configuration in `V1__….sql.conf`. Subfolders are read, as
//! Flyway reads its locations.
//!
//! Refused, naming the file: repeatable migrations (`R__….sql`), which
//! migrator has no revisions for yet; baseline migrations (`B…`); other
//! `.sql` files (callbacks such as `afterMigrate.sql`); and placeholders
//! (`${name}`), which Flyway replaces before it runs the SQL.

use super::migration::{Migration, SourceFile, description, pair, whole};
use super::tool::Tool;
use super::version::Version;
use crate::source::problem::Problem;

pub(super) fn read(files: &[SourceFile], problems: &mut Vec<Problem>) -> Vec<Migration> {
    let mut items = Vec::new();
    for file in files.iter().filter(|f| f.name.ends_with(".sql")) {
        let name = file.file_name();
        let stem = name.trim_end_matches(".sql");
        let refuse =
            |message: &str, hint: &str| Problem::new(&file.path, None, message).with_hint(hint);
        if stem.starts_with("R__") {
            problems.push(refuse(
                "is a Flyway repeatable migration; migrator has no repeatable revisions yet",
                "apply it by hand, or fold its SQL into a versioned migration, and move it out \
                 of the folder; then import again",
            ));
            continue;
        }
        let parsed = stem.split_once("__").and_then(|(head, rest)| {
            let mut chars = head.chars();
            Some((chars.next()?, chars.as_str(), rest))
        });
        let Some((prefix @ ('V' | 'U' | 'B'), digits, rest)) = parsed else {
            problems.push(refuse(
                "is not a Flyway migration file name (a callback?)",
                "Flyway migrations are named V<version>__<description>.sql \
                 (e.g. V1.2__Add_email.sql); move other files out of the folder",
            ));
            continue;
        };
        if prefix == 'B' {
            problems.push(refuse(
                "is a Flyway baseline migration",
                "migrator imports the versioned migrations it stands for; move it out of the \
                 folder and import again",
            ));
            continue;
        }
        let Some(version) = Version::parse(digits, true) else {
            problems.push(refuse(
                &format!("`{digits}` is not a Flyway version"),
                "a version is numbers separated by `.` or `_`, e.g. V1.2.10__Add_email.sql",
            ));
            continue;
        };
        problems.extend(placeholders(file));
        items.push((version, description(rest), prefix == 'V', file));
    }
    pair(Tool::Flyway, items, files, problems)
        .into_iter()
        .filter_map(|halves| {
            let up = halves.up?;
            let no_transaction = std::iter::once(up)
                .chain(halves.down)
                .find_map(|file| no_transaction(file, files));
            Some(Migration {
                version: halves.version,
                description: halves.description,
                up: whole(up),
                down: halves.down.map(whole),
                no_transaction,
            })
        })
        .collect()
}

/// Why `file` runs outside a transaction: its `.sql.conf` says
/// `executeInTransaction=false`.
fn no_transaction(file: &SourceFile, files: &[SourceFile]) -> Option<String> {
    let conf_name = format!("{}.conf", file.name);
    let conf = files.iter().find(|f| f.name == conf_name)?;
    conf.text.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        (key.trim() == "executeInTransaction" && value.trim().eq_ignore_ascii_case("false"))
            .then(|| format!("{conf_name} says `executeInTransaction=false`"))
    })
}

/// A problem for each line with a placeholder, `${name}`: Flyway puts the
/// value in, and migrator would run the name.
fn placeholders(file: &SourceFile) -> Vec<Problem> {
    file.text
        .lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let start = line.find("${")?;
            let end = start + line[start..].find('}')?;
            Some(
                Problem::new(
                    &file.path,
                    Some(index + 1),
                    format!("Flyway placeholder `{}`", &line[start..=end]),
                )
                .with_hint(
                    "Flyway replaces it with its value before running the SQL; migrator runs \
                     SQL as written: write the value into the file and import again",
                ),
            )
        })
        .collect()
}
