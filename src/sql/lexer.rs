//! The one SQL lexer: cuts SQL text into tokens with byte offsets, in the
//! [`Dialect`] of the database that will read it. Every reader of SQL text
//! in migrator stands on it: the statement splitter, transaction-control
//! detection, comment skipping, the merge overlap analysis and SQLite's
//! CHECK clauses, so a quote or a comment means the same to each of them.
//!
//! Tokens borrow the text (no allocation per token) and every token is
//! found in one pass, so lexing is linear in the text's length, however
//! long its strings, comments or dollar-quoted bodies.
//!
//! Only the lexical differences between databases live here, each behind
//! a question the [`Dialect`] answers (does `/*` nest? is `` ` `` a quote?).
//! MySQL's answers: backtick identifiers (as SQLite), `#` line comments,
//! `--` a comment only before white space, `\` escapes in every `'…'` and
//! `"…"` string (`"…"` is a string there), block comments that do not nest,
//! and `/*! … */` comments whose text the server runs. Its client-side
//! `DELIMITER` command changes what ends a statement, which is the
//! splitter's business, not a token's: see [`crate::sql::split`].

use std::borrow::Cow;

/// Whose rules the text is read by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// PostgreSQL (with `standard_conforming_strings` on, its default):
    /// `E'…'` strings with backslash escapes, `$tag$ … $tag$` bodies,
    /// nested `/* /* */ */` comments, `$1` parameters.
    Postgres,
    /// SQLite: `` `…` `` and `[…]` quote identifiers too (so `[$x$]` is a
    /// name, not a dollar quote), `/* */` comments end at the first `*/`,
    /// `?1`, `:a`, `@a` and `$a` are parameters, and `X'…'` is a blob.
    Sqlite,
    /// MySQL and MariaDB (with `sql_mode` at its default: backslashes
    /// escape, `"…"` is a string): `` `…` `` quotes identifiers, `#` and
    /// `-- ` start line comments (`--` only when white space or the end
    /// follows), `/* */` comments end at the first `*/`, and `/*! … */`
    /// (`/*M! … */` on MariaDB) holds SQL the server runs.
    Mysql,
    /// The backend is not known yet (checks of a versions folder): a
    /// reading under which no statement that either database would run is
    /// hidden. Quotes that only one database has are read as quotes where
    /// the other has no use for the text (PostgreSQL's `E'…'` and dollar
    /// quotes, SQLite's `` `…` `` and `[…]`), and a block comment ends at its
    /// first `*/`: a nested PostgreSQL comment then shows the part after its
    /// inner `*/` as SQL, which can add a statement but never hide one.
    Unknown,
}

impl Dialect {
    fn nested_comments(self) -> bool {
        self == Dialect::Postgres
    }

    /// Whether `\r` alone ends a `--` comment (SQLite and MySQL wait for
    /// `\n`).
    fn carriage_return_ends_line_comment(self) -> bool {
        !matches!(self, Dialect::Sqlite | Dialect::Mysql)
    }

    fn dollar_quotes(self) -> bool {
        matches!(self, Dialect::Postgres | Dialect::Unknown)
    }

    /// `E'…'`, where a backslash escapes the next character.
    fn escape_strings(self) -> bool {
        matches!(self, Dialect::Postgres | Dialect::Unknown)
    }

    /// Whether a backslash escapes the next character in every `'…'` and
    /// `"…"` string, and `"…"` is a string, not a name (MySQL).
    fn backslash_strings(self) -> bool {
        self == Dialect::Mysql
    }

    /// `B'…'`, `N'…'` and `U&'…'` (and `U&"…"`) as one token with their
    /// prefix. `X'…'` is one in every dialect.
    fn prefixed_strings(self) -> bool {
        matches!(self, Dialect::Postgres | Dialect::Unknown)
    }

    fn backtick_identifiers(self) -> bool {
        self != Dialect::Postgres
    }

    fn bracket_identifiers(self) -> bool {
        matches!(self, Dialect::Sqlite | Dialect::Unknown)
    }

    /// `?1`, `:name`, `@name`, `$name`, `#name` (else `$1` alone).
    fn sqlite_parameters(self) -> bool {
        self == Dialect::Sqlite
    }

    /// MySQL's comments: `#` to the end of the line, `--` only when white
    /// space (or the end) follows, and `/*! … */` run by the server.
    fn mysql_comments(self) -> bool {
        self == Dialect::Mysql
    }

    /// Whether `DELIMITER` at the start of a statement is the `mysql`
    /// client's command: in MySQL, and when the backend is not known yet
    /// (no other database has a statement of that name).
    pub(crate) fn client_delimiter(self) -> bool {
        matches!(self, Dialect::Mysql | Dialect::Unknown)
    }
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A run of spaces, tabs, line breaks, form feeds, vertical tabs.
    Whitespace,
    /// `-- …` up to the end of its line, the line break excluded.
    LineComment,
    /// `/* … */`, nested ones included where the dialect nests them.
    BlockComment,
    /// MySQL's `/*! … */` and MariaDB's `/*M! … */`: a comment to other
    /// databases, SQL that the server runs (`/*!50100 PARTITION BY … */`),
    /// so not trivia.
    ExecutableComment,
    /// A keyword or unquoted identifier, as written (`$` may follow its
    /// first character, as in `a$b`).
    Word,
    /// `"…"` (`""` inside stands for `"`), SQLite's `` `…` `` and `[…]`,
    /// PostgreSQL's `U&"…"`.
    QuotedIdentifier,
    /// `'…'` (`''` inside stands for `'`), with its prefix: `E'…'`,
    /// `X'…'`, PostgreSQL's `B'…'`, `N'…'`, `U&'…'`.
    String,
    /// PostgreSQL's `$$ … $$` or `$tag$ … $tag$`.
    DollarString,
    /// `42`, `1_000`, `3.14`, `.5`, `1e-3`, `0x1F`.
    Number,
    /// A placeholder for a value: `$1`; SQLite's `?`, `?1`, `:a`, `@a`,
    /// `$a`.
    Parameter,
    /// Any other single character: `;`, `(`, `.`, `::` as two tokens, ….
    Punct,
}

impl Kind {
    /// Whether the token is white space or a comment, which separate
    /// tokens and mean nothing themselves.
    pub fn is_trivia(self) -> bool {
        matches!(
            self,
            Kind::Whitespace | Kind::LineComment | Kind::BlockComment
        )
    }

    /// What a token of this kind is called when it is left open.
    fn opening_name(self) -> &'static str {
        match self {
            Kind::BlockComment | Kind::ExecutableComment => "block comment",
            Kind::QuotedIdentifier => "quoted identifier",
            Kind::DollarString => "dollar-quoted string",
            _ => "quoted string",
        }
    }
}

/// One token: a slice of the text and where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: Kind,
    /// Byte offset in the text of its first byte.
    pub offset: usize,
    /// The token as written, quotes and comment marks included.
    pub text: &'a str,
    /// A quote or block comment that the text never closes: the token runs
    /// to the end of the text.
    pub unterminated: bool,
}

impl<'a> Token<'a> {
    /// Byte offset just past the token.
    pub fn end(&self) -> usize {
        self.offset + self.text.len()
    }

    pub fn is_trivia(&self) -> bool {
        self.kind.is_trivia()
    }

    /// Whether this is the unquoted word `word`, in any case.
    pub fn is_word(&self, word: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(word)
    }

    pub fn is_punct(&self, c: char) -> bool {
        self.kind == Kind::Punct && self.text.len() == 1 && self.text.starts_with(c)
    }

    /// A quoted identifier's name: between its quotes, with doubled quotes
    /// undone (`"a""b"` is `a"b`); any other token as written.
    pub fn unquoted(&self) -> Cow<'a, str> {
        if self.kind != Kind::QuotedIdentifier {
            return Cow::Borrowed(self.text);
        }
        let text = self.text.strip_prefix("U&").unwrap_or(self.text);
        let (open, close) = match text.as_bytes()[0] {
            b'[' => ('[', ']'),
            quote => (char::from(quote), char::from(quote)),
        };
        let inner = text[1..].strip_suffix(close).unwrap_or(&text[1..]);
        if open != '[' && inner.contains(close) {
            let doubled = [close, close].iter().collect::<String>();
            Cow::Owned(inner.replace(&doubled, &close.to_string()))
        } else {
            Cow::Borrowed(inner)
        }
    }
}

/// A quote or comment that a text opens and never closes: everything after
/// it would be swallowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unterminated {
    /// What is left open, e.g. `dollar-quoted string`.
    pub what: &'static str,
    /// Byte offset of its opening.
    pub offset: usize,
}

/// The quote or comment the text leaves open, if any (there is at most
/// one: it runs to the end).
pub fn unterminated(text: &str, dialect: Dialect) -> Option<Unterminated> {
    Lexer::new(text, dialect)
        .find(|token| token.unterminated)
        .map(|token| Unterminated {
            what: token.kind.opening_name(),
            offset: token.offset,
        })
}

/// The tokens of a text, in order; together they cover every byte of it.
#[derive(Debug, Clone)]
pub struct Lexer<'a> {
    text: &'a str,
    at: usize,
    dialect: Dialect,
}

impl<'a> Lexer<'a> {
    pub fn new(text: &'a str, dialect: Dialect) -> Self {
        Lexer::starting_at(text, 0, dialect)
    }

    /// The tokens from `offset` on, which must be where a token starts
    /// (the end of another, say); their offsets count from the start of
    /// `text`.
    pub fn starting_at(text: &'a str, offset: usize, dialect: Dialect) -> Self {
        Lexer {
            text,
            at: offset.min(text.len()),
            dialect,
        }
    }

    /// The kind and end of the token at `at`, and whether it closes.
    fn token_at(&self, at: usize) -> (Kind, usize, bool) {
        let bytes = self.text.as_bytes();
        let next = bytes.get(at + 1).copied();
        let dialect = self.dialect;
        let closed = |end: Option<usize>| end.map_or((bytes.len(), false), |end| (end, true));
        let (kind, (end, closes)) = match bytes[at] {
            b if is_space(b) => {
                let run = bytes[at..].iter().take_while(|&&b| is_space(b)).count();
                (Kind::Whitespace, (at + run, true))
            }
            b'-' if next == Some(b'-') && self.dashes_comment(at) => {
                (Kind::LineComment, (self.line_end(at), true))
            }
            b'#' if dialect.mysql_comments() => (Kind::LineComment, (self.line_end(at), true)),
            b'/' if next == Some(b'*') => {
                let kind = if dialect.mysql_comments() && self.executable_comment(at) {
                    Kind::ExecutableComment
                } else {
                    Kind::BlockComment
                };
                (kind, closed(self.block_comment_end(at)))
            }
            b'\'' => (
                Kind::String,
                closed(quoted_end(bytes, at, b'\'', dialect.backslash_strings())),
            ),
            b'"' if dialect.backslash_strings() => {
                (Kind::String, closed(quoted_end(bytes, at, b'"', true)))
            }
            b'"' => (
                Kind::QuotedIdentifier,
                closed(quoted_end(bytes, at, b'"', false)),
            ),
            b'`' if dialect.backtick_identifiers() => (
                Kind::QuotedIdentifier,
                closed(quoted_end(bytes, at, b'`', false)),
            ),
            b'[' if dialect.bracket_identifiers() => (
                Kind::QuotedIdentifier,
                closed(find_byte(bytes, at + 1, b']').map(|i| i + 1)),
            ),
            b'$' => match self.dollar_tag_end(at) {
                Some(tag_end) => {
                    let tag = &self.text[at..tag_end];
                    let end = self.text[tag_end..]
                        .find(tag)
                        .map(|i| tag_end + i + tag.len());
                    (Kind::DollarString, closed(end))
                }
                None => self.parameter_or_punct(at),
            },
            b'?' | b':' | b'@' | b'#' if dialect.sqlite_parameters() => self.parameter_or_punct(at),
            b'0'..=b'9' => (Kind::Number, (number_end(bytes, at), true)),
            b'.' if next.is_some_and(|b| b.is_ascii_digit()) => {
                (Kind::Number, (number_end(bytes, at), true))
            }
            b if is_ident_start(b) => match self.string_prefix(at) {
                Some((quote_at, Kind::String, escapes)) => (
                    Kind::String,
                    closed(quoted_end(bytes, quote_at, b'\'', escapes)),
                ),
                Some((quote_at, kind, _)) => {
                    (kind, closed(quoted_end(bytes, quote_at, b'"', false)))
                }
                None => {
                    let run = bytes[at..]
                        .iter()
                        .take_while(|&&b| is_ident_char(b))
                        .count();
                    (Kind::Word, (at + run, true))
                }
            },
            _ => (Kind::Punct, (at + 1, true)),
        };
        (kind, end, closes)
    }

    /// Whether the `--` at `at` starts a comment: always, but in MySQL,
    /// where white space, a control character or the end must follow
    /// (`a--1` is `a - -1` there).
    fn dashes_comment(&self, at: usize) -> bool {
        !self.dialect.mysql_comments()
            || self
                .text
                .as_bytes()
                .get(at + 2)
                .is_none_or(|&b| b <= b' ' || b == 0x7f)
    }

    /// Whether the block comment at `at` is one MySQL runs: `/*!` or
    /// MariaDB's `/*M!`.
    fn executable_comment(&self, at: usize) -> bool {
        let rest = &self.text.as_bytes()[at + 2..];
        rest.starts_with(b"!") || rest.starts_with(b"M!")
    }

    /// The end of a `--` or `#` comment at `at`: its line break (not
    /// included).
    fn line_end(&self, at: usize) -> usize {
        let rest = &self.text.as_bytes()[at..];
        let end = if self.dialect.carriage_return_ends_line_comment() {
            rest.iter().position(|&b| b == b'\n' || b == b'\r')
        } else {
            rest.iter().position(|&b| b == b'\n')
        };
        end.map_or(self.text.len(), |n| at + n)
    }

    /// The offset after the block comment opened at `at`.
    fn block_comment_end(&self, at: usize) -> Option<usize> {
        if !self.dialect.nested_comments() {
            return self.text[at + 2..].find("*/").map(|i| at + 2 + i + 2);
        }
        let bytes = self.text.as_bytes();
        let mut depth = 1usize;
        let mut i = at + 2;
        while i < bytes.len() {
            match (bytes[i], bytes.get(i + 1)) {
                (b'/', Some(b'*')) => {
                    depth += 1;
                    i += 2;
                }
                (b'*', Some(b'/')) => {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => i += 1,
            }
        }
        None
    }

    /// The end (exclusive) of a `$tag$` opening at `at`, if one starts
    /// there and the dialect has dollar quotes.
    fn dollar_tag_end(&self, at: usize) -> Option<usize> {
        if !self.dialect.dollar_quotes() {
            return None;
        }
        let bytes = self.text.as_bytes();
        let mut i = at + 1;
        if bytes.get(i) == Some(&b'$') {
            return Some(i + 1);
        }
        if !bytes.get(i).is_some_and(|&b| is_ident_start(b)) {
            return None;
        }
        // A tag is an identifier without `$`.
        while bytes.get(i).is_some_and(|&b| is_ident_char(b) && b != b'$') {
            i += 1;
        }
        (bytes.get(i) == Some(&b'$')).then_some(i + 1)
    }

    /// A parameter at `at` (`$1`, or SQLite's `?1`, `:a`, …), else the
    /// character alone.
    fn parameter_or_punct(&self, at: usize) -> (Kind, (usize, bool)) {
        let bytes = self.text.as_bytes();
        let rest = &bytes[at + 1..];
        let run = if self.dialect.sqlite_parameters() {
            match bytes[at] {
                b'?' => rest.iter().take_while(|b| b.is_ascii_digit()).count(),
                _ => rest.iter().take_while(|&&b| is_ident_char(b)).count(),
            }
        } else {
            rest.iter().take_while(|b| b.is_ascii_digit()).count()
        };
        if run == 0 && bytes[at] != b'?' {
            (Kind::Punct, (at + 1, true))
        } else {
            (Kind::Parameter, (at + 1 + run, true))
        }
    }

    /// Where the quote of a prefixed string or identifier starting at `at`
    /// is (`E'`, `X'`, `U&"`, …), what it is, and whether backslashes
    /// escape in it.
    fn string_prefix(&self, at: usize) -> Option<(usize, Kind, bool)> {
        let bytes = self.text.as_bytes();
        let dialect = self.dialect;
        match (
            bytes[at].to_ascii_lowercase(),
            bytes.get(at + 1),
            bytes.get(at + 2),
        ) {
            (b'e', Some(b'\''), _) if dialect.escape_strings() => {
                Some((at + 1, Kind::String, true))
            }
            (b'x', Some(b'\''), _) => Some((at + 1, Kind::String, false)),
            (b'b' | b'n', Some(b'\''), _) if dialect.prefixed_strings() => {
                Some((at + 1, Kind::String, false))
            }
            (b'u', Some(b'&'), Some(b'\'')) if dialect.prefixed_strings() => {
                Some((at + 2, Kind::String, false))
            }
            (b'u', Some(b'&'), Some(b'"')) if dialect.prefixed_strings() => {
                Some((at + 2, Kind::QuotedIdentifier, false))
            }
            _ => None,
        }
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let at = self.at;
        if at >= self.text.len() {
            return None;
        }
        let (kind, end, closes) = self.token_at(at);
        self.at = end;
        Some(Token {
            kind,
            offset: at,
            text: &self.text[at..end],
            unterminated: !closes,
        })
    }
}

// Every byte the lexer stops at is ASCII, or the start of a run of bytes
// >= 0x80 that it takes whole (UTF-8 continuation bytes never look like
// ASCII), so every token boundary is a char boundary.

/// White space as PostgreSQL's lexer has it (`[ \t\n\r\f\v]`): ASCII
/// only, so a character such as U+00A0 stays part of the word it is in.
pub(crate) fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn is_ident_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80
}

fn is_ident_char(byte: u8) -> bool {
    is_ident_start(byte) || byte.is_ascii_digit() || byte == b'$'
}

fn find_byte(bytes: &[u8], from: usize, byte: u8) -> Option<usize> {
    bytes[from..]
        .iter()
        .position(|&b| b == byte)
        .map(|i| from + i)
}

/// The offset after the closing quote of a quoted run opened at `at` by
/// `quote`, or `None` when it never closes. A doubled quote stands for
/// itself; with `escapes`, `\` escapes the next byte.
fn quoted_end(bytes: &[u8], at: usize, quote: u8, escapes: bool) -> Option<usize> {
    let mut i = at + 1;
    loop {
        let found = bytes[i..]
            .iter()
            .position(|&b| b == quote || (escapes && b == b'\\'))?;
        i += found;
        // An escape, or a doubled quote, takes the next byte with it.
        if bytes[i] != b'\\' && bytes.get(i + 1) != Some(&quote) {
            return Some(i + 1);
        }
        i += 2;
        if i >= bytes.len() {
            return None;
        }
    }
}

/// The end of a number starting at `at`: digits (with `_` between them),
/// a fraction, an exponent; or `0x…`, `0o…`, `0b…`.
fn number_end(bytes: &[u8], at: usize) -> usize {
    let digits = |from: usize| {
        from + bytes[from..]
            .iter()
            .take_while(|&&b| b.is_ascii_digit() || b == b'_')
            .count()
    };
    let radix = bytes.get(at + 1).map(u8::to_ascii_lowercase);
    if bytes[at] == b'0'
        && matches!(radix, Some(b'x' | b'o' | b'b'))
        && bytes.get(at + 2).is_some_and(u8::is_ascii_hexdigit)
    {
        let run = bytes[at + 2..]
            .iter()
            .take_while(|&&b| b.is_ascii_hexdigit() || b == b'_')
            .count();
        return at + 2 + run;
    }
    let mut i = digits(at);
    if bytes.get(i) == Some(&b'.') {
        i = digits(i + 1);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(i + 1), Some(b'+' | b'-')));
        if bytes.get(i + 1 + sign).is_some_and(u8::is_ascii_digit) {
            i = digits(i + 1 + sign);
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokens of `text` as `Kind(text)`, `Kind!(text)` when left open,
    /// checking on the way that they cover the text at their offsets.
    fn lex(text: &str, dialect: Dialect) -> String {
        let mut at = 0;
        let mut out = Vec::new();
        for token in Lexer::new(text, dialect) {
            assert_eq!(token.offset, at, "{text:?}: offsets are contiguous");
            assert_eq!(&text[token.offset..token.end()], token.text);
            at = token.end();
            let open = if token.unterminated { "!" } else { "" };
            out.push(format!("{:?}{open}({})", token.kind, token.text));
        }
        assert_eq!(at, text.len(), "{text:?}: the tokens cover the text");
        out.join(" ")
    }

    /// As [`lex`], without white space and comments.
    fn significant(text: &str, dialect: Dialect) -> String {
        let all = lex(text, dialect);
        let kept: Vec<&str> = all
            .split(' ')
            .filter(|t| !t.starts_with("Whitespace") && !t.contains("Comment"))
            .collect();
        kept.join(" ")
    }

    #[test]
    fn each_kind_of_token() {
        let cases = [
            ("", ""),
            ("\t\r\n\x0b\x0c", "Whitespace(\t\r\n\x0b\x0c)"),
            ("-- c\nx", "LineComment(-- c) Whitespace(\n) Word(x)"),
            ("--", "LineComment(--)"),
            ("/*c*/x", "BlockComment(/*c*/) Word(x)"),
            ("/**/", "BlockComment(/**/)"),
            (
                "Select\t_a1$\té",
                "Word(Select) Whitespace(\t) Word(_a1$) Whitespace(\t) Word(é)",
            ),
            ("\"My\"\"T\"", "QuotedIdentifier(\"My\"\"T\")"),
            ("U&\"d\\0061t\"", "QuotedIdentifier(U&\"d\\0061t\")"),
            ("'it''s'", "String('it''s')"),
            // Without E, a backslash is an ordinary character.
            ("'a\\'", "String('a\\')"),
            ("E'a\\'b'", "String(E'a\\'b')"),
            ("e'\\\\'", "String(e'\\\\')"),
            ("X'0A'", "String(X'0A')"),
            ("b'01'N'n'U&'u'", "String(b'01') String(N'n') String(U&'u')"),
            ("$$a;'b$$", "DollarString($$a;'b$$)"),
            ("$fn$\t$$\t$x$\t$fn$", "DollarString($fn$\t$$\t$x$\t$fn$)"),
            ("$1\t$23", "Parameter($1) Whitespace(\t) Parameter($23)"),
            ("$\t$1a", "Punct($) Whitespace(\t) Parameter($1) Word(a)"),
            // An identifier may hold `$`: no dollar quote starts inside it.
            ("a$b$", "Word(a$b$)"),
            ("42\t1_000", "Number(42) Whitespace(\t) Number(1_000)"),
            (
                "3.14\t.5\t1.",
                "Number(3.14) Whitespace(\t) Number(.5) Whitespace(\t) Number(1.)",
            ),
            ("1e10\t2.5E-3", "Number(1e10) Whitespace(\t) Number(2.5E-3)"),
            (
                "0x1F\t0o17\t0b101",
                "Number(0x1F) Whitespace(\t) Number(0o17) Whitespace(\t) Number(0b101)",
            ),
            (
                "1e\t2abc",
                "Number(1) Word(e) Whitespace(\t) Number(2) Word(abc)",
            ),
            (
                "a.b::int;(",
                "Word(a) Punct(.) Word(b) Punct(:) Punct(:) Word(int) Punct(;) Punct(()",
            ),
            (
                "`a`[b]",
                "Punct(`) Word(a) Punct(`) Punct([) Word(b) Punct(])",
            ),
            // `--` and `/*` start comments even inside an operator.
            ("a--b\n", "Word(a) LineComment(--b) Whitespace(\n)"),
            ("+/*c*/-", "Punct(+) BlockComment(/*c*/) Punct(-)"),
        ];
        for (text, expected) in cases {
            assert_eq!(lex(text, Dialect::Postgres), expected, "{text:?}");
        }
    }

    #[test]
    fn dialects_read_their_own_quotes_and_comments() {
        use Dialect::*;
        let cases = [
            // SQLite quotes names three ways; `[$x$]` is a name, not the
            // start of a dollar quote.
            (
                "[$x$]`a``b`\"c\"",
                Sqlite,
                "QuotedIdentifier([$x$]) QuotedIdentifier(`a``b`) QuotedIdentifier(\"c\")",
            ),
            (
                "[$x$]`a``b`",
                Unknown,
                "QuotedIdentifier([$x$]) QuotedIdentifier(`a``b`)",
            ),
            ("[$x$]x$x$", Postgres, "Punct([) DollarString($x$]x$x$)"),
            // No dollar quotes in SQLite: `$x$` is a parameter.
            (
                "$x$\t$$\t$1",
                Sqlite,
                "Parameter($x$) Parameter($$) Parameter($1)",
            ),
            ("$x$a$x$", Unknown, "DollarString($x$a$x$)"),
            (
                "?\t?2\t:a\t@b\t#c\t:\t@",
                Sqlite,
                "Parameter(?) Parameter(?2) Parameter(:a) Parameter(@b) Parameter(#c) Punct(:) Punct(@)",
            ),
            (
                "?:a@b#c",
                Postgres,
                "Punct(?) Punct(:) Word(a) Punct(@) Word(b) Punct(#) Word(c)",
            ),
            // No E'' strings in SQLite: the backslash is a character.
            (
                "E'a\\'b'",
                Sqlite,
                "Word(E) String('a\\') Word(b) String!(')",
            ),
            ("E'a\\'b'", Unknown, "String(E'a\\'b')"),
            ("X'0a'B'1'", Sqlite, "String(X'0a') Word(B) String('1')"),
            // PostgreSQL nests block comments, SQLite does not.
            ("/*a/*b*/c*/d", Postgres, "Word(d)"),
            ("/*a/*b*/c*/d", Sqlite, "Word(c) Punct(*) Punct(/) Word(d)"),
            ("/*a/*b*/c*/d", Unknown, "Word(c) Punct(*) Punct(/) Word(d)"),
            // SQLite's `--` comment ends at `\n` only.
            ("--a\rb\nc", Sqlite, "Word(c)"),
            ("--a\rb\nc", Postgres, "Word(b) Word(c)"),
        ];
        for (text, dialect, expected) in cases {
            assert_eq!(
                significant(text, dialect),
                expected,
                "{text:?} in {dialect:?}"
            );
        }
    }

    #[test]
    fn mysql_reads_its_own_quotes_and_comments() {
        let cases = [
            // Backslashes escape in both kinds of string; `"…"` is a string.
            ("'it\\'s'", "String('it\\'s')"),
            ("'a''b'", "String('a''b')"),
            ("\"a\\\"b\"", "String(\"a\\\"b\")"),
            ("'a\\\\'b", "String('a\\\\') Word(b)"),
            ("`a``b`", "QuotedIdentifier(`a``b`)"),
            // No brackets, no dollar quotes, no E'' strings.
            ("[a]", "Punct([) Word(a) Punct(])"),
            ("$$a$$", "Punct($) Punct($) Word(a$$)"),
            // `#` and `-- ` comments; `--` needs white space after it.
            (
                "a # c\nb",
                "Word(a) Whitespace( ) LineComment(# c) Whitespace(\n) Word(b)",
            ),
            (
                "a -- c\nb",
                "Word(a) Whitespace( ) LineComment(-- c) Whitespace(\n) Word(b)",
            ),
            ("a--\tc", "Word(a) LineComment(--\tc)"),
            ("a--", "Word(a) LineComment(--)"),
            ("a--1", "Word(a) Punct(-) Punct(-) Number(1)"),
            // Only `\n` ends a line comment.
            ("# a\rb\nc", "LineComment(# a\rb) Whitespace(\n) Word(c)"),
            // Comments the server runs are no trivia; others do not nest.
            (
                "/*!40101 SET x = 1 */",
                "ExecutableComment(/*!40101 SET x = 1 */)",
            ),
            ("/*M!100100 a */", "ExecutableComment(/*M!100100 a */)"),
            ("/*+ hint */", "BlockComment(/*+ hint */)"),
            ("/* a /* b */c", "BlockComment(/* a /* b */) Word(c)"),
        ];
        for (text, expected) in cases {
            assert_eq!(lex(text, Dialect::Mysql), expected, "{text:?}");
        }
        let open = [
            ("select 'a\\'", Some(("quoted string", 7))),
            ("select \"a", Some(("quoted string", 7))),
            ("select `a", Some(("quoted identifier", 7))),
            ("select /*! a", Some(("block comment", 7))),
            ("select [a", None),
            ("select $$", None),
        ];
        for (text, expected) in open {
            let got = unterminated(text, Dialect::Mysql).map(|u| (u.what, u.offset));
            assert_eq!(got, expected, "{text:?}");
        }
        // Elsewhere `#` is no comment, and `/*!` an ordinary one.
        assert_eq!(
            significant("a#b/*!c*/", Dialect::Postgres),
            "Word(a) Punct(#) Word(b)"
        );
    }

    #[test]
    fn nested_comments_count_their_depth() {
        let cases = [
            ("/*/**/*/x", "BlockComment(/*/**/*/) Word(x)"),
            ("/*/*/**/*/*/x", "BlockComment(/*/*/**/*/*/) Word(x)"),
            // `*/*` closes one level and opens none; `/*/` opens one.
            ("/**/*x", "BlockComment(/**/) Punct(*) Word(x)"),
            ("/* /*/ */ */x", "BlockComment(/* /*/ */ */) Word(x)"),
            ("/*a/**/b*/x", "BlockComment(/*a/**/b*/) Word(x)"),
            // Quotes mean nothing inside a comment.
            ("/*'*/'x", "BlockComment(/*'*/) String!('x)"),
        ];
        for (text, expected) in cases {
            assert_eq!(lex(text, Dialect::Postgres), expected, "{text:?}");
        }
    }

    #[test]
    fn what_is_left_open_runs_to_the_end() {
        use Dialect::*;
        let cases = [
            ("select 1", Postgres, None),
            ("select 'a", Postgres, Some(("quoted string", 7))),
            ("select 'a''", Postgres, Some(("quoted string", 7))),
            ("select E'a\\'", Postgres, Some(("quoted string", 7))),
            ("select E'a\\", Postgres, Some(("quoted string", 7))),
            ("select U&'a", Postgres, Some(("quoted string", 7))),
            ("select \"a", Postgres, Some(("quoted identifier", 7))),
            ("select [a", Sqlite, Some(("quoted identifier", 7))),
            ("select `a", Sqlite, Some(("quoted identifier", 7))),
            ("select [a", Postgres, None),
            (
                "select $x$ a $y$",
                Postgres,
                Some(("dollar-quoted string", 7)),
            ),
            // Tags are case-sensitive.
            (
                "select $x$ a $X$",
                Postgres,
                Some(("dollar-quoted string", 7)),
            ),
            ("select $$", Postgres, Some(("dollar-quoted string", 7))),
            ("select /* a /* b */", Postgres, Some(("block comment", 7))),
            ("select /* a /* b */", Sqlite, None),
            ("select /* a", Sqlite, Some(("block comment", 7))),
            ("select 1 -- a comment without a newline", Postgres, None),
            ("select 'é", Postgres, Some(("quoted string", 7))),
        ];
        for (text, dialect, expected) in cases {
            let got = unterminated(text, dialect).map(|u| (u.what, u.offset));
            assert_eq!(got, expected, "{text:?} in {dialect:?}");
            let last = Lexer::new(text, dialect).last().expect(text);
            assert_eq!(last.unterminated, expected.is_some(), "{text:?}");
            assert_eq!(last.end(), text.len(), "{text:?}");
        }
    }

    #[test]
    fn offsets_are_bytes_and_count_from_the_start() {
        let text = "é 'ü' ; x";
        let tokens: Vec<(Kind, usize, &str)> = Lexer::new(text, Dialect::Postgres)
            .filter(|t| !t.is_trivia())
            .map(|t| (t.kind, t.offset, t.text))
            .collect();
        assert_eq!(
            tokens,
            [
                (Kind::Word, 0, "é"),
                (Kind::String, 3, "'ü'"),
                (Kind::Punct, 8, ";"),
                (Kind::Word, 10, "x"),
            ]
        );
        let from: Vec<(usize, &str)> = Lexer::starting_at(text, 7, Dialect::Postgres)
            .map(|t| (t.offset, t.text))
            .collect();
        assert_eq!(from, [(7, " "), (8, ";"), (9, " "), (10, "x")]);
        assert_eq!(Lexer::starting_at(text, 99, Dialect::Postgres).next(), None);
    }

    #[test]
    fn quoted_identifiers_unquote() {
        let cases = [
            ("\"My \"\"T\"\"\"", Dialect::Postgres, "My \"T\""),
            ("\"plain\"", Dialect::Postgres, "plain"),
            ("U&\"x\"", Dialect::Postgres, "x"),
            ("`a``b`", Dialect::Sqlite, "a`b"),
            ("[a b]", Dialect::Sqlite, "a b"),
            ("[a]]", Dialect::Sqlite, "a"),
            ("\"open", Dialect::Postgres, "open"),
            ("word", Dialect::Postgres, "word"),
        ];
        for (text, dialect, expected) in cases {
            let token = Lexer::new(text, dialect).next().expect(text);
            assert_eq!(token.unquoted(), expected, "{text:?}");
        }
    }

    #[test]
    fn tokens_answer_what_they_are() {
        let tokens: Vec<Token> = Lexer::new("BEGIN ; \"begin\"", Dialect::Postgres).collect();
        assert!(tokens[0].is_word("begin") && !tokens[0].is_trivia());
        assert!(tokens[1].is_trivia() && !tokens[1].is_word(" "));
        assert!(tokens[2].is_punct(';') && !tokens[2].is_punct(','));
        assert!(!tokens[4].is_word("begin"));
    }
}
