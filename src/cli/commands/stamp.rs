//! `migrator stamp TARGET`: set the records without running SQL.

use migrator::Error;
use migrator::graph::target::Target;

use crate::cli::Context;
use crate::cli::render::LockNotice;

pub fn run(context: &Context<'_>, target: &str) -> Result<i32, Error> {
    let _: Target = target.parse()?;
    if let Some(fleet) = context.fleet()? {
        return super::fleet::run(
            context,
            "stamp",
            &fleet,
            |mut migrator, progress| migrator.stamp_with(target, progress),
            &super::fleet::always,
        );
    }
    let mut migrator = context.migrator()?;
    let report = migrator.stamp_with(target, &mut LockNotice(context.output))?;
    context.output.show(&report);
    Ok(0)
}
