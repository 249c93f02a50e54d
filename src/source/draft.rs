//! A new revision's pair of files: the id after the highest number of the
//! folder, the header, the bodies, written without overwriting anything.
//! What `new` and `merge` create, in one place so that both always write
//! files that load back.

use std::io;
use std::path::{Path, PathBuf};

use crate::source::file_name::{self, Number};
use crate::source::header;
use crate::source::problem::Problem;
use crate::source::revision::Revision;
use crate::source::template::{self, Templates};
use crate::sql::lexer::{Dialect, Lexer};

/// What a new revision says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft<'a> {
    /// The `Message` header; the id's slug is made from it.
    pub message: &'a str,
    /// Full ids, in the order the `Parents` header names them.
    pub parents: &'a [String],
    /// False writes `Transaction: off`.
    pub transactional: bool,
    /// A merge revision only joins heads: its files hold no SQL, not even a
    /// comment that invites some.
    pub merge: bool,
}

/// The files of a draft, before they are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftFiles {
    pub id: String,
    pub up: String,
    pub down: String,
}

/// The id and the text of both files of `draft`, numbered after `existing`
/// (see [`file_name::next_number`]), created at `created` (the `Created`
/// header). Pure.
pub fn render<'n>(
    draft: &Draft<'_>,
    existing: impl IntoIterator<Item = &'n Number>,
    created: &str,
) -> DraftFiles {
    let (id, header) = id_and_header(draft, existing, created);
    let (up, down) = if draft.merge {
        (header, String::new())
    } else {
        (
            format!("{header}-- The SQL that applies this revision.\n"),
            format!("-- Undo what {id}.up.sql does. Leave it empty if there is nothing to undo.\n"),
        )
    };
    DraftFiles { id, up, down }
}

/// As [`render`], for a revision that comes with its SQL (`import`): the
/// up file is the header followed by `up`, the down file is `down`.
/// `draft.merge` is not looked at: a revision with SQL joins nothing.
pub fn render_with_sql<'n>(
    draft: &Draft<'_>,
    existing: impl IntoIterator<Item = &'n Number>,
    created: &str,
    up: &str,
    down: &str,
) -> DraftFiles {
    let (id, header) = id_and_header(draft, existing, created);
    DraftFiles {
        id,
        up: format!("{header}{up}"),
        down: down.to_owned(),
    }
}

/// As [`render`], from the project's templates (see
/// [`crate::source::template`]): the up file from `templates.up` (after
/// migrator's header unless the template writes its own), the down file
/// from `templates.down`; the built-in text for a missing one. A merge
/// uses no template. Unknown variables, and a header the template wrote
/// that does not read back, are problems at the template's lines.
pub fn render_templated<'n>(
    draft: &Draft<'_>,
    existing: impl IntoIterator<Item = &'n Number>,
    created: &str,
    templates: &Templates,
) -> Result<DraftFiles, Vec<Problem>> {
    let mut files = render(draft, existing, created);
    if draft.merge {
        return Ok(files);
    }
    let parents = draft.parents.join(", ");
    let values = template::Values {
        id: &files.id,
        message: &crate::source::header::one_line(draft.message),
        parents: &parents,
        created,
    };
    let mut problems = Vec::new();
    let up = templates
        .up
        .as_ref()
        .and_then(|up| match template::fill(up, &values) {
            Ok(text) if template::writes_header(up) => {
                if let Err(mut bad) = header::parse(&up.path, &files.id, &text) {
                    problems.append(&mut bad);
                }
                Some(text)
            }
            Ok(text) => {
                let header_end = files.up.find("\n\n").map_or(files.up.len(), |i| i + 2);
                Some(format!("{}{text}", &files.up[..header_end]))
            }
            Err(mut unknown) => {
                problems.append(&mut unknown);
                None
            }
        });
    let down = templates
        .down
        .as_ref()
        .and_then(|down| match template::fill(down, &values) {
            Ok(text) => Some(text),
            Err(mut unknown) => {
                problems.append(&mut unknown);
                None
            }
        });
    if !problems.is_empty() {
        return Err(problems);
    }
    if let Some(up) = up {
        files.up = up;
    }
    if let Some(down) = down {
        files.down = down;
    }
    Ok(files)
}

fn id_and_header<'n>(
    draft: &Draft<'_>,
    existing: impl IntoIterator<Item = &'n Number>,
    created: &str,
) -> (String, String) {
    let number = file_name::next_number(existing);
    let id = file_name::format_id(&number, &file_name::slugify(draft.message));
    let parents: Vec<&str> = draft.parents.iter().map(String::as_str).collect();
    let header = header::render(&parents, Some(draft.message), created, draft.transactional);
    (id, header)
}

/// The files of a squash (`migrator squash`): a root that `Replaces` the
/// `members` (in order), whose up file is their up SQL in order and whose
/// down file is their down SQL in reverse order, each part under a comment
/// naming its revision, without their headers. It runs outside a
/// transaction when one of them does. Numbered after `existing`. Pure.
pub fn render_squash<'n>(
    message: &str,
    members: &[&Revision],
    placeholders: Option<bool>,
    existing: impl IntoIterator<Item = &'n Number>,
    created: &str,
) -> DraftFiles {
    let number = file_name::next_number(existing);
    let id = file_name::format_id(&number, &file_name::slugify(message));
    let ids: Vec<&str> = members.iter().map(|r| r.id.as_str()).collect();
    let transactional = members.iter().all(|r| r.transactional);
    let mut up = header::render_squash(&ids, Some(message), created, transactional, placeholders);
    for member in members {
        push_part(&mut up, member, header::body(&member.up.sql));
    }
    let mut down =
        format!("-- Undoes {id}: the down files of the revisions it replaces, newest first.\n");
    for member in members.iter().rev() {
        push_part(&mut down, member, &member.down.sql);
    }
    DraftFiles { id, up, down }
}

/// Appends one revision's SQL to a squash's file, under a comment naming
/// it, ended so that the next part cannot continue its last statement.
fn push_part(out: &mut String, revision: &Revision, sql: &str) {
    if sql.trim().is_empty() {
        return;
    }
    if !out.ends_with("\n\n") {
        out.push('\n');
    }
    let message = revision.message.as_deref().unwrap_or("");
    let title = if message.is_empty() {
        revision.id.clone()
    } else {
        format!("{}: {message}", revision.id)
    };
    out.push_str(&format!("-- {title}\n"));
    out.push_str(sql);
    if !sql.ends_with('\n') {
        out.push('\n');
    }
    let last = Lexer::new(sql, Dialect::Unknown)
        .filter(|token| !token.is_trivia())
        .last();
    if last.is_some_and(|token| !token.is_punct(';')) {
        out.push_str(";\n");
    }
}

/// Where a draft was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub id: String,
    pub up: PathBuf,
    pub down: PathBuf,
}

/// Renders `draft` (see [`render`]) and writes its pair into `dir`, created
/// when missing; never overwrites a file (see [`super::write_revision`]).
/// On failure, the error names the path of the revision that could not be
/// written.
pub fn create<'n>(
    dir: &Path,
    draft: &Draft<'_>,
    existing: impl IntoIterator<Item = &'n Number>,
    created: &str,
) -> Result<Written, (PathBuf, io::Error)> {
    let files = render(draft, existing, created);
    let (up, down) = super::write_revision(dir, &files.id, &files.up, &files.down)
        .map_err(|e| (dir.join(&files.id), e))?;
    Ok(Written {
        id: files.id,
        up,
        down,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CREATED: &str = "2026-11-21 10:15:00 UTC";

    fn numbers(digits: &[&str]) -> Vec<Number> {
        digits.iter().map(|d| Number::parse(d).unwrap()).collect()
    }

    #[test]
    fn renders_the_next_id_the_header_and_the_bodies() {
        const SQL: &str = "-- The SQL that applies this revision.\n";
        // (message, parents, transactional, merge), existing numbers, (id, up, down)
        type Case = (
            (&'static str, &'static [&'static str], bool, bool),
            &'static [&'static str],
            (&'static str, String, &'static str),
        );
        let cases: [Case; 4] = [
            (
                ("Create users", &[], true, false),
                &[],
                (
                    "0001_create_users",
                    format!(
                        "-- Parents:\n-- Message: Create users\n-- Created: {CREATED}\n\n{SQL}"
                    ),
                    "-- Undo what 0001_create_users.up.sql does. Leave it empty if there is nothing to undo.\n",
                ),
            ),
            (
                ("Add e-mail!", &["0004_create_orders"], false, false),
                &["0004", "0002"],
                (
                    "0005_add_e_mail",
                    format!(
                        "-- Parents: 0004_create_orders\n-- Message: Add e-mail!\n-- Created: {CREATED}\n\
                         -- Transaction: off\n\n{SQL}"
                    ),
                    "-- Undo what 0005_add_e_mail.up.sql does. Leave it empty if there is nothing to undo.\n",
                ),
            ),
            (
                ("merge heads", &["0004_a", "0004_b"], true, true),
                &["0004", "0004"],
                (
                    "0005_merge_heads",
                    format!(
                        "-- Parents: 0004_a, 0004_b\n-- Message: merge heads\n-- Created: {CREATED}\n\n"
                    ),
                    "",
                ),
            ),
            (
                ("next", &[], true, true),
                &["20260101120000"],
                (
                    "20260101120001_next",
                    format!("-- Parents:\n-- Message: next\n-- Created: {CREATED}\n\n"),
                    "",
                ),
            ),
        ];
        for ((message, parents, transactional, merge), existing, (id, up, down)) in cases {
            let parents: Vec<String> = parents.iter().map(|p| p.to_string()).collect();
            let draft = Draft {
                message,
                parents: &parents,
                transactional,
                merge,
            };
            let files = render(&draft, &numbers(existing), CREATED);
            assert_eq!(files.id, id);
            assert_eq!(files.up, up, "{id}");
            assert_eq!(files.down, down, "{id}");
        }
    }

    #[test]
    fn templates_fill_the_files() {
        use crate::source::template::Template;
        let template = |name: &str, text: &str| {
            Some(Template {
                path: PathBuf::from(format!("templates/{name}")),
                text: text.to_owned(),
            })
        };
        let parents = ["0001_users".to_owned()];
        let draft = Draft {
            message: "Add\nemail",
            parents: &parents,
            transactional: true,
            merge: false,
        };
        let existing = numbers(&["0001"]);
        // (up template, down template), (up, down)
        let cases = [
            (
                (None, None),
                (
                    format!("-- Parents: 0001_users\n-- Message: Add email\n-- Created: {CREATED}\n\n-- The SQL that applies this revision.\n"),
                    "-- Undo what 0002_add_email.up.sql does. Leave it empty if there is nothing to undo.\n".to_owned(),
                ),
            ),
            (
                (template("new.up.sql", "SET lock_timeout = '5s';\n-- {{id}}: {{message}}\n"), template("new.down.sql", "-- undo {{id}}\n")),
                (
                    format!("-- Parents: 0001_users\n-- Message: Add email\n-- Created: {CREATED}\n\nSET lock_timeout = '5s';\n-- 0002_add_email: Add email\n"),
                    "-- undo 0002_add_email\n".to_owned(),
                ),
            ),
            (
                (template("new.up.sql", "-- Parents: {{parents}}\n-- Message: {{message}}\n-- Ticket: none\n\n"), None),
                (
                    "-- Parents: 0001_users\n-- Message: Add email\n-- Ticket: none\n\n".to_owned(),
                    "-- Undo what 0002_add_email.up.sql does. Leave it empty if there is nothing to undo.\n".to_owned(),
                ),
            ),
        ];
        for ((up, down), (expected_up, expected_down)) in cases.clone().into_iter().take(2) {
            let files =
                render_templated(&draft, &existing, CREATED, &Templates { up, down }).unwrap();
            assert_eq!((files.up, files.down), (expected_up, expected_down));
        }
        // A header the template writes must read back: `Ticket` is no key.
        let ((up, down), _) = cases[2].clone();
        let problems =
            render_templated(&draft, &existing, CREATED, &Templates { up, down }).unwrap_err();
        assert_eq!(
            problems[0].to_string(),
            "templates/new.up.sql:3: unknown header key `Ticket`"
        );
        // A merge uses no template.
        let merge = Draft {
            merge: true,
            ..draft.clone()
        };
        let templates = Templates {
            up: template("new.up.sql", "{{nope}}"),
            down: None,
        };
        assert!(render_templated(&merge, &existing, CREATED, &templates).is_ok());
    }

    #[test]
    fn created_files_load_back_as_the_draft() {
        let dir = tempfile::tempdir().unwrap();
        let versions = dir.path().join("versions");
        let root = create(
            &versions,
            &Draft {
                message: "Create users",
                parents: &[],
                transactional: true,
                merge: false,
            },
            &[],
            CREATED,
        )
        .unwrap();
        assert_eq!(root.id, "0001_create_users");
        assert_eq!(root.up, versions.join("0001_create_users.up.sql"));
        let parents = [root.id.clone()];
        let child = create(
            &versions,
            &Draft {
                message: "Index users",
                parents: &parents,
                transactional: false,
                merge: false,
            },
            &numbers(&["0001"]),
            CREATED,
        )
        .unwrap();
        let revisions = crate::source::load(&versions).unwrap();
        let ids: Vec<&str> = revisions.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["0001_create_users", "0002_index_users"]);
        assert_eq!(revisions[1].parents, ["0001_create_users"]);
        assert_eq!(revisions[1].message.as_deref(), Some("Index users"));
        assert!(!revisions[1].transactional);
        assert_eq!(child.down, versions.join("0002_index_users.down.sql"));
    }

    #[test]
    fn an_existing_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("0001_a.down.sql"), "kept").unwrap();
        let draft = Draft {
            message: "a",
            parents: &[],
            transactional: true,
            merge: false,
        };
        let (path, error) = create(dir.path(), &draft, &[], CREATED).unwrap_err();
        assert_eq!(path, dir.path().join("0001_a"));
        assert_eq!(error.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("0001_a.down.sql")).unwrap(),
            "kept"
        );
        assert!(!dir.path().join("0001_a.up.sql").exists());
    }

    #[test]
    fn a_squash_joins_the_bodies_in_order_and_the_downs_in_reverse() {
        let revision = |id: &str, up: &str, down: &str, transactional: bool| {
            let mut revision = crate::graph::tests::revisions(id).remove(0);
            revision.up.sql = up.to_owned();
            revision.down.sql = down.to_owned();
            revision.message = (id == "0001_a").then(|| "Create a".to_owned());
            revision.transactional = transactional;
            revision
        };
        let a = revision(
            "0001_a",
            "-- Parents:\n-- Message: Create a\n\nCREATE TABLE a (id int);\n",
            "DROP TABLE a;\n",
            true,
        );
        // No `;` after the last statement, and no line end.
        let b = revision(
            "0002_b",
            "-- Parents: 0001_a\n\nALTER TABLE a ADD b int -- why\n",
            "ALTER TABLE a DROP b",
            true,
        );
        // A merge adds nothing.
        let m = revision("0003_m", "-- Parents: 0002_b\n", "", true);
        let files = render_squash("squash", &[&a, &b, &m], None, &numbers(&["0003"]), CREATED);
        assert_eq!(files.id, "0004_squash");
        assert_eq!(
            files.up,
            "-- Parents:\n-- Message: squash\n-- Created: 2026-11-21 10:15:00 UTC\n\
             -- Replaces: 0001_a, 0002_b, 0003_m\n\n\
             -- 0001_a: Create a\nCREATE TABLE a (id int);\n\n\
             -- 0002_b\nALTER TABLE a ADD b int -- why\n;\n"
        );
        assert_eq!(
            files.down,
            "-- Undoes 0004_squash: the down files of the revisions it replaces, newest first.\n\n\
             -- 0002_b\nALTER TABLE a DROP b\n;\n\n\
             -- 0001_a: Create a\nDROP TABLE a;\n"
        );
        let off = revision("0002_b", "-- Parents: 0001_a\n\nVACUUM;\n", "", false);
        let files = render_squash(
            "squash",
            &[&a, &off],
            Some(true),
            &numbers(&["0002"]),
            CREATED,
        );
        assert!(files.up.contains("-- Transaction: off\n"), "{}", files.up);
        assert!(files.up.contains("-- Placeholders: on\n"), "{}", files.up);
    }
}
