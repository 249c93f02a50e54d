//! Working in a team: several heads, merge and what the branches did,
//! rebase, history --graph, and the walkthrough in examples/team-merge.

#[macro_use]
mod support;

use support::{Backend, Project};

/// users <- (email | orders): two heads, each touching table users.
fn two_heads(p: &Project) -> &Project {
    p.file(
        "versions/0001_users.up.sql",
        "-- Parents:\n-- Message: Create users\n\nCREATE TABLE users (id integer);\n",
    )
    .file("versions/0001_users.down.sql", "DROP TABLE users;\n")
    .file(
        "versions/0002_email.up.sql",
        "-- Parents: 0001_users\n-- Message: Add email to users\n\nALTER TABLE users ADD COLUMN email varchar(255);\n",
    )
    .file(
        "versions/0002_email.down.sql",
        "ALTER TABLE users DROP COLUMN email;\n",
    )
    .file(
        "versions/0002_orders.up.sql",
        "-- Parents: 0001_users\n-- Message: Create orders\n\nCREATE TABLE orders (id integer);\n\
         CREATE INDEX orders_user ON users (id);\n",
    )
    .file(
        "versions/0002_orders.down.sql",
        "DROP INDEX orders_user /*! ON users */;\nDROP TABLE orders;\n",
    )
}

both_backends!(
    fn upgrade_head_refuses_two_heads_naming_each_with_its_message(p: Project) {
        two_heads(&p);
        p.run(&["upgrade"])
            .failure(1)
            .stderr_has("there are 2 heads, so `head` is ambiguous")
            .stderr_has("  0002_email   Add email to users")
            .stderr_has("  0002_orders  Create orders")
            .stderr_has("migrator merge")
            .stderr_has("upgrade heads");
        assert!(p.applied().is_empty());
        p.run(&["new", "-m", "next"])
            .failure(1)
            .stderr_has("0002_email   Add email to users")
            .stderr_has("migrator merge");
    }
);

both_backends!(
    fn downgrade_of_one_branch_leaves_the_other_applied(p: Project) {
        two_heads(&p).revision(
            "0003_email_index",
            &["0002_email"],
            "CREATE INDEX users_email ON users (email);",
            "DROP INDEX users_email /*! ON users */;",
        );
        p.run(&["upgrade", "heads"]).success();
        p.run(&["current"])
            .success()
            .stdout_has("0003_email_index (head)")
            .stdout_has("0002_orders (head)")
            .stderr_has("2 applied heads");
        p.run(&["downgrade", "0002_email"])
            .success()
            .stdout_has("reverted 1 revision");
        let mut applied = p.applied();
        applied.sort();
        assert_eq!(applied, ["0001_users", "0002_email", "0002_orders"]);
        p.run(&["downgrade", "0001"]).success();
        assert_eq!(p.applied(), ["0001_users"]);
        assert!(!p.has_table("orders"));
    }
);

both_backends!(
    fn history_graph_marks_applied_revisions(p: Project) {
        two_heads(&p);
        p.run(&["upgrade", "0002_email"]).success();
        let run = p.run(&["history", "--graph"]);
        run.success()
            .stderr_has("o applied in the database, * pending");
        assert_eq!(
            run.stdout.lines().collect::<Vec<_>>(),
            [
                "*  0002_orders (head), Create orders",
                "| o  0002_email (head), Add email to users",
                "|/",
                "o    0001_users (branchpoint), Create users",
            ]
        );
        p.run(&["merge"]).success();
        p.run(&["upgrade"]).success();
        let run = p.run(&["history", "--graph"]);
        assert_eq!(
            run.stdout.lines().collect::<Vec<_>>(),
            [
                "o    0003_merge_heads (head) (mergepoint), merge heads",
                "|\\",
                "| o  0002_orders, Create orders",
                "o |  0002_email, Add email to users",
                "|/",
                "o    0001_users (branchpoint), Create users",
            ]
        );
    }
);

both_backends!(
    fn a_database_that_ran_one_branch_catches_up_after_the_merge(p: Project) {
        two_heads(&p);
        p.run(&["upgrade", "0002_orders"]).success();
        p.run(&["merge", "-m", "Join email and orders"])
            .success()
            .stdout_has("created versions/0003_join_email_and_orders.up.sql joining 0002_email, 0002_orders");
        p.run(&["upgrade"])
            .success()
            .stdout_has("applied 2 revisions");
        assert_eq!(
            p.applied(),
            [
                "0001_users",
                "0002_orders",
                "0002_email",
                "0003_join_email_and_orders"
            ]
        );
    }
);

#[test]
fn merge_refuses_non_heads_unknown_ids_and_a_single_head() {
    let p = Project::new(Backend::Sqlite);
    two_heads(&p);
    p.run(&["merge", "0001"])
        .failure(1)
        .stderr_has("0001_users is not a head: 0002_email, 0002_orders build on it")
        .stderr_has("the heads are 0002_email, 0002_orders");
    p.run(&["merge", "0002_e", "0009"])
        .failure(1)
        .stderr_has("no revision matches `0009`");
    p.run(&["merge", "0002_e"])
        .failure(1)
        .stderr_has("nothing to merge: only one head given, 0002_email")
        .stderr_has("name two or more of the heads");
    p.run(&["merge", "0002_e", "0002_o"])
        .success()
        .stdout_has("created versions/0003_merge_heads.up.sql joining 0002_email, 0002_orders")
        .stderr_has("next: commit both files");
    let up = std::fs::read_to_string(p.path().join("versions/0003_merge_heads.up.sql")).unwrap();
    assert!(
        up.starts_with("-- Parents: 0002_email, 0002_orders\n-- Message: merge heads\n"),
        "{up}"
    );
    p.run(&["merge", "0002_e", "0002_o"])
        .failure(1)
        .stderr_has("0002_email is not a head: 0003_merge_heads builds on it");
    p.run(&["merge"])
        .failure(1)
        .stderr_has("nothing to merge: there is one head, 0003_merge_heads");
}

#[test]
fn merge_warns_when_branches_touch_the_same_object() {
    let p = Project::new(Backend::Sqlite);
    two_heads(&p);
    let check = p.run(&["merge", "--check"]);
    check
        .failure(1)
        .stdout_has("2 heads, branched after 0001_users")
        .stdout_has("branch 0002_email: 1 revision")
        .stdout_has("0002_orders  versions/0002_orders.up.sql:4  creates table orders")
        .stdout_has("overlap: table users")
        .stdout_has("0002_email   versions/0002_email.up.sql:4   alters")
        .stdout_has("0002_orders  versions/0002_orders.up.sql:5  indexes")
        .stdout_has("1 object touched by more than one branch");
    assert!(
        !p.path().join("versions/0003_merge_heads.up.sql").exists(),
        "--check writes nothing"
    );
    let json: serde_json::Value =
        serde_json::from_str(&p.run(&["merge", "--check", "--format", "json"]).stdout).unwrap();
    assert_eq!(json["overlaps"][0]["object"]["name"], "users");
    assert_eq!(json["merge_bases"][0], "0001_users");

    p.run(&["merge"])
        .success()
        .stderr_has("warning: table users is touched by more than one branch")
        .stderr_has("0002_orders  versions/0002_orders.up.sql:5  indexes")
        .stdout_has("created versions/0003_merge_heads.up.sql");
}

#[test]
fn merge_check_passes_when_branches_touch_different_objects() {
    let p = Project::new(Backend::Sqlite);
    p.revision("0001_a", &[], "CREATE TABLE a (id integer);", "")
        .revision("0002_b", &["0001_a"], "CREATE TABLE b (id integer);", "")
        .revision(
            "0002_c",
            &["0001_a"],
            "CREATE TABLE \"A\" (id integer); -- ALTER TABLE b",
            "",
        );
    p.run(&["merge", "--check"])
        .success()
        .stdout_has("no object is touched by more than one branch");
    p.run(&["merge"]).success().stderr_lacks("warning");
}

/// Runs examples/team-merge/run.sh with this binary; on PostgreSQL its
/// staging database is the test's own.
fn walkthrough(p: &Project) {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/team-merge/run.sh");
    let mut command = std::process::Command::new("bash");
    command
        .arg(&script)
        .env("MIGRATOR", env!("CARGO_BIN_EXE_migrator"))
        .env_remove("DATABASE_URL")
        .current_dir(p.path());
    if p.backend == Backend::Postgres {
        command.env("DATABASE_URL", p.url());
    }
    let output = command.output().expect("bash runs the walkthrough");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the walkthrough failed:\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    assert!(
        stdout.contains("run.sh: the walkthrough ran as expected"),
        "{stdout}"
    );
}

both_backends!(
    fn the_team_merge_walkthrough_runs(p: Project) {
        walkthrough(&p);
    }
);

both_backends!(
    fn rebase_refuses_to_move_applied_revisions(p: Project) {
        two_heads(&p).revision("0003_email_index", &["0002_email"], "", "");
        p.run(&["upgrade", "0003_email_index"]).success();
        p.run(&["rebase", "0002_email", "--onto", "0002_orders"])
            .failure(1)
            .stderr_has("moved revisions are applied in")
            .stderr_has("  0002_email\n  0003_email_index")
            .stderr_has("migrator downgrade 0001_users");
        assert!(p.path().join("versions/0002_email.up.sql").exists());
        assert!(!p.path().join("versions/0004_email.up.sql").exists());

        p.run(&["downgrade", "0001_users"]).success();
        p.run(&["rebase", "0002_email", "--onto", "0002_orders"])
            .success()
            .stdout_has("renamed 0002_email -> 0004_email  (Parents: 0002_orders)")
            .stdout_has("renamed 0003_email_index -> 0005_email_index  (Parents: 0004_email)");
        p.run(&["upgrade"])
            .success()
            .stdout_has("applied 3 revisions");
        assert_eq!(
            p.applied(),
            [
                "0001_users",
                "0002_orders",
                "0004_email",
                "0005_email_index"
            ]
        );
    }
);

#[test]
fn rebase_rewrites_parents_renumbers_and_keeps_the_rest_of_each_file() {
    let p = Project::new(Backend::Sqlite);
    two_heads(&p)
        .file(
            "versions/0003_email_index.up.sql",
            "-- Parents: 0002_email\r\n-- Message: Index email\r\n\r\nCREATE INDEX users_email ON users (email); -- Parents: x\r\n",
        )
        .file("versions/0003_email_index.down.sql", "DROP INDEX users_email;\r\n");
    let dry = p.run(&["rebase", "0002_e", "--onto", "0002_o", "--dry-run"]);
    dry.success()
        .stdout_has("would rename 0002_email -> 0004_email  (Parents: 0002_orders)")
        .stdout_has("would rename 0003_email_index -> 0005_email_index  (Parents: 0004_email)")
        .stderr_has("nothing was changed");
    assert!(p.path().join("versions/0002_email.up.sql").exists());

    p.run(&["rebase", "0002_e", "--onto", "0002_o"])
        .success()
        .stderr_has("git add -A versions");
    let read = |name: &str| std::fs::read_to_string(p.path().join("versions").join(name)).unwrap();
    assert_eq!(
        read("0005_email_index.up.sql"),
        "-- Parents: 0004_email\r\n-- Message: Index email\r\n\r\nCREATE INDEX users_email ON users (email); -- Parents: x\r\n"
    );
    assert_eq!(
        read("0005_email_index.down.sql"),
        "DROP INDEX users_email;\r\n"
    );
    assert!(
        read("0004_email.up.sql")
            .starts_with("-- Parents: 0002_orders\n-- Message: Add email to users\n")
    );
    assert!(!p.path().join("versions/0002_email.up.sql").exists());
    assert!(!p.path().join("versions/0003_email_index.down.sql").exists());
    p.run(&["heads"])
        .success()
        .stdout_has("0005_email_index (head)")
        .stderr_lacks("heads (");
    p.run(&["verify"]).success();
}

#[test]
fn rebase_explains_what_cannot_move() {
    let p = Project::new(Backend::Sqlite);
    two_heads(&p);
    p.run(&["rebase", "0001", "--onto", "0002_orders"])
        .failure(1)
        .stderr_has("0001_users is already part of 0002_orders's history");
    p.run(&["rebase", "0002_email", "--onto", "0001"])
        .failure(1)
        .stderr_has("0001_users is not a head");
    p.run(&["merge"]).success();
    p.revision("0002_tags", &["0001_users"], "", "");
    p.run(&["rebase", "0002_email", "--onto", "0002_tags"])
        .failure(1)
        .stderr_has("0003_merge_heads builds on 0002_orders too")
        .stderr_has("has not been merged yet");
    p.run(&["rebase", "0003_merge", "--onto", "0002_tags"])
        .failure(1)
        .stderr_has("0003_merge_heads is a merge revision");
}

#[test]
fn history_graph_draws_ten_parallel_branches_and_needs_no_database() {
    let p = Project::new(Backend::Sqlite);
    p.revision("0001_base", &[], "", "");
    let mut heads = Vec::new();
    for c in 'a'..='j' {
        let id = format!("0002_{c}");
        p.revision(&id, &["0001_base"], "", "");
        heads.push(id);
    }
    let parents: Vec<&str> = heads.iter().map(String::as_str).collect();
    p.revision("0003_merge", &parents, "", "");
    let run = p.run_without_url(&[
        "--database-url",
        "postgres://nobody:secret@127.0.0.1:1/none",
        "history",
        "--graph",
    ]);
    run.success()
        .stderr_has("drawing without applied markers")
        .stderr_lacks("secret");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "*----------------    0003_merge (head) (mergepoint), 0003_merge"
    );
    assert_eq!(lines[1], "|\\ \\ \\ \\ \\ \\ \\ \\ \\");
    assert_eq!(lines[2], "| | | | | | | | | *  0002_j, 0002_j");
    assert_eq!(lines[11], "* | | | | | | | | |  0002_a, 0002_a");
    assert_eq!(lines[12], "|/ / / / / / / / /");
    assert_eq!(
        lines[13],
        "*----------------    0001_base (branchpoint), 0001_base"
    );
}
