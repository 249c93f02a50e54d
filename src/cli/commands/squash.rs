//! `migrator squash UPTO -m MSG`: one revision in place of every revision
//! up to UPTO.

use migrator::Error;

use crate::cli::Context;

pub fn run(context: &Context<'_>, upto: &str, message: &str) -> Result<i32, Error> {
    let report = context.folder()?.squash(upto, message)?;
    context.output.show(&report);
    Ok(0)
}
