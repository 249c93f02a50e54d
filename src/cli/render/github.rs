//! GitHub Actions workflow commands: `::error file=F,line=L,title=T::MESSAGE`,
//! which the runner turns into annotations on the pull request's files.
//! Pure text in, text out.
//!
//! The escaping is the runner's (actions/toolkit `command.ts`): in the
//! message `%`, CR and LF become `%25`, `%0D`, `%0A`; in property values
//! `:` and `,` also become `%3A` and `%2C`.

use migrator::diagnostic::{Diagnostic, Level};

/// At most this many lines of a diff go into an annotation: it shows on
/// the pull request's page, where the whole diff is one click away.
const DIFF_LINES: usize = 12;

/// The annotation for one diagnostic: the message, then its notes, a short
/// diff and the hint on lines of their own.
pub fn annotation(diagnostic: &Diagnostic) -> String {
    let level = match diagnostic.level {
        Level::Error => "error",
        Level::Warning => "warning",
    };
    let mut properties = Vec::new();
    if let Some(file) = &diagnostic.file {
        properties.push(format!(
            "file={}",
            escape_property(&file.display().to_string())
        ));
        if let Some(line) = diagnostic.line {
            properties.push(format!("line={line}"));
        }
        if let Some(column) = diagnostic.column {
            properties.push(format!("col={column}"));
        }
    }
    let title = match diagnostic.rule {
        Some(rule) => format!("migrator verify: {} {rule}", diagnostic.kind),
        None => format!("migrator verify: {}", diagnostic.kind.replace('_', " ")),
    };
    properties.push(format!("title={}", escape_property(&title)));
    let mut message = diagnostic.message.clone();
    for note in &diagnostic.notes {
        message.push('\n');
        message.push_str(note);
    }
    if let Some(diff) = &diagnostic.diff {
        let lines: Vec<&str> = diff.trim_end().lines().collect();
        for line in lines.iter().take(DIFF_LINES) {
            message.push('\n');
            message.push_str(line);
        }
        if lines.len() > DIFF_LINES {
            message.push_str(&format!(
                "\n… {} more lines of diff in the job's log",
                lines.len() - DIFF_LINES
            ));
        }
    }
    if let Some(hint) = &diagnostic.hint {
        message.push_str("\nhint: ");
        message.push_str(hint);
    }
    format!(
        "::{level} {}::{}",
        properties.join(","),
        escape_data(&message)
    )
}

/// A notice on a statement the lint could not parse, so that the pull
/// request shows what was not checked.
pub fn unparsed_notice(unparsed: &migrator::lint::Unparsed) -> String {
    format!(
        "::notice file={},line={},col={},title={}::{}",
        escape_property(&unparsed.file.display().to_string()),
        unparsed.line,
        unparsed.column,
        escape_property("migrator verify: lint"),
        escape_data(&format!(
            "the lint could not parse this statement, and did not check it: {}",
            unparsed.error
        ))
    )
}

/// Escapes a command's message.
pub fn escape_data(text: &str) -> String {
    let escaped = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    // The log viewer obeys colour codes, and a pipe may drop other control
    // characters: written out, a file's name survives as it is.
    super::escape_controls(&escaped, super::Keep::Nothing).into_owned()
}

/// Escapes a property value: as a message, and `:` and `,` too.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(
        kind: &'static str,
        file: Option<&str>,
        line: Option<usize>,
        message: &str,
    ) -> Diagnostic {
        let mut diagnostic = Diagnostic::error(kind, message);
        diagnostic.file = file.map(Into::into);
        diagnostic.line = line;
        diagnostic
    }

    #[test]
    fn escaping() {
        let cases = [
            ("plain", "plain", "plain"),
            ("50%", "50%25", "50%25"),
            ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
            ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
            ("%0A", "%250A", "%250A"),
            ("::error::", "::error::", "%3A%3Aerror%3A%3A"),
        ];
        for (input, data, property) in cases {
            assert_eq!(escape_data(input), data, "data {input:?}");
            assert_eq!(escape_property(input), property, "property {input:?}");
        }
    }

    #[test]
    fn annotations() {
        let mut drift = finding(
            "drift",
            Some("versions/0001_a,b.up.sql"),
            Some(7),
            "0001_a,b changed: 100% sure",
        );
        drift.diff = Some("--- applied\n+++ new\n-x\n+y\n".into());
        drift.hint = Some("run `migrator repair`".into());
        let mut warning = finding("down_drift", Some("v/0001.down.sql"), None, "m");
        warning.level = Level::Warning;
        let cases = [
            (
                finding(
                    "folder",
                    Some("versions/0001_a.up.sql"),
                    Some(3),
                    "unknown key `Parent`",
                ),
                "::error file=versions/0001_a.up.sql,line=3,title=migrator verify%3A folder::unknown key `Parent`",
            ),
            (
                drift,
                "::error file=versions/0001_a%2Cb.up.sql,line=7,title=migrator verify%3A drift::0001_a,b changed: 100%25 sure%0A--- applied%0A+++ new%0A-x%0A+y%0Ahint: run `migrator repair`",
            ),
            (
                finding("missing", None, None, "0009 is applied but missing"),
                "::error title=migrator verify%3A missing::0009 is applied but missing",
            ),
            (
                warning,
                "::warning file=v/0001.down.sql,title=migrator verify%3A down drift::m",
            ),
            (
                finding("lint", Some("v/0002.up.sql"), Some(4), "drops table `t`")
                    .rule("drop-table")
                    .column(Some(1)),
                "::error file=v/0002.up.sql,line=4,col=1,title=migrator verify%3A lint drop-table::drops table `t`",
            ),
        ];
        for (finding, expected) in cases {
            assert_eq!(annotation(&finding), expected);
        }
    }

    #[test]
    fn notices_of_statements_not_parsed() {
        let unparsed = migrator::lint::Unparsed {
            revision: "0002_a".into(),
            file: "v/0002_a,b.up.sql".into(),
            line: 4,
            column: 1,
            error: "Expected: X, found: Y (line 4, column 40)".into(),
        };
        assert_eq!(
            unparsed_notice(&unparsed),
            "::notice file=v/0002_a%2Cb.up.sql,line=4,col=1,title=migrator verify%3A lint::the lint could not parse this statement, and did not check it: Expected: X, found: Y (line 4, column 40)"
        );
    }
}
