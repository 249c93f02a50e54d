//! Targets of DESIGN section 4: `head`, `heads`, `base`, an id or unique
//! prefix, `+N`, `-N`.

use std::fmt;
use std::str::FromStr;

/// Where a command should take the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The single head.
    Head,
    /// Every head.
    Heads,
    /// Nothing applied.
    Base,
    /// A full id or unique prefix, resolved against the graph later.
    Revision(String),
    /// `+N`: the next N pending revisions.
    Forward(usize),
    /// `-N`: the N most recently applied revisions.
    Backward(usize),
}

/// Why a target could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error(
        "`{text}` is not a target: expected head, heads, base, a revision id or prefix, +N or -N"
    )]
    Invalid { text: String },
    #[error("no revision matches `{name}`")]
    Unknown {
        name: String,
        suggestion: Option<String>,
    },
    #[error("`{prefix}` is ambiguous: it matches {}", candidates.join(", "))]
    Ambiguous {
        prefix: String,
        candidates: Vec<String>,
    },
    #[error("there are {} heads, so `head` is ambiguous", heads.len())]
    MultipleHeads {
        /// Each head's id and message.
        heads: Vec<(String, String)>,
    },
    #[error("there are no revisions yet")]
    NoRevisions,
    #[error("`{text}` cannot be used with `{command}`")]
    WrongDirection { text: String, command: &'static str },
    /// A range of revisions (`history -r`) without its `:`.
    #[error("`{text}` is not a range: expected A:B, A: or :B")]
    InvalidRange { text: String },
}

impl FromStr for Target {
    type Err = TargetError;

    fn from_str(text: &str) -> Result<Target, TargetError> {
        let invalid = || TargetError::Invalid {
            text: text.to_string(),
        };
        let count = |digits: &str| match digits.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(invalid()),
        };
        let trimmed = text.trim();
        match trimmed.to_ascii_lowercase().as_str() {
            "" => Err(invalid()),
            "head" => Ok(Target::Head),
            "heads" => Ok(Target::Heads),
            "base" => Ok(Target::Base),
            _ => match (trimmed.strip_prefix('+'), trimmed.strip_prefix('-')) {
                (Some(digits), _) => count(digits).map(Target::Forward),
                (_, Some(digits)) => count(digits).map(Target::Backward),
                _ => Ok(Target::Revision(trimmed.to_string())),
            },
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Head => f.write_str("head"),
            Target::Heads => f.write_str("heads"),
            Target::Base => f.write_str("base"),
            Target::Revision(name) => f.write_str(name),
            Target::Forward(n) => write!(f, "+{n}"),
            Target::Backward(n) => write!(f, "-{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        let cases = [
            ("head", Ok(Target::Head)),
            ("HEAD", Ok(Target::Head)),
            ("heads", Ok(Target::Heads)),
            ("base", Ok(Target::Base)),
            ("+3", Ok(Target::Forward(3))),
            ("-1", Ok(Target::Backward(1))),
            ("0003_add", Ok(Target::Revision("0003_add".into()))),
            ("+0", Err(TargetError::Invalid { text: "+0".into() })),
            ("-x", Err(TargetError::Invalid { text: "-x".into() })),
            ("-", Err(TargetError::Invalid { text: "-".into() })),
            ("", Err(TargetError::Invalid { text: "".into() })),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<Target>(), expected, "{text:?}");
        }
    }
}
