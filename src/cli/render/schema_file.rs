//! The schema dump: as text, the SQL itself, byte for byte, or what
//! writing it did; as JSON, one document that holds it.

use migrator::report::schema_file::SchemaFileReport;

use super::{Render, Text};

/// `migrator dump` on stdout.
#[derive(serde::Serialize)]
pub struct SchemaDump {
    pub sql: String,
}

impl Render for SchemaDump {
    fn text(&self, out: &mut Text<'_>) {
        out.verbatim(&self.sql);
    }
}

impl Render for SchemaFileReport {
    fn text(&self, out: &mut Text<'_>) {
        if self.changed {
            out.line(format!("wrote {}", self.path.display()));
        } else {
            out.line(format!("{} is up to date", self.path.display()));
        }
    }
}
