//! Tests of [`load`] and [`write_revision`] on temporary folders, and of
//! [`read_files`] against [`read_all`] on the same files.

use super::*;

/// A temporary versions folder.
struct Folder(tempfile::TempDir);

impl Folder {
    fn new() -> Self {
        Folder(tempfile::tempdir().unwrap())
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn file(&self, rel: &str, bytes: impl AsRef<[u8]>) -> &Self {
        let path = self.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
        self
    }

    /// A well-formed revision with `parents`.
    fn revision(&self, rel_id: &str, parents: &str) -> &Self {
        self.file(
            &format!("{rel_id}.up.sql"),
            format!("-- Parents: {parents}\n\nselect 1;\n"),
        )
        .file(&format!("{rel_id}.down.sql"), "")
    }

    fn load(&self) -> Result<Vec<Revision>, Vec<Problem>> {
        load(self.path())
    }

    /// `(path relative to the folder, line, message, hint)` of each problem.
    fn problems(&self) -> Vec<(String, Option<usize>, String, String)> {
        let problems = self.load().expect_err("the folder has problems");
        problems
            .into_iter()
            .map(|p| {
                let rel = p.path.strip_prefix(self.path()).unwrap_or(&p.path);
                let rel = rel.to_string_lossy().into_owned();
                (rel, p.line, p.message, p.hint.unwrap_or_default())
            })
            .collect()
    }
}

fn ids(revisions: &[Revision]) -> Vec<&str> {
    revisions.iter().map(|r| r.id.as_str()).collect()
}

#[test]
fn a_good_folder_gives_its_revisions_by_number_then_id() {
    let folder = Folder::new();
    folder
        .revision("0001_create_users", "")
        .revision("sub/0002_b", "0001_create_users")
        .revision("0002_a", "0001_create_users")
        .revision("10000_late", "0002_a, 0002_b")
        .revision("9999_y", "0002_a")
        .file("README.md", "not sql")
        .file("0001_create_users.up.sql~", "editor backup")
        .file(
            "0003_crlf.up.sql",
            "\u{feff}-- Parents: 0002_a\r\n-- Message: With CRLF\r\n-- Created: today\r\n-- Transaction: off\r\n\r\ncreate index i on t (c);\r\n",
        )
        .file("0003_crlf.down.sql", "drop index i;\r\n");

    let revisions = folder.load().unwrap();
    assert_eq!(
        ids(&revisions),
        [
            "0001_create_users",
            "0002_a",
            "0002_b",
            "0003_crlf",
            "9999_y",
            "10000_late"
        ]
    );
    let merge = &revisions[5];
    assert_eq!(merge.number.as_str(), "10000");
    assert_eq!(merge.parents, ["0002_a", "0002_b"]);
    assert!(merge.is_merge());
    assert_eq!(
        revisions[2].up.path,
        folder.path().join("sub/0002_b.up.sql")
    );

    let crlf = &revisions[3];
    assert_eq!(crlf.parents, ["0002_a"]);
    assert_eq!(crlf.parents_line, 1);
    assert_eq!(crlf.message.as_deref(), Some("With CRLF"));
    assert_eq!(crlf.created.as_deref(), Some("today"));
    assert!(!crlf.transactional);
    let up_lf = "-- Parents: 0002_a\n-- Message: With CRLF\n-- Created: today\n-- Transaction: off\n\ncreate index i on t (c);\n";
    assert_eq!(crlf.up.sql, up_lf);
    assert_eq!(crlf.up.checksum, checksum::of_normalized(up_lf.as_bytes()));
    assert_eq!(crlf.down.sql, "drop index i;\n");
    assert_eq!(
        crlf.down.checksum,
        checksum::of_file_bytes(b"drop index i;\n")
    );
}

#[test]
fn every_problem_of_the_folder_is_reported_in_one_run() {
    let folder = Folder::new();
    folder
        .revision("0001_base", "")
        .file("0002_Add_Email.up.sql", "-- Parents: 0001_base\n")
        .file("0003_no_down.up.sql", "-- Parents: 0001_base\n")
        .file("0004_no_up.down.sql", "")
        .revision("a/0005_twice", "0001_base")
        .revision("b/0005_twice", "0001_base")
        .file(
            "0006_bad_header.up.sql",
            "-- Message: x\n-- Parent: 0001_base\n",
        )
        .file("0006_bad_header.down.sql", "")
        .file(
            "0007_latin1.up.sql",
            "-- Parents: 0001_base\n\nselect 'caf\u{e9}';\n",
        )
        .file("0007_latin1.down.sql", b"select 1;\nselect 'caf\xe9';\n")
        .file("notes.txt", "ignored");

    let expected: &[(&str, Option<usize>, &str, &str)] = &[
        (
            "0002_Add_Email.up.sql",
            None,
            "`0002_Add_Email.up.sql` is not a revision file name",
            "rename it to `0002_add_email.up.sql`",
        ),
        (
            "0003_no_down.up.sql",
            None,
            "up file without its down file",
            "create 0003_no_down.down.sql; it may be empty",
        ),
        (
            "0004_no_up.down.sql",
            None,
            "down file without its up file",
            "create 0004_no_up.up.sql",
        ),
        (
            "0006_bad_header.up.sql",
            Some(1),
            "missing the `Parents` header",
            "-- Parents: ",
        ),
        (
            "0006_bad_header.up.sql",
            Some(2),
            "unknown header key `Parent`",
            "did you mean `Parents`?",
        ),
        (
            "0007_latin1.down.sql",
            Some(2),
            "is not valid UTF-8 (byte 0xE9)",
            "UTF-8",
        ),
        (
            "b/0005_twice.down.sql",
            None,
            "`0005_twice` is used more than once",
            "rename one",
        ),
        (
            "b/0005_twice.up.sql",
            None,
            "`0005_twice` is used more than once",
            "rename one",
        ),
    ];
    let got = folder.problems();
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (got, (path, line, message, hint)) in got.iter().zip(expected) {
        assert_eq!(got.0, *path, "{got:?}");
        assert_eq!(got.1, *line, "{got:?}");
        assert!(got.2.contains(message), "{got:?}");
        assert!(got.3.contains(hint), "{got:?}");
    }
    // The duplicate names both files.
    let up_twice = &got[7].2;
    for rel in ["a/0005_twice.up.sql", "b/0005_twice.up.sql"] {
        let full = folder.path().join(rel);
        assert!(up_twice.contains(&full.display().to_string()), "{up_twice}");
    }
}

/// Folders as `(path inside the folder, bytes)`, each read from disk and
/// from memory.
const SAME_IN_MEMORY: &[&[(&str, &[u8])]] = &[
    &[],
    &[
        ("0001_a.up.sql", b"-- Parents:\n\ncreate table t (id int);\n"),
        ("0001_a.down.sql", b"drop table t;\n"),
        ("sub/0002_b.up.sql", b"-- Parents: 0001_a\n"),
        ("sub/0002_b.down.sql", b""),
        ("0003_crlf.up.sql", b"\xEF\xBB\xBF-- Parents: 0001_a, 0002_b\r\n-- Message: m\r\n-- Transaction: off\r\n\r\nselect 1;\r\n"),
        ("0003_crlf.down.sql", b"select 1;\r\n"),
        ("README.md", b"not sql"),
        ("0001_a.up.sql~", b"editor backup"),
    ],
    &[
        ("0001_base.up.sql", b"-- Parents:\n"),
        ("0001_base.down.sql", b""),
        ("0002_Add_Email.up.sql", b"-- Parents: 0001_base\n"),
        ("0003_no_down.up.sql", b"-- Parents: 0001_base\n"),
        ("0004_no_up.down.sql", b""),
        ("a/0005_twice.up.sql", b"-- Parents: 0001_base\n"),
        ("a/0005_twice.down.sql", b""),
        ("b/0005_twice.up.sql", b"-- Parents: 0001_base\n"),
        ("b/0005_twice.down.sql", b""),
        ("0006_bad_header.up.sql", b"-- Message: x\n-- Parent: 0001_base\n"),
        ("0006_bad_header.down.sql", b""),
        ("0007_latin1.up.sql", b"-- Parents: 0001_base\n"),
        ("0007_latin1.down.sql", b"select 1;\nselect 'caf\xe9';\n"),
        ("0008_child_of_broken.up.sql", b"-- Parents: 0006_bad_header, 0009_unknown\n"),
        ("0008_child_of_broken.down.sql", b""),
        ("0010_cycle_a.up.sql", b"-- Parents: 0011_cycle_b\n"),
        ("0010_cycle_a.down.sql", b""),
        ("0011_cycle_b.up.sql", b"-- Parents: 0010_cycle_a\n"),
        ("0011_cycle_b.down.sql", b""),
    ],
];

#[test]
fn files_in_memory_read_as_the_same_folder_on_disk() {
    for files in SAME_IN_MEMORY {
        let folder = Folder::new();
        for (rel, bytes) in *files {
            folder.file(rel, bytes);
        }
        // Given in reverse, as a folder's walk may give them in any order.
        let in_memory = files
            .iter()
            .rev()
            .map(|(rel, bytes)| (folder.path().join(rel), *bytes));

        let disk = read_all(folder.path());
        let memory = read_files(in_memory.clone());
        assert_eq!(memory.revisions, disk.revisions, "{files:?}");
        assert_eq!(memory.problems, disk.problems, "{files:?}");
        assert_eq!(memory.broken_ids, disk.broken_ids, "{files:?}");

        // And the graph's checks on top: parents, cycles.
        let disk = crate::Project::load(folder.path());
        let memory = crate::Project::from_files(folder.path(), in_memory);
        match (disk, memory) {
            (Ok(disk), Ok(memory)) => {
                assert_eq!(memory.graph.revisions(), disk.graph.revisions());
                assert_eq!(memory.dir, disk.dir);
            }
            (
                Err(crate::Error::Folder {
                    dir: disk_dir,
                    problems: disk,
                }),
                Err(crate::Error::Folder { dir, problems }),
            ) => {
                assert_eq!(dir, disk_dir);
                assert_eq!(problems, disk, "{files:?}");
            }
            (disk, memory) => panic!("{files:?}: disk {disk:?}, memory {memory:?}"),
        }
    }
}

#[test]
fn an_unreadable_file_is_one_problem_and_leaves_its_pair_whole() {
    // Permissions cannot make a file unreadable to root, so the listing's
    // outcome is given as it would come.
    let down = PathBuf::from("v/0001_a.down.sql");
    let cannot = Problem::new(&down, None, "cannot read: permission denied");
    let files = [
        (
            PathBuf::from("v/0001_a.up.sql"),
            Some(&b"-- Parents:\n"[..]),
        ),
        (down, None),
    ];
    let reading = read(files, vec![cannot.clone()]);
    assert_eq!(reading.problems, [cannot]);
    assert!(reading.revisions.is_empty());
    assert!(reading.broken_ids.contains("0001_a"));
}

#[test]
fn transaction_control_in_a_transactional_revision_is_a_problem_at_its_line() {
    let folder = Folder::new();
    folder
        .file(
            "0001_rolls_back.up.sql",
            "-- Parents:\n\ncreate table a (id int);\n/* done */ -- really\nRollback;\n",
        )
        .file("0001_rolls_back.down.sql", "drop table a;\nend;\n")
        .file(
            "0002_commits.up.sql",
            "-- Parents: 0001_rolls_back\n\nbegin;\ncreate table b (id int);\ncommit and chain;\n",
        )
        .file("0002_commits.down.sql", "")
        // Trigger and routine bodies, and DO blocks, are not transaction
        // control; a `Transaction: off` revision may hold it.
        .file(
            "0003_bodies.up.sql",
            "-- Parents: 0002_commits\n\n\
             create trigger t after insert on a begin insert into a values (1); end;\n\
             create procedure p() language plpgsql as $$ begin commit; end $$;\n\
             create function f() returns int language sql begin atomic select 1; end;\n\
             do $$ begin perform 1; end $$;\n",
        )
        .file("0003_bodies.down.sql", "")
        .file(
            "0004_off.up.sql",
            "-- Parents: 0003_bodies\n-- Transaction: off\n\nbegin;\ncommit;\n",
        )
        .file("0004_off.down.sql", "begin;\nrollback;\n");

    let hint_up =
        "remove `{}`, or run the revision without one: `-- Transaction: off` in its header";
    let hint_down = "`-- Transaction: off` in the header of 0001_rolls_back.up.sql";
    let expected = [
        ("0001_rolls_back.down.sql", 2, "END", hint_down.to_string()),
        (
            "0001_rolls_back.up.sql",
            5,
            "ROLLBACK",
            hint_up.replace("{}", "ROLLBACK"),
        ),
        (
            "0002_commits.up.sql",
            3,
            "BEGIN",
            hint_up.replace("{}", "BEGIN"),
        ),
        (
            "0002_commits.up.sql",
            5,
            "COMMIT",
            hint_up.replace("{}", "COMMIT"),
        ),
    ];
    let got = folder.problems();
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (got, (path, line, keyword, hint)) in got.iter().zip(&expected) {
        assert_eq!(got.0, *path, "{got:?}");
        assert_eq!(got.1, Some(*line), "{got:?}");
        assert_eq!(
            got.2,
            format!("transaction control `{keyword}` in a revision that runs in a transaction")
        );
        assert!(got.3.contains(hint.as_str()), "{got:?}");
    }
}

#[test]
fn the_check_for_transaction_control_hides_no_statement_of_either_database() {
    // Each up file holds one statement that ends the transaction on one
    // database or the other, at line 4 or 5; a PostgreSQL reading would
    // hide those of SQLite in a quote or comment, a SQLite reading would
    // see one in each PostgreSQL body.
    let folder = Folder::new();
    let files = [
        // SQLite: quoted names, that PostgreSQL reads as dollar quotes.
        (
            "0001_brackets",
            "select 1 as [$x$];\nrollback;\nselect 1 as [$x$];",
        ),
        (
            "0002_backticks",
            "select 1 as `$x$`;\ncommit;\nselect 1 as `$x$`;",
        ),
        // SQLite ends a comment at its first `*/`.
        ("0003_comment", "/* see versions/*.sql */\nend;\n/* a */"),
        // PostgreSQL: bodies are not transaction control, and `E'\''` is
        // not the end of a string.
        (
            "0004_bodies",
            "do $$ begin if true then commit; end if; end $$;\n\
             select E'\\'';\nabort; -- '",
        ),
    ];
    let mut parent = String::new();
    for (id, sql) in files {
        folder
            .file(
                &format!("{id}.up.sql"),
                format!("-- Parents: {parent}\n\n{sql}\n"),
            )
            .file(&format!("{id}.down.sql"), "");
        parent = id.to_string();
    }
    let found: Vec<(String, Option<usize>, String)> = folder
        .problems()
        .into_iter()
        .map(|(path, line, message, _)| (path, line, message))
        .collect();
    let control = |path: &str, line, keyword: &str| {
        (
            path.to_string(),
            Some(line),
            format!("transaction control `{keyword}` in a revision that runs in a transaction"),
        )
    };
    assert_eq!(
        found,
        [
            control("0001_brackets.up.sql", 4, "ROLLBACK"),
            control("0002_backticks.up.sql", 4, "COMMIT"),
            control("0003_comment.up.sql", 4, "END"),
            control("0004_bodies.up.sql", 5, "ABORT"),
        ]
    );
}

#[test]
fn folder_itself() {
    let folder = Folder::new();
    assert_eq!(folder.load(), Ok(vec![]));

    let missing = folder.path().join("versions");
    let problems = load(&missing).unwrap_err();
    assert_eq!(
        problems,
        [
            Problem::new(&missing, None, "the versions folder does not exist")
                .with_hint("run `migrator init` or pass --dir")
        ]
    );

    folder.file("plain", "");
    let problems = load(&folder.path().join("plain")).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].message, "is not a folder");
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_reported_not_followed() {
    use std::os::unix::fs::symlink;

    let outside = Folder::new();
    outside.revision("0002_outside", "0001_base");
    let folder = Folder::new();
    folder.revision("0001_base", "").file("notes.md", "");
    // Links that are not revision files or folders are nothing to migrator.
    symlink(
        outside.path().join("nowhere"),
        folder.path().join("dangling"),
    )
    .unwrap();
    symlink(
        folder.path().join("notes.md"),
        folder.path().join("README.md"),
    )
    .unwrap();
    assert_eq!(ids(&folder.load().unwrap()), ["0001_base"]);

    symlink(outside.path(), folder.path().join("linked_dir")).unwrap();
    symlink(
        outside.path().join("0002_outside.up.sql"),
        folder.path().join("0002_outside.up.sql"),
    )
    .unwrap();
    symlink(
        outside.path().join("gone.sql"),
        folder.path().join("0003_gone.up.sql"),
    )
    .unwrap();
    let got = folder.problems();
    let expected = [
        (
            "0002_outside.up.sql",
            "is a symbolic link; migrator does not follow links",
            "the file itself",
        ),
        (
            "0003_gone.up.sql",
            "is a symbolic link; migrator does not follow links",
            "the file itself",
        ),
        (
            "linked_dir",
            "is a symbolic link to a folder; migrator does not follow links",
            "--dir",
        ),
    ];
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (got, (path, message, hint)) in got.iter().zip(expected) {
        assert_eq!(
            (got.0.as_str(), got.1, got.2.as_str()),
            (path, None, message),
            "{got:?}"
        );
        assert!(got.3.contains(hint), "{got:?}");
    }

    // The versions folder itself may be a link: it is the one named.
    let link = Folder::new();
    symlink(outside.path(), link.path().join("versions")).unwrap();
    let through = load(&link.path().join("versions")).unwrap();
    assert_eq!(ids(&through), ["0002_outside"]);
}

#[cfg(unix)]
#[test]
fn special_files_named_like_revisions_are_reported_unread() {
    let folder = Folder::new();
    folder
        .revision("0001_base", "")
        .file("0002_pipe.down.sql", "");
    let fifo = |name: &str| {
        let status = std::process::Command::new("mkfifo")
            .arg(folder.path().join(name))
            .status()
            .expect("mkfifo runs");
        assert!(status.success());
    };
    fifo("0002_pipe.up.sql");
    // A pipe that is not a revision file is ignored like any other file.
    fifo("events");
    let got = folder.problems();
    assert_eq!(got.len(), 2, "{got:#?}");
    assert_eq!(got[0].0, "0002_pipe.down.sql");
    assert_eq!(got[0].2, "down file without its up file");
    assert_eq!(got[1].0, "0002_pipe.up.sql");
    assert_eq!(got[1].1, None);
    assert_eq!(got[1].2, "is a named pipe (FIFO), not a regular file");
    assert!(got[1].3.contains("plain file"), "{got:?}");
}

#[test]
fn write_revision_creates_a_pair_that_loads_back() {
    let folder = Folder::new();
    let dir = folder.path().join("versions");
    let up = format!(
        "{}create table t (id integer);\n",
        header::render(&[], Some("Create t"), "2026-01-01 00:00:00 UTC", true)
    );
    let (up_path, down_path) =
        write_revision(&dir, "0001_create_t", &up, "drop table t;\n").unwrap();
    assert_eq!(up_path, dir.join("0001_create_t.up.sql"));
    assert_eq!(down_path, dir.join("0001_create_t.down.sql"));

    let revisions = load(&dir).unwrap();
    assert_eq!(ids(&revisions), ["0001_create_t"]);
    assert_eq!(revisions[0].message.as_deref(), Some("Create t"));
    assert_eq!(revisions[0].up.sql, up);
    assert_eq!(revisions[0].down.sql, "drop table t;\n");
}

#[test]
fn write_revision_never_overwrites() {
    let folder = Folder::new();
    let dir = folder.path();
    write_revision(dir, "0001_a", "-- Parents:\n", "").unwrap();
    let again = write_revision(dir, "0001_a", "changed", "changed").unwrap_err();
    assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);
    assert_eq!(
        fs::read_to_string(dir.join("0001_a.up.sql")).unwrap(),
        "-- Parents:\n"
    );

    // A down file in the way: no lone up file is left behind.
    folder.file("0002_b.down.sql", "keep");
    let blocked = write_revision(dir, "0002_b", "-- Parents: 0001_a\n", "").unwrap_err();
    assert_eq!(blocked.kind(), io::ErrorKind::AlreadyExists);
    assert!(!dir.join("0002_b.up.sql").exists());
    assert_eq!(
        fs::read_to_string(dir.join("0002_b.down.sql")).unwrap(),
        "keep"
    );

    let invalid = write_revision(dir, "0003_Bad", "", "").unwrap_err();
    assert_eq!(invalid.kind(), io::ErrorKind::InvalidInput);
    assert!(!dir.join("0003_Bad.up.sql").exists());
}

#[test]
fn the_sample_folder_loads() {
    let revisions = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("versions")).unwrap();
    let shape: Vec<(&str, Vec<&str>)> = revisions
        .iter()
        .map(|r| {
            (
                r.id.as_str(),
                r.parents.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("0001_create_users", vec![]),
            ("0002_create_products", vec!["0001_create_users"]),
            ("0003_add_product_stock", vec!["0002_create_products"]),
            ("0004_add_user_email", vec!["0003_add_product_stock"]),
            ("0004_create_orders", vec!["0003_add_product_stock"]),
            (
                "0005_merge_heads",
                vec!["0004_add_user_email", "0004_create_orders"]
            ),
            ("0006_create_order_totals_view", vec!["0005_merge_heads"]),
            (
                "0007_add_order_shipped_at",
                vec!["0006_create_order_totals_view"]
            ),
        ]
    );
    for revision in &revisions {
        assert!(revision.message.is_some(), "{}", revision.id);
        assert!(revision.created.is_some(), "{}", revision.id);
        assert!(revision.transactional, "{}", revision.id);
    }
    let merge = &revisions[5];
    assert_eq!(merge.message.as_deref(), Some("merge heads"));
    assert!(
        merge
            .up
            .sql
            .lines()
            .all(|l| l.is_empty() || l.starts_with("-- "))
    );
    assert_eq!(merge.down.sql, "");
}

#[test]
fn replace_files_changes_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    std::fs::write(path("a"), "a").unwrap();
    std::fs::write(path("b"), "b").unwrap();
    std::fs::write(path("taken"), "x").unwrap();
    let r = |old: &str, new: &str| Replacement {
        old: path(old),
        new: path(new),
        contents: format!("new {old}").into_bytes(),
    };
    let names = || {
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };

    // A taken target or a missing source: nothing happens.
    let err = replace_files(&[r("a", "a2"), r("b", "taken")]).unwrap_err();
    assert_eq!(err.0, path("taken"));
    let err = replace_files(&[r("a", "a2"), r("gone", "g2")]).unwrap_err();
    assert_eq!(err.0, path("gone"));
    assert_eq!(names(), ["a", "b", "taken"]);

    replace_files(&[r("a", "a2"), r("b", "b2")]).unwrap();
    assert_eq!(names(), ["a2", "b2", "taken"]);
    assert_eq!(std::fs::read_to_string(path("b2")).unwrap(), "new b");
}

#[test]
fn write_files_writes_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    std::fs::write(path("taken"), "kept").unwrap();
    let names = || {
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let (a, taken, nowhere) = (path("a"), path("taken"), path("missing/b"));

    // A taken name is refused before anything is written.
    let err = write_files(&[(&a, b"a"), (&taken, b"x")]).unwrap_err();
    assert_eq!(err.0, taken);
    assert_eq!(err.1.kind(), std::io::ErrorKind::AlreadyExists);
    // A write that fails takes back the ones before it.
    let err = write_files(&[(&a, b"a"), (&nowhere, b"b")]).unwrap_err();
    assert_eq!(err.0, nowhere);
    assert_eq!(names(), ["taken"]);
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "kept");

    write_files(&[(&a, b"a"), (&path("b"), b"b")]).unwrap();
    assert_eq!(names(), ["a", "b", "taken"]);
}

#[test]
fn a_repeatable_revision_may_go_without_its_down_file() {
    let folder = Folder::new();
    folder
        .revision("0001_create_users", "")
        .file(
            "0002_users_view.up.sql",
            "-- Parents: 0001_create_users\n-- Repeatable: yes\n\ncreate view v as select 1;\n",
        )
        .file(
            "0003_not_repeatable.up.sql",
            "-- Parents: 0001_create_users\n-- Repeatable: no\n\nselect 1;\n",
        );
    let problems = folder.problems();
    assert_eq!(
        problems,
        [(
            "0003_not_repeatable.up.sql".to_string(),
            None,
            "up file without its down file".to_string(),
            "create 0003_not_repeatable.down.sql; it may be empty".to_string()
        )]
    );
    fs::remove_file(folder.path().join("0003_not_repeatable.up.sql")).unwrap();
    let revisions = folder.load().unwrap();
    let view = &revisions[1];
    assert!(view.repeatable);
    assert!(!view.has_down_file);
    assert_eq!(view.down.sql, "");
    assert_eq!(view.down.checksum, checksum::of_normalized(b""));
    assert_eq!(
        view.down.path,
        folder.path().join("0002_users_view.down.sql")
    );
    assert!(revisions[0].has_down_file && !revisions[0].repeatable);
}
