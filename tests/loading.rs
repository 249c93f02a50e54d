//! Reading the versions folder through the real binary, where what a user
//! sees matters: long revision numbers, files that are not plain text
//! files, header lines, and settings checked before anything is read.

#[macro_use]
mod support;

use support::{Backend, Project};

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

both_backends!(
    fn numbers_past_64_bits_order_continue_and_apply(p: Project) {
        // 20240101120000123456 > u64::MAX (18446744073709551615).
        p.revision(
            "0001_base",
            &[],
            "CREATE TABLE base (id integer);",
            "DROP TABLE base;",
        )
        .revision(
            "20240101120000123456_users",
            &["0001_base"],
            "CREATE TABLE users (id integer);",
            "DROP TABLE users;",
        )
        .revision("0002_side", &["0001_base"], "", "");
        p.run(&["new", "-m", "Add email", "--parent", "2024"])
            .success()
            .stdout_has("versions/20240101120000123457_add_email.up.sql");
        let history = p.run(&["history"]);
        history.success();
        assert_eq!(
            lines(&history.stdout),
            [
                "20240101120000123456_users -> 20240101120000123457_add_email (head), Add email",
                "0001_base -> 20240101120000123456_users, 20240101120000123456_users",
                "0001_base -> 0002_side (head), 0002_side",
                "<base> -> 0001_base (branchpoint), 0001_base",
            ]
        );
        p.run(&["upgrade", "heads"]).success();
        assert_eq!(
            p.applied(),
            [
                "0001_base",
                "0002_side",
                "20240101120000123456_users",
                "20240101120000123457_add_email",
            ]
        );
        p.run(&["status", "--check"]).success();
    }
);

#[test]
fn after_twenty_nines_new_goes_on_to_twenty_one_digits() {
    let p = Project::new(Backend::Sqlite);
    p.revision("99999999999999999999_last", &[], "", "");
    p.run(&["new", "-m", "next"])
        .success()
        .stdout_has("versions/100000000000000000000_next.up.sql");
    p.run(&["heads"])
        .success()
        .stdout_has("100000000000000000000_next (head), next");
    p.run(&["upgrade"]).success();
    assert_eq!(
        p.applied(),
        ["99999999999999999999_last", "100000000000000000000_next"]
    );
}

#[test]
fn a_nul_byte_stops_verify_and_upgrade_before_anything_runs() {
    let p = Project::new(Backend::Sqlite);
    p.revision(
        "0001_users",
        &[],
        "CREATE TABLE users (id integer);",
        "DROP TABLE users;",
    )
    .file(
        "versions/0002_nul.up.sql",
        "-- Parents: 0001_users\n\nCREATE TABLE t (id integer);\nSELECT 'a\0b';\n",
    )
    .file("versions/0002_nul.down.sql", "DROP TABLE t;\n")
    .file(
        "versions/0003_message.up.sql",
        "-- Parents: 0002_nul\n-- Message: evil\0\n",
    )
    .file("versions/0003_message.down.sql", "");
    // verify reports findings on stdout, other commands fail on stderr.
    let verify = p.run(&["verify"]);
    let upgrade = p.run(&["upgrade"]);
    for (run, output) in [
        (verify.failure(1), &verify.stderr),
        (upgrade.failure(1), &upgrade.stderr),
    ] {
        for expected in [
            "versions/0002_nul.up.sql:4: contains a NUL byte (0x00)",
            "versions/0003_message.up.sql:2: contains a NUL byte (0x00)",
            "hint: remove it",
        ] {
            assert!(output.contains(expected), "{expected:?}: {run:?}");
        }
    }
    assert!(p.applied().is_empty(), "{:?}", p.applied());
}

/// Runs `migrator ARGS` and fails, instead of hanging, when it does not
/// end within 10 s.
fn run_within_10s(p: &Project, args: &[&str]) -> support::Run {
    let mut running = p.spawn(args);
    let start = std::time::Instant::now();
    while running.child.try_wait().unwrap().is_none() {
        if start.elapsed() > std::time::Duration::from_secs(10) {
            running.kill();
            panic!("`migrator {}` did not end within 10 s", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    running.wait()
}

#[cfg(unix)]
#[test]
fn links_to_folders_and_named_pipes_are_folder_problems() {
    let p = Project::new(Backend::Sqlite);
    p.revision("0001_users", &[], "CREATE TABLE users (id integer);", "")
        .revision("shared/0002_shared", &["0001_users"], "", "")
        .file("versions/0003_pipe.down.sql", "");
    std::fs::rename(p.path().join("versions/shared"), p.path().join("shared")).unwrap();
    std::os::unix::fs::symlink(p.path().join("shared"), p.path().join("versions/shared")).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(p.path().join("versions/0003_pipe.up.sql"))
        .status()
        .expect("mkfifo runs");
    assert!(status.success());

    for command in ["heads", "upgrade", "verify"] {
        let run = run_within_10s(&p, &[command]);
        run.failure(1);
        let said = format!("{}{}", run.stdout, run.stderr);
        for expected in [
            "versions/shared: is a symbolic link to a folder; migrator does not follow links",
            "versions/0003_pipe.up.sql: is a named pipe (FIFO), not a regular file",
        ] {
            assert!(said.contains(expected), "{expected:?}: {run:?}");
        }
    }
    assert!(p.applied().is_empty());
}

/// Every command, with arguments that would otherwise get it going.
const EVERY_COMMAND: &[&[&str]] = &[
    &["init"],
    &["new", "-m", "x"],
    &["upgrade"],
    &["downgrade", "base"],
    &["current"],
    &["heads"],
    &["branches"],
    &["history"],
    &["show", "0001"],
    &["status"],
    &["merge"],
    &["rebase", "0001", "--onto", "0002"],
    &["verify"],
    &["repair", "--all", "--yes"],
    &["stamp", "base"],
];

#[test]
fn a_bad_or_overlong_duration_is_bad_usage_before_anything_is_read() {
    let p = Project::new(Backend::Sqlite);
    // No versions folder, and a database that cannot be reached: the
    // duration must be the first and only complaint.
    let unreachable = ["--database-url", "postgres://nobody@127.0.0.1:1/none"];
    for bad in ["99999999999999999999s", "876601h", "soon", "1e3s"] {
        for command in EVERY_COMMAND {
            let args = [&unreachable[..], &["--lock-timeout", bad], command].concat();
            p.run_without_url(&args)
                .failure(2)
                .stderr_has("--lock-timeout")
                .stderr_has(&format!("`{bad}` is not a duration"));
        }
        p.file("migrator.toml", &format!("lock_timeout = \"{bad}\"\n"));
        for command in EVERY_COMMAND {
            let args = [&unreachable[..], command].concat();
            let run = p.run_without_url(&args);
            run.failure(2)
                .stderr_has(&format!(
                    "error: migrator.toml: lock_timeout: `{bad}` is not a duration"
                ))
                .stderr_has("hint: write a duration such as lock_timeout = \"30s\"")
                .stderr_lacks("versions");
            assert_eq!(run.stderr.lines().count(), 2, "{run:?}");
        }
        // The option does not hide a bad file.
        p.run_without_url(&[&unreachable[..], &["--lock-timeout", "1s", "heads"]].concat())
            .failure(2)
            .stderr_has("migrator.toml: lock_timeout");
        std::fs::remove_file(p.path().join("migrator.toml")).unwrap();
    }
    assert!(!p.path().join("versions").exists());
}

#[test]
fn long_durations_within_a_century_are_accepted() {
    let p = Project::new(Backend::Sqlite);
    p.revision(
        "0001_users",
        &[],
        "CREATE TABLE users (id integer);",
        "DROP TABLE users;",
    );
    p.run(&["--lock-timeout", "1000h", "upgrade"]).success();
    p.file("migrator.toml", "lock_timeout = \"876600h\"\n");
    p.run(&["downgrade", "base"]).success();
    p.run(&["--lock-timeout", "2m", "upgrade"]).success();
    assert_eq!(p.applied(), ["0001_users"]);
}

#[test]
fn a_link_under_the_header_is_a_comment_and_a_todo_says_how_to_end_the_header() {
    let p = Project::new(Backend::Sqlite);
    p.file(
        "versions/0001_users.up.sql",
        "-- Parents:\n-- Message: Create users\n-- https://example.com/issues/42\n\
         CREATE TABLE users (id integer);\n",
    )
    .file("versions/0001_users.down.sql", "DROP TABLE users;\n");
    p.run(&["verify"]).success();
    p.run(&["history"])
        .success()
        .stdout_has("<base> -> 0001_users (head), Create users");

    p.file(
        "versions/0002_todo.up.sql",
        "-- Parents: 0001_users\n-- TODO: index it\nCREATE TABLE todo (id integer);\n",
    )
    .file("versions/0002_todo.down.sql", "DROP TABLE todo;\n");
    p.run(&["upgrade"])
        .failure(1)
        .stderr_has("versions/0002_todo.up.sql:2: unknown header key `TODO`")
        .stderr_has("a blank line ends the header");
    assert!(p.applied().is_empty());
}

#[test]
fn control_characters_in_a_header_never_reach_the_terminal() {
    let p = Project::new(Backend::Sqlite);
    p.revision("0001_users", &[], "", "")
        .file(
            "versions/0002_evil.up.sql",
            "-- Parents: 0001_users\n-- Message: evil \u{1b}[2J\u{1b}]0;pwned\u{7}\n\nSELECT 1;\n",
        )
        .file("versions/0002_evil.down.sql", "");
    for args in [
        &["history"][..],
        &["status"],
        &["upgrade"],
        &["--format", "json", "heads"],
    ] {
        let run = p.run(args);
        run.failure(1)
            .stderr_has("versions/0002_evil.up.sql:2: control character U+001B in the header")
            .stderr_has("hint: header values are one line of plain text");
        for output in [&run.stdout, &run.stderr] {
            assert!(!output.contains(['\u{1b}', '\u{7}']), "{run:?}");
        }
    }
    let verify = p.run(&["verify", "--format", "json"]);
    verify
        .failure(1)
        .stdout_has("control character U+001B in the header");
    assert!(!verify.stdout.contains("\\u001b"), "{verify:?}");
    assert!(p.applied().is_empty());

    // `new` writes what the folder reader accepts.
    std::fs::remove_file(p.path().join("versions/0002_evil.up.sql")).unwrap();
    std::fs::remove_file(p.path().join("versions/0002_evil.down.sql")).unwrap();
    p.run(&["new", "-m", "a\u{1b}[2Jb\u{7}"])
        .success()
        .stdout_has("versions/0002_a_2jb.up.sql");
    p.run(&["heads"])
        .success()
        .stdout_has("0002_a_2jb (head), a [2Jb");
}
