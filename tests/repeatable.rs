//! Repeatable revisions (`-- Repeatable: yes`) through the real binary, on
//! each backend: applied after their parents, again whenever their up file
//! changes, never a head, undone with their parents.

#[macro_use]
mod support;

use support::{Backend, Project};

const USERS: &str = "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL, email text);";

/// A repeatable view of the users table, with or without a down file.
fn view(p: &Project, columns: &str, down: Option<&str>) {
    p.file(
        "versions/0002_user_names.up.sql",
        &format!(
            "-- Parents: 0001_users\n-- Message: user names view\n-- Repeatable: yes\n\n\
             DROP VIEW IF EXISTS user_names;\nCREATE VIEW user_names AS SELECT {columns} FROM users;\n"
        ),
    );
    let down_path = p.path().join("versions/0002_user_names.down.sql");
    match down {
        Some(sql) => {
            p.file("versions/0002_user_names.down.sql", sql);
        }
        None => {
            let _ = std::fs::remove_file(down_path);
        }
    }
}

fn view_columns(p: &Project) -> Vec<String> {
    let sql = match p.backend {
        Backend::Sqlite => "SELECT name FROM pragma_table_info('user_names') ORDER BY cid",
        Backend::Postgres => {
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'user_names' ORDER BY ordinal_position"
        }
        Backend::Mysql => {
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'user_names' AND table_schema = DATABASE() ORDER BY ordinal_position"
        }
    };
    p.query(sql)
        .into_iter()
        .map(|mut row| row.remove(0))
        .collect()
}

both_backends!(
    fn a_repeatable_runs_after_its_parents_and_again_when_it_changes(p: Project) {
        p.revision("0001_users", &[], USERS, "DROP TABLE users;");
        view(&p, "name", Some("DROP VIEW user_names;\n"));
        p.run(&["upgrade"])
            .success()
            .stdout_has("applied  0001_users")
            .stdout_has("applied  0002_user_names")
            .stdout_has("applied 2 revisions");
        assert_eq!(view_columns(&p), ["name"]);
        p.run(&["upgrade"]).success().stdout_has("nothing to do");

        view(&p, "name, email", Some("DROP VIEW user_names;\n"));
        // Not drift: status and verify say it runs again, and succeed.
        p.run(&["status"])
            .success()
            .stdout_has("reapply 0002_user_names")
            .stdout_lacks("drifted");
        p.run(&["status", "--check"]).failure(1);
        p.run(&["verify"])
            .success()
            .stderr_has("it is repeatable: the next upgrade applies it again");
        p.run(&["upgrade", "--dry-run"])
            .success()
            .stdout_has("would apply again 0002_user_names");
        let json = p.run(&["upgrade", "--format", "json"]);
        json.success();
        let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        assert_eq!(report["steps"][0]["kind"], "reapply", "{report}");
        assert_eq!(
            report["steps"][0]["note"],
            "applied again: its up file changed since it was last applied"
        );
        assert_eq!(view_columns(&p), ["name", "email"]);
        p.run(&["status"]).success().stdout_has("up to date");

        // One record, holding the checksum of the file as it is now; one
        // log row per application.
        assert_eq!(p.applied(), ["0001_users", "0002_user_names"]);
        assert_eq!(
            p.query("SELECT count(*) FROM migrator_log WHERE revision = '0002_user_names' AND event = 'upgrade'"),
            [["2"]]
        );
        let recorded =
            p.query("SELECT up_checksum FROM migrator_revisions WHERE id = '0002_user_names'");
        let logged = p.query(
            "SELECT checksum FROM migrator_log WHERE revision = '0002_user_names' ORDER BY seq DESC",
        );
        assert_eq!(recorded[0][0], logged[0][0]);
        assert_ne!(logged[0][0], logged[1][0]);
        p.run(&["log"])
            .success()
            .stdout_has("upgrade    0002_user_names");

        // Past its parents it is undone with its down file.
        p.run(&["downgrade", "base"])
            .success()
            .stdout_has("reverted 0002_user_names")
            .stdout_has("reverted 2 revisions");
        assert!(p.applied().is_empty());
        assert!(!p.has_table("users"));
    }
);

both_backends!(
    fn a_repeatable_is_no_head_and_waits_for_its_parents(p: Project) {
        p.revision("0001_users", &[], USERS, "DROP TABLE users;")
            .revision(
                "0003_orders",
                &["0001_users"],
                "CREATE TABLE orders (id integer PRIMARY KEY);",
                "DROP TABLE orders;",
            );
        p.file(
            "versions/0004_order_count.up.sql",
            "-- Parents: 0003_orders\n-- Repeatable: yes\n\n\
             CREATE VIEW user_count AS SELECT count(*) AS n FROM users;\n",
        );
        // Two leaves, one head: no merge needed, `head` is fine.
        p.run(&["heads"])
            .success()
            .stdout_has("0003_orders")
            .stdout_lacks("0004_order_count");
        p.run(&["verify"]).success();
        p.run(&["history"])
            .success()
            .stdout_has("0003_orders -> 0004_order_count (repeatable)")
            .stdout_lacks("(branchpoint)");
        // Its parent is not applied: it waits.
        p.run(&["upgrade", "0001"]).success();
        assert_eq!(p.applied(), ["0001_users"]);
        p.run(&["upgrade"]).success();
        assert_eq!(
            p.applied(),
            ["0001_users", "0003_orders", "0004_order_count"]
        );
        // `new` builds on the head, not on the repeatable.
        p.run(&["new", "-m", "add total"])
            .success()
            .stdout_has("0005_add_total");
        let up = std::fs::read_to_string(p.path().join("versions/0005_add_total.up.sql")).unwrap();
        assert!(up.starts_with("-- Parents: 0003_orders\n"), "{up}");

        // Without a down file, downgrade says so and removes the record;
        // the view stays (nothing undoes it).
        p.run(&["downgrade", "0001"])
            .success()
            .stdout_has("reverted 0004_order_count")
            .stdout_has("no down file: nothing to undo; its record is removed");
        assert_eq!(p.applied(), ["0001_users"]);
    }
);

both_backends!(
    fn stamp_records_a_changed_repeatable_without_running_it(p: Project) {
        p.revision("0001_users", &[], USERS, "DROP TABLE users;");
        view(&p, "name", None);
        p.run(&["upgrade"]).success();
        view(&p, "name, email", None);
        p.run(&["stamp", "head"])
            .success()
            .stdout_has("stamped 0002_user_names");
        // Recorded, not run: the view is as it was, and nothing is stale.
        assert_eq!(view_columns(&p), ["name"]);
        p.run(&["status"]).success().stdout_has("up to date");
        assert_eq!(
            p.query(
                "SELECT event FROM migrator_log WHERE revision = '0002_user_names' ORDER BY seq"
            ),
            [["upgrade"], ["stamp"]]
        );
        // A failing re-application leaves the old record and view.
        p.file(
            "versions/0002_user_names.up.sql",
            "-- Parents: 0001_users\n-- Repeatable: yes\n\n\
             DROP VIEW IF EXISTS user_names;\n\
             CREATE VIEW user_names AS SELECT name, email FROM users;\n\
             INSERT INTO no_such_table VALUES (1);\n",
        );
        p.run(&["upgrade"]).failure(1).stderr_has("0002_user_names");
        // MySQL commits the DROP and CREATE VIEW at once: they stay done.
        let view: &[&str] = match p.backend {
            Backend::Mysql => &["name", "email"],
            _ => &["name"],
        };
        assert_eq!(view_columns(&p), view);
        p.run(&["status"])
            .success()
            .stdout_has("reapply 0002_user_names");
    }
);
