//! Checksums, drift, `verify` (folder, database, JSON, GitHub annotations,
//! roundtrip) and `repair`, through the real binary on both backends.

#[macro_use]
mod support;

use support::{Backend, Project};

const USERS_UP: &str = "CREATE TABLE users (id integer PRIMARY KEY, name text); -- note A";

fn users(p: &Project) -> &Project {
    p.revision("0001_users", &[], USERS_UP, "DROP TABLE users;")
}

fn up_path(p: &Project, id: &str) -> std::path::PathBuf {
    p.path().join(format!("versions/{id}.up.sql"))
}

/// `verify --roundtrip`, on the scratch database made beside the test's
/// own: a temporary file, or a temporary database on the same server.
fn roundtrip_args(_p: &Project) -> Vec<&str> {
    vec!["verify", "--roundtrip"]
}

/// Each line of stdout is a GitHub workflow command, or the `ok:` summary.
fn assert_annotations(stdout: &str) {
    let pattern = regex::Regex::new(
        r"^::(error|warning) (file=[^,:\r\n]+,(line=[0-9]+,)?(col=[0-9]+,)?)?title=[^,:\r\n]+::[^\r\n]*$",
    )
    .unwrap();
    for line in stdout.lines() {
        assert!(pattern.is_match(line), "not an annotation: {line:?}");
    }
}

both_backends!(
    fn bom_and_crlf_copies_of_applied_files_do_not_drift(p: Project) {
        users(&p).run(&["upgrade"]).success();
        for id in ["0001_users.up", "0001_users.down"] {
            let path = p.path().join(format!("versions/{id}.sql"));
            let text = std::fs::read_to_string(&path).unwrap();
            let windows = format!("\u{feff}{}", text.replace('\n', "\r\n"));
            std::fs::write(&path, windows).unwrap();
        }
        p.run(&["verify"])
            .success()
            .stdout_has("ok: 1 revision, 1 head");
        p.run(&["status", "--check"]).success();
        p.run(&["upgrade"]).success().stdout_has("nothing to do");
    }
);

both_backends!(
    fn a_one_byte_change_drifts_and_is_shown(p: Project) {
        users(&p).run(&["upgrade"]).success();
        p.revision(
            "0002_more",
            &["0001_users"],
            "CREATE TABLE more (id integer);",
            "DROP TABLE more;",
        );
        let path = up_path(&p, "0001_users");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("note A", "note B")).unwrap();

        p.run(&["upgrade"])
            .failure(1)
            .stderr_has("has drifted from the folder")
            .stderr_has("0001_users")
            .stderr_has("-CREATE TABLE users (id integer PRIMARY KEY, name text); -- note A")
            .stderr_has("+CREATE TABLE users (id integer PRIMARY KEY, name text); -- note B")
            .stderr_has("migrator repair");
        assert_eq!(p.applied(), ["0001_users"], "nothing ran");

        p.run(&["verify"])
            .failure(1)
            .stderr_has("error: 0001_users changed since it was applied")
            .stderr_has("  --> versions/0001_users.up.sql:4\n")
            .stderr_has("    -CREATE TABLE users (id integer PRIMARY KEY, name text); -- note A")
            .stderr_has("    +CREATE TABLE users (id integer PRIMARY KEY, name text); -- note B")
            .stdout_has("verify failed: 1 problem");

        let json = p.run(&["verify", "--format", "json"]);
        json.failure(1);
        let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        assert_eq!(value["ok"], false);
        let problem = &value["problems"][0];
        assert_eq!(problem["kind"], "drift");
        assert_eq!(problem["level"], "error");
        assert_eq!(problem["revision"], "0001_users");
        assert_eq!(problem["file"], "versions/0001_users.up.sql");
        assert_eq!(problem["line"], 4);
        assert!(
            problem["diff"]
                .as_str()
                .unwrap()
                .contains("+CREATE TABLE users")
        );

        // --allow-drift goes on, and the log says so.
        p.run(&["upgrade", "--allow-drift"]).success();
        let notes = p.query("SELECT note FROM migrator_log WHERE revision = '0002_more'");
        assert_eq!(notes, [["--allow-drift"]]);
    }
);

both_backends!(
    fn repair_records_the_reviewed_edit_and_verify_is_clean_again(p: Project) {
        users(&p).run(&["upgrade"]).success();
        let path = up_path(&p, "0001_users");
        let edited = std::fs::read_to_string(&path)
            .unwrap()
            .replace("note A", "note B");
        std::fs::write(&path, &edited).unwrap();
        p.run(&["verify"]).failure(1);

        p.run(&["repair", "0001"])
            .failure(1)
            .stderr_has("needs a confirmation")
            .stderr_has("--yes");
        // Which revisions is bad usage, said before the database is read.
        p.run(&["repair"]).failure(2).stderr_has("<ID|--all>");
        p.run(&["status"]).success().stdout_has("0001_users");
        p.run(&["repair", "0001", "--yes"])
            .success()
            .stdout_has("repaired 0001_users");

        p.run(&["verify"]).success();
        p.run(&["upgrade"]).success().stdout_has("nothing to do");
        let log = p.query("SELECT event, revision, os_user FROM migrator_log ORDER BY seq");
        assert_eq!(log.len(), 2, "{log:?}");
        assert_eq!(log[1][0..2], ["repair", "0001_users"]);
        assert!(log[1][2].contains('@'), "who: {log:?}");
        let recorded = p.query("SELECT up_sql FROM migrator_revisions");
        assert!(recorded[0][0].contains("note B"), "the new text is kept");
        p.run(&["repair", "--all", "--yes"])
            .success()
            .stdout_has("nothing to repair");
    }
);

both_backends!(
    fn verify_reports_every_problem_of_the_database_in_one_run(p: Project) {
        users(&p)
            .revision(
                "0002_orders",
                &["0001_users"],
                "CREATE TABLE orders (id integer);",
                "DROP TABLE orders;",
            )
            .revision(
                "0003_tags",
                &["0002_orders"],
                "CREATE TABLE tags (id integer);",
                "DROP TABLE tags;",
            );
        p.run(&["upgrade"]).success();
        // 0003 vanished, 0002 now follows nothing, 0001's down changed.
        std::fs::remove_file(up_path(&p, "0003_tags")).unwrap();
        std::fs::remove_file(p.path().join("versions/0003_tags.down.sql")).unwrap();
        p.revision(
            "0002_orders",
            &[],
            "CREATE TABLE orders (id integer);",
            "DROP TABLE orders;",
        );
        p.file(
            "versions/0001_users.down.sql",
            "DROP TABLE IF EXISTS users;\n",
        );

        let run = p.run(&["verify", "--allow-heads", "--format", "json"]);
        run.failure(1);
        let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let kinds: Vec<&str> = value["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            // 0003_tags descends from the head 0002_orders: the database
            // is ahead of this folder (a warning), not missing a revision.
            ["drift", "down_drift", "ahead", "parents"],
            "{}",
            run.stdout
        );
        p.run(&["verify", "--allow-heads"])
            .failure(1)
            .stderr_has("warning: 0001_users changed since it was applied: down file")
            .stderr_has("  --> versions/0001_users.down.sql:1\n")
            .stderr_has("is ahead of this folder: a newer release applied 0003_tags")
            .stderr_has("error: 0002_orders was applied with parents [0001_users]; the file now says []\n  --> versions/0002_orders.up.sql:1\n");
    }
);

both_backends!(
    fn github_format_is_exactly_the_annotation_syntax(p: Project) {
        users(&p).run(&["upgrade"]).success();
        p.revision("0002_a", &["0001_users"], "", "")
            .revision("0002_b", &["0001_users"], "", "");
        let path = up_path(&p, "0001_users");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("note A", "note: 100%, B")).unwrap();

        let run = p.run(&["verify", "--format", "github"]);
        run.failure(1);
        assert_annotations(&run.stdout);
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(lines.len(), 3, "{}", run.stdout);
        assert_eq!(
            lines[0],
            "::error file=versions/0002_a.up.sql,line=1,title=migrator verify%3A heads::0002_a is one of 2 heads (0002_a, 0002_b)%0Ahint: join them with `migrator merge`, or pass --allow-heads"
        );
        assert!(
            lines[2].starts_with(
                "::error file=versions/0001_users.up.sql,line=4,title=migrator verify%3A drift::0001_users changed since it was applied"
            ),
            "{}",
            lines[2]
        );
        assert!(
            lines[2].contains(
                "%0A+CREATE TABLE users (id integer PRIMARY KEY, name text); -- note: 100%25, B%0A"
            ),
            "{}",
            lines[2]
        );

        // A folder problem: the file and line of the bad header key.
        p.file("versions/0003_c.up.sql", "-- Parent: 0002_a\n")
            .file("versions/0003_c.down.sql", "");
        let run = p.run(&["verify", "--format", "github"]);
        run.failure(1);
        assert_annotations(&run.stdout);
        run.stdout_has(
            "::error file=versions/0003_c.up.sql,line=1,title=migrator verify%3A folder::",
        );
    }
);

fn copy_sample(p: &Project) {
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("versions");
    for entry in std::fs::read_dir(sample).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        p.file(&format!("versions/{name}"), &text);
    }
}

both_backends!(
    fn roundtrip_passes_on_the_sample(p: Project) {
        copy_sample(&p);
        p.run(&roundtrip_args(&p))
            .success()
            .stdout_has("roundtrip of 8 revisions")
            .stdout_has("every down undoes its up");
        // The scratch database given is left as empty as it was found; run
        // again.
        let given = ["verify", "--roundtrip", "--scratch-url", p.url()];
        p.run(&given).success().stdout_has(&format!(
            "roundtrip of 8 revisions on {}: every down undoes its up",
            p.url()
        ));
        p.run(&given).success();
        assert!(p.applied().is_empty());
        if p.backend == Backend::Sqlite {
            p.run(&roundtrip_args(&p)).success();
            std::fs::remove_file(p.path().join("test.db")).unwrap();
        }
    }
);

both_backends!(
    fn roundtrip_runs_on_a_scratch_database_made_beside_the_database_and_removes_it(p: Project) {
        copy_sample(&p);
        let run = p.run(&roundtrip_args(&p));
        let summary = run.success().stdout.clone();
        let scratch = summary
            .split("roundtrip of 8 revisions on ")
            .nth(1)
            .and_then(|rest| {
                rest.split(" (made for it, then removed): every down undoes its up")
                    .next()
            })
            .unwrap_or_else(|| panic!("no scratch database named in {summary:?}"));
        match p.backend {
            Backend::Sqlite => {
                let path = scratch.strip_prefix("sqlite:").unwrap();
                assert!(
                    path.starts_with(&*std::env::temp_dir().to_string_lossy()),
                    "{scratch}"
                );
                for suffix in ["", "-journal", ".lock"] {
                    let file = format!("{path}{suffix}");
                    assert!(!std::path::Path::new(&file).exists(), "{file} is left");
                }
                assert!(
                    !p.path().join("test.db").exists(),
                    "the project database is untouched"
                );
            }
            Backend::Postgres => {
                let name = scratch.rsplit('/').next().unwrap();
                assert!(name.starts_with("migrator_scratch_"), "{scratch}");
                let server = support::postgres_server_url();
                assert_eq!(
                    scratch,
                    support::with_database(&server, name),
                    "the same server as the database"
                );
                let left = p.query(&format!(
                    "SELECT count(*) FROM pg_database WHERE datname = '{name}'"
                ));
                assert_eq!(left, [["0"]], "{name} is left");
                assert!(
                    !p.has_table("migrator_revisions"),
                    "the project database is untouched"
                );
            }
            Backend::Mysql => {
                let name = scratch.rsplit('/').next().unwrap();
                assert!(name.starts_with("migrator_scratch_"), "{scratch}");
                let server = support::mysql_server_url();
                assert_eq!(
                    scratch,
                    support::with_database(&server, name),
                    "the same server as the database"
                );
                let left = p.query(&format!(
                    "SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{name}'"
                ));
                assert_eq!(left, [["0"]], "{name} is left");
                assert!(
                    !p.has_table("migrator_revisions"),
                    "the project database is untouched"
                );
            }
        }
    }
);

both_backends!(
    fn roundtrip_refuses_a_scratch_database_that_is_not_empty(p: Project) {
        users(&p).run(&["upgrade"]).success();
        p.run(&["verify", "--roundtrip", "--scratch-url", p.url()])
            .failure(1)
            .stderr_has("is not empty")
            .stderr_has("--scratch-url");
        assert_eq!(p.applied(), ["0001_users"]);
    }
);

/// Sets up 0001_users and a second revision whose down forgets something,
/// runs the roundtrip and returns its stdout.
fn roundtrip_failure(p: &Project, up: &str, down: &str) -> String {
    users(p).revision("0002_change", &["0001_users"], up, down);
    let run = p.run(&roundtrip_args(p));
    run.failure(1)
        .stderr_has("error: the down file of 0002_change does not undo its up file")
        .stderr_has("  --> versions/0002_change.down.sql:1\n")
        .stdout_has("verify failed: 1 problem");
    run.stderr.clone()
}

both_backends!(
    fn roundtrip_catches_a_down_that_forgets_an_index(p: Project) {
        // MySQL indexes a text column by a prefix.
        let index = match p.backend {
            Backend::Mysql => "CREATE INDEX users_name ON users (name(20));",
            _ => "CREATE INDEX users_name ON users (name);",
        };
        let out = roundtrip_failure(&p, index, "");
        let expected = match p.backend {
            Backend::Mysql => "    + index users.users_name BTREE (name(20))\n",
            Backend::Sqlite => {
                "    + index users_name ON users: CREATE INDEX users_name ON users (name)\n"
            }
            Backend::Postgres => {
                "    + index public.users_name: CREATE INDEX users_name ON public.users USING btree (name)\n"
            }
        };
        assert!(out.contains(expected), "{out}");
    }
);

both_backends!(
    fn roundtrip_catches_a_down_that_forgets_a_column(p: Project) {
        let out = roundtrip_failure(
            &p,
            "ALTER TABLE users ADD COLUMN email text NOT NULL DEFAULT 'x';",
            "",
        );
        let expected = match p.backend {
            Backend::Sqlite => "    + column users.email text not null default 'x'\n",
            Backend::Postgres => {
                "    + column public.users.email text not null default 'x'::text\n"
            }
            // Then the collation, the server's default.
            Backend::Mysql => "    + column users.email text not null default 'x' collate ",
        };
        assert!(out.contains(expected), "{out}");
    }
);

both_backends!(
    fn roundtrip_catches_a_down_that_forgets_a_function_view_or_trigger(p: Project) {
        match p.backend {
            Backend::Sqlite => {
                let out = roundtrip_failure(
                    &p,
                    "CREATE VIEW named AS SELECT id FROM users WHERE name IS NOT NULL;\n\
                     CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN SELECT 1; END;",
                    "DROP VIEW named;",
                );
                assert!(out.contains("    + trigger users_touch ON users: CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN SELECT 1; END\n"), "{out}");
                assert!(!out.contains("view named"), "{out}");
            }
            Backend::Postgres => {
                let out = roundtrip_failure(
                    &p,
                    "CREATE FUNCTION user_count() RETURNS bigint LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN (SELECT count(*) FROM users);\nEND\n$$;",
                    "",
                );
                assert!(
                    out.contains(
                        "    + function public.user_count() returns bigint definition md5 "
                    ),
                    "{out}"
                );
            }
            Backend::Mysql => {
                let out = roundtrip_failure(
                    &p,
                    "CREATE VIEW named AS SELECT id FROM users WHERE name IS NOT NULL;\n\
                     CREATE FUNCTION user_count() RETURNS bigint READS SQL DATA\n\
                     BEGIN\n  RETURN (SELECT count(*) FROM users);\nEND;\n\
                     CREATE TRIGGER users_touch AFTER UPDATE ON users FOR EACH ROW BEGIN\n  SET @touched = 1;\nEND;",
                    "DROP VIEW named;\nDROP FUNCTION user_count;",
                );
                assert!(
                    out.contains("    + trigger users.users_touch after update definition md5 "),
                    "{out}"
                );
                assert!(
                    !out.contains("view named") && !out.contains("user_count"),
                    "{out}"
                );
            }
        }
    }
);

both_backends!(
    fn roundtrip_reports_a_down_that_drops_too_much_and_a_failing_down(p: Project) {
        users(&p).revision(
            "0002_change",
            &["0001_users"],
            "CREATE TABLE tags (id integer);",
            "DROP TABLE tags;\nDROP TABLE users;",
        );
        let run = p.run(&roundtrip_args(&p));
        run.failure(1).stderr_has("    - table ");
        // MySQL's table line goes on with its engine and collation.
        assert!(
            run.stderr.contains("users\n") || run.stderr.contains("    - table users engine "),
            "{}",
            run.stderr
        );

        // A down that fails is reported at its line, as an annotation too;
        // the scratch database of the failed run above is gone.
        p.revision("0002_change", &["0001_users"], "", "DROP TABLE nope;");
        let mut args = roundtrip_args(&p);
        args.extend(["--format", "github"]);
        let run = p.run(&args);
        run.failure(1);
        assert_annotations(&run.stdout);
        let said = match p.backend {
            Backend::Sqlite => "no such table: nope%0Acode: SQLITE_ERROR",
            Backend::Postgres => "table \"nope\" does not exist%0Acode: 42P01",
            Backend::Mysql => "Unknown table '",
        };
        run.stdout_has(&format!("::error file=versions/0002_change.down.sql,line=1,col=1,title=migrator verify%3A roundtrip::0002_change failed on the scratch database: {said}"));
    }
);

both_backends!(
    fn show_applied_prints_what_ran_and_notes_a_changed_file(p: Project) {
        users(&p).run(&["upgrade"]).success();
        p.run(&["show", "0001", "--applied"])
            .success()
            .stdout_has("== up SQL that ran")
            .stdout_has("-- note A")
            .stdout_has("-- versions/0001_users.up.sql is unchanged since")
            .stdout_lacks("changed since it was applied");
        let path = up_path(&p, "0001_users");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("note A", "note B")).unwrap();
        p.run(&["show", "0001"])
            .success()
            .stdout_has("-- note B")
            .stdout_has("Changed since applied: yes");
        p.run(&["show", "0001", "--applied"])
            .success()
            .stdout_has("-- versions/0001_users.up.sql changed since it was applied")
            .stdout_has("\n-CREATE TABLE users (id integer PRIMARY KEY, name text); -- note A\n")
            .stdout_has("\n+CREATE TABLE users (id integer PRIMARY KEY, name text); -- note B\n");
        let json = p.run(&["show", "0001", "--applied", "--format", "json"]);
        let value: serde_json::Value = serde_json::from_str(&json.success().stdout).unwrap();
        assert_eq!(value["up"]["changed"], true);
        assert_eq!(value["down"]["changed"], false);
        assert_eq!(value["revision"]["applied"]["up_file_changed"], true);
        assert!(value["up"]["sql"].as_str().unwrap().contains("note A"));
        assert!(
            value["up"]["diff"]
                .as_str()
                .unwrap()
                .contains("+CREATE TABLE users")
        );

        p.revision("0002_more", &["0001_users"], "", "");
        p.run(&["show", "0002", "--applied"])
            .failure(1)
            .stderr_has("0002_more is not applied");
    }
);

/// 0001_users, 0002_orders after it, both applied.
fn two_applied(p: &Project) {
    users(p).revision(
        "0002_orders",
        &["0001_users"],
        "CREATE TABLE orders (id integer);",
        "DROP TABLE orders;",
    );
    p.run(&["upgrade"]).success();
    p.run(&["verify"]).success();
}

/// The kinds of the problems of a `verify --format json` that failed.
fn problem_kinds(run: &support::Run) -> Vec<String> {
    run.failure(1);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    value["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap().to_string())
        .collect()
}

both_backends!(
    fn verify_finds_an_applied_revision_whose_parent_lost_its_row(p: Project) {
        two_applied(&p);
        p.query("DELETE FROM migrator_revisions WHERE id = '0001_users'");

        let run = p.run(&["verify", "--format", "json"]);
        assert_eq!(problem_kinds(&run), ["bookkeeping"], "{}", run.stdout);
        p.run(&["verify"])
            .failure(1)
            .stderr_has("error: 0001_users is not recorded as applied to ")
            .stderr_has("but its child 0002_orders is: its row was deleted")
            .stderr_has("hint: upgrade would run 0001_users again");
        // What the hint offers puts it right.
        p.run(&["stamp", "0002_orders"]).success();
        p.run(&["verify"]).success();
        assert_eq!(p.applied(), ["0002_orders", "0001_users"]);
    }
);

both_backends!(
    fn verify_finds_the_revisions_table_dropped_under_the_log(p: Project) {
        two_applied(&p);
        p.query("DROP TABLE migrator_revisions");

        let run = p.run(&["verify", "--format", "json"]);
        assert_eq!(problem_kinds(&run), ["bookkeeping"], "{}", run.stdout);
        p.run(&["verify"])
            .failure(1)
            .stderr_has("migrator_revisions is missing from ")
            .stderr_has("but migrator_log records 2 event(s)");
    }
);

#[test]
fn roundtrip_shows_how_a_function_left_changed_by_its_down_differs() {
    let p = Project::new(Backend::Postgres);
    let answer = |n: u32| {
        format!(
            "CREATE OR REPLACE FUNCTION answer() RETURNS integer LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN {n};\nEND\n$$;"
        )
    };
    users(&p)
        .revision(
            "0002_answer",
            &["0001_users"],
            &answer(41),
            "DROP FUNCTION answer();",
        )
        // Its down should put 41 back.
        .revision("0003_better", &["0002_answer"], &answer(42), "");
    let run = p.run(&roundtrip_args(&p));
    run.failure(1)
        .stderr_has("error: the down file of 0003_better does not undo its up file");
    let diff: Vec<&str> = run
        .stderr
        .lines()
        .skip_while(|line| !line.contains("- function public.answer()"))
        .take_while(|line| !line.starts_with("hint:"))
        .map(str::trim_end)
        .collect();
    assert_eq!(
        diff[..2]
            .iter()
            .map(|l| &l[..l.find(" md5 ").unwrap()])
            .collect::<Vec<_>>(),
        [
            "    - function public.answer() returns integer definition",
            "    + function public.answer() returns integer definition",
        ],
        "{}",
        run.stderr
    );
    assert!(
        diff[2..]
            .windows(2)
            .any(|w| w == ["        -  RETURN 41;", "        +  RETURN 42;"]),
        "{}",
        run.stderr
    );
}
