//! `migrator verify`: the CI gate. The folder is well formed and has one
//! head; with a database, nothing applied drifted, went missing or moved;
//! with `--roundtrip`, every down undoes its up on a scratch database; with
//! `--lint`, the SQL still to run holds no dangerous DDL.

use migrator::db::DatabaseUrl;
use migrator::migrator::{VerifyOptions, VerifyReport};
use migrator::{Error, Migrator};

use crate::cli::Context;
use crate::cli::args::Format;

pub fn run(context: &Context<'_>, options: &VerifyOptions) -> Result<i32, Error> {
    if let Some(url) = &options.scratch_url {
        DatabaseUrl::parse(url)?;
    }
    if let Some(fleet) = context.fleet()? {
        return super::fleet::run(
            context,
            "verify",
            &fleet,
            |mut migrator, _| migrator.verify(options),
            &|report: &VerifyReport| report.ok,
        );
    }
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
