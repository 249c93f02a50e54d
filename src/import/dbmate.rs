//! dbmate: `VERSION_name.sql` (the version is the leading digits) with a
//! `-- migrate:up` and a `-- migrate:down` section, each directive with
//! options such as `transaction:false`.
//!
//! Directives are found as dbmate 2 finds them: the first line that
//! starts with `--`, optional white space and `migrate:up` (or
//! `migrate:down`), followed by the end of the line or white space and
//! options. Only comments may come before the up section, and the down
//! section is required, as dbmate requires them.

use super::migration::{Body, Migration, SourceFile, body_text, description};
use super::version::Version;
use crate::source::problem::Problem;

pub(super) fn read(files: &[SourceFile], problems: &mut Vec<Problem>) -> Vec<Migration> {
    let mut migrations = Vec::new();
    for file in files.iter().filter(|f| f.name.ends_with(".sql")) {
        let stem = file.file_name().trim_end_matches(".sql");
        let digits = stem.len() - stem.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let Some(version) = Version::parse(&stem[..digits], false) else {
            problems.push(
                Problem::new(&file.path, None, "is not a dbmate migration file name").with_hint(
                    "dbmate reads files whose names start with the version \
                     (e.g. 20240105093000_create_users.sql); move other files out of the folder",
                ),
            );
            continue;
        };
        let description = description(stem[digits..].trim_start_matches('_'));
        if let Some(migration) = sections(file, version, description, problems) {
            migrations.push(migration);
        }
    }
    migrations
}

/// A directive's line and options.
struct Directive<'a> {
    line: usize,
    options: Vec<(&'a str, &'a str)>,
}

fn directive(line: &str) -> Option<(bool, Vec<(&str, &str)>)> {
    let rest = line.strip_prefix("--")?.trim_start();
    let rest = rest.strip_prefix("migrate:")?;
    let (up, rest) = match (rest.strip_prefix("up"), rest.strip_prefix("down")) {
        (Some(rest), _) => (true, rest),
        (_, Some(rest)) => (false, rest),
        _ => return None,
    };
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    let options = rest
        .split_whitespace()
        .filter_map(|option| option.split_once(':'))
        .collect();
    Some((up, options))
}

fn sections(
    file: &SourceFile,
    version: Version,
    description: String,
    problems: &mut Vec<Problem>,
) -> Option<Migration> {
    let lines: Vec<&str> = file.text.lines().collect();
    let mut up: Option<Directive> = None;
    let mut down: Option<Directive> = None;
    for (index, line) in lines.iter().enumerate() {
        if let Some((is_up, options)) = directive(line) {
            let slot = if is_up { &mut up } else { &mut down };
            // The first of each counts; a later one is a comment to dbmate.
            slot.get_or_insert(Directive {
                line: index + 1,
                options,
            });
        }
    }
    let problem = |line: Option<usize>, message: &str, hint: &str| {
        Problem::new(&file.path, line, message).with_hint(hint)
    };
    let (up, down) = match (up, down) {
        (Some(up), Some(down)) if up.line < down.line => (up, down),
        (Some(_), Some(down)) => {
            problems.push(problem(
                Some(down.line),
                "`-- migrate:down` before `-- migrate:up`",
                "dbmate requires the up section first",
            ));
            return None;
        }
        (None, _) => {
            problems.push(problem(
                None,
                "has no `-- migrate:up` line",
                "dbmate requires each migration to start its up section with `-- migrate:up`",
            ));
            return None;
        }
        (Some(_), None) => {
            problems.push(problem(
                None,
                "has no `-- migrate:down` line",
                "dbmate requires a down section too: add `-- migrate:down` (with nothing \
                 after it when nothing undoes the migration)",
            ));
            return None;
        }
    };
    if let Some(index) = lines[..up.line - 1]
        .iter()
        .position(|line| !(line.trim().is_empty() || line.trim_start().starts_with("--")))
    {
        problems.push(problem(
            Some(index + 1),
            "SQL before `-- migrate:up`",
            "dbmate refuses it too: move it into the up section",
        ));
        return None;
    }
    let no_transaction = [&up, &down].into_iter().find_map(|directive| {
        directive
            .options
            .contains(&("transaction", "false"))
            .then(|| format!("{}:{} says `transaction:false`", file.name, directive.line))
    });
    let body = |range: &[&str], section| Body {
        file: file.name.clone(),
        section: Some(section),
        sql: body_text(range.iter().copied()),
    };
    // Comments above the up section are the migration's own.
    let mut up_lines: Vec<&str> = lines[..up.line - 1].to_vec();
    up_lines.extend(&lines[up.line..down.line - 1]);
    Some(Migration {
        version,
        description,
        up: body(&up_lines, "up"),
        down: Some(body(&lines[down.line..], "down")),
        no_transaction,
    })
}
