//! "Applied and recorded, or neither" (DESIGN sections 4 and 6) when a
//! revision's SQL holds transaction control of its own, through the real
//! binary on each backend.

#[macro_use]
mod support;

use support::{Backend, Project};

fn users(p: &Project) -> &Project {
    p.revision(
        "0001_users",
        &[],
        "CREATE TABLE users (id integer);",
        "DROP TABLE users;",
    )
}

/// Writes a revision whose header says `Transaction: off`.
fn without_transaction<'p>(p: &'p Project, id: &str, parent: &str, up: &str) -> &'p Project {
    p.file(
        &format!("versions/{id}.up.sql"),
        &format!("-- Parents: {parent}\n-- Transaction: off\n\n{up}\n"),
    )
    .file(&format!("versions/{id}.down.sql"), "")
}

both_backends!(
    fn transaction_control_in_a_transactional_revision_is_refused_before_it_runs(p: Project) {
        // Each would break "applied and recorded, or neither": a ROLLBACK or
        // ABORT leaves the revision recorded without its table, a COMMIT
        // before a failure leaves `b` committed and the revision unrecorded.
        users(&p)
            .revision(
                "0002_rolls_back",
                &["0001_users"],
                "CREATE TABLE lost (id integer);\nROLLBACK;",
                "",
            )
            .revision(
                "0003_aborts",
                &["0002_rolls_back"],
                "CREATE TABLE lost_too (id integer);\n-- done\nabort;",
                "",
            )
            .revision(
                "0004_commits_early",
                &["0003_aborts"],
                "CREATE TABLE b (id integer);\nCOMMIT;\nINSERT INTO no_such_table VALUES (1);",
                "DROP TABLE b;\nCOMMIT AND CHAIN;",
            );
        let problems = [
            "versions/0002_rolls_back.up.sql:5: transaction control `ROLLBACK` in a revision that runs in a transaction",
            "versions/0003_aborts.up.sql:6: transaction control `ABORT` in a revision that runs in a transaction",
            "versions/0004_commits_early.down.sql:2: transaction control `COMMIT` in a revision that runs in a transaction",
            "versions/0004_commits_early.up.sql:5: transaction control `COMMIT` in a revision that runs in a transaction",
            "hint: migrator runs each revision in a transaction of its own and records it in that transaction; \
             remove `ROLLBACK`, or run the revision without one: `-- Transaction: off` in its header",
            "`-- Transaction: off` in the header of 0004_commits_early.up.sql",
        ];
        for command in [
            &["upgrade"][..],
            &["upgrade", "--sql"],
            &["upgrade", "0001"],
        ] {
            let run = p.run(command);
            run.failure(1).stderr_has("4 problems in versions");
            for problem in problems {
                run.stderr_has(problem);
            }
        }
        let verify = p.run(&["verify"]);
        verify.failure(1).stdout_has("verify failed: 4 problems");
        for problem in problems {
            verify.stderr_has(problem);
        }
        assert!(!p.has_table("migrator_revisions"), "nothing ran");
        assert!(!p.has_table("users") && !p.has_table("b"));
    }
);

both_backends!(
    fn bodies_are_not_transaction_control_and_transaction_off_revisions_may_hold_it(p: Project) {
        // A body with BEGIN … END and semicolons inside, in a revision that
        // runs in a transaction: a SQLite trigger, a SQL-standard function
        // and a DO block (PostgreSQL).
        let (bodies, undo) = match p.backend {
            Backend::Sqlite => (
                "CREATE TABLE audit (id integer);\n\
                 CREATE TRIGGER users_audit AFTER INSERT ON users BEGIN\n\
                 \x20 INSERT INTO audit VALUES (new.id);\n\
                 \x20 INSERT INTO audit VALUES (CASE WHEN new.id > 0 THEN new.id END);\n\
                 END;",
                "DROP TRIGGER users_audit;\nDROP TABLE audit;",
            ),
            Backend::Postgres => (
                "CREATE TABLE audit (id integer);\n\
                 CREATE FUNCTION audited() RETURNS bigint LANGUAGE sql BEGIN ATOMIC\n\
                 \x20 INSERT INTO audit VALUES (1);\n\
                 \x20 SELECT count(*) FROM audit;\n\
                 END;\n\
                 DO $$ BEGIN PERFORM audited(); END $$;",
                "DROP FUNCTION audited();\nDROP TABLE audit;",
            ),
            Backend::Mysql => (
                "CREATE TABLE audit (id integer);\n\
                 CREATE TRIGGER users_audit AFTER INSERT ON users FOR EACH ROW BEGIN\n\
                 \x20 INSERT INTO audit VALUES (NEW.id);\n\
                 \x20 INSERT INTO audit VALUES (CASE WHEN NEW.id > 0 THEN NEW.id END);\n\
                 END;",
                "DROP TRIGGER users_audit;\nDROP TABLE audit;",
            ),
        };
        users(&p).revision("0002_bodies", &["0001_users"], bodies, undo);
        without_transaction(
            &p,
            "0003_own_transaction",
            "0002_bodies",
            "BEGIN;\nCREATE TABLE kept (id integer);\nCOMMIT;\nBEGIN;\nCREATE TABLE dropped (id integer);\nROLLBACK;",
        );
        p.run(&["verify"]).success();
        p.run(&["upgrade"]).success();
        assert_eq!(
            p.applied(),
            ["0001_users", "0002_bodies", "0003_own_transaction"]
        );
        assert!(p.has_table("kept"));
        // MySQL commits a CREATE TABLE at once: no ROLLBACK undoes it.
        assert_eq!(p.has_table("dropped"), p.backend == Backend::Mysql);
        if p.backend != Backend::Postgres {
            p.query("INSERT INTO users VALUES (7)");
            assert_eq!(p.query("SELECT id FROM audit"), [["7"], ["7"]]);
        } else {
            assert_eq!(p.query("SELECT id FROM audit"), [["1"]]);
        }
    }
);

both_backends!(
    fn a_revision_that_ends_its_transaction_unseen_is_not_recorded(p: Project) {
        // SQL the folder check cannot see into, but the database runs: on
        // SQLite `$x$` is a parameter (NULL) where the check, which must
        // read PostgreSQL's dollar quotes too, reads one, and on PostgreSQL
        // with standard_conforming_strings off `'it\'s'` is one string
        // where the check reads `'it\'`, a word and a string that swallows
        // the ROLLBACK.
        let (url, hide, show) = match p.backend {
            Backend::Sqlite => (p.url().to_string(), "SELECT $x$;", "SELECT $x$;"),
            Backend::Postgres => (
                format!("{}?options=-c%20standard_conforming_strings%3Doff", p.url()),
                "SELECT 'it\\'s';",
                "SELECT 'x\\'';",
            ),
            // MySQL reads backslash escapes in every string.
            Backend::Mysql => (p.url().to_string(), "SELECT 'it\\'s';", "SELECT 'x\\'';"),
        };
        users(&p)
            .revision(
                "0002_rolls_back",
                &["0001_users"],
                &format!("CREATE TABLE lost (id integer);\n{hide}\nROLLBACK;\n{show}"),
                "DROP TABLE lost;",
            )
            .revision(
                "0003_after",
                &["0002_rolls_back"],
                "CREATE TABLE after (id integer);",
                "DROP TABLE after;",
            );
        p.run(&["verify"]).success();
        let upgrade = ["--database-url", url.as_str(), "upgrade"];
        for _ in 0..2 {
            let run = p.run_without_url(&upgrade);
            run.failure(1)
                .stderr_has(
                    "revision 0002_rolls_back failed: its SQL ended the transaction it runs in \
                     (a COMMIT, END, ROLLBACK or ABORT), so it was not recorded",
                )
                .stderr_has("hint: remove the transaction control from the file");
            // SQLite stops at the ROLLBACK itself; PostgreSQL runs the batch
            // and finds the transaction gone only before the bookkeeping.
            match p.backend {
                Backend::Sqlite | Backend::Mysql => {
                    run.stderr_has("--> versions/0002_rolls_back.up.sql:6:1")
                }
                Backend::Postgres => run.stderr_has("--> versions/0002_rolls_back.up.sql\n"),
            };
            assert_eq!(p.applied(), ["0001_users"], "not recorded, every run");
            assert!(!p.has_table("lost") && !p.has_table("after"));
            assert_eq!(
                p.query("SELECT count(*) FROM migrator_log WHERE revision <> '0001_users'"),
                [["0"]]
            );
        }

        // A COMMIT that the check cannot see: what ran before it stays
        // committed (only the check of the folder prevents that), but the
        // revision is not recorded, and nothing after the COMMIT stays.
        p.revision(
            "0002_rolls_back",
            &["0001_users"],
            &format!(
                "CREATE TABLE early (id integer);\n{hide}\nCOMMIT;\n{show}\nCREATE TABLE late (id integer);"
            ),
            "DROP TABLE early;",
        );
        p.run_without_url(&upgrade)
            .failure(1)
            .stderr_has("revision 0002_rolls_back failed: its SQL ended the transaction");
        assert_eq!(p.applied(), ["0001_users"]);
        // MySQL refuses the revision before it runs anything.
        assert_eq!(p.has_table("early"), p.backend != Backend::Mysql);
        assert!(!p.has_table("late") && !p.has_table("after"));
    }
);

// MySQL commits the file's transaction at each DDL statement.
sqlite_and_postgres!(
    fn a_failure_inside_the_files_own_transaction_counts_only_what_it_committed(p: Project) {
        users(&p);
        without_transaction(
            &p,
            "0002_wrapped",
            "0001_users",
            "BEGIN;\nCREATE TABLE kept (id integer);\nCOMMIT;\n\
             BEGIN;\nCREATE TABLE gone (id integer);\nINSERT INTO no_such_table VALUES (1);\nCOMMIT;",
        );
        p.run(&["upgrade"])
            .failure(1)
            .stderr_has("--> versions/0002_wrapped.up.sql:9:")
            .stderr_has("no_such_table")
            .stderr_has(
                "this revision runs statement by statement, outside a transaction: statement 6 of 7 \
                 failed; statements 1-3 ran and stay done, recorded in migrator_progress",
            )
            .stderr_has(
                "statements 4-5 ran inside the file's own transaction, which the failure rolled back",
            );
        assert_eq!(p.applied(), ["0001_users"]);
        assert!(p.has_table("kept"));
        assert!(
            !p.has_table("gone"),
            "the file's own transaction is rolled back"
        );

        // Undone by hand and forgotten, the revision starts afresh: all of
        // it in one transaction, nothing stays done.
        p.execute("DROP TABLE kept");
        p.run(&["repair", "0002_wrapped", "--yes"]).success();
        without_transaction(
            &p,
            "0002_wrapped",
            "0001_users",
            "BEGIN;\nCREATE TABLE gone (id integer);\nINSERT INTO no_such_table VALUES (1);\nCOMMIT;",
        );
        p.run(&["upgrade"]).failure(1).stderr_has(
            "this revision runs statement by statement, outside a transaction: statement 3 of 4 \
             failed, and no statement before it stays done; nothing was recorded",
        );
        assert!(!p.has_table("gone"));
        assert_eq!(p.applied(), ["0001_users"]);
    }
);

// MySQL commits the file's transaction at each DDL statement.
sqlite_and_postgres!(
    fn a_failure_inside_the_files_own_transaction_leaves_the_session_usable(p: Project) {
        // An application keeps its connection after a failed run: the
        // session must not stay inside the file's failed transaction, where
        // PostgreSQL refuses everything (even releasing the run lock) and
        // SQLite refuses the next BEGIN.
        use migrator::db::DatabaseUrl;

        users(&p);
        without_transaction(
            &p,
            "0002_wrapped",
            "0001_users",
            "BEGIN;\nCREATE TABLE gone (id integer);\nINSERT INTO no_such_table VALUES (1);\nCOMMIT;",
        );
        let url = DatabaseUrl::parse(p.url()).unwrap();
        let connect = || migrator::db::connect(&url, &Default::default()).unwrap();
        // One Migrator keeps its connection: both runs use the same session.
        let mut migrator = migrator::Migrator::from_dir(p.path().join("versions"))
            .unwrap()
            .with_database(connect());
        for _ in 0..2 {
            let error = migrator.upgrade("head").expect_err("the revision fails");
            assert!(
                error.to_string().contains("no_such_table"),
                "the same failure each time: {error}"
            );
        }
        assert_eq!(p.applied(), ["0001_users"]);
        connect()
            .lock(Some(std::time::Duration::from_millis(200)), &mut |_| {})
            .expect("the failed run released its lock");
    }
);
