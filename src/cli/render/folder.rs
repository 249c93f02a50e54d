//! Text of `heads`, `branches`, `history` and `show`.

use colored::Colorize;
use migrator::error::short;
use migrator::report::RevisionView;
use migrator::report::folder::{
    AppliedFile, AppliedSqlReport, BranchesReport, HeadsReport, HistoryReport, ShowReport,
};

use super::{Render, Text, recorded_ms};

/// A report shown with every field (`history -v`); its JSON is the
/// report's own.
#[derive(serde::Serialize)]
#[serde(transparent)]
pub struct Verbose<'a, T: serde::Serialize>(pub &'a T);

/// `LINE, MESSAGE`, or the line alone for a revision without a message.
fn with_message(line: String, revision: &RevisionView) -> String {
    match revision.message_or_empty() {
        "" => line,
        message => format!("{line}, {message}"),
    }
}

/// `ID (head), MESSAGE`: a revision named on its own.
pub fn short_line(revision: &RevisionView) -> String {
    with_message(format!("{}{}", revision.id, revision.markers()), revision)
}

/// `PARENTS -> ID (head) (mergepoint) (branchpoint), MESSAGE`, Alembic's
/// history line.
fn history_line(revision: &RevisionView) -> String {
    let parents = match revision.parents.as_slice() {
        [] => "<base>".to_string(),
        [one] => one.clone(),
        many => format!("({})", many.join(", ")),
    };
    with_message(
        format!("{parents} -> {}{}", revision.id, revision.markers()),
        revision,
    )
}

/// Ids joined by commas, or `-` for none.
fn ids_or_dash(ids: &[String]) -> String {
    if ids.is_empty() {
        "-".to_string()
    } else {
        ids.join(", ")
    }
}

impl Render for HeadsReport {
    fn text(&self, out: &mut Text<'_>) {
        for head in &self.heads {
            out.line(short_line(head));
        }
        if self.heads.len() > 1 {
            let since = if self.merge_bases.is_empty() {
                "they share no revision".to_string()
            } else {
                format!("they branched after {}", self.merge_bases.join(", "))
            };
            out.note(format!(
                "{} heads ({since}): join them with `migrator merge`; \
                 `migrator merge --check` shows what each branch changed",
                self.heads.len()
            ));
        }
    }
}

impl Render for BranchesReport {
    fn text(&self, out: &mut Text<'_>) {
        for point in &self.branch_points {
            out.line(short_line(&point.revision));
            for child in &point.children {
                out.line(format!("  -> {}", short_line(child)));
            }
        }
    }
}

impl Render for HistoryReport {
    fn text(&self, out: &mut Text<'_>) {
        let Some(graph) = &self.graph else {
            for revision in &self.revisions {
                out.line(history_line(revision));
            }
            return;
        };
        if let Some(error) = &self.state_error {
            out.note(format!(
                "cannot read the database ({error}); drawing without applied markers"
            ));
        }
        for line in graph {
            match line.revision {
                Some(row) => {
                    let revision = &self.revisions[row];
                    out.line(with_message(
                        format!(
                            "{:width$}  {}{}",
                            line.art,
                            revision.id.yellow(),
                            revision.markers(),
                            width = line.width
                        ),
                        revision,
                    ));
                }
                None => out.line(&line.art),
            }
        }
        if self.database.is_some() {
            out.note("o applied in the database, * pending");
        }
    }
}

impl Render for Verbose<'_, HistoryReport> {
    fn text(&self, out: &mut Text<'_>) {
        for revision in &self.0.revisions {
            out.line(verbose_entry(revision, self.0.database.is_some()));
        }
    }
}

/// Every field of one revision, and its state when a database was read.
fn verbose_entry(revision: &RevisionView, database_read: bool) -> String {
    let mut lines = vec![
        format!(
            "{} {}{}",
            "Rev:".bold(),
            revision.id.yellow().bold(),
            revision.markers()
        ),
        format!("Parents: {}", ids_or_dash(&revision.parents)),
        format!("Children: {}", ids_or_dash(&revision.children)),
        format!("Message: {}", revision.message.as_deref().unwrap_or("-")),
        format!("Created: {}", revision.created.as_deref().unwrap_or("-")),
        format!(
            "Transaction: {}",
            if revision.transaction { "on" } else { "off" }
        ),
    ];
    if let Some(on) = revision.placeholders {
        lines.push(format!("Placeholders: {}", if on { "on" } else { "off" }));
    }
    lines.extend([
        format!(
            "Files: {}, {}",
            revision.up_file.display(),
            revision.down_file.display()
        ),
        format!(
            "Checksum: up {}, down {}",
            short(&revision.up_checksum),
            short(&revision.down_checksum)
        ),
    ]);
    match &revision.applied {
        Some(applied) => {
            let by = match &applied.database_user {
                Some(user) => format!("{} as database user {user}", applied.applied_by),
                None => applied.applied_by.clone(),
            };
            lines.push(format!("State: {}", "applied".green()));
            lines.push(format!("Applied at: {} UTC", applied.applied_at));
            lines.push(format!("Applied by: {by}"));
            lines.push(format!("Duration: {}", recorded_ms(applied.execution_ms)));
            let mut drift = Vec::new();
            if applied.up_file_changed && revision.repeatable {
                lines.push(
                    "Reapply: up file changed since applied (repeatable: upgrade applies it again)"
                        .to_string(),
                );
            } else if applied.up_file_changed {
                drift.push("up file changed since applied");
            }
            if applied.down_file_changed {
                drift.push("down file changed since applied");
            }
            let drift = if drift.is_empty() {
                "none".to_string()
            } else {
                drift.join("; ").red().to_string()
            };
            lines.push(format!("Drift: {drift}"));
        }
        None if database_read => lines.push(format!("State: {}", "pending".yellow())),
        None => {}
    }
    lines.push(String::new());
    lines.join("\n")
}

impl Render for ShowReport {
    fn text(&self, out: &mut Text<'_>) {
        let revision = &self.revision;
        out.line(format!("Rev: {}{}", revision.id, revision.markers()));
        out.line(format!("Parents: {}", ids_or_dash(&revision.parents)));
        out.line(format!("Children: {}", ids_or_dash(&revision.children)));
        out.line(format!(
            "Message: {}",
            revision.message.as_deref().unwrap_or("-")
        ));
        out.line(format!(
            "Created: {}",
            revision.created.as_deref().unwrap_or("-")
        ));
        out.line(format!(
            "Transaction: {}",
            if revision.transaction { "on" } else { "off" }
        ));
        if let Some(on) = revision.placeholders {
            out.line(format!("Placeholders: {}", if on { "on" } else { "off" }));
        }
        match &revision.applied {
            Some(applied) => {
                let database_user = applied
                    .database_user
                    .as_ref()
                    .map(|user| format!(" as database user {user}"))
                    .unwrap_or_default();
                out.line(format!(
                    "Applied: {} UTC by {}{database_user} in {}",
                    applied.applied_at,
                    applied.applied_by,
                    recorded_ms(applied.execution_ms)
                ));
                if applied.up_file_changed || applied.down_file_changed {
                    out.line(format!(
                        "Changed since applied: yes (`migrator show {} --applied` prints what ran)",
                        revision.id
                    ));
                }
            }
            None if self.database.is_some() => out.line("Applied: no (pending)"),
            None => {}
        }
        let files = [
            (&revision.up_file, &revision.up_checksum, &self.up_sql),
            (&revision.down_file, &revision.down_checksum, &self.down_sql),
        ];
        for (path, checksum, sql) in files {
            out.line(format!("\n== {} (blake3 {checksum})", path.display()));
            out.line(sql.trim_end());
        }
    }
}

impl Render for AppliedSqlReport {
    fn text(&self, out: &mut Text<'_>) {
        let revision = &self.revision;
        match &revision.applied {
            Some(applied) => out.line(format!(
                "Rev: {} (as applied {} UTC by {})",
                revision.id, applied.applied_at, applied.applied_by
            )),
            None => out.line(format!("Rev: {}", revision.id)),
        }
        for (which, file) in [("up", &self.up), ("down", &self.down)] {
            applied_file(out, which, file);
        }
    }
}

/// What ran of one file, and how the file differs now.
fn applied_file(out: &mut Text<'_>, which: &str, file: &AppliedFile) {
    out.line(format!(
        "\n== {which} SQL that ran (blake3 {})",
        file.recorded_checksum
    ));
    match &file.sql {
        Some(sql) => out.line(sql.trim_end()),
        None => out.line("(not recorded)"),
    }
    if !file.changed {
        out.line(format!("-- {} is unchanged since", file.path.display()));
        return;
    }
    out.line(format!(
        "-- {} changed since it was applied (blake3 now {})",
        file.path.display(),
        file.checksum
    ));
    if let Some(diff) = &file.diff {
        out.line(diff.trim_end());
    }
}
