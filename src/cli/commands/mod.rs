//! One file per command; each reads top to bottom as load, plan, show or
//! execute.

mod branches;
mod completions;
mod current;
mod downgrade;
mod dump;
mod fleet;
mod heads;
mod history;
mod import;
mod init;
mod log;
mod man;
mod merge;
mod new;
mod rebase;
mod repair;
mod show;
mod squash;
mod stamp;
mod status;
mod upgrade;
mod verify;

use migrator::Error;

use super::Context;
use super::args::Command;

pub use completions::run as completions;
pub use man::run as man;

/// Runs one command; returns the exit status for a command that completed.
pub fn run(command: Command, context: &Context<'_>) -> Result<i32, Error> {
    match command {
        Command::Init => init::run(context),
        Command::New {
            message,
            parents,
            no_transaction,
        } => new::run(context, &message, &parents, no_transaction),
        Command::Upgrade { target, run } => upgrade::run(context, &target, &run),
        Command::Downgrade { target, run } => downgrade::run(context, &target, &run),
        Command::Current => current::run(context),
        Command::Heads => heads::run(context),
        Command::Branches => branches::run(context),
        Command::History {
            verbose,
            range,
            graph,
        } => history::run(context, verbose, range.as_deref(), graph),
        Command::Show { revision, applied } => show::run(context, &revision, applied),
        Command::Status { check } => status::run(context, check),
        Command::Stamp {
            target,
            no_schema_file,
            schema_file,
        } => stamp::run(
            context,
            &target,
            dump::SchemaFileChoice::new(schema_file, no_schema_file),
        ),
        Command::Dump { output } => dump::run(context, output.as_deref()),
        Command::Merge {
            message,
            heads,
            check,
        } => merge::run(context, message.as_deref(), &heads, check),
        Command::Squash { upto, message } => squash::run(context, &upto, &message),
        Command::Rebase {
            revision,
            onto,
            dry_run,
        } => rebase::run(context, &revision, &onto, dry_run),
        Command::Verify {
            allow_heads,
            roundtrip,
            scratch_url,
            lint,
            since,
            schema_file,
        } => verify::run(
            context,
            &migrator::migrator::VerifyOptions {
                allow_heads,
                roundtrip,
                scratch_url,
                lint: lint || context.settings.lint,
                since,
                schema_file: verify::schema_file(context, schema_file)?,
            },
        ),
        Command::Log => log::run(context),
        Command::Import { from, path } => import::run(context, from, path),
        Command::Repair {
            revisions,
            all,
            yes,
        } => repair::run(context, &revisions, all, yes),
        Command::Completions { shell } => completions::run(shell, context.output),
        Command::Man { out } => man::run(out.as_deref(), context.output),
    }
}
