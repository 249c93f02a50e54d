//! The other commands through the real binary: init, new, heads, branches,
//! history, show, current, status, JSON output, folder errors, settings.

#[macro_use]
mod support;

use support::{Backend, Project};

fn chain(p: &Project) -> &Project {
    p.revision(
        "0001_users",
        &[],
        "CREATE TABLE users (id integer);",
        "DROP TABLE users;",
    )
    .revision(
        "0002_orders",
        &["0001_users"],
        "CREATE TABLE orders (id integer);",
        "DROP TABLE orders;",
    )
}

#[test]
fn init_then_new_writes_a_revision_pair_on_the_single_head() {
    let p = Project::new(Backend::Sqlite);
    p.run(&["init"])
        .success()
        .stdout_has("created versions/")
        .stdout_has("created migrator.toml");
    assert!(p.path().join("migrator.toml").exists());
    p.run(&["init"]).success().stderr_has("already exists");

    p.run(&["new", "-m", "Create users"])
        .success()
        .stdout_has("versions/0001_create_users.up.sql");
    p.run(&["revision", "-m", "Add e-mail to users!"])
        .success()
        .stdout_has("versions/0002_add_e_mail_to_users.up.sql");
    let up =
        std::fs::read_to_string(p.path().join("versions/0002_add_e_mail_to_users.up.sql")).unwrap();
    assert!(
        up.starts_with(
            "-- Parents: 0001_create_users\n-- Message: Add e-mail to users!\n-- Created: "
        ),
        "{up}"
    );
    assert!(
        p.path()
            .join("versions/0002_add_e_mail_to_users.down.sql")
            .exists()
    );
    p.run(&["heads"])
        .success()
        .stdout_has("0002_add_e_mail_to_users (head), Add e-mail to users!");
    // The new files are valid revisions: empty SQL applies.
    p.run(&["upgrade"])
        .success()
        .stdout_has("applied 2 revisions");
}

#[test]
fn new_with_two_heads_asks_for_merge_or_a_parent() {
    let p = Project::new(Backend::Sqlite);
    chain(&p).revision(
        "0002_tags",
        &["0001_users"],
        "CREATE TABLE tags (id integer);",
        "DROP TABLE tags;",
    );
    p.run(&["new", "-m", "more"])
        .failure(1)
        .stderr_has("2 heads")
        .stderr_has("0002_orders")
        .stderr_has("migrator merge");
    p.run(&[
        "new", "-m", "more", "--parent", "0002_o", "--parent", "0002_t",
    ])
    .success();
    let up = std::fs::read_to_string(p.path().join("versions/0003_more.up.sql")).unwrap();
    assert!(
        up.starts_with("-- Parents: 0002_orders, 0002_tags\n"),
        "{up}"
    );
    p.run(&["new", "-m", "x", "--parent", "0009"])
        .failure(1)
        .stderr_has("0009");
}

#[test]
fn heads_branches_and_history_need_no_database() {
    let p = Project::new(Backend::Sqlite);
    chain(&p)
        .revision("0002_tags", &["0001_users"], "", "")
        .revision("0003_merge", &["0002_orders", "0002_tags"], "", "");
    let url = [
        "--database-url",
        "postgres://nobody:secret@127.0.0.1:1/none",
    ];
    p.run_without_url(&[&url[..], &["heads"]].concat())
        .success()
        .stdout_has("0003_merge (head) (mergepoint), 0003_merge");
    p.run_without_url(&[&url[..], &["branches"]].concat())
        .success()
        .stdout_has("0001_users (branchpoint)")
        .stdout_has("  -> 0002_orders")
        .stdout_has("  -> 0002_tags");
    let history = p.run_without_url(&[&url[..], &["history"]].concat());
    history.success();
    assert_eq!(
        history.stdout.lines().collect::<Vec<_>>(),
        [
            "(0002_orders, 0002_tags) -> 0003_merge (head) (mergepoint), 0003_merge",
            "0001_users -> 0002_tags, 0002_tags",
            "0001_users -> 0002_orders, 0002_orders",
            "<base> -> 0001_users (branchpoint), 0001_users",
        ]
    );
    let range = p.run_without_url(&[&url[..], &["history", "-r", "0002_t:"]].concat());
    assert_eq!(range.stdout.lines().count(), 2, "{}", range.stdout);
}

#[test]
fn folder_problems_are_reported_together_with_file_and_line() {
    let p = Project::new(Backend::Sqlite);
    p.file(
        "versions/0001_users.up.sql",
        "-- Parent: \nCREATE TABLE users (id integer);\n",
    )
    .file("versions/0001_users.down.sql", "DROP TABLE users;\n")
    .file(
        "versions/0002_orders.up.sql",
        "-- Parents: 0001_users\nCREATE TABLE orders (id integer);\n",
    )
    .file("versions/0003_x.up.sql", "-- Parents: 0002_nope\n")
    .file("versions/0003_x.down.sql", "");
    let run = p.run(&["upgrade"]);
    run.failure(1)
        .stderr_has("versions/0001_users.up.sql:1")
        .stderr_has("did you mean `Parents`")
        .stderr_has("0002_orders.down.sql")
        .stderr_has(
            "versions/0003_x.up.sql:1: 0003_x names a parent that does not exist: `0002_nope`",
        );
    assert!(
        !p.has_table("migrator_revisions"),
        "nothing may be created when the folder is broken"
    );
}

#[test]
fn a_missing_folder_says_how_to_make_one() {
    let p = Project::new(Backend::Sqlite);
    p.run(&["heads"])
        .failure(1)
        .stderr_has("versions")
        .stderr_has("migrator init");
}

both_backends!(
    fn status_and_current_compare_database_and_folder(p: Project) {
        chain(&p);
        p.run(&["current"]).success().stdout_has("<base>");
        p.run(&["status", "--check"])
            .failure(1)
            .stdout_has("pending:  2");
        p.run(&["upgrade", "+1"]).success();
        p.run(&["status"])
            .success()
            .stdout_has("applied:  1 of 2")
            .stdout_has("pending 0002_orders");
        p.run(&["upgrade"]).success();
        p.run(&["status", "--check"])
            .success()
            .stdout_has("up to date");
        p.run(&["current"])
            .success()
            .stdout_has("0002_orders (head), 0002_orders");
    }
);

both_backends!(
    fn read_only_commands_speak_json(p: Project) {
        chain(&p);
        p.run(&["upgrade", "+1"]).success();
        let status: serde_json::Value =
            serde_json::from_str(&p.run(&["--format", "json", "status"]).success().stdout).unwrap();
        assert_eq!(status["applied"], serde_json::json!(["0001_users"]));
        assert_eq!(status["pending"][0]["id"], "0002_orders");
        assert!(!status["database"].as_str().unwrap().contains("secret"));

        let history: serde_json::Value =
            serde_json::from_str(&p.run(&["history", "--format", "json"]).success().stdout)
                .unwrap();
        assert_eq!(history["revisions"][0]["id"], "0002_orders");
        assert_eq!(history["revisions"][0]["applied"], serde_json::Value::Null);
        assert_eq!(history["revisions"][1]["id"], "0001_users");
        assert!(history["revisions"][1]["applied"]["applied_at"].is_string());

        let current: serde_json::Value =
            serde_json::from_str(&p.run(&["current", "--format", "json"]).success().stdout)
                .unwrap();
        assert_eq!(current["current"][0]["id"], "0001_users");
        let heads: serde_json::Value =
            serde_json::from_str(&p.run(&["heads", "--format", "json"]).success().stdout).unwrap();
        assert_eq!(heads["heads"][0]["id"], "0002_orders");
        let show: serde_json::Value = serde_json::from_str(
            &p.run(&["show", "0001", "--format", "json"])
                .success()
                .stdout,
        )
        .unwrap();
        assert_eq!(
            show["up_sql"],
            "-- Parents: \n-- Message: 0001_users\n\nCREATE TABLE users (id integer);\n"
        );
    }
);

both_backends!(
    fn show_prints_both_files(p: Project) {
        chain(&p);
        p.run(&["show", "0002"])
            .success()
            .stdout_has("Rev: 0002_orders (head)")
            .stdout_has("Parents: 0001_users")
            .stdout_has("CREATE TABLE orders")
            .stdout_has("DROP TABLE orders");
    }
);

both_backends!(
    fn an_edited_applied_revision_stops_upgrade(p: Project) {
        chain(&p);
        p.run(&["upgrade", "+1"]).success();
        p.file(
            "versions/0001_users.up.sql",
            "-- Parents: \n-- Message: 0001_users\n\nCREATE TABLE users (id bigint);\n",
        );
        p.run(&["upgrade"])
            .failure(1)
            .stderr_has("0001_users")
            .stderr_has("-CREATE TABLE users (id integer);")
            .stderr_has("+CREATE TABLE users (id bigint);");
        assert_eq!(p.applied(), ["0001_users"]);
        p.run(&["upgrade", "--allow-drift"]).success();
        assert_eq!(p.applied(), ["0001_users", "0002_orders"]);
        assert_eq!(
            p.query("SELECT note FROM migrator_log WHERE revision = '0002_orders'"),
            [["--allow-drift"]]
        );
    }
);

both_backends!(
    fn crlf_and_bom_copies_do_not_drift(p: Project) {
        chain(&p);
        p.run(&["upgrade"]).success();
        let path = p.path().join("versions/0001_users.up.sql");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("\u{feff}{}", text.replace('\n', "\r\n"))).unwrap();
        p.run(&["status", "--check"]).success();
    }
);

#[test]
fn settings_come_from_options_then_environment_then_migrator_toml() {
    let p = Project::new(Backend::Sqlite);
    p.file(
        "migrations/0001_a.up.sql",
        "-- Parents:\nCREATE TABLE a (id integer);\n",
    )
    .file("migrations/0001_a.down.sql", "DROP TABLE a;\n")
    .file(
        "migrator.toml",
        "dir = \"migrations\"\ndatabase_url = \"sqlite:from_toml.db\"\n",
    );
    p.run_without_url(&["upgrade"]).success();
    assert!(p.path().join("from_toml.db").exists());
    p.run_env(&["upgrade"], &[("DATABASE_URL", "sqlite:from_env.db")])
        .success();
    assert!(p.path().join("from_env.db").exists());
    p.run_env(
        &["--database-url", "sqlite:from_option.db", "upgrade"],
        &[("DATABASE_URL", "sqlite:from_env.db")],
    )
    .success();
    assert!(p.path().join("from_option.db").exists());

    p.file(
        "migrator.toml",
        "dir = \"migrations\"\ndatabse_url = \"x\"\n",
    );
    p.run_without_url(&["heads"])
        .failure(1)
        .stderr_has("migrator.toml")
        .stderr_has("line 2");
}

#[test]
fn the_embedded_default_is_sqlite_migrator_db() {
    let p = Project::new(Backend::Sqlite);
    chain(&p);
    p.run_without_url(&["status"])
        .success()
        .stdout_has("database: sqlite:migrator.db");
    assert!(
        !p.path().join("migrator.db").exists(),
        "a read-only command must not create the database"
    );
    p.run_without_url(&["upgrade"]).success();
    assert!(p.path().join("migrator.db").exists());
}

/// A database file that does not exist yet reads as one where nothing is
/// applied: no command that only reads (or prints what it would do)
/// creates it, or the lock file beside it.
#[test]
fn reading_a_database_file_that_does_not_exist_creates_nothing() {
    let p = Project::new(Backend::Sqlite);
    chain(&p);
    for args in [
        &["status"][..],
        &["--format", "json", "status"],
        &["current"],
        &["log"],
        &["history", "-v"],
        &["history", "--graph"],
        &["show", "0001"],
        &["verify"],
        &["verify", "--roundtrip"],
        &["upgrade", "--dry-run"],
        &["upgrade", "--sql"],
        &["downgrade", "base", "--sql"],
    ] {
        p.run(args).success();
        let files: Vec<String> = std::fs::read_dir(p.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name != "versions")
            .collect();
        assert!(
            files.is_empty(),
            "`migrator {}` created {files:?}",
            args.join(" ")
        );
    }
    p.run(&["upgrade", "--sql"])
        .stdout_has("CREATE TABLE IF NOT EXISTS migrator_revisions");
    p.run(&["status"]).stdout_has("pending");
}

#[test]
fn bad_usage_exits_2_and_bad_urls_never_print_passwords() {
    let p = Project::new(Backend::Sqlite);
    chain(&p);
    p.run(&["upgrade", "--no-such-flag"]).failure(2);
    p.run(&["downgrade"]).failure(2);
    p.run(&["--lock-timeout", "soon", "upgrade"])
        .failure(2)
        .stderr_has("--lock-timeout")
        .stderr_has("`soon` is not a duration");
    p.file("migrator.toml", "lock_timeout = \"soon\"\n");
    p.run(&["upgrade"])
        .failure(2)
        .stderr_has("migrator.toml: lock_timeout: `soon` is not a duration");
    std::fs::remove_file(p.path().join("migrator.toml")).unwrap();
    for url in [
        "oracle://root:hunter2@db/app",
        "mysql://root:hunter2@db/app?ssl-mode=sure",
    ] {
        p.run_without_url(&["--database-url", url, "upgrade"])
            .failure(2)
            .stderr_lacks("hunter2");
    }
}

/// A `postgres://` URL the connection could not read is bad usage, from
/// whichever source it came, refused before anything touches a database
/// (every host here would refuse a connection with exit 1), naming the URL
/// without its password and what is wrong.
#[test]
fn malformed_postgres_urls_exit_2_from_every_source_without_the_password() {
    let p = Project::new(Backend::Sqlite);
    chain(&p);
    let password = "Pw/x?y";
    let cases = [
        (
            format!("postgres://u:{password}@127.0.0.1:notaport/db"),
            "postgres://u:***@127.0.0.1:notaport/db",
            "invalid value for option `port`",
        ),
        (
            format!("postgres://u:{password}@127.0.0.1:99999/db"),
            "postgres://u:***@127.0.0.1:99999/db",
            "invalid value for option `port`",
        ),
        (
            format!("postgresql://u:{password}@[::1/db"),
            "postgresql://u:***@[::1/db",
            "invalid value for option `host`",
        ),
        (
            format!("postgres://u:{password}@127.0.0.1:1/db?no_such_option=1"),
            "postgres://u:***@127.0.0.1:1/db?no_such_option=1",
            "unknown option `no_such_option`",
        ),
        (
            format!("postgres://u:{password}@127.0.0.1:1/db?sslmode=verify-fulll"),
            "postgres://u:***@127.0.0.1:1/db?sslmode=verify-fulll",
            "unknown sslmode `verify-fulll`",
        ),
        (
            "postgres://u:Pw/x@y@127.0.0.1:1/db".to_string(),
            "postgres://u:***@127.0.0.1:1/db",
            "%40",
        ),
    ];
    for (url, redacted, says) in &cases {
        let expected = format!("error: invalid database URL `{redacted}`: ");
        let toml = format!("database_url = {url:?}\n");
        let runs = [
            p.run_without_url(&["--database-url", url, "upgrade"]),
            p.run_env(&["status"], &[("DATABASE_URL", url)]),
            {
                p.file("migrator.toml", &toml);
                let run = p.run_without_url(&["--format", "json", "status"]);
                std::fs::remove_file(p.path().join("migrator.toml")).unwrap();
                run
            },
            p.run_without_url(&["--database-url", url, "verify"]),
            p.run(&["verify", "--roundtrip", "--scratch-url", url]),
        ];
        for run in &runs {
            run.failure(2)
                .stderr_has(&expected)
                .stderr_has(says)
                .stdout_lacks(password)
                .stderr_lacks(password)
                .stderr_lacks("Pw/x@y");
        }
    }
    assert!(!p.path().join("migrator.db").exists());
    assert!(!p.path().join("test.db").exists());
}

#[test]
fn an_invalid_pgsslmode_exits_2_naming_it() {
    let p = Project::new(Backend::Sqlite);
    chain(&p);
    for mode in ["verify-fulll", "VERIFY-FULL"] {
        p.run_env(
            &[
                "--database-url",
                "postgres://u:S3cret@127.0.0.1:1/db",
                "status",
            ],
            &[("PGSSLMODE", mode)],
        )
        .failure(2)
        .stderr_has("PGSSLMODE")
        .stderr_has(&format!("`{mode}`"))
        .stderr_lacks("S3cret");
    }
    // The URL's sslmode wins, as in libpq: PGSSLMODE is then not read, and
    // the run gets as far as the (refused) connection.
    p.run_env(
        &[
            "--database-url",
            "postgres://u:S3cret@127.0.0.1:1/db?sslmode=disable",
            "status",
        ],
        &[("PGSSLMODE", "verify-fulll")],
    )
    .failure(1)
    .stderr_has("connection refused")
    .stderr_lacks("S3cret");
}

#[test]
fn a_key_value_connection_string_is_refused_without_its_password() {
    let p = Project::new(Backend::Sqlite);
    chain(&p);
    for url in [
        "host=127.0.0.1 password=S3cret dbname=db",
        "host=127.0.0.1 password = 'S3cret and more' dbname=db",
    ] {
        p.run_without_url(&["--database-url", url, "status"])
            .failure(2)
            .stderr_has("***")
            .stderr_has("key/value")
            .stderr_lacks("S3cret");
    }
}

#[test]
fn an_empty_schema_and_repair_without_ids_are_usage_errors() {
    let p = Project::new(Backend::Sqlite);
    chain(&p);
    p.run(&["--schema", "", "status"])
        .failure(2)
        .stderr_has("--schema");
    // Decided before the database is opened: the SQLite file is not made.
    p.run(&["repair"]).failure(2).stderr_has("<ID|--all>");
    p.run(&["repair", "--all", "0001_users"]).failure(2);
    assert!(!p.path().join("test.db").exists());
}

#[test]
fn migrator_toml_is_found_in_a_parent_folder_and_its_paths_follow_it() {
    let p = Project::new(Backend::Sqlite);
    chain(&p);
    p.file("migrator.toml", "database_url = \"sqlite:app.db\"\n")
        .file("deep/er/.keep", "");
    let sub = p.path().join("deep/er");
    let run = p.command_in(&sub, &["upgrade"]);
    run.success().stdout_has("applied 2 revisions");
    assert!(
        p.path().join("app.db").exists(),
        "the file's folder holds the database"
    );
    assert!(!sub.join("app.db").exists());
    p.command_in(&sub, &["status"])
        .success()
        .stdout_has(&format!(
            "database: sqlite:{}",
            p.path().join("app.db").display()
        ));
}
