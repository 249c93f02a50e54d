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
    if context.is_fleet() {
        return over_fleet(context, direction, target, args);
    }
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

/// The run on every target of the fleet; `--dry-run` too, but not `--sql`,
/// which prints one database's script.
fn over_fleet(
    context: &Context<'_>,
    direction: Direction,
    target: &str,
    args: &RunArgs,
) -> Result<i32, Error> {
    if args.sql {
        return Err(Error::Usage {
            message: "--sql prints the script of one database, and this is a fleet".into(),
            hint: Some("add --database-url URL for one of its databases, or use --dry-run to see each target's plan".into()),
        });
    }
    if args.schema_file.is_some() {
        return Err(super::verify::refuse_schema_file_over_a_fleet(
            "--schema-file",
        ));
    }
    let fleet = context.fleet(args.allow_drift)?.expect("a fleet");
    if !args.dry_run && !args.no_schema_file {
        super::fleet::note_schema_file(context);
    }
    let command = match direction {
        Direction::Up => "upgrade",
        Direction::Down => "downgrade",
    };
    if args.dry_run {
        return super::fleet::run(
            context,
            command,
            &fleet,
            |migrator, _| migrator.plan(direction, target),
            &super::fleet::always,
        );
    }
    super::fleet::run(
        context,
        command,
        &fleet,
        |migrator, progress| match direction {
            Direction::Up => migrator.upgrade_with(target, progress),
            Direction::Down => migrator.downgrade_with(target, progress),
        },
        &super::fleet::always,
    )
}
