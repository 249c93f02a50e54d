//! Revisions that run statement by statement (`Transaction: off`): a
//! failed or killed run leaves the statements it did recorded in
//! `migrator_progress`, `status` and the error say where it stopped, and
//! the next run, once the file is fixed, resumes at the statement that
//! failed, unless a statement that ran was edited since. Each story proves
//! that statements done are not run again by their side effects: they
//! would fail, or leave a second row, if they were.

#[macro_use]
mod support;

use std::time::Duration;

use support::{Backend, Project, eventually};

const UP: &str = "versions/0002_steps.up.sql";

fn base(p: &Project) {
    p.revision(
        "0001_base",
        &[],
        "CREATE TABLE base (id integer);",
        "DROP TABLE base;",
    );
}

/// Writes `0002_steps`, run without a transaction: the header takes lines
/// 1-3, so the first statement is on line 4 when each statement is one
/// line.
fn steps(p: &Project, up: &str, down: &str) {
    p.file(
        UP,
        &format!("-- Parents: 0001_base\n-- Transaction: off\n\n{up}\n"),
    )
    .file("versions/0002_steps.down.sql", &format!("{down}\n"));
}

/// The values of `ran`, in order.
fn ran(p: &Project) -> Vec<String> {
    p.query("SELECT step FROM ran ORDER BY step")
        .into_iter()
        .map(|mut row| row.remove(0))
        .collect()
}

fn progress_rows(p: &Project) -> Vec<Vec<String>> {
    p.query(
        "SELECT revision, direction, statement, line, coalesce(error, 'done') FROM migrator_progress \
         ORDER BY revision, direction, statement",
    )
}

const FIVE: &str = "CREATE TABLE ran (step integer PRIMARY KEY);\n\
                    INSERT INTO ran VALUES (2);\n\
                    INSERT INTO missing VALUES (3);\n\
                    INSERT INTO ran VALUES (4);\n\
                    INSERT INTO ran VALUES (5);";

both_backends!(
    fn a_failed_revision_resumes_at_the_failed_statement(p: Project) {
        base(&p);
        steps(&p, FIVE, "DROP TABLE ran;");
        p.run(&["upgrade"])
            .failure(1)
            .stderr_has("revision 0002_steps failed:")
            .stderr_has("--> versions/0002_steps.up.sql:6:")
            .stderr_has(
                "this revision runs statement by statement, outside a transaction: statement 3 of 5 \
                 failed; statements 1-2 ran and stay done, recorded in migrator_progress with this \
                 failure; the revision is not recorded as applied",
            )
            .stderr_has(
                "the next `migrator upgrade` resumes at statement 3 (versions/0002_steps.up.sql:6)",
            )
            .stderr_has("hint: fix the file from statement 3 on and run the command again; statements 1-2 must stay as they ran");
        assert_eq!(p.applied(), ["0001_base"]);
        assert_eq!(ran(&p), ["2"]);
        let rows = progress_rows(&p);
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert_eq!(rows[0], ["0002_steps", "up", "1", "4", "done"]);
        assert_eq!(rows[1], ["0002_steps", "up", "2", "5", "done"]);
        assert_eq!(rows[2][..4], ["0002_steps", "up", "3", "6"]);
        assert!(rows[2][4].contains("missing"), "{rows:?}");

        // status says where it stopped, in text and in JSON, and asks for
        // attention.
        p.run(&["status"])
            .success()
            .stdout_has("failed 0002_steps  upgrade failed at statement 3 of 5 (versions/0002_steps.up.sql:6): ")
            .stdout_has("statements 1-2 done, recorded in migrator_progress; the revision is not recorded as applied")
            .stdout_has("`migrator upgrade` resumes at statement 3 (versions/0002_steps.up.sql:6)")
            .stdout_lacks("up to date");
        p.run(&["status", "--check"]).failure(1);
        let json: serde_json::Value =
            serde_json::from_str(&p.run(&["status", "--format", "json"]).success().stdout).unwrap();
        let interrupted = &json["interrupted"][0];
        assert_eq!(interrupted["revision"], "0002_steps");
        assert_eq!(interrupted["direction"], "up");
        assert_eq!(interrupted["file"], UP);
        assert_eq!(interrupted["statements"], 5);
        assert_eq!(interrupted["done"], 2);
        assert_eq!(interrupted["done_lines"], serde_json::json!([4, 5]));
        assert_eq!(interrupted["failed"]["statement"], 3);
        assert_eq!(interrupted["failed"]["line"], 6);
        assert_eq!(
            interrupted["resumes_at"],
            serde_json::json!({"statement": 3, "line": 6})
        );
        assert_eq!(interrupted["edited"], serde_json::Value::Null);

        // verify reports it; --sql shows the statements a resume runs.
        p.run(&["verify"])
            .failure(1)
            .stderr_has("the upgrade of 0002_steps stopped halfway on");
        p.run(&["upgrade", "--sql"]).success().stdout_has(
            "-- apply 0002_steps: versions/0002_steps.up.sql (resumed at statement 3: the first 2 ran before)\n\
             INSERT INTO missing VALUES (3);\n",
        );

        // Nothing else runs while it is halfway.
        p.run(&["downgrade", "base"])
            .failure(1)
            .stderr_has(
                "the upgrade of 0002_steps was interrupted halfway: finish it before anything else runs",
            )
            .stderr_has("`migrator upgrade 0002_steps` resumes it");
        p.run(&["downgrade", "base", "--dry-run"])
            .failure(1)
            .stderr_has("the upgrade of 0002_steps was interrupted halfway");
        assert_eq!(p.applied(), ["0001_base"]);

        // Fixed (and statements 1-2 re-indented, with a comment): it
        // resumes at statement 3, and statements 1-2 do not run again
        // (the CREATE TABLE would fail, the INSERT would hit the key).
        steps(
            &p,
            &FIVE
                .replace("INSERT INTO missing", "INSERT INTO ran")
                .replace(
                    "CREATE TABLE ran (step integer PRIMARY KEY);",
                    "CREATE TABLE ran (\n  step integer PRIMARY KEY -- the step that ran\n);",
                ),
            "DROP TABLE ran;",
        );
        p.run(&["upgrade"])
            .success()
            .stderr_has(
                "resuming the upgrade of 0002_steps at statement 3 of 5 (statements 1-2 ran before, unchanged since)",
            )
            .stdout_has("applied  0002_steps");
        assert_eq!(ran(&p), ["2", "3", "4", "5"]);
        assert_eq!(p.applied(), ["0001_base", "0002_steps"]);
        assert!(progress_rows(&p).is_empty());
        p.run(&["status"]).success().stdout_has("up to date");
        p.run(&["verify"]).success();
        let events = p.query("SELECT event, revision FROM migrator_log ORDER BY seq");
        assert_eq!(
            events,
            [["upgrade", "0001_base"], ["upgrade", "0002_steps"]]
        );
    }
);

both_backends!(
    fn an_edit_to_a_statement_that_ran_is_refused(p: Project) {
        base(&p);
        steps(&p, FIVE, "DROP TABLE ran;");
        p.run(&["upgrade"]).failure(1);

        // Statement 2 changed: refused, naming it; nothing runs.
        steps(
            &p,
            &FIVE
                .replace("VALUES (2)", "VALUES (20)")
                .replace("INSERT INTO missing", "INSERT INTO ran"),
            "DROP TABLE ran;",
        );
        p.run(&["upgrade"])
            .failure(1)
            .stderr_has(
                "error: cannot resume 0002_steps: statement 2 (versions/0002_steps.up.sql:5) was edited since it ran",
            )
            .stderr_has("statements 1-2 of 5 ran and stay done")
            .stderr_has("the upgrade failed at statement 3 (line 6)")
            .stderr_has("hint: restore statements 1-2 as they ran")
            .stderr_has("`migrator repair 0002_steps`");
        assert_eq!(ran(&p), ["2"]);
        assert_eq!(p.applied(), ["0001_base"]);
        p.run(&["status"]).success().stdout_has(
            "statement 2 (versions/0002_steps.up.sql:5) was edited since it ran: `migrator upgrade` refuses to resume until it is restored",
        );
        let json: serde_json::Value =
            serde_json::from_str(&p.run(&["status", "--format", "json"]).success().stdout).unwrap();
        assert_eq!(
            json["interrupted"][0]["edited"],
            serde_json::json!({"statement": 2, "line": 5})
        );
        assert_eq!(
            json["interrupted"][0]["resumes_at"],
            serde_json::Value::Null
        );

        // A statement that ran, gone from the file: refused too.
        steps(
            &p,
            "CREATE TABLE ran (step integer PRIMARY KEY);",
            "DROP TABLE ran;",
        );
        p.run(&["upgrade"]).failure(1).stderr_has(
            "statement 2 of versions/0002_steps.up.sql ran, but is not in the file any more",
        );

        // The other way out: undo what ran by hand, forget the progress,
        // and the edited file runs from its first statement.
        steps(
            &p,
            &FIVE
                .replace("VALUES (2)", "VALUES (20)")
                .replace("INSERT INTO missing", "INSERT INTO ran"),
            "DROP TABLE ran;",
        );
        p.execute("DROP TABLE ran");
        p.run(&["repair", "0002_steps"])
            .failure(1)
            .stderr_has("needs a confirmation");
        p.run(&["repair", "0002_steps", "--yes"])
            .success()
            .stdout_has(
                "forgot the progress of 0002_steps: its next run starts at its first statement",
            );
        assert!(progress_rows(&p).is_empty());
        p.run(&["upgrade"]).success().stderr_lacks("resuming");
        assert_eq!(ran(&p), ["3", "4", "5", "20"]);
        let events = p.query("SELECT event, revision FROM migrator_log ORDER BY seq");
        assert_eq!(
            events,
            [
                ["upgrade", "0001_base"],
                ["repair", "0002_steps"],
                ["upgrade", "0002_steps"]
            ]
        );
    }
);

both_backends!(
    fn a_failure_in_the_files_own_transaction_resumes_at_its_begin(p: Project) {
        base(&p);
        let up = "CREATE TABLE ran (step integer PRIMARY KEY);\n\
                  BEGIN;\n\
                  INSERT INTO ran VALUES (3);\n\
                  INSERT INTO missing VALUES (4);\n\
                  COMMIT;\n\
                  INSERT INTO ran VALUES (6);";
        steps(&p, up, "DROP TABLE ran;");
        p.run(&["upgrade"])
            .failure(1)
            .stderr_has("--> versions/0002_steps.up.sql:7:")
            .stderr_has("statement 4 of 6 failed; statement 1 ran and stays done")
            .stderr_has(
                "statements 2-3 ran inside the file's own transaction, which the failure rolled back",
            )
            .stderr_has(
                "the next `migrator upgrade` resumes at statement 2 (versions/0002_steps.up.sql:5)",
            );
        assert!(ran(&p).is_empty(), "the file's transaction rolled back");
        let json: serde_json::Value =
            serde_json::from_str(&p.run(&["status", "--format", "json"]).success().stdout).unwrap();
        assert_eq!(json["interrupted"][0]["done"], 1);
        assert_eq!(json["interrupted"][0]["failed"]["statement"], 4);
        assert_eq!(
            json["interrupted"][0]["resumes_at"],
            serde_json::json!({"statement": 2, "line": 5})
        );

        steps(
            &p,
            &up.replace("INTO missing", "INTO ran"),
            "DROP TABLE ran;",
        );
        p.run(&["upgrade"])
            .success()
            .stderr_has("resuming the upgrade of 0002_steps at statement 2 of 6");
        assert_eq!(ran(&p), ["3", "4", "6"]);
        assert!(progress_rows(&p).is_empty());
    }
);

both_backends!(
    fn a_failed_downgrade_resumes_at_the_failed_statement(p: Project) {
        base(&p);
        steps(
            &p,
            "CREATE TABLE a (id integer);\nCREATE TABLE b (id integer);\nCREATE TABLE c (id integer);",
            "DROP TABLE c;\nDROP TABLE missing;\nDROP TABLE a;",
        );
        p.run(&["upgrade"]).success();
        p.run(&["downgrade", "base"])
            .failure(1)
            .stderr_has("--> versions/0002_steps.down.sql:2:")
            .stderr_has("statement 2 of 3 failed; statement 1 ran and stays done")
            .stderr_has("the next `migrator downgrade` resumes at statement 2");
        assert_eq!(p.applied(), ["0001_base", "0002_steps"]);
        assert!(!p.has_table("c") && p.has_table("a"));
        p.run(&["status"])
            .success()
            .stdout_has("failed 0002_steps  downgrade failed at statement 2 of 3 (versions/0002_steps.down.sql:2)")
            .stdout_has("`migrator downgrade` resumes at statement 2 (versions/0002_steps.down.sql:2)");

        // DROP TABLE c would fail if it ran again.
        p.file(
            "versions/0002_steps.down.sql",
            "DROP TABLE c;\nDROP TABLE b;\nDROP TABLE a;\n",
        );
        p.run(&["downgrade", "base"])
            .success()
            .stderr_has("resuming the downgrade of 0002_steps at statement 2 of 3");
        assert!(p.applied().is_empty());
        assert!(!p.has_table("a") && !p.has_table("b"));
        assert!(progress_rows(&p).is_empty());
    }
);

/// A statement that takes long enough for the test to kill the run
/// while it runs.
fn slow_statement(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "SELECT pg_sleep(60);",
        Backend::Mysql => "DO SLEEP(60);",
        Backend::Sqlite => {
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000000) \
             SELECT count(*) FROM n;"
        }
    }
}

both_backends!(
    fn a_killed_revision_resumes_after_the_statements_it_recorded(p: Project) {
        base(&p);
        let up = format!(
            "CREATE TABLE ran (step integer PRIMARY KEY);\n\
             INSERT INTO ran VALUES (2);\n\
             {}\n\
             INSERT INTO ran VALUES (4);\n\
             INSERT INTO ran VALUES (5);",
            slow_statement(p.backend)
        );
        steps(&p, &up, "DROP TABLE ran;");
        let running = p.spawn(&["upgrade"]);
        eventually(Duration::from_secs(60), "statements 1-2 recorded", || {
            p.has_table("migrator_progress") && progress_rows(&p).len() == 2
        });
        running.kill();

        assert_eq!(p.applied(), ["0001_base"]);
        assert_eq!(ran(&p), ["2"]);
        p.run(&["status"])
            .success()
            .stdout_has("stopped 0002_steps  upgrade stopped after statements 1-2 done of 5 (killed, or the connection was lost)")
            .stdout_has("statement 3 (versions/0002_steps.up.sql:6) may have completed before the run stopped: the next run runs it again")
            .stdout_has("`migrator upgrade` resumes at statement 3 (versions/0002_steps.up.sql:6)");
        let json: serde_json::Value =
            serde_json::from_str(&p.run(&["status", "--format", "json"]).success().stdout).unwrap();
        assert_eq!(json["interrupted"][0]["done"], 2);
        assert_eq!(json["interrupted"][0]["failed"], serde_json::Value::Null);

        // The slow statement, made quick: statements 1-2 do not run again.
        steps(
            &p,
            &up.replace(slow_statement(p.backend), "INSERT INTO ran VALUES (3);"),
            "DROP TABLE ran;",
        );
        p.run(&["upgrade"])
            .success()
            .stderr_has("resuming the upgrade of 0002_steps at statement 3 of 5");
        assert_eq!(ran(&p), ["2", "3", "4", "5"]);
        assert_eq!(p.applied(), ["0001_base", "0002_steps"]);
        assert!(progress_rows(&p).is_empty());
    }
);

both_backends!(
    fn stamping_a_revision_forgets_its_progress(p: Project) {
        base(&p);
        steps(&p, FIVE, "DROP TABLE ran;");
        p.run(&["upgrade"]).failure(1);
        // Finished by hand, then recorded: no progress is left behind.
        p.execute(
            "INSERT INTO ran VALUES (3); INSERT INTO ran VALUES (4); INSERT INTO ran VALUES (5);",
        );
        p.run(&["stamp", "0002_steps"]).success();
        assert!(progress_rows(&p).is_empty());
        p.run(&["status"]).success().stdout_has("up to date");
    }
);

both_backends!(
    fn a_revision_in_one_statement_records_no_progress(p: Project) {
        base(&p);
        steps(&p, "CREATE TABLE ran (step integer);", "DROP TABLE ran;");
        // The progress table exists, and nothing ever went into it: the
        // record of the revision is the record of its one statement.
        p.run(&["upgrade"]).success();
        assert!(p.has_table("migrator_progress"));
        p.run(&["downgrade", "base"]).success();
        let writes = p.query("SELECT count(*) FROM migrator_progress");
        assert_eq!(writes, [["0"]]);
    }
);
