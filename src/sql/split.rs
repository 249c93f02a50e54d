//! Splits SQL text into statements, the way `psql` and the `sqlite3`
//! shell do, without a database: on the [`lexer`](crate::sql::lexer)'s
//! tokens, so quoted strings, quoted identifiers, dollar-quoted bodies and
//! comments keep their semicolons, and so do parentheses (`CREATE RULE …
//! DO (a; b)`), `BEGIN ATOMIC … END` bodies and SQLite trigger bodies
//! (`CREATE TRIGGER … BEGIN … END`).
//!
//! Used to run `Transaction: off` revisions one statement at a time (so
//! `CREATE INDEX CONCURRENTLY` works), to say which statement of a
//! revision failed when the server gives no position, and to find the
//! statements that begin or end a transaction ([`transaction_control`]).
//!
//! What ends a statement is decided here, on tokens, not in the lexer:
//! MySQL's client-side `DELIMITER //` fits in as a statement of its own
//! that changes the terminator, matched against the text at each token
//! boundary (and the lexer restarted after it with
//! [`Lexer::starting_at`]).

use crate::sql::lexer::{self, Dialect, Kind, Lexer};

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

/// The statements of a script, in order, read in `dialect`. Pieces that
/// hold only white space and comments are dropped, as the server drops
/// them. A quote or comment left open runs to the end, in the last
/// statement.
///
/// In MySQL (and when the backend is not known yet), `DELIMITER x` at the
/// start of a statement is the `mysql` client's command: no statement
/// itself, it makes `x` end the statements that follow, until
/// `DELIMITER ;`. Under a delimiter of its own, a `;` ends nothing, as in
/// the client.
pub fn split(sql: &str, dialect: Dialect) -> Vec<Statement<'_>> {
    let mut statements = Vec::new();
    let mut current = Current::default();
    // The delimiter of the `mysql` client, when another than `;`.
    let mut delimiter: Option<&str> = None;
    let mut lexer = Lexer::new(sql, dialect);
    while let Some(token) = lexer.next() {
        if token.is_trivia() {
            if token.unterminated {
                // An open comment swallows the rest of the statement.
                current.end = token.end();
            }
            continue;
        }
        if current.first.is_none()
            && dialect.client_delimiter()
            && token.is_word("delimiter")
            && let Some(command) = delimiter_command(sql, token.end())
        {
            delimiter = match command.delimiter {
                ";" => None,
                "" => delimiter,
                other => Some(other),
            };
            lexer = Lexer::starting_at(sql, command.end, dialect);
            continue;
        }
        if let Some(delimiter) = delimiter
            && !matches!(
                token.kind,
                Kind::String | Kind::QuotedIdentifier | Kind::ExecutableComment
            )
            && let Some(at) = (token.offset..token.end())
                .find(|&at| sql.is_char_boundary(at) && sql[at..].starts_with(delimiter))
        {
            // The client looks for it at every character outside quotes
            // and comments, inside a word too (`END$$`).
            if at > token.offset {
                current.first.get_or_insert(token.offset);
                current.end = at;
            }
            current.finish(sql, &mut statements);
            lexer = Lexer::starting_at(sql, at + delimiter.len(), dialect);
            continue;
        }
        if delimiter.is_none()
            && token.is_punct(';')
            && current.paren_depth == 0
            && current.begin_depth == 0
        {
            current.finish(sql, &mut statements);
            continue;
        }
        current.first.get_or_insert(token.offset);
        current.end = token.end();
        match token.kind {
            Kind::Word => current.word(token.text),
            Kind::Punct if token.is_punct('(') => current.paren_depth += 1,
            Kind::Punct if token.is_punct(')') => {
                current.paren_depth = current.paren_depth.saturating_sub(1);
            }
            _ => {}
        }
        if token.kind != Kind::Word {
            current.after_end = false;
            // `DEFINER = user@host`: the words after `=` and `@` are
            // values, not what the statement creates.
            current.lead_value = token.is_punct('=') || token.is_punct('@');
        }
    }
    current.finish(sql, &mut statements);
    statements
}

/// A `DELIMITER` command read from just after its keyword.
struct DelimiterCommand<'a> {
    /// The new delimiter: empty when the line names none (the client
    /// refuses it; nothing changes here).
    delimiter: &'a str,
    /// Where the command ends: the end of its line.
    end: usize,
}

/// The rest of a `DELIMITER` line, starting at `from` (just after the
/// word): `None` when the word is not followed by white space or the end,
/// so it is something else (`delimiter_x`, `delimiter(`). The delimiter
/// is the first run of non-blank characters, or a quoted string.
fn delimiter_command(sql: &str, from: usize) -> Option<DelimiterCommand<'_>> {
    let rest = &sql[from..];
    let line_end = rest.find('\n').map_or(sql.len(), |i| from + i);
    let line = &sql[from..line_end];
    if !line.is_empty() && !line.starts_with([' ', '\t', '\r']) {
        return None;
    }
    let argument = line.trim_start_matches([' ', '\t']);
    let delimiter = match argument.chars().next() {
        Some(quote @ ('\'' | '"' | '`')) => {
            let inner = &argument[1..];
            inner.find(quote).map_or(inner, |close| &inner[..close])
        }
        _ => argument
            .split(|c: char| c.is_ascii_whitespace())
            .next()
            .unwrap_or_default(),
    };
    Some(DelimiterCommand {
        delimiter,
        end: line_end,
    })
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

/// What `statement` (one piece of [`split`], read in `dialect`) does to
/// the transaction, if it is transaction control. The `BEGIN` of a routine
/// or trigger body, or of a `DO` block, is not: it is inside a statement
/// that starts otherwise.
pub fn transaction_control(statement: &str, dialect: Dialect) -> Option<TransactionControl> {
    // The leading words, across comments; the first other token ends them.
    let mut words = [""; 6];
    let leading = Lexer::new(statement, dialect)
        .filter(|token| !token.is_trivia())
        .take_while(|token| token.kind == Kind::Word);
    for (slot, token) in words.iter_mut().zip(leading) {
        *slot = token.text;
    }
    let is = |i: usize, keyword: &str| words[i].eq_ignore_ascii_case(keyword);
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
    match words[0].to_ascii_lowercase().as_str() {
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

/// What a statement's leading words say about `BEGIN … END` in it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Lead {
    /// Still reading `CREATE [OR REPLACE] [TEMP | TEMPORARY] [CONSTRAINT]`,
    /// or MySQL's `[DEFINER = user@host] [AGGREGATE]`.
    #[default]
    Undecided,
    /// `CREATE … FUNCTION | PROCEDURE | TRIGGER | EVENT`: a `BEGIN ATOMIC
    /// … END` body (PostgreSQL), a trigger's `BEGIN … END` (SQLite), a
    /// compound statement (MySQL) holds semicolons of its own.
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
    paren_depth: usize,
    /// Depth of `BEGIN … END` inside a body.
    begin_depth: usize,
    lead: Lead,
    word_count: usize,
    /// The last token was the word `END` inside a body: MySQL's `END IF`,
    /// `END LOOP`, `END WHILE`, `END REPEAT` close no `BEGIN`, and `END
    /// CASE` opens no `CASE`.
    after_end: bool,
    /// The last token was `=` or `@`: the next word is a value.
    lead_value: bool,
}

impl Current {
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
            } else if self.lead_value
                || [
                    "or",
                    "replace",
                    "temp",
                    "temporary",
                    "constraint",
                    "definer",
                    "current_user",
                    "aggregate",
                ]
                .into_iter()
                .any(is)
            {
                Lead::Undecided
            } else if ["function", "procedure", "trigger", "event"]
                .into_iter()
                .any(is)
            {
                Lead::Body
            } else {
                Lead::Plain
            };
        }
        self.word_count += 1;
        self.lead_value = false;
        let after_end = std::mem::take(&mut self.after_end);
        if self.lead == Lead::Body && self.paren_depth == 0 {
            if after_end && ["if", "loop", "while", "repeat"].into_iter().any(is) {
                // `END IF`: the `END` closed nothing.
                self.begin_depth += 1;
            } else if after_end && is("case") {
                // `END CASE`: the `END` closed the `CASE`.
            } else if is("begin") {
                self.begin_depth += 1;
            } else if is("case") && self.begin_depth > 0 {
                // CASE also ends with END; it only matters inside a body.
                self.begin_depth += 1;
            } else if is("end") && self.begin_depth > 0 {
                self.begin_depth -= 1;
                self.after_end = true;
            }
        }
    }

    /// Ends the statement, keeping it unless it held only trivia, and
    /// starts the next one.
    fn finish<'a>(&mut self, sql: &'a str, statements: &mut Vec<Statement<'a>>) {
        if let Some(first) = self.first {
            statements.push(Statement {
                offset: first,
                // Only a quote or comment left open ends in white space.
                text: sql[first..self.end]
                    .trim_end_matches(|c| u8::try_from(c).is_ok_and(lexer::is_space)),
            });
        }
        *self = Current::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statements of `sql` as (offset, text) pairs, in PostgreSQL.
    fn pieces(sql: &str) -> Vec<(usize, &str)> {
        pieces_in(sql, Dialect::Postgres)
    }

    fn pieces_in(sql: &str, dialect: Dialect) -> Vec<(usize, &str)> {
        split(sql, dialect)
            .iter()
            .map(|s| (s.offset, s.text))
            .collect()
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
                let got =
                    transaction_control(sql, Dialect::Postgres).map(|c| (c.keyword, c.effect));
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
            let found: Vec<&str> = split(sql, Dialect::Postgres)
                .into_iter()
                .filter(|s| transaction_control(s.text, Dialect::Postgres).is_some())
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
            let control = transaction_control(sql, Dialect::Postgres).expect(sql);
            assert_eq!(
                control.in_transaction_after(before),
                after,
                "{sql} {before}"
            );
        }
    }

    #[test]
    fn an_unterminated_tail_is_still_a_statement() {
        let cases: &[(&str, &[(usize, &str)])] = &[
            ("select 1; select 'a", &[(0, "select 1"), (10, "select 'a")]),
            (
                "select 1; select $$a; b",
                &[(0, "select 1"), (10, "select $$a; b")],
            ),
            ("select 1 /* a; b  ", &[(0, "select 1 /* a; b")]),
            ("select 1; /* a; b", &[(0, "select 1")]),
        ];
        for (sql, expected) in cases {
            assert_eq!(pieces(sql), *expected, "{sql:?}");
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
    fn each_dialect_splits_by_its_own_quotes_and_comments() {
        use Dialect::*;
        /// A script, its dialect, and its statements as [`pieces`] shows them.
        type Case<'a> = (&'a str, Dialect, &'a [(usize, &'a str)]);
        let cases: &[Case] = &[
            // On SQLite `[$x$]` is a name; PostgreSQL reads a dollar quote
            // that swallows the rest.
            (
                "select 1 as [$x$]; x",
                Sqlite,
                &[(0, "select 1 as [$x$]"), (19, "x")],
            ),
            (
                "select 1 as [$x$]; x",
                Unknown,
                &[(0, "select 1 as [$x$]"), (19, "x")],
            ),
            (
                "select 1 as [$x$]; x",
                Postgres,
                &[(0, "select 1 as [$x$]; x")],
            ),
            ("select `a;b`; x", Sqlite, &[(0, "select `a;b`"), (14, "x")]),
            (
                "select `a;b`; x",
                Postgres,
                &[(0, "select `a"), (10, "b`"), (14, "x")],
            ),
            // SQLite has no dollar quotes, and no E'' strings.
            (
                "select $a$;$a$; x",
                Sqlite,
                &[(0, "select $a$"), (11, "$a$"), (16, "x")],
            ),
            (
                "select $a$;$a$; x",
                Unknown,
                &[(0, "select $a$;$a$"), (16, "x")],
            ),
            (
                "select E'\\'; x'",
                Sqlite,
                &[(0, "select E'\\'"), (13, "x'")],
            ),
            ("select E'\\'; x'", Unknown, &[(0, "select E'\\'; x'")]),
            // Nor nested comments: the first `*/` ends one.
            ("/* a /* b */ x; */ y", Sqlite, &[(13, "x"), (16, "*/ y")]),
            ("/* a /* b */ x; */ y", Unknown, &[(13, "x"), (16, "*/ y")]),
            ("/* a /* b */ x; */ y", Postgres, &[(19, "y")]),
        ];
        for (sql, dialect, expected) in cases {
            assert_eq!(
                pieces_in(sql, *dialect),
                *expected,
                "{sql:?} in {dialect:?}"
            );
        }
    }

    #[test]
    fn mysql_splits_as_its_client_does() {
        type Case<'a> = (&'a str, &'a [(usize, &'a str)]);
        let cases: &[Case] = &[
            // Backslash escapes, `"…"` strings, `#` and `-- ` comments.
            ("select 'a\\';'; x", &[(0, "select 'a\\';'"), (15, "x")]),
            ("select \"a;\"; x", &[(0, "select \"a;\""), (13, "x")]),
            ("select 1 # a; b\n; x", &[(0, "select 1"), (18, "x")]),
            ("select 1 -- a; b\n; x", &[(0, "select 1"), (19, "x")]),
            ("select 1--1; x", &[(0, "select 1--1"), (13, "x")]),
            // A comment the server runs is a statement.
            (
                "/*!40101 SET NAMES utf8mb4 */;\n/* only a comment */;\nx",
                &[(0, "/*!40101 SET NAMES utf8mb4 */"), (53, "x")],
            ),
            // DELIMITER blocks: the command is no statement, and `;` ends
            // nothing under another delimiter.
            (
                "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END //\nDELIMITER ;\nCALL p();",
                &[
                    (13, "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END"),
                    (79, "CALL p()"),
                ],
            ),
            (
                "delimiter $$\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = ';$$'; END$$\ndelimiter ;\nx;",
                &[
                    (
                        13,
                        "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = ';$$'; END",
                    ),
                    (105, "x"),
                ],
            ),
            // Two statements under one delimiter; a multi-character one.
            (
                "DELIMITER ;;\na;b;;c;;\nDELIMITER ;\nd;",
                &[(13, "a;b"), (18, "c"), (34, "d")],
            ),
            // A quoted delimiter, trailing text on the command's line.
            ("DELIMITER '//' ignored\na; b//", &[(23, "a; b")]),
            // `delimiter` that is not the command.
            (
                "delimiter_x; select delimiter",
                &[(0, "delimiter_x"), (13, "select delimiter")],
            ),
            // Compound statements without DELIMITER: BEGIN … END, with
            // END IF, END LOOP, END CASE and labels inside.
            (
                "CREATE PROCEDURE p() BEGIN IF a THEN SELECT 1; END IF; l: LOOP LEAVE l; END LOOP l; CASE WHEN b THEN SELECT 2; END CASE; WHILE c DO SET c = 0; END WHILE; END; x",
                &[
                    (
                        0,
                        "CREATE PROCEDURE p() BEGIN IF a THEN SELECT 1; END IF; l: LOOP LEAVE l; END LOOP l; CASE WHEN b THEN SELECT 2; END CASE; WHILE c DO SET c = 0; END WHILE; END",
                    ),
                    (159, "x"),
                ],
            ),
            (
                "CREATE DEFINER=`root`@`localhost` TRIGGER t AFTER INSERT ON a FOR EACH ROW BEGIN INSERT INTO b VALUES (1); END; x",
                &[
                    (
                        0,
                        "CREATE DEFINER=`root`@`localhost` TRIGGER t AFTER INSERT ON a FOR EACH ROW BEGIN INSERT INTO b VALUES (1); END",
                    ),
                    (112, "x"),
                ],
            ),
            (
                "CREATE OR REPLACE DEFINER = app@localhost EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM a; END; x",
                &[
                    (
                        0,
                        "CREATE OR REPLACE DEFINER = app@localhost EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM a; END",
                    ),
                    (103, "x"),
                ],
            ),
            // A trigger of one statement has no BEGIN.
            (
                "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.x = 1; x",
                &[
                    (
                        0,
                        "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.x = 1",
                    ),
                    (64, "x"),
                ],
            ),
            ("BEGIN; COMMIT", &[(0, "BEGIN"), (7, "COMMIT")]),
        ];
        let wrong: Vec<String> = cases
            .iter()
            .filter(|(sql, expected)| pieces_in(sql, Dialect::Mysql) != *expected)
            .map(|(sql, _)| format!("{sql:?} gives {:?}", pieces_in(sql, Dialect::Mysql)))
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn a_folder_read_before_its_backend_is_known_keeps_delimiter_blocks_whole() {
        // Else `END //` would read as a transaction's END.
        let sql = "DELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND //\nDELIMITER ;\n";
        let statements = split(sql, Dialect::Unknown);
        assert_eq!(statements.len(), 1, "{statements:?}");
        assert!(
            statements
                .iter()
                .all(|s| transaction_control(s.text, Dialect::Unknown).is_none())
        );
        // PostgreSQL and SQLite have no such command.
        assert_eq!(split("delimiter //\nselect 1;", Dialect::Postgres).len(), 1);
    }

    #[test]
    fn transaction_control_is_read_in_the_dialect() {
        use Dialect::*;
        let cases = [
            ("/* a /* b */ commit", Sqlite, Some("COMMIT")),
            ("/* a /* b */ commit", Unknown, Some("COMMIT")),
            ("/* a /* b */ commit */ select", Postgres, None),
            ("[begin]", Sqlite, None),
            ("`commit`", Sqlite, None),
            ("-- a\rcommit\nbegin", Sqlite, Some("BEGIN")),
            ("-- a\rcommit\nbegin", Postgres, Some("COMMIT")),
        ];
        for (sql, dialect, expected) in cases {
            let got = transaction_control(sql, dialect).map(|c| c.keyword);
            assert_eq!(got, expected, "{sql:?} in {dialect:?}");
        }
    }

    /// A script of multi-row INSERTs of at least `size` bytes, the kind a
    /// data migration holds, and how many statements it has.
    fn inserts(size: usize) -> (String, usize) {
        use std::fmt::Write;
        let mut sql = String::with_capacity(size + 100_000);
        let (mut statements, mut row) = (0, 0);
        while sql.len() < size {
            statements += 1;
            writeln!(sql, "-- batch {statements}").unwrap();
            sql.push_str("INSERT INTO items (id, name, price, note) VALUES\n");
            for i in 0..1000 {
                row += 1;
                let comma = if i == 0 { "" } else { ",\n" };
                write!(
                    sql,
                    "{comma}({row}, 'item {row}; it''s \"{row}\"', {row}.25, NULL)"
                )
                .unwrap();
            }
            sql.push_str(";\n");
        }
        (sql, statements)
    }

    /// Not a check of speed (there is no timed assertion), but the figures:
    /// how long lexing, splitting and finding transaction control take on
    /// a 50 MB file, and on a 5 MB one to see that the time is linear. In a
    /// release build: `cargo test --release --lib split::tests::speed --
    /// --ignored --nocapture`.
    #[test]
    #[ignore]
    fn speed_on_a_large_file() {
        use std::time::Instant;
        for megabytes in [5, 50] {
            let (sql, statements) = inserts(megabytes << 20);
            for dialect in [Dialect::Postgres, Dialect::Sqlite, Dialect::Unknown] {
                let started = Instant::now();
                let tokens = Lexer::new(&sql, dialect).count();
                let lexed = started.elapsed();
                let started = Instant::now();
                let pieces = split(&sql, dialect);
                let split_in = started.elapsed();
                let started = Instant::now();
                let control = pieces
                    .iter()
                    .filter(|s| transaction_control(s.text, dialect).is_some())
                    .count();
                let control_in = started.elapsed();
                assert_eq!((pieces.len(), control), (statements, 0));
                let rate = |took: std::time::Duration| {
                    sql.len() as f64 / (1 << 20) as f64 / took.as_secs_f64()
                };
                println!(
                    "{:.1} MB, {dialect:?}: {tokens} tokens lexed in {lexed:.2?} ({:.0} MB/s); \
                     {statements} statements split in {split_in:.2?} ({:.0} MB/s); \
                     transaction control looked for in {control_in:.2?}",
                    sql.len() as f64 / (1 << 20) as f64,
                    rate(lexed),
                    rate(split_in),
                );
            }
        }
    }
}
