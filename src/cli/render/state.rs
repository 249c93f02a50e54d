//! Text of `status`, `current` and `log`.

use colored::Colorize;
use migrator::record::Direction;
use migrator::report::state::{CurrentReport, InterruptedView, LogReport, StatusReport};

use super::{Render, Text, count, recorded_ms};

impl Render for StatusReport {
    fn text(&self, out: &mut Text<'_>) {
        out.line(format!("database: {}", self.database));
        out.line(format!("folder:   {}", self.folder.display()));
        out.line(format!(
            "applied:  {} of {}",
            self.applied.len(),
            self.revisions
        ));
        out.line(format!("pending:  {}", self.pending.len()));
        for revision in &self.pending {
            let adopt = if self.adopt.contains(&revision.id) {
                " (the revisions it replaces ran here: upgrade records it without running it)"
            } else {
                ""
            };
            out.line(format!(
                "  {} {}  {}{adopt}",
                "pending".yellow(),
                revision.id,
                revision.message_or_empty()
            ));
        }
        for drift in &self.reapply {
            out.line(format!(
                "  {} {}  {} changed since applied (repeatable: upgrade applies it again)",
                "reapply".yellow(),
                drift.revision,
                drift.path.display()
            ));
        }
        for drift in &self.drifted {
            out.line(format!(
                "  {} {}  {} changed since applied",
                "drifted".red(),
                drift.revision,
                drift.path.display()
            ));
        }
        for drift in &self.down_drifted {
            out.line(format!(
                "  {} {}  {} changed since applied (down file: a warning)",
                "changed".yellow(),
                drift.revision,
                drift.path.display()
            ));
        }
        for id in &self.missing {
            out.line(format!(
                "  {} {id}  applied, but not in the folder",
                "missing".red()
            ));
        }
        for id in &self.ahead {
            out.line(format!(
                "  {} {id}  applied by a newer release (the database is ahead of this folder)",
                "ahead".cyan()
            ));
        }
        for interrupted in &self.interrupted {
            interrupted_lines(interrupted, self.run_in_progress.is_some(), out);
        }
        match self.run_in_progress.as_deref() {
            Some("") => out.line("a run is in progress"),
            Some(holder) => out.line(format!("a run is in progress: {holder}")),
            None => {}
        }
        if !self.needs_attention() {
            out.line("up to date".green().to_string());
        }
    }
}

/// An interrupted revision: where it stopped, what stays done, and what
/// the next run does.
fn interrupted_lines(view: &InterruptedView, running: bool, out: &mut Text<'_>) {
    let run = match view.direction {
        Direction::Up => "upgrade",
        Direction::Down => "downgrade",
    };
    let file = view
        .file
        .as_ref()
        .map_or("(not in this folder)".to_string(), |f| {
            f.display().to_string()
        });
    let of = view
        .statements
        .map_or(String::new(), |total| format!(" of {total}"));
    let done = match view.done {
        0 => "no statement done".to_string(),
        1 => "statement 1 done".to_string(),
        n => format!("statements 1-{n} done"),
    };
    let (label, what) = match (&view.failed, running) {
        (_, true) => ("running".cyan(), format!("{run} in progress: {done}{of}")),
        (Some(failed), false) => (
            "failed".red(),
            format!(
                "{run} failed at statement {}{of} ({file}:{}): {}",
                failed.statement, failed.line, failed.error
            ),
        ),
        (None, false) => (
            "stopped".red(),
            format!("{run} stopped after {done}{of} (killed, or the connection was lost)"),
        ),
    };
    out.line(format!("  {label} {}  {what}", view.revision));
    if running {
        return;
    }
    let indent = " ".repeat(label.chars().count() + 3);
    if view.failed.is_some() {
        out.line(format!(
            "{indent}{done}, recorded in migrator_progress; the revision is not recorded as applied"
        ));
    } else if let Some(next) = view.resumes_at {
        out.line(format!(
            "{indent}statement {} ({file}:{}) may have completed before the run stopped: the next run runs it again",
            next.statement, next.line
        ));
    }
    match (view.edited, view.resumes_at) {
        (Some(edited), _) => out.line(format!(
            "{indent}statement {} ({file}:{}) was edited since it ran: `migrator {run}` refuses to resume until it is restored",
            edited.statement, edited.line
        )),
        (None, Some(next)) => out.line(format!(
            "{indent}`migrator {run}` resumes at statement {} ({file}:{})",
            next.statement, next.line
        )),
        (None, None) => {}
    }
}

impl Render for CurrentReport {
    fn text(&self, out: &mut Text<'_>) {
        if self.current.is_empty() && self.missing.is_empty() && self.ahead.is_empty() {
            out.line("<base> (nothing applied)");
        }
        for revision in &self.current {
            let line = format!("{}{}", revision.id, revision.markers());
            out.line(match revision.message_or_empty() {
                "" => line,
                message => format!("{line}, {message}"),
            });
        }
        for id in &self.ahead {
            out.line(format!("{id} (applied by a newer release)"));
        }
        for id in &self.missing {
            out.line(format!("{id} (applied, missing from the folder)"));
        }
        if self.current.len() > 1 {
            out.note(format!(
                "{} applied heads: the database runs {} branches that are not merged in it yet",
                self.current.len(),
                self.current.len()
            ));
        }
        if self.pending > 0 {
            out.note(format!(
                "{} pending; {}",
                count(self.pending, "revision"),
                if self.folder_heads > 1 {
                    "the folder has several heads: `migrator merge`, then `migrator upgrade`"
                } else {
                    "`migrator upgrade` applies them"
                }
            ));
        }
    }
}

impl Render for LogReport {
    fn text(&self, out: &mut Text<'_>) {
        if self.events.is_empty() {
            out.line(format!("no events recorded in {}", self.database));
            return;
        }
        let width = self
            .events
            .iter()
            .map(|e| e.revision.len())
            .max()
            .unwrap_or(0);
        for event in &self.events {
            let mut line = format!(
                "{} UTC  {:9}  {:width$}  by {}",
                event.at, event.event, event.revision, event.os_user
            );
            if !event.db_user.is_empty() {
                line.push_str(&format!(" as {}", event.db_user));
            }
            if let Some(ms) = event.duration_ms {
                line.push_str(&format!(" in {}", recorded_ms(ms)));
            }
            if let Some(note) = &event.note {
                line.push_str(&format!(" ({note})"));
            }
            out.line(line);
        }
    }
}
