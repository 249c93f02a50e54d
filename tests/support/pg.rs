//! What the PostgreSQL suites share beside the `Project` harness: a
//! one-revision project, the URLs they derive from the test server's, and
//! the TLS files `scripts/test` makes for its throwaway server.

use std::path::PathBuf;

use super::{Backend, Project, with_user};

/// A PostgreSQL project with one revision, `0001_a`, that creates table `a`.
pub fn project_with_table_a() -> Project {
    let p = Project::new(Backend::Postgres);
    p.revision(
        "0001_a",
        &[],
        "CREATE TABLE a (id integer);",
        "DROP TABLE a;",
    );
    p
}

/// The database a `postgres://…/DATABASE?…` URL names.
pub fn database_name(url: &str) -> &str {
    url.split('?')
        .next()
        .and_then(|base| base.rsplit('/').next())
        .unwrap()
}

/// `url` as `user` with no password (`user@`, not `user:@`), for logins
/// that take it from elsewhere: a certificate, the password file.
pub fn without_password(url: &str, user: &str) -> String {
    with_user(url, user, "").replace(&format!("{user}:@"), &format!("{user}@"))
}

/// `url` with `host` in place of its host and `query` appended.
pub fn with_host_and_query(url: &str, host: &str, query: &str) -> String {
    let scheme_end = url.find("://").unwrap() + 3;
    let rest = &url[scheme_end..];
    let at = rest.find('@').map_or(0, |i| i + 1);
    let host_end = rest[at..].find([':', '/']).map_or(rest.len(), |i| at + i);
    let joined = format!(
        "{}{}{host}{}",
        &url[..scheme_end],
        &rest[..at],
        &rest[host_end..]
    );
    let separator = if joined.contains('?') { '&' } else { '?' };
    format!("{joined}{separator}{query}")
}

/// The authority that signed the test server's certificate (for
/// `localhost` only); `scripts/test` makes both.
pub fn test_authority() -> String {
    match std::env::var("MIGRATOR_TEST_POSTGRES_CA") {
        Ok(path) if !path.is_empty() => path,
        _ => panic!(
            "this test needs a server that speaks TLS: run `scripts/test`, which starts one with a \
             certificate for `localhost` from a throwaway authority (it needs `openssl`), or set \
             MIGRATOR_TEST_POSTGRES_CA to the PEM file of the authority that signed your \
             server's certificate for `localhost`"
        ),
    }
}

/// The folder of the test authority, the server's certificate and the
/// client certificate (client.crt / client.key) of the role
/// `migrator_cert`, which `scripts/test` makes.
pub fn tls_folder() -> PathBuf {
    let ca = PathBuf::from(test_authority());
    let folder = ca.parent().unwrap().to_path_buf();
    assert!(
        folder.join("client.crt").exists(),
        "no client.crt beside {}: start the server with scripts/test, which makes a role \
         migrator_cert that logs in with the client certificate client.crt / client.key",
        ca.display()
    );
    folder
}

/// Five revisions that each insert their id into `ran` (twice would fail
/// its primary key) and take a moment, so concurrent runs overlap. On
/// PostgreSQL and, for the suites that run a story on both, SQLite.
pub fn slow_chain(p: &Project) -> [&'static str; 5] {
    let ids = ["0001_a", "0002_b", "0003_c", "0004_d", "0005_e"];
    let pause = match p.backend {
        Backend::Postgres => "SELECT pg_sleep(0.2);",
        Backend::Mysql => "DO SLEEP(0.2);",
        // A moment of work: SQLite has no sleep.
        Backend::Sqlite => {
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) \
             SELECT count(*) FROM n;"
        }
    };
    for (i, id) in ids.iter().enumerate() {
        let parents: Vec<&str> = ids[..i].last().into_iter().copied().collect();
        let create = if i == 0 {
            "CREATE TABLE ran (id varchar(64) PRIMARY KEY);\n"
        } else {
            ""
        };
        p.revision(
            id,
            &parents,
            &format!("{create}INSERT INTO ran VALUES ('{id}');\n{pause}"),
            &format!("DELETE FROM ran WHERE id = '{id}';"),
        );
    }
    ids
}
