//! `migrator stamp TARGET`: set the records without running SQL.

use migrator::Error;
use migrator::graph::target::Target;

use crate::cli::Context;

pub fn run(context: &Context<'_>, target: &str) -> Result<i32, Error> {
    let _: Target = target.parse()?;
    let mut migrator = context.migrator()?;
    let report = migrator.stamp_with(target, &mut super::upgrade::LockNotice(context.output))?;
    context.output.show(&report);
    Ok(0)
}
