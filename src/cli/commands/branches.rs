//! `migrator branches`: the branch points and their children.

use migrator::Error;

use crate::cli::Context;

pub fn run(context: &Context<'_>) -> Result<i32, Error> {
    context.output.show(&context.folder()?.branches());
    Ok(0)
}
