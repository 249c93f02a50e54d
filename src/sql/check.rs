//! `CHECK` constraints in DDL text: SQLite keeps them only in the text of
//! its `CREATE TABLE`, so comparing schemas has to read them there.

use crate::sql::lexer::{Dialect, Lexer};

/// The `CHECK (…)` clauses of a `CREATE TABLE` text, parentheses included,
/// in order. Quotes and comments are skipped as the dialect reads them, so
/// a `check (` inside a string, a quoted name or a comment is none; a
/// clause whose parenthesis never closes runs to the end of the text.
pub fn clauses(sql: &str, dialect: Dialect) -> Vec<&str> {
    let mut tokens = Lexer::new(sql, dialect)
        .filter(|token| !token.is_trivia())
        .peekable();
    let mut found = Vec::new();
    while let Some(token) = tokens.next() {
        if !token.is_word("check") {
            continue;
        }
        let Some(open) = tokens.next_if(|next| next.is_punct('(')) else {
            continue;
        };
        let mut depth = 1usize;
        let mut end = sql.len();
        for token in tokens.by_ref() {
            if token.is_punct('(') {
                depth += 1;
            } else if token.is_punct(')') {
                depth -= 1;
                if depth == 0 {
                    end = token.end();
                    break;
                }
            }
        }
        found.push(&sql[open.offset..end]);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_check_clause_whole() {
        use Dialect::*;
        let cases: &[(&str, Dialect, &[&str])] = &[
            ("CREATE TABLE t (a int)", Sqlite, &[]),
            (
                "CREATE TABLE t (a int CHECK (a > 0), b text check(b IN ('x)', 'y')))",
                Sqlite,
                &["(a > 0)", "(b IN ('x)', 'y'))"],
            ),
            (
                "CREATE TABLE t (a int CONSTRAINT pos Check\n  ((a) > 0 AND (a < 9)))",
                Sqlite,
                &["((a) > 0 AND (a < 9))"],
            ),
            // Names and words that only look like CHECK.
            (
                "CREATE TABLE t (checks int, \"check\" int, [check] int, `check` int)",
                Sqlite,
                &[],
            ),
            (
                "CREATE TABLE t (a int CHECK (a <> ')' AND \"b)\" <> `c)`))",
                Sqlite,
                &["(a <> ')' AND \"b)\" <> `c)`)"],
            ),
            // Comments, and a comment between CHECK and its clause.
            ("CREATE TABLE t (a int -- check (a > 0)\n)", Sqlite, &[]),
            (
                "CREATE TABLE t (a int /* check (a) */ CHECK /* ) */ (a > 0))",
                Sqlite,
                &["(a > 0)"],
            ),
            (
                "CREATE TABLE t (a int /* /* */ CHECK (a > 0))",
                Sqlite,
                &["(a > 0)"],
            ),
            (
                "CREATE TABLE t (a int /* /* */ CHECK (a > 0)) */ CHECK (b))",
                Postgres,
                &["(b)"],
            ),
            // Left open: to the end.
            (
                "CREATE TABLE t (a int CHECK (a > (0)",
                Sqlite,
                &["(a > (0)"],
            ),
            ("CREATE TABLE t (a int CHECK", Sqlite, &[]),
        ];
        for (sql, dialect, expected) in cases {
            assert_eq!(clauses(sql, *dialect), *expected, "{sql}");
        }
    }
}
