//! Splits PostgreSQL SQL text into statements, the way `psql` does, without
//! a database: quoted strings (`'…'`, `E'…'`), quoted identifiers,
//! dollar-quoted bodies (`$$ … $$`, `$fn$ … $fn$`), `--` and nested `/* */`
//! comments, parentheses, `BEGIN ATOMIC … END` bodies and SQLite trigger
//! bodies (`CREATE TRIGGER … BEGIN … END`) all keep their semicolons.
//!
//! Used to run `Transaction: off` revisions one statement at a time (so
//! `CREATE INDEX CONCURRENTLY` works), to say which statement of a
//! revision failed when the server gives no position, and to find the
//! statements that begin or end a transaction ([`transaction_control`]).

use crate::sql::text::is_space;

/// One statement of a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Statement<'a> {
    /// Byte offset in the script of the statement's first token (leading
    /// white space and comments skipped), so an error points at it.
    pub offset: usize,
    /// The statement from its first token to its last (so neither a `;`
    /// nor a trailing comment).
    pub text: &'a str,
}

/// A quote or comment that the script opens and never closes: everything
/// after it would be swallowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unterminated {
    /// What is left open, e.g. `dollar-quoted string`.
    pub what: &'static str,
    /// Byte offset of its opening.
    pub offset: usize,
}

/// The statements of a script, in order. Pieces that hold only white space
/// and comments are dropped, as the server drops them.
pub fn split(sql: &str) -> Vec<Statement<'_>> {
    scan(sql).0
}

/// The first quote or comment the script leaves open, if any.
pub fn unterminated(sql: &str) -> Option<Unterminated> {
    scan(sql).1
}

/// A statement that begins, ends or divides a transaction, as the first
/// words of a top-level statement say (`BEGIN`, `COMMIT AND CHAIN`,
/// `ROLLBACK TO SAVEPOINT`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactionControl {
    /// The statement's leading keywords, as messages name it: `BEGIN`,
    /// `START TRANSACTION`, `COMMIT`, `END`, `ROLLBACK`, `ROLLBACK TO`,
    /// `ABORT`, `SAVEPOINT`, `RELEASE` or `PREPARE TRANSACTION`.
    pub keyword: &'static str,
    pub effect: Effect,
}

/// What a [`TransactionControl`] statement does to the open transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// `BEGIN`, `START TRANSACTION`.
    Opens,
    /// `COMMIT`, `END`, `ROLLBACK`, `ABORT`, `PREPARE TRANSACTION`, and the
    /// `… PREPARED` forms.
    Closes,
    /// `COMMIT AND CHAIN`, `ROLLBACK AND CHAIN`: closes it and opens the
    /// next one at once.
    Chains,
    /// `SAVEPOINT`, `RELEASE`, `ROLLBACK TO`: the transaction goes on.
    Inside,
}

impl TransactionControl {
    /// Whether a transaction block is open after this statement ran
    /// successfully, given whether one was open before.
    pub fn in_transaction_after(self, before: bool) -> bool {
        match self.effect {
            Effect::Opens | Effect::Chains => true,
            Effect::Closes => false,
            Effect::Inside => before,
        }
    }
}

/// What `statement` (one piece of [`split`]) does to the transaction, if it
/// is transaction control. The `BEGIN` of a routine or trigger body, or of
/// a `DO` block, is not: it is inside a statement that starts otherwise.
pub fn transaction_control(statement: &str) -> Option<TransactionControl> {
    let words = leading_words(statement, 6);
    let word = |i: usize| words.get(i).copied().unwrap_or("");
    let is = |i: usize, keyword: &str| word(i).eq_ignore_ascii_case(keyword);
    // `COMMIT WORK AND CHAIN`, `ROLLBACK TRANSACTION TO x`: the optional
    // noise word does not change what the statement does.
    let after_noise = if is(1, "work") || is(1, "transaction") {
        2
    } else {
        1
    };
    let ends = |keyword| {
        let chain = is(after_noise, "and") && is(after_noise + 1, "chain");
        Some(TransactionControl {
            keyword,
            effect: if chain {
                Effect::Chains
            } else {
                Effect::Closes
            },
        })
    };
    let control = |keyword, effect| Some(TransactionControl { keyword, effect });
    match word(0).to_ascii_lowercase().as_str() {
        "begin" => control("BEGIN", Effect::Opens),
        "start" if is(1, "transaction") => control("START TRANSACTION", Effect::Opens),
        "commit" => ends("COMMIT"),
        "end" => ends("END"),
        "rollback" if is(after_noise, "to") => control("ROLLBACK TO", Effect::Inside),
        "rollback" => ends("ROLLBACK"),
        "abort" => ends("ABORT"),
        "savepoint" => control("SAVEPOINT", Effect::Inside),
        "release" => control("RELEASE", Effect::Inside),
        "prepare" if is(1, "transaction") => control("PREPARE TRANSACTION", Effect::Closes),
        _ => None,
    }
}

/// Up to `n` leading words of a statement, across white space and
/// comments; the first other token ends them.
fn leading_words(statement: &str, n: usize) -> Vec<&str> {
    let bytes = statement.as_bytes();
    let mut words = Vec::with_capacity(n);
    let mut at = 0;
    while words.len() < n {
        at = crate::sql::text::skip_trivia(statement, at);
        if at >= bytes.len() || !is_ident_start(bytes[at]) {
            break;
        }
        let start = at;
        while at < bytes.len() && is_ident_char(bytes[at]) {
            at += 1;
        }
        words.push(&statement[start..at]);
    }
    words
}

/// What a statement's leading words say about `BEGIN … END` in it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Lead {
    /// Still reading `CREATE [OR REPLACE] [TEMP | TEMPORARY] [CONSTRAINT]`.
    #[default]
    Undecided,
    /// `CREATE … FUNCTION | PROCEDURE | TRIGGER`: a `BEGIN ATOMIC … END`
    /// body (PostgreSQL) or a trigger's `BEGIN … END` (SQLite) holds
    /// semicolons of its own.
    Body,
    /// Anything else: its semicolon ends it, and a `BEGIN` of its own
    /// starts a transaction.
    Plain,
}

/// What is known about the statement being read.
#[derive(Default)]
struct Current {
    /// Offset of the first token; `None` while only trivia was seen.
    first: Option<usize>,
    /// Offset after the last token read so far.
    end: usize,
    /// Whether the byte being read starts a token.
    in_token: bool,
    paren_depth: usize,
    /// Depth of `BEGIN … END` inside a body.
    begin_depth: usize,
    lead: Lead,
    word_count: usize,
}

impl Current {
    fn token(&mut self, at: usize) {
        self.first.get_or_insert(at);
        self.in_token = true;
    }

    fn word(&mut self, word: &str) {
        let is = |keyword: &str| word.eq_ignore_ascii_case(keyword);
        if self.lead == Lead::Undecided {
            // As psql's lexer does, from the leading words only.
            self.lead = if self.word_count == 0 {
                if is("create") {
                    Lead::Undecided
                } else {
                    Lead::Plain
                }
            } else if ["or", "replace", "temp", "temporary", "constraint"]
                .into_iter()
                .any(is)
            {
                Lead::Undecided
            } else if ["function", "procedure", "trigger"].into_iter().any(is) {
                Lead::Body
            } else {
                Lead::Plain
            };
        }
        self.word_count += 1;
        if self.lead == Lead::Body && self.paren_depth == 0 {
            if is("begin") {
                self.begin_depth += 1;
            } else if is("case") && self.begin_depth > 0 {
                // CASE also ends with END; it only matters inside a body.
                self.begin_depth += 1;
            } else if is("end") {
                self.begin_depth = self.begin_depth.saturating_sub(1);
            }
        }
    }
}

fn is_space_char(c: char) -> bool {
    u8::try_from(c).is_ok_and(is_space)
}

fn is_ident_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80
}

fn is_ident_char(byte: u8) -> bool {
    is_ident_start(byte) || byte.is_ascii_digit() || byte == b'$'
}

/// The end (exclusive) of a `$tag$` opening at `at`, if one starts there.
fn dollar_tag_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    if i < bytes.len() && bytes[i] == b'$' {
        return Some(i + 1);
    }
    if i >= bytes.len() || !is_ident_start(bytes[i]) {
        return None;
    }
    while i < bytes.len() && is_ident_char(bytes[i]) && bytes[i] != b'$' {
        i += 1;
    }
    (i < bytes.len() && bytes[i] == b'$').then_some(i + 1)
}

/// Scans a quoted run opened at `at` by `quote`; returns the offset after
/// the closing quote, or `None` when it never closes. A doubled quote
/// stands for itself; with `backslashes`, `\` escapes the next byte.
fn quoted_end(bytes: &[u8], at: usize, quote: u8, backslashes: bool) -> Option<usize> {
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if backslashes => i += 2,
            b if b == quote => {
                if bytes.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    return Some(i + 1);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The offset after a nested block comment opened at `at`.
fn block_comment_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = at;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if bytes[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Some(i);
            }
        } else {
            i += 1;
        }
    }
    None
}

fn scan(sql: &str) -> (Vec<Statement<'_>>, Option<Unterminated>) {
    // Every delimiter is ASCII, and UTF-8 continuation bytes never look
    // like ASCII, so walking bytes is safe and every cut is a char boundary.
    let bytes = sql.as_bytes();
    let mut statements = Vec::new();
    let mut current = Current::default();
    let mut open = None;
    let mut i = 0;
    let mut finish = |current: &mut Current| {
        if let Some(first) = current.first {
            statements.push(Statement {
                offset: first,
                text: sql[first..current.end].trim_end_matches(is_space_char),
            });
        }
        *current = Current::default();
    };
    while i < bytes.len() {
        let byte = bytes[i];
        let unclosed = |what| Some(Unterminated { what, offset: i });
        match byte {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => match block_comment_end(bytes, i) {
                Some(end) => i = end,
                None => {
                    open = unclosed("block comment");
                    break;
                }
            },
            b'\'' => {
                current.token(i);
                match quoted_end(bytes, i, b'\'', false) {
                    Some(end) => i = end,
                    None => {
                        open = unclosed("quoted string");
                        break;
                    }
                }
            }
            b'"' => {
                current.token(i);
                match quoted_end(bytes, i, b'"', false) {
                    Some(end) => i = end,
                    None => {
                        open = unclosed("quoted identifier");
                        break;
                    }
                }
            }
            b'$' => {
                current.token(i);
                match dollar_tag_end(bytes, i) {
                    Some(tag_end) => {
                        let tag = &sql[i..tag_end];
                        match sql[tag_end..].find(tag) {
                            Some(n) => i = tag_end + n + tag.len(),
                            None => {
                                open = unclosed("dollar-quoted string");
                                break;
                            }
                        }
                    }
                    // `$1`, or a lone `$`.
                    None => i += 1,
                }
            }
            b'(' => {
                current.token(i);
                current.paren_depth += 1;
                i += 1;
            }
            b')' => {
                current.token(i);
                current.paren_depth = current.paren_depth.saturating_sub(1);
                i += 1;
            }
            b';' if current.paren_depth == 0 && current.begin_depth == 0 => {
                finish(&mut current);
                i += 1;
            }
            b if is_space(b) => i += 1,
            b if is_ident_start(b) => {
                current.token(i);
                let start = i;
                while i < bytes.len() && is_ident_char(bytes[i]) {
                    i += 1;
                }
                let word = &sql[start..i];
                if bytes.get(i) == Some(&b'\'') && word.eq_ignore_ascii_case("e") {
                    match quoted_end(bytes, i, b'\'', true) {
                        Some(end) => i = end,
                        None => {
                            open = Some(Unterminated {
                                what: "quoted string",
                                offset: start,
                            });
                            break;
                        }
                    }
                } else {
                    current.word(word);
                }
            }
            _ => {
                current.token(i);
                i += 1;
            }
        }
        if current.in_token {
            current.end = i;
            current.in_token = false;
        }
    }
    if open.is_some() {
        // The open quote or comment runs to the end: all of it belongs to
        // the last statement.
        current.end = bytes.len();
    }
    finish(&mut current);
    (statements, open)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statements of `sql` as (offset, text) pairs.
    fn pieces(sql: &str) -> Vec<(usize, &str)> {
        split(sql).iter().map(|s| (s.offset, s.text)).collect()
    }

    #[test]
    fn splits_statements() {
        let cases: &[(&str, &[(usize, &str)])] = &[
            ("", &[]),
            ("  \n ", &[]),
            (";;", &[]),
            ("-- only a comment\n/* and another */", &[]),
            ("select 1", &[(0, "select 1")]),
            ("select 1;", &[(0, "select 1")]),
            ("select 1; select 2;", &[(0, "select 1"), (10, "select 2")]),
            (
                "select 1;\n\n  select 2  \n",
                &[(0, "select 1"), (13, "select 2")],
            ),
            (
                "-- head\ncreate table t (a int);\n/* c */ insert into t values (1);",
                &[
                    (8, "create table t (a int)"),
                    (40, "insert into t values (1)"),
                ],
            ),
            // Semicolons inside quotes, identifiers and comments.
            (
                "select ';'; select 2",
                &[(0, "select ';'"), (12, "select 2")],
            ),
            ("select 'it''s;'; x", &[(0, "select 'it''s;'"), (17, "x")]),
            ("select E'\\';'; x", &[(0, "select E'\\';'"), (15, "x")]),
            ("select e'a\\\\'; x", &[(0, "select e'a\\\\'"), (15, "x")]),
            // Without E, a backslash is an ordinary character.
            ("select '\\'; x", &[(0, "select '\\'"), (12, "x")]),
            (
                "select \"a;\"\"b\"; x",
                &[(0, "select \"a;\"\"b\""), (16, "x")],
            ),
            ("select 1 -- no; split\n; x", &[(0, "select 1"), (24, "x")]),
            ("select 1 /* c */ ; x -- end", &[(0, "select 1"), (19, "x")]),
            (
                "select /* a; /* nested; */ b; */ 1; x",
                &[(0, "select /* a; /* nested; */ b; */ 1"), (36, "x")],
            ),
            // Dollar quotes, plain and tagged, with other tags inside.
            ("select $$a;b$$; x", &[(0, "select $$a;b$$"), (16, "x")]),
            (
                "create function f() returns int as $fn$ begin; $$;$$; end $fn$ language sql; x",
                &[
                    (
                        0,
                        "create function f() returns int as $fn$ begin; $$;$$; end $fn$ language sql",
                    ),
                    (77, "x"),
                ],
            ),
            (
                "do $$ begin raise notice 'a;b'; end $$; x",
                &[(0, "do $$ begin raise notice 'a;b'; end $$"), (40, "x")],
            ),
            // `$1` is a parameter and `a$b$` an identifier, not dollar quotes.
            (
                "prepare p as select $1; x",
                &[(0, "prepare p as select $1"), (24, "x")],
            ),
            ("select a$b$; x", &[(0, "select a$b$"), (13, "x")]),
            // Parentheses, as in CREATE RULE … DO (a; b).
            (
                "create rule r as on insert to t do also (insert into u values (1); insert into v values (2)); x",
                &[
                    (
                        0,
                        "create rule r as on insert to t do also (insert into u values (1); insert into v values (2))",
                    ),
                    (94, "x"),
                ],
            ),
            // SQL-standard routine bodies.
            (
                "create or replace procedure p() language sql begin atomic insert into t values (1); select case when true then 1 end; end; x",
                &[
                    (
                        0,
                        "create or replace procedure p() language sql begin atomic insert into t values (1); select case when true then 1 end; end",
                    ),
                    (123, "x"),
                ],
            ),
            // SQLite trigger bodies, with CASE … END inside and before them.
            (
                "create trigger tr after insert on t begin insert into u values (1); update u set a = case when 1 then 2 end; end; x",
                &[
                    (
                        0,
                        "create trigger tr after insert on t begin insert into u values (1); update u set a = case when 1 then 2 end; end",
                    ),
                    (114, "x"),
                ],
            ),
            (
                "CREATE TEMP TRIGGER IF NOT EXISTS tr BEFORE UPDATE ON t WHEN CASE WHEN new.a THEN 1 END BEGIN SELECT RAISE(ABORT, 'no;'); END; x",
                &[
                    (
                        0,
                        "CREATE TEMP TRIGGER IF NOT EXISTS tr BEFORE UPDATE ON t WHEN CASE WHEN new.a THEN 1 END BEGIN SELECT RAISE(ABORT, 'no;'); END",
                    ),
                    (127, "x"),
                ],
            ),
            // A PostgreSQL trigger has no body of its own.
            (
                "create or replace trigger tr after insert on t for each row execute function f(); x",
                &[
                    (
                        0,
                        "create or replace trigger tr after insert on t for each row execute function f()",
                    ),
                    (82, "x"),
                ],
            ),
            // A SQL-standard function body (PostgreSQL 14+).
            (
                "create function f() returns int language sql begin atomic select 1; select 2; end; x",
                &[
                    (
                        0,
                        "create function f() returns int language sql begin atomic select 1; select 2; end",
                    ),
                    (83, "x"),
                ],
            ),
            // `create` alone, or creating something else, has no body.
            (
                "create table begin_x (a int); begin; end",
                &[
                    (0, "create table begin_x (a int)"),
                    (30, "begin"),
                    (37, "end"),
                ],
            ),
            // BEGIN outside a routine is a transaction start.
            (
                "begin; select 1; commit;",
                &[(0, "begin"), (7, "select 1"), (17, "commit")],
            ),
            // Multi-byte text keeps byte offsets.
            (
                "select 'é;'; select 2",
                &[(0, "select 'é;'"), (14, "select 2")],
            ),
        ];
        let wrong: Vec<String> = cases
            .iter()
            .filter(|(sql, expected)| pieces(sql) != *expected)
            .map(|(sql, _)| format!("{sql:?} gives {:?}", pieces(sql)))
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn finds_transaction_control() {
        use Effect::*;
        let cases: &[(&str, Option<(&str, Effect)>)] = &[
            ("BEGIN", Some(("BEGIN", Opens))),
            ("begin", Some(("BEGIN", Opens))),
            ("Begin Work", Some(("BEGIN", Opens))),
            ("BEGIN IMMEDIATE TRANSACTION", Some(("BEGIN", Opens))),
            ("BEGIN ISOLATION LEVEL SERIALIZABLE", Some(("BEGIN", Opens))),
            ("START TRANSACTION", Some(("START TRANSACTION", Opens))),
            (
                "start transaction read only",
                Some(("START TRANSACTION", Opens)),
            ),
            ("COMMIT", Some(("COMMIT", Closes))),
            ("commit work", Some(("COMMIT", Closes))),
            ("COMMIT AND CHAIN", Some(("COMMIT", Chains))),
            ("commit transaction and chain", Some(("COMMIT", Chains))),
            ("COMMIT AND NO CHAIN", Some(("COMMIT", Closes))),
            ("COMMIT PREPARED 'x'", Some(("COMMIT", Closes))),
            ("END", Some(("END", Closes))),
            ("end transaction", Some(("END", Closes))),
            ("END AND CHAIN", Some(("END", Chains))),
            ("ROLLBACK", Some(("ROLLBACK", Closes))),
            ("rollback work", Some(("ROLLBACK", Closes))),
            ("ROLLBACK AND CHAIN", Some(("ROLLBACK", Chains))),
            ("ROLLBACK PREPARED 'x'", Some(("ROLLBACK", Closes))),
            ("ROLLBACK TO s", Some(("ROLLBACK TO", Inside))),
            (
                "rollback transaction to savepoint s",
                Some(("ROLLBACK TO", Inside)),
            ),
            ("ABORT", Some(("ABORT", Closes))),
            ("abort and chain", Some(("ABORT", Chains))),
            ("SAVEPOINT s", Some(("SAVEPOINT", Inside))),
            ("savepoint s", Some(("SAVEPOINT", Inside))),
            ("RELEASE s", Some(("RELEASE", Inside))),
            ("release savepoint s", Some(("RELEASE", Inside))),
            (
                "PREPARE TRANSACTION 'x'",
                Some(("PREPARE TRANSACTION", Closes)),
            ),
            (
                "prepare /* c */ transaction 'x'",
                Some(("PREPARE TRANSACTION", Closes)),
            ),
            // After comments (a statement from the splitter starts at its
            // first token, but comments may sit between its words).
            (
                "/* a */ -- b\n  commit -- c\n and /* d */ chain",
                Some(("COMMIT", Chains)),
            ),
            // Not transaction control.
            ("", None),
            ("select 1", None),
            ("PREPARE p AS SELECT 1", None),
            ("start_time", None),
            ("begins", None),
            ("\"begin\"", None),
            ("release_notes", None),
            ("DO $$ BEGIN COMMIT; END $$", None),
            (
                "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END",
                None,
            ),
            (
                "CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN COMMIT; END $$",
                None,
            ),
            (
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END",
                None,
            ),
            ("UPDATE t SET a = CASE WHEN b THEN 1 END", None),
        ];
        let wrong: Vec<String> = cases
            .iter()
            .filter_map(|(sql, expected)| {
                let got = transaction_control(sql).map(|c| (c.keyword, c.effect));
                (got != *expected).then(|| format!("{sql:?} gives {got:?}"))
            })
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn a_scripts_transaction_control_is_found_at_its_statements() {
        // (script, the text of each statement that is transaction control)
        let cases: &[(&str, &[&str])] = &[
            ("create table t (a int); insert into t values (1);", &[]),
            ("create table t (a int);\nROLLBACK;", &["ROLLBACK"]),
            (
                "-- setup\nbegin;\ncreate table b (a int);\ncommit;\nselect 1;",
                &["begin", "commit"],
            ),
            (
                "create table t (a int);\ncreate trigger tr after insert on t begin\n  insert into t values (1);\nend;\n",
                &[],
            ),
            (
                "create procedure p() language plpgsql as $$ begin commit; rollback; end $$;\ncall p();",
                &[],
            ),
            (
                "create function f() returns int language sql\nbegin atomic\n  select 1;\nend;",
                &[],
            ),
            ("do $$ begin perform 1; end $$;", &[]),
            (
                "savepoint a; release a; end",
                &["savepoint a", "release a", "end"],
            ),
        ];
        for (sql, expected) in cases {
            let found: Vec<&str> = split(sql)
                .into_iter()
                .filter(|s| transaction_control(s.text).is_some())
                .map(|s| s.text)
                .collect();
            assert_eq!(found, *expected, "{sql:?}");
        }
    }

    #[test]
    fn tells_whether_a_transaction_is_open_after_a_statement() {
        let cases = [
            ("BEGIN", false, true),
            ("COMMIT", true, false),
            ("COMMIT AND CHAIN", true, true),
            ("ROLLBACK", true, false),
            ("SAVEPOINT s", true, true),
            ("SAVEPOINT s", false, false),
            ("ROLLBACK TO s", true, true),
        ];
        for (sql, before, after) in cases {
            let control = transaction_control(sql).expect(sql);
            assert_eq!(
                control.in_transaction_after(before),
                after,
                "{sql} {before}"
            );
        }
    }

    #[test]
    fn reports_what_is_left_open() {
        let cases: &[(&str, Option<(&str, usize)>)] = &[
            ("select 1", None),
            ("select 'a", Some(("quoted string", 7))),
            ("select E'a\\'", Some(("quoted string", 7))),
            ("select \"a", Some(("quoted identifier", 7))),
            ("select $x$ a $y$", Some(("dollar-quoted string", 7))),
            ("select /* a /* b */", Some(("block comment", 7))),
            ("select 1 -- a comment without a newline", None),
        ];
        for (sql, expected) in cases {
            let got = unterminated(sql).map(|u| (u.what, u.offset));
            assert_eq!(got, *expected, "{sql:?}");
        }
    }

    #[test]
    fn white_space_is_the_servers() {
        // Found by tests/properties.rs: a vertical tab alone made an empty
        // statement, and Unicode white space was cut off an identifier.
        assert_eq!(pieces("\u{b}"), []);
        assert_eq!(pieces("\u{b}select 1;\u{b}"), [(1, "select 1")]);
        assert_eq!(
            pieces("select a\u{a0}; x"),
            [(0, "select a\u{a0}"), (12, "x")]
        );
        assert_eq!(pieces("select 'a\u{2003}"), [(0, "select 'a\u{2003}")]);
    }

    #[test]
    fn an_unterminated_tail_is_still_a_statement() {
        assert_eq!(
            pieces("select 1; select 'a"),
            [(0, "select 1"), (10, "select 'a")]
        );
    }
}
