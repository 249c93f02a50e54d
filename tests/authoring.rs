//! Writing revisions for more than one database: placeholders, templates
//! for `migrator new`, and `--wait` for a database that is still starting.

#[macro_use]
mod support;

use support::pg::project_with_table_a;
use support::{Backend, Project};

/// A revision that creates a table named after `${TENANT}` and records the
/// environment as a string, with placeholders on.
fn tenant_revision(p: &Project) -> &Project {
    p.file(
        "versions/0001_tenant.up.sql",
        "-- Parents:\n-- Message: ${TENANT} table\n-- Placeholders: on\n\n\
         -- a comment keeps ${NOT_SET} as written\n\
         CREATE TABLE ${TENANT}_items (id integer PRIMARY KEY, env text DEFAULT '${ENV}');\n\
         INSERT INTO ${TENANT}_items (id) VALUES (1);\n\
         SELECT '$${TENANT}';\n",
    )
    .file(
        "versions/0001_tenant.down.sql",
        "DROP TABLE ${TENANT}_items;\n",
    )
}

both_backends!(
    fn placeholders_come_from_set_the_environment_and_migrator_toml(p: Project) {
        tenant_revision(&p).file(
            "migrator.toml",
            // MIGRATOR_ENV chooses an environment (which must exist).
            "[placeholders]\nTENANT = \"from_file\"\nENV = \"from_file\"\n\n[env.not_a_placeholder]\n",
        );
        // --set wins over the environment, which wins over the file.
        let mut command = p.command();
        command
            .args(["--database-url", p.url(), "upgrade", "--set", "TENANT=acme"])
            .env("MIGRATOR_TENANT", "from_env")
            .env("MIGRATOR_ENV", "not_a_placeholder");
        let output = command.output().unwrap();
        assert!(output.status.success(), "{output:?}");
        assert_eq!(
            p.query("SELECT id, env FROM acme_items"),
            [["1", "from_file"]]
        );
        // The record keeps the SQL that ran, and the checksum of the file.
        let stored = p.query("SELECT up_sql, down_sql FROM migrator_revisions");
        assert!(
            stored[0][0].contains("CREATE TABLE acme_items"),
            "{stored:?}"
        );
        assert!(stored[0][0].contains("-- a comment keeps ${NOT_SET} as written"));
        assert!(stored[0][0].contains("SELECT '${TENANT}';"), "{stored:?}");
        assert_eq!(stored[0][1], "DROP TABLE acme_items;\n");
        p.run(&["status", "--check", "--set", "TENANT=acme"])
            .success();
        p.run(&["verify"]).success();

        p.run_env(
            &["--database-url", p.url(), "downgrade", "base"],
            &[("MIGRATOR_TENANT", "acme")],
        )
        .success();
        assert!(!p.has_table("acme_items"));
    }
);

both_backends!(
    fn an_unset_placeholder_names_file_and_line_and_runs_nothing(p: Project) {
        p.revision(
            "0001_first",
            &[],
            "CREATE TABLE first (id integer);",
            "DROP TABLE first;",
        );
        tenant_revision(&p);
        std::fs::rename(
            p.path().join("versions/0001_tenant.up.sql"),
            p.path().join("versions/0002_tenant.up.sql"),
        )
        .unwrap();
        std::fs::rename(
            p.path().join("versions/0001_tenant.down.sql"),
            p.path().join("versions/0002_tenant.down.sql"),
        )
        .unwrap();
        let up = std::fs::read_to_string(p.path().join("versions/0002_tenant.up.sql")).unwrap();
        std::fs::write(
            p.path().join("versions/0002_tenant.up.sql"),
            up.replace("-- Parents:", "-- Parents: 0001_first"),
        )
        .unwrap();

        let run = p.run(&["upgrade", "--set", "ENV=prod"]);
        run.failure(2)
            .stderr_has("error: 3 placeholders without a value")
            .stderr_has(
                "versions/0002_tenant.up.sql:6: placeholder `${TENANT}` (column 14) has no value",
            )
            .stderr_has("versions/0002_tenant.down.sql:1: placeholder `${TENANT}`")
            .stderr_has("--set TENANT=VALUE")
            .stderr_lacks("NOT_SET");
        // Nothing ran, not even the revision before it, and the
        // bookkeeping tables were not created.
        assert!(!p.has_table("migrator_revisions"));
        assert!(!p.has_table("first"));

        // --dry-run lists the steps without values; --sql shows the SQL as
        // it would run, and refuses without a value.
        p.run(&["upgrade", "--dry-run"])
            .success()
            .stdout_has("0002_tenant");
        p.run(&["upgrade", "--sql", "--set", "ENV=prod"]).failure(2);
        p.run(&[
            "upgrade",
            "--sql",
            "--set",
            "ENV=prod",
            "--set",
            "TENANT=t1",
        ])
        .success()
        .stdout_has("CREATE TABLE t1_items (id integer PRIMARY KEY, env text DEFAULT 'prod');")
        .stdout_lacks("${TENANT}_items");
        assert!(p.applied().is_empty());
    }
);

both_backends!(
    fn substitute_placeholders_in_migrator_toml_turns_them_on_for_every_file(p: Project) {
        p.file(
            "migrator.toml",
            "substitute_placeholders = true\n[placeholders]\nROLE_TABLE = \"roles_app\"\n",
        )
        .revision("0001_roles", &[], "CREATE TABLE ${ROLE_TABLE} (name text);", "DROP TABLE ${ROLE_TABLE};")
        // A file that says off keeps its SQL as written.
        .file(
            "versions/0002_literal.up.sql",
            "-- Parents: 0001_roles\n-- Placeholders: off\n\nCREATE TABLE literal (v text DEFAULT '${ROLE_TABLE}');\n",
        )
        .file("versions/0002_literal.down.sql", "DROP TABLE literal;\n");
        p.run(&["upgrade"])
            .success()
            .stdout_has("applied 2 revisions");
        assert!(p.has_table("roles_app"));
        p.execute(match p.backend {
            Backend::Mysql => "INSERT INTO literal () VALUES ();",
            _ => "INSERT INTO literal DEFAULT VALUES;",
        });
        assert_eq!(p.query("SELECT v FROM literal"), [["${ROLE_TABLE}"]]);

        // Without the header line or the setting, ${…} is plain SQL text.
        p.file("migrator.toml", "");
        p.run(&["downgrade", "0001_roles"]).success();
        p.run(&["downgrade", "base"])
            .failure(1)
            .stderr_has("0001_roles");
    }
);

both_backends!(
    fn a_changed_value_is_no_drift_but_an_edited_file_is(p: Project) {
        tenant_revision(&p);
        p.run(&["upgrade", "--set", "TENANT=a", "--set", "ENV=x"])
            .success();
        // Another value for the next database: the file did not change.
        p.run(&["verify", "--set", "TENANT=b"]).success();
        p.run(&["status", "--check"]).success();
        let path = p.path().join("versions/0001_tenant.up.sql");
        let up = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, up.replace("(1)", "(2)")).unwrap();
        p.run(&["status", "--check"])
            .failure(1)
            .stdout_has("0001_tenant");
    }
);

#[test]
fn a_bad_set_is_bad_usage() {
    let p = Project::new(Backend::Sqlite);
    p.run(&["upgrade", "--set", "TENANT"])
        .failure(2)
        .stderr_has("`TENANT` is not NAME=VALUE");
    p.run(&["upgrade", "--set", "1X=a"])
        .failure(2)
        .stderr_has("`1X` is not a placeholder name");
    p.file("migrator.toml", "[placeholders]\n\"a-b\" = \"x\"\n");
    p.run(&["upgrade"])
        .failure(2)
        .stderr_has("migrator.toml: [placeholders]: `a-b` is not a placeholder name");
}

both_backends!(
    fn new_fills_the_projects_templates(p: Project) {
        p.file(
            "templates/new.up.sql",
            "-- Parents: {{parents}}\n-- Message: {{message}}\n-- Placeholders: on\n\n\
             -- {{id}}, created {{created}}\nCREATE TABLE ${TENANT}_{{id}} (id integer);\n",
        )
        .file("templates/new.down.sql", "DROP TABLE ${TENANT}_{{id}};\n");
        p.run(&["new", "-m", "First table"])
            .success()
            .stdout_has("0001_first_table");
        let up =
            std::fs::read_to_string(p.path().join("versions/0001_first_table.up.sql")).unwrap();
        assert!(
            up.starts_with("-- Parents:\n-- Message: First table\n-- Placeholders: on\n\n-- 0001_first_table, created "),
            "{up}"
        );
        assert!(
            up.ends_with("\nCREATE TABLE ${TENANT}_0001_first_table (id integer);\n"),
            "{up}"
        );
        p.run(&["new", "-m", "Second"]).success();
        let up = std::fs::read_to_string(p.path().join("versions/0002_second.up.sql")).unwrap();
        assert!(up.starts_with("-- Parents: 0001_first_table\n"), "{up}");
        assert_eq!(
            std::fs::read_to_string(p.path().join("versions/0002_second.down.sql")).unwrap(),
            "DROP TABLE ${TENANT}_0002_second;\n"
        );
        p.run(&["upgrade", "--set", "TENANT=t"])
            .success()
            .stdout_has("applied 2 revisions");
        assert!(p.has_table("t_0001_first_table") && p.has_table("t_0002_second"));
        p.run(&["downgrade", "base", "--set", "TENANT=t"]).success();
        assert!(!p.has_table("t_0001_first_table"));
    }
);

#[test]
fn a_template_without_parents_gets_migrators_header_and_unknown_variables_are_errors() {
    let p = Project::new(Backend::Sqlite);
    p.file("templates/new.up.sql", "SET lock_timeout = '5s';\n");
    p.run(&["new", "-m", "Boilerplate"]).success();
    let up = std::fs::read_to_string(p.path().join("versions/0001_boilerplate.up.sql")).unwrap();
    assert!(
        up.starts_with("-- Parents:\n-- Message: Boilerplate\n-- Created: "),
        "{up}"
    );
    assert!(up.ends_with(" UTC\n\nSET lock_timeout = '5s';\n"), "{up}");
    // No template for the down file: the built-in one.
    let down =
        std::fs::read_to_string(p.path().join("versions/0001_boilerplate.down.sql")).unwrap();
    assert!(
        down.starts_with("-- Undo what 0001_boilerplate.up.sql does."),
        "{down}"
    );

    p.file(
        "templates/new.down.sql",
        "-- undo {{id}}\n-- ticket {{ticket}}\n",
    );
    p.run(&["new", "-m", "Next"])
        .failure(1)
        .stderr_has("templates/new.down.sql:2: unknown template variable `{{ticket}}`")
        .stderr_has("a template may name {{id}}, {{message}}, {{parents}}, {{created}}");
    assert!(!p.path().join("versions/0002_next.up.sql").exists());
    assert!(!p.path().join("versions/0002_next.down.sql").exists());
}

/// A port on 127.0.0.1 that nothing listens on (yet).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `url` (a `postgres://…@HOST:PORT/…` URL) with its port replaced, and the
/// `HOST:PORT` it had.
fn with_port(url: &str, port: u16) -> (String, String) {
    let after_at = url
        .find('@')
        .map_or(url.find("://").unwrap() + 3, |at| at + 1);
    let end = after_at + url[after_at..].find('/').unwrap();
    let authority = url[after_at..end].to_owned();
    let host = authority
        .rsplit_once(':')
        .map_or(authority.as_str(), |(host, _)| host);
    (
        format!("{}{host}:{port}{}", &url[..after_at], &url[end..]),
        authority,
    )
}

/// After `delay`, forwards every connection to `port` on to `server`: a
/// database whose port opens late, as a container's does.
fn open_port_later(port: u16, server: String, delay: std::time::Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(delay);
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            let Ok(upstream) = std::net::TcpStream::connect(&server) else {
                continue;
            };
            for (mut from, mut to) in [
                (client.try_clone().unwrap(), upstream.try_clone().unwrap()),
                (upstream, client),
            ] {
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut from, &mut to);
                    let _ = to.shutdown(std::net::Shutdown::Write);
                });
            }
        }
    });
}

#[test]
fn wait_connects_once_the_port_opens() {
    let p = project_with_table_a();
    let port = free_port();
    let (late_url, server) = with_port(p.url(), port);
    open_port_later(port, server, std::time::Duration::from_millis(1500));
    let started = std::time::Instant::now();
    let run = p.run_without_url(&["--database-url", &late_url, "upgrade", "--wait=30s"]);
    run.success()
        .stdout_has("applied 1 revision")
        .stderr_has(&format!(
            "waiting up to 30s for postgres://postgres@127.0.0.1:{port}/"
        ))
        .stderr_has(&format!(
            "to accept connections (--wait): connection refused by 127.0.0.1 port {port}"
        ))
        .stderr_has(" is up, after ");
    assert!(started.elapsed() >= std::time::Duration::from_millis(1500));
    assert_eq!(p.applied(), ["0001_a"]);
    // Every command that connects waits, `status` too; a server that is up
    // is not waited for.
    p.run(&["status", "--wait"])
        .success()
        .stderr_lacks("waiting");
}

#[test]
fn wait_gives_up_after_its_timeout_and_never_waits_on_a_refusal() {
    let p = project_with_table_a();
    let (closed, _) = with_port(p.url(), free_port());
    let started = std::time::Instant::now();
    p.run_without_url(&["--database-url", &closed, "upgrade", "--wait=1s"])
        .failure(1)
        .stderr_has("waiting up to 1s for")
        .stderr_has("connection refused by 127.0.0.1 port")
        .stderr_has("(still, after waiting");
    let waited = started.elapsed();
    assert!(
        waited >= std::time::Duration::from_millis(700),
        "{waited:?}"
    );
    assert!(waited < std::time::Duration::from_secs(10), "{waited:?}");

    // A role the server does not know is its answer, not a server starting.
    let stranger = support::with_user(p.url(), "no_such_role", "x");
    let started = std::time::Instant::now();
    p.run_without_url(&["--database-url", &stranger, "upgrade", "--wait=30s"])
        .failure(1)
        .stderr_has("no_such_role")
        .stderr_lacks("waiting");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // Nor on a wrong password.
    let wrong = support::with_user(p.url(), "migrator_pw", "not_the_password");
    let started = std::time::Instant::now();
    p.run_without_url(&["--database-url", &wrong, "upgrade", "--wait=30s"])
        .failure(1)
        .stderr_has("password authentication failed")
        .stderr_lacks("waiting");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert!(p.applied().is_empty());
}

#[test]
fn wait_on_sqlite_has_nothing_to_wait_for() {
    let p = Project::new(Backend::Sqlite);
    p.revision(
        "0001_a",
        &[],
        "CREATE TABLE a (id integer);",
        "DROP TABLE a;",
    );
    p.run(&["upgrade", "--wait"])
        .success()
        .stderr_lacks("waiting");
    p.run(&["status", "--wait=5s", "--check"]).success();
    p.run(&["status", "--wait=soon"])
        .failure(2)
        .stderr_has("`soon` is not a duration");
}

both_backends!(
    fn the_roundtrip_runs_the_sql_as_substituted(p: Project) {
        tenant_revision(&p);
        p.run(&[
            "verify",
            "--roundtrip",
            "--set",
            "TENANT=scratch",
            "--set",
            "ENV=ci",
        ])
        .success();
        p.run(&["verify", "--roundtrip", "--set", "ENV=ci"])
            .failure(2)
            .stderr_has("placeholder `${TENANT}`");
        // The roundtrip's database is not this one.
        assert!(p.applied().is_empty());
    }
);

both_backends!(
    fn wait_with_the_database_up_connects_at_once(p: Project) {
        p.revision(
            "0001_a",
            &[],
            "CREATE TABLE a (id integer);",
            "DROP TABLE a;",
        );
        let started = std::time::Instant::now();
        p.run(&["upgrade", "--wait=30s"])
            .success()
            .stderr_lacks("waiting");
        p.run(&["history", "--verbose", "--wait"])
            .success()
            .stdout_has("State: applied");
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }
);

#[test]
fn the_library_sets_placeholders_too() {
    use migrator::Migrator;
    let p = Project::new(Backend::Sqlite);
    tenant_revision(&p);
    let dir = p.path().join("versions");
    let unset = Migrator::from_dir(&dir)
        .unwrap()
        .with_database_url(p.url())
        .unwrap()
        .upgrade("head")
        .unwrap_err();
    assert!(
        matches!(unset, migrator::Error::Placeholders { ref problems } if problems.len() == 4),
        "{unset:?}"
    );
    let report = Migrator::from_dir(&dir)
        .unwrap()
        .with_database_url(p.url())
        .unwrap()
        .with_placeholder("TENANT", "lib")
        .with_placeholder("ENV", "test")
        .upgrade("head")
        .unwrap();
    assert_eq!(report.steps.len(), 1);
    assert_eq!(p.query("SELECT env FROM lib_items"), [["test"]]);
}

#[test]
fn show_and_history_say_whether_a_revision_uses_placeholders() {
    let p = Project::new(Backend::Sqlite);
    tenant_revision(&p);
    p.revision("0002_plain", &["0001_tenant"], "SELECT 1;", "");
    p.run(&["show", "0001"])
        .success()
        .stdout_has("Placeholders: on");
    p.run(&["show", "0002"])
        .success()
        .stdout_lacks("Placeholders:");
    p.run(&["history", "--verbose"])
        .success()
        .stdout_has("Transaction: on\nPlaceholders: on\nFiles:");
    let json = p.run(&["history", "--format", "json"]);
    json.success();
    let document: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let text = document.to_string();
    assert_eq!(text.matches("\"placeholders\":true").count(), 1, "{text}");
}

// `verify --lint` has no MySQL rules.
sqlite_and_postgres!(
    fn the_lint_reads_revisions_with_their_placeholders_replaced(p: Project) {
        p.file(
            "versions/0001_items.up.sql",
            "-- Parents:\n-- Placeholders: on\n\nCREATE TABLE ${TENANT}_items (id integer);\n",
        )
        .file(
            "versions/0001_items.down.sql",
            "DROP TABLE ${TENANT}_items;\n",
        )
        .file(
            "versions/0002_flag.up.sql",
            "-- Parents: 0001_items\n-- Placeholders: on\n\n\
             ALTER TABLE ${TENANT}_items ADD COLUMN flag integer NOT NULL;\n",
        )
        .file(
            "versions/0002_flag.down.sql",
            "ALTER TABLE ${TENANT}_items DROP COLUMN flag;\n",
        );
        let rule = match p.backend {
            Backend::Mysql => unreachable!("verify --lint has no MySQL rules"),
            Backend::Sqlite => "sqlite-add-column-unsupported",
            Backend::Postgres => "not-null-without-default",
        };
        // Every statement parses, at its own line: a name without a value
        // stands for itself, a value is put in.
        p.run(&["verify", "--lint"])
            .failure(1)
            .stdout_lacks("not parsed")
            .stderr_lacks("not parsed")
            .stderr_has(&format!("error[{rule}]"))
            .stderr_has("`TENANT_items`")
            .stderr_has("versions/0002_flag.up.sql:4:1");
        p.run(&["verify", "--lint", "--set", "TENANT=acme"])
            .failure(1)
            .stderr_has("`acme_items`");
    }
);
