//! How things are said, in one place: a command hands over a report value
//! or a diagnostic, and this module writes it as text, JSON or GitHub
//! annotations. Results go to stdout, everything else (progress, notes,
//! warnings, errors) to stderr; with `--format json` stdout holds exactly one
//! JSON document.
//!
//! Colour is decided per stream: `colored` always writes the escape codes
//! and `anstream` strips them from a stream that is not a terminal, or when
//! `NO_COLOR` or `--no-color` say so (`CLICOLOR_FORCE` keeps them). Left to
//! itself, `colored` would read the environment its own way (whether
//! *stdout* is a terminal, for both streams; `CLICOLOR_FORCE` over
//! `NO_COLOR`), so [`colors_before_parsing`] overrides it before anything
//! is written.

use std::borrow::Cow;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

use colored::Colorize;
use migrator::Error;
use migrator::diagnostic::{Diagnostic, Level};

mod fleet;
mod folder;
mod generated;
mod github;
mod import;
mod progress;
mod prompt;
mod revise;
mod run;
mod schema_file;
mod state;
mod usage;
mod verify;

pub use fleet::{FleetLine, FleetRun, FleetView};
pub use folder::Verbose;
pub use generated::{Completions, ManPage, ManPagesWritten};
pub use progress::{LockNotice, StepPrinter, note_connect_wait, note_lock_wait};
pub use prompt::confirm_repair;
pub use schema_file::SchemaDump;

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
        self.output.line(text);
    }

    /// A note about the results, on stderr.
    pub fn note(&mut self, text: impl AsRef<str>) {
        self.output.note(text);
    }

    /// A diagnostic, on stderr.
    pub fn diagnostic(&mut self, diagnostic: &Diagnostic) {
        self.output.diagnostic(diagnostic);
    }

    /// A file's text, on stdout exactly as given: a script or a manual
    /// page that migrator generated, which a shell or `man` reads.
    pub fn verbatim(&mut self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`migrator man | head`) is not an error.
        let _ = stdout.write_all(text.as_bytes());
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

/// Settles colour before clap reads the arguments: `colored` always writes
/// the codes, and `--no-color` (given before any `--`) reaches clap's own
/// messages (usage errors, help) as well as ours, through `anstream`'s
/// global choice that clap's output follows.
pub fn colors_before_parsing(args: impl IntoIterator<Item = OsString>) {
    colored::control::set_override(true);
    if asks_for_no_color(args) {
        anstream::ColorChoice::Never.write_global();
    }
}

fn asks_for_no_color(args: impl IntoIterator<Item = OsString>) -> bool {
    args.into_iter()
        .take_while(|arg| arg != "--")
        .any(|arg| arg == "--no-color")
}

impl Output {
    pub fn new(format: Format, no_color: bool) -> Output {
        // What clap read is the authority; colors_before_parsing only
        // guessed, so that clap's messages could obey it too.
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
        self.stdout_line(&escape_controls(text.as_ref(), Keep::LinesAndColour));
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
        let text = escape_controls(text.as_ref(), Keep::LinesAndColour);
        let mut stderr = anstream::stderr().lock();
        let _ = writeln!(stderr, "{text}");
    }

    /// A progress line of plain text that the next one overwrites, on a
    /// terminal only. Moving the cursor and clearing the line (`\x1b[2K`)
    /// are not colour: they reach the terminal with `NO_COLOR` too, where
    /// anstream would strip them and leave the old line showing.
    pub fn progress(&self, text: impl AsRef<str>) {
        let mut stderr = std::io::stderr().lock();
        if stderr.is_terminal() {
            let _ = write!(stderr, "{}\r", text.as_ref());
            let _ = stderr.flush();
        }
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
// Every piece of a diagnostic may quote a file name, a file or a server:
// each is escaped before it is coloured.
fn diagnostic_lines(diagnostic: &Diagnostic, depth: usize, lines: &mut Vec<String>) {
    let plain = |text: &str| escape_controls(text, Keep::Nothing).into_owned();
    let indent = "  ".repeat(depth);
    let location = diagnostic.location().map(|place| plain(&place));
    let message = plain(&diagnostic.message);
    if depth == 0 {
        // A lint finding names its rule the way rustc names a lint.
        let level = match (diagnostic.level, diagnostic.rule) {
            (Level::Error, None) => "error:".to_owned(),
            (Level::Warning, None) => "warning:".to_owned(),
            (Level::Error, Some(rule)) => format!("error[{rule}]:"),
            (Level::Warning, Some(rule)) => format!("warning[{rule}]:"),
        };
        let level = match diagnostic.level {
            Level::Error => level.red().bold(),
            Level::Warning => level.yellow().bold(),
        };
        lines.push(format!("{level} {message}"));
        if let Some(place) = location {
            lines.push(format!("  --> {place}"));
        }
    } else {
        let level = match diagnostic.level {
            Level::Error => String::new(),
            Level::Warning => format!("{} ", "warning:".yellow()),
        };
        let place = location
            .map(|place| format!("{place}: "))
            .unwrap_or_default();
        lines.push(format!("{indent}{level}{place}{message}"));
    }
    let inner = "  ".repeat(depth + 1);
    for note in &diagnostic.notes {
        lines.push(format!("{inner}{}", plain(note)));
    }
    if let Some(diff) = &diagnostic.diff {
        for line in diff.lines() {
            lines.push(format!("{inner}  {}", colorize_diff(&plain(line))));
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
        let hint: Vec<String> = hint.split('\n').map(plain).collect();
        lines.push(format!("{hint_indent}{label} {}", hint.join(&continuation)));
    }
}

/// What [`escape_controls`] lets through, besides tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Nothing: one line of what a file name, a file or a server said.
    Nothing,
    /// Line breaks and colour sequences (`ESC [ … m`): a report's text,
    /// which its command wrote over several lines and coloured.
    LinesAndColour,
}

/// `text` made safe for a terminal: each control character is written as
/// an escape such as `\u{1b}`, so that a hostile file name, a file's SQL
/// or a server's message cannot clear the screen, move the cursor or
/// retitle the window (and `NO_COLOR` does not silently drop it). A colour
/// sequence let through by [`Keep::LinesAndColour`] can only change how
/// text looks.
pub fn escape_controls(text: &str, keep: Keep) -> Cow<'_, str> {
    let kept = |c: char| c == '\t' || (c == '\n' && keep == Keep::LinesAndColour);
    if !text.chars().any(|c| c.is_control() && !kept(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if keep == Keep::LinesAndColour
            && let Some(len) = colour_sequence_len(rest)
        {
            out.push_str(&rest[..len]);
            rest = &rest[len..];
            continue;
        }
        if c.is_control() && !kept(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// The length of the SGR sequence (`ESC [ 1;33 m`) that starts `text`.
fn colour_sequence_len(text: &str) -> Option<usize> {
    let parameters = text.strip_prefix("\u{1b}[")?;
    let end = parameters.find(|c: char| !(c.is_ascii_digit() || c == ';'))?;
    parameters[end..]
        .starts_with('m')
        .then_some("\u{1b}[".len() + end + 1)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        use Keep::{LinesAndColour, Nothing};
        let cases = [
            ("plain `0001_a`, é\tok", Nothing, "plain `0001_a`, é\tok"),
            ("\u{1b}[2Jclear.sql", Nothing, "\\u{1b}[2Jclear.sql"),
            ("\u{1b}]0;pwned\u{7}", Nothing, "\\u{1b}]0;pwned\\u{7}"),
            ("a\nb\r", Nothing, "a\\u{a}b\\u{d}"),
            ("\u{9b}2J \u{7f}", Nothing, "\\u{9b}2J \\u{7f}"),
            // A file's colour sequence is escaped like any other...
            ("\u{1b}[8mhidden", Nothing, "\\u{1b}[8mhidden"),
            // ...while a report keeps its lines and its command's colours.
            (
                "\u{1b}[1;33mwarning:\u{1b}[0m a\nb",
                LinesAndColour,
                "\u{1b}[1;33mwarning:\u{1b}[0m a\nb",
            ),
            (
                "\u{1b}[2J \u{1b}]0;t\u{7}",
                LinesAndColour,
                "\\u{1b}[2J \\u{1b}]0;t\\u{7}",
            ),
            ("\u{1b}[", LinesAndColour, "\\u{1b}["),
            ("\u{1b}", LinesAndColour, "\\u{1b}"),
        ];
        for (text, keep, expected) in cases {
            assert_eq!(escape_controls(text, keep), expected, "{text:?} {keep:?}");
        }
    }

    #[test]
    fn every_piece_of_a_diagnostic_is_escaped() {
        colored::control::set_override(false);
        let diagnostic = Diagnostic::error("folder", "`\u{1b}[2J.sql` is bad")
            .at(std::path::Path::new("v/\u{1b}[2J.sql"), Some(1))
            .note("note \u{7}")
            .diff("-\u{1b}]0;x\u{7}\n+y\n")
            .hint("first \u{1b}c\nsecond")
            .children([Diagnostic::warning("folder", "child \u{1b}[H")
                .at(std::path::Path::new("v/\u{1b}x"), None)]);
        let mut lines = Vec::new();
        diagnostic_lines(&diagnostic, 0, &mut lines);
        assert_eq!(
            lines,
            [
                "error: `\\u{1b}[2J.sql` is bad",
                "  --> v/\\u{1b}[2J.sql:1",
                "  note \\u{7}",
                "    -\\u{1b}]0;x\\u{7}",
                "    +y",
                "  warning: v/\\u{1b}x: child \\u{1b}[H",
                "hint: first \\u{1b}c\n      second",
            ]
        );
    }

    #[test]
    fn no_color_is_seen_before_parsing_up_to_a_double_dash() {
        let cases: [(&[&str], bool); 5] = [
            (&["--no-color", "status"], true),
            (&["history", "-v", "--no-color"], true),
            (&["status"], false),
            (&["new", "-m", "x", "--", "--no-color"], false),
            (&["new", "--message=--no-color"], false),
        ];
        for (args, expected) in cases {
            let os_args = args.iter().map(OsString::from);
            assert_eq!(asks_for_no_color(os_args), expected, "{args:?}");
        }
    }
}
