//! `migrator merge [-m MSG] [ID…] [--check]`: a no-op revision that joins
//! heads, after a look at what the branches did.

use migrator::Error;

use crate::cli::Context;

pub fn run(
    context: &Context<'_>,
    message: Option<&str>,
    heads: &[String],
    check: bool,
) -> Result<i32, Error> {
    let mut migrator = context.folder()?;
    if check {
        let report = migrator.merge_check(heads)?;
        context.output.show(&report);
        return Ok(if report.is_clean() { 0 } else { 1 });
    }
    context.output.show(&migrator.merge(heads, message)?);
    Ok(0)
}
