//! `migrator history`: the revisions, newest first.

use colored::Colorize;
use migrator::engine::DatabaseState;
use migrator::graph::RevisionGraph;
use migrator::record::AppliedRevision;
use migrator::{Error, Project};

use super::{applied_by_id, history_line, markers, revision_json};
use crate::cli::Context;
use crate::cli::render::recorded_ms;
use migrator::error::short;

pub fn run(
    context: &Context<'_>,
    verbose: bool,
    range: Option<&str>,
    draw: bool,
) -> Result<i32, Error> {
    let project = context.project()?;
    let graph = &project.graph;
    let selected = select(graph, range)?;
    if draw && !context.output.is_json() {
        return draw_graph(context, &project, &selected);
    }
    let state = if verbose || context.output.is_json() {
        context.read_state(&project)?
    } else {
        None
    };
    let applied = state
        .as_ref()
        .map(|s| applied_by_id(&s.applied))
        .unwrap_or_default();
    let newest_first = (0..graph.len()).rev().filter(|&i| selected[i]);

    let output = context.output;
    if output.is_json() {
        let revisions: Vec<_> = newest_first
            .map(|i| revision_json(graph, i, applied.get(graph.at(i).id.as_str()).copied()))
            .collect();
        output.json(&revisions);
        return Ok(0);
    }
    for index in newest_first {
        if verbose {
            output.line(verbose_entry(
                &project,
                index,
                state.as_ref(),
                applied.get(graph.at(index).id.as_str()).copied(),
            ));
        } else {
            output.line(history_line(graph, index));
        }
    }
    Ok(0)
}

/// `history --graph`: the lanes, newest first, each revision marked `o`
/// when applied in the database and `*` otherwise.
fn draw_graph(context: &Context<'_>, project: &Project, selected: &[bool]) -> Result<i32, Error> {
    let graph = &project.graph;
    let output = context.output;
    // The drawing is worth having without a database: one that cannot be
    // read only loses the markers.
    let state = match context.read_state(project) {
        Ok(state) => state,
        Err(error) => {
            output.note(format!(
                "cannot read the database ({error}); drawing without applied markers"
            ));
            None
        }
    };
    let mut applied = vec![false; graph.len()];
    for record in state.iter().flat_map(|s| &s.applied) {
        if let Some(i) = graph.index_of(&record.id) {
            applied[i] = true;
        }
    }

    // Rows newest first; parents outside the selection are left out.
    let positions: Vec<usize> = (0..graph.len()).rev().filter(|&i| selected[i]).collect();
    let mut row_of = vec![usize::MAX; graph.len()];
    for (row, &i) in positions.iter().enumerate() {
        row_of[i] = row;
    }
    let parents: Vec<Vec<usize>> = positions
        .iter()
        .map(|&i| {
            graph
                .parents_of(i)
                .iter()
                .map(|&p| row_of[p])
                .filter(|&r| r != usize::MAX)
                .collect()
        })
        .collect();
    let lines =
        migrator::graph::lanes::draw(
            &parents,
            |row| {
                if applied[positions[row]] { 'o' } else { '*' }
            },
        );
    for line in lines {
        match line.row {
            Some(row) => {
                let index = positions[row];
                let revision = graph.at(index);
                let message = match revision.message_or_empty() {
                    "" => String::new(),
                    message => format!(", {message}"),
                };
                output.line(format!(
                    "{:width$}  {}{}{message}",
                    line.art,
                    revision.id.yellow(),
                    markers(graph, index),
                    width = line.width
                ));
            }
            None => output.line(line.art),
        }
    }
    if state.is_some() {
        output.note("o applied in the database, * pending");
    }
    Ok(0)
}

/// The revisions of `-r A:B`: descendants of A that are ancestors of B,
/// both included; an empty side (or `base`, `head`, `heads`) is open.
fn select(graph: &RevisionGraph, range: Option<&str>) -> Result<Vec<bool>, Error> {
    let mut selected = vec![true; graph.len()];
    let Some(range) = range else {
        return Ok(selected);
    };
    let (from, to) = range.split_once(':').ok_or_else(|| {
        Error::refused(
            format!("`{range}` is not a range"),
            Some("write -r A:B, A: or :B with revision ids or prefixes".to_string()),
        )
    })?;
    if !from.is_empty() && from != "base" {
        let descendants = graph.descendants(&[graph.resolve(from)?]);
        selected
            .iter_mut()
            .zip(descendants)
            .for_each(|(s, d)| *s &= d);
    }
    if !to.is_empty() && to != "head" && to != "heads" {
        let ancestors = graph.ancestors(&[graph.resolve(to)?]);
        selected
            .iter_mut()
            .zip(ancestors)
            .for_each(|(s, a)| *s &= a);
    }
    Ok(selected)
}

/// Every field of one revision, and its state when there is a database.
fn verbose_entry(
    project: &Project,
    index: usize,
    state: Option<&DatabaseState>,
    applied: Option<&AppliedRevision>,
) -> String {
    let graph = &project.graph;
    let revision = graph.at(index);
    let ids = |indices: &[usize]| {
        if indices.is_empty() {
            "-".to_string()
        } else {
            indices
                .iter()
                .map(|&i| graph.at(i).id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let mut lines = vec![
        format!(
            "{} {}{}",
            "Rev:".bold(),
            revision.id.yellow().bold(),
            markers(graph, index)
        ),
        format!("Parents: {}", ids(graph.parents_of(index))),
        format!("Children: {}", ids(graph.children_of(index))),
        format!("Message: {}", revision.message.as_deref().unwrap_or("-")),
        format!("Created: {}", revision.created.as_deref().unwrap_or("-")),
        format!(
            "Transaction: {}",
            if revision.transactional { "on" } else { "off" }
        ),
        format!(
            "Files: {}, {}",
            revision.up.path.display(),
            revision.down.path.display()
        ),
        format!(
            "Checksum: up {}, down {}",
            short(&revision.up.checksum),
            short(&revision.down.checksum)
        ),
    ];
    if let Some(state) = state {
        match applied {
            Some(record) => {
                let by = if record.db_user.is_empty() {
                    record.os_user.clone()
                } else {
                    format!("{} as database user {}", record.os_user, record.db_user)
                };
                lines.push(format!("State: {}", "applied".green()));
                lines.push(format!("Applied at: {} UTC", record.applied_at));
                lines.push(format!("Applied by: {by}"));
                lines.push(format!("Duration: {}", recorded_ms(record.execution_ms)));
                let drift: Vec<&str> = state
                    .comparison
                    .drifted
                    .iter()
                    .chain(&state.comparison.down_drifted)
                    .filter(|d| d.revision == revision.id)
                    .map(|d| {
                        if d.file == migrator::graph::drift::FileKind::Up {
                            "up file changed since applied"
                        } else {
                            "down file changed since applied"
                        }
                    })
                    .collect();
                let drift = if drift.is_empty() {
                    "none".to_string()
                } else {
                    drift.join("; ").red().to_string()
                };
                lines.push(format!("Drift: {drift}"));
            }
            None => lines.push(format!("State: {}", "pending".yellow())),
        }
    }
    lines.push(String::new());
    lines.join("\n")
}
