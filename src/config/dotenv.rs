//! The `.env` file beside `migrator.toml`: `NAME=value` lines that stand in
//! for environment variables the process does not have. Pure: the text in,
//! the variables out.

/// The variables of a `.env` file, in file order (a later line wins), or
/// the first bad line and why.
///
/// The format most tools read (dotenv, Docker Compose): `NAME=value`,
/// optionally after `export `; blank lines and `#` comments; a value in
/// single quotes is taken literally, one in double quotes understands
/// `\n`, `\t`, `\"` and `\\`; an unquoted value is trimmed and ends at
/// ` #`.
pub fn parse(text: &str) -> Result<Vec<(String, String)>, (usize, String)> {
    let mut variables = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let Some((name, value)) = line.split_once('=') else {
            return Err((number, format!("`{line}` is not NAME=value")));
        };
        let name = name.trim();
        let valid = name.starts_with(|c: char| c == '_' || c.is_ascii_alphabetic())
            && name
                .chars()
                .all(|c| c == '_' || c == '.' || c.is_ascii_alphanumeric());
        if !valid {
            return Err((number, format!("`{name}` is not a variable name")));
        }
        let value = value.trim();
        let value = if let Some(quoted) = value.strip_prefix('\'') {
            let Some(end) = quoted.find('\'') else {
                return Err((number, format!("the value of {name} has no closing '")));
            };
            quoted[..end].to_owned()
        } else if let Some(quoted) = value.strip_prefix('"') {
            unescape(quoted)
                .ok_or_else(|| (number, format!("the value of {name} has no closing \"")))?
        } else {
            match value.find(" #") {
                Some(comment) => value[..comment].trim_end().to_owned(),
                None => value.to_owned(),
            }
        };
        variables.push((name.to_owned(), value));
    }
    Ok(variables)
}

/// The text of a double-quoted value up to its closing quote.
fn unescape(quoted: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn lines_become_variables() {
        let text = "\
# the database of this checkout
DATABASE_URL=postgres://app@localhost/app_dev
export PGPASSWORD = 'se#cr\"et'
QUOTED=\"a \\\"b\\\"\\nc\"
TRAILING=value # a comment
HASH=no#comment
EMPTY=

SPACED =  padded  
";
        let got = parse(text).unwrap();
        let expected = [
            ("DATABASE_URL", "postgres://app@localhost/app_dev"),
            ("PGPASSWORD", "se#cr\"et"),
            ("QUOTED", "a \"b\"\nc"),
            ("TRAILING", "value"),
            ("HASH", "no#comment"),
            ("EMPTY", ""),
            ("SPACED", "padded"),
        ];
        let got: Vec<(&str, &str)> = got.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn bad_lines_are_named() {
        let cases = [
            ("A=1\njust words\n", 2, "is not NAME=value"),
            ("1A=x", 1, "is not a variable name"),
            ("A B=x", 1, "is not a variable name"),
            ("\n\nA='open", 3, "no closing '"),
            ("A=\"open", 1, "no closing \""),
        ];
        for (text, line, fragment) in cases {
            let (number, message) = parse(text).unwrap_err();
            assert_eq!(number, line, "{text:?}");
            assert!(message.contains(fragment), "{text:?}: {message}");
        }
    }
}
