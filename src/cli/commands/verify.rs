//! `migrator verify`: the CI gate. The folder is well formed and has one
//! head; with a database, nothing applied drifted, went missing or moved;
//! with `--roundtrip`, every down undoes its up on a scratch database; with
//! `--lint`, the SQL still to run holds no dangerous DDL; with
//! `--schema-file`, the committed schema dump is the folder's.

use std::path::PathBuf;

use migrator::db::DatabaseUrl;
use migrator::migrator::{VerifyOptions, VerifyReport};
use migrator::{Error, Migrator};

use crate::cli::Context;
use crate::cli::args::Format;

pub fn run(context: &Context<'_>, options: &VerifyOptions) -> Result<i32, Error> {
    if let Some(url) = &options.scratch_url {
        DatabaseUrl::parse(url)?;
    }
    if let Some(fleet) = context.fleet(false)? {
        if options.schema_file.is_some() {
            return Err(refuse_schema_file_over_a_fleet("verify --schema-file"));
        }
        return super::fleet::run(
            context,
            "verify",
            &fleet,
            |migrator, _| migrator.verify(options),
            &|report: &VerifyReport| report.ok,
        );
    }
    // A bad URL is bad usage, refused before either database is read (and
    // whatever the folder holds).
    context.url()?;
    let report = Migrator::verify_folder(|| context.migrator(), options)?;
    let output = context.output;
    match output.format {
        Format::Github => output.annotate(&report),
        _ => output.show(&report),
    }
    Ok(if report.ok { 0 } else { 1 })
}

/// `--schema-file` asked of a fleet, whose targets may each have a schema
/// of their own: bad usage, with the way to name one database.
pub fn refuse_schema_file_over_a_fleet(what: &str) -> Error {
    Error::Usage {
        message: format!("{what} is not for a fleet: its targets may each have another schema"),
        hint: Some("add --database-url URL to write or check one database's schema file".into()),
    }
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
