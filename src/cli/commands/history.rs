//! `migrator history [-v] [-r A:B] [--graph]`: the revisions, newest first.

use migrator::Error;
use migrator::migrator::HistoryOptions;

use crate::cli::Context;
use crate::cli::render::Verbose;

pub fn run(
    context: &Context<'_>,
    verbose: bool,
    range: Option<&str>,
    graph: bool,
) -> Result<i32, Error> {
    let output = context.output;
    let fleet = context.is_fleet();
    let options = HistoryOptions {
        range: range.map(str::parse).transpose()?,
        // The one-line list is the graph's alone: it needs no database.
        // Over a fleet only -v reads the targets; the rest is the folder's.
        with_state: verbose || (!fleet && (graph || output.is_json())),
        graph,
    };
    if verbose && let Some(fleet) = context.fleet(false)? {
        return super::fleet::run(
            context,
            "history",
            &fleet,
            |migrator, _| migrator.history(&options),
            &super::fleet::always,
        );
    }
    let mut migrator = if options.with_state {
        context.lazy_migrator()?
    } else {
        context.folder()?
    };
    let report = migrator.history(&options)?;
    if verbose {
        output.show(&Verbose(&report));
    } else {
        output.show(&report);
    }
    Ok(0)
}
