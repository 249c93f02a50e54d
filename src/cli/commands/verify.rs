//! `migrator verify`: the CI gate. The folder is well formed and has one
//! head; with a database, nothing applied drifted, went missing or moved;
//! with `--roundtrip`, every down undoes its up on a scratch database; with
//! `--lint`, the SQL still to run holds no dangerous DDL; with
//! `--schema-file`, the committed schema dump is the folder's.

use std::path::PathBuf;

use migrator::db::DatabaseUrl;
use migrator::migrator::VerifyOptions;
use migrator::{Error, Migrator};

use crate::cli::Context;
use crate::cli::args::Format;

pub fn run(context: &Context<'_>, options: &VerifyOptions) -> Result<i32, Error> {
    // A bad URL is bad usage, refused before either database is read (and
    // whatever the folder holds).
    context.url()?;
    if let Some(url) = &options.scratch_url {
        DatabaseUrl::parse(url)?;
    }
    let report = Migrator::verify_folder(|| context.migrator(), options)?;
    let output = context.output;
    match output.format {
        Format::Github => output.annotate(&report),
        _ => output.show(&report),
    }
    Ok(if report.ok { 0 } else { 1 })
}

/// The schema file `--schema-file` checks: its value, else `schema_file`
/// in migrator.toml; `None` without the option.
pub fn schema_file(
    context: &Context<'_>,
    option: Option<Option<PathBuf>>,
) -> Result<Option<PathBuf>, Error> {
    match option {
        None => Ok(None),
        Some(Some(path)) => Ok(Some(path)),
        Some(None) => match &context.settings.schema_file {
            Some(path) => Ok(Some(path.clone())),
            None => Err(Error::Usage {
                message: "verify --schema-file: which file? migrator.toml sets no schema_file"
                    .to_owned(),
                hint: Some(
                    "give the path (--schema-file schema.sql), or set schema_file = \"schema.sql\" in migrator.toml"
                        .to_owned(),
                ),
            }),
        },
    }
}
