//! What a tool's folder holds, as plain values, and the reading that
//! every tool's module shares.

use std::path::PathBuf;

use super::tool::Tool;
use super::version::Version;
use crate::source::problem::Problem;

/// One file of the other tool's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as messages show it (the folder given joined with `name`).
    pub path: PathBuf,
    /// The path inside the folder, `/`-separated: what the tool reads as
    /// the file name, and what the imported revision's comment names.
    pub name: String,
    /// The text of a file the tool reads (`.sql`, Flyway's `.sql.conf`);
    /// empty for the others, which are judged by name alone.
    pub text: String,
}

impl SourceFile {
    /// The last part of the name.
    pub(super) fn file_name(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or(&self.name)
    }
}

/// The SQL of one direction of a migration and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// The file, inside the folder (as [`SourceFile::name`]).
    pub file: String,
    /// For a file with both directions (goose, dbmate): the section.
    pub section: Option<&'static str>,
    /// The SQL, without the tool's own annotations.
    pub sql: String,
}

/// One migration of the other tool: what becomes one revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub version: Version,
    /// The tool's description (`_` read as spaces): the revision's message.
    pub description: String,
    pub up: Body,
    /// `None` when the tool has nothing that undoes it.
    pub down: Option<Body>,
    /// Why the revision runs outside a transaction (the tool's marker, or
    /// transaction control of the file's own); `None` when it runs in one.
    pub no_transaction: Option<String>,
}

/// Two files with one version, which the tool refuses too.
pub(super) fn duplicate(
    tool: Tool,
    version: &Version,
    first: &str,
    second: &str,
    files: &[SourceFile],
) -> Problem {
    Problem::new(
        path_of(files, second),
        None,
        format!("version {version} is used twice: by {first} and {second}"),
    )
    .with_hint(format!(
        "{tool} refuses two migrations with one version too; rename or remove one"
    ))
}

/// The path of the file named `name`, as messages show it.
pub(super) fn path_of(files: &[SourceFile], name: &str) -> PathBuf {
    files
        .iter()
        .find(|f| f.name == name)
        .map_or_else(|| PathBuf::from(name), |f| f.path.clone())
}

/// SQL lines as a body: without the blank lines around them and the
/// white space after the last, ending with one line break (empty when
/// nothing is left).
pub(super) fn body_text<'a>(lines: impl IntoIterator<Item = &'a str>) -> String {
    let lines: Vec<&str> = lines.into_iter().collect();
    let Some(start) = lines.iter().position(|l| !l.trim().is_empty()) else {
        return String::new();
    };
    let end = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(start, |i| i + 1);
    let mut text = lines[start..end].join("\n");
    text.truncate(text.trim_end().len());
    text.push('\n');
    text
}

/// A file run as a whole: its text is the body.
pub(super) fn whole(file: &SourceFile) -> Body {
    Body {
        file: file.name.clone(),
        section: None,
        sql: body_text(file.text.lines()),
    }
}

/// The description of a file name's rest: `_` read as spaces, as sqlx and
/// Flyway show it.
pub(super) fn description(rest: &str) -> String {
    rest.replace('_', " ").trim().to_owned()
}

/// The up and down files of a tool that keeps them apart (golang-migrate,
/// sqlx, Flyway), paired by version: each version has exactly one up file
/// and at most one down file.
pub(super) struct Halves<'a> {
    pub(super) version: Version,
    pub(super) description: String,
    pub(super) up: Option<&'a SourceFile>,
    pub(super) down: Option<&'a SourceFile>,
}

/// Pairs `(version, description, is_up, file)` items by version; a second
/// up or down of a version, or a down without its up, is a problem.
pub(super) fn pair<'a>(
    tool: Tool,
    items: Vec<(Version, String, bool, &'a SourceFile)>,
    files: &[SourceFile],
    problems: &mut Vec<Problem>,
) -> Vec<Halves<'a>> {
    let mut halves: Vec<Halves<'a>> = Vec::new();
    for (version, description, is_up, file) in items {
        let index = match halves.iter().position(|h| h.version == version) {
            Some(index) => index,
            None => {
                halves.push(Halves {
                    version: version.clone(),
                    description: String::new(),
                    up: None,
                    down: None,
                });
                halves.len() - 1
            }
        };
        let entry = &mut halves[index];
        let slot = if is_up {
            &mut entry.up
        } else {
            &mut entry.down
        };
        match slot {
            Some(first) => problems.push(duplicate(tool, &version, &first.name, &file.name, files)),
            None => *slot = Some(file),
        }
        if is_up {
            entry.description = description;
        }
    }
    halves.retain(|h| {
        if let (None, Some(down)) = (h.up, h.down) {
            problems.push(
                Problem::new(
                    &down.path,
                    None,
                    format!(
                        "{} of version {} without its up migration",
                        tool.down_name(),
                        h.version
                    ),
                )
                .with_hint("add the up migration it undoes, or remove the file"),
            );
        }
        h.up.is_some()
    });
    halves
}
