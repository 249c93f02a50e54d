//! A small SQL lexer, just enough to find the objects a statement names:
//! words, quoted identifiers and punctuation, with string literals, dollar
//! quotes and comments skipped as units so nothing inside them is mistaken
//! for a statement. Works for PostgreSQL and SQLite text alike.

/// One token and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// An unquoted word (keyword or identifier), lowercased.
    Word(String),
    /// A quoted identifier (`"Name"`, and SQLite's `` `name` `` and
    /// `[name]`), exactly as written between the quotes.
    Quoted(String),
    /// One punctuation character: `.`, `,`, `(`, `)`, `;` and the rest.
    Punct(char),
    /// A string, dollar-quoted body, number or parameter: a value, never a
    /// name.
    Literal,
}

impl Token {
    /// The lowercased word, when this token is an unquoted word.
    pub fn word(&self) -> Option<&str> {
        match &self.kind {
            TokenKind::Word(w) => Some(w),
            _ => None,
        }
    }

    pub fn is_word(&self, word: &str) -> bool {
        self.word() == Some(word)
    }

    pub fn is_punct(&self, c: char) -> bool {
        self.kind == TokenKind::Punct(c)
    }
}

/// The tokens of a SQL text; comments and white space are dropped. An
/// unterminated quote or comment runs to the end of the text.
pub fn tokenize(sql: &str) -> Vec<Token> {
    let bytes = sql.as_bytes();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    // Advances over bytes[from..to], counting lines; returns `to`.
    let skip = |from: usize, to: usize, line: &mut usize| {
        *line += bytes[from..to].iter().filter(|&&b| b == b'\n').count();
        to
    };
    while i < bytes.len() {
        let b = bytes[i];
        let start_line = line;
        let rest = &sql[i..];
        let mut push = |kind: TokenKind| {
            tokens.push(Token {
                kind,
                line: start_line,
            })
        };
        if b.is_ascii_whitespace() {
            i = skip(i, i + 1, &mut line);
        } else if rest.starts_with("--") {
            i = rest.find('\n').map_or(bytes.len(), |n| i + n);
        } else if rest.starts_with("/*") {
            // PostgreSQL nests block comments.
            let mut depth = 0;
            let mut j = i;
            while j < bytes.len() {
                if sql[j..].starts_with("/*") {
                    depth += 1;
                    j += 2;
                } else if sql[j..].starts_with("*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            i = skip(i, j.min(bytes.len()), &mut line);
        } else if b == b'\'' {
            let end = quoted_end(bytes, i, b'\'', false);
            i = skip(i, end, &mut line);
            push(TokenKind::Literal);
        } else if (b == b'e' || b == b'E') && bytes.get(i + 1) == Some(&b'\'') {
            let end = quoted_end(bytes, i + 1, b'\'', true);
            i = skip(i, end, &mut line);
            push(TokenKind::Literal);
        } else if b == b'"' || b == b'`' {
            let end = quoted_end(bytes, i, b, false);
            let inner = &sql[i + 1..end.saturating_sub(1).max(i + 1)];
            let doubled = if b == b'"' { "\"\"" } else { "``" };
            push(TokenKind::Quoted(inner.replace(doubled, &doubled[..1])));
            i = skip(i, end, &mut line);
        } else if b == b'[' {
            let end = sql[i..].find(']').map_or(bytes.len(), |n| i + n + 1);
            push(TokenKind::Quoted(sql[i + 1..end - 1].to_string()));
            i = skip(i, end, &mut line);
        } else if b == b'$' {
            match dollar_tag(rest) {
                Some(tag) => {
                    let body = i + tag.len();
                    let end = sql[body..]
                        .find(tag)
                        .map_or(bytes.len(), |n| body + n + tag.len());
                    i = skip(i, end, &mut line);
                }
                // `$1`, a parameter.
                None => {
                    let n = rest[1..].bytes().take_while(u8::is_ascii_digit).count();
                    i += 1 + n;
                }
            }
            push(TokenKind::Literal);
        } else if b.is_ascii_digit() {
            let n = rest
                .bytes()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == b'.' || *c == b'_')
                .count();
            i += n;
            push(TokenKind::Literal);
        } else if is_word_start(rest) {
            let n = rest
                .char_indices()
                .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '$'))
                .map_or(rest.len(), |(n, _)| n);
            push(TokenKind::Word(rest[..n].to_lowercase()));
            i += n;
        } else {
            let c = rest.chars().next().expect("not at the end");
            push(TokenKind::Punct(c));
            i += c.len_utf8();
        }
    }
    tokens
}

fn is_word_start(rest: &str) -> bool {
    rest.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// The end (one past the closing quote) of a quoted run starting at
/// `start`; a doubled quote stays inside, and with `backslash` so does an
/// escaped one.
fn quoted_end(bytes: &[u8], start: usize, quote: u8, backslash: bool) -> usize {
    let mut j = start + 1;
    while j < bytes.len() {
        if backslash && bytes[j] == b'\\' {
            j += 2;
        } else if bytes[j] == quote {
            if bytes.get(j + 1) == Some(&quote) {
                j += 2;
            } else {
                return j + 1;
            }
        } else {
            j += 1;
        }
    }
    bytes.len()
}

/// `$$` or `$tag$` at the start of `rest`.
fn dollar_tag(rest: &str) -> Option<&str> {
    let after = &rest[1..];
    let n = after
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
        .map_or(after.len(), |(n, _)| n);
    let tag_ok = n == 0 || !after.as_bytes()[0].is_ascii_digit();
    (tag_ok && after[n..].starts_with('$')).then(|| &rest[..n + 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(sql: &str) -> Vec<String> {
        tokenize(sql)
            .into_iter()
            .map(|t| match t.kind {
                TokenKind::Word(w) => format!("{}:{w}", t.line),
                TokenKind::Quoted(q) => format!("{}:\"{q}\"", t.line),
                TokenKind::Punct(c) => format!("{}:{c}", t.line),
                TokenKind::Literal => format!("{}:lit", t.line),
            })
            .collect()
    }

    #[test]
    fn tokens_skip_quotes_bodies_and_comments() {
        let cases: [(&str, &[&str]); 9] = [
            (
                "Create TABLE Users;",
                &["1:create", "1:table", "1:users", "1:;"],
            ),
            (
                "ALTER TABLE \"My \"\"T\"\"\" x",
                &["1:alter", "1:table", "1:\"My \"T\"\"", "1:x"],
            ),
            ("-- DROP TABLE a;\nb", &["2:b"]),
            ("/* a /* nested */ DROP */ b", &["1:b"]),
            ("'it''s; DROP TABLE x' y", &["1:lit", "1:y"]),
            ("E'a\\'; DROP' y", &["1:lit", "1:y"]),
            (
                "AS $fn$ BEGIN DROP TABLE x; END $fn$; z",
                &["1:as", "1:lit", "1:;", "1:z"],
            ),
            ("$1 + $$\n;\n$$ q", &["1:lit", "1:+", "1:lit", "3:q"]),
            (
                "`a b`.[c d] 1.5",
                &["1:\"a b\"", "1:.", "1:\"c d\"", "1:lit"],
            ),
        ];
        for (sql, expected) in cases {
            assert_eq!(show(sql), expected, "{sql}");
        }
    }
}
