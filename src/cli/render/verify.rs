//! Text of `verify`: each problem as a diagnostic on stderr, rendered as
//! every other command renders it (a broken folder's problems listed under
//! one line, as `upgrade` would show them), and the verdict on stdout.

use migrator::diagnostic::Diagnostic;
use migrator::migrator::VerifyReport;

use super::{Keep, Output, Render, Text, count, escape_controls};

impl Render for VerifyReport {
    fn text(&self, out: &mut Text<'_>) {
        let (folder, others): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
            self.problems.iter().partition(|p| p.kind == "folder");
        if !folder.is_empty() {
            let grouped = Diagnostic::error(
                "folder",
                format!("{} in the versions folder", count(folder.len(), "problem")),
            )
            .children(folder.into_iter().cloned());
            out.diagnostic(&grouped);
        }
        for problem in others {
            out.diagnostic(problem);
        }
        if let Some(lint) = &self.lint
            && !lint.unparsed.is_empty()
        {
            let mut note = format!(
                "note: the lint could not parse {}, and did not check {}:",
                count(lint.unparsed.len(), "statement"),
                if lint.unparsed.len() == 1 {
                    "it"
                } else {
                    "them"
                }
            );
            for unparsed in &lint.unparsed {
                // Both come from the files: one line each, controls escaped.
                let place = unparsed.file.display().to_string();
                note.push_str(&format!(
                    "\n  {}:{}:{}: {}",
                    escape_controls(&place, Keep::Nothing),
                    unparsed.line,
                    unparsed.column,
                    escape_controls(&unparsed.error, Keep::Nothing)
                ));
            }
            out.note(note);
        }
        if self.ok {
            out.line(format!("ok: {}", self.summary.join("; ")));
        } else {
            out.line(format!(
                "verify failed: {}",
                count(self.errors(), "problem")
            ));
        }
    }
}

impl Output {
    /// `verify --format github`: each problem as an annotation on stdout, a
    /// notice on each statement the lint could not parse, and the summary
    /// when nothing failed.
    pub fn annotate(&self, report: &VerifyReport) {
        self.annotations(&report.problems);
        for unparsed in report.lint.iter().flat_map(|lint| &lint.unparsed) {
            self.line(super::github::unparsed_notice(unparsed));
        }
        if report.ok {
            self.line(format!("ok: {}", report.summary.join("; ")));
        }
    }
}
