//! The tables other migration tools keep (`goose_db_version`,
//! `flyway_schema_history`, …), read for `import` through
//! [`Database::foreign_table`](super::Database::foreign_table).

/// Rows of a foreign table: each column as text, `None` for NULL.
pub type ForeignRows = Vec<Vec<Option<String>>>;

/// The query that reads `columns` of `table`, names quoted as both SQLite
/// and PostgreSQL read them, the table left to the search path.
pub fn select(table: &str, columns: &[&str]) -> String {
    let quote = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
    let columns: Vec<String> = columns.iter().map(|c| quote(c)).collect();
    format!("SELECT {} FROM {}", columns.join(", "), quote(table))
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_quoted() {
        assert_eq!(
            super::select("goose_db_version", &["id", "version_id"]),
            r#"SELECT "id", "version_id" FROM "goose_db_version""#
        );
        assert_eq!(super::select(r#"a"b"#, &["c"]), r#"SELECT "c" FROM "a""b""#);
    }
}
