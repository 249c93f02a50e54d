//! `migrator rebase ID --onto HEAD [--dry-run]`: replays a branch on top of
//! a head, for teams that keep the history a straight line.

use migrator::Error;

use crate::cli::Context;

pub fn run(context: &Context<'_>, name: &str, onto: &str, dry_run: bool) -> Result<i32, Error> {
    let report = context.migrator()?.rebase(name, onto, dry_run)?;
    context.output.show(&report);
    Ok(0)
}
