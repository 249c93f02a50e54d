//! `migrator log`: the event log, newest first.

use migrator::Error;

use crate::cli::Context;

pub fn run(context: &Context<'_>) -> Result<i32, Error> {
    let report = context.migrator()?.log()?;
    context.output.show(&report);
    Ok(0)
}
