//! `migrator upgrade [TARGET]`, and the run that `downgrade` shares: load,
//! prepare, then show the plan (`--dry-run`, `--sql`) or execute it.

use migrator::Error;
use migrator::graph::target::Target;
use migrator::record::Direction;

use crate::cli::Context;
use crate::cli::args::RunArgs;
use crate::cli::render::StepPrinter;

pub fn run(context: &Context<'_>, target: &str, args: &RunArgs) -> Result<i32, Error> {
    migrate(context, Direction::Up, target, args)
}

pub fn migrate(
    context: &Context<'_>,
    direction: Direction,
    target: &str,
    args: &RunArgs,
) -> Result<i32, Error> {
    // A target that cannot mean anything is bad usage, said before the
    // folder or the database is read.
    let _: Target = target.parse()?;
    let mut migrator = context.migrator()?.allow_drift(args.allow_drift);
    let output = context.output;
    if args.sql {
        output.show(&migrator.sql(direction, target)?);
    } else if args.dry_run {
        output.show(&migrator.plan(direction, target)?);
    } else {
        let mut progress = StepPrinter::new(output);
        let report = match direction {
            Direction::Up => migrator.upgrade_with(target, &mut progress)?,
            Direction::Down => migrator.downgrade_with(target, &mut progress)?,
        };
        output.show(&report);
        let schema_file =
            super::dump::SchemaFileChoice::new(args.schema_file.clone(), args.no_schema_file);
        super::dump::after_run(context, &mut migrator, schema_file);
    }
    Ok(0)
}
