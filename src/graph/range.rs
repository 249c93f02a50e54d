//! Ranges of revisions, `A:B`, as `history -r` takes them. Pure.

use std::fmt;
use std::str::FromStr;

use crate::graph::RevisionGraph;
use crate::graph::target::TargetError;

/// The revisions from `A` to `B`: those that descend from `A` and are
/// ancestors of `B`, both included. An open end (empty, `base` for `A`,
/// `head` or `heads` for `B`) does not limit that side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    /// A revision id or prefix; `None` from the roots.
    pub from: Option<String>,
    /// A revision id or prefix; `None` up to the heads.
    pub to: Option<String>,
}

impl FromStr for Range {
    type Err = TargetError;

    fn from_str(text: &str) -> Result<Range, TargetError> {
        let (from, to) = text
            .trim()
            .split_once(':')
            .ok_or_else(|| TargetError::InvalidRange {
                text: text.to_string(),
            })?;
        let end = |name: &str, open: &[&str]| {
            let name = name.trim();
            (!name.is_empty() && !open.iter().any(|o| name.eq_ignore_ascii_case(o)))
                .then(|| name.to_string())
        };
        Ok(Range {
            from: end(from, &["base"]),
            to: end(to, &["head", "heads"]),
        })
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let from = self.from.as_deref().unwrap_or("");
        let to = self.to.as_deref().unwrap_or("");
        write!(f, "{from}:{to}")
    }
}

impl Range {
    /// Membership, by position, of the revisions in the range. Each end is
    /// resolved like a target: an unknown or ambiguous one is an error.
    pub fn select(&self, graph: &RevisionGraph) -> Result<Vec<bool>, TargetError> {
        let mut selected = vec![true; graph.len()];
        if let Some(from) = &self.from {
            let descendants = graph.descendants(&[graph.resolve(from)?]);
            for (s, d) in selected.iter_mut().zip(descendants) {
                *s &= d;
            }
        }
        if let Some(to) = &self.to {
            let ancestors = graph.ancestors(&[graph.resolve(to)?]);
            for (s, a) in selected.iter_mut().zip(ancestors) {
                *s &= a;
            }
        }
        Ok(selected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::graph;

    const DIAMOND: &str = "0001; 0002a <- 0001; 0002b <- 0001; 0003m <- 0002a 0002b; 0004 <- 0003m";

    #[test]
    fn parses_both_ends_and_open_ones() {
        let range = |from: Option<&str>, to: Option<&str>| Range {
            from: from.map(String::from),
            to: to.map(String::from),
        };
        let cases = [
            ("0002:0004", Ok(range(Some("0002"), Some("0004")))),
            ("0002:", Ok(range(Some("0002"), None))),
            (":0003", Ok(range(None, Some("0003")))),
            (":", Ok(range(None, None))),
            ("base:HEAD", Ok(range(None, None))),
            ("base:heads", Ok(range(None, None))),
            (" 0001 : 0002a ", Ok(range(Some("0001"), Some("0002a")))),
            (
                "0002",
                Err(TargetError::InvalidRange {
                    text: "0002".into(),
                }),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<Range>(), expected, "{text:?}");
        }
        assert_eq!(range(Some("0002"), None).to_string(), "0002:");
    }

    #[test]
    fn selects_descendants_of_from_that_are_ancestors_of_to() {
        let g = graph(DIAMOND);
        let cases: [(&str, &[&str]); 6] = [
            (":", &["0001", "0002a", "0002b", "0003m", "0004"]),
            ("0002a:", &["0002a", "0003m", "0004"]),
            (":0002b", &["0001", "0002b"]),
            ("0001:0003m", &["0001", "0002a", "0002b", "0003m"]),
            ("0002a:0003", &["0002a", "0003m"]),
            ("0002a:0002b", &[]),
        ];
        for (text, expected) in cases {
            let selected = text.parse::<Range>().unwrap().select(&g).unwrap();
            let ids: Vec<&str> = (0..g.len())
                .filter(|&i| selected[i])
                .map(|i| g.at(i).id.as_str())
                .collect();
            assert_eq!(ids, expected, "{text}");
        }
    }

    #[test]
    fn an_unknown_or_ambiguous_end_is_an_error() {
        let g = graph(DIAMOND);
        let unknown = "0009:".parse::<Range>().unwrap().select(&g);
        assert!(
            matches!(unknown, Err(TargetError::Unknown { .. })),
            "{unknown:?}"
        );
        let ambiguous = ":0002".parse::<Range>().unwrap().select(&g);
        assert!(
            matches!(ambiguous, Err(TargetError::Ambiguous { .. })),
            "{ambiguous:?}"
        );
    }
}
