//! Placeholders: `${NAME}` in the SQL of a revision whose header says
//! `-- Placeholders: on` (or of every revision, with
//! `substitute_placeholders = true` in `migrator.toml`), replaced by a value
//! before the SQL runs. Pure: the values come in as a [`Placeholders`].
//!
//! The rules, which docs/revision-files.md shows to users:
//!
//! - A placeholder is `${` + a name (`[A-Za-z_][A-Za-z0-9_]*`, case
//!   sensitive) + `}`. Anything else (`${}`, `${a-b}`, `${"json": 1}`) is
//!   not one and stays as written.
//! - `$${NAME}` is the escape: it becomes `${NAME}`, unsubstituted.
//! - Placeholders are replaced in SQL, in string literals, in quoted
//!   identifiers and in dollar-quoted bodies (a tenant's schema name in a
//!   `'…'` or a function body is what they are for), but not in comments:
//!   a comment is left as written, so the header (which is comments) is
//!   never changed, and commenting out a line that uses an unset name does
//!   not make it an error. A comment inside a dollar-quoted body is text of
//!   the body, and is substituted.
//! - Values are put in as they are, neither quoted nor escaped: the file
//!   decides whether a value is an identifier (`${TENANT}`), a string
//!   (`'${ENV}'`) or SQL.
//! - A name without a value is a problem naming the file, line and column,
//!   and every such problem of the files about to run is reported at once,
//!   before anything runs.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;

use crate::source::problem::Problem;
use crate::source::revision::Revision;
use crate::sql::lexer::{Dialect, Kind, Lexer};
use crate::sql::text::line_col;

/// The prefix of environment variables that give placeholders their
/// values: `MIGRATOR_TENANT` gives `${TENANT}`.
pub const ENV_PREFIX: &str = "MIGRATOR_";

/// Environment variables with [`ENV_PREFIX`] that migrator, its test
/// harness, its Docker image or its GitHub Action read for themselves:
/// never placeholders (the Action exports `MIGRATOR_DIR` and
/// `MIGRATOR_DATABASE_URL` to the step that runs migrator). Names that start
/// with `MIGRATOR_TEST_` are the test suite's and are left out too.
pub const RESERVED_ENV: [&str; 11] = [
    "MIGRATOR_ENV",
    "MIGRATOR_CONFIG",
    "MIGRATOR_DIR",
    "MIGRATOR_DATABASE_URL",
    "MIGRATOR_ARGS",
    "MIGRATOR_REF",
    "MIGRATOR_REPOSITORY",
    "MIGRATOR_BIN",
    "MIGRATOR_BINARY",
    "MIGRATOR_BLESS",
    "MIGRATOR_CHECK_ACTION_VENV",
];

/// The values placeholders take, and whether files that do not say
/// `-- Placeholders:` in their header use them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placeholders {
    /// Name → value.
    pub values: BTreeMap<String, String>,
    /// `substitute_placeholders = true`: every file without a
    /// `-- Placeholders: off` line is substituted.
    pub everywhere: bool,
}

impl Placeholders {
    /// Whether `revision`'s files are substituted.
    pub fn apply_to(&self, revision: &Revision) -> bool {
        revision.placeholders.unwrap_or(self.everywhere)
    }

    /// `revision` with the placeholders of the files that run replaced:
    /// for an upgrade (`up`) both files (the record keeps both as they
    /// would run), for a downgrade the down file. The checksums stay those of the
    /// files as written. Borrowed when the revision does not use
    /// placeholders; every unset name of both files at once otherwise.
    pub fn revision<'a>(
        &self,
        revision: &'a Revision,
        up: bool,
    ) -> Result<Cow<'a, Revision>, Vec<Problem>> {
        if !self.apply_to(revision) {
            return Ok(Cow::Borrowed(revision));
        }
        let lookup = |name: &str| self.values.get(name).cloned();
        let mut problems = Vec::new();
        let mut substituted =
            |file: &crate::source::revision::SqlFile| match substitute(&file.sql, lookup) {
                Ok(text) => Some(text.into_owned()),
                Err(unset) => {
                    problems.extend(unset.iter().map(|u| u.problem(&file.path)));
                    None
                }
            };
        let up_sql = if up { substituted(&revision.up) } else { None };
        let down_sql = substituted(&revision.down);
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut owned = revision.clone();
        if let Some(sql) = up_sql {
            owned.up.sql = sql;
        }
        if let Some(sql) = down_sql {
            owned.down.sql = sql;
        }
        Ok(Cow::Owned(owned))
    }
}

impl Placeholders {
    /// `revision` as `verify --lint` reads it: when it uses placeholders,
    /// each `${NAME}` replaced by its value, or by `NAME` itself when it
    /// has none, so that the SQL parses (`CREATE TABLE ${TENANT}.t` as
    /// `CREATE TABLE TENANT.t`) and findings keep their lines. Never fails:
    /// the lint needs no values.
    pub fn revision_for_lint<'a>(&self, revision: &'a Revision) -> Cow<'a, Revision> {
        if !self.apply_to(revision) {
            return Cow::Borrowed(revision);
        }
        let mut owned = revision.clone();
        for file in [&mut owned.up, &mut owned.down] {
            let value = |name: &str| {
                Some(
                    self.values
                        .get(name)
                        .map_or(name, String::as_str)
                        .to_owned(),
                )
            };
            if let Ok(Cow::Owned(text)) = substitute(&file.sql, value) {
                file.sql = text;
            }
        }
        Cow::Owned(owned)
    }
}

/// Whether `name` can be written `${name}`.
pub fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Reads `NAME=VALUE` (of `--set`): the name must be one [`is_name`]
/// accepts; the value may be empty and may hold `=`.
pub fn parse_assignment(text: &str) -> Result<(String, String), String> {
    let Some((name, value)) = text.split_once('=') else {
        return Err(format!("`{text}` is not NAME=VALUE"));
    };
    if !is_name(name) {
        return Err(format!(
            "`{name}` is not a placeholder name: letters, digits and _, not starting with a digit"
        ));
    }
    Ok((name.to_owned(), value.to_owned()))
}

/// The placeholders the environment gives: `MIGRATOR_NAME=value` for each
/// variable with [`ENV_PREFIX`] whose rest is a name, except the
/// [`RESERVED_ENV`] ones and the test suite's `MIGRATOR_TEST_*`. Variables
/// that are not Unicode are left out.
pub fn from_environment(
    vars: impl IntoIterator<Item = (OsString, OsString)>,
) -> BTreeMap<String, String> {
    vars.into_iter()
        .filter_map(|(key, value)| Some((key.into_string().ok()?, value.into_string().ok()?)))
        .filter(|(key, _)| {
            !RESERVED_ENV.contains(&key.as_str()) && !key.starts_with("MIGRATOR_TEST_")
        })
        .filter_map(|(key, value)| {
            let name = key.strip_prefix(ENV_PREFIX)?;
            is_name(name).then(|| (name.to_owned(), value))
        })
        .collect()
}

/// Whether migrator or its tooling reads the variable `key` itself.
fn is_reserved(key: &str) -> bool {
    RESERVED_ENV.contains(&key) || key.starts_with("MIGRATOR_TEST_")
}

/// A `${NAME}` without a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unset {
    pub name: String,
    /// 1-based line and column (in characters) of its `$`.
    pub line: usize,
    pub column: usize,
}

impl Unset {
    /// The problem to report for `path`.
    pub fn problem(&self, path: &Path) -> Problem {
        let name = &self.name;
        Problem::new(
            path,
            Some(self.line),
            format!(
                "placeholder `${{{name}}}` (column {}) has no value",
                self.column
            ),
        )
        .with_hint(format!(
            "give it one with `--set {name}=VALUE`, {}or `{name} = \"VALUE\"` under \
             [placeholders] in migrator.toml; write `$${{{name}}}` for the text `${{{name}}}` itself",
            if is_reserved(&format!("{ENV_PREFIX}{name}")) {
                String::new()
            } else {
                format!("the environment variable {ENV_PREFIX}{name}, ")
            }
        ))
    }
}

/// One `${…}` or `$${…}` found in a text.
struct Found<'a> {
    /// Byte range of the whole thing, `$` to `}`.
    start: usize,
    end: usize,
    name: &'a str,
    escaped: bool,
}

/// Every placeholder and escape of `text`, in order.
fn find(text: &str) -> Vec<Found<'_>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = text[at..].find("${").map(|i| at + i) {
        let name_start = i + 2;
        let name_len = text[name_start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(text.len() - name_start);
        let name = &text[name_start..name_start + name_len];
        let close = name_start + name_len;
        if is_name(name) && bytes.get(close) == Some(&b'}') {
            let escaped = i > 0 && bytes[i - 1] == b'$';
            found.push(Found {
                start: if escaped { i - 1 } else { i },
                end: close + 1,
                name,
                escaped,
            });
            at = close + 1;
        } else {
            at = i + 2;
        }
    }
    found
}

/// The byte ranges of `text`'s comments. The escapes are blanked first, so
/// that the `$$` of `$${NAME}` does not read as a dollar quote.
fn comments(text: &str, found: &[Found<'_>]) -> Vec<(usize, usize)> {
    let masked: Cow<str> = if found.iter().any(|f| f.escaped) {
        let mut bytes = text.as_bytes().to_vec();
        for f in found.iter().filter(|f| f.escaped) {
            bytes[f.start] = b' ';
            bytes[f.start + 1] = b' ';
        }
        Cow::Owned(String::from_utf8(bytes).expect("ASCII replaced by ASCII"))
    } else {
        Cow::Borrowed(text)
    };
    // The backend may not be known (the roundtrip's, a --sql preview's is);
    // comments mean the same to both but for nesting, where this reading
    // ends a comment early, which only substitutes more.
    Lexer::new(&masked, Dialect::Unknown)
        .filter(|token| matches!(token.kind, Kind::LineComment | Kind::BlockComment))
        .map(|token| (token.offset, token.end()))
        .collect()
}

/// `text` with its placeholders replaced by `value(name)` and its escapes
/// by what they stand for, comments left as written (see the module's
/// rules). Borrowed when nothing changes; every name without a value
/// otherwise.
pub fn substitute<'t>(
    text: &'t str,
    value: impl Fn(&str) -> Option<String>,
) -> Result<Cow<'t, str>, Vec<Unset>> {
    let found = find(text);
    if found.is_empty() {
        return Ok(Cow::Borrowed(text));
    }
    let comments = comments(text, &found);
    let in_comment = |at: usize| comments.iter().any(|&(start, end)| start <= at && at < end);
    let mut out = String::with_capacity(text.len());
    let mut unset = Vec::new();
    let mut copied = 0;
    for f in found.iter().filter(|f| !in_comment(f.start)) {
        out.push_str(&text[copied..f.start]);
        copied = f.end;
        if f.escaped {
            out.push_str(&text[f.start + 1..f.end]);
            continue;
        }
        match value(f.name) {
            Some(value) => out.push_str(&value),
            None => {
                let (line, column) = line_col(text, f.start);
                unset.push(Unset {
                    name: f.name.to_owned(),
                    line,
                    column,
                });
            }
        }
    }
    if !unset.is_empty() {
        return Err(unset);
    }
    if copied == 0 {
        return Ok(Cow::Borrowed(text));
    }
    out.push_str(&text[copied..]);
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(name: &str) -> Option<String> {
        let value = match name {
            "TENANT" => Some("acme"),
            "ROLE" => Some("app_rw"),
            "EMPTY" => Some(""),
            "lower" => Some("x"),
            "SQL" => Some("-- not a comment to the scanner"),
            _ => None,
        };
        value.map(str::to_owned)
    }

    #[test]
    fn substitutes_in_sql_strings_identifiers_and_bodies() {
        let cases = [
            ("", ""),
            ("SELECT 1;", "SELECT 1;"),
            ("CREATE SCHEMA ${TENANT};", "CREATE SCHEMA acme;"),
            ("GRANT ALL ON t TO ${ROLE};", "GRANT ALL ON t TO app_rw;"),
            (
                "CREATE TABLE ${TENANT}.t_${TENANT}_x ();",
                "CREATE TABLE acme.t_acme_x ();",
            ),
            (
                "INSERT INTO s VALUES ('${TENANT}');",
                "INSERT INTO s VALUES ('acme');",
            ),
            (
                "CREATE TABLE \"${TENANT} data\" ();",
                "CREATE TABLE \"acme data\" ();",
            ),
            ("AS $$ SELECT '${TENANT}' $$;", "AS $$ SELECT 'acme' $$;"),
            ("AS $fn$${TENANT}$fn$;", "AS $fn${TENANT}$fn$;"),
            ("x${EMPTY}y", "xy"),
            ("${lower}${TENANT}", "xacme"),
            // Not placeholders: left as written.
            (
                "SELECT '${}', '${1a}', '${a-b}', '${ TENANT }';",
                "SELECT '${}', '${1a}', '${a-b}', '${ TENANT }';",
            ),
            (
                "SELECT $${\"json\": 1}$$::jsonb;",
                "SELECT $${\"json\": 1}$$::jsonb;",
            ),
            (
                "SELECT $1, $tag$a$tag$, '$', '{TENANT}';",
                "SELECT $1, $tag$a$tag$, '$', '{TENANT}';",
            ),
            ("${TENANT", "${TENANT"),
            // Escapes.
            ("SELECT '$${TENANT}';", "SELECT '${TENANT}';"),
            ("SELECT '$${UNSET}';", "SELECT '${UNSET}';"),
            ("$${TENANT}${TENANT}", "${TENANT}acme"),
            // A value is not read again.
            ("${SQL}\n${TENANT}", "-- not a comment to the scanner\nacme"),
        ];
        for (text, expected) in cases {
            assert_eq!(substitute(text, values).unwrap(), expected, "{text}");
        }
    }

    #[test]
    fn comments_are_left_as_written() {
        let cases = [
            (
                "-- Parents:\n-- Message: ${TENANT}\n\nSELECT ${TENANT};",
                "-- Parents:\n-- Message: ${TENANT}\n\nSELECT acme;",
            ),
            ("SELECT 1; -- ${UNSET}\n", "SELECT 1; -- ${UNSET}\n"),
            (
                "/* ${UNSET} */ SELECT ${TENANT};",
                "/* ${UNSET} */ SELECT acme;",
            ),
            (
                "-- GRANT ALL TO ${UNSET};\nGRANT ALL TO ${ROLE};",
                "-- GRANT ALL TO ${UNSET};\nGRANT ALL TO app_rw;",
            ),
            // `--` inside a string is no comment.
            ("SELECT '-- ${TENANT}';", "SELECT '-- acme';"),
            ("AS $$ -- ${TENANT}\n $$;", "AS $$ -- acme\n $$;"),
            // An escape's `$$` opens no dollar quote: the comment after it is one.
            (
                "SELECT '$${X}'; -- ${UNSET}\nSELECT ${TENANT};",
                "SELECT '${X}'; -- ${UNSET}\nSELECT acme;",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(substitute(text, values).unwrap(), expected, "{text}");
        }
    }

    #[test]
    fn unset_names_are_reported_with_line_and_column() {
        let text = "-- Parents:\n\nCREATE SCHEMA ${TENANT};\nGRANT USAGE ON SCHEMA ${TENANT} TO ${READER}, ${writer};\n${READER}";
        let unset = substitute(text, values).unwrap_err();
        let got: Vec<(&str, usize, usize)> = unset
            .iter()
            .map(|u| (u.name.as_str(), u.line, u.column))
            .collect();
        assert_eq!(
            got,
            [("READER", 4, 36), ("writer", 4, 47), ("READER", 5, 1)]
        );
        let problem = unset[0].problem(Path::new("v/0001_a.up.sql"));
        assert_eq!(
            problem.to_string(),
            "v/0001_a.up.sql:4: placeholder `${READER}` (column 36) has no value"
        );
        let hint = problem.hint.unwrap();
        assert!(
            hint.contains("--set READER=VALUE`, the environment variable MIGRATOR_READER, or"),
            "{hint}"
        );
        // MIGRATOR_ENV is migrator's own: not offered for ${ENV}.
        let unset = substitute("${ENV}", values).unwrap_err();
        let hint = unset[0].problem(Path::new("f")).hint.unwrap();
        assert!(hint.contains("--set ENV=VALUE`, or `ENV = "), "{hint}");
    }

    #[test]
    fn which_revisions_are_substituted() {
        use crate::source::file_name::Number;
        use crate::source::revision::SqlFile;
        let file = |name: &str, sql: &str| SqlFile {
            path: name.into(),
            sql: sql.into(),
            checksum: "c".into(),
        };
        let revision = |header: Option<bool>| Revision {
            id: "0001_a".into(),
            number: Number::parse("0001").unwrap(),
            parents: Vec::new(),
            parents_line: 1,
            message: None,
            created: None,
            transactional: true,
            repeatable: false,
            replaces: Vec::new(),
            has_down_file: true,
            placeholders: header,
            timeouts: Default::default(),
            up: file("up", "CREATE SCHEMA ${T};"),
            down: file("down", "DROP SCHEMA ${T};"),
        };
        let with = |everywhere| Placeholders {
            values: [("T".to_owned(), "t1".to_owned())].into(),
            everywhere,
        };
        // (header, everywhere, up) -> (up SQL, down SQL)
        let cases = [
            (
                (None, false, true),
                ("CREATE SCHEMA ${T};", "DROP SCHEMA ${T};"),
            ),
            (
                (Some(true), false, true),
                ("CREATE SCHEMA t1;", "DROP SCHEMA t1;"),
            ),
            ((None, true, true), ("CREATE SCHEMA t1;", "DROP SCHEMA t1;")),
            (
                (Some(false), true, true),
                ("CREATE SCHEMA ${T};", "DROP SCHEMA ${T};"),
            ),
            (
                (Some(true), false, false),
                ("CREATE SCHEMA ${T};", "DROP SCHEMA t1;"),
            ),
        ];
        for ((header, everywhere, up), (up_sql, down_sql)) in cases {
            let written = revision(header);
            let ran = with(everywhere).revision(&written, up).unwrap();
            assert_eq!(
                (ran.up.sql.as_str(), ran.down.sql.as_str()),
                (up_sql, down_sql),
                "{header:?} {everywhere} {up}"
            );
            assert_eq!(ran.up.checksum, "c");
        }
        // The lint's reading: a name without a value stands for itself.
        let written = revision(Some(true));
        let linted = Placeholders::default().revision_for_lint(&written);
        assert_eq!(linted.up.sql, "CREATE SCHEMA T;");
        let linted = with(false).revision_for_lint(&written);
        assert_eq!(linted.down.sql, "DROP SCHEMA t1;");
        assert!(matches!(
            with(false).revision_for_lint(&revision(None)),
            Cow::Borrowed(_)
        ));
        // Without a value: both files' problems at once, for an upgrade.
        let problems = Placeholders::default()
            .revision(&revision(Some(true)), true)
            .unwrap_err();
        let paths: Vec<String> = problems
            .iter()
            .map(|p| p.path.display().to_string())
            .collect();
        assert_eq!(paths, ["up", "down"]);
    }

    #[test]
    fn names() {
        for good in ["A", "_", "tenant", "TENANT_2", "_x9"] {
            assert!(is_name(good), "{good}");
        }
        for bad in ["", "1A", "a-b", "a b", "é", "a.b"] {
            assert!(!is_name(bad), "{bad}");
        }
    }

    #[test]
    fn assignments() {
        assert_eq!(parse_assignment("A=b").unwrap(), ("A".into(), "b".into()));
        assert_eq!(parse_assignment("A=").unwrap(), ("A".into(), "".into()));
        assert_eq!(
            parse_assignment("A=b=c").unwrap(),
            ("A".into(), "b=c".into())
        );
        assert!(parse_assignment("A").unwrap_err().contains("NAME=VALUE"));
        assert!(
            parse_assignment("1A=b")
                .unwrap_err()
                .contains("not a placeholder name")
        );
        assert!(parse_assignment("=b").is_err());
    }

    #[test]
    fn the_environment_gives_prefixed_names_but_not_migrators_own() {
        let vars = [
            ("MIGRATOR_TENANT", "acme"),
            ("MIGRATOR_lower", "x"),
            ("MIGRATOR_ENV", "prod"),
            ("MIGRATOR_DATABASE_URL", "postgres://"),
            ("MIGRATOR_DIR", "v"),
            ("MIGRATOR_TEST_POSTGRES_URL", "postgres://"),
            ("MIGRATOR_", "empty name"),
            ("MIGRATOR_A-B", "not a name"),
            ("TENANT", "no prefix"),
            ("DATABASE_URL", "no prefix"),
        ]
        .map(|(k, v)| (OsString::from(k), OsString::from(v)));
        let got = from_environment(vars);
        let expected: BTreeMap<String, String> = [("TENANT", "acme"), ("lower", "x")]
            .map(|(k, v)| (k.into(), v.into()))
            .into();
        assert_eq!(got, expected);
    }
}
