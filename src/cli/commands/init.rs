//! `migrator init`: the versions folder and a commented migrator.toml.

use std::path::Path;

use migrator::Error;
use migrator::config::{self, FILE_NAME};

use crate::cli::Context;

pub fn run(context: &Context<'_>) -> Result<i32, Error> {
    let output = context.output;
    let dir = &context.settings.dir;
    if dir.is_dir() {
        output.note(format!("{} already exists; left as it is", dir.display()));
    } else {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        output.line(format!("created {}/", dir.display()));
    }
    let file = Path::new(FILE_NAME);
    if file.exists() {
        output.note(format!("{FILE_NAME} already exists; left as it is"));
    } else {
        std::fs::write(file, config::template(dir)).map_err(|e| Error::io(file, e))?;
        output.line(format!("created {FILE_NAME}"));
    }
    output.note("next: migrator new -m \"create users\"");
    Ok(0)
}
