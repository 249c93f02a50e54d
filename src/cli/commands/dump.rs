//! `migrator dump [--output PATH]`: the database's schema as plain, sorted
//! SQL, on stdout or written to a file; and the schema file that
//! `upgrade`, `downgrade` and `stamp` write after a run.

use std::path::{Path, PathBuf};

use migrator::diagnostic::Diagnostic;
use migrator::{Error, Migrator, Project};

use crate::cli::Context;
use crate::cli::render::SchemaDump;

pub fn run(context: &Context<'_>, output: Option<&Path>) -> Result<i32, Error> {
    // The database alone: a dump needs nothing of the folder.
    let mut migrator = Migrator::new(Project::empty(&context.settings.dir))
        .with_url(context.url()?)
        .with_schema(context.settings.schema.clone())
        .with_lock_timeout(context.settings.lock_timeout);
    let path: Option<PathBuf> = match output {
        Some(path) if path == Path::new("-") => None,
        Some(path) => Some(path.to_path_buf()),
        None => context.settings.schema_file.clone(),
    };
    match path {
        Some(path) => context.output.show(&migrator.write_schema_file(&path)?),
        None => context.output.show(&SchemaDump {
            sql: migrator.schema_dump()?,
        }),
    }
    Ok(0)
}

/// Where `upgrade`, `downgrade` and `stamp` write the schema dump, as their
/// options say: `--schema-file PATH`, `--no-schema-file`, or neither.
pub enum SchemaFileChoice {
    /// `schema_file` in migrator.toml, when it is set.
    Configured,
    At(PathBuf),
    Skip,
}

impl SchemaFileChoice {
    pub fn new(path: Option<PathBuf>, skip: bool) -> SchemaFileChoice {
        match (path, skip) {
            (_, true) => SchemaFileChoice::Skip,
            (Some(path), false) => SchemaFileChoice::At(path),
            (None, false) => SchemaFileChoice::Configured,
        }
    }
}

/// After `upgrade`, `downgrade` or `stamp` changed the database: writes the
/// schema file when asked or when migrator.toml names one. A failure is a
/// warning, not the command's: the database has changed already, and the
/// file can be written again with `migrator dump`.
pub fn after_run(context: &Context<'_>, migrator: &mut Migrator, choice: SchemaFileChoice) {
    let path = match choice {
        SchemaFileChoice::At(path) => path,
        SchemaFileChoice::Configured => match &context.settings.schema_file {
            Some(path) => path.clone(),
            None => return,
        },
        SchemaFileChoice::Skip => return,
    };
    match migrator.write_schema_file(&path) {
        Ok(report) if report.changed => {
            context
                .output
                .note(format!("wrote the schema to {}", path.display()));
        }
        Ok(_) => {}
        Err(error) => context.output.diagnostic(
            &Diagnostic::warning(
                "schema-file",
                format!(
                    "the schema file {} was not written: {error}",
                    path.display()
                ),
            )
            .hint("write it with `migrator dump` once the cause is fixed"),
        ),
    }
}
