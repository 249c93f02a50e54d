//! `migrator init`: the versions folder and a commented migrator.toml.

use std::path::Path;

use migrator::config::FILE_NAME;
use migrator::{Error, Migrator};

use crate::cli::Context;

pub fn run(context: &Context<'_>) -> Result<i32, Error> {
    let report = Migrator::init(&context.settings.dir, Path::new(FILE_NAME))?;
    context.output.show(&report);
    Ok(0)
}
