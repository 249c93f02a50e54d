//! `migrator repair [ID…|--all]`: after a reviewed edit of an applied file,
//! record the new checksums, and log it.

use std::io::{BufRead, IsTerminal, Write};

use migrator::Error;
use migrator::engine::{self, RunOptions};
use migrator::record::{Event, RecordChange};

use crate::cli::Context;

pub fn run(context: &Context<'_>, names: &[String], all: bool, yes: bool) -> Result<i32, Error> {
    let project = context.project()?;
    let graph = &project.graph;
    let mut db = context.open_database()?;
    let state = engine::read_state(&project, db.as_mut())?;
    let changed: Vec<&str> = {
        let mut ids: Vec<&str> = Vec::new();
        for drift in state
            .comparison
            .drifted
            .iter()
            .chain(&state.comparison.down_drifted)
        {
            if !ids.contains(&drift.revision.as_str()) {
                ids.push(&drift.revision);
            }
        }
        ids
    };
    let chosen: Vec<String> = if all {
        changed.iter().map(|id| id.to_string()).collect()
    } else if names.is_empty() {
        return Err(Error::refused(
            "name the revisions to repair, or pass --all",
            Some(format!(
                "changed since applied: {}",
                if changed.is_empty() {
                    "none".to_string()
                } else {
                    changed.join(", ")
                }
            )),
        ));
    } else {
        let mut chosen = Vec::new();
        for name in names {
            let id = project.revision(name)?.id.clone();
            if !changed.contains(&id.as_str()) {
                return Err(Error::refused(
                    format!("{id} has not changed since it was applied (or is not applied)"),
                    None,
                ));
            }
            chosen.push(id);
        }
        chosen
    };
    let output = context.output;
    if chosen.is_empty() {
        output.line("nothing to repair: every applied file matches its record");
        return Ok(0);
    }
    if !yes && !std::io::stdin().is_terminal() {
        return Err(Error::refused(
            format!(
                "repair of {} needs a confirmation, and there is no terminal to ask on",
                chosen.join(", ")
            ),
            Some("pass --yes once the edit was reviewed".to_string()),
        ));
    }
    if !yes {
        eprint!("record new checksums for {}? [y/N] ", chosen.join(", "));
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            output.note("nothing changed");
            return Ok(1);
        }
    }
    let changes: Vec<RecordChange> = chosen
        .iter()
        .map(|id| RecordChange::Update {
            event: Event::Repair,
            record: engine::record_of(graph.get(id).expect("a revision of the folder")),
        })
        .collect();
    let options = RunOptions {
        allow_drift: true,
        lock_timeout: context.settings.lock_timeout,
    };
    engine::record_changes(
        db.as_mut(),
        &changes,
        &options,
        &migrator::record::operator::current(None),
        &mut super::upgrade::LockNotice(context.output),
    )?;
    for id in &chosen {
        output.line(format!(
            "repaired {id}: recorded the new checksums and SQL of its files"
        ));
    }
    Ok(0)
}
