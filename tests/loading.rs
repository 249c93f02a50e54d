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
        (verify.failure(1), &verify.stdout),
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
