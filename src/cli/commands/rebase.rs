//! `migrator rebase ID --onto HEAD [--dry-run]`: replays a branch on top of
//! a head, for teams that keep the history a straight line.

use migrator::Error;
use migrator::graph::rebase::{self, Move};
use migrator::source::{self, Replacement};

use crate::cli::Context;

pub fn run(context: &Context<'_>, name: &str, onto: &str, dry_run: bool) -> Result<i32, Error> {
    let project = context.project()?;
    let graph = &project.graph;
    let start = graph.resolve(name)?;
    let onto = graph.resolve(onto)?;
    let moves = rebase::plan(graph, start, onto)
        .map_err(|refusal| Error::refused(refusal.message, Some(refusal.hint)))?;

    // Moving an applied revision would leave the database naming an id that
    // no longer exists; say so before touching anything.
    if let Some(state) = context.read_state(&project)? {
        let applied: Vec<&Move> = moves
            .iter()
            .filter(|m| state.applied.iter().any(|a| a.id == m.old_id))
            .collect();
        if !applied.is_empty() {
            let ids: Vec<&str> = applied.iter().map(|m| m.old_id.as_str()).collect();
            let parent = graph
                .parents_of(start)
                .first()
                .map_or("base".to_string(), |&p| graph.at(p).id.clone());
            return Err(Error::refused(
                format!(
                    "{} applied in {}: rebase would rename {}",
                    if ids.len() == 1 { "a moved revision is" } else { "moved revisions are" },
                    context.url()?.redacted(),
                    if ids.len() == 1 { "it" } else { "them" },
                ),
                Some(format!(
                    "undo {} first with `migrator downgrade {parent}`, or keep the branch and join it with `migrator merge`",
                    if ids.len() == 1 { "it" } else { "them" }
                )),
            )
            .with_details(ids.iter().map(|id| id.to_string())));
        }
    }

    let mut replacements = Vec::with_capacity(2 * moves.len());
    for m in &moves {
        let up = std::fs::read(&m.old_up).map_err(|e| Error::io(&m.old_up, e))?;
        let text = String::from_utf8(up).map_err(|_| {
            Error::refused(format!("{}: is not valid UTF-8", m.old_up.display()), None)
        })?;
        let rewritten =
            rebase::rewrite_parents(&text, m.parents_line, &m.parents).ok_or_else(|| {
                Error::refused(
                    format!(
                        "{}:{}: cannot find the Parents header to rewrite",
                        m.old_up.display(),
                        m.parents_line
                    ),
                    None,
                )
            })?;
        let down = std::fs::read(&m.old_down).map_err(|e| Error::io(&m.old_down, e))?;
        replacements.push(Replacement {
            old: m.old_up.clone(),
            new: m.new_up.clone(),
            contents: rewritten.into_bytes(),
        });
        replacements.push(Replacement {
            old: m.old_down.clone(),
            new: m.new_down.clone(),
            contents: down,
        });
    }
    if !dry_run {
        source::replace_files(&replacements).map_err(|(path, e)| Error::io(path, e))?;
    }

    let output = context.output;
    let onto_id = &graph.at(onto).id;
    if output.is_json() {
        let moves: Vec<_> = moves
            .iter()
            .map(|m| serde_json::json!({
                "old_id": m.old_id, "new_id": m.new_id, "parents": m.parents,
                "old_up": m.old_up, "new_up": m.new_up, "old_down": m.old_down, "new_down": m.new_down,
            }))
            .collect();
        output.json(&serde_json::json!({ "onto": onto_id, "dry_run": dry_run, "moves": moves }));
        return Ok(0);
    }
    let verb = if dry_run { "would rename" } else { "renamed" };
    for m in &moves {
        output.line(format!(
            "{verb} {} -> {}  (Parents: {})",
            m.old_id,
            m.new_id,
            m.parents.join(", ")
        ));
    }
    if dry_run {
        output.note(format!(
            "{} revision{} would move onto {onto_id}; nothing was changed",
            moves.len(),
            if moves.len() == 1 { "" } else { "s" }
        ));
    } else {
        output.note(format!(
            "next: commit the renamed files (`git add -A {}`); databases that applied the old ids need `migrator downgrade` before they pull this",
            project.dir.display()
        ));
    }
    Ok(0)
}
