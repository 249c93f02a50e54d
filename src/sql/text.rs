//! Positions inside SQL text, so errors can name a line and column.

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

/// White space as PostgreSQL's lexer has it (`[ \t\n\r\f\v]`): ASCII
/// only, so a character such as U+00A0 stays part of the identifier it is
/// in, and with the vertical tab, which `u8::is_ascii_whitespace` leaves out.
pub(crate) fn is_space(byte: u8) -> bool {
    byte.is_ascii_whitespace() || byte == 0x0b
}

/// The offset of the first byte at or after `offset` that is not white
/// space or a comment: where the next statement really starts.
pub fn skip_trivia(text: &str, mut offset: usize) -> usize {
    let bytes = text.as_bytes();
    loop {
        while offset < bytes.len() && is_space(bytes[offset]) {
            offset += 1;
        }
        if bytes[offset..].starts_with(b"--") {
            offset = text[offset..]
                .find('\n')
                .map_or(bytes.len(), |i| offset + i + 1);
        } else if bytes[offset..].starts_with(b"/*") {
            offset = text[offset + 2..]
                .find("*/")
                .map_or(bytes.len(), |i| offset + 2 + i + 2);
        } else {
            return offset;
        }
    }
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
        let cases = [
            ("select 1", 0, 0),
            ("  \n select 1", 0, 4),
            ("-- a\n/* b\n */ select", 0, 14),
            ("-- only a comment", 0, 17),
            ("x; -- c\n y", 2, 9),
        ];
        for (text, from, expected) in cases {
            assert_eq!(skip_trivia(text, from), expected, "{text:?}");
        }
    }

    #[test]
    fn literals_double_quotes() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal(""), "''");
    }
}
