//! The statements of up files as the rules see them: where each starts,
//! what its leading words make it, and (parsed on first need, at most once)
//! its syntax tree; and the folder's earlier statements, walked backwards
//! from a statement, to learn what a table's column was before.

use std::cell::OnceCell;

use sqlparser::ast::{self, AlterTableOperation, ObjectName, RenameTableNameKind, Statement};
use sqlparser::dialect::{PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

use crate::graph::RevisionGraph;
use crate::sql::lexer::{Kind, Lexer, Token};
use crate::sql::split;
use crate::sql::text::line_col;

use super::backend::Backend;
use super::name::Name;

/// How many leading tokens of a statement say what it is: enough for
/// `CREATE GLOBAL TEMPORARY TABLE IF NOT EXISTS "schema"."name"` and for
/// `REINDEX (VERBOSE, CONCURRENTLY true) TABLE …`.
const LEAD: usize = 24;

/// One statement of an up file.
pub(super) struct Read<'a> {
    /// 1-based line and column (in characters) of its first token.
    pub line: usize,
    pub column: usize,
    pub text: &'a str,
    /// Its first [`LEAD`] tokens that are not white space or comments.
    pub lead: Vec<Token<'a>>,
    pub what: What,
    backend: Backend,
    ast: OnceCell<Result<Statement, String>>,
}

/// What a statement's leading words make it, as far as the rules care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum What {
    /// `CREATE [TEMP | UNLOGGED | …] TABLE [IF NOT EXISTS] name`, with the
    /// name when the words show it.
    CreateTable(Option<Name>),
    CreateIndex,
    AlterTable,
    DropTable,
    Other,
}

impl What {
    /// Whether the rules read this kind of statement's syntax tree.
    pub fn is_parsed(&self) -> bool {
        matches!(self, What::AlterTable | What::DropTable)
    }
}

impl<'a> Read<'a> {
    /// The statements of `sql`, split as `backend` splits them.
    pub fn all(sql: &'a str, backend: Backend) -> Vec<Read<'a>> {
        let dialect = backend.dialect();
        split::split(sql, dialect)
            .into_iter()
            .map(|statement| {
                let (line, column) = line_col(sql, statement.offset);
                let lead: Vec<Token<'a>> = Lexer::new(statement.text, dialect)
                    .filter(|token| !token.is_trivia())
                    .take(LEAD)
                    .collect();
                let what = what(&lead, backend);
                Read {
                    line,
                    column,
                    text: statement.text,
                    lead,
                    what,
                    backend,
                    ast: OnceCell::new(),
                }
            })
            .collect()
    }

    /// The statement's syntax tree, or why the parser could not read it.
    /// Only the kinds of statement the rules look into are parsed: a
    /// 50 MB `INSERT` is never handed to the parser.
    pub fn ast(&self) -> Result<&Statement, &str> {
        self.ast
            .get_or_init(|| match self.what {
                What::AlterTable | What::DropTable | What::CreateTable(_) => {
                    parse(self.text, self.backend)
                        .map_err(|error| in_file(&error, self.line, self.column))
                }
                _ => Err("not parsed: no rule reads this kind of statement".to_owned()),
            })
            .as_ref()
            .map_err(String::as_str)
    }

    /// The parsed `ALTER TABLE`, if this is one the parser read.
    pub fn alter_table(&self) -> Option<&ast::AlterTable> {
        match self.ast() {
            Ok(Statement::AlterTable(alter)) => Some(alter),
            _ => None,
        }
    }

    /// What a `CREATE INDEX` says, from its words: `CREATE [UNIQUE] INDEX
    /// [CONCURRENTLY] [[IF NOT EXISTS] name] ON [ONLY] table …`. Its words
    /// are enough, and the parser does not know every index option.
    pub fn created_index(&self) -> Option<CreatedIndex> {
        if self.what != What::CreateIndex {
            return None;
        }
        let at = |i: usize, w: &str| self.lead.get(i).is_some_and(|t| t.is_word(w));
        let index = if at(1, "unique") { 3 } else { 2 };
        let on = self.lead.iter().position(|token| token.is_word("on"))?;
        let start = if at(on + 1, "only") { on + 2 } else { on + 1 };
        let name = &self.lead[start.min(self.lead.len())..];
        let parts = name_parts(name);
        let last = name.get(parts.checked_sub(1)?)?;
        Some(CreatedIndex {
            unique: at(1, "unique"),
            concurrently: at(index, "concurrently"),
            shown: self.text[name[0].offset..last.end()].to_owned(),
            table: Name::of_token(last, self.backend),
        })
    }

    /// Whether the leading words are `words`, in any case.
    pub fn starts_with(&self, words: &[&str]) -> bool {
        self.lead.len() >= words.len()
            && self
                .lead
                .iter()
                .zip(words)
                .all(|(token, w)| token.is_word(w))
    }

    /// Whether `word` is among the leading tokens outside parentheses.
    pub fn leads_with_word(&self, word: &str) -> bool {
        let mut depth = 0usize;
        self.lead.iter().any(|token| {
            if token.is_punct('(') {
                depth += 1;
            } else if token.is_punct(')') {
                depth = depth.saturating_sub(1);
            }
            depth == 0 && token.is_word(word)
        })
    }

    /// Whether `word` is among the leading tokens, in parentheses or not.
    pub fn mentions(&self, word: &str) -> bool {
        self.lead.iter().any(|token| token.is_word(word))
    }
}

/// A `CREATE INDEX` as its words show it.
pub(super) struct CreatedIndex {
    pub unique: bool,
    pub concurrently: bool,
    /// The table as written (`public."Orders"`).
    pub shown: String,
    pub table: Name,
}

fn parse(text: &str, backend: Backend) -> Result<Statement, String> {
    let parsed = match backend {
        Backend::Postgresql => Parser::parse_sql(&PostgreSqlDialect {}, text),
        Backend::Sqlite => Parser::parse_sql(&SQLiteDialect {}, text),
    };
    let mut statements = parsed.map_err(|e| e.to_string())?;
    match statements.len() {
        1 => Ok(statements.remove(0)),
        n => Err(format!("read as {n} statements")),
    }
}

/// A parser error as people read it in a file: without the parser's
/// prefix, and with its place (`at Line: 1, Column: 40`, counted from the
/// statement) as the file's line and column.
fn in_file(error: &str, line: usize, column: usize) -> String {
    let error = error.strip_prefix("sql parser error: ").unwrap_or(error);
    let place = error
        .rsplit_once(" at Line: ")
        .and_then(|(message, place)| {
            let (l, c) = place.split_once(", Column: ")?;
            let (l, c): (usize, usize) = (l.trim().parse().ok()?, c.trim().parse().ok()?);
            let (l, c) = if l <= 1 {
                (line, column + c.saturating_sub(1))
            } else {
                (line + l - 1, c)
            };
            Some(format!("{message} (line {l}, column {c})"))
        });
    place.unwrap_or_else(|| error.to_owned())
}

fn what(lead: &[Token<'_>], backend: Backend) -> What {
    let word = |i: usize, w: &str| lead.get(i).is_some_and(|t| t.is_word(w));
    if word(0, "alter") && word(1, "table") {
        return What::AlterTable;
    }
    if word(0, "drop") && word(1, "table") {
        return What::DropTable;
    }
    if !word(0, "create") {
        return What::Other;
    }
    let mut i = 1;
    if word(i, "or") && word(i + 1, "replace") {
        i += 2;
    }
    if word(i, "unique") && word(i + 1, "index") || word(i, "index") {
        return What::CreateIndex;
    }
    if word(i, "global") || word(i, "local") {
        i += 1;
    }
    if ["temp", "temporary", "unlogged"].iter().any(|w| word(i, w)) {
        i += 1;
    }
    if !word(i, "table") {
        return What::Other;
    }
    i += 1;
    if word(i, "if") && word(i + 1, "not") && word(i + 2, "exists") {
        i += 3;
    }
    What::CreateTable(qualified_name(&lead[i.min(lead.len())..], backend))
}

/// The last part of `a.b.c` at the start of `tokens`.
fn qualified_name(tokens: &[Token<'_>], backend: Backend) -> Option<Name> {
    let parts = name_parts(tokens);
    let last = tokens.get(parts.checked_sub(1)?)?;
    Some(Name::of_token(last, backend))
}

/// How many tokens the name `a.b.c` at the start of `tokens` takes.
fn name_parts(tokens: &[Token<'_>]) -> usize {
    let mut taken = 0;
    while let Some(token) = tokens.get(taken) {
        if !matches!(token.kind, Kind::Word | Kind::QuotedIdentifier) {
            break;
        }
        taken += 1;
        if !tokens.get(taken).is_some_and(|dot| dot.is_punct('.')) {
            break;
        }
        taken += 1;
    }
    // A trailing dot is not part of it.
    if taken > 0 && tokens[taken - 1].is_punct('.') {
        taken -= 1;
    }
    taken
}

/// Where a table came from, seen from a statement of a revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Origin {
    /// An earlier statement of the same revision created it: it is empty,
    /// and no code uses it yet.
    ThisRevision,
    /// This ancestor created it.
    Revision(String),
    /// No ancestor creates it (it predates the folder, or a statement the
    /// rules do not read made it).
    Unknown,
}

/// The revisions of a folder, their statements read once, on demand.
pub(super) struct Folder<'g> {
    pub graph: &'g RevisionGraph,
    pub backend: Backend,
    /// Whether revisions whose header sets no `Lock-Timeout` get one by
    /// default (`revision_lock_timeout`).
    pub default_lock_timeout: bool,
    reads: Vec<OnceCell<Vec<Read<'g>>>>,
}

impl<'g> Folder<'g> {
    pub fn new(
        graph: &'g RevisionGraph,
        backend: Backend,
        default_lock_timeout: bool,
    ) -> Folder<'g> {
        Folder {
            graph,
            backend,
            default_lock_timeout,
            reads: (0..graph.len()).map(|_| OnceCell::new()).collect(),
        }
    }

    /// The statements of a revision's up file.
    pub fn statements(&self, revision: usize) -> &[Read<'g>] {
        self.reads[revision]
            .get_or_init(|| Read::all(&self.graph.at(revision).up.sql, self.backend))
    }

    /// The statements before statement `before` of `revision`, newest
    /// first: that revision's, then its ancestors' in reverse order of the
    /// graph. `within` stops at the revision's own.
    fn earlier(
        &self,
        revision: usize,
        before: usize,
        within: bool,
    ) -> impl Iterator<Item = (usize, &Read<'g>)> {
        let own = self.statements(revision)[..before]
            .iter()
            .rev()
            .map(move |read| (revision, read));
        let ancestors: Vec<usize> = if within {
            Vec::new()
        } else {
            let mut set = self.graph.ancestors(&[revision]);
            set[revision] = false;
            (0..revision).rev().filter(|&i| set[i]).collect()
        };
        let older = ancestors
            .into_iter()
            .flat_map(move |i| self.statements(i).iter().rev().map(move |read| (i, read)));
        own.chain(older)
    }

    /// Where `table`, as statement `before` of `revision` names it, was
    /// created. `within`: look in this revision only (it is then
    /// [`Origin::ThisRevision`] or [`Origin::Unknown`]).
    pub fn origin(&self, revision: usize, before: usize, table: &Name, within: bool) -> Origin {
        let mut table = table.clone();
        for (index, read) in self.earlier(revision, before, within) {
            match &read.what {
                What::CreateTable(Some(created)) if *created == table => {
                    return if index == revision {
                        Origin::ThisRevision
                    } else {
                        Origin::Revision(self.graph.at(index).id.clone())
                    };
                }
                What::DropTable if self.drops(read, &table) => return Origin::Unknown,
                What::AlterTable => {
                    if let Some(old) = self.renamed_to(read, &table) {
                        table = old;
                    }
                }
                _ => {}
            }
        }
        Origin::Unknown
    }

    /// The type `column` of `table` had before statement `before` of
    /// `revision`, and the revision that gave it that type, when the
    /// folder says.
    pub fn column_type(
        &self,
        revision: usize,
        before: usize,
        table: &Name,
        column: &Name,
    ) -> Option<(ast::DataType, String)> {
        let backend = self.backend;
        let (mut table, mut column) = (table.clone(), column.clone());
        let found = |index: usize, data_type: &ast::DataType| {
            Some((data_type.clone(), self.graph.at(index).id.clone()))
        };
        for (index, read) in self.earlier(revision, before, false) {
            match &read.what {
                What::CreateTable(Some(created)) if *created == table => {
                    let Ok(Statement::CreateTable(create)) = read.ast() else {
                        return None;
                    };
                    let def = create
                        .columns
                        .iter()
                        .find(|def| Name::of_ident(&def.name, backend) == column)?;
                    return found(index, &def.data_type);
                }
                What::DropTable if self.drops(read, &table) => return None,
                What::AlterTable => {
                    if let Some(old) = self.renamed_to(read, &table) {
                        table = old;
                        continue;
                    }
                    let Some(alter) = read.alter_table() else {
                        continue;
                    };
                    if Name::of_object(&alter.name, backend).as_ref() != Some(&table) {
                        continue;
                    }
                    for operation in alter.operations.iter().rev() {
                        match operation {
                            AlterTableOperation::AddColumn { column_def, .. }
                                if Name::of_ident(&column_def.name, backend) == column =>
                            {
                                return found(index, &column_def.data_type);
                            }
                            AlterTableOperation::AlterColumn {
                                column_name,
                                op: ast::AlterColumnOperation::SetDataType { data_type, .. },
                            } if Name::of_ident(column_name, backend) == column => {
                                return found(index, data_type);
                            }
                            AlterTableOperation::RenameColumn {
                                old_column_name,
                                new_column_name,
                            } if Name::of_ident(new_column_name, backend) == column => {
                                column = Name::of_ident(old_column_name, backend);
                            }
                            AlterTableOperation::DropColumn { column_names, .. }
                                if column_names
                                    .iter()
                                    .any(|c| Name::of_ident(c, backend) == column) =>
                            {
                                return None;
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Whether a later statement of `revision` (after statement `after`)
    /// makes a table named `table` again: a table dropped to be replaced
    /// (SQLite's way to change a table) is not gone.
    pub fn replaced_later(&self, revision: usize, after: usize, table: &Name) -> bool {
        self.statements(revision)[after + 1..]
            .iter()
            .any(|read| match &read.what {
                What::CreateTable(Some(created)) => created == table,
                What::AlterTable => read.alter_table().is_some_and(|alter| {
                    alter.operations.iter().any(|operation| {
                        matches!(
                            operation,
                            AlterTableOperation::RenameTable {
                                table_name: RenameTableNameKind::To(new) | RenameTableNameKind::As(new),
                            } if Name::of_object(new, self.backend).as_ref() == Some(table)
                        )
                    })
                }),
                _ => false,
            })
    }

    /// Whether a valid `CHECK (column IS NOT NULL)` on `table` comes
    /// before statement `before` of `revision`: one added without NOT
    /// VALID, or validated since. PostgreSQL 12 and later then set NOT
    /// NULL without reading the table.
    pub fn checked_not_null(
        &self,
        revision: usize,
        before: usize,
        table: &Name,
        column: &Name,
    ) -> bool {
        let backend = self.backend;
        let mut validated: Vec<Name> = Vec::new();
        for (_, read) in self.earlier(revision, before, false) {
            let Some(alter) = read.alter_table() else {
                continue;
            };
            if Name::of_object(&alter.name, backend).as_ref() != Some(table) {
                continue;
            }
            for operation in alter.operations.iter().rev() {
                match operation {
                    AlterTableOperation::ValidateConstraint { name } => {
                        validated.push(Name::of_ident(name, backend));
                    }
                    AlterTableOperation::AddConstraint {
                        constraint: ast::TableConstraint::Check(check),
                        not_valid,
                    } => {
                        let on_column = matches!(
                            &*check.expr,
                            ast::Expr::IsNotNull(expr)
                                if matches!(&**expr, ast::Expr::Identifier(ident)
                                    if Name::of_ident(ident, backend) == *column)
                        );
                        let valid = !not_valid
                            || check.name.as_ref().is_some_and(|name| {
                                validated.contains(&Name::of_ident(name, backend))
                            });
                        if on_column && valid {
                            return true;
                        }
                    }
                    _ => {}
                }
            }
        }
        false
    }

    /// The table's name before `read`, when `read` renames a table to it.
    fn renamed_to(&self, read: &Read<'_>, table: &Name) -> Option<Name> {
        let alter = read.alter_table()?;
        alter
            .operations
            .iter()
            .find_map(|operation| match operation {
                AlterTableOperation::RenameTable {
                    table_name: RenameTableNameKind::To(new) | RenameTableNameKind::As(new),
                } if Name::of_object(new, self.backend).as_ref() == Some(table) => {
                    Name::of_object(&alter.name, self.backend)
                }
                _ => None,
            })
    }

    fn drops(&self, read: &Read<'_>, table: &Name) -> bool {
        match read.ast() {
            Ok(Statement::Drop {
                object_type: ast::ObjectType::Table,
                names,
                ..
            }) => names
                .iter()
                .any(|name| Name::of_object(name, self.backend).as_ref() == Some(table)),
            _ => false,
        }
    }
}

/// The object names of a `DROP TABLE`.
pub(super) fn dropped_tables(statement: &Statement) -> &[ObjectName] {
    match statement {
        Statement::Drop {
            object_type: ast::ObjectType::Table,
            names,
            ..
        } => names,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_errors_point_into_the_file() {
        let cases = [
            (
                "sql parser error: Expected: X, found: Y at Line: 1, Column: 40",
                (4, 1),
                "Expected: X, found: Y (line 4, column 40)",
            ),
            (
                "sql parser error: Expected: X at Line: 1, Column: 3",
                (2, 10),
                "Expected: X (line 2, column 12)",
            ),
            (
                "sql parser error: Expected: X at Line: 3, Column: 5",
                (2, 10),
                "Expected: X (line 4, column 5)",
            ),
            ("sql parser error: no place", (1, 1), "no place"),
            ("read as 2 statements", (1, 1), "read as 2 statements"),
        ];
        for (error, (line, column), expected) in cases {
            assert_eq!(in_file(error, line, column), expected, "{error}");
        }
    }

    #[test]
    fn only_the_statements_rules_read_are_parsed() {
        let reads = Read::all(
            "INSERT INTO t VALUES (1,);\nALTER TABLE t FROBNICATE;\nCREATE TABLE u (a int);",
            Backend::Postgresql,
        );
        assert_eq!(
            reads[0].ast().unwrap_err(),
            "not parsed: no rule reads this kind of statement"
        );
        assert!(reads[1].ast().unwrap_err().ends_with("(line 2, column 15)"));
        assert!(reads[2].ast().is_ok());
    }
}
