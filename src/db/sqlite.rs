//! SQLite backend, the embedded default.

use super::*;

/// A SQLite database file, through rusqlite with the bundled SQLite.
pub struct SqliteDatabase {
    location: String,
}

impl SqliteDatabase {
    pub fn open(url: &DatabaseUrl) -> Result<Self, DbError> {
        Err(DbError::Connect {
            location: url.redacted(),
            message: "not built yet".into(),
            hint: None,
        })
    }
}

impl Database for SqliteDatabase {
    fn location(&self) -> &str {
        &self.location
    }
    fn has_tables(&mut self) -> Result<bool, DbError> {
        todo!()
    }
    fn ensure_tables(&mut self) -> Result<(), DbError> {
        todo!()
    }
    fn lock(
        &mut self,
        _timeout: Option<Duration>,
        _waiting: &mut dyn FnMut(Option<&str>),
    ) -> Result<(), DbError> {
        todo!()
    }
    fn unlock(&mut self) -> Result<(), DbError> {
        todo!()
    }
    fn applied(&mut self) -> Result<Vec<AppliedRevision>, DbError> {
        todo!()
    }
    fn log(&mut self) -> Result<Vec<LogEntry>, DbError> {
        todo!()
    }
    fn run_step(&mut self, _step: &Step<'_>, _operator: &Operator) -> Result<Duration, DbError> {
        todo!()
    }
    fn record(&mut self, _changes: &[RecordChange], _operator: &Operator) -> Result<(), DbError> {
        todo!()
    }
    fn render_step(&self, _step: &Step<'_>, _operator: &Operator) -> String {
        todo!()
    }
}
