//! Templates of `migrator new`: `templates/new.up.sql` and
//! `templates/new.down.sql` beside the versions folder, whose `{{id}}`,
//! `{{message}}`, `{{parents}}` and `{{created}}` are filled in for each new
//! revision. [`read`] finds them (the only I/O); [`fill`] is pure.
//!
//! An up template that names `{{parents}}` writes the header itself; one
//! that does not gets migrator's header put before it, so a template of
//! boilerplate SQL needs no header of its own.

use std::io;
use std::path::{Path, PathBuf};

use crate::source::problem::Problem;

/// The folder of templates, beside the versions folder.
pub const FOLDER: &str = "templates";
pub const UP: &str = "new.up.sql";
pub const DOWN: &str = "new.down.sql";

/// What a template may name, as `{{name}}`.
pub const VARIABLES: [&str; 4] = ["id", "message", "parents", "created"];

/// A template read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub path: PathBuf,
    pub text: String,
}

/// The templates of a project; either may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Templates {
    pub up: Option<Template>,
    pub down: Option<Template>,
}

/// The values a new revision gives its templates.
#[derive(Debug, Clone, Copy)]
pub struct Values<'a> {
    pub id: &'a str,
    pub message: &'a str,
    /// Comma-separated, as the `Parents` header writes them.
    pub parents: &'a str,
    pub created: &'a str,
}

impl Values<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        Some(match name {
            "id" => self.id,
            "message" => self.message,
            "parents" => self.parents,
            "created" => self.created,
            _ => return None,
        })
    }
}

/// The templates folder of the versions folder `dir`: `templates/` beside it.
pub fn folder_of(dir: &Path) -> PathBuf {
    dir.parent().unwrap_or(Path::new("")).join(FOLDER)
}

/// Reads the templates in `folder`; a missing file is no template, one
/// that cannot be read (or is not UTF-8) an error naming it.
pub fn read(folder: &Path) -> Result<Templates, (PathBuf, io::Error)> {
    let read_one = |name: &str| {
        let path = folder.join(name);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let bytes = crate::source::checksum::normalize(&bytes);
                String::from_utf8(bytes)
                    .map(|text| {
                        Some(Template {
                            path: path.clone(),
                            text,
                        })
                    })
                    .map_err(|_| {
                        let error =
                            io::Error::new(io::ErrorKind::InvalidData, "is not valid UTF-8");
                        (path.clone(), error)
                    })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err((path, e)),
        }
    };
    Ok(Templates {
        up: read_one(UP)?,
        down: read_one(DOWN)?,
    })
}

/// Whether the template writes the header itself (it names `{{parents}}`).
pub fn writes_header(template: &Template) -> bool {
    placeholders(&template.text).any(|(_, name)| name == "parents")
}

/// The template's text with every `{{name}}` (spaces inside the braces
/// allowed) replaced by its value; every unknown name at once, as problems
/// at the template's line. `{{` not followed by a name and `}}` is text.
pub fn fill(template: &Template, values: &Values<'_>) -> Result<String, Vec<Problem>> {
    let text = &template.text;
    let mut out = String::with_capacity(text.len());
    let mut problems = Vec::new();
    let mut copied = 0;
    for ((start, end), name) in placeholders(text) {
        out.push_str(&text[copied..start]);
        copied = end;
        match values.get(name) {
            // `-- Parents: {{parents}}` of a root ends at the colon, as
            // migrator's own header writes it.
            Some("") if text[end..].starts_with('\n') || end == text.len() => {
                out.truncate(out.trim_end_matches([' ', '\t']).len());
            }
            Some(value) => out.push_str(value),
            None => {
                let line = 1 + text[..start].matches('\n').count();
                let hint = match crate::suggest::closest(name, VARIABLES, &[]) {
                    Some(known) => format!("did you mean `{{{{{known}}}}}`?"),
                    None => format!(
                        "a template may name {}",
                        VARIABLES.map(|v| format!("{{{{{v}}}}}")).join(", ")
                    ),
                };
                problems.push(
                    Problem::new(
                        &template.path,
                        Some(line),
                        format!("unknown template variable `{{{{{name}}}}}`"),
                    )
                    .with_hint(hint),
                );
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    out.push_str(&text[copied..]);
    Ok(out)
}

/// Each `{{ name }}` of `text`: its byte range and its name.
fn placeholders(text: &str) -> impl Iterator<Item = ((usize, usize), &str)> {
    let mut at = 0;
    std::iter::from_fn(move || {
        loop {
            let start = at + text[at..].find("{{")?;
            let inner_start = start + 2;
            let Some(len) = text[inner_start..].find("}}") else {
                at = text.len();
                return None;
            };
            let inner = &text[inner_start..inner_start + len];
            let name = inner.trim();
            let is_name = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if is_name {
                let end = inner_start + len + 2;
                at = end;
                return Some(((start, end), name));
            }
            at = start + 2;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUES: Values<'static> = Values {
        id: "0002_add_email",
        message: "Add email",
        parents: "0001_users",
        created: "2026-11-21 10:15:00 UTC",
    };

    fn template(text: &str) -> Template {
        Template {
            path: PathBuf::from("templates/new.up.sql"),
            text: text.to_owned(),
        }
    }

    #[test]
    fn fills_the_variables() {
        let cases = [
            ("", ""),
            ("SELECT 1;\n", "SELECT 1;\n"),
            (
                "-- Parents: {{parents}}\n-- Message: {{ message }}\n",
                "-- Parents: 0001_users\n-- Message: Add email\n",
            ),
            (
                "-- {{id}} at {{created}}",
                "-- 0002_add_email at 2026-11-21 10:15:00 UTC",
            ),
            // Not variables: left as written.
            (
                "SELECT '{{', '}}', '{{}}', '{{a b}}', '{ {id} }';",
                "SELECT '{{', '}}', '{{}}', '{{a b}}', '{ {id} }';",
            ),
            ("{{id", "{{id"),
        ];
        let root = Values {
            parents: "",
            ..VALUES
        };
        assert_eq!(
            fill(
                &template("-- Parents: {{parents}}\n-- {{ parents }} x\n"),
                &root
            )
            .unwrap(),
            "-- Parents:\n--  x\n"
        );
        for (text, expected) in cases {
            assert_eq!(fill(&template(text), &VALUES).unwrap(), expected, "{text}");
        }
    }

    #[test]
    fn unknown_variables_are_problems_at_their_line() {
        let problems = fill(
            &template("-- Parents: {{parents}}\n\n-- Ticket: {{ticket}}\n{{messages}} {{id}}\n"),
            &VALUES,
        )
        .unwrap_err();
        let got: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "templates/new.up.sql:3: unknown template variable `{{ticket}}`",
                "templates/new.up.sql:4: unknown template variable `{{messages}}`",
            ]
        );
        assert!(
            problems[0]
                .hint
                .as_deref()
                .unwrap()
                .contains("{{id}}, {{message}}")
        );
        assert_eq!(
            problems[1].hint.as_deref(),
            Some("did you mean `{{message}}`?")
        );
    }

    #[test]
    fn a_template_that_names_parents_writes_the_header() {
        assert!(writes_header(&template("-- Parents: {{ parents }}\n")));
        assert!(!writes_header(&template("SET lock_timeout = '5s';\n")));
    }

    #[test]
    fn the_folder_is_beside_the_versions_folder() {
        assert_eq!(folder_of(Path::new("versions")), PathBuf::from("templates"));
        assert_eq!(
            folder_of(Path::new("/p/db/versions")),
            PathBuf::from("/p/db/templates")
        );
    }
}
