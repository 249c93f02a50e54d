//! Upgrade, downgrade and stamp through the real binary, on each backend.

#[macro_use]
mod support;

use support::{Backend, Project};

/// users <- posts <- (email | tags) <- merge: one branch point, one merge.
fn branched(p: &Project) -> &Project {
    p.revision("0001_users", &[], "CREATE TABLE users (id integer PRIMARY KEY, name varchar(64) NOT NULL);", "DROP TABLE users;")
        .revision(
            "0002_posts",
            &["0001_users"],
            "CREATE TABLE posts (id integer PRIMARY KEY, user_id integer REFERENCES users (id), body text);",
            "DROP TABLE posts;",
        )
        .revision("0003_email", &["0002_posts"], "ALTER TABLE users ADD COLUMN email text;", "ALTER TABLE users DROP COLUMN email;")
        .revision("0003_tags", &["0002_posts"], "CREATE TABLE tags (name varchar(64) PRIMARY KEY);", "DROP TABLE tags;")
        .revision("0004_merge", &["0003_email", "0003_tags"], "", "")
}

both_backends!(
    fn upgrade_to_head_and_back_to_base(p: Project) {
        branched(&p);
        p.run(&["upgrade"])
            .success()
            .stdout_has("applied 5 revisions");
        assert_eq!(
            p.applied(),
            [
                "0001_users",
                "0002_posts",
                "0003_email",
                "0003_tags",
                "0004_merge"
            ]
        );
        assert!(p.has_table("posts") && p.has_table("tags"));
        assert_eq!(
            p.query("SELECT count(*) FROM migrator_log WHERE event = 'upgrade'"),
            [["5"]]
        );

        p.run(&["upgrade", "head"])
            .success()
            .stdout_has("nothing to do");

        p.run(&["downgrade", "base"])
            .success()
            .stdout_has("reverted 5 revisions");
        assert!(p.applied().is_empty());
        assert!(!p.has_table("users") && !p.has_table("tags"));
        assert_eq!(
            p.query("SELECT revision FROM migrator_log WHERE event = 'downgrade' ORDER BY seq"),
            [
                ["0004_merge"],
                ["0003_tags"],
                ["0003_email"],
                ["0002_posts"],
                ["0001_users"]
            ]
        );
    }
);

both_backends!(
    fn plus_n_and_minus_n(p: Project) {
        branched(&p);
        p.run(&["upgrade", "+2"]).success();
        assert_eq!(p.applied(), ["0001_users", "0002_posts"]);
        p.run(&["upgrade", "+2"]).success();
        assert_eq!(
            p.applied(),
            ["0001_users", "0002_posts", "0003_email", "0003_tags"]
        );
        p.run(&["downgrade", "-1"])
            .success()
            .stdout_has("0003_tags");
        assert_eq!(p.applied(), ["0001_users", "0002_posts", "0003_email"]);
        p.run(&["downgrade", "-2"]).success();
        assert_eq!(p.applied(), ["0001_users"]);
        p.run(&["upgrade", "-1"]).failure(2);
        p.run(&["downgrade", "+1"]).failure(2);
        p.run(&["upgrade", "+0"]).failure(2);
    }
);

both_backends!(
    fn upgrade_to_a_revision_on_one_branch_only(p: Project) {
        branched(&p);
        p.run(&["upgrade", "0003_t"]).success();
        assert_eq!(p.applied(), ["0001_users", "0002_posts", "0003_tags"]);
        assert!(p.has_table("tags"));
        assert_eq!(p.query("SELECT count(*) FROM users WHERE 1 = 0"), [["0"]]);
        p.run(&["current"]).success().stdout_has("0003_tags");
    }
);

both_backends!(
    fn downgrade_of_one_branch_leaves_the_other_applied(p: Project) {
        p.revision(
            "0001_users",
            &[],
            "CREATE TABLE users (id integer, email text);",
            "DROP TABLE users;",
        )
        .revision(
            "0002_email",
            &["0001_users"],
            "CREATE INDEX users_email ON users (email);",
            "DROP INDEX users_email;",
        )
        .revision(
            "0003_email_check",
            &["0002_email"],
            "CREATE TABLE email_checks (id integer);",
            "DROP TABLE email_checks;",
        )
        .revision(
            "0002_tags",
            &["0001_users"],
            "CREATE TABLE tags (name text);",
            "DROP TABLE tags;",
        )
        .revision(
            "0003_tag_index",
            &["0002_tags"],
            "CREATE INDEX tags_name ON tags (name);",
            "DROP INDEX tags_name;",
        );
        p.run(&["upgrade", "heads"]).success();
        assert_eq!(p.applied().len(), 5);

        p.run(&["downgrade", "0002_email"])
            .success()
            .stdout_has("reverted 1 revision");
        let mut applied = p.applied();
        applied.sort();
        assert_eq!(
            applied,
            ["0001_users", "0002_email", "0002_tags", "0003_tag_index"]
        );
        assert!(!p.has_table("email_checks"));
        assert!(p.has_table("tags"));
        let current = p.run(&["current"]);
        current
            .success()
            .stdout_has("0002_email")
            .stdout_has("0003_tag_index (head)");
    }
);

both_backends!(
    fn prefixes_name_revisions_and_ambiguous_ones_list_candidates(p: Project) {
        branched(&p);
        p.run(&["upgrade", "0003"])
            .failure(1)
            .stderr_has("ambiguous")
            .stderr_has("0003_email")
            .stderr_has("0003_tags");
        p.run(&["upgrade", "0009"])
            .failure(1)
            .stderr_has("no revision matches `0009`");
        assert!(p.applied().is_empty());
        p.run(&["upgrade", "0002"]).success();
        assert_eq!(p.applied(), ["0001_users", "0002_posts"]);
    }
);

both_backends!(
    fn upgrade_head_with_two_heads_names_them_and_suggests_merge(p: Project) {
        p.revision(
            "0001_users",
            &[],
            "CREATE TABLE users (id integer);",
            "DROP TABLE users;",
        )
        .revision(
            "0002_email",
            &["0001_users"],
            "ALTER TABLE users ADD COLUMN email text;",
            "ALTER TABLE users DROP COLUMN email;",
        )
        .revision(
            "0002_orders",
            &["0001_users"],
            "CREATE TABLE orders (id integer);",
            "DROP TABLE orders;",
        );
        p.run(&["upgrade"])
            .failure(1)
            .stderr_has("0002_email")
            .stderr_has("0002_orders")
            .stderr_has("migrator merge");
        assert!(p.applied().is_empty());
        p.run(&["upgrade", "heads"])
            .success()
            .stdout_has("applied 3 revisions");
    }
);

both_backends!(
    fn stamp_changes_records_without_running_sql(p: Project) {
        branched(&p);
        p.run(&["stamp", "0002_posts"])
            .success()
            .stdout_has("stamped 0002_posts");
        assert_eq!(p.applied(), ["0001_users", "0002_posts"]);
        assert!(!p.has_table("users"), "stamp must not run SQL");
        assert_eq!(
            p.query("SELECT event, revision FROM migrator_log ORDER BY seq"),
            [["stamp", "0001_users"], ["stamp", "0002_posts"]]
        );

        p.run(&["stamp", "heads"]).success();
        assert_eq!(p.applied().len(), 5);
        p.run(&["stamp", "0001"])
            .success()
            .stdout_has("unstamped 0004_merge");
        assert_eq!(p.applied(), ["0001_users"]);
        p.run(&["stamp", "base"]).success();
        assert!(p.applied().is_empty());
        assert!(!p.has_table("users"));
    }
);

both_backends!(
    fn sql_prints_the_plan_and_changes_nothing(p: Project) {
        branched(&p);
        let run = p.run(&["upgrade", "--sql"]);
        run.success()
            .stdout_has("CREATE TABLE users")
            .stdout_has("migrator_revisions (id, parents")
            .stdout_has("migrator_log (event, revision")
            .stdout_has("COMMIT");
        assert!(!p.has_table("users"));
        assert!(
            !p.has_table("migrator_revisions"),
            "--sql must not even create the bookkeeping tables"
        );

        p.run(&["upgrade", "0002"]).success();
        p.run(&["downgrade", "base", "--sql"])
            .success()
            .stdout_has("DROP TABLE posts")
            .stdout_has("DELETE FROM");
        p.run(&["downgrade", "base", "--dry-run"])
            .success()
            .stdout_has("would revert 0002_posts")
            .stdout_has("would revert 0001_users");
        assert_eq!(p.applied(), ["0001_users", "0002_posts"]);
        assert!(p.has_table("posts"));
    }
);

both_backends!(
    fn a_failing_revision_keeps_earlier_ones_and_leaves_nothing_of_itself(p: Project) {
        p.revision("0001_users", &[], "CREATE TABLE users (id integer);", "DROP TABLE users;")
        .revision("0002_orders", &["0001_users"], "CREATE TABLE orders (id integer);\nINSERT INTO orders VALUES (1);\n", "DROP TABLE orders;")
        .revision(
            "0003_broken",
            &["0002_orders"],
            "CREATE TABLE broken (id integer);\nINSERT INTO broken VALUES (1);\n\nINSERT INTO no_such_table VALUES (1);\n",
            "DROP TABLE broken;",
        )
        .revision("0004_after", &["0003_broken"], "CREATE TABLE after (id integer);", "DROP TABLE after;");
        let run = p.run(&["upgrade"]);
        // Two header lines and a blank line: the failing statement is on line 7.
        run.failure(1)
            .stderr_has("0003_broken")
            .stderr_has("versions/0003_broken.up.sql:7:")
            .stderr_has("no_such_table");
        assert_eq!(p.applied(), ["0001_users", "0002_orders"]);
        assert!(p.has_table("orders"));
        if p.backend == Backend::Mysql {
            // MySQL commits a CREATE TABLE at once: the error says what
            // stays done.
            run.stderr_has("statements 1-2 ran and stay done, recorded in migrator_progress");
            assert!(p.has_table("broken"));
        } else {
            assert!(
                !p.has_table("broken"),
                "the failed revision's first statement must be rolled back"
            );
        }
        assert!(!p.has_table("after"));
        assert_eq!(
            p.query("SELECT count(*) FROM migrator_log WHERE revision = '0003_broken'"),
            [["0"]]
        );
    }
);

both_backends!(
    fn history_verbose_tells_who_applied_what_when_and_how_long(p: Project) {
        branched(&p);
        p.run(&["upgrade", "0002"]).success();
        let run = p.run(&["history", "--verbose"]);
        run.success()
            .stdout_has("Rev: 0004_merge (head) (mergepoint)")
            .stdout_has("Parents: 0003_email, 0003_tags")
            .stdout_has("Applied at: ")
            .stdout_has("Applied by: ")
            .stdout_has("Duration: ")
            .stdout_has("State: pending")
            .stdout_has("Drift: none");
        let applied_block = run
            .stdout
            .split("\n\n")
            .find(|b| b.contains("Rev: 0001_users"))
            .unwrap()
            .to_string();
        assert!(applied_block.contains("State: applied"), "{applied_block}");
        assert!(
            applied_block.contains('@'),
            "applied by names user@host: {applied_block}"
        );
    }
);

both_backends!(
    fn two_processes_never_apply_at_once(p: Project) {
        for i in 1..=6 {
            let id = format!("000{i}_t{i}");
            let parent = format!("000{}_t{}", i - 1, i - 1);
            let parents: Vec<&str> = if i == 1 {
                vec![]
            } else {
                vec![parent.as_str()]
            };
            p.revision(
                &id,
                &parents,
                &format!("CREATE TABLE t{i} (id integer);"),
                &format!("DROP TABLE t{i};"),
            );
        }
        let runs: Vec<_> = (0..4).map(|_| p.spawn(&["upgrade"])).collect();
        for run in runs {
            run.wait().success();
        }
        assert_eq!(p.applied().len(), 6);
        assert_eq!(
            p.query("SELECT count(*) FROM migrator_log WHERE event = 'upgrade'"),
            [["6"]]
        );
    }
);

both_backends!(
    fn transaction_off_revisions_run_and_are_recorded(p: Project) {
        p.file(
        "versions/0001_t.up.sql",
        "-- Parents:\n-- Transaction: off\n\nCREATE TABLE t (id integer);\nCREATE INDEX t_id ON t (id);\n",
    )
    .file("versions/0001_t.down.sql", "DROP TABLE t;\n");
        p.run(&["upgrade"]).success();
        assert_eq!(p.applied(), ["0001_t"]);
        p.run(&["downgrade", "base"]).success();
        assert!(!p.has_table("t"));
    }
);

#[test]
fn sqlite_memory_runs_in_one_process() {
    let p = Project::new(Backend::Sqlite);
    branched(&p);
    p.run_without_url(&["--database-url", "sqlite::memory:", "upgrade"])
        .success()
        .stdout_has("applied 5 revisions");
}

/// The SQLite lock is an exclusive lock on `<database>.lock`; a test can
/// hold it the way another migrator run would.
#[test]
fn sqlite_lock_timeout_names_the_holder_and_changes_nothing() {
    let p = Project::new(Backend::Sqlite);
    branched(&p);
    let lock_path = p.path().join("test.db.lock");
    let hold = || {
        let mut holder = std::fs::File::create(&lock_path).unwrap();
        holder.lock().unwrap();
        std::io::Write::write_all(&mut holder, b"pid 4242 (deploy@build-7)").unwrap();
        holder
    };
    let holder = hold();

    let refused = |command: &[&str]| {
        let args = [&["--lock-timeout", "1s"][..], command].concat();
        p.run(&args)
            .failure(1)
            .stderr_has("waiting for the migration lock, held by pid 4242 (deploy@build-7)")
            .stderr_has("timed out after 1s");
    };
    refused(&["upgrade"]);
    refused(&["stamp", "head"]);
    assert!(p.applied().is_empty());
    assert!(!p.has_table("users"));

    drop(holder);
    p.run(&["--lock-timeout", "1s", "upgrade"]).success();
    assert_eq!(p.applied().len(), 5);

    // The run that just finished removed the file: the lock is taken anew.
    assert!(!lock_path.exists());
    let _holder = hold();
    refused(&["downgrade", "base"]);
    assert_eq!(p.applied().len(), 5);
    // Nothing to do needs no lock: a deploy whose database is current
    // never waits behind another run.
    p.run(&["--lock-timeout", "1s", "upgrade"])
        .success()
        .stdout_has("nothing to do");
}

both_backends!(
    fn upgrade_sql_of_a_fresh_database_runs_in_its_shell(p: Project) {
        branched(&p)
            .revision(
                "0005_quotes",
                &["0004_merge"],
                "INSERT INTO users (id, name) VALUES (1, 'O''Brien; -- not a comment');",
                "DELETE FROM users;",
            )
            .file(
                "versions/0006_index.up.sql",
                "-- Parents: 0005_quotes\n-- Transaction: off\n\nCREATE INDEX users_name ON users (name);\n",
            )
            .file("versions/0006_index.down.sql", "DROP INDEX users_name /*! ON users */;\n");
        let script = p.run(&["upgrade", "--sql"]);
        script.success();
        assert!(!p.has_table("migrator_revisions"));

        // The shell stops at the first error and exits non-zero.
        let (program, args): (&str, Vec<String>) = match p.backend {
            Backend::Sqlite => ("sqlite3", vec!["-bail".into(), "test.db".into()]),
            Backend::Postgres => (
                "psql",
                ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", p.url()]
                    .map(String::from)
                    .to_vec(),
            ),
            Backend::Mysql => ("mariadb", crate::support::mariadb_client_args(p.url())),
        };
        let mut shell = std::process::Command::new(program)
            .args(&args)
            .current_dir(p.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("{program} (the database's own shell) must be installed: {e}")
            });
        std::io::Write::write_all(shell.stdin.as_mut().unwrap(), script.stdout.as_bytes()).unwrap();
        let output = shell.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{program} failed: {}\n--- the script\n{}",
            String::from_utf8_lossy(&output.stderr),
            script.stdout
        );

        p.run(&["status"]).success().stdout_has("up to date");
        p.run(&["verify"]).success();
        p.run(&["upgrade"]).success().stdout_has("nothing to do");
        assert_eq!(p.applied().len(), 7);
        assert_eq!(
            p.query("SELECT name FROM users"),
            [["O'Brien; -- not a comment"]]
        );
        assert_eq!(
            p.query("SELECT count(*) FROM migrator_log WHERE event = 'upgrade'"),
            [["7"]]
        );
    }
);
