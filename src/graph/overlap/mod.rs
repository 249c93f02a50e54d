//! What the branches did: the objects each revision's up file creates,
//! alters, drops, indexes or renames, and the objects that two branches
//! both touch, because parallel edits of one table are where merged
//! migrations break. Pure: it reads SQL text, never a database.
//!
//! Names are compared the way PostgreSQL resolves them: an unquoted name is
//! lowercased, a quoted one is kept exactly (`"Users"` is not `users`), and
//! the default schema is dropped, so `public.users`, `"public"."users"` and
//! `users` are one object (SQLite's `main.users` too). Other schemas stay
//! part of the name (`audit.users` is its own object). The analysis reads
//! DDL only (CREATE, ALTER, DROP of tables, indexes, views, functions,
//! sequences, types and triggers); row changes are not objects.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::PathBuf;

use crate::source::revision::Revision;
use crate::sql::lexer::{self, Dialect, Kind as TokenKind, Lexer};
use crate::sql::split::split;

/// The analysis reads a versions folder, for whichever database it is
/// meant: with the reading that hides no statement of either.
const DIALECT: Dialect = Dialect::Unknown;

/// The kinds of object the analysis follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Table,
    Index,
    View,
    Function,
    Sequence,
    Type,
    Trigger,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Table => "table",
            Kind::Index => "index",
            Kind::View => "view",
            Kind::Function => "function",
            Kind::Sequence => "sequence",
            Kind::Type => "type",
            Kind::Trigger => "trigger",
        })
    }
}

/// A database object by kind and normalized name (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Object {
    pub kind: Kind,
    /// Normalized, schema-qualified only outside the default schema; a part
    /// that needs quotes is shown quoted.
    pub name: String,
}

impl fmt::Display for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.name)
    }
}

/// What a statement does to an object.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verb {
    Creates,
    Alters,
    Drops,
    /// `CREATE INDEX … ON` this table.
    Indexes,
    /// `CREATE TRIGGER … ON` this table.
    AddsTrigger,
    /// `ALTER … RENAME TO` the new name.
    RenamesTo(String),
    /// The object a rename creates, from the old name.
    RenamedFrom(String),
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verb::Creates => f.write_str("creates"),
            Verb::Alters => f.write_str("alters"),
            Verb::Drops => f.write_str("drops"),
            Verb::Indexes => f.write_str("indexes"),
            Verb::AddsTrigger => f.write_str("adds a trigger to"),
            Verb::RenamesTo(to) => write!(f, "renames (to {to})"),
            Verb::RenamedFrom(from) => write!(f, "creates (renamed from {from})"),
        }
    }
}

/// One statement's effect on one object, at a line of its file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Effect {
    pub object: Object,
    pub verb: Verb,
    pub line: usize,
}

/// What one revision does, for a report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Touch {
    pub revision: String,
    pub path: PathBuf,
    pub line: usize,
    pub verb: Verb,
}

/// One head's branch: its revisions since the shared ancestors.
#[derive(Debug, Clone)]
pub struct Branch<'a> {
    pub head: String,
    pub revisions: Vec<&'a Revision>,
}

/// An object touched by two or more branches, and every touch of it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Overlap {
    pub object: Object,
    /// Per touch, the head of its branch (the first one when several
    /// branches share the revision).
    pub touches: Vec<(String, Touch)>,
}

/// The effects of every DDL statement of a SQL text, in order.
pub fn effects(sql: &str) -> Vec<Effect> {
    let mut lines = Lines {
        text: sql,
        offset: 0,
        line: 1,
    };
    let mut effects = Vec::new();
    for statement in split(sql, DIALECT) {
        let tokens: Vec<Token> = Lexer::new(statement.text, DIALECT)
            .filter(|token| !token.is_trivia())
            .map(|token| Token {
                line: lines.at(statement.offset + token.offset),
                token,
            })
            .collect();
        effects.extend(statement_effects(&tokens));
    }
    effects
}

/// The 1-based lines of increasing offsets in one text, counted in one
/// pass over it.
struct Lines<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, offset: usize) -> usize {
        let passed = &self.text.as_bytes()[self.offset..offset];
        self.line += passed.iter().filter(|&&b| b == b'\n').count();
        self.offset = offset;
        self.line
    }
}

/// A token of a statement that is not white space or a comment, and the
/// line it starts on.
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    token: lexer::Token<'a>,
    line: usize,
}

impl<'a> Token<'a> {
    /// The unquoted word, as written.
    fn word(&self) -> Option<&'a str> {
        (self.token.kind == TokenKind::Word).then_some(self.token.text)
    }

    fn is_word(&self, word: &str) -> bool {
        self.token.is_word(word)
    }

    fn is_punct(&self, c: char) -> bool {
        self.token.is_punct(c)
    }
}

/// The objects that two or more branches touch, with what each side did,
/// sorted by object. A revision that several branches share counts once:
/// only touches by different revisions on different branches overlap.
pub fn overlaps(branches: &[Branch<'_>]) -> Vec<Overlap> {
    // Object -> (branch, touch); a shared revision is read once and listed
    // under each of its branches.
    let mut by_object: BTreeMap<Object, Vec<(usize, Touch)>> = BTreeMap::new();
    let mut read: HashMap<&str, Vec<Effect>> = HashMap::new();
    for (b, branch) in branches.iter().enumerate() {
        for revision in &branch.revisions {
            let effects = read
                .entry(revision.id.as_str())
                .or_insert_with(|| effects(&revision.up.sql));
            for effect in effects.iter() {
                by_object.entry(effect.object.clone()).or_default().push((
                    b,
                    Touch {
                        revision: revision.id.clone(),
                        path: revision.up.path.clone(),
                        line: effect.line,
                        verb: effect.verb.clone(),
                    },
                ));
            }
        }
    }
    by_object
        .into_iter()
        .filter(|(_, touches)| {
            touches.iter().any(|(b1, t1)| {
                touches
                    .iter()
                    .any(|(b2, t2)| b1 != b2 && t1.revision != t2.revision)
            })
        })
        .map(|(object, touches)| {
            let mut listed: Vec<(String, Touch)> = Vec::new();
            for (b, touch) in touches {
                if !listed.iter().any(|(_, t)| *t == touch) {
                    listed.push((branches[b].head.clone(), touch));
                }
            }
            Overlap {
                object,
                touches: listed,
            }
        })
        .collect()
}

/// Modifiers that may stand between CREATE and the kind of object.
const CREATE_MODIFIERS: [&str; 11] = [
    "or",
    "replace",
    "temp",
    "temporary",
    "unlogged",
    "global",
    "local",
    "unique",
    "recursive",
    "constraint",
    "virtual",
];

fn kind_word(word: &str) -> Option<Kind> {
    Some(match word.to_ascii_lowercase().as_str() {
        "table" => Kind::Table,
        "index" => Kind::Index,
        "view" => Kind::View,
        "function" | "procedure" => Kind::Function,
        "sequence" => Kind::Sequence,
        "type" | "domain" => Kind::Type,
        "trigger" => Kind::Trigger,
        _ => return None,
    })
}

/// A cursor over one statement's tokens.
struct Cursor<'a> {
    tokens: &'a [Token<'a>],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<&'a Token<'a>> {
        self.tokens.get(self.at)
    }

    fn eat(&mut self, word: &str) -> bool {
        let found = self.peek().is_some_and(|t| t.is_word(word));
        self.at += usize::from(found);
        found
    }

    fn eat_all(&mut self, words: &[&str]) {
        while self
            .peek()
            .and_then(Token::word)
            .is_some_and(|w| words.iter().any(|k| w.eq_ignore_ascii_case(k)))
        {
            self.at += 1;
        }
    }

    /// `IF [NOT] EXISTS`.
    fn eat_if_exists(&mut self) {
        if self.eat("if") {
            self.eat("not");
            self.eat("exists");
        }
    }

    /// A kind word, `MATERIALIZED VIEW` and `FOREIGN TABLE` included.
    fn kind(&mut self) -> Option<Kind> {
        self.eat_all(&["materialized", "foreign"]);
        let kind = kind_word(self.peek()?.word()?)?;
        self.at += 1;
        Some(kind)
    }

    /// A possibly schema-qualified name, normalized; `None` when the next
    /// token is not a name.
    fn name(&mut self) -> Option<(String, usize)> {
        let first = self.peek()?;
        let line = first.line;
        let mut parts = vec![part(first)?];
        self.at += 1;
        while self.peek().is_some_and(|t| t.is_punct('.')) {
            let Some(next) = self.tokens.get(self.at + 1).and_then(part) else {
                break;
            };
            parts.push(next);
            self.at += 2;
        }
        if parts.len() == 2 && (parts[0] == "public" || parts[0] == "main") {
            parts.remove(0);
        }
        Some((parts.join("."), line))
    }

    /// Skips a parenthesized group (function arguments), if one is next.
    fn skip_parens(&mut self) {
        if !self.peek().is_some_and(|t| t.is_punct('(')) {
            return;
        }
        let mut depth = 0;
        while let Some(t) = self.peek() {
            self.at += 1;
            if t.is_punct('(') {
                depth += 1;
            } else if t.is_punct(')') {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
        }
    }

    /// Moves past the next top-level occurrence of `word`; false when there
    /// is none.
    fn find(&mut self, word: &str) -> bool {
        while let Some(t) = self.peek() {
            self.at += 1;
            if t.is_word(word) {
                return true;
            }
        }
        false
    }
}

/// One name part, normalized: an unquoted word lowercased, a quoted
/// identifier exactly, shown in quotes when it needs them.
fn part(token: &Token) -> Option<String> {
    match token.token.kind {
        TokenKind::Word => Some(token.token.text.to_ascii_lowercase()),
        TokenKind::QuotedIdentifier => {
            let q = token.token.unquoted();
            let plain = !q.is_empty()
                && q.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && !q.starts_with(|c: char| c.is_ascii_digit());
            Some(if plain {
                q.into_owned()
            } else {
                format!("\"{}\"", q.replace('"', "\"\""))
            })
        }
        _ => None,
    }
}

fn statement_effects(tokens: &[Token]) -> Vec<Effect> {
    let mut c = Cursor { tokens, at: 0 };
    let mut out = Vec::new();
    let mut add = |kind: Kind, (name, line): (String, usize), verb: Verb| {
        out.push(Effect {
            object: Object { kind, name },
            verb,
            line,
        })
    };
    let Some(first) = c.peek().and_then(Token::word) else {
        return out;
    };
    c.at += 1;
    match first.to_ascii_lowercase().as_str() {
        "create" => {
            c.eat_all(&CREATE_MODIFIERS);
            let Some(kind) = c.kind() else { return out };
            c.eat("concurrently");
            c.eat_if_exists();
            let name = if kind == Kind::Index && c.peek().is_some_and(|t| t.is_word("on")) {
                None
            } else {
                c.name()
            };
            if let Some(name) = name.clone() {
                add(kind, name, Verb::Creates);
            }
            if matches!(kind, Kind::Index | Kind::Trigger) && c.find("on") {
                c.eat("only");
                if let Some(table) = c.name() {
                    let verb = if kind == Kind::Index {
                        Verb::Indexes
                    } else {
                        Verb::AddsTrigger
                    };
                    add(Kind::Table, table, verb);
                }
            }
        }
        "alter" => {
            let Some(kind) = c.kind() else { return out };
            c.eat_if_exists();
            c.eat("only");
            let Some(name) = c.name() else { return out };
            if kind == Kind::Function {
                c.skip_parens();
            }
            let rename_to = (c.eat("rename") && c.eat("to")).then(|| c.name()).flatten();
            match rename_to {
                Some((to, line)) => {
                    add(kind, name.clone(), Verb::RenamesTo(to.clone()));
                    add(kind, (to, line), Verb::RenamedFrom(name.0));
                }
                None => add(kind, name, Verb::Alters),
            }
        }
        "drop" => {
            let Some(kind) = c.kind() else { return out };
            c.eat("concurrently");
            c.eat_if_exists();
            while let Some(name) = c.name() {
                add(kind, name, Verb::Drops);
                c.skip_parens();
                if !c.peek().is_some_and(|t| t.is_punct(',')) {
                    break;
                }
                c.at += 1;
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests;
