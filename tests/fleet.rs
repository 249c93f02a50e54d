//! Environments and fleets, on real databases: migrator.toml's `[env.NAME]`
//! sections, `${VAR}`, `.env`, `--config`; one command over many SQLite
//! files and PostgreSQL databases, tenant schemas and a targets query,
//! where a broken target fails alone and a re-run finishes it.

mod support;

use std::path::Path;

use serde_json::Value;
use support::{Backend, Project, postgres_server_url, sqlite_rows, with_database};

/// Three revisions: users, orders, an index.
fn project() -> Project {
    let p = Project::new(Backend::Sqlite);
    p.revision(
        "0001_users",
        &[],
        "CREATE TABLE users (id integer PRIMARY KEY, name text);",
        "DROP TABLE users;",
    )
    .revision(
        "0002_orders",
        &["0001_users"],
        "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer);",
        "DROP TABLE orders;",
    )
    .revision(
        "0003_orders_user",
        &["0002_orders"],
        "CREATE INDEX orders_user ON orders (user_id);",
        "DROP INDEX orders_user;",
    );
    p
}

fn json(run: &support::Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// The targets of a fleet document: name -> ok.
fn outcomes(document: &Value) -> Vec<(String, bool)> {
    document["targets"]
        .as_array()
        .expect("a targets array")
        .iter()
        .map(|t| {
            (
                t["target"].as_str().unwrap().to_owned(),
                t["ok"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn applied_sqlite(path: &Path) -> usize {
    sqlite_rows(path, "SELECT count(*) FROM migrator_revisions")[0][0]
        .parse()
        .unwrap()
}

/// PostgreSQL databases made for one test on the throwaway server, dropped
/// at its end.
struct Databases {
    server: String,
    names: Vec<String>,
}

impl Databases {
    fn create(prefix: &str, count: usize) -> Databases {
        let server = postgres_server_url();
        let mut admin =
            postgres::Client::connect(&server, postgres::NoTls).expect("the test server");
        let unique = format!("{prefix}_{}", std::process::id());
        let names: Vec<String> = (0..count).map(|i| format!("{unique}_{i:02}")).collect();
        for name in &names {
            admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
                .unwrap();
            admin
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .unwrap();
        }
        Databases { server, names }
    }

    fn url(&self, i: usize) -> String {
        with_database(&self.server, &self.names[i])
    }

    fn client(&self, i: usize) -> postgres::Client {
        postgres::Client::connect(&self.url(i), postgres::NoTls).unwrap()
    }

    fn applied(&self, i: usize) -> i64 {
        let mut client = self.client(i);
        let exists: bool = client
            .query_one("SELECT to_regclass('migrator_revisions') IS NOT NULL", &[])
            .unwrap()
            .get(0);
        if !exists {
            return 0;
        }
        client
            .query_one("SELECT count(*) FROM migrator_revisions", &[])
            .unwrap()
            .get(0)
    }
}

impl Drop for Databases {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.server, postgres::NoTls) {
            for name in &self.names {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// The server URL with its port replaced by one nothing listens on.
fn unreachable(url: &str) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let base = with_database(url, "nowhere");
    let scheme_end = base.find("://").unwrap() + 3;
    let authority_end = scheme_end + base[scheme_end..].find('/').unwrap();
    let host_start = base[scheme_end..authority_end]
        .rfind('@')
        .map_or(scheme_end, |at| scheme_end + at + 1);
    format!(
        "{}127.0.0.1:{port}{}",
        &base[..host_start],
        &base[authority_end..]
    )
}

fn toml_list(urls: &[String]) -> String {
    let quoted: Vec<String> = urls.iter().map(|u| format!("  \"{u}\",")).collect();
    format!("[\n{}\n]", quoted.join("\n"))
}

#[test]
fn one_command_upgrades_a_fleet_where_a_broken_target_fails_alone_and_a_rerun_finishes_it() {
    let p = project();
    let pg = Databases::create("fleet_story", 20);
    // One database refuses a revision: the table is there already.
    pg.client(7)
        .batch_execute("CREATE TABLE orders (id integer)")
        .unwrap();
    let mut urls: Vec<String> = (0..20)
        .map(|i| format!("sqlite:tenants/t{i:02}.db"))
        .collect();
    urls.extend((0..20).map(|i| pg.url(i)));
    let dead = unreachable(&pg.server);
    urls.push(dead.clone());
    let write_config = |urls: &[String]| {
        p.file(
            "migrator.toml",
            &format!("[env.fleet]\njobs = 8\ntargets = {}\n", toml_list(urls)),
        );
    };
    write_config(&urls);
    std::fs::create_dir_all(p.path().join("tenants")).unwrap();

    let run = p.run_without_url(&["--env", "fleet", "upgrade", "--format", "json"]);
    run.failure(1);
    let document = json(&run);
    let first = outcomes(&document);
    assert_eq!(first.len(), 41);
    let failed: Vec<&str> = first
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(t, _)| t.as_str())
        .collect();
    let broken = pg.url(7);
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(
        failed.contains(&broken.as_str()) && failed.contains(&dead.as_str()),
        "{failed:?}"
    );
    let target = |name: &str| {
        document["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["target"] == name)
            .unwrap()
            .clone()
    };
    let refused = target(&broken);
    assert_eq!(refused["error"]["revision"], "0002_orders", "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already exists"),
        "{refused}"
    );
    assert_eq!(target(&dead)["error"]["kind"], "database");
    assert_eq!(document["summary"]["ok"], 39);
    assert_eq!(document["summary"]["failed"], 2);
    for i in 0..20 {
        assert_eq!(
            applied_sqlite(&p.path().join(format!("tenants/t{i:02}.db"))),
            3
        );
        // The broken one keeps what came before the revision it refused.
        assert_eq!(pg.applied(i), if i == 7 { 1 } else { 3 }, "database {i}");
    }

    // The fix: the table goes, the URL is corrected. The re-run does only
    // what is left.
    pg.client(7).batch_execute("DROP TABLE orders").unwrap();
    let fixed = Databases::create("fleet_story_fixed", 1);
    *urls.last_mut().unwrap() = fixed.url(0);
    write_config(&urls);
    let rerun = p.run_without_url(&["--env", "fleet", "upgrade", "--format", "json"]);
    rerun.success();
    let document = json(&rerun);
    assert!(outcomes(&document).iter().all(|(_, ok)| *ok));
    let steps = |name: &str| {
        document["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["target"] == name)
            .unwrap()["report"]["steps"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(steps(&broken), 2);
    assert_eq!(steps(&fixed.url(0)), 3);
    assert_eq!(steps(&pg.url(0)), 0);
    assert_eq!(steps("sqlite:tenants/t00.db"), 0);
    assert_eq!(pg.applied(7), 3);
    assert_eq!(fixed.applied(0), 3);

    // In text: a line per target and the summary.
    p.run_without_url(&["--env", "fleet", "status"])
        .success()
        .stdout_has("status over environment fleet: 41 targets")
        .stdout_has("up to date     41")
        .stdout_has("all 41 targets ok");
}

#[test]
fn four_shards_together_take_every_target_exactly_once() {
    let p = project();
    let urls: Vec<String> = (0..40).map(|i| format!("sqlite:t{i:02}.db")).collect();
    p.file(
        "fleet.txt",
        &format!("# the tenants\n{}\n", urls.join("\n")),
    );
    p.file("migrator.toml", "targets_file = \"fleet.txt\"\n");
    let mut seen: Vec<String> = Vec::new();
    let deep = p.path().join("sub/folder");
    std::fs::create_dir_all(&deep).unwrap();
    for k in 1..=4 {
        let shard = format!("{k}/4");
        let run = p.run_without_url(&["upgrade", "--shard", &shard, "--format", "json"]);
        run.success();
        let document = json(&run);
        assert_eq!(document["shard"], shard.as_str());
        assert_eq!(document["summary"]["fleet"], 40);
        let names: Vec<(String, bool)> = outcomes(&document);
        // Names, and so shards, are the same from any folder of the project.
        let from_below = p.command_in(&deep, &["status", "--shard", &shard, "--format", "json"]);
        assert_eq!(outcomes(&json(from_below.success())), names);
        seen.extend(names.into_iter().map(|(name, _)| name));
    }
    seen.sort();
    assert_eq!(seen, urls);
    for i in 0..40 {
        assert_eq!(applied_sqlite(&p.path().join(format!("t{i:02}.db"))), 3);
    }
    // A fleet stays a fleet when --only leaves one target, or none.
    let one = p.run_without_url(&["status", "--only", "*t07*", "--format", "json"]);
    assert_eq!(
        outcomes(&json(one.success())),
        [("sqlite:t07.db".to_owned(), true)]
    );
    let none = p.run_without_url(&["status", "--only", "nothing*", "--format", "json"]);
    assert_eq!(json(none.success())["targets"], serde_json::json!([]));
    p.run_without_url(&["status", "--shard", "5/4"])
        .failure(2)
        .stderr_has("`5/4` is not a shard");
}

#[test]
fn fail_fast_starts_no_target_after_the_first_failure() {
    let p = project();
    p.file(
        "migrator.toml",
        "targets = [\"sqlite:a.db\", \"sqlite:b.db\", \"sqlite:c.db\"]\njobs = 1\n",
    );
    rusqlite::Connection::open(p.path().join("a.db"))
        .unwrap()
        .execute_batch("CREATE TABLE users (x)")
        .unwrap();
    let run = p.run_without_url(&["upgrade", "--fail-fast", "--format", "json"]);
    run.failure(1);
    let document = json(&run);
    assert_eq!(document["summary"]["failed"], 1);
    assert_eq!(document["summary"]["not_started"], 2);
    assert_eq!(document["targets"][1]["started"], false);
    assert!(!p.path().join("c.db").exists());
    // Without it, the others complete.
    let run = p.run_without_url(&["upgrade"]);
    run.failure(1)
        .stdout_has("1 of 3 targets failed")
        .stdout_lacks("not started");
}

#[test]
fn tenant_schemas_and_a_targets_query_on_postgresql() {
    let p = project();
    let pg = Databases::create("fleet_tenants", 1);
    pg.client(0)
        .batch_execute(
            "CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b;
             CREATE TABLE public.tenants (name text, active boolean);
             INSERT INTO public.tenants VALUES ('tenant_q1', true), ('tenant_q2', true), ('gone', false);",
        )
        .unwrap();
    p.file(
        "migrator.toml",
        &format!(
            "database_url = \"{}\"\n\n[env.listed]\nschemas = [\"tenant_a\", \"tenant_b\", \"tenant_c\"]\n\n\
             [env.queried]\ntargets_query = \"SELECT name FROM public.tenants WHERE active ORDER BY name\"\n",
            pg.url(0)
        ),
    );
    // One job: one session goes from tenant to tenant.
    p.run_without_url(&["--env", "listed", "upgrade", "--jobs", "1"])
        .success()
        .stdout_has("tenant_c")
        .stdout_has("all 3 targets ok");
    p.run_without_url(&["--env", "queried", "upgrade", "--jobs", "2"])
        .success()
        .stdout_has("all 2 targets ok");
    let mut client = pg.client(0);
    for schema in ["tenant_a", "tenant_b", "tenant_c", "tenant_q1", "tenant_q2"] {
        // The tenant's tables and its bookkeeping, in its own schema.
        let tables: i64 = client
            .query_one(
                "SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename IN ('users', 'orders', 'migrator_revisions')",
                &[&schema],
            )
            .unwrap()
            .get(0);
        assert_eq!(tables, 3, "{schema}");
    }
    let public: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'tenants'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(public, 0);
    // Status names each tenant's state: one drifted behind, one locked.
    client
        .batch_execute("DELETE FROM tenant_b.migrator_revisions WHERE id = '0003_orders_user'")
        .unwrap();
    let run = p.run_without_url(&["--env", "listed", "status", "--check", "--format", "json"]);
    run.failure(1);
    let document = json(&run);
    assert_eq!(
        outcomes(&document),
        [
            ("tenant_a".into(), true),
            ("tenant_b".into(), false),
            ("tenant_c".into(), true)
        ]
    );
    assert_eq!(
        document["targets"][1]["report"]["pending"][0]["id"],
        "0003_orders_user"
    );
    p.run_without_url(&["--env", "listed", "status"])
        .success()
        .stdout_has("behind")
        .stdout_has("tenant_b");
    // A query that is not one is the fleet's failure, before any target.
    p.file(
        "migrator.toml",
        &format!(
            "database_url = \"{}\"\ntargets_query = \"SELECT nope FROM nowhere\"\n",
            pg.url(0)
        ),
    );
    p.run_without_url(&["status"])
        .failure(1)
        .stderr_has("nowhere");
}

#[test]
fn environments_variables_dotenv_config_and_parent_folders() {
    let p = project();
    p.file(
        "migrator.toml",
        "database_url = \"sqlite:dev.db\"\n\n[env.test]\ndatabase_url = \"sqlite:${TEST_DB_NAME}.db\"\n\n\
         [env.other]\ndatabase_url = \"sqlite:${NEVER_SET_ANYWHERE}.db\"\n",
    );
    p.run_without_url(&["upgrade"]).success();
    assert_eq!(applied_sqlite(&p.path().join("dev.db")), 3);
    // An unset variable of the environment in use: bad usage naming both.
    p.run_without_url(&["--env", "test", "status"])
        .failure(2)
        .stderr_has("migrator.toml: [env.test] database_url: the environment variable TEST_DB_NAME is not set");
    // The real environment, then .env (which never overrides it).
    p.file(".env", "# local settings\nTEST_DB_NAME=from_dotenv\n");
    p.run_without_url(&["--env", "test", "upgrade"]).success();
    assert_eq!(applied_sqlite(&p.path().join("from_dotenv.db")), 3);
    p.run_env(
        &["upgrade"],
        &[("MIGRATOR_ENV", "test"), ("TEST_DB_NAME", "from_env")],
    )
    .success();
    assert_eq!(applied_sqlite(&p.path().join("from_env.db")), 3);
    // An environment that is not there names those that are.
    p.run_without_url(&["--env", "tset", "status"])
        .failure(2)
        .stderr_has("has no environment `tset`")
        .stderr_has("did you mean `test`?");
    // An environment's database_url wins over DATABASE_URL; the top level does not.
    p.run_env(
        &["--env", "test", "current"],
        &[("DATABASE_URL", "sqlite:elsewhere.db")],
    )
    .success()
    .stdout_has("0003_orders_user");
    p.run_env(&["current"], &[("DATABASE_URL", "sqlite:elsewhere.db")])
        .success()
        .stdout_has("<base>");
    // From a subfolder, the file is found and its paths are its folder's.
    let deep = p.path().join("src/deeper");
    std::fs::create_dir_all(&deep).unwrap();
    p.command_in(&deep, &["--env", "test", "current"])
        .success()
        .stdout_has("0003_orders_user");
    assert!(!deep.join("from_dotenv.db").exists());
    // --config names a file elsewhere; its folder is the base.
    let elsewhere = tempfile::tempdir().unwrap();
    p.command_in(
        elsewhere.path(),
        &[
            "--config",
            &p.path().join("migrator.toml").display().to_string(),
            "status",
        ],
    )
    .success()
    .stdout_has("up to date");
    p.command_in(elsewhere.path(), &["--config", "missing.toml", "status"])
        .failure(2)
        .stderr_has("--config missing.toml: no such file");
    p.command_in(elsewhere.path(), &["--env", "test", "status"])
        .failure(2)
        .stderr_has("there is no migrator.toml here or in a parent folder");
}

#[test]
fn status_over_a_fleet_names_the_target_a_run_holds() {
    let p = project();
    p.revision(
        "0004_slow",
        &["0003_orders_user"],
        "SELECT pg_sleep(8);",
        "",
    );
    let pg = Databases::create("fleet_locked", 2);
    p.file(
        "migrator.toml",
        &format!("targets = {}\n", toml_list(&[pg.url(0), pg.url(1)])),
    );
    let running = p
        .command()
        .args(["upgrade", "--only", "*_00"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut last = String::new();
    support::eventually(
        std::time::Duration::from_secs(20),
        "status to see the run",
        || {
            let run = p.run_without_url(&["status", "--format", "json"]);
            last = run.stdout.clone();
            let document = json(&run);
            !document["targets"][0]["report"]["run_in_progress"].is_null()
        },
    );
    let run = p.run_without_url(&["status"]);
    run.stdout_has("locked").stdout_has("a run is in progress");
    let finished = running.wait_with_output().unwrap();
    assert!(finished.status.success(), "{last}");
    assert_eq!(pg.applied(0), 4);
    assert_eq!(pg.applied(1), 0);
}

#[test]
fn schema_file_is_not_written_over_a_fleet() {
    let p = project();
    p.file(
        "migrator.toml",
        "schema_file = \"schema.sql\"\ntargets = [\"sqlite:a.db\", \"sqlite:b.db\"]\n",
    );
    p.run_without_url(&["upgrade"])
        .success()
        .stderr_has("schema_file is not written over a fleet");
    assert!(!p.path().join("schema.sql").exists());
    p.run_without_url(&["stamp", "base", "--schema-file", "other.sql"])
        .failure(2)
        .stderr_has("--schema-file is not for a fleet");
    p.run_without_url(&["dump"])
        .failure(2)
        .stderr_has("names a fleet (`targets`)");
    // One database of it, named: the file is written as usual.
    p.run_without_url(&["--database-url", "sqlite:a.db", "dump"])
        .success();
    assert!(p.path().join("schema.sql").exists());
}

#[test]
fn every_target_gets_the_environments_lock_strategy() {
    let p = project();
    let pg = Databases::create("fleet_lock", 2);
    p.file(
        "migrator.toml",
        &format!(
            "[env.pooled]\nlock = \"table\"\ntargets = {}\n",
            toml_list(&[pg.url(0), pg.url(1)])
        ),
    );
    p.run_without_url(&["--env", "pooled", "upgrade"]).success();
    for i in 0..2 {
        assert_eq!(pg.applied(i), 3);
        let lock_table: bool = pg
            .client(i)
            .query_one("SELECT to_regclass('migrator_lock') IS NOT NULL", &[])
            .unwrap()
            .get(0);
        assert!(lock_table, "database {i} was locked with the table");
    }
}
