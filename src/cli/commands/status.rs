//! `migrator status [--check]`: the database against the folder.

use migrator::Error;

use crate::cli::Context;

pub fn run(context: &Context<'_>, check: bool) -> Result<i32, Error> {
    let report = context.migrator()?.status()?;
    context.output.show(&report);
    Ok(if check && report.needs_attention() {
        1
    } else {
        0
    })
}
