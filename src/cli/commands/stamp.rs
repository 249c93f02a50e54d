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
    if let Some(fleet) = context.fleet(false)? {
        if matches!(schema_file, super::dump::SchemaFileChoice::At(_)) {
            return Err(super::verify::refuse_schema_file_over_a_fleet(
                "--schema-file",
            ));
        }
        if matches!(schema_file, super::dump::SchemaFileChoice::Configured) {
            super::fleet::note_schema_file(context);
        }
        return super::fleet::run(
            context,
            "stamp",
            &fleet,
            |migrator, progress| migrator.stamp_with(target, progress),
            &super::fleet::always,
        );
    }
    let mut migrator = context.migrator()?;
    let report = migrator.stamp_with(target, &mut LockNotice(context.output))?;
    context.output.show(&report);
    super::dump::after_run(context, &mut migrator, schema_file);
    Ok(0)
}
