//! Rules of both backends: dropping or renaming what the release still
//! running may use. During a deploy the old code runs beside (or before)
//! the new, so a name it uses must outlive it.

use sqlparser::ast::{AlterTableOperation, RenameTableNameKind};

use super::read::{What, dropped_tables};
use super::subject::{Found, Subject};

pub(super) fn check(subject: &Subject<'_, '_>, found: &mut Vec<Found>) {
    let read = subject.read;
    match (&read.what, read.ast()) {
        (What::DropTable, Ok(statement)) => {
            let old: Vec<String> = dropped_tables(statement)
                .iter()
                .filter(|table| !subject.is_new_object(table) && !subject.is_replaced(table))
                .map(|table| format!("`{table}`"))
                .collect();
            if !old.is_empty() {
                let noun = if old.len() == 1 { "table" } else { "tables" };
                found.push(Found::new(
                    "drop-table",
                    format!(
                        "drops {noun} {}: code still running may use {}",
                        old.join(", "),
                        if old.len() == 1 { "it" } else { "them" }
                    ),
                ));
            }
        }
        (What::AlterTable, Ok(_)) => {
            let Some(alter) = read.alter_table() else {
                return;
            };
            if subject.is_new_object(&alter.name) {
                return;
            }
            let table = &alter.name;
            for operation in &alter.operations {
                let finding = match operation {
                    AlterTableOperation::DropColumn { column_names, .. } => {
                        let columns: Vec<String> =
                            column_names.iter().map(|c| format!("`{c}`")).collect();
                        Found::new(
                            "drop-column",
                            format!(
                                "drops column {} of `{table}`: code still running may read or write it",
                                columns.join(", ")
                            ),
                        )
                    }
                    AlterTableOperation::RenameColumn {
                        old_column_name,
                        new_column_name,
                    } => Found::new(
                        "rename-column",
                        format!(
                            "renames column `{old_column_name}` of `{table}` to `{new_column_name}`: code still running uses the old name"
                        ),
                    ),
                    AlterTableOperation::RenameTable {
                        table_name: RenameTableNameKind::To(new) | RenameTableNameKind::As(new),
                    } => Found::new(
                        "rename-table",
                        format!(
                            "renames table `{table}` to `{new}`: code still running uses the old name"
                        ),
                    ),
                    _ => continue,
                };
                found.push(finding);
            }
        }
        _ => {}
    }
}
