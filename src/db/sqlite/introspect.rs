//! The user's schema as a [`Snapshot`], read from `sqlite_schema` and the
//! `pragma_*` table functions: what `verify --roundtrip` compares. Its
//! definitions, for the schema dump, are the `CREATE` statements SQLite
//! keeps in `sqlite_schema`, as written (and as `ALTER TABLE` rewrote them).

use rusqlite::Connection;

use crate::db::schema::{Definition, Kind, Snapshot};
use crate::sql::lexer::Dialect;

/// The user's schema as a [`Snapshot`]: every table with its columns,
/// indexes, foreign keys and CHECK constraints, every view and trigger,
/// from `sqlite_schema` and the `pragma_*` table functions. SQLite's own
/// tables and migrator's bookkeeping are left out.
pub fn schema_snapshot(conn: &Connection) -> rusqlite::Result<Snapshot> {
    let mut lines = Vec::new();
    let mut definitions = Vec::new();
    let objects: Vec<(String, String, String, Option<String>)> = conn
        .prepare(
            "SELECT type, name, tbl_name, sql FROM sqlite_schema
             WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND tbl_name NOT LIKE 'migrator\\_%' ESCAPE '\\'
             ORDER BY name",
        )?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
        .collect::<Result<_, _>>()?;
    for (kind, name, table, sql) in &objects {
        // SQLite checks neither a view's nor a trigger's tables when they
        // are created, so the kinds' order is enough to recreate them.
        let dumped = match kind.as_str() {
            "table" => Some(Kind::Table),
            "index" => Some(Kind::Index),
            "view" => Some(Kind::View),
            "trigger" => Some(Kind::Trigger),
            _ => None,
        };
        // An index without text is one SQLite made for a constraint.
        if let (Some(dumped), Some(text)) = (dumped, sql) {
            definitions.push(Definition::new(dumped, name, text));
        }
        let sql = sql
            .as_deref()
            .map(crate::db::schema::squeeze)
            .unwrap_or_default();
        match kind.as_str() {
            "table" => table_lines(conn, name, &sql, &mut lines)?,
            // Indexes come with their table, where `pragma_index_list` names
            // the implicit ones too; an explicit one's text shows a changed
            // WHERE or expression.
            "index" if !sql.is_empty() => lines.push(format!("index {name} ON {table}: {sql}")),
            "view" => lines.push(format!("view {name}: {sql}")),
            "trigger" => lines.push(format!("trigger {name} ON {table}: {sql}")),
            _ => {}
        }
    }
    order_views(&mut definitions);
    Ok(Snapshot::from_lines(lines).with_definitions(definitions))
}

/// Gives each view the views its text names, so that a dump puts a view
/// after those it reads (SQLite does not check when creating one, but a
/// reader, and another database, expect it).
fn order_views(definitions: &mut [Definition]) {
    let views: Vec<String> = definitions
        .iter()
        .filter(|d| d.kind == Kind::View)
        .map(|d| d.name.clone())
        .collect();
    for definition in definitions.iter_mut().filter(|d| d.kind == Kind::View) {
        let named = views_named(&definition.statements.concat(), &views);
        definition.depends_on = named
            .into_iter()
            .filter(|view| view != &definition.name)
            .collect();
    }
}

/// Which of `views` the words and quoted names of `sql` name.
fn views_named(sql: &str, views: &[String]) -> Vec<String> {
    use crate::sql::lexer::{Kind as Token, Lexer};
    let mut named: Vec<String> = Lexer::new(sql, Dialect::Sqlite)
        .filter(|token| matches!(token.kind, Token::Word | Token::QuotedIdentifier))
        .filter_map(|token| {
            let word = token.unquoted();
            views
                .iter()
                .find(|view| view.eq_ignore_ascii_case(&word))
                .cloned()
        })
        .collect();
    named.sort();
    named.dedup();
    named
}

fn table_lines(
    conn: &Connection,
    table: &str,
    sql: &str,
    lines: &mut Vec<String>,
) -> rusqlite::Result<()> {
    lines.push(format!("table {table}"));
    let mut columns = conn.prepare(
        "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?1)",
    )?;
    let mut rows = columns.query([table])?;
    while let Some(row) = rows.next()? {
        let name: String = row.get(0)?;
        let kind: String = row.get(1)?;
        let mut line = format!("column {table}.{name} {}", kind.to_lowercase());
        if row.get::<_, bool>(2)? {
            line.push_str(" not null");
        }
        if let Some(default) = row.get::<_, Option<String>>(3)? {
            line.push_str(&format!(" default {default}"));
        }
        let pk: i64 = row.get(4)?;
        if pk > 0 {
            line.push_str(&format!(" primary key {pk}"));
        }
        if row.get::<_, i64>(5)? > 1 {
            line.push_str(" generated");
        }
        lines.push(line);
    }
    let mut indexes =
        conn.prepare("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1)")?;
    let found: Vec<(String, bool, String, bool)> = indexes
        .query_map([table], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    for (index, unique, origin, partial) in found {
        if origin == "c" {
            // CREATE INDEX: its text, from sqlite_schema, says it all.
            continue;
        }
        let columns: Vec<String> = conn
            .prepare(
                "SELECT coalesce(name, '<expression>') FROM pragma_index_info(?1) ORDER BY seqno",
            )?
            .query_map([&index], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        let mut line = format!("index {index} ON {table} ({})", columns.join(", "));
        if unique {
            line.push_str(" unique");
        }
        if partial {
            line.push_str(" partial");
        }
        match origin.as_str() {
            "pk" => line.push_str(" (primary key)"),
            "u" => line.push_str(" (unique constraint)"),
            _ => {}
        }
        lines.push(line);
    }
    let mut keys = conn.prepare(
        "SELECT id, \"table\", \"from\", coalesce(\"to\", ''), on_update, on_delete
         FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
    )?;
    struct ForeignKey {
        id: i64,
        target: String,
        from: Vec<String>,
        to: Vec<String>,
        actions: String,
    }
    let mut found: Vec<ForeignKey> = Vec::new();
    let mut rows = keys.query([table])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let (from, to): (String, String) = (row.get(2)?, row.get(3)?);
        match found.last_mut() {
            Some(last) if last.id == id => {
                last.from.push(from);
                last.to.push(to);
            }
            _ => found.push(ForeignKey {
                id,
                target: row.get(1)?,
                from: vec![from],
                to: vec![to],
                actions: format!(
                    "ON UPDATE {} ON DELETE {}",
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?
                ),
            }),
        }
    }
    for key in found {
        lines.push(format!(
            "foreign key {table} ({}) REFERENCES {} ({}) {}",
            key.from.join(", "),
            key.target,
            key.to.join(", "),
            key.actions
        ));
    }
    // SQLite keeps CHECK constraints only in the table's text.
    for check in check_constraints(sql) {
        lines.push(format!("check {table}: {check}"));
    }
    Ok(())
}

/// The `CHECK (…)` clauses of a `CREATE TABLE` text, parentheses included.
fn check_constraints(sql: &str) -> Vec<String> {
    crate::sql::check::clauses(sql, Dialect::Sqlite)
        .into_iter()
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::sqlite::sql::CREATE_TABLES;

    #[test]
    fn check_constraints_of_a_table_text() {
        let cases: &[(&str, &[&str])] = &[
            ("CREATE TABLE t (a int)", &[]),
            (
                "CREATE TABLE t (a int CHECK (a > 0), b text check(b IN ('x)', 'y')))",
                &["(a > 0)", "(b IN ('x)', 'y'))"],
            ),
            ("CREATE TABLE t (checks int, \"check\" int)", &[]),
        ];
        for (sql, expected) in cases {
            assert_eq!(check_constraints(sql), *expected, "{sql}");
        }
    }

    #[test]
    fn snapshots_leave_out_the_bookkeeping_and_see_what_a_down_forgot() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(CREATE_TABLES).unwrap();
        assert_eq!(schema_snapshot(&conn).unwrap(), Snapshot::default());
        conn.execute_batch(
            "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL DEFAULT '' UNIQUE);
             CREATE TABLE orders (id integer, user_id integer REFERENCES users (id) ON DELETE CASCADE, CHECK (id > 0));
             CREATE INDEX orders_user ON orders (user_id);
             CREATE VIEW v AS SELECT id FROM users;
             CREATE TRIGGER tr AFTER INSERT ON users BEGIN SELECT 1; END;",
        )
        .unwrap();
        let lines: Vec<String> = schema_snapshot(&conn)
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        assert_eq!(
            lines,
            [
                "check orders: (id > 0)",
                "column orders.id integer",
                "column orders.user_id integer",
                "column users.email text not null default ''",
                "column users.id integer primary key 1",
                "foreign key orders (user_id) REFERENCES users (id) ON UPDATE NO ACTION ON DELETE CASCADE",
                "index orders_user ON orders: CREATE INDEX orders_user ON orders (user_id)",
                "index sqlite_autoindex_users_1 ON users (email) unique (unique constraint)",
                "table orders",
                "table users",
                "trigger tr ON users: CREATE TRIGGER tr AFTER INSERT ON users BEGIN SELECT 1; END",
                "view v: CREATE VIEW v AS SELECT id FROM users",
            ]
        );
    }

    #[test]
    fn views_named_in_a_view() {
        let views = [
            "base".to_string(),
            "Other View".to_string(),
            "report".to_string(),
        ];
        let cases: &[(&str, &[&str])] = &[
            ("CREATE VIEW report AS SELECT 1", &["report"]),
            (
                "CREATE VIEW report AS SELECT * FROM base JOIN \"Other View\" USING (id)",
                &["Other View", "base", "report"],
            ),
            (
                "CREATE VIEW report AS SELECT 'base' AS x -- base",
                &["report"],
            ),
            (
                "CREATE VIEW report AS SELECT * FROM BASE",
                &["base", "report"],
            ),
        ];
        for (sql, expected) in cases {
            assert_eq!(views_named(sql, &views), *expected, "{sql}");
        }
    }

    #[test]
    fn the_dump_recreates_the_schema_it_was_made_from() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(CREATE_TABLES).unwrap();
        conn.execute_batch(
            "CREATE TABLE users (id integer PRIMARY KEY AUTOINCREMENT, email text NOT NULL UNIQUE);
             CREATE TABLE orders (id integer, user_id integer REFERENCES users (id), CHECK (id > 0));
             ALTER TABLE orders ADD COLUMN note text DEFAULT 'none';
             CREATE INDEX orders_user ON orders (user_id) WHERE user_id IS NOT NULL;
             CREATE VIEW a_report AS SELECT * FROM z_base;
             CREATE VIEW z_base AS SELECT id FROM users;
             CREATE TRIGGER tr AFTER INSERT ON users BEGIN SELECT 1; END;",
        )
        .unwrap();
        let snapshot = schema_snapshot(&conn).unwrap();
        let dump = crate::db::dump::render(snapshot.definitions(), &[]);
        let body: Vec<&str> = dump
            .lines()
            .filter(|line| !line.starts_with("--") && !line.is_empty())
            .collect();
        assert_eq!(
            body,
            [
                "CREATE TABLE orders (id integer, user_id integer REFERENCES users (id), note text DEFAULT 'none', CHECK (id > 0));",
                "CREATE TABLE users (id integer PRIMARY KEY AUTOINCREMENT, email text NOT NULL UNIQUE);",
                "CREATE VIEW z_base AS SELECT id FROM users;",
                "CREATE VIEW a_report AS SELECT * FROM z_base;",
                "CREATE INDEX orders_user ON orders (user_id) WHERE user_id IS NOT NULL;",
                "CREATE TRIGGER tr AFTER INSERT ON users BEGIN SELECT 1; END;",
            ]
        );
        let again = Connection::open_in_memory().unwrap();
        again.execute_batch(&dump).unwrap();
        assert_eq!(schema_snapshot(&again).unwrap(), snapshot);
    }
}
