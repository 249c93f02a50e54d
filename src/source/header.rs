//! The header of an up file: consecutive `-- Key: value` lines before any SQL.
//!
//! [`parse`] reads it (DESIGN section 1), [`render`] writes one that `parse`
//! reads back. Both are pure; the path given to `parse` only labels problems.

use std::path::Path;

use crate::source::file_name;
use crate::source::problem::Problem;
use crate::suggest;
use crate::timeout::{HeaderTimeouts, Setting};

/// What the header of an up file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Parent ids in the order written; empty for a root revision.
    pub parents: Vec<String>,
    /// The 1-based line of `Parents`.
    pub parents_line: usize,
    pub message: Option<String>,
    pub created: Option<String>,
    /// False when the header says `Transaction: off`.
    pub transactional: bool,
    /// True when the header says `Repeatable: yes`: re-applied whenever
    /// its up file changes, and its down file is optional.
    pub repeatable: bool,
    /// The ids a squash revision stands for (`Replaces:`), in the order
    /// written; empty for any other revision.
    pub replaces: Vec<String>,
    /// `Placeholders: on` or `off`; `None` without the line.
    pub placeholders: Option<bool>,
    /// `Lock-Timeout` and `Statement-Timeout`.
    pub timeouts: HeaderTimeouts,
}

/// The header keys, as they are written in files and messages.
const KEYS: [&str; 9] = [
    "Parents",
    "Message",
    "Created",
    "Transaction",
    "Repeatable",
    "Replaces",
    "Placeholders",
    "Lock-Timeout",
    "Statement-Timeout",
];

/// Words people write for a key, mostly from other tools (Alembic writes
/// `Revises:`), that are too far from the key for the edit distance.
const ALIASES: [(&str, &str); 17] = [
    ("revises", "Parents"),
    ("down_revision", "Parents"),
    ("depends", "Parents"),
    ("description", "Message"),
    ("msg", "Message"),
    ("date", "Created"),
    ("create_date", "Created"),
    ("tx", "Transaction"),
    ("runonchange", "Repeatable"),
    ("squashes", "Replaces"),
    ("replaced", "Replaces"),
    ("placeholder", "Placeholders"),
    ("envsub", "Placeholders"),
    ("lock_timeout", "Lock-Timeout"),
    ("locktimeout", "Lock-Timeout"),
    ("statement_timeout", "Statement-Timeout"),
    ("statementtimeout", "Statement-Timeout"),
];

/// Reads the header of the up file of revision `id`. Returns every problem
/// of the header at once, each with its line.
pub fn parse(path: &Path, id: &str, text: &str) -> Result<Header, Vec<Problem>> {
    let mut problems = Vec::new();
    let problem = |line: usize, message: String| Problem::new(path, Some(line), message);

    // Index into KEYS -> (line, value) of the first occurrence.
    let mut seen: [Option<(usize, &str)>; KEYS.len()] = [None; KEYS.len()];
    // Lines with control characters: already reported, and their values
    // are not checked further, so that no other problem prints them.
    let mut unreadable: Vec<usize> = Vec::new();
    let lines = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line))
        .skip_while(|(_, line)| line.trim().is_empty());
    for (number, line) in lines {
        let Some(HeaderLine { key, value, spaced }) = header_line(line) else {
            break;
        };
        let known = KEYS
            .iter()
            .position(|known| known.eq_ignore_ascii_case(key));
        // `-- https://…` is a comment; `-- Transaction:off` is surely
        // meant as a header line, and silently ignoring it would change
        // how the revision runs.
        if !spaced && known.is_none() {
            break;
        }
        // Header values reach terminals (history, status) and JSON
        // consumers: an escape there could clear or retitle the screen.
        // No message needs one, so it is refused here, once for all.
        if let Some(c) = line.chars().find(|&c| c.is_control() && c != '\t') {
            problems.push(
                problem(
                    number,
                    format!("control character U+{:04X} in the header", u32::from(c)),
                )
                .with_hint(
                    "header values are one line of plain text (tabs are fine); delete it \
                     (an editor may show it as ^[, <1b> or a box)",
                ),
            );
            unreadable.push(number);
        } else if let (false, Some(k)) = (spaced, known) {
            problems.push(
                problem(number, format!("no space after `{}:`", KEYS[k]))
                    .with_hint(format!("write `-- {}: {value}`", KEYS[k])),
            );
        }
        let Some(k) = known else {
            let blank_line = "a blank line ends the header: put one before a comment \
                              that is not part of it";
            let hint = match did_you_mean(key) {
                Some(known) => format!("did you mean `{known}`? If not, {blank_line}"),
                None => format!("the header keys are {}; {blank_line}", KEYS.join(", ")),
            };
            problems.push(problem(number, format!("unknown header key `{key}`")).with_hint(hint));
            continue;
        };
        match seen[k] {
            Some((first, _)) => problems.push(
                problem(
                    number,
                    format!("`{}` is given twice (first on line {first})", KEYS[k]),
                )
                .with_hint("keep one of the two lines"),
            ),
            None => seen[k] = Some((number, value)),
        }
    }

    let [
        parents,
        message,
        created,
        transaction,
        repeatable,
        replaces,
        placeholders,
        lock_timeout,
        statement_timeout,
    ] = seen;
    let parents_line = match parents {
        Some((line, value)) => {
            if !unreadable.contains(&line) {
                check_ids("Parents", id, value, |message, hint| {
                    problems.push(problem(line, message).with_hint(hint));
                });
            }
            line
        }
        None => {
            problems.push(
                problem(1, "missing the `Parents` header".to_owned()).with_hint(
                    "start the up file with `-- Parents: <parent id>, ...` \
                     (`-- Parents:` with nothing after it for a root revision), e.g.\n\
                     -- Parents: 0001_create_users\n-- Message: Add email to users",
                ),
            );
            1
        }
    };
    let transactional = match transaction.filter(|(line, _)| !unreadable.contains(line)) {
        None => true,
        Some((_, value)) if value.eq_ignore_ascii_case("on") => true,
        Some((_, value)) if value.eq_ignore_ascii_case("off") => false,
        Some((line, value)) => {
            problems.push(
                problem(
                    line,
                    format!("`Transaction` must be `on` or `off`, not `{value}`"),
                )
                .with_hint(
                    "`-- Transaction: off` runs this revision outside a transaction \
                     (for `CREATE INDEX CONCURRENTLY` and the like); without the line it runs in one",
                ),
            );
            true
        }
    };

    let mut timeout = |key: &str, field: Option<(usize, &str)>| {
        let (line, value) = field.filter(|(line, _)| !unreadable.contains(line))?;
        Setting::parse(value)
            .map_err(|message| {
                problems.push(problem(line, format!("`{key}`: {message}")).with_hint(format!(
                    "write a duration such as `-- {key}: 5s` (ms, s, min or h), or `-- {key}: off` \
                     for none; it sets the database's own {} for this revision",
                    key.to_ascii_lowercase().replace('-', "_")
                )))
            })
            .ok()
    };
    let timeouts = HeaderTimeouts {
        lock: timeout("Lock-Timeout", lock_timeout),
        statement: timeout("Statement-Timeout", statement_timeout),
    };
    let placeholders = match placeholders.filter(|(line, _)| !unreadable.contains(line)) {
        None => None,
        Some((_, value)) if value.eq_ignore_ascii_case("on") => Some(true),
        Some((_, value)) if value.eq_ignore_ascii_case("off") => Some(false),
        Some((line, value)) => {
            problems.push(
                problem(
                    line,
                    format!("`Placeholders` must be `on` or `off`, not `{value}`"),
                )
                .with_hint(
                    "`-- Placeholders: on` replaces each ${NAME} in this revision's SQL by its value \
                     (--set NAME=VALUE, MIGRATOR_NAME, or [placeholders] in migrator.toml); \
                     `off` keeps the SQL as written even with substitute_placeholders = true",
                ),
            );
            None
        }
    };
    let repeatable = match repeatable.filter(|(line, _)| !unreadable.contains(line)) {
        None => false,
        Some((_, value)) if value.eq_ignore_ascii_case("yes") => true,
        Some((_, value)) if value.eq_ignore_ascii_case("no") => false,
        Some((line, value)) => {
            problems.push(
                problem(
                    line,
                    format!("`Repeatable` must be `yes` or `no`, not `{value}`"),
                )
                .with_hint(
                    "`-- Repeatable: yes` re-applies this revision whenever its up file changes \
                     (views, functions, grants)",
                ),
            );
            false
        }
    };
    let replaces_value = replaces
        .filter(|(line, _)| !unreadable.contains(line))
        .map_or("", |(_, value)| value);
    if let Some((line, _)) = replaces.filter(|(line, _)| !unreadable.contains(line)) {
        check_ids("Replaces", id, replaces_value, |message, hint| {
            problems.push(problem(line, message).with_hint(hint));
        });
        if replaces_value.is_empty() {
            problems.push(
                problem(line, "`Replaces` names no revision".to_owned())
                    .with_hint("`migrator squash` writes it with the ids the squash stands for; remove the line otherwise"),
            );
        }
        if repeatable {
            problems.push(
                problem(
                    line,
                    "a repeatable revision cannot replace others".to_owned(),
                )
                .with_hint("a squash runs once; remove `Repeatable: yes` or `Replaces`"),
            );
        }
    }

    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        return Err(problems);
    }
    let non_empty = |field: Option<(usize, &str)>| {
        field
            .map(|(_, value)| value.to_owned())
            .filter(|value| !value.is_empty())
    };
    Ok(Header {
        parents: split_parents(parents.map_or("", |(_, value)| value)),
        parents_line,
        message: non_empty(message),
        created: non_empty(created),
        transactional,
        timeouts,
        repeatable,
        replaces: split_parents(replaces_value),
        placeholders,
    })
}

/// The header text for a new revision, ending with a blank line, that
/// [`parse`] reads back. The message and `created` are written on one line
/// (line breaks and other control characters become spaces, which `parse`
/// would refuse); an empty one is left out. `Transaction: off`
/// appears only when `transactional` is false.
pub fn render(
    parents: &[&str],
    message: Option<&str>,
    created: &str,
    transactional: bool,
) -> String {
    let mut text = String::from("-- Parents:");
    if !parents.is_empty() {
        text.push(' ');
        text.push_str(&parents.join(", "));
    }
    text.push('\n');
    for (key, value) in [("Message", message.unwrap_or("")), ("Created", created)] {
        let value = one_line(value);
        if !value.is_empty() {
            text.push_str(&format!("-- {key}: {value}\n"));
        }
    }
    if !transactional {
        text.push_str("-- Transaction: off\n");
    }
    text.push('\n');
    text
}

/// The header of a squash revision (`migrator squash`): a root that
/// `Replaces` the given ids, written like [`render`]'s, which [`parse`]
/// reads back.
pub fn render_squash(
    replaces: &[&str],
    message: Option<&str>,
    created: &str,
    transactional: bool,
    placeholders: Option<bool>,
) -> String {
    let mut text = render(&[], message, created, transactional);
    text.pop();
    text.push_str(&format!("-- Replaces: {}\n", replaces.join(", ")));
    match placeholders {
        Some(true) => text.push_str("-- Placeholders: on\n"),
        Some(false) => text.push_str("-- Placeholders: off\n"),
        None => {}
    }
    text.push('\n');
    text
}

/// The text after the header: what a squash copies of each revision it
/// replaces. The header ends where [`parse`] stops reading it; blank lines
/// after it go too.
pub fn body(text: &str) -> &str {
    let mut at = 0;
    let mut in_header = false;
    for line in text.split_inclusive('\n') {
        let is_header_line = header_line(line).is_some_and(|h| {
            h.spaced || KEYS.iter().any(|known| known.eq_ignore_ascii_case(h.key))
        });
        if line.trim().is_empty() {
            if in_header {
                at += line.len();
                break;
            }
        } else if is_header_line {
            in_header = true;
        } else {
            break;
        }
        at += line.len();
    }
    text[at..].trim_start_matches(['\n', ' ', '\t'])
}

/// A comment line of the form `-- Key:value`.
struct HeaderLine<'a> {
    key: &'a str,
    /// Trimmed.
    value: &'a str,
    /// Whether the colon is followed by a space (or tab) or ends the line,
    /// as in a header line; `-- https://…` is not.
    spaced: bool,
}

/// Splits `-- Key: value` (or `-- Key:` at the end of the line, as for
/// the `Parents` of a root) into key and trimmed value; `None` for a line
/// without a key and a colon, which ends the header.
fn header_line(line: &str) -> Option<HeaderLine<'_>> {
    let rest = line.trim_start().strip_prefix("--")?.trim_start();
    let key_end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    let (key, rest) = rest.split_at(key_end);
    let value = rest.trim_start().strip_prefix(':')?;
    let spaced = value.is_empty() || value.starts_with([' ', '\t']);
    (!key.is_empty()).then(|| HeaderLine {
        key,
        value: value.trim(),
        spaced,
    })
}

fn split_parents(value: &str) -> Vec<String> {
    if value.is_empty() {
        return Vec::new();
    }
    value.split(',').map(|p| p.trim().to_owned()).collect()
}

/// Reports, through `report(message, hint)`, each thing wrong with the
/// value of `key` (`Parents` or `Replaces`): comma-separated revision ids.
fn check_ids(key: &str, id: &str, value: &str, mut report: impl FnMut(String, String)) {
    let ids = split_parents(value);
    let (role, what) = match key {
        "Parents" => ("parent", "an earlier revision this one builds on"),
        _ => (
            "replaced revision",
            "an earlier revision this squash stands for",
        ),
    };
    for (i, named) in ids.iter().enumerate() {
        if named.is_empty() {
            report(
                format!("empty {role} id in `{key}`"),
                format!("separate {role} ids with single commas"),
            );
        } else if file_name::parse_id(named).is_none() {
            let lower = named.to_ascii_lowercase();
            let hint = if file_name::parse_id(&lower).is_some() {
                format!("ids are lowercase: `{lower}`")
            } else {
                format!(
                    "a {role} is a full revision id such as `0001_create_users`; \
                     separate several with commas"
                )
            };
            report(format!("`{named}` is not a revision id"), hint);
        } else if named == id {
            report(
                format!("revision `{id}` names itself as a {role}"),
                format!("a {role} is {what}"),
            );
        } else if ids[..i].contains(named) {
            report(
                format!("{role} `{named}` is listed twice"),
                format!("list each {role} once"),
            );
        }
    }
}

/// `value` on one line: runs of white space and control characters become
/// one space, as [`render`] writes header values.
pub fn one_line(value: &str) -> String {
    value
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The known key an unknown one was probably meant to be.
fn did_you_mean(key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    if let Some((_, known)) = ALIASES.iter().find(|(alias, _)| *alias == lower) {
        return Some(known);
    }
    suggest::closest(key, KEYS, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0005_add_email";
    const PATH: &str = "v/0005_add_email.up.sql";

    fn parse_ok(text: &str) -> Header {
        parse(Path::new(PATH), ID, text).unwrap_or_else(|problems| panic!("{text:?}: {problems:?}"))
    }

    fn header(parents: &[&str], line: usize, message: Option<&str>) -> Header {
        Header {
            parents: parents.iter().map(|p| p.to_string()).collect(),
            parents_line: line,
            message: message.map(str::to_owned),
            created: None,
            transactional: true,
            timeouts: HeaderTimeouts::default(),
            repeatable: false,
            replaces: Vec::new(),
            placeholders: None,
        }
    }

    #[test]
    fn placeholders_on_off_or_unsaid() {
        let cases = [
            ("-- Parents:\n", None),
            ("-- Parents:\n-- Placeholders: on\n", Some(true)),
            ("-- Placeholders: OFF\n-- Parents:\n", Some(false)),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_ok(text).placeholders, expected, "{text}");
        }
    }

    #[test]
    fn timeouts() {
        use std::time::Duration;
        let text = "-- Parents: 0004_a\n-- lock-timeout: 5s\n-- Statement-Timeout: 10min\n";
        assert_eq!(
            parse_ok(text).timeouts,
            HeaderTimeouts {
                lock: Some(Setting::After(Duration::from_secs(5))),
                statement: Some(Setting::After(Duration::from_secs(600))),
            }
        );
        let text = "-- Parents: 0004_a\n-- Statement-Timeout: off\n";
        assert_eq!(parse_ok(text).timeouts.statement, Some(Setting::Off));
        // (header line, problem)
        let cases = [
            (
                "-- Lock-Timeout: soon",
                "2: `Lock-Timeout`: `soon` is not a duration",
            ),
            (
                "-- Statement-Timeout: 0",
                "2: `Statement-Timeout`: `0` is too short a timeout",
            ),
            (
                "-- lock_timeout: 5s",
                "2: unknown header key `lock_timeout`",
            ),
        ];
        for (line, expected) in cases {
            let text = format!("-- Parents: 0004_a\n{line}\n");
            let problems = parse(Path::new(PATH), ID, &text).unwrap_err();
            let shown = format!("{}: {}", problems[0].line.unwrap(), problems[0].message);
            assert!(shown.starts_with(expected), "{line}: {shown}");
        }
        let problems = parse(
            Path::new(PATH),
            ID,
            "-- Parents: 0004_a\n-- lock_timeout: 5s\n",
        )
        .unwrap_err();
        assert!(
            problems[0]
                .hint
                .as_deref()
                .unwrap()
                .contains("did you mean `Lock-Timeout`?")
        );
    }

    #[test]
    fn good_headers() {
        let cases = [
            ("-- Parents: 0004_a\n", header(&["0004_a"], 1, None)),
            ("-- Parents:\n", header(&[], 1, None)),
            ("-- Parents:   \n", header(&[], 1, None)),
            ("\n\n  \n-- Parents: 0004_a\n", header(&["0004_a"], 4, None)),
            (
                "-- parents: 0004_a ,0004_b\n-- MESSAGE: Merge heads\n",
                header(&["0004_a", "0004_b"], 1, Some("Merge heads")),
            ),
            (
                "-- Message: a: b\n--Parents: 0004_a\nselect 1;\n-- Parent: not header\n",
                header(&["0004_a"], 2, Some("a: b")),
            ),
            (
                "-- Parents:\t0004_a\n-- Message:\tTabbed\n",
                header(&["0004_a"], 1, Some("Tabbed")),
            ),
            (
                // A colon not followed by a space is not a header line:
                // the header ends, and the rest are ordinary comments.
                "-- Parents: 0004_a\n-- https://example.com/issue/1\n-- Message: x\n",
                header(&["0004_a"], 1, None),
            ),
            (
                "-- Parents: 0004_a\n-- see https://example.com/issue/1\n-- TODO: x\n",
                header(&["0004_a"], 1, None),
            ),
            (
                "-- Parents: 0004_a\n-- Message: m\n--:x\n-- TODO: x\n",
                header(&["0004_a"], 1, Some("m")),
            ),
            (
                "-- Parents: 0004_a\n-- note:x\n-- TODO: x\n",
                header(&["0004_a"], 1, None),
            ),
            (
                // A blank line ends the header; what follows is SQL.
                "-- Parents: 0004_a\n\n-- TODO: later\nselect 1;\n",
                header(&["0004_a"], 1, None),
            ),
            (
                "-- Parents: 0004_a\n-- Message:\n-- Add a column: email\n",
                header(&["0004_a"], 1, None),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_ok(text), expected, "text {text:?}");
        }
    }

    #[test]
    fn optional_keys() {
        let h = parse_ok(
            "-- Parents: 0004_a\n-- Created: 2026-11-21 10:15:00 UTC\n-- Transaction: OFF\n",
        );
        assert_eq!(h.created.as_deref(), Some("2026-11-21 10:15:00 UTC"));
        assert!(!h.transactional);
        assert!(parse_ok("-- Parents: 0004_a\n-- transaction: On\n").transactional);
    }

    #[test]
    fn bad_headers() {
        /// (line, message fragment, hint fragment) of each problem.
        type Expected = &'static [(usize, &'static str, &'static str)];
        let cases: &[(&str, Expected)] = &[
            ("", &[(1, "missing the `Parents` header", "-- Parents: ")]),
            (
                "create table t (id integer);\n-- Parents: 0004_a\n",
                &[(1, "missing the `Parents` header", "root revision")],
            ),
            (
                "-- Message: x\n\n-- Parents: 0004_a\n",
                &[(1, "missing the `Parents` header", "-- Parents: ")],
            ),
            (
                "-- Parent: 0004_a\n",
                &[
                    (1, "unknown header key `Parent`", "did you mean `Parents`?"),
                    (1, "missing the `Parents` header", "-- Parents: "),
                ],
            ),
            (
                "-- Parents: 0004_a\n-- Mesage: x\n-- Revises: 0004_a\n-- Trans: off\n",
                &[
                    (2, "unknown header key `Mesage`", "did you mean `Message`?"),
                    (3, "unknown header key `Revises`", "did you mean `Parents`?"),
                    (
                        4,
                        "unknown header key `Trans`",
                        "did you mean `Transaction`?",
                    ),
                ],
            ),
            (
                "-- Parents: 0004_a\n-- Author: ann\n",
                &[(
                    2,
                    "unknown header key `Author`",
                    "a blank line ends the header",
                )],
            ),
            (
                "-- Parents: 0004_a\n-- Placeholders: yes\n-- Placeholder: on\n",
                &[
                    (
                        2,
                        "`Placeholders` must be `on` or `off`, not `yes`",
                        "--set NAME=VALUE",
                    ),
                    (
                        3,
                        "unknown header key `Placeholder`",
                        "did you mean `Placeholders`?",
                    ),
                ],
            ),
            (
                "-- Parents: 0004_a\n-- TODO: x\n",
                &[(
                    2,
                    "unknown header key `TODO`",
                    "the header keys are Parents, Message, Created, Transaction, Repeatable, \
                     Replaces, Placeholders, Lock-Timeout, Statement-Timeout; a blank line ends the \
                     header: put one before a comment",
                )],
            ),
            (
                "-- Parents: 0004_a\n-- Msg: x\n",
                &[(
                    2,
                    "unknown header key `Msg`",
                    "did you mean `Message`? If not, a blank line ends the header",
                )],
            ),
            (
                // Known keys without the space are errors, not comments:
                // `Transaction:off` ignored would run in a transaction.
                "--Parents:0004_a\n-- transaction:off\n-- Message:\n",
                &[
                    (1, "no space after `Parents:`", "write `-- Parents: 0004_a`"),
                    (
                        2,
                        "no space after `Transaction:`",
                        "write `-- Transaction: off`",
                    ),
                ],
            ),
            (
                "-- Parents: 0004_a\n-- Message: x\n-- PARENTS: 0004_b\n",
                &[(3, "`Parents` is given twice (first on line 1)", "keep one")],
            ),
            (
                "-- Parents: 0004_a, 0004_b, 0004_a\n",
                &[(1, "parent `0004_a` is listed twice", "once")],
            ),
            (
                "-- Message: x\n-- Parents: 0004_a, 0005_add_email\n",
                &[(
                    2,
                    "revision `0005_add_email` names itself as a parent",
                    "earlier",
                )],
            ),
            (
                "-- Parents: 0004\n",
                &[(1, "`0004` is not a revision id", "full revision id")],
            ),
            (
                "-- Parents: 0004_A\n",
                &[(
                    1,
                    "`0004_A` is not a revision id",
                    "ids are lowercase: `0004_a`",
                )],
            ),
            (
                "-- Parents: 0004_a 0004_b\n",
                &[(
                    1,
                    "`0004_a 0004_b` is not a revision id",
                    "separate several with commas",
                )],
            ),
            (
                "-- Parents: 0004_a,,0004_b\n",
                &[(1, "empty parent id in `Parents`", "single commas")],
            ),
            (
                "-- Parents: 0004_a\n-- Message: evil \u{1b}[2J\u{1b}]0;pwned\u{7}\n",
                &[(2, "control character U+001B in the header", "plain text")],
            ),
            (
                // Reported once, and the value is not echoed by the
                // other checks of `Parents` and `Transaction`.
                "-- Parents: 0004_\u{9b}2J\n-- Transaction: o\u{7f}ff\n",
                &[
                    (1, "control character U+009B in the header", "plain text"),
                    (2, "control character U+007F in the header", "plain text"),
                ],
            ),
            (
                "-- Parents: 0004_a\n-- Created:\u{b}x\n",
                &[(2, "control character U+000B in the header", "plain text")],
            ),
            (
                "-- Parents: 0004_a\n-- Message: a\rb\n",
                &[(2, "control character U+000D in the header", "plain text")],
            ),
            (
                "-- Parents: 0004_a\n-- Mesage: \u{1b}x\n-- https:\u{1b}x\n",
                &[
                    (2, "control character U+001B in the header", "plain text"),
                    (2, "unknown header key `Mesage`", "did you mean `Message`?"),
                ],
            ),
            (
                "-- Parents: 0004_a\n-- Transaction: maybe\n",
                &[(
                    2,
                    "`Transaction` must be `on` or `off`, not `maybe`",
                    "Transaction: off",
                )],
            ),
        ];
        for (text, expected) in cases {
            let problems = parse(Path::new(PATH), ID, text).expect_err(text);
            assert_eq!(problems.len(), expected.len(), "{text:?}: {problems:#?}");
            for (problem, (line, message, hint)) in problems.iter().zip(*expected) {
                assert_eq!(problem.path, Path::new(PATH));
                assert_eq!(problem.line, Some(*line), "{text:?}: {problem:?}");
                assert!(problem.message.contains(message), "{text:?}: {problem:?}");
                let got = problem.hint.as_deref().unwrap_or("");
                assert!(got.contains(hint), "{text:?}: {problem:?}");
            }
        }
    }

    #[test]
    fn render_is_read_back() {
        /// (parents, message, created, transactional, message read back)
        type Case = (
            &'static [&'static str],
            Option<&'static str>,
            &'static str,
            bool,
            Option<&'static str>,
        );
        let cases: &[Case] = &[
            (&[], None, "", true, None),
            (
                &["0001_a"],
                Some("Add email"),
                "2026-11-21 10:15:00 UTC",
                true,
                Some("Add email"),
            ),
            (
                &["0004_a", "0004_b"],
                Some("merge heads"),
                "now",
                false,
                Some("merge heads"),
            ),
            (
                &["0001_a"],
                Some("two\nlines\r\n  here "),
                "x",
                true,
                Some("two lines here"),
            ),
            (&["0001_a"], Some("   "), "", true, None),
            (
                &["0001_a"],
                Some("evil \u{1b}[2J\u{1b}]0;x\u{7} \u{9b}1m\ttab"),
                "x",
                true,
                Some("evil [2J ]0;x 1m tab"),
            ),
            (
                &["0001_a"],
                Some("-- Parents: tricky: yes"),
                "",
                true,
                Some("-- Parents: tricky: yes"),
            ),
        ];
        for (parents, message, created, transactional, expected_message) in cases {
            let text = render(parents, *message, created, *transactional);
            assert!(text.ends_with("\n\n"), "{text:?}");
            let got = parse_ok(&format!("{text}select 1;\n"));
            assert_eq!(got.parents, *parents, "{text:?}");
            assert_eq!(got.parents_line, 1);
            assert_eq!(got.message.as_deref(), *expected_message, "{text:?}");
            assert_eq!(
                got.created.as_deref(),
                Some(*created).filter(|c| !c.is_empty())
            );
            assert_eq!(got.transactional, *transactional, "{text:?}");
        }
    }

    #[test]
    fn repeatable_and_replaces() {
        // (text, repeatable, replaces)
        let cases: &[(&str, bool, &[&str])] = &[
            ("-- Parents: 0004_a\n", false, &[]),
            ("-- Parents: 0004_a\n-- Repeatable: yes\n", true, &[]),
            ("-- Parents: 0004_a\n-- repeatable: YES\n", true, &[]),
            ("-- Parents: 0004_a\n-- Repeatable: no\n", false, &[]),
            (
                "-- Parents:\n-- Replaces: 0001_a, 0002_b,0003_c\n",
                false,
                &["0001_a", "0002_b", "0003_c"],
            ),
        ];
        for (text, repeatable, replaces) in cases {
            let header = parse_ok(text);
            assert_eq!(header.repeatable, *repeatable, "{text:?}");
            assert_eq!(header.replaces, *replaces, "{text:?}");
        }
        // (text, line, message fragment, hint fragment)
        let bad: &[(&str, usize, &str, &str)] = &[
            (
                "-- Parents: 0004_a\n-- Repeatable: true\n",
                2,
                "`Repeatable` must be `yes` or `no`, not `true`",
                "re-applies",
            ),
            (
                "-- Parents:\n-- Replaces:\n",
                2,
                "`Replaces` names no revision",
                "squash",
            ),
            (
                "-- Parents:\n-- Replaces: 0001_a, 0001_a\n",
                2,
                "replaced revision `0001_a` is listed twice",
                "once",
            ),
            (
                "-- Parents:\n-- Replaces: 0005_add_email\n",
                2,
                "names itself as a replaced revision",
                "squash stands for",
            ),
            (
                "-- Parents:\n-- Replaces: 0001\n",
                2,
                "`0001` is not a revision id",
                "full revision id",
            ),
            (
                "-- Parents:\n-- Repeatable: yes\n-- Replaces: 0001_a\n",
                3,
                "a repeatable revision cannot replace others",
                "runs once",
            ),
            (
                "-- Parents: 0004_a\n-- Repeat: yes\n",
                2,
                "unknown header key `Repeat`",
                "did you mean `Repeatable`?",
            ),
        ];
        for (text, line, message, hint) in bad {
            let problems = parse(Path::new(PATH), ID, text).expect_err(text);
            assert_eq!(problems.len(), 1, "{text:?}: {problems:#?}");
            assert_eq!(problems[0].line, Some(*line), "{text:?}");
            assert!(problems[0].message.contains(message), "{problems:?}");
            assert!(
                problems[0].hint.as_deref().unwrap_or("").contains(hint),
                "{problems:?}"
            );
        }
    }

    #[test]
    fn body_is_what_follows_the_header() {
        let cases = [
            ("-- Parents: 0001_a\n\nselect 1;\n", "select 1;\n"),
            (
                "\n-- Parents: 0001_a\n-- Message: m\nselect 1;\n",
                "select 1;\n",
            ),
            (
                "-- Parents: 0001_a\n-- see https://x\nselect 1;\n",
                "-- see https://x\nselect 1;\n",
            ),
            ("-- Parents: 0001_a\n\n\n-- a comment\n", "-- a comment\n"),
            ("-- Parents:\n", ""),
            ("-- Parents: 0001_a\n\n  select 1;", "select 1;"),
        ];
        for (text, body_text) in cases {
            assert_eq!(body(text), body_text, "{text:?}");
        }
    }

    #[test]
    fn render_squash_is_read_back() {
        let text = render_squash(&["0001_a", "0002_b"], Some("squash"), "now", false, None);
        assert_eq!(
            text,
            "-- Parents:\n-- Message: squash\n-- Created: now\n-- Transaction: off\n\
             -- Replaces: 0001_a, 0002_b\n\n"
        );
        let header = parse_ok(&format!("{text}select 1;\n"));
        assert_eq!(header.replaces, ["0001_a", "0002_b"]);
        assert!(header.parents.is_empty());
        assert!(!header.transactional);
    }

    #[test]
    fn render_layout() {
        assert_eq!(
            render(
                &["0004_a", "0004_b"],
                Some("merge heads"),
                "2026-01-02 03:04:05 UTC",
                false
            ),
            "-- Parents: 0004_a, 0004_b\n-- Message: merge heads\n\
             -- Created: 2026-01-02 03:04:05 UTC\n-- Transaction: off\n\n"
        );
        assert_eq!(render(&[], None, "", true), "-- Parents:\n\n");
    }
}
