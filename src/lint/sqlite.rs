//! SQLite's rules: the forms of `ALTER TABLE` it does not have, and the
//! columns its `ADD COLUMN` refuses. These fail on any table, new or not.

use sqlparser::ast::{
    self, AlterTableOperation, ColumnDef, ColumnOption, Expr, GeneratedExpressionMode, Statement,
    UnaryOperator,
};

use super::read::What;
use super::subject::{Found, Subject};

pub(super) fn check(subject: &Subject<'_, '_>, found: &mut Vec<Found>) {
    let (What::AlterTable, Ok(Statement::AlterTable(alter))) =
        (&subject.read.what, subject.read.ast())
    else {
        return;
    };
    let table = &alter.name;
    if alter.operations.len() > 1 {
        found.push(Found::new(
            "sqlite-alter-unsupported",
            format!(
                "ALTER TABLE `{table}` makes {} changes: SQLite's ALTER TABLE makes one per statement, so the statement fails",
                alter.operations.len()
            ),
        ));
        return;
    }
    for operation in &alter.operations {
        match operation {
            AlterTableOperation::AddColumn { column_def, .. } => {
                add_column(table, column_def, found);
            }
            AlterTableOperation::DropColumn { .. }
            | AlterTableOperation::RenameColumn { .. }
            | AlterTableOperation::RenameTable { .. } => {}
            other => found.push(Found::new(
                "sqlite-alter-unsupported",
                format!(
                    "SQLite's ALTER TABLE has no {}: the statement fails",
                    form(other)
                ),
            )),
        }
    }
}

/// The leading keywords of an `ALTER TABLE` operation, to name it.
fn form(operation: &AlterTableOperation) -> String {
    if let AlterTableOperation::AddConstraint { .. } = operation {
        return "ADD CONSTRAINT".to_owned();
    }
    let text = operation.to_string();
    let words: Vec<&str> = text.split_whitespace().take(2).collect();
    words.join(" ").to_ascii_uppercase()
}

fn add_column(table: &ast::ObjectName, column: &ColumnDef, found: &mut Vec<Found>) {
    let name = &column.name;
    let mut refuse = |why: String| {
        found.push(Found::new(
            "sqlite-add-column-unsupported",
            format!("SQLite cannot add column `{name}` to `{table}` {why}: the statement fails"),
        ));
    };
    let options = || column.options.iter().map(|option| &option.option);
    let default = options().find_map(|option| match option {
        ColumnOption::Default(expr) => Some(expr),
        _ => None,
    });
    for option in options() {
        match option {
            ColumnOption::PrimaryKey(_) => refuse("as a PRIMARY KEY".to_owned()),
            ColumnOption::Unique(_) => refuse("with UNIQUE".to_owned()),
            ColumnOption::Generated {
                generation_expr_mode: Some(GeneratedExpressionMode::Stored),
                ..
            } => refuse("as a STORED generated column".to_owned()),
            _ => {}
        }
    }
    let not_null = options().any(|option| matches!(option, ColumnOption::NotNull));
    let null_default = default
        .is_none_or(|expr| matches!(expr, Expr::Value(value) if value.value == ast::Value::Null));
    if not_null && null_default {
        refuse("NOT NULL without a default other than NULL".to_owned());
    }
    if let Some(expr) = default.filter(|expr| !constant(expr)) {
        refuse(format!(
            "with the default `{expr}`, which is not a constant"
        ));
    }
}

/// Whether SQLite takes `expr` as a constant default for a new column: a
/// literal, or a signed number. An expression in parentheses and
/// CURRENT_TIMESTAMP (read as a function) are not.
fn constant(expr: &Expr) -> bool {
    match expr {
        Expr::Value(_) => true,
        Expr::UnaryOp {
            op: UnaryOperator::Minus | UnaryOperator::Plus,
            expr,
        } => matches!(**expr, Expr::Value(_)),
        _ => false,
    }
}
