//! The version of another tool's migration, as its file name writes it:
//! `000042`, `20240105093000`, Flyway's `1.2.10` or `1_2_10`.

use std::cmp::Ordering;
use std::fmt;

use crate::source::file_name::Number;

/// A version, ordered as numbers part by part: `1.2.10` comes after
/// `1.2.9`, `0042` equals `42`, and trailing zero parts do not count
/// (`1.0` equals `1`), as Flyway compares them. Digits of any length.
#[derive(Debug, Clone)]
pub struct Version {
    /// As written, `_` separators turned into `.` (as Flyway shows them).
    text: String,
    parts: Vec<Number>,
}

impl Version {
    /// Digits, or (with `dotted`) digits separated by single `.` or `_`;
    /// `None` for anything else.
    pub fn parse(text: &str, dotted: bool) -> Option<Version> {
        let text = if dotted {
            text.replace('_', ".")
        } else {
            text.to_owned()
        };
        let parts = if dotted {
            text.split('.').map(Number::parse).collect::<Option<_>>()?
        } else {
            vec![Number::parse(&text)?]
        };
        Some(Version { text, parts })
    }

    /// The version as written (`_` shown as `.`).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Zero (`0`, `0.0`): a version no tool gives a migration.
    pub fn is_zero(&self) -> bool {
        self.significant().is_empty()
    }

    /// The parts without trailing zeros.
    fn significant(&self) -> &[Number] {
        let zero = Number::default();
        let len = self
            .parts
            .iter()
            .rposition(|part| *part != zero)
            .map_or(0, |i| i + 1);
        &self.parts[..len]
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        let zero = Number::default();
        let (a, b) = (self.significant(), other.significant());
        (0..a.len().max(b.len()))
            .map(|i| a.get(i).unwrap_or(&zero).cmp(b.get(i).unwrap_or(&zero)))
            .find(|ordering| ordering.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Version {}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    #[test]
    fn versions_compare_as_numbers_part_by_part() {
        let cases = [
            ("1.2.10", "1.2.9", true, Greater),
            ("1.10", "1.2", true, Greater),
            ("1_1", "1.1", true, Equal),
            ("1.0", "1", true, Equal),
            ("01.002", "1.2", true, Equal),
            ("2", "1.99", true, Greater),
            ("000042", "42", false, Equal),
            ("20240105093000", "99", false, Greater),
            ("123456789012345678901234567890", "9", false, Greater),
            ("3", "10", false, Less),
        ];
        for (a, b, dotted, expected) in cases {
            let (va, vb) = (
                Version::parse(a, dotted).unwrap(),
                Version::parse(b, dotted).unwrap(),
            );
            assert_eq!(va.cmp(&vb), expected, "{a} vs {b}");
            assert_eq!(vb.cmp(&va), expected.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn only_digits_and_separators_are_versions() {
        let cases = [
            ("42", false, Some("42")),
            ("1.2", false, None),
            ("1_2", true, Some("1.2")),
            ("1..2", true, None),
            ("1.", true, None),
            ("", false, None),
            ("v1", true, None),
            ("１", false, None),
        ];
        for (text, dotted, expected) in cases {
            let parsed = Version::parse(text, dotted);
            assert_eq!(parsed.as_ref().map(Version::as_str), expected, "{text}");
        }
        assert!(Version::parse("0.0", true).unwrap().is_zero());
        assert!(!Version::parse("0.1", true).unwrap().is_zero());
    }
}
