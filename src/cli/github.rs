//! GitHub Actions workflow commands: `::error file=F,line=L,title=T::MESSAGE`,
//! which the runner turns into annotations on the pull request's files.
//! Pure text in, text out.
//!
//! The escaping is the runner's (actions/toolkit `command.ts`): in the
//! message `%`, CR and LF become `%25`, `%0D`, `%0A`; in property values
//! `:` and `,` also become `%3A` and `%2C`.

use migrator::engine::verify::{Finding, Severity};

/// The annotation for one finding: the message, then its diff and hint on
/// lines of their own.
pub fn annotation(finding: &Finding) -> String {
    let level = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut properties = Vec::new();
    if let Some(file) = &finding.file {
        properties.push(format!(
            "file={}",
            escape_property(&file.display().to_string())
        ));
        if let Some(line) = finding.line {
            properties.push(format!("line={line}"));
        }
    }
    let kind = serde_json::to_value(finding.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    properties.push(format!(
        "title={}",
        escape_property(&format!("migrator verify: {}", kind.replace('_', " ")))
    ));
    let mut message = finding.message.clone();
    if let Some(diff) = &finding.diff {
        message.push('\n');
        message.push_str(diff.trim_end());
    }
    if let Some(hint) = &finding.hint {
        message.push_str("\nhint: ");
        message.push_str(hint);
    }
    format!(
        "::{level} {}::{}",
        properties.join(","),
        escape_data(&message)
    )
}

/// Escapes a command's message.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: as a message, and `:` and `,` too.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use migrator::engine::verify::Kind;

    fn finding(kind: Kind, file: Option<&str>, line: Option<usize>, message: &str) -> Finding {
        Finding {
            severity: Severity::Error,
            kind,
            revision: None,
            file: file.map(Into::into),
            line,
            message: message.into(),
            hint: None,
            diff: None,
        }
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
            Kind::Drift,
            Some("versions/0001_a,b.up.sql"),
            Some(7),
            "0001_a,b changed: 100% sure",
        );
        drift.diff = Some("--- applied\n+++ new\n-x\n+y\n".into());
        drift.hint = Some("run `migrator repair`".into());
        let mut warning = finding(Kind::DownDrift, Some("v/0001.down.sql"), None, "m");
        warning.severity = Severity::Warning;
        let cases = [
            (
                finding(
                    Kind::Folder,
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
                finding(Kind::Missing, None, None, "0009 is applied but missing"),
                "::error title=migrator verify%3A missing::0009 is applied but missing",
            ),
            (
                warning,
                "::warning file=v/0001.down.sql,title=migrator verify%3A down drift::m",
            ),
        ];
        for (finding, expected) in cases {
            assert_eq!(annotation(&finding), expected);
        }
    }
}
