//! `migrator downgrade TARGET`: undo what descends from the target.

use migrator::Error;
use migrator::record::Direction;

use crate::cli::Context;
use crate::cli::args::RunArgs;

pub fn run(context: &Context<'_>, target: &str, args: &RunArgs) -> Result<i32, Error> {
    super::upgrade::migrate(context, Direction::Down, target, args)
}
