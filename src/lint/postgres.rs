//! PostgreSQL's rules: locks that stop a busy table, rewrites of a whole
//! table, and statements the server refuses inside a transaction.

use std::ops::ControlFlow;

use sqlparser::ast::{
    self, AlterColumnOperation, AlterTableOperation, ColumnDef, ColumnOption, DataType, Expr,
    GeneratedExpressionMode, ObjectName, TableConstraint,
};

use super::read::CreatedIndex;
use super::subject::{Found, Subject};
use super::types;

/// Functions PostgreSQL marks volatile that show up as column defaults: a
/// default calling one is computed for every existing row, which rewrites
/// the table. `now()` and `current_timestamp` are stable: one value for
/// the statement, stored once.
const VOLATILE: &[&str] = &[
    "random",
    "random_normal",
    "gen_random_uuid",
    "gen_random_bytes",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "uuidv4",
    "uuidv7",
    "clock_timestamp",
    "timeofday",
    "nextval",
];

/// Types whose default is `nextval(…)` of a sequence of their own.
const SERIAL: &[&str] = &[
    "serial",
    "bigserial",
    "smallserial",
    "serial2",
    "serial4",
    "serial8",
];

/// The rule of a statement that takes an ACCESS EXCLUSIVE lock in a
/// revision without a lock timeout: found once per revision.
pub(super) const EXCLUSIVE_LOCK: &str = "exclusive-lock-without-timeout";

pub(super) fn check(subject: &Subject<'_, '_>, found: &mut Vec<Found>) {
    if subject.transactional() {
        transaction_block(subject, found);
    }
    if !subject.has_lock_timeout()
        && let Some((what, on)) = access_exclusive(subject)
    {
        let revision = &subject.folder.graph.at(subject.revision).id;
        found.push(
            Found::new(
                EXCLUSIVE_LOCK,
                format!(
                    "{what} takes an ACCESS EXCLUSIVE lock on {on} while {revision} sets no Lock-Timeout"
                ),
            )
            .note(format!(
                "while it waits for that lock (behind any open transaction that touched {on}), \
                 every other query on {on} waits behind it, reads included"
            )),
        );
    }
    if let Some(index) = subject.read.created_index() {
        create_index(subject, &index, found);
    }
    if let Some(alter) = subject.read.alter_table()
        && !subject.is_new_object(&alter.name)
    {
        for operation in &alter.operations {
            alter_table(subject, &alter.name, operation, found);
        }
    }
}

/// Statements the server refuses inside a transaction block, read from
/// their words: the parser knows few of them.
fn transaction_block(subject: &Subject<'_, '_>, found: &mut Vec<Found>) {
    let read = subject.read;
    let refused = if read.starts_with(&["create", "index", "concurrently"])
        || read.starts_with(&["create", "unique", "index", "concurrently"])
    {
        Some("CREATE INDEX CONCURRENTLY")
    } else if read.starts_with(&["drop", "index", "concurrently"]) {
        Some("DROP INDEX CONCURRENTLY")
    } else if read.starts_with(&["reindex"]) {
        if read.mentions("concurrently") {
            Some("REINDEX CONCURRENTLY")
        } else if read.leads_with_word("database") {
            Some("REINDEX DATABASE")
        } else if read.leads_with_word("system") {
            Some("REINDEX SYSTEM")
        } else {
            None
        }
    } else if read.starts_with(&["alter", "table"])
        && read.leads_with_word("detach")
        && read.leads_with_word("concurrently")
    {
        Some("DETACH PARTITION … CONCURRENTLY")
    } else if read.starts_with(&["vacuum"]) {
        Some("VACUUM")
    } else if read.starts_with(&["create", "database"]) {
        Some("CREATE DATABASE")
    } else if read.starts_with(&["drop", "database"]) {
        Some("DROP DATABASE")
    } else if read.starts_with(&["create", "tablespace"]) {
        Some("CREATE TABLESPACE")
    } else if read.starts_with(&["drop", "tablespace"]) {
        Some("DROP TABLESPACE")
    } else if read.starts_with(&["alter", "system"]) {
        Some("ALTER SYSTEM")
    } else {
        None
    };
    let revision = &subject.folder.graph.at(subject.revision).id;
    if let Some(statement) = refused {
        found.push(Found::new(
            "cannot-run-in-transaction",
            format!(
                "{statement} cannot run inside a transaction block, and {revision} runs in one: the revision fails"
            ),
        ));
    } else if read.starts_with(&["alter", "type"])
        && read.leads_with_word("add")
        && read.leads_with_word("value")
    {
        found.push(Found::new(
            "add-enum-value-in-transaction",
            format!(
                "ALTER TYPE … ADD VALUE in {revision}, which runs in a transaction: PostgreSQL 11 and older refuse it there, and later versions refuse to use the new value before the transaction commits"
            ),
        ));
    }
}

fn create_index(subject: &Subject<'_, '_>, index: &CreatedIndex, found: &mut Vec<Found>) {
    if index.concurrently || subject.is_new(&index.table) {
        return;
    }
    let table = &index.shown;
    found.push(
        Found::new(
            "index-not-concurrent",
            format!(
                "CREATE {}INDEX on `{table}` without CONCURRENTLY: writes to `{table}` wait until the index is built",
                if index.unique { "UNIQUE " } else { "" }
            ),
        )
        .note(subject.origin_note(table, Some(&index.table))),
    );
}

fn alter_table(
    subject: &Subject<'_, '_>,
    table: &ObjectName,
    operation: &AlterTableOperation,
    found: &mut Vec<Found>,
) {
    match operation {
        AlterTableOperation::AddColumn { column_def, .. } => {
            add_column(subject, table, column_def, found);
        }
        AlterTableOperation::AddConstraint {
            constraint,
            not_valid,
        } => add_constraint(subject, table, constraint, *not_valid, found),
        AlterTableOperation::AlterColumn { column_name, op } => match op {
            AlterColumnOperation::SetDataType {
                data_type, using, ..
            } => change_type(subject, table, column_name, data_type, using.as_ref(), found),
            AlterColumnOperation::SetNotNull if !checked_not_null(subject, table, column_name) => found.push(
                Found::new(
                    "set-not-null",
                    format!(
                        "SET NOT NULL on `{table}`.`{column_name}` reads the whole table while reads and writes wait"
                    ),
                )
                .note(subject.origin_note(table, subject.name(table).as_ref())),
            ),
            _ => {}
        },
        _ => {}
    }
}

/// Whether a valid CHECK already says the column holds no NULL.
fn checked_not_null(subject: &Subject<'_, '_>, table: &ObjectName, column: &ast::Ident) -> bool {
    subject.name(table).is_some_and(|table| {
        subject.folder.checked_not_null(
            subject.revision,
            subject.index,
            &table,
            &subject.ident(column),
        )
    })
}

fn add_column(
    subject: &Subject<'_, '_>,
    table: &ObjectName,
    column: &ColumnDef,
    found: &mut Vec<Found>,
) {
    let name = &column.name;
    let options = || column.options.iter().map(|option| &option.option);
    let default = options().find_map(|option| match option {
        ColumnOption::Default(expr) => Some(expr),
        _ => None,
    });
    let generated = options().any(|option| matches!(option, ColumnOption::Generated { .. }));
    let not_null = options().any(|option| matches!(option, ColumnOption::NotNull));
    let null_default = default
        .is_none_or(|expr| matches!(expr, Expr::Value(value) if value.value == ast::Value::Null));
    if not_null && null_default && !generated && serial(&column.data_type).is_none() {
        found.push(
            Found::new(
                "not-null-without-default",
                format!(
                    "adds NOT NULL column `{name}` to `{table}` without a default: it fails as soon as `{table}` has a row"
                ),
            )
            .note(subject.origin_note(table, subject.name(table).as_ref())),
        );
    }
    if let Some(what) = per_row_value(column, default) {
        found.push(
            Found::new(
                "volatile-default",
                format!(
                    "adds column `{name}` to `{table}` with {what}: PostgreSQL rewrites the whole table while reads and writes wait"
                ),
            )
            .note(subject.origin_note(table, subject.name(table).as_ref())),
        );
    }
    for option in options() {
        let (rule, what) = match option {
            ColumnOption::ForeignKey(key) => (
                "constraint-not-valid",
                format!(
                    "REFERENCES `{}`: every row of `{table}` is checked while reads and writes wait",
                    key.foreign_table
                ),
            ),
            ColumnOption::Check(_) => (
                "constraint-not-valid",
                format!(
                    "a CHECK constraint: every row of `{table}` is checked while reads and writes wait"
                ),
            ),
            ColumnOption::PrimaryKey(_) => (
                "constraint-builds-index",
                "PRIMARY KEY: its index is built while reads and writes wait".to_owned(),
            ),
            ColumnOption::Unique(_) => (
                "constraint-builds-index",
                "UNIQUE: its index is built while reads and writes wait".to_owned(),
            ),
            _ => continue,
        };
        found.push(
            Found::new(
                rule,
                format!("adds column `{name}` to `{table}` with {what}"),
            )
            .note(subject.origin_note(table, subject.name(table).as_ref())),
        );
    }
}

/// What makes a new column's value differ from row to row, so that
/// PostgreSQL computes and writes it for every existing row.
fn per_row_value(column: &ColumnDef, default: Option<&Expr>) -> Option<String> {
    if let Some(call) = default.and_then(volatile_call) {
        return Some(format!("the volatile default `{call}`"));
    }
    if let Some(serial) = serial(&column.data_type) {
        return Some(format!(
            "type `{serial}`, whose default takes a new number from a sequence for each row"
        ));
    }
    column
        .options
        .iter()
        .find_map(|option| match &option.option {
            ColumnOption::Generated {
                generation_expr: None,
                ..
            }
            | ColumnOption::Identity(_) => Some("an identity, which numbers every row".to_owned()),
            ColumnOption::Generated {
                generation_expr: Some(_),
                generation_expr_mode: Some(GeneratedExpressionMode::Stored),
                ..
            } => Some("a stored generated value, computed for every row".to_owned()),
            _ => None,
        })
}

/// The first call of a volatile function in `expr`, as written.
fn volatile_call(expr: &Expr) -> Option<String> {
    let found = ast::visit_expressions(expr, |expr| match expr {
        Expr::Function(function)
            if function
                .name
                .0
                .last()
                .and_then(|part| part.as_ident())
                .is_some_and(|ident| {
                    VOLATILE
                        .iter()
                        .any(|name| ident.value.eq_ignore_ascii_case(name))
                }) =>
        {
            ControlFlow::Break(function.to_string())
        }
        _ => ControlFlow::Continue(()),
    });
    match found {
        ControlFlow::Break(call) => Some(call),
        ControlFlow::Continue(()) => None,
    }
}

/// The serial type a column is declared with, as written.
fn serial(data_type: &DataType) -> Option<String> {
    let DataType::Custom(name, _) = data_type else {
        return None;
    };
    let last = name.0.last()?.as_ident()?;
    SERIAL
        .iter()
        .any(|serial| last.value.eq_ignore_ascii_case(serial))
        .then(|| last.value.clone())
}

fn add_constraint(
    subject: &Subject<'_, '_>,
    table: &ObjectName,
    constraint: &TableConstraint,
    not_valid: bool,
    found: &mut Vec<Found>,
) {
    let named = |name: &Option<ast::Ident>| match name {
        Some(name) => format!(" `{name}`"),
        None => String::new(),
    };
    let finding = match constraint {
        TableConstraint::ForeignKey(key) if !not_valid => Found::new(
            "constraint-not-valid",
            format!(
                "adds FOREIGN KEY{} to `{table}` without NOT VALID: every row of `{table}` is checked while writes to `{table}` and `{}` wait",
                named(&key.name),
                key.foreign_table
            ),
        ),
        TableConstraint::Check(check) if !not_valid => Found::new(
            "constraint-not-valid",
            format!(
                "adds CHECK{} to `{table}` without NOT VALID: every row is checked while reads and writes wait",
                named(&check.name)
            ),
        ),
        TableConstraint::PrimaryKey(key) => Found::new(
            "constraint-builds-index",
            format!(
                "adds PRIMARY KEY{} to `{table}`: its index is built while reads and writes wait",
                named(&key.name)
            ),
        ),
        TableConstraint::Unique(unique) => Found::new(
            "constraint-builds-index",
            format!(
                "adds UNIQUE{} to `{table}`: its index is built while reads and writes wait",
                named(&unique.name)
            ),
        ),
        _ => return,
    };
    found.push(finding.note(subject.origin_note(table, subject.name(table).as_ref())));
}

fn change_type(
    subject: &Subject<'_, '_>,
    table: &ObjectName,
    column: &ast::Ident,
    new: &DataType,
    using: Option<&Expr>,
    found: &mut Vec<Found>,
) {
    let old = subject.name(table).and_then(|name| {
        subject.folder.column_type(
            subject.revision,
            subject.index,
            &name,
            &subject.ident(column),
        )
    });
    let note = match (&old, using) {
        (_, Some(using)) => format!("USING {using} computes every row anew"),
        (Some((old, _)), None) if !types::rewrites(old, new) => return,
        (Some((old, id)), None) => format!("`{column}` is `{old}` (as {id} left it)"),
        (None, None) => format!(
            "the folder does not show the type `{column}` has now, so this cannot be told apart from a change that needs no rewrite"
        ),
    };
    found.push(
        Found::new(
            "type-change-rewrite",
            format!(
                "changes the type of `{table}`.`{column}` to `{new}`: PostgreSQL rewrites the table and rebuilds its indexes while reads and writes wait"
            ),
        )
        .note(note),
    );
}

/// What in this statement takes an ACCESS EXCLUSIVE lock, and on what, as
/// `("ALTER TABLE", "`orders`")`; `None` for a statement that takes a
/// weaker lock, or locks only a table this revision created (nobody else
/// can be waiting for it).
fn access_exclusive(subject: &Subject<'_, '_>) -> Option<(String, String)> {
    let read = subject.read;
    let named = |name: &ObjectName| format!("`{name}`");
    // The (qualified) name that follows the leading words, as written.
    let after = |words: usize| -> String {
        let tokens = &read.lead[words.min(read.lead.len())..];
        let mut name = match tokens.first() {
            Some(first) if !first.is_punct('(') => first.text.to_owned(),
            _ => return "the table".to_owned(),
        };
        let mut rest = &tokens[1..];
        while let [dot, part, tail @ ..] = rest
            && dot.is_punct('.')
        {
            name.push('.');
            name.push_str(part.text);
            rest = tail;
        }
        format!("`{name}`")
    };
    if read.what == super::read::What::AlterTable {
        return match read.alter_table() {
            Some(alter) if subject.is_new_object(&alter.name) => None,
            Some(alter) => alter
                .operations
                .iter()
                .any(takes_access_exclusive)
                .then(|| ("ALTER TABLE".to_owned(), named(&alter.name))),
            // Unparsed: the weaker forms by their words.
            None => (!read.leads_with_word("validate")
                && !read.leads_with_word("attach")
                && !read.leads_with_word("concurrently"))
            .then(|| ("ALTER TABLE".to_owned(), "the table".to_owned())),
        };
    }
    if read.what == super::read::What::DropTable {
        let ast = read.ast().ok()?;
        let old: Vec<String> = super::read::dropped_tables(ast)
            .iter()
            .filter(|table| !subject.is_new_object(table))
            .map(named)
            .collect();
        return (!old.is_empty()).then(|| ("DROP TABLE".to_owned(), old.join(", ")));
    }
    let skip_only = |at: usize| {
        if read.lead.get(at).is_some_and(|t| t.is_word("only")) {
            at + 1
        } else {
            at
        }
    };
    if read.starts_with(&["drop", "index"]) && !read.mentions("concurrently") {
        let at = if read.starts_with(&["drop", "index", "if", "exists"]) {
            4
        } else {
            2
        };
        return Some((
            "DROP INDEX".to_owned(),
            format!("the table of {}", after(at)),
        ));
    }
    if read.starts_with(&["truncate"]) {
        let at = if read.starts_with(&["truncate", "table"]) {
            2
        } else {
            1
        };
        return Some(("TRUNCATE".to_owned(), after(skip_only(at))));
    }
    if read.starts_with(&["lock"]) {
        // LOCK [TABLE] [ONLY] name [IN mode MODE] [NOWAIT]: NOWAIT does
        // not wait, and a mode other than ACCESS EXCLUSIVE is weaker.
        let access_exclusive_mode = !read.leads_with_word("in")
            || (read.leads_with_word("access") && read.leads_with_word("exclusive"));
        if read.leads_with_word("nowait") || !access_exclusive_mode {
            return None;
        }
        let at = if read.starts_with(&["lock", "table"]) {
            2
        } else {
            1
        };
        return Some(("LOCK TABLE".to_owned(), after(skip_only(at))));
    }
    if read.starts_with(&["reindex"]) && !read.mentions("concurrently") {
        return Some(("REINDEX".to_owned(), "the indexes it rebuilds".to_owned()));
    }
    if read.starts_with(&["cluster"]) {
        return Some(("CLUSTER".to_owned(), "the table".to_owned()));
    }
    if read.starts_with(&["vacuum"]) && read.mentions("full") {
        return Some(("VACUUM FULL".to_owned(), "the table".to_owned()));
    }
    if read.starts_with(&["refresh", "materialized", "view"]) && !read.mentions("concurrently") {
        return Some(("REFRESH MATERIALIZED VIEW".to_owned(), after(3)));
    }
    None
}

/// Whether an `ALTER TABLE` action takes ACCESS EXCLUSIVE, as
/// PostgreSQL's documentation of ALTER TABLE says: all but a few do.
fn takes_access_exclusive(operation: &AlterTableOperation) -> bool {
    !matches!(
        operation,
        // SHARE ROW EXCLUSIVE.
        AlterTableOperation::AddConstraint {
            constraint: TableConstraint::ForeignKey(_),
            ..
        } | AlterTableOperation::EnableTrigger { .. }
            | AlterTableOperation::DisableTrigger { .. }
            | AlterTableOperation::EnableAlwaysTrigger { .. }
            | AlterTableOperation::EnableReplicaTrigger { .. }
            // SHARE UPDATE EXCLUSIVE.
            | AlterTableOperation::ValidateConstraint { .. }
            | AlterTableOperation::AttachPartition { .. }
            | AlterTableOperation::AttachPartitionOf { .. }
            | AlterTableOperation::SetOptionsParens { .. }
            | AlterTableOperation::ResetOptions { .. }
    )
}
