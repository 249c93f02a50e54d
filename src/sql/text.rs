//! Positions inside SQL text, so errors can name a line and column.

use crate::sql::lexer::{Dialect, Lexer};

/// The 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The offset of the first byte at or after `offset` (where a token
/// starts) that is not white space or a comment, in `dialect`: where the
/// next statement really starts.
pub fn skip_trivia(text: &str, offset: usize, dialect: Dialect) -> usize {
    Lexer::starting_at(text, offset, dialect)
        .find(|token| !token.is_trivia())
        .map_or(text.len(), |token| token.offset)
}

/// A string literal for SQL, with quotes doubled. Both SQLite and
/// PostgreSQL (with `standard_conforming_strings`, the default) read it.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let text = "-- Parents:\n\nCREATE TABLE é (\n  id int\n);";
        let cases = [
            (0, (1, 1)),
            (12, (2, 1)),
            (13, (3, 1)),
            (27, (3, 14)),
            (28, (3, 15)),
            (31, (4, 1)),
            (33, (4, 3)),
            (999, (5, 3)),
        ];
        for (offset, expected) in cases {
            assert_eq!(line_col(text, offset), expected, "offset {offset}");
        }
    }

    #[test]
    fn skips_white_space_and_comments() {
        use Dialect::*;
        let cases = [
            ("select 1", 0, Postgres, 0),
            ("  \n select 1", 0, Postgres, 4),
            ("-- a\n/* b\n */ select", 0, Postgres, 14),
            ("-- only a comment", 0, Postgres, 17),
            ("x; -- c\n y", 2, Postgres, 9),
            ("/* a /* b */ c */ select", 0, Postgres, 18),
            ("/* a /* b */ c */ select", 0, Sqlite, 13),
            ("/* open", 0, Sqlite, 7),
        ];
        for (text, from, dialect, expected) in cases {
            assert_eq!(skip_trivia(text, from, dialect), expected, "{text:?}");
        }
    }

    #[test]
    fn literals_double_quotes() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal(""), "''");
    }
}
