//! A database ahead of the folder (issue 13, item 6): a newer release
//! applied revisions that descend from this folder's heads, and an older
//! release runs against it (a rolling deploy, a rollback of the code). That
//! is a warning, not drift; a real gap stays an error.

#[macro_use]
mod support;

use support::Project;

/// users <- orders, then a newer release's 0003_tags on the head.
fn newer_release(p: &Project) -> &Project {
    p.revision(
        "0001_users",
        &[],
        "CREATE TABLE users (id integer PRIMARY KEY);",
        "DROP TABLE users;",
    )
    .revision(
        "0002_orders",
        &["0001_users"],
        "CREATE TABLE orders (id integer PRIMARY KEY);",
        "DROP TABLE orders;",
    )
    .revision(
        "0003_tags",
        &["0002_orders"],
        "CREATE TABLE tags (id integer PRIMARY KEY);",
        "DROP TABLE tags;",
    )
}

/// The older release's folder: 0003_tags is not in it.
fn roll_back_the_code(p: &Project) {
    for file in ["0003_tags.up.sql", "0003_tags.down.sql"] {
        std::fs::remove_file(p.path().join("versions").join(file)).unwrap();
    }
}

both_backends!(
    fn upgrade_warns_and_goes_on_when_the_database_is_ahead(p: Project) {
        newer_release(&p).run(&["upgrade"]).success();
        roll_back_the_code(&p);

        p.run(&["upgrade"])
            .success()
            .stderr_has(
                "warning: the database is ahead of this folder: a newer release applied 0003_tags",
            )
            .stdout_has("nothing to do");
        p.run(&["status", "--check"])
            .success()
            .stdout_has("ahead 0003_tags")
            .stdout_lacks("missing");
        p.run(&["verify"])
            .success()
            .stderr_has("warning: ")
            .stderr_has("is ahead of this folder: a newer release applied 0003_tags");
        let json: serde_json::Value =
            serde_json::from_str(&p.run(&["status", "--format", "json"]).success().stdout).unwrap();
        assert_eq!(json["ahead"], serde_json::json!(["0003_tags"]));
        assert_eq!(json["missing"], serde_json::json!([]));
        assert_eq!(p.applied(), ["0001_users", "0002_orders", "0003_tags"]);
    }
);

both_backends!(
    fn a_release_that_catches_up_and_rolls_back_finds_nothing_to_do(p: Project) {
        // The newer release applies its 0003_tags on top of an older
        // database; rolling the code back to the older folder then finds
        // nothing to do, and leaves 0003_tags applied.
        newer_release(&p).run(&["upgrade", "0002_orders"]).success();
        p.revision(
            "0003_tags",
            &["0002_orders"],
            "CREATE TABLE tags (id integer PRIMARY KEY);",
            "DROP TABLE tags;",
        );
        p.run(&["upgrade"])
            .success()
            .stdout_has("applied 1 revision");
        roll_back_the_code(&p);
        p.run(&["upgrade"]).success().stdout_has("nothing to do");
    }
);

both_backends!(
    fn downgrade_of_a_database_ahead_is_refused_and_changes_nothing(p: Project) {
        newer_release(&p).run(&["upgrade"]).success();
        roll_back_the_code(&p);

        p.run(&["downgrade", "base"])
            .failure(1)
            .stderr_has("is ahead of this folder: a newer release applied 0003_tags")
            .stderr_has("hint: downgrade with the folder of the release that applied them");
        assert_eq!(p.applied(), ["0001_users", "0002_orders", "0003_tags"]);
        assert!(p.has_table("users") && p.has_table("tags"));
    }
);

both_backends!(
    fn a_real_gap_is_still_drift(p: Project) {
        // 0002_orders deleted from the middle of the folder: 0003_tags does
        // not descend from it any more, so nothing is ahead; it is missing.
        newer_release(&p).run(&["upgrade"]).success();
        for file in ["0002_orders.up.sql", "0002_orders.down.sql"] {
            std::fs::remove_file(p.path().join("versions").join(file)).unwrap();
        }
        p.revision(
            "0003_tags",
            &["0001_users"],
            "CREATE TABLE tags (id integer PRIMARY KEY);",
            "DROP TABLE tags;",
        );
        p.run(&["upgrade"])
            .failure(1)
            .stderr_has("0002_orders: applied, but its files are not in the folder")
            .stderr_has("give each its own bookkeeping with --schema");
        p.run(&["status", "--check"])
            .failure(1)
            .stdout_has("missing 0002_orders");
    }
);
