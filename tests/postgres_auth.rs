//! Connecting to PostgreSQL the ways libpq does besides a URL with a
//! password: client certificates, the operating system's authorities, the
//! password file, connection services. Against the throwaway server of
//! `scripts/test`, which has a role `migrator_cert` that logs in with a
//! client certificate alone and a role `migrator_pw` with a password.

#[macro_use]
mod support;

use std::path::Path;

use support::pg::{project_with_table_a, tls_folder, with_host_and_query, without_password};
use support::{Backend, Project};

/// Copies `from` to `to` with permission bits `mode`.
fn copy_with_mode(from: &Path, to: &Path, mode: u32) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, to).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// `url` with `localhost` for its host (the name in the server's
/// certificate) and `query` after it.
fn localhost(url: &str, query: &str) -> String {
    with_host_and_query(url, "localhost", query)
}

/// This project's database, open to `role` (created by the tests' own
/// superuser, its schema is not).
fn grant(p: &Project, role: &str) {
    p.execute(&format!("GRANT ALL ON SCHEMA public TO {role};"));
}

/// Runs the binary in the project with only `args`, a `HOME` of its own
/// and `env`.
fn run(p: &Project, home: &Path, args: &[&str], env: &[(&str, &str)]) -> support::Run {
    let mut all = vec![("HOME", home.to_str().unwrap())];
    all.extend_from_slice(env);
    for name in [
        "PGSSLCERT",
        "PGSSLKEY",
        "PGSSLROOTCERT",
        "PGPASSFILE",
        "PGSERVICE",
        "PGSERVICEFILE",
        "PGPASSWORD",
    ] {
        assert!(
            std::env::var_os(name).is_none(),
            "the tests run without {name}"
        );
    }
    p.run_env(args, &all)
}

#[test]
fn a_client_certificate_logs_in_from_the_url_the_environment_or_the_home_folder() {
    let tls = tls_folder();
    let p = Project::new(Backend::Postgres);
    grant(&p, "migrator_cert");
    p.revision(
        "0001_who",
        &[],
        "CREATE TABLE who AS SELECT current_user AS name, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();",
        "DROP TABLE who;",
    );
    let home = tempfile::tempdir().unwrap();
    let key = home.path().join("keys/client.key");
    copy_with_mode(&tls.join("client.key"), &key, 0o600);
    let cert = tls.join("client.crt");
    let ca = tls.join("ca.crt");
    let base = localhost(
        &without_password(p.url(), "migrator_cert"),
        &format!("sslmode=verify-full&sslrootcert={}", ca.display()),
    );

    // In the URL.
    let url = format!("{base}&sslcert={}&sslkey={}", cert.display(), key.display());
    run(&p, home.path(), &["--database-url", &url, "upgrade"], &[]).success();
    assert_eq!(
        p.query("SELECT name, ssl FROM who"),
        [["migrator_cert", "t"]]
    );
    assert_eq!(
        p.query("SELECT db_user FROM migrator_revisions"),
        [["migrator_cert"]]
    );
    run(
        &p,
        home.path(),
        &["--database-url", &url, "downgrade", "base"],
        &[],
    )
    .success();

    // Without a certificate the server refuses, at once even with --wait.
    run(
        &p,
        home.path(),
        &["--database-url", &base, "upgrade", "--wait=30s"],
        &[],
    )
    .failure(1)
    .stderr_has("certificate")
    .stderr_lacks("waiting");

    // PGSSLCERT and PGSSLKEY.
    let env = [
        ("PGSSLCERT", cert.to_str().unwrap()),
        ("PGSSLKEY", key.to_str().unwrap()),
    ];
    run(&p, home.path(), &["--database-url", &base, "status"], &env).success();

    // libpq's defaults: ~/.postgresql/postgresql.crt and postgresql.key.
    copy_with_mode(
        &cert,
        &home.path().join(".postgresql/postgresql.crt"),
        0o644,
    );
    copy_with_mode(&key, &home.path().join(".postgresql/postgresql.key"), 0o600);
    run(&p, home.path(), &["--database-url", &base, "upgrade"], &[]).success();
    assert_eq!(p.applied(), ["0001_who"]);

    // A private key that others may read is refused before connecting.
    copy_with_mode(&key, &home.path().join(".postgresql/postgresql.key"), 0o644);
    run(&p, home.path(), &["--database-url", &base, "status"], &[])
        .failure(1)
        .stderr_has("postgresql.key has group or world access (mode 0644)")
        .stderr_has("sslcert and sslkey name the client's certificate");
}

#[test]
fn sslrootcert_system_trusts_the_operating_systems_authorities() {
    let tls = tls_folder();
    let p = project_with_table_a();
    let home = tempfile::tempdir().unwrap();
    let system = localhost(p.url(), "sslrootcert=system");
    // The test authority is no authority of the system's (a machine without
    // a store of its own fails too, saying so)...
    run(
        &p,
        home.path(),
        &["--database-url", &system, "upgrade"],
        &[],
    )
    .failure(1)
    .stderr_has("cannot connect to");
    assert!(p.applied().is_empty());
    // ...until the system's store holds it: SSL_CERT_FILE, as OpenSSL reads it.
    let ca = tls.join("ca.crt");
    run(
        &p,
        home.path(),
        &["--database-url", &system, "upgrade"],
        &[("SSL_CERT_FILE", ca.to_str().unwrap())],
    )
    .success();
    assert_eq!(p.applied(), ["0001_a"]);
    // verify-full is the mode with it; a weaker one is refused as bad usage.
    let weak = format!("{system}&sslmode=require");
    run(&p, home.path(), &["--database-url", &weak, "status"], &[])
        .failure(2)
        .stderr_has("sslrootcert=system trusts every authority of the operating system, so it needs sslmode=verify-full");
}

#[test]
fn the_password_file_gives_the_password_when_the_url_has_none() {
    let p = project_with_table_a();
    grant(&p, "migrator_pw");
    let home = tempfile::tempdir().unwrap();
    let url = without_password(p.url(), "migrator_pw");
    // No password anywhere: the server asks for one.
    run(&p, home.path(), &["--database-url", &url, "status"], &[])
        .failure(1)
        .stderr_has("the server asks for a password, and the URL has none")
        .stderr_has("~/.pgpass");

    // ~/.pgpass, matched on host, port, database and user.
    let port = url.split(':').nth(2).unwrap().split('/').next().unwrap();
    let pgpass = home.path().join(".pgpass");
    std::fs::write(
        &pgpass,
        format!("# host:port:database:user:password\n127.0.0.1:{port}:*:someone_else:wrong\n127.0.0.1:{port}:*:migrator_pw:migrator_pw_secret\n"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    run(&p, home.path(), &["--database-url", &url, "upgrade"], &[]).success();
    assert_eq!(
        p.query("SELECT db_user FROM migrator_revisions"),
        [["migrator_pw"]]
    );

    // A file others may read is ignored, as libpq ignores it, and the hint says so.
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
    run(&p, home.path(), &["--database-url", &url, "status"], &[])
        .failure(1)
        .stderr_has(".pgpass has group or world access (mode 0644)")
        .stderr_has("chmod 600");

    // PGPASSFILE names another file.
    let other = home.path().join("secrets/pass");
    copy_with_mode(&pgpass, &other, 0o600);
    run(
        &p,
        home.path(),
        &["--database-url", &url, "status"],
        &[("PGPASSFILE", other.to_str().unwrap())],
    )
    .success();
}

#[test]
fn a_connection_service_names_the_database() {
    let p = project_with_table_a();
    let home = tempfile::tempdir().unwrap();
    // host:port and database of this project's URL.
    let rest = p.url().split('@').nth(1).unwrap();
    let (authority, dbname) = rest.split_once('/').unwrap();
    let (host, port) = authority.split_once(':').unwrap();
    let services = home.path().join("services.conf");
    std::fs::write(
        &services,
        format!("# the project's database\n[project]\nhost={host}\nport={port}\ndbname={dbname}\nuser=postgres\napplication_name=from_service\n\n[broken]\nport=not_a_port\n"),
    )
    .unwrap();
    let file = services.to_str().unwrap();

    // service= in the URL, with PGSERVICEFILE.
    run(
        &p,
        home.path(),
        &["--database-url", "postgres://?service=project", "upgrade"],
        &[("PGSERVICEFILE", file)],
    )
    .success();
    assert_eq!(p.applied(), ["0001_a"]);
    // PGSERVICE; what the URL says wins over the service.
    run(
        &p,
        home.path(),
        &["--database-url", "postgres://", "current"],
        &[("PGSERVICEFILE", file), ("PGSERVICE", "project")],
    )
    .success()
    .stdout_has("0001_a");
    // The system's file, in PGSYSCONFDIR.
    std::fs::create_dir_all(home.path().join("etc")).unwrap();
    std::fs::rename(&services, home.path().join("etc/pg_service.conf")).unwrap();
    let etc = home.path().join("etc");
    let current_from_system_file = |url: &str| {
        run(
            &p,
            home.path(),
            &["--database-url", url, "current"],
            &[("PGSYSCONFDIR", etc.to_str().unwrap())],
        )
    };
    current_from_system_file("postgres://?service=project")
        .success()
        .stdout_has("0001_a");

    // An unknown service, or a bad value in one, is a bad URL naming the file.
    current_from_system_file("postgres://?service=nope")
        .failure(2)
        .stderr_has("service `nope` is not defined");
    current_from_system_file("postgres://?service=broken")
        .failure(2)
        .stderr_has("pg_service.conf line 10");
}
