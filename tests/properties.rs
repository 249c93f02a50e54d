//! Property tests (the fuzzing half of the torture tests): the file-name
//! parser, the header parser and the SQL splitter on random and
//! near-valid input, and whole versions folders of such files read by
//! `Project::load` and by `migrator verify`. Whatever the input: no panic,
//! no hang, and every rejection is a folder problem naming the file (and,
//! for what is wrong inside a file, its line), which `verify` prints as
//! `file:line` and as a GitHub annotation.
//!
//! Budget: `TORTURE_FUZZ_CASES` cases per property (default 256, what the
//! normal suite runs; `scripts/torture` runs many more). Seed:
//! `TORTURE_SEED` replays a run (the seed is printed on stderr).

mod torture_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use migrator::Error;
use migrator::source::file_name::{self, Direction};
use migrator::source::header;
use migrator::sql::lexer::{self, Dialect};
use migrator::sql::split::{self, Statement};
use migrator::sql::text::{line_col, skip_trivia};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};

use torture_support::{budget, report, seed_for, within};

/// Longer than any parse of these inputs takes, even on a loaded machine
/// in a debug build; short enough that a hang fails quickly.
const HANG: Duration = Duration::from_secs(10);

/// Runs one property for the budget's number of cases from a seed derived
/// from the test's name, and reports how many cases ran.
fn check<S: Strategy>(
    name: &str,
    cases_divisor: usize,
    strategy: S,
    property: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let cases = (budget("TORTURE_FUZZ_CASES", 256) / cases_divisor).max(1);
    let config = Config {
        cases: u32::try_from(cases).unwrap(),
        rng_seed: RngSeed::Fixed(seed_for(name)),
        // The seed reproduces a failure; no files written into tests/.
        failure_persistence: None,
        ..Config::default()
    };
    let ran = AtomicUsize::new(0);
    let mut runner = TestRunner::new(config);
    let result = runner.run(&strategy, |value| {
        ran.fetch_add(1, Ordering::Relaxed);
        property(value)
    });
    report(&format!("fuzz {name} {}", ran.load(Ordering::Relaxed)));
    match result {
        Ok(()) => {}
        Err(TestError::Fail(why, value)) => panic!(
            "{name}: {why}\nminimal failing input: {value:#?}\nreplay with TORTURE_SEED={}",
            torture_support::seed()
        ),
        Err(TestError::Abort(why)) => panic!("{name}: aborted: {why}"),
    }
}

/// Runs `work` under the hang watchdog; a panic inside it becomes a test
/// failure proptest can shrink.
fn guarded<T: Send + 'static>(
    what: String,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, TestCaseError> {
    let shown = what.clone();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        within(HANG, move || shown, work)
    }))
    .map_err(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("a panic");
        TestCaseError::fail(format!("panicked on {what}: {message}"))
    })
}

// ---------------------------------------------------------------------
// Strategies: random text, and text near the valid forms, where parsers
// have their corner cases.

/// Any string, weighted towards the characters the parsers look at.
fn text_from(pieces: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(pieces).prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
        1 => "[ -~]{0,6}",
    ];
    proptest::collection::vec(piece, 0..max).prop_map(|parts| parts.concat())
}

const NAME_PIECES: &[&str] = &[
    "0",
    "1",
    "9",
    "0001",
    "00001",
    "12345678901234567890123",
    "_",
    "__",
    "a",
    "z",
    "A",
    "é",
    "-",
    ".",
    ".up",
    ".down",
    ".sql",
    ".SQL",
    ".Up",
    ".up.sql",
    ".down.sql",
    " ",
    "\u{feff}",
    "create_users",
    "\u{301}",
    ",",
    ":",
    "%",
    "\n",
    "\t",
];

/// Names made of the pieces a revision file name has.
fn near_file_name() -> impl Strategy<Value = String> {
    prop_oneof![
        text_from(NAME_PIECES, 8),
        (
            "[0-9]{0,6}",
            "[a-zA-Z0-9_é -]{0,12}",
            proptest::sample::select(
                &[".up.sql", ".down.sql", ".UP.SQL", ".up.sq", ".sql", ""][..]
            ),
        )
            .prop_map(|(number, slug, suffix)| format!("{number}_{slug}{suffix}")),
    ]
}

const HEADER_PIECES: &[&str] = &[
    "-- ",
    "--",
    "Parents",
    "parents",
    "PARENTS",
    "Parent",
    "Message",
    "Created",
    "Transaction",
    "Revises",
    "Author",
    ":",
    ": ",
    ",",
    ", ",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "on",
    "off",
    "OFF",
    "maybe",
    "0001_a",
    "0002_b",
    "0004_x",
    "0005_add_email",
    "0004_A",
    "0004",
    "select 1;",
    "/*",
    "*/",
    "é",
    "\u{feff}",
    "\u{0}",
];

/// A header line or something close to one.
fn header_line() -> impl Strategy<Value = String> {
    let key = proptest::sample::select(
        &[
            "Parents",
            "parents",
            "PARENTS",
            "Parent",
            "Message",
            "Created",
            "Transaction",
            "transaction",
            "Revises",
            "Author",
            "Mesage",
            "tx",
            "",
            "Parents-x",
            "a_b",
        ][..],
    );
    let value = prop_oneof![
        proptest::sample::select(
            &[
                "",
                "0001_a",
                "0001_a, 0002_b",
                "0001_a,,0002_b",
                "0001_a 0002_b",
                "0005_add_email",
                "0004_A",
                "0004",
                "0001_a, 0001_a",
                "on",
                "off",
                "OFF",
                "maybe",
                "x: y",
            ][..]
        )
        .prop_map(str::to_owned),
        text_from(HEADER_PIECES, 4),
    ];
    let dashes = proptest::sample::select(&["-- ", "--", "  -- ", "- ", "---", "# "][..]);
    let colon = proptest::sample::select(&[": ", ":", " : ", " ", ""][..]);
    prop_oneof![
        6 => (dashes, key, colon, value).prop_map(|(d, k, c, v)| format!("{d}{k}{c}{v}")),
        1 => Just(String::new()),
        1 => Just("select 1;".to_owned()),
        1 => text_from(HEADER_PIECES, 6),
    ]
}

/// The text of an up file: near-valid header lines, then maybe SQL.
fn near_header() -> impl Strategy<Value = String> {
    let ending = proptest::sample::select(&["\n", "\r\n", "\n\n", "\r"][..]);
    (
        any::<bool>(),
        proptest::collection::vec((header_line(), ending), 0..7),
        text_from(SQL_PIECES, 6),
    )
        .prop_map(|(bom, lines, sql)| {
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            for (line, ending) in lines {
                text.push_str(&line);
                text.push_str(ending);
            }
            text.push_str(&sql);
            text
        })
}

const SQL_PIECES: &[&str] = &[
    ";",
    ";",
    " ",
    "\n",
    "\t",
    "select 1",
    "x",
    "'",
    "''",
    "\"",
    "E'",
    "e'",
    "\\",
    "\\'",
    "$$",
    "$",
    "$1",
    "$fn$",
    "$a$",
    "a$b$",
    "--",
    "-",
    "/*",
    "*/",
    "/",
    "*",
    "(",
    ")",
    "begin",
    "BEGIN",
    "end",
    "END",
    "atomic",
    "case",
    "create",
    "CREATE",
    "or",
    "replace",
    "function",
    "procedure",
    "create function f() ",
    "create or replace procedure p() begin atomic ",
    "é",
    "\u{feff}",
    "\r\n",
    "\u{0}",
    "🦀",
];

/// Statements, quotes, comments and bodies in any order.
fn sql_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => text_from(SQL_PIECES, 24),
        1 => any::<String>(),
    ]
}

// ---------------------------------------------------------------------
// File names.

#[test]
fn file_names_parse_or_say_why() {
    check("file_names", 1, near_file_name(), |name| {
        let shown = format!("{name:?}");
        let moved = name.clone();
        let (is_sql, parsed) = guarded(shown, move || {
            (file_name::is_sql(&moved), file_name::parse(&moved))
        })?;
        match parsed {
            Ok(parsed) => {
                prop_assert!(is_sql);
                let suffix = parsed.direction.suffix();
                prop_assert_eq!(format!("{}{suffix}", parsed.id), name.clone());
                prop_assert_eq!(file_name::parse_id(&parsed.id), Some(parsed.number));
                let (digits, slug) = parsed.id.split_once('_').unwrap();
                prop_assert!(digits.len() >= 4 && digits.bytes().all(|b| b.is_ascii_digit()));
                prop_assert!(
                    !slug.is_empty()
                        && slug
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                );
            }
            Err(bad) => {
                prop_assert!(bad.message.contains(&format!("`{name}`")), "{:?}", bad);
                prop_assert!(!bad.hint.is_empty());
                // A suggested name is itself well formed.
                if let Some(rest) = bad.hint.strip_prefix("rename it to `") {
                    let better = &rest[..rest.find('`').unwrap()];
                    prop_assert!(file_name::parse(better).is_ok(), "{:?}", bad);
                }
            }
        }
        Ok(())
    });
}

#[test]
fn well_formed_names_read_back() {
    // Numbers of any length: 20-digit timestamps and longer are common.
    let strategy = ("[0-9]{1,30}", "[a-z0-9_]{1,40}", any::<bool>());
    check("well_formed_names", 1, strategy, |(digits, slug, up)| {
        let number = file_name::Number::parse(&digits).expect("digits make a number");
        let id = file_name::format_id(&number, &slug);
        let direction = if up { Direction::Up } else { Direction::Down };
        let parsed = file_name::parse(&format!("{id}{}", direction.suffix()))
            .map_err(|bad| TestCaseError::fail(format!("{id}: {bad:?}")))?;
        prop_assert_eq!(parsed.id, id);
        prop_assert_eq!(parsed.number, number);
        prop_assert_eq!(parsed.direction, direction);
        Ok(())
    });
}

#[test]
fn slugs_make_well_formed_ids() {
    check("slugify", 1, text_from(NAME_PIECES, 30), |message| {
        let slug = file_name::slugify(&message);
        prop_assert!(slug.len() <= file_name::MAX_SLUG_LEN, "{:?}", slug);
        prop_assert!(!slug.starts_with('_') && !slug.ends_with('_'), "{:?}", slug);
        let seven = file_name::Number::parse("7").expect("a number");
        prop_assert!(file_name::parse_id(&file_name::format_id(&seven, &slug)) == Some(seven));
        Ok(())
    });
}

// ---------------------------------------------------------------------
// Headers.

const ID: &str = "0005_add_email";

fn lines_of(text: &str) -> usize {
    text.matches('\n').count() + 1
}

#[test]
fn headers_parse_or_name_their_lines() {
    check("headers", 1, near_header(), |text| {
        let shown = format!("{text:?}");
        let moved = text.clone();
        let parsed = guarded(shown, move || {
            header::parse(Path::new("v/0005_add_email.up.sql"), ID, &moved)
        })?;
        match parsed {
            Ok(h) => {
                for parent in &h.parents {
                    prop_assert!(file_name::parse_id(parent).is_some(), "{:?}", h);
                    prop_assert!(parent != ID);
                }
                let unique: BTreeSet<&String> = h.parents.iter().collect();
                prop_assert_eq!(unique.len(), h.parents.len());
                prop_assert!(h.parents_line >= 1 && h.parents_line <= lines_of(&text));
            }
            Err(problems) => {
                prop_assert!(!problems.is_empty());
                for p in &problems {
                    prop_assert_eq!(&p.path, Path::new("v/0005_add_email.up.sql"));
                    let line = p.line.ok_or_else(|| {
                        TestCaseError::fail(format!("a header problem without a line: {p:?}"))
                    })?;
                    prop_assert!(line >= 1 && line <= lines_of(&text), "{:?}", p);
                    prop_assert!(!p.message.is_empty());
                }
                let lines: Vec<usize> = problems.iter().filter_map(|p| p.line).collect();
                prop_assert!(
                    lines.windows(2).all(|w| w[0] <= w[1]),
                    "unsorted: {:?}",
                    problems
                );
            }
        }
        Ok(())
    });
}

#[test]
fn rendered_headers_read_back() {
    let parent = "[0-9]{4}_[a-z0-9_]{1,8}";
    let strategy = (
        proptest::collection::btree_set(parent, 0..4),
        proptest::option::of(any::<String>()),
        any::<String>(),
        any::<bool>(),
    );
    check(
        "rendered_headers",
        1,
        strategy,
        |(parents, message, created, transactional)| {
            let parents: Vec<&str> = parents
                .iter()
                .map(String::as_str)
                .filter(|p| *p != ID)
                .collect();
            let text = header::render(&parents, message.as_deref(), &created, transactional);
            let parsed = header::parse(Path::new("x.up.sql"), ID, &format!("{text}select 1;\n"))
                .map_err(|problems| TestCaseError::fail(format!("{text:?}: {problems:?}")))?;
            prop_assert_eq!(parsed.parents, parents);
            prop_assert_eq!(parsed.transactional, transactional);
            let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
            let expected_message = message.as_deref().map(one_line).filter(|m| !m.is_empty());
            prop_assert_eq!(parsed.message, expected_message);
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------
// The SQL splitter.

/// White space as the server sees it: `[ \t\n\r\f\v]`.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}' | '\u{b}')
}

/// Skips what the server ignores between statements: white space, `;`,
/// `--` and (nested) `/* */` comments, the last one possibly left open.
/// Returns the first byte that is none of those.
fn trivia_end(gap: &str) -> usize {
    let bytes = gap.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if is_space(char::from(bytes[i])) || bytes[i] == b';' {
            i += 1;
        } else if bytes[i..].starts_with(b"--") {
            i = gap[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
        } else if bytes[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < bytes.len() {
                if bytes[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if bytes[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else {
            return i;
        }
    }
    bytes.len()
}

fn split_properties(sql: &str, statements: &[Statement<'_>]) -> Result<(), TestCaseError> {
    let mut covered = 0;
    for s in statements {
        // In bounds, in order, not overlapping.
        prop_assert!(
            s.offset >= covered,
            "overlap at {}: {:?}",
            s.offset,
            statements
        );
        prop_assert!(s.offset + s.text.len() <= sql.len());
        // The text is the script's own bytes at its offset.
        prop_assert_eq!(sql.get(s.offset..s.offset + s.text.len()), Some(s.text));
        // From its first token to its last.
        prop_assert!(!s.text.is_empty());
        prop_assert!(!s.text.starts_with(is_space), "{:?}", s);
        prop_assert!(!s.text.ends_with(is_space), "{:?}", s);
        prop_assert!(
            !s.text.starts_with("--") && !s.text.starts_with("/*"),
            "{:?}",
            s
        );
        // Nothing but trivia between statements: no text is lost.
        let gap = &sql[covered..s.offset];
        prop_assert_eq!(
            trivia_end(gap),
            gap.len(),
            "text lost before {:?}: {:?}",
            s,
            gap
        );
        // An error in the statement points at its first token.
        prop_assert_eq!(skip_trivia(sql, s.offset, Dialect::Postgres), s.offset);
        covered = s.offset + s.text.len();
    }
    let tail = &sql[covered..];
    prop_assert_eq!(
        trivia_end(tail),
        tail.len(),
        "text lost at the end: {:?}",
        tail
    );
    Ok(())
}

#[test]
fn the_splitter_keeps_every_statement_in_place() {
    check("split", 1, sql_text(), |sql| {
        let shown = format!("{sql:?}");
        let moved = sql.clone();
        let (owned, open) = guarded(shown, move || {
            let statements: Vec<(usize, String)> = split::split(&moved, Dialect::Postgres)
                .iter()
                .map(|s| (s.offset, s.text.to_owned()))
                .collect();
            (statements, lexer::unterminated(&moved, Dialect::Postgres))
        })?;
        let statements: Vec<Statement<'_>> = owned
            .iter()
            .map(|(offset, text)| Statement {
                offset: *offset,
                text: text.as_str(),
            })
            .collect();
        split_properties(&sql, &statements)?;
        if let Some(open) = open {
            prop_assert!(open.offset < sql.len(), "{:?}", open);
            let opener = &sql.as_bytes()[open.offset..];
            prop_assert!(
                [
                    &b"'"[..],
                    b"\"",
                    b"$",
                    b"/*",
                    b"E'",
                    b"e'",
                    b"X'",
                    b"x'",
                    b"B'",
                    b"b'",
                    b"N'",
                    b"n'",
                    b"U&",
                    b"u&"
                ]
                .iter()
                .any(|o| opener.starts_with(o)),
                "{:?} at {:?}",
                open,
                &sql[open.offset..]
            );
            // The open quote or comment runs to the end, in the last
            // statement or in the trailing trivia.
            if let Some(last) = statements.last() {
                prop_assert!(
                    open.offset >= last.offset,
                    "{:?} opens before the last statement {:?}",
                    open,
                    last
                );
            }
        }
        // A `;` ended every statement but the last where nothing was open,
        // so each of them, alone, splits back into itself. The last one may
        // still be open (an unbalanced parenthesis or `BEGIN` swallows the
        // semicolons after it, as in psql).
        let alone = |text: &str| -> bool {
            let again = format!("{text};\n");
            let pieces: Vec<&str> = split::split(&again, Dialect::Postgres)
                .iter()
                .map(|s| s.text)
                .collect();
            pieces == [text]
        };
        if let Some((last, others)) = statements.split_last() {
            for s in others {
                prop_assert!(alone(s.text), "{:?} does not split alone into itself", s);
            }
            // The splitter keeps nothing from one statement to the next:
            // joining closed statements gives them back, one for one.
            if open.is_none() && alone(last.text) {
                let joined: String = statements
                    .iter()
                    .map(|s| format!("{};\n", s.text))
                    .collect();
                let again: Vec<&str> = split::split(&joined, Dialect::Postgres)
                    .iter()
                    .map(|s| s.text)
                    .collect();
                let texts: Vec<&str> = statements.iter().map(|s| s.text).collect();
                prop_assert_eq!(again, texts, "joined: {:?}", joined);
            }
        }
        Ok(())
    });
}

#[test]
fn positions_are_found_for_every_offset() {
    check("positions", 1, (sql_text(), any::<usize>()), |(sql, at)| {
        let offset = at % (sql.len() + 1);
        let (line, column) = line_col(&sql, offset);
        prop_assert!(line >= 1 && line <= lines_of(&sql));
        prop_assert!(column >= 1);
        if sql.is_char_boundary(offset) {
            let next = skip_trivia(&sql, offset, Dialect::Postgres);
            prop_assert!(next >= offset && next <= sql.len());
            prop_assert!(sql.is_char_boundary(next));
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------
// Whole folders.

/// One file of a generated folder: its name and bytes.
#[derive(Debug, Clone)]
struct FileSpec {
    subfolder: bool,
    name: String,
    bytes: Vec<u8>,
}

fn file_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => near_header().prop_map(String::into_bytes),
        1 => proptest::collection::vec(any::<u8>(), 0..64),
        1 => Just(b"-- Parents:\n\nselect 1;\n".to_vec()),
        1 => Just(b"-- Parents: 0001_a\n\nselect 1;\n".to_vec()),
        1 => near_header().prop_map(|text| {
            // Valid up to a bad byte somewhere.
            let mut bytes = text.into_bytes();
            let at = bytes.len() / 2;
            bytes.insert(at, 0xff);
            bytes
        }),
    ]
}

fn file_spec() -> impl Strategy<Value = FileSpec> {
    let id = proptest::sample::select(&["0001_a", "0002_b", "0004_x", "0005_add_email"][..]);
    let suffix = proptest::sample::select(&[".up.sql", ".down.sql"][..]);
    let name = prop_oneof![
        4 => (id, suffix).prop_map(|(id, suffix)| format!("{id}{suffix}")),
        2 => near_file_name(),
    ]
    // What a file system refuses is not a name a folder can hold.
    .prop_filter("a file name", |name| {
        !name.is_empty()
            && name != "."
            && name != ".."
            && name.len() <= 200
            && !name.contains(['/', '\0'])
    });
    (proptest::bool::weighted(0.1), name, file_bytes()).prop_map(|(subfolder, name, bytes)| {
        FileSpec {
            subfolder,
            name,
            bytes,
        }
    })
}

/// The problems a folder may report without a line: they are about a
/// file's name or its place, not its contents.
const WHOLE_FILE_PROBLEMS: &[&str] = &[
    "is not a revision file name",
    "up file without its down file",
    "down file without its up file",
    "is used more than once",
    "is defined twice",
];

/// Writes the files into `versions/` of a new temporary folder. Returns
/// the folder (removed when dropped), `versions/`, and each file written
/// with its number of lines (a name the file system refused is skipped).
fn write_folder(files: &[FileSpec]) -> (tempfile::TempDir, PathBuf, Vec<(PathBuf, usize)>) {
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path().join("versions");
    std::fs::create_dir(&dir).unwrap();
    let mut written: Vec<(PathBuf, usize)> = Vec::new();
    for file in files {
        let parent = if file.subfolder {
            dir.join("sub")
        } else {
            dir.clone()
        };
        std::fs::create_dir_all(&parent).unwrap();
        let path = parent.join(&file.name);
        if std::fs::write(&path, &file.bytes).is_ok() {
            let lines = file.bytes.iter().filter(|&&b| b == b'\n').count() + 1;
            written.retain(|(p, _)| *p != path);
            written.push((path, lines));
        }
    }
    (folder, dir, written)
}

#[test]
fn folders_load_or_report_problems_with_file_and_line() {
    let strategy = proptest::collection::vec(file_spec(), 1..6);
    // Each case writes files: a quarter of the cases of the pure properties.
    check("folders", 4, strategy, |files| {
        let (_folder, dir, written) = write_folder(&files);
        let moved = dir.clone();
        let loaded = guarded(format!("{files:#?}"), move || {
            migrator::Project::load(&moved).map(|project| project.graph.len())
        })?;
        match loaded {
            Ok(_) => {}
            Err(Error::Folder { dir: at, problems }) => {
                prop_assert_eq!(&at, &dir);
                prop_assert!(!problems.is_empty());
                for problem in &problems {
                    // Display must work for every problem (the CLI prints it).
                    let shown = problem.to_string();
                    let lines = written
                        .iter()
                        .find(|(path, _)| *path == problem.path)
                        .map(|(_, lines)| *lines)
                        .ok_or_else(|| {
                            TestCaseError::fail(format!("not a written file: {shown}"))
                        })?;
                    match problem.line {
                        Some(line) => prop_assert!(
                            line >= 1 && line <= lines,
                            "line {} of {} lines: {}",
                            line,
                            lines,
                            shown
                        ),
                        None => prop_assert!(
                            WHOLE_FILE_PROBLEMS
                                .iter()
                                .any(|m| problem.message.contains(m)),
                            "a problem with the file's contents and no line: {}",
                            shown
                        ),
                    }
                }
            }
            Err(other) => {
                return Err(TestCaseError::fail(format!(
                    "not a folder problem: {other:?}"
                )));
            }
        }
        Ok(())
    });
}

/// GitHub's escaping of an annotation property (see src/cli/github.rs).
fn github_property(text: &str) -> String {
    let escaped = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace(':', "%3A")
        .replace(',', "%2C");
    escape_controls(&escaped)
}

#[test]
fn verify_reports_every_folder_problem_with_file_and_line() {
    let strategy = proptest::collection::vec(file_spec(), 1..6);
    // Two processes per case.
    check("verify_cli", 32, strategy, |files| {
        let (folder, dir, _) = write_folder(&files);
        let verify = |format: &str| {
            std::process::Command::new(env!("CARGO_BIN_EXE_migrator"))
                .args(["verify", "--format", format])
                .current_dir(folder.path())
                .env("NO_COLOR", "1")
                .env_remove("DATABASE_URL")
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap()
        };
        let text = verify("text");
        let github = verify("github");
        // The findings go to stdout; an error that stops it, to stderr.
        let said = String::from_utf8_lossy(&text.stdout).into_owned()
            + &String::from_utf8_lossy(&text.stderr);
        let annotations = String::from_utf8_lossy(&github.stdout).into_owned()
            + &String::from_utf8_lossy(&github.stderr);
        // 0: a good folder with one head; 1: problems (or several heads).
        // Never a panic (101) or a usage error (2).
        prop_assert!(matches!(text.status.code(), Some(0 | 1)), "{:?}", text);
        prop_assert_eq!(text.status.code(), github.status.code());
        let Err(Error::Folder { problems, .. }) = migrator::Project::load(&dir) else {
            return Ok(());
        };
        prop_assert_eq!(text.status.code(), Some(1));
        for problem in problems {
            // As the binary names it: relative to its working directory.
            let relative = problem.path.strip_prefix(folder.path()).unwrap().to_owned();
            // Messages that name other files name them the same way.
            let message = problem
                .message
                .replace(&format!("{}/", folder.path().display()), "");
            let shown = migrator::source::problem::Problem {
                path: relative.clone(),
                message,
                ..problem.clone()
            }
            .to_string();
            // Text output writes control characters as `\u{…}`, so that a
            // file's name cannot drive the terminal.
            let shown = escape_controls(&shown);
            prop_assert!(
                said.contains(&shown),
                "`verify` does not say {:?}:\n{}",
                shown,
                said
            );
            let file = format!("file={}", github_property(&relative.display().to_string()));
            let expected = match problem.line {
                Some(line) => format!("{file},line={line},"),
                None => format!("{file},title="),
            };
            prop_assert!(
                annotations.contains(&expected),
                "`verify --format github` has no {:?}:\n{}",
                expected,
                annotations
            );
        }
        Ok(())
    });
}

/// A line as the binary's text output shows it: control characters but tab
/// written as `\u{…}` (the escaping of src/cli/render).
fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\t' {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}
