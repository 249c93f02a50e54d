//! goose: `VERSION_NAME.sql` with `-- +goose Up` and `-- +goose Down`
//! sections, `-- +goose StatementBegin` / `StatementEnd` around statements
//! with semicolons inside, `-- +goose NO TRANSACTION`; Go migrations
//! (`VERSION_NAME.go`) beside them.
//!
//! The annotations are read as goose v3 reads them: a comment line that
//! holds `+goose`, without white space before its `--`, the rest compared
//! without regard to case. They are left out of the revision: migrator's
//! header says what NO TRANSACTION said, and its splitter needs no
//! StatementBegin.

use super::migration::{Body, Migration, SourceFile, body_text, description};
use super::version::Version;
use crate::source::problem::Problem;

pub(super) fn read(files: &[SourceFile], problems: &mut Vec<Problem>) -> Vec<Migration> {
    let mut migrations = Vec::new();
    for file in files {
        let name = file.file_name();
        let (stem, go) = match (name.strip_suffix(".sql"), name.strip_suffix(".go")) {
            (Some(stem), _) => (stem, false),
            (_, Some(stem)) if !stem.ends_with("_test") => (stem, true),
            _ => continue,
        };
        let parsed = stem
            .split_once('_')
            .and_then(|(digits, rest)| Some((Version::parse(digits, false)?, rest)));
        let Some((version, rest)) = parsed else {
            // goose skips Go files without a version: helpers, main.go.
            if !go {
                problems.push(
                    Problem::new(&file.path, None, "is not a goose migration file name").with_hint(
                        "goose reads VERSION_NAME.sql (e.g. 00001_create_users.sql or \
                             20240105093000_create_users.sql); move other files out of the folder",
                    ),
                );
            }
            continue;
        };
        if go {
            problems.push(
                Problem::new(&file.path, None, "is a goose migration written in Go").with_hint(
                    "migrator runs SQL files only: rewrite it as a goose SQL migration \
                         (`-- +goose Up` ...) and import again, or run it with goose and \
                         remove it from the folder",
                ),
            );
            continue;
        }
        if version.is_zero() {
            problems.push(
                Problem::new(&file.path, None, "has version 0")
                    .with_hint("goose numbers migrations from 1; rename the file"),
            );
            continue;
        }
        if let Some(migration) = sections(file, version, description(rest), problems) {
            migrations.push(migration);
        }
    }
    migrations
}

/// Where the parser is in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before `-- +goose Up`: comments and blank lines only.
    Start,
    Up,
    Down,
}

fn sections(
    file: &SourceFile,
    version: Version,
    description: String,
    problems: &mut Vec<Problem>,
) -> Option<Migration> {
    let before = problems.len();
    let problem = |line: usize, message: String, hint: &str| {
        Problem::new(&file.path, Some(line), message).with_hint(hint.to_owned())
    };
    let mut state = State::Start;
    // The line of the open StatementBegin.
    let mut statement: Option<usize> = None;
    let mut no_transaction = None;
    let (mut up, mut down): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    for (index, line) in file.text.lines().enumerate() {
        let number = index + 1;
        let Some(annotation) = annotation(line) else {
            match state {
                State::Start if !is_comment_or_blank(line) => problems.push(problem(
                    number,
                    "SQL before `-- +goose Up`".into(),
                    "goose refuses it too: put it under `-- +goose Up`",
                )),
                // Comments above the Up section are the migration's own.
                State::Start | State::Up => up.push(line),
                State::Down => down.push(line),
            }
            continue;
        };
        let annotation = match annotation {
            Ok(annotation) => annotation,
            Err(message) => {
                problems.push(problem(
                    number,
                    message,
                    "goose reads `-- +goose Up`, `Down`, `StatementBegin`, `StatementEnd`, \
                     `NO TRANSACTION`, `ENVSUB ON` and `ENVSUB OFF`, at the start of a line",
                ));
                continue;
            }
        };
        match (annotation, state, statement) {
            (Annotation::Up, State::Start, _) => state = State::Up,
            (Annotation::Up, ..) => problems.push(problem(
                number,
                "a second `-- +goose Up`".into(),
                "a goose migration has one Up section",
            )),
            (Annotation::Down, State::Up, None) => state = State::Down,
            (Annotation::Down, State::Start, _) => problems.push(problem(
                number,
                "`-- +goose Down` before `-- +goose Up`".into(),
                "the Up section comes first",
            )),
            (Annotation::Down, State::Down, _) => problems.push(problem(
                number,
                "a second `-- +goose Down`".into(),
                "a goose migration has one Down section",
            )),
            (Annotation::Down, State::Up, Some(begin)) => problems.push(problem(
                number,
                format!("`-- +goose Down` inside the StatementBegin of line {begin}"),
                "end the statement with `-- +goose StatementEnd` first",
            )),
            (Annotation::StatementBegin, State::Up | State::Down, None) => statement = Some(number),
            (Annotation::StatementBegin, State::Start, _) => problems.push(problem(
                number,
                "`-- +goose StatementBegin` before `-- +goose Up`".into(),
                "put it inside the Up or Down section",
            )),
            (Annotation::StatementBegin, _, Some(begin)) => problems.push(problem(
                number,
                format!("`-- +goose StatementBegin` inside the one of line {begin}"),
                "end the first statement with `-- +goose StatementEnd`",
            )),
            (Annotation::StatementEnd, _, Some(_)) => statement = None,
            (Annotation::StatementEnd, _, None) => problems.push(problem(
                number,
                "`-- +goose StatementEnd` without a StatementBegin".into(),
                "pair it with a `-- +goose StatementBegin` above the statement",
            )),
            (Annotation::NoTransaction, ..) => {
                no_transaction = Some(format!("{} says `-- +goose NO TRANSACTION`", file.name));
            }
            (Annotation::EnvsubOn, ..) => problems.push(problem(
                number,
                "`-- +goose ENVSUB ON`: goose substitutes environment variables in the SQL \
                 after it"
                    .into(),
                "migrator runs SQL as written: write the values into the file and remove \
                 the annotation, then import again",
            )),
            (Annotation::EnvsubOff, ..) => {}
        }
    }
    if let Some(begin) = statement {
        problems.push(problem(
            begin,
            "`-- +goose StatementBegin` without its StatementEnd".into(),
            "end the statement with `-- +goose StatementEnd`",
        ));
    }
    if state == State::Start && problems.len() == before {
        problems.push(
            Problem::new(&file.path, None, "has no `-- +goose Up` annotation")
                .with_hint("goose refuses it too: a migration starts with `-- +goose Up`"),
        );
    }
    if problems.len() > before {
        return None;
    }
    let section = |sql: String, name| Body {
        file: file.name.clone(),
        section: Some(name),
        sql,
    };
    Some(Migration {
        version,
        description,
        up: section(body_text(up), "Up"),
        down: (state == State::Down).then(|| section(body_text(down), "Down")),
        no_transaction,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Annotation {
    Up,
    Down,
    StatementBegin,
    StatementEnd,
    NoTransaction,
    EnvsubOn,
    EnvsubOff,
}

const ANNOTATIONS: [(&str, Annotation); 7] = [
    ("Up", Annotation::Up),
    ("Down", Annotation::Down),
    ("StatementBegin", Annotation::StatementBegin),
    ("StatementEnd", Annotation::StatementEnd),
    ("NO TRANSACTION", Annotation::NoTransaction),
    ("ENVSUB ON", Annotation::EnvsubOn),
    ("ENVSUB OFF", Annotation::EnvsubOff),
];

/// `None` for a line goose does not read as an annotation; the annotation
/// or why goose refuses it otherwise.
fn annotation(line: &str) -> Option<Result<Annotation, String>> {
    if !(line.trim_start().starts_with("--") && line.contains("+goose")) {
        return None;
    }
    if line.starts_with([' ', '\t']) {
        return Some(Err("white space before a goose annotation".into()));
    }
    let command = line.replace("--", "").replacen("+goose", "", 1);
    if command.contains("+goose") {
        return Some(Err("two goose annotations on one line".into()));
    }
    let command = command.trim();
    Some(
        ANNOTATIONS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(command))
            .map(|&(_, annotation)| annotation)
            .ok_or_else(|| format!("unknown goose annotation `+goose {command}`")),
    )
}

fn is_comment_or_blank(line: &str) -> bool {
    let line = line.trim();
    line.is_empty() || line.starts_with("--")
}
