//! `migrator current`: the database's applied heads.

use migrator::Error;

use crate::cli::Context;

pub fn run(context: &Context<'_>) -> Result<i32, Error> {
    let report = context.migrator()?.current()?;
    context.output.show(&report);
    Ok(0)
}
