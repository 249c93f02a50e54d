//! How things are said, in one place: a command hands over a report value
//! or a diagnostic, and this module writes it as text, JSON or GitHub
//! annotations. Results go to stdout, everything else (progress, notes,
//! warnings, errors) to stderr; with `--format json` stdout holds exactly one
//! JSON document.
//!
//! Colour is decided per stream: `colored` always writes the escape codes
//! and `anstream` strips them from a stream that is not a terminal, or when
//! `NO_COLOR` or `--no-color` say so (`CLICOLOR_FORCE` keeps them).

use std::io::Write;

use colored::Colorize;
use migrator::Error;
use migrator::diagnostic::{Diagnostic, Level};

mod folder;
mod github;
mod progress;
mod prompt;
mod revise;
mod run;
mod state;
mod usage;
mod verify;

pub use folder::Verbose;
pub use progress::{LockNotice, StepPrinter};
pub use prompt::confirm_repair;

use super::args::Format;

/// A report that can be shown as text; its JSON is its `Serialize` form.
pub trait Render: serde::Serialize {
    /// The report as lines of text for stdout (notes go to `out.note`).
    fn text(&self, out: &mut Text<'_>);
}

/// Where a report's text goes: lines of results on stdout, notes on stderr.
pub struct Text<'a> {
    output: &'a Output,
}

impl Text<'_> {
    /// One line of results.
    pub fn line(&mut self, text: impl AsRef<str>) {
        self.output.stdout_line(text.as_ref());
    }

    /// A note about the results, on stderr.
    pub fn note(&mut self, text: impl AsRef<str>) {
        self.output.note(text);
    }

    /// A diagnostic, on stderr.
    pub fn diagnostic(&mut self, diagnostic: &Diagnostic) {
        self.output.diagnostic(diagnostic);
    }
}

/// What `--format json` prints for a command that failed or refused.
#[derive(serde::Serialize)]
pub struct ErrorDocument<'a> {
    pub error: &'a Diagnostic,
}

/// The output of one command.
pub struct Output {
    pub format: Format,
}

impl Output {
    pub fn new(format: Format, no_color: bool) -> Output {
        // colored writes the codes; anstream decides, per stream, whether
        // they reach it.
        colored::control::set_override(true);
        if no_color {
            anstream::ColorChoice::Never.write_global();
        }
        Output { format }
    }

    pub fn is_json(&self) -> bool {
        self.format == Format::Json
    }

    /// Shows a command's report: one JSON document, or its text.
    pub fn show(&self, report: &impl Render) {
        if self.is_json() {
            self.json(report);
        } else {
            report.text(&mut Text { output: self });
        }
    }

    /// One line of results on stdout.
    pub fn line(&self, text: impl AsRef<str>) {
        self.stdout_line(text.as_ref());
    }

    /// A JSON document of results on stdout.
    pub fn json(&self, value: &impl serde::Serialize) {
        let text = serde_json::to_string_pretty(value).expect("results serialize to JSON");
        self.stdout_line(&text);
    }

    fn stdout_line(&self, text: &str) {
        let mut stdout = anstream::stdout().lock();
        // A closed pipe (`migrator history | head`) is not an error.
        let _ = writeln!(stdout, "{text}");
    }

    /// A message about the run (progress, notes), on stderr so results stay
    /// clean for pipes.
    pub fn note(&self, text: impl AsRef<str>) {
        let mut stderr = anstream::stderr().lock();
        let _ = writeln!(stderr, "{}", text.as_ref());
    }

    /// A progress line that the next one overwrites (terminals only).
    pub fn progress(&self, text: impl AsRef<str>) {
        let mut stderr = anstream::stderr().lock();
        let _ = write!(stderr, "{}\r", text.as_ref());
        let _ = stderr.flush();
    }

    pub fn warn(&self, text: impl AsRef<str>) {
        self.note(format!("{} {}", "warning:".yellow().bold(), text.as_ref()));
    }

    /// An error that stopped the command: its text on stderr, and with
    /// `--format json` a document `{"error": …}` on stdout too, so that
    /// stdout always parses.
    pub fn error(&self, error: &Error) {
        let diagnostic = error.diagnostic();
        if self.is_json() {
            self.json(&ErrorDocument { error: &diagnostic });
        }
        self.diagnostic(&diagnostic);
    }

    /// A diagnostic as text on stderr: one short line, its children and
    /// notes indented under it, a diff, then the hint.
    pub fn diagnostic(&self, diagnostic: &Diagnostic) {
        let mut lines = Vec::new();
        diagnostic_lines(diagnostic, 0, &mut lines);
        let mut stderr = anstream::stderr().lock();
        for line in lines {
            let _ = writeln!(stderr, "{line}");
        }
    }

    /// Diagnostics as GitHub annotations on stdout.
    pub fn annotations(&self, diagnostics: &[Diagnostic]) {
        for diagnostic in diagnostics {
            self.stdout_line(&github::annotation(diagnostic));
        }
    }
}

/// The lines of a diagnostic, `depth` levels in. The top level says
/// `error:`; its children are listed under it with their place first, the
/// way a compiler lists the problems of a file.
fn diagnostic_lines(diagnostic: &Diagnostic, depth: usize, lines: &mut Vec<String>) {
    let indent = "  ".repeat(depth);
    let place = diagnostic
        .location()
        .map(|place| format!("{place}: "))
        .unwrap_or_default();
    if depth == 0 {
        let level = match diagnostic.level {
            Level::Error => "error:".red().bold(),
            Level::Warning => "warning:".yellow().bold(),
        };
        lines.push(format!("{level} {}", diagnostic.message));
        if let Some(place) = diagnostic.location() {
            lines.push(format!("  --> {place}"));
        }
    } else {
        let level = match diagnostic.level {
            Level::Error => String::new(),
            Level::Warning => format!("{} ", "warning:".yellow()),
        };
        lines.push(format!("{indent}{level}{place}{}", diagnostic.message));
    }
    let inner = "  ".repeat(depth + 1);
    for note in &diagnostic.notes {
        lines.push(format!("{inner}{note}"));
    }
    if let Some(diff) = &diagnostic.diff {
        for line in diff.lines() {
            lines.push(format!("{inner}  {}", colorize_diff(line)));
        }
    }
    for child in &diagnostic.children {
        diagnostic_lines(child, depth + 1, lines);
    }
    if let Some(hint) = &diagnostic.hint {
        // Continuation lines (an example header) line up under the hint.
        let label = if depth == 0 {
            "hint:".cyan().bold()
        } else {
            "hint:".cyan()
        };
        let hint_indent = if depth == 0 {
            String::new()
        } else {
            inner.clone()
        };
        let continuation = format!("\n{hint_indent}      ");
        lines.push(format!(
            "{hint_indent}{label} {}",
            hint.replace('\n', &continuation)
        ));
    }
}

fn colorize_diff(line: &str) -> String {
    if line.starts_with('+') {
        line.green().to_string()
    } else if line.starts_with('-') {
        line.red().to_string()
    } else if line.starts_with("@@") {
        line.cyan().to_string()
    } else {
        line.to_string()
    }
}

/// A duration as people read it: fractions below 10 ms, where migrations
/// of a small table usually fall, seconds above one.
pub fn duration(elapsed: std::time::Duration) -> String {
    let ms = elapsed.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// A recorded execution time: whole milliseconds, where 0 means "under one".
pub fn recorded_ms(ms: i64) -> String {
    if ms < 1 {
        "<1 ms".to_string()
    } else {
        format!("{ms} ms")
    }
}

/// `N noun` or `N nouns`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The exit status for an error: 2 for bad usage, 1 for everything else.
pub fn exit_code(error: &Error) -> i32 {
    if error.is_usage() { 2 } else { 1 }
}
