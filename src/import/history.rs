//! The history table of another tool, read as the migrations a database
//! has applied. Pure: the rows come in as text (read through
//! [`Database::foreign_table`](crate::db::Database::foreign_table)), the
//! answer is how many of the folder's migrations are applied.
//!
//! The tables, as each tool writes them:
//!
//! - golang-migrate, `schema_migrations (version, dirty)`: one row, the
//!   last version applied; `dirty` when its migration failed halfway.
//! - goose, `goose_db_version (id, version_id, is_applied, tstamp)`: a row
//!   per up (and, before goose 3.16, per down with `is_applied` false);
//!   the row with the highest id decides for its version; version 0 is
//!   goose's own first row.
//! - dbmate, `schema_migrations (version)`: a row per applied version.
//! - sqlx, `_sqlx_migrations (version, …, success, …)`: a row per applied
//!   version; `success` false when it failed halfway.
//! - Flyway, `flyway_schema_history (installed_rank, version, type,
//!   success, …)`: a row per event in `installed_rank` order: migrations
//!   (`SQL`, `JDBC`, …), undos (`UNDO_SQL`, …), baselines (every version up
//!   to it counts as applied), `DELETE` markers of `flyway repair`;
//!   repeatable migrations have no version.

use std::collections::BTreeMap;

use super::migration::Migration;
use super::tool::Tool;
use super::version::Version;

/// Where a tool keeps its history, and the columns `import` reads from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryTable {
    pub name: &'static str,
    pub columns: &'static [&'static str],
}

impl Tool {
    /// The table that records what this tool applied, under its default
    /// name.
    pub fn history_table(self) -> HistoryTable {
        let (name, columns): (&'static str, &'static [&'static str]) = match self {
            Tool::GolangMigrate => ("schema_migrations", &["version", "dirty"]),
            Tool::Goose => ("goose_db_version", &["id", "version_id", "is_applied"]),
            Tool::Dbmate => ("schema_migrations", &["version"]),
            Tool::Sqlx => ("_sqlx_migrations", &["version", "success"]),
            Tool::Flyway => (
                "flyway_schema_history",
                &["installed_rank", "version", "type", "success"],
            ),
        };
        HistoryTable { name, columns }
    }
}

/// One row of a history table: the columns of [`HistoryTable::columns`]
/// as text, `None` for NULL.
pub type Row = Vec<Option<String>>;

/// Why a history cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    /// A migration failed halfway, and the tool says so.
    #[error("{tool}'s {table} says version {version} failed halfway ({how})")]
    Dirty {
        tool: Tool,
        table: &'static str,
        version: String,
        how: &'static str,
    },
    /// The history records versions the folder does not have.
    #[error(
        "{tool}'s {table} records {} that the folder lacks: {}",
        if versions.len() == 1 { "a version" } else { "versions" },
        versions.join(", ")
    )]
    Unknown {
        tool: Tool,
        table: &'static str,
        versions: Vec<String>,
    },
    /// A version is applied while one before it is not: imported as one
    /// line, the applied revisions would not be closed under ancestors.
    #[error(
        "{tool}'s {table} records version {applied} as applied but not version {missing}, which comes before it"
    )]
    OutOfOrder {
        tool: Tool,
        table: &'static str,
        missing: String,
        applied: String,
    },
    /// A row that is not what the tool writes.
    #[error("{tool}'s {table}: row {row}: {reason}")]
    Unreadable {
        tool: Tool,
        table: &'static str,
        row: usize,
        reason: String,
    },
}

impl HistoryError {
    /// What to do about it.
    pub fn hint(&self) -> String {
        match self {
            HistoryError::Dirty { tool, version, .. } => match tool {
                Tool::GolangMigrate => format!(
                    "finish or undo version {version} by hand, mark the database clean with \
                     `migrate force VERSION` (the last version fully applied), then import again"
                ),
                Tool::Flyway => "fix the database by hand, run `flyway repair` to remove the \
                                 failed row, then import again"
                    .to_owned(),
                _ => format!(
                    "finish or undo version {version} by hand, delete its row, then import again"
                ),
            },
            HistoryError::Unknown { .. } => "import the folder that migrated this database \
                                              (a newer checkout?), or leave out --database-url to \
                                              import the files only"
                .to_owned(),
            HistoryError::OutOfOrder { tool, missing, .. } => format!(
                "the imported revisions form one line, so a database applies a first part of \
                 it: apply version {missing} with {tool} first, then import again (or leave \
                 out --database-url and stamp by hand)"
            ),
            HistoryError::Unreadable { tool, .. } => format!(
                "is this {tool}'s table? Check --from, or leave out --database-url to import \
                 the files only"
            ),
        }
    }
}

/// What a history says is applied.
#[derive(Debug, Default)]
struct Recorded {
    /// Versions recorded one by one: each must be in the folder.
    versions: Vec<Version>,
    /// Every version up to this one is applied too (golang-migrate's
    /// version, Flyway's baseline).
    up_to: Option<Version>,
}

/// How many of `migrations`, in order, the `tool` history `rows` record as
/// applied: always a first part of them, or an error that says why not.
pub fn applied(tool: Tool, rows: &[Row], migrations: &[Migration]) -> Result<usize, HistoryError> {
    let table = tool.history_table().name;
    let reader = Reader { tool, table };
    let recorded = match tool {
        Tool::GolangMigrate => reader.golang_migrate(rows)?,
        Tool::Goose => reader.goose(rows)?,
        Tool::Dbmate => reader.dbmate(rows)?,
        Tool::Sqlx => reader.sqlx(rows)?,
        Tool::Flyway => reader.flyway(rows)?,
    };
    let unknown: Vec<String> = recorded
        .versions
        .iter()
        .filter(|v| !migrations.iter().any(|m| m.version == **v))
        .map(|v| v.to_string())
        .collect();
    if !unknown.is_empty() {
        return Err(HistoryError::Unknown {
            tool,
            table,
            versions: unknown,
        });
    }
    let is_applied: Vec<bool> = migrations
        .iter()
        .map(|m| {
            recorded.versions.contains(&m.version)
                || recorded
                    .up_to
                    .as_ref()
                    .is_some_and(|up_to| m.version <= *up_to)
        })
        .collect();
    let count = is_applied.iter().take_while(|&&a| a).count();
    if let Some(later) = is_applied[count..].iter().position(|&a| a) {
        return Err(HistoryError::OutOfOrder {
            tool,
            table,
            missing: migrations[count].version.to_string(),
            applied: migrations[count + later].version.to_string(),
        });
    }
    Ok(count)
}

/// Reads the rows of one tool's table.
struct Reader {
    tool: Tool,
    table: &'static str,
}

impl Reader {
    fn unreadable(&self, row: usize, reason: String) -> HistoryError {
        HistoryError::Unreadable {
            tool: self.tool,
            table: self.table,
            row,
            reason,
        }
    }

    fn dirty(&self, version: &str, how: &'static str) -> HistoryError {
        HistoryError::Dirty {
            tool: self.tool,
            table: self.table,
            version: version.to_owned(),
            how,
        }
    }

    /// Column `column` of row `index` (0-based), which must not be NULL.
    fn text<'r>(
        &self,
        rows: &'r [Row],
        index: usize,
        column: usize,
    ) -> Result<&'r str, HistoryError> {
        let name = self.tool.history_table().columns[column];
        rows[index]
            .get(column)
            .and_then(Option::as_deref)
            .ok_or_else(|| self.unreadable(index + 1, format!("{name} is NULL")))
    }

    fn version(&self, rows: &[Row], index: usize, column: usize) -> Result<Version, HistoryError> {
        let text = self.text(rows, index, column)?;
        Version::parse(text, self.tool == Tool::Flyway)
            .ok_or_else(|| self.unreadable(index + 1, format!("`{text}` is not a version")))
    }

    fn flag(&self, rows: &[Row], index: usize, column: usize) -> Result<bool, HistoryError> {
        let text = self.text(rows, index, column)?;
        match text.to_ascii_lowercase().as_str() {
            "t" | "true" | "1" => Ok(true),
            "f" | "false" | "0" => Ok(false),
            _ => Err(self.unreadable(index + 1, format!("`{text}` is neither true nor false"))),
        }
    }

    /// Row indices in the order of an integer column (goose's id, Flyway's
    /// installed_rank).
    fn ordered_by(&self, rows: &[Row], column: usize) -> Result<Vec<usize>, HistoryError> {
        let mut keyed = Vec::with_capacity(rows.len());
        for index in 0..rows.len() {
            let text = self.text(rows, index, column)?;
            let key: i64 = text
                .parse()
                .map_err(|_| self.unreadable(index + 1, format!("`{text}` is not an integer")))?;
            keyed.push((key, index));
        }
        keyed.sort();
        Ok(keyed.into_iter().map(|(_, index)| index).collect())
    }

    fn golang_migrate(&self, rows: &[Row]) -> Result<Recorded, HistoryError> {
        match rows.len() {
            0 => return Ok(Recorded::default()),
            1 => {}
            n => {
                return Err(self.unreadable(
                    2,
                    format!(
                        "golang-migrate keeps one row, the last version applied; this table has {n}"
                    ),
                ));
            }
        }
        let text = self.text(rows, 0, 0)?;
        if self.flag(rows, 0, 1)? {
            return Err(self.dirty(text, "dirty is true"));
        }
        // NilVersion: golang-migrate's "nothing applied".
        if text == "-1" {
            return Ok(Recorded::default());
        }
        let version = self.version(rows, 0, 0)?;
        Ok(Recorded {
            versions: vec![version.clone()],
            up_to: Some(version),
        })
    }

    fn goose(&self, rows: &[Row]) -> Result<Recorded, HistoryError> {
        let mut state: BTreeMap<Version, bool> = BTreeMap::new();
        for index in self.ordered_by(rows, 0)? {
            let version = self.version(rows, index, 1)?;
            let applied = self.flag(rows, index, 2)?;
            if !version.is_zero() {
                state.insert(version, applied);
            }
        }
        Ok(Recorded {
            versions: state
                .into_iter()
                .filter_map(|(version, applied)| applied.then_some(version))
                .collect(),
            up_to: None,
        })
    }

    fn dbmate(&self, rows: &[Row]) -> Result<Recorded, HistoryError> {
        let versions = (0..rows.len())
            .map(|index| self.version(rows, index, 0))
            .collect::<Result<_, _>>()?;
        Ok(Recorded {
            versions,
            up_to: None,
        })
    }

    fn sqlx(&self, rows: &[Row]) -> Result<Recorded, HistoryError> {
        let mut versions = Vec::with_capacity(rows.len());
        for index in 0..rows.len() {
            let version = self.version(rows, index, 0)?;
            if !self.flag(rows, index, 1)? {
                return Err(self.dirty(version.as_str(), "success is false"));
            }
            versions.push(version);
        }
        Ok(Recorded {
            versions,
            up_to: None,
        })
    }

    fn flyway(&self, rows: &[Row]) -> Result<Recorded, HistoryError> {
        let mut recorded = Recorded::default();
        for index in self.ordered_by(rows, 0)? {
            // Repeatable migrations have no version.
            if rows[index].get(1).is_none_or(Option::is_none) {
                continue;
            }
            let kind = self.text(rows, index, 2)?.to_ascii_uppercase();
            if kind == "SCHEMA" {
                continue;
            }
            let version = self.version(rows, index, 1)?;
            if !self.flag(rows, index, 3)? {
                return Err(self.dirty(version.as_str(), "success is false"));
            }
            match kind.as_str() {
                "BASELINE" | "SQL_BASELINE" => recorded.up_to = Some(version),
                kind if kind.starts_with("UNDO") || kind == "DELETE" => {
                    recorded.versions.retain(|v| *v != version);
                }
                _ => recorded.versions.push(version),
            }
        }
        Ok(recorded)
    }
}
