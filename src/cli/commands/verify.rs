//! `migrator verify`: the CI gate. The folder is well formed and has one
//! head; with a database, nothing applied drifted or went missing.

use migrator::problem::Problem;
use migrator::{Error, Project, engine};

use crate::cli::args::Format;
use crate::cli::{Access, Context};

pub fn run(context: &Context<'_>, allow_heads: bool) -> Result<i32, Error> {
    let dir = &context.settings.dir;
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut summary = String::new();
    match Project::load(dir) {
        Err(Error::Folder {
            problems: found, ..
        }) => problems.extend(found),
        Err(other) => return Err(other),
        Ok(project) => {
            let graph = &project.graph;
            let heads = graph.heads();
            if heads.len() > 1 && !allow_heads {
                let ids: Vec<&str> = heads.iter().map(|&i| graph.at(i).id.as_str()).collect();
                for &head in &heads {
                    let revision = graph.at(head);
                    problems.push(
                        Problem::new(
                            &revision.up.path,
                            Some(1),
                            format!(
                                "{} is one of {} heads ({})",
                                revision.id,
                                heads.len(),
                                ids.join(", ")
                            ),
                        )
                        .with_hint("join them with `migrator merge`, or pass --allow-heads"),
                    );
                }
            }
            if let Some(mut db) = context.database(Access::Read)? {
                let state = engine::read_state(&project, db.as_mut())?;
                for drift in &state.comparison.drifted {
                    problems.push(
                        Problem::new(
                            &drift.path,
                            Some(1),
                            format!(
                                "{} changed since it was applied to {}",
                                drift.revision,
                                db.location()
                            ),
                        )
                        .with_hint(
                            "restore the file, or record a reviewed edit with `migrator repair`",
                        ),
                    );
                }
                for drift in &state.comparison.down_drifted {
                    warnings.push(Problem::new(
                        &drift.path,
                        Some(1),
                        format!(
                            "the down file of {} changed since it was applied",
                            drift.revision
                        ),
                    ));
                }
                for id in &state.comparison.missing {
                    problems.push(
                        Problem::new(
                            dir,
                            None,
                            format!(
                                "{id} is applied to {} but missing from the folder",
                                db.location()
                            ),
                        )
                        .with_hint("restore its files from version control"),
                    );
                }
                for record in &state.applied {
                    if let Some(revision) = graph.get(&record.id)
                        && revision.parents != record.parents
                    {
                        problems.push(
                            Problem::new(
                                &revision.up.path,
                                Some(revision.parents_line),
                                format!(
                                    "{} was applied with parents [{}], the file now says [{}]",
                                    record.id,
                                    record.parents.join(", "),
                                    revision.parents.join(", ")
                                ),
                            )
                            .with_hint("a rebase or an edit moved an applied revision; restore its Parents header"),
                        );
                    }
                }
            }
            summary = format!(
                "{} revisions, {} head{}",
                graph.len(),
                heads.len(),
                if heads.len() == 1 { "" } else { "s" }
            );
        }
    }

    let output = context.output;
    match context.output.format {
        Format::Json => output.json(&serde_json::json!({ "ok": problems.is_empty(), "problems": problems, "warnings": warnings })),
        Format::Github => {
            for (level, problem) in problems.iter().map(|p| ("error", p)).chain(warnings.iter().map(|p| ("warning", p))) {
                output.line(github_annotation(level, problem));
            }
        }
        Format::Text => {
            for problem in &problems {
                output.line(format!("error: {problem}"));
                if let Some(hint) = &problem.hint {
                    output.line(format!("  hint: {hint}"));
                }
            }
            for warning in &warnings {
                output.line(format!("warning: {warning}"));
            }
            if problems.is_empty() {
                output.line(format!("ok: {summary}"));
            }
        }
    }
    Ok(if problems.is_empty() { 0 } else { 1 })
}

/// `::error file=F,line=L,title=T::MESSAGE`, escaped as GitHub's workflow
/// commands require.
pub fn github_annotation(level: &str, problem: &Problem) -> String {
    let mut properties = format!(
        "file={}",
        escape_property(&problem.path.display().to_string())
    );
    if let Some(line) = problem.line {
        properties.push_str(&format!(",line={line}"));
    }
    properties.push_str(",title=migrator verify");
    let mut message = problem.message.clone();
    if let Some(hint) = &problem.hint {
        message.push_str(&format!("\nhint: {hint}"));
    }
    format!("::{level} {properties}::{}", escape_data(&message))
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_follow_githubs_syntax() {
        let cases = [
            (
                Problem::new("versions/0001_a.up.sql", Some(3), "unknown key `Parent`"),
                "::error file=versions/0001_a.up.sql,line=3,title=migrator verify::unknown key `Parent`",
            ),
            (
                Problem::new("v/a,b:c.sql", None, "50% done\nsecond line").with_hint("fix it"),
                "::error file=v/a%2Cb%3Ac.sql,title=migrator verify::50%25 done%0Asecond line%0Ahint: fix it",
            ),
        ];
        for (problem, expected) in cases {
            assert_eq!(github_annotation("error", &problem), expected);
        }
    }
}
