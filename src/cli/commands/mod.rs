//! One file per command; each reads top to bottom as load, plan, show or
//! execute.

mod branches;
mod current;
mod downgrade;
mod heads;
mod history;
mod init;
mod merge;
mod new;
mod rebase;
mod repair;
mod show;
mod stamp;
mod status;
mod upgrade;
mod verify;

use std::collections::HashMap;

use migrator::Error;
use migrator::db::AppliedRevision;
use migrator::graph::RevisionGraph;

use super::Context;
use super::args::Command;
pub use upgrade::note_lock_wait;

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
        Command::Stamp { target } => stamp::run(context, &target),
        Command::Merge {
            message,
            heads,
            check,
        } => merge::run(context, message.as_deref(), &heads, check),
        Command::Rebase {
            revision,
            onto,
            dry_run,
        } => rebase::run(context, &revision, &onto, dry_run),
        Command::Verify {
            allow_heads,
            roundtrip,
            scratch_url,
        } => verify::run(
            context,
            &verify::Options {
                allow_heads,
                roundtrip,
                scratch_url: scratch_url.as_deref(),
            },
        ),
        Command::Repair {
            revisions,
            all,
            yes,
        } => repair::run(context, &revisions, all, yes),
    }
}

/// The markers after an id: ` (head) (mergepoint) (branchpoint)`.
fn markers(graph: &RevisionGraph, index: usize) -> String {
    let mut out = String::new();
    if graph.children_of(index).is_empty() {
        out.push_str(" (head)");
    }
    if graph.parents_of(index).len() > 1 {
        out.push_str(" (mergepoint)");
    }
    if graph.children_of(index).len() > 1 {
        out.push_str(" (branchpoint)");
    }
    out
}

/// `PARENTS -> ID (head) (mergepoint) (branchpoint), MESSAGE`, Alembic's
/// history line.
fn history_line(graph: &RevisionGraph, index: usize) -> String {
    let revision = graph.at(index);
    let parents = match revision.parents.as_slice() {
        [] => "<base>".to_string(),
        [one] => one.clone(),
        many => format!("({})", many.join(", ")),
    };
    with_message(
        format!("{parents} -> {}{}", revision.id, markers(graph, index)),
        revision.message_or_empty(),
    )
}

/// `LINE, MESSAGE`, or the line alone for a revision without a message.
fn with_message(line: String, message: &str) -> String {
    if message.is_empty() {
        line
    } else {
        format!("{line}, {message}")
    }
}

/// `ID (head), MESSAGE`: a revision named on its own.
fn short_line(graph: &RevisionGraph, index: usize) -> String {
    let revision = graph.at(index);
    with_message(
        format!("{}{}", revision.id, markers(graph, index)),
        revision.message_or_empty(),
    )
}

/// A revision as JSON, with its state in the database when there is one.
fn revision_json(
    graph: &RevisionGraph,
    index: usize,
    applied: Option<&AppliedRevision>,
) -> serde_json::Value {
    let revision = graph.at(index);
    let ids = |indices: &[usize]| {
        indices
            .iter()
            .map(|&i| graph.at(i).id.clone())
            .collect::<Vec<_>>()
    };
    serde_json::json!({
        "id": revision.id,
        "parents": revision.parents,
        "children": ids(graph.children_of(index)),
        "message": revision.message,
        "created": revision.created,
        "transaction": revision.transactional,
        "head": graph.children_of(index).is_empty(),
        "mergepoint": graph.parents_of(index).len() > 1,
        "branchpoint": graph.children_of(index).len() > 1,
        "up_file": revision.up.path,
        "down_file": revision.down.path,
        "up_checksum": revision.up.checksum,
        "down_checksum": revision.down.checksum,
        "applied": applied,
    })
}

/// Applied records by id.
fn applied_by_id(applied: &[AppliedRevision]) -> HashMap<&str, &AppliedRevision> {
    applied
        .iter()
        .map(|record| (record.id.as_str(), record))
        .collect()
}
