//! `-- migrator:allow RULE REASON`: a reviewed exception to a rule, for one
//! statement. The comment goes on the line right before the statement
//! (several such lines stack) or at the end of the statement's first line;
//! the reason is required, so that the next reader knows why it is safe.
//! A comment that cannot work silences nothing and is a finding itself.

use crate::sql::lexer::{Dialect, Kind, Lexer};
use crate::sql::text::line_col;

use super::rules::{self, RULES};

const DIRECTIVE: &str = "migrator:allow";

/// One `-- migrator:…` comment of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Allow<'a> {
    pub line: usize,
    pub column: usize,
    /// Alone on its line (else at the end of a line of SQL).
    pub alone: bool,
    /// What it allows, or why it cannot allow anything.
    pub read: Result<Allowed<'a>, Invalid>,
}

/// A comment that silences a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Allowed<'a> {
    pub rule: &'static str,
    pub reason: &'a str,
}

/// Why a comment silences nothing, and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Invalid {
    pub message: String,
    pub hint: String,
}

impl Allow<'_> {
    /// The rule it silences, if it silences one.
    pub fn rule(&self) -> Option<&'static str> {
        self.read.as_ref().ok().map(|allowed| allowed.rule)
    }
}

/// Every `-- migrator:` comment of `sql`, read in `dialect`, in order.
pub(super) fn find(sql: &str, dialect: Dialect) -> Vec<Allow<'_>> {
    Lexer::new(sql, dialect)
        .filter(|token| token.kind == Kind::LineComment)
        .filter_map(|token| {
            let body = token.text.strip_prefix("--")?.trim_start();
            let rest = body.strip_prefix("migrator:")?;
            let (line, column) = line_col(sql, token.offset);
            let line_start = sql[..token.offset].rfind('\n').map_or(0, |i| i + 1);
            Some(Allow {
                line,
                column,
                alone: sql[line_start..token.offset].trim().is_empty(),
                read: read(rest),
            })
        })
        .collect()
}

/// What follows `-- migrator:` in a comment.
fn read(rest: &str) -> Result<Allowed<'_>, Invalid> {
    let invalid = |message: String, hint: String| Err(Invalid { message, hint });
    let directive_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let (directive, after) = rest.split_at(directive_end);
    if directive != "allow" {
        return invalid(
            format!("`migrator:{directive}` is not a directive migrator knows"),
            format!("the one directive is `-- {DIRECTIVE} RULE REASON`"),
        );
    }
    let after = after.trim();
    let rule_end = after.find(char::is_whitespace).unwrap_or(after.len());
    let (name, reason) = after.split_at(rule_end);
    let reason = reason.trim();
    let usable = || {
        RULES
            .iter()
            .map(|rule| rule.id)
            .filter(|&id| id != "invalid-allow")
    };
    let listed = || usable().collect::<Vec<_>>().join(", ");
    if name.is_empty() {
        return invalid(
            format!("`-- {DIRECTIVE}` names no rule"),
            format!(
                "write `-- {DIRECTIVE} RULE REASON`; the rules are {}",
                listed()
            ),
        );
    }
    let Some(rule) = rules::rule(name).filter(|rule| rule.id != "invalid-allow") else {
        let hint = match crate::suggest::closest(name, usable(), &[]) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("the rules are {}", listed()),
        };
        return invalid(format!("`-- {DIRECTIVE} {name}`: no such rule"), hint);
    };
    if reason.is_empty() {
        return invalid(
            format!("`-- {DIRECTIVE} {name}` gives no reason"),
            format!(
                "say why the statement is safe here: `-- {DIRECTIVE} {name} the table holds ten rows`"
            ),
        );
    }
    Ok(Allowed {
        rule: rule.id,
        reason,
    })
}

/// For each statement (given by the line its first token is on), the
/// allows that belong to it, by index into `allows`; and whether each
/// allow belongs to a statement.
pub(super) fn attach(allows: &[Allow<'_>], first_lines: &[usize]) -> (Vec<Vec<usize>>, Vec<bool>) {
    let mut attached = vec![false; allows.len()];
    let alone_on = |line: usize| allows.iter().position(|a| a.alone && a.line == line);
    let per_statement = first_lines
        .iter()
        .map(|&first| {
            let mut mine: Vec<usize> = allows
                .iter()
                .enumerate()
                .filter(|(_, a)| !a.alone && a.line == first)
                .map(|(i, _)| i)
                .collect();
            let mut line = first;
            while line > 1 {
                line -= 1;
                match alone_on(line) {
                    Some(i) => mine.push(i),
                    None => break,
                }
            }
            for &i in &mine {
                attached[i] = true;
            }
            mine
        })
        .collect();
    (per_statement, attached)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(sql: &str) -> Vec<Allow<'_>> {
        find(sql, Dialect::Postgres)
    }

    /// A rule and reason, or what the problem says.
    type Expected = Result<(&'static str, &'static str), &'static str>;

    #[test]
    fn reads_rule_and_reason() {
        let cases: &[(&str, Expected)] = &[
            (
                "-- migrator:allow drop-column the code stopped using it in 1.4",
                Ok(("drop-column", "the code stopped using it in 1.4")),
            ),
            (
                "--migrator:allow drop-column  why  ",
                Ok(("drop-column", "why")),
            ),
            ("-- migrator:allow drop-column", Err("gives no reason")),
            ("-- migrator:allow drop-column   ", Err("gives no reason")),
            ("-- migrator:allow", Err("names no rule")),
            ("-- migrator:allow drop-colum because", Err("no such rule")),
            (
                "-- migrator:allow invalid-allow because",
                Err("no such rule"),
            ),
            (
                "-- migrator:alow drop-column because",
                Err("not a directive"),
            ),
        ];
        for (sql, expected) in cases {
            let found = allows(sql);
            assert_eq!(found.len(), 1, "{sql}");
            match (&found[0].read, expected) {
                (Ok(allowed), Ok((rule, reason))) => {
                    assert_eq!((allowed.rule, allowed.reason), (*rule, *reason), "{sql}");
                }
                (Err(invalid), Err(text)) => {
                    assert!(invalid.message.contains(text), "{sql}: {invalid:?}");
                }
                (read, _) => panic!("{sql}: {read:?}"),
            }
        }
    }

    #[test]
    fn suggests_the_rule_meant() {
        let found = allows("-- migrator:allow drop-colum because");
        assert_eq!(
            found[0].read.as_ref().unwrap_err().hint,
            "did you mean `drop-column`?"
        );
    }

    #[test]
    fn only_line_comments_outside_strings_count() {
        let sql = "select '-- migrator:allow x y';\n/* -- migrator:allow x y */ select 1;\n-- not migrator:allow x y\n";
        assert_eq!(allows(sql), []);
    }

    #[test]
    fn attaches_to_the_statement_below_or_on_the_line() {
        // Lines: 1 allow, 2 statement A; 3 statement B with a trailing
        // allow; 4 blank; 5 allow, 6 allow, 7 statement C; 8 allow, 9
        // blank, 10 statement D; 11 statement E spanning lines 11-12 with
        // an allow at the end of its second line.
        let sql = "-- migrator:allow drop-table a\nDROP TABLE a;\nDROP TABLE b; -- migrator:allow drop-table b\n\n-- migrator:allow drop-table c\n-- migrator:allow drop-column c\nDROP TABLE c;\n-- migrator:allow drop-table d\n\nDROP TABLE d;\nALTER TABLE e\n  DROP COLUMN x; -- migrator:allow drop-column e\n";
        let found = allows(sql);
        let lines: Vec<usize> = found.iter().map(|a| a.line).collect();
        assert_eq!(lines, [1, 3, 5, 6, 8, 12]);
        let (per_statement, attached) = attach(&found, &[2, 3, 7, 10, 11]);
        assert_eq!(
            per_statement,
            [vec![0], vec![1], vec![3, 2], vec![], vec![]]
        );
        assert_eq!(attached, [true, true, true, true, false, false]);
    }
}
