//! `migrator show ID`: one revision in full, with both files' SQL;
//! `--applied`: the SQL that actually ran, as the database recorded it.

use migrator::record::AppliedRevision;
use migrator::source::revision::Revision;
use migrator::{Error, diff};

use super::{applied_by_id, markers, revision_json};
use crate::cli::Context;

pub fn run(context: &Context<'_>, name: &str, show_applied: bool) -> Result<i32, Error> {
    let project = context.project()?;
    let graph = &project.graph;
    let index = graph.resolve(name)?;
    let revision = graph.at(index);
    let state = context.read_state(&project)?;
    let applied = state
        .as_ref()
        .map(|s| applied_by_id(&s.applied))
        .unwrap_or_default();
    let record = applied.get(revision.id.as_str()).copied();

    let output = context.output;
    if show_applied {
        let Some(record) = record else {
            return Err(Error::refused(
                format!(
                    "{} is not applied to {}",
                    revision.id,
                    context.url()?.redacted()
                ),
                Some("`migrator show ID` without --applied prints the files".to_string()),
            ));
        };
        return applied_sql(context, revision, record);
    }
    if output.is_json() {
        let mut value = revision_json(graph, index, record);
        value["up_sql"] = revision.up.sql.clone().into();
        value["down_sql"] = revision.down.sql.clone().into();
        output.json(&value);
        return Ok(0);
    }
    let children: Vec<&str> = graph
        .children_of(index)
        .iter()
        .map(|&c| graph.at(c).id.as_str())
        .collect();
    output.line(format!("Rev: {}{}", revision.id, markers(graph, index)));
    output.line(format!(
        "Parents: {}",
        if revision.parents.is_empty() {
            "-".into()
        } else {
            revision.parents.join(", ")
        }
    ));
    output.line(format!(
        "Children: {}",
        if children.is_empty() {
            "-".into()
        } else {
            children.join(", ")
        }
    ));
    output.line(format!(
        "Message: {}",
        revision.message.as_deref().unwrap_or("-")
    ));
    output.line(format!(
        "Created: {}",
        revision.created.as_deref().unwrap_or("-")
    ));
    output.line(format!(
        "Transaction: {}",
        if revision.transactional { "on" } else { "off" }
    ));
    match record {
        Some(record) => {
            let database_user = if record.db_user.is_empty() {
                String::new()
            } else {
                format!(" as database user {}", record.db_user)
            };
            output.line(format!(
                "Applied: {} UTC by {}{database_user} in {}",
                record.applied_at,
                record.os_user,
                crate::cli::render::recorded_ms(record.execution_ms)
            ));
            if record.up_checksum != revision.up.checksum
                || record.down_checksum != revision.down.checksum
            {
                output.line(format!(
                    "Changed since applied: yes (`migrator show {} --applied` prints what ran)",
                    revision.id
                ));
            }
        }
        None if state.is_some() => output.line("Applied: no (pending)"),
        None => {}
    }
    for file in [&revision.up, &revision.down] {
        output.line(format!(
            "\n== {} (blake3 {})",
            file.path.display(),
            file.checksum
        ));
        output.line(file.sql.trim_end());
    }
    Ok(0)
}

/// The recorded SQL of an applied revision; for each file that changed
/// since, a note and the diff from what ran to what the file says now.
fn applied_sql(
    context: &Context<'_>,
    revision: &Revision,
    record: &AppliedRevision,
) -> Result<i32, Error> {
    let output = context.output;
    let files = [
        ("up", &revision.up, &record.up_sql, &record.up_checksum),
        (
            "down",
            &revision.down,
            &record.down_sql,
            &record.down_checksum,
        ),
    ];
    if output.is_json() {
        let mut value = serde_json::json!({
            "id": revision.id,
            "applied_at": record.applied_at,
            "applied_by": record.os_user,
        });
        for (which, file, sql, checksum) in files {
            value[format!("{which}_sql")] = sql.clone().into();
            value[format!("{which}_checksum")] = checksum.clone().into();
            value[format!("{which}_file_changed")] = (*checksum != file.checksum).into();
        }
        output.json(&value);
        return Ok(0);
    }
    output.line(format!(
        "Rev: {} (as applied {} UTC by {})",
        revision.id, record.applied_at, record.os_user
    ));
    for (which, file, sql, checksum) in files {
        output.line(format!("\n== {which} SQL that ran (blake3 {checksum})"));
        match sql {
            Some(sql) => output.line(sql.trim_end()),
            None => output.line("(not recorded)"),
        }
        if *checksum == file.checksum {
            output.line(format!("-- {} is unchanged since", file.path.display()));
            continue;
        }
        output.line(format!(
            "-- {} changed since it was applied (blake3 now {})",
            file.path.display(),
            file.checksum
        ));
        if let Some(sql) = sql {
            output.line(
                diff::unified(sql, &file.sql, "applied", &file.path.display().to_string())
                    .trim_end(),
            );
        }
    }
    Ok(0)
}
