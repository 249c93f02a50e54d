//! `${VAR}` in the values of `migrator.toml`: expanded from the process
//! environment (over the `.env` file), so that a password or a host lives
//! outside the file. Pure: the variables come in as a lookup.

/// Why a value could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpandError {
    /// `${NAME}` names a variable that is not set (and has no `:-default`).
    Unset { variable: String },
    /// `${` without its `}`, or a name that is not `[A-Za-z_][A-Za-z0-9_]*`.
    Malformed { reason: String },
}

/// `text` with every `${NAME}` replaced by the variable's value, and
/// `${NAME:-default}` by the default when the variable is unset or empty.
/// `$${` writes a literal `${`; any other `$` stays as it is, so a
/// password with a `$` in it needs no escaping.
pub fn expand(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, ExpandError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        if let Some(literal) = after.strip_prefix("$${") {
            out.push_str("${");
            rest = literal;
            continue;
        }
        let Some(body) = after.strip_prefix("${") else {
            out.push('$');
            rest = &after[1..];
            continue;
        };
        let Some(end) = body.find('}') else {
            return Err(ExpandError::Malformed {
                reason: format!("`{}` has no closing `}}`", truncate(after)),
            });
        };
        let inside = &body[..end];
        let (name, default) = match inside.split_once(":-") {
            Some((name, default)) => (name, Some(default)),
            None => (inside, None),
        };
        if !is_name(name) {
            return Err(ExpandError::Malformed {
                reason: format!(
                    "`${{{inside}}}` does not name a variable (letters, digits and _, not starting with a digit)"
                ),
            });
        }
        let value = lookup(name);
        match (value, default) {
            (Some(value), Some(default)) if value.is_empty() => out.push_str(default),
            (Some(value), _) => out.push_str(&value),
            (None, Some(default)) => out.push_str(default),
            (None, None) => {
                return Err(ExpandError::Unset {
                    variable: name.to_owned(),
                });
            }
        }
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

fn truncate(text: &str) -> &str {
    match text.char_indices().nth(24) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

/// Expands every string in `value` (inside arrays and tables too); an
/// error comes with the key it was found under, as `key`, `key[2]` or
/// `table.key`.
pub fn expand_value(
    key: &str,
    value: &mut toml::Value,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(), (String, ExpandError)> {
    match value {
        toml::Value::String(text) => {
            *text = expand(text, lookup).map_err(|e| (key.to_owned(), e))?;
        }
        toml::Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                expand_value(&format!("{key}[{i}]"), item, lookup)?;
            }
        }
        toml::Value::Table(table) => {
            for (inner, item) in table.iter_mut() {
                expand_value(&format!("{key}.{inner}"), item, lookup)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<String> {
        match name {
            "HOST" => Some("db.internal".into()),
            "PASSWORD" => Some("p$ss}".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn variables_expand() {
        let cases = [
            ("plain", "plain"),
            ("", ""),
            (
                "postgres://app@${HOST}/shop",
                "postgres://app@db.internal/shop",
            ),
            ("${HOST}${HOST}", "db.internaldb.internal"),
            ("u:${PASSWORD}@h", "u:p$ss}@h"),
            ("${UNSET:-fallback}", "fallback"),
            ("${EMPTY:-fallback}", "fallback"),
            ("${HOST:-fallback}", "db.internal"),
            ("${UNSET:-}", ""),
            ("a $ sign, $HOME and $5", "a $ sign, $HOME and $5"),
            ("$${HOST} is literal", "${HOST} is literal"),
            ("trailing $", "trailing $"),
            ("${EMPTY}", ""),
        ];
        for (text, expected) in cases {
            assert_eq!(expand(text, &vars).as_deref(), Ok(expected), "{text}");
        }
    }

    #[test]
    fn unset_and_malformed_references_are_errors() {
        let unset = |variable: &str| {
            Err::<String, _>(ExpandError::Unset {
                variable: variable.into(),
            })
        };
        assert_eq!(expand("${NOPE}", &vars), unset("NOPE"));
        assert_eq!(expand("x ${HOST} ${NOPE_2}", &vars), unset("NOPE_2"));
        for (text, fragment) in [
            ("${HOST", "no closing"),
            ("${}", "does not name a variable"),
            ("${1ABC}", "does not name a variable"),
            ("${A-B}", "does not name a variable"),
            ("${A B}", "does not name a variable"),
        ] {
            match expand(text, &vars) {
                Err(ExpandError::Malformed { reason }) => {
                    assert!(reason.contains(fragment), "{text}: {reason}")
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn values_in_arrays_and_tables_name_their_key() {
        let mut value: toml::Value =
            toml::from_str::<toml::Table>("v = [\"${HOST}\", \"${NOPE}\"]").unwrap()["v"].clone();
        let err = expand_value("targets", &mut value, &vars).unwrap_err();
        assert_eq!(
            err,
            (
                "targets[1]".to_owned(),
                ExpandError::Unset {
                    variable: "NOPE".into()
                }
            )
        );
        let mut table: toml::Value =
            toml::Value::Table(toml::from_str("a = \"${HOST}\"\nn = 3").unwrap());
        expand_value("placeholders", &mut table, &vars).unwrap();
        assert_eq!(table["a"].as_str(), Some("db.internal"));
        assert_eq!(table["n"].as_integer(), Some(3));
    }
}
