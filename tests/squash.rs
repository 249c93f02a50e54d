//! `migrator squash` through the real binary, on each backend: a fresh
//! database runs only the squash, one that applied the replaced revisions
//! records it without running it, one part-way runs the rest first; the
//! replaced files go once `verify` says so.

#[macro_use]
mod support;

use support::{Backend, Project};

/// users <- email <- orders <- total: four revisions in a line.
fn chain(p: &Project) -> &Project {
    p.revision(
        "0001_users",
        &[],
        "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);",
        "DROP TABLE users;",
    )
    .revision(
        "0002_email",
        &["0001_users"],
        // No `;` at the end: the squash must still end the statement.
        "ALTER TABLE users ADD COLUMN email text",
        "ALTER TABLE users DROP COLUMN email;",
    )
    .revision(
        "0003_orders",
        &["0002_email"],
        "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer REFERENCES users (id));",
        "DROP TABLE orders;",
    )
    .revision(
        "0004_total",
        &["0003_orders"],
        "ALTER TABLE orders ADD COLUMN total integer;",
        "ALTER TABLE orders DROP COLUMN total;",
    )
}

fn squash(p: &Project) {
    p.run(&["squash", "0003", "-m", "squash to orders"])
        .success()
        .stdout_has("created versions/0005_squash_to_orders.up.sql")
        .stdout_has(
            "0005_squash_to_orders replaces 3 revisions: 0001_users, 0002_email, 0003_orders",
        );
}

fn delete_replaced(p: &Project) {
    for id in ["0001_users", "0002_email", "0003_orders"] {
        for direction in ["up", "down"] {
            std::fs::remove_file(p.path().join(format!("versions/{id}.{direction}.sql"))).unwrap();
        }
    }
}

fn columns(p: &Project, table: &str) -> Vec<String> {
    let sql = match p.backend {
        Backend::Sqlite => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
        Backend::Postgres => format!(
            "SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' ORDER BY ordinal_position"
        ),
        Backend::Mysql => format!(
            "SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' AND table_schema = DATABASE() ORDER BY ordinal_position"
        ),
    };
    p.query(&sql)
        .into_iter()
        .map(|mut row| row.remove(0))
        .collect()
}

both_backends!(
    fn a_fresh_database_runs_only_the_squash(p: Project) {
        chain(&p);
        squash(&p);
        let up = std::fs::read_to_string(p.path().join("versions/0005_squash_to_orders.up.sql"))
            .unwrap();
        assert!(
            up.starts_with("-- Parents:\n-- Message: squash to orders\n"),
            "{up}"
        );
        assert!(
            up.contains("-- Replaces: 0001_users, 0002_email, 0003_orders\n"),
            "{up}"
        );
        let down =
            std::fs::read_to_string(p.path().join("versions/0005_squash_to_orders.down.sql"))
                .unwrap();
        let order: Vec<usize> = ["DROP TABLE orders", "DROP COLUMN email", "DROP TABLE users"]
            .iter()
            .map(|sql| down.find(sql).unwrap_or_else(|| panic!("{sql} in {down}")))
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{down}");

        p.run(&["heads"]).success().stdout_has("0004_total");
        p.run(&["history"])
            .success()
            .stdout_has("<base> -> 0005_squash_to_orders (squash), squash to orders");
        p.run(&["status"])
            .success()
            .stdout_has("pending 0005_squash_to_orders")
            .stdout_has("pending 0004_total")
            .stdout_lacks("pending 0001_users");
        p.run(&["upgrade"])
            .success()
            .stdout_has("applied  0005_squash_to_orders")
            .stdout_has("applied  0004_total")
            .stdout_has("applied 2 revisions");
        assert_eq!(p.applied(), ["0005_squash_to_orders", "0004_total"]);
        assert_eq!(columns(&p, "users"), ["id", "name", "email"]);
        assert_eq!(columns(&p, "orders"), ["id", "user_id", "total"]);
        p.run(&["verify"]).success().stderr_has(
            "no longer needs the files of the revisions 0005_squash_to_orders replaces",
        );

        // Down past the squash: its down file, the replaced downs in reverse.
        p.run(&["downgrade", "base"])
            .success()
            .stdout_has("reverted 0004_total")
            .stdout_has("reverted 0005_squash_to_orders");
        assert!(p.applied().is_empty());
        assert!(!p.has_table("users") && !p.has_table("orders"));
    }
);

both_backends!(
    fn a_database_that_applied_them_records_the_squash_without_running_it(p: Project) {
        chain(&p);
        p.run(&["upgrade"]).success();
        squash(&p);
        p.run(&["status"])
            .success()
            .stdout_has("pending 0005_squash_to_orders")
            .stdout_has("upgrade records it without running it");
        p.run(&["upgrade", "--dry-run"])
            .success()
            .stdout_has("would record (its replaced revisions are applied) 0005_squash_to_orders");
        let json = p.run(&["upgrade", "--format", "json"]);
        json.success();
        let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        assert_eq!(report["steps"][0]["kind"], "adopt", "{report}");
        assert_eq!(report["steps"][0]["revision"]["replaces"][2], "0003_orders");
        // Recorded, not run (it would fail: the tables exist), and the
        // replaced records make way for it, logged.
        assert_eq!(p.applied(), ["0004_total", "0005_squash_to_orders"]);
        assert_eq!(
            p.query(
                "SELECT event, revision FROM migrator_log WHERE event = 'stamp' ORDER BY revision"
            ),
            [
                ["stamp", "0001_users"],
                ["stamp", "0002_email"],
                ["stamp", "0003_orders"],
                ["stamp", "0005_squash_to_orders"]
            ]
        );
        p.run(&["upgrade"]).success().stdout_has("nothing to do");
        p.run(&["verify"])
            .success()
            .stderr_has("it recorded 0005_squash_to_orders");

        // Every database passed them: the files go, nothing changes.
        delete_replaced(&p);
        p.run(&["verify"]).success().stderr_lacks("squash");
        p.run(&["status"]).success().stdout_has("up to date");
        p.run(&["history"])
            .success()
            .stdout_has("0003_orders -> 0004_total (head), 0004_total");
        p.run(&["downgrade", "0002"])
            .failure(1)
            .stderr_has("0002_email was squashed into 0005_squash_to_orders")
            .stderr_has("name 0005_squash_to_orders instead");

        // The squash is one revision: down to it, and past it.
        p.run(&["downgrade", "0005"])
            .success()
            .stdout_has("reverted 0004_total");
        p.run(&["upgrade"]).success();
        p.run(&["downgrade", "base"]).success();
        assert!(p.applied().is_empty());
        assert!(!p.has_table("users"));
    }
);

both_backends!(
    fn a_database_part_way_runs_the_rest_then_records_the_squash(p: Project) {
        chain(&p);
        p.run(&["upgrade", "0001"]).success();
        squash(&p);
        p.run(&["verify"])
            .success()
            .stderr_has("keep the files of the revisions 0005_squash_to_orders replaces")
            .stderr_has("still needs 0002_email, 0003_orders");
        p.run(&["status"])
            .success()
            .stdout_has("pending 0002_email")
            .stdout_has("pending 0003_orders");
        // Deleted too early: nothing runs, and the error says why.
        delete_replaced(&p);
        p.run(&["upgrade"])
            .failure(1)
            .stderr_has("applied 1 of the 3 revisions that 0005_squash_to_orders replaces")
            .stderr_has("the files of 0002_email, 0003_orders are gone");
        p.run(&["verify"])
            .failure(1)
            .stderr_has("upgrade cannot pass it");
        assert_eq!(p.applied(), ["0001_users"]);

        // Restored, they run, then the squash is recorded.
        chain(&p);
        p.run(&["upgrade"])
            .success()
            .stdout_has("applied  0002_email")
            .stdout_has("applied  0003_orders")
            .stdout_has("recorded without running: the 3 revisions it replaces are applied")
            .stdout_has("applied  0004_total");
        assert_eq!(p.applied(), ["0005_squash_to_orders", "0004_total"]);
        assert_eq!(columns(&p, "orders"), ["id", "user_id", "total"]);
        p.run(&["downgrade", "0002"])
            .failure(1)
            .stderr_has("0002_email is one of the revisions 0005_squash_to_orders replaces");
    }
);

both_backends!(
    fn squash_refuses_a_point_not_every_head_descends_from(p: Project) {
        chain(&p).revision(
            "0003_tags",
            &["0002_email"],
            "CREATE TABLE tags (name text);",
            "DROP TABLE tags;",
        );
        let before = std::fs::read_dir(p.path().join("versions"))
            .unwrap()
            .count();
        p.run(&["squash", "0003_orders", "-m", "too far"])
            .failure(1)
            .stderr_has("0003_tags does not descend from 0003_orders")
            .stderr_has("migrator merge");
        p.run(&["squash", "0001", "-m", "one"])
            .failure(1)
            .stderr_has("nothing before it");
        assert_eq!(
            std::fs::read_dir(p.path().join("versions"))
                .unwrap()
                .count(),
            before
        );
        // Up to the branch point is fine.
        p.run(&["squash", "0002", "-m", "to email"])
            .success()
            .stdout_has("replaces 2 revisions");
        p.run(&["verify", "--allow-heads"]).success();
    }
);

both_backends!(
    fn a_revision_without_a_transaction_makes_the_squash_run_without_one(p: Project) {
        chain(&p);
        let index = match p.backend {
            Backend::Sqlite => "CREATE INDEX users_name ON users (name);",
            Backend::Postgres => "CREATE INDEX CONCURRENTLY users_name ON users (name);",
            // MySQL indexes text by a prefix.
            Backend::Mysql => "CREATE INDEX users_name ON users (name(20));",
        };
        p.file(
            "versions/0002_email.up.sql",
            &format!(
                "-- Parents: 0001_users\n-- Transaction: off\n\nALTER TABLE users ADD COLUMN email text;\n{index}\n"
            ),
        );
        p.run(&["squash", "0003", "-m", "squash to orders"])
            .success()
            .stderr_has("0002_email run without a transaction, so 0005_squash_to_orders does too");
        let up = std::fs::read_to_string(p.path().join("versions/0005_squash_to_orders.up.sql"))
            .unwrap();
        assert!(up.contains("-- Transaction: off\n"), "{up}");
        p.run(&["upgrade"]).success();
        assert_eq!(p.applied(), ["0005_squash_to_orders", "0004_total"]);
    }
);

both_backends!(
    fn a_squash_can_be_squashed_again(p: Project) {
        chain(&p);
        p.run(&["upgrade"]).success();
        squash(&p);
        p.run(&["upgrade"]).success();
        delete_replaced(&p);
        p.revision(
            "0006_notes",
            &["0004_total"],
            "ALTER TABLE orders ADD COLUMN notes text;",
            "ALTER TABLE orders DROP COLUMN notes;",
        );
        p.run(&["upgrade"]).success();
        // The first squash is replaced as one revision.
        p.run(&["squash", "0006", "-m", "squash again"])
            .success()
            .stdout_has(
                "0007_squash_again replaces 3 revisions: 0005_squash_to_orders, 0004_total, 0006_notes",
            );
        p.run(&["upgrade"])
            .success()
            .stdout_has("recorded without running: the 3 revisions it replaces are applied");
        assert_eq!(p.applied(), ["0007_squash_again"]);
        p.run(&["verify"])
            .success()
            .stderr_has("it recorded 0007_squash_again");
        p.run(&["downgrade", "0004"])
            .failure(1)
            .stderr_has("0004_total is one of the revisions");

        // From nothing, the last squash alone builds it all.
        p.run(&["downgrade", "base"]).success();
        assert!(!p.has_table("users"));
        p.run(&["upgrade"])
            .success()
            .stdout_has("applied  0007_squash_again")
            .stdout_has("applied 1 revision");
        assert_eq!(columns(&p, "orders"), ["id", "user_id", "total", "notes"]);
    }
);
