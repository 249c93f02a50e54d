//! `verify --lint`: statements of up files that are dangerous on a database
//! in use (a lock that stops writes while an index builds, a rewrite of a
//! whole table, a constraint that reads every row while writes wait, a
//! name that running code still uses) or that the database refuses where
//! the revision puts them. Pure: revisions in, [`Diagnostic`]s of kind
//! `lint` out, each naming its rule ([`RULES`]).
//!
//! How a file is read: the project's own splitter ([`crate::sql::split`],
//! in the backend's dialect) finds the statements and their places, and
//! their leading words (the lexer's tokens) say what each is. The kinds the
//! rules look into (`ALTER TABLE`, `CREATE INDEX`, `DROP TABLE`, and an
//! earlier `CREATE TABLE` when a column's old type is asked for) are
//! parsed with `sqlparser`, in the PostgreSQL or SQLite dialect, one
//! statement at a time; a statement it cannot read is counted in
//! [`Linted::unparsed`], never a finding. What the parser does not know at
//! all but a rule needs (`DROP INDEX CONCURRENTLY`, `REINDEX`, `VACUUM`,
//! `ALTER TYPE … ADD VALUE`) is recognized by its words.
//!
//! `sqlparser` rather than `pg_query` (PostgreSQL's own parser): it reads
//! both backends' dialects, is pure Rust, and builds in seconds; `pg_query`
//! reads PostgreSQL only and needs libclang and a C build of the server's
//! parser (its build fails without libclang).

mod allow;
mod backend;
mod name;
mod postgres;
mod read;
mod rules;
mod shared;
mod sqlite;
mod subject;
mod types;

use std::path::PathBuf;

use crate::diagnostic::Diagnostic;
use crate::graph::RevisionGraph;

pub use backend::Backend;
use read::Folder;
pub use rules::{RULES, Rule, rule};
use subject::Subject;

/// What linting some revisions found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Linted {
    /// One per danger, in file order, those a `-- migrator:allow` silenced
    /// left out; and one per `-- migrator:allow` that cannot work.
    pub findings: Vec<Diagnostic>,
    /// How many statements were read.
    pub statements: usize,
    /// Statements the rules needed parsed that the parser could not read:
    /// they were not checked.
    pub unparsed: Vec<Unparsed>,
}

/// A statement the parser could not read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unparsed {
    pub revision: String,
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    /// What the parser said.
    pub error: String,
}

/// Lints the up files of `revisions` (positions in `graph`) with
/// `backend`'s rules. Earlier revisions are read too, for what they say
/// about the tables these change. `revision_lock_timeout` is the default
/// of revisions whose header sets no `Lock-Timeout`.
pub fn lint(
    graph: &RevisionGraph,
    revisions: &[usize],
    backend: Backend,
    revision_lock_timeout: Option<std::time::Duration>,
) -> Linted {
    let folder = Folder::new(graph, backend, revision_lock_timeout.is_some());
    let mut linted = Linted::default();
    for &revision in revisions {
        lint_revision(&folder, revision, &mut linted);
    }
    linted
}

fn lint_revision(folder: &Folder<'_>, revision: usize, linted: &mut Linted) {
    let backend = folder.backend;
    let current = folder.graph.at(revision);
    let file = &current.up.path;
    let statements = folder.statements(revision);
    let allows = allow::find(&current.up.sql, backend.dialect());
    let first_lines: Vec<usize> = statements.iter().map(|read| read.line).collect();
    let (attached, placed) = allow::attach(&allows, &first_lines);

    let mut findings = Vec::new();
    for (allow, placed) in allows.iter().zip(&placed) {
        let (message, hint) = match (&allow.read, placed) {
            (Err(invalid), _) => (invalid.message.clone(), invalid.hint.clone()),
            (Ok(allowed), false) => (
                format!(
                    "`-- migrator:allow {}` is not next to a statement, so it silences nothing",
                    allowed.rule
                ),
                rules::known("invalid-allow").hint.to_owned(),
            ),
            (Ok(_), true) => continue,
        };
        let rule = rules::known("invalid-allow");
        let place = (allow.line, allow.column);
        findings.push((
            allow.line,
            finding(rule, message, current, place).hint(hint),
        ));
    }

    // Where the first finding of the exclusive-lock rule is in `findings`.
    let mut exclusive_lock: Option<usize> = None;
    for (index, read) in statements.iter().enumerate() {
        linted.statements += 1;
        let subject = Subject {
            folder,
            revision,
            index,
            read,
        };
        let mut found = Vec::new();
        if read.what.is_parsed()
            && let Err(error) = read.ast()
        {
            linted.unparsed.push(Unparsed {
                revision: current.id.clone(),
                file: file.clone(),
                line: read.line,
                column: read.column,
                error: error.to_owned(),
            });
        }
        match backend {
            Backend::Postgresql => postgres::check(&subject, &mut found),
            Backend::Sqlite => sqlite::check(&subject, &mut found),
        }
        shared::check(&subject, &mut found);
        for found in found {
            let allowed = attached[index]
                .iter()
                .any(|&i| allows[i].rule() == Some(found.rule));
            if allowed {
                continue;
            }
            // One header line fixes them all: said once per revision, at
            // the first, which counts the others.
            if found.rule == postgres::EXCLUSIVE_LOCK {
                if let Some(first) = exclusive_lock {
                    let (_, first): &mut (usize, Diagnostic) = &mut findings[first];
                    let what = found.message.split(" while ").next().unwrap_or_default();
                    // Before the note on `-- migrator:allow`, which stays last.
                    let at = first.notes.len().saturating_sub(1);
                    first
                        .notes
                        .insert(at, format!("so does line {}: {what}", read.line));
                    continue;
                }
                exclusive_lock = Some(findings.len());
            }
            let rule = rules::known(found.rule);
            let place = (read.line, read.column);
            let finding = finding(rule, found.message, current, place)
                .notes(found.notes)
                .note(format!(
                    "if it is safe here, say why on the line before: -- migrator:allow {} REASON",
                    rule.id
                ));
            findings.push((read.line, finding));
        }
    }
    findings.sort_by_key(|(line, _)| *line);
    linted
        .findings
        .extend(findings.into_iter().map(|(_, finding)| finding));
}

/// A finding of `rule` at `(line, column)` of `revision`'s up file, with
/// the rule's level and its safe alternative as the hint.
fn finding(
    rule: &Rule,
    message: String,
    revision: &crate::source::revision::Revision,
    (line, column): (usize, usize),
) -> Diagnostic {
    let mut finding = Diagnostic::error("lint", message)
        .rule(rule.id)
        .revision(&revision.id)
        .at(&revision.up.path, Some(line))
        .column(Some(column))
        .hint(rule.hint);
    finding.level = rule.level;
    finding
}

#[cfg(test)]
mod tests;
