//! `migrator stamp TARGET`: set the records without running SQL.

use migrator::Error;
use migrator::graph::target::Target;

use crate::cli::Context;
use crate::cli::render::LockNotice;

pub fn run(
    context: &Context<'_>,
    target: &str,
    schema_file: super::dump::SchemaFileChoice,
) -> Result<i32, Error> {
    let _: Target = target.parse()?;
    let mut migrator = context.migrator()?;
    let report = migrator.stamp_with(target, &mut LockNotice(context.output))?;
    context.output.show(&report);
    super::dump::after_run(context, &mut migrator, schema_file);
    Ok(0)
}
