//! The tables other migration tools keep (`goose_db_version`,
//! `flyway_schema_history`, …), read for `import` through
//! [`Database::foreign_table`](super::Database::foreign_table).

/// Rows of a foreign table: each column as text, `None` for NULL.
pub type ForeignRows = Vec<Vec<Option<String>>>;

/// The query that reads `columns` of `table`, the table left to the search
/// path, names quoted with `quote` (the quote doubled inside a name).
/// SQLite reads a `"name"` that names no column as a string, so it gets
/// backquotes, which are always a name there; PostgreSQL double quotes.
pub fn select(table: &str, columns: &[&str], quote: char) -> String {
    let quoted = |name: &str| {
        let doubled = name.replace(quote, &format!("{quote}{quote}"));
        format!("{quote}{doubled}{quote}")
    };
    let columns: Vec<String> = columns.iter().map(|c| quoted(c)).collect();
    format!("SELECT {} FROM {}", columns.join(", "), quoted(table))
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_quoted() {
        assert_eq!(
            super::select("goose_db_version", &["id", "version_id"], '"'),
            r#"SELECT "id", "version_id" FROM "goose_db_version""#
        );
        assert_eq!(
            super::select(r#"a"b"#, &["c"], '"'),
            r#"SELECT "c" FROM "a""b""#
        );
        assert_eq!(super::select("a`b", &["c"], '`'), "SELECT `c` FROM `a``b`");
    }
}
