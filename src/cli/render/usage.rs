//! Bad usage that clap finds before any command runs.

use migrator::diagnostic::Diagnostic;

use super::{ErrorDocument, Output};

impl Output {
    /// Prints clap's error or message as clap does (help and version on
    /// stdout, errors on stderr). With `--format json`, an error is also the
    /// one document on stdout, `{"error": …}`, as every refusal is.
    pub fn clap_error(&self, error: &clap::Error) {
        if self.is_json() && error.use_stderr() {
            self.json(&ErrorDocument {
                error: &usage_diagnostic(error),
            });
        }
        let _ = error.print();
    }
}

/// clap's error as a diagnostic: its first line the message, the lines
/// after it (a tip, the usage line) notes.
fn usage_diagnostic(error: &clap::Error) -> Diagnostic {
    let text = error.render().to_string();
    let mut lines = text.lines().map(str::trim).filter(|line| !line.is_empty());
    let message = lines.next().unwrap_or("bad usage");
    let message = message.strip_prefix("error: ").unwrap_or(message);
    Diagnostic::error("usage", message).notes(lines.map(String::from))
}
