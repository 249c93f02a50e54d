//! `migrator heads`: the revisions with no children.

use migrator::Error;

use crate::cli::Context;

pub fn run(context: &Context<'_>) -> Result<i32, Error> {
    context.output.show(&context.folder()?.heads());
    Ok(0)
}
