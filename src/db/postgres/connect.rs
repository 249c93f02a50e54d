//! From a `postgres://` URL to a connection: what libpq would read from the
//! URL and the environment, the TLS mode, and connection failures turned
//! into one line and a hint.

use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use tokio_postgres::config::{Config, Host, SslMode};
use tokio_postgres::error::SqlState;

use crate::db::url::percent_decode;

/// `sslmode`, as libpq knows it. `tokio-postgres` only knows three modes,
/// so the URL's is read here and the verification done by our TLS setup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ssl {
    Disable,
    /// `allow` and `prefer`: TLS when the server offers it, unverified.
    Prefer,
    /// Encrypted, the certificate not verified.
    Require,
    /// The certificate chain verified, not the host name.
    VerifyCa,
    /// Chain and host name verified.
    VerifyFull,
}

/// Everything needed to connect.
#[derive(Debug, Clone)]
pub struct Target {
    pub config: Config,
    pub ssl: Ssl,
    /// `sslrootcert`: a PEM file of trusted certificate authorities.
    pub root_cert: Option<PathBuf>,
}

/// How long to wait for a server when the URL has no `connect_timeout`.
/// libpq waits for ever; a deploy stuck on a wrong host for minutes helps
/// nobody.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Reads a `postgres://` / `postgresql://` URL as libpq would, with the
/// `PG*` environment variables filling what it leaves out. Errors are
/// messages that never contain the password.
pub fn parse(url: &str) -> Result<Target, String> {
    let mut target = read(url, pgsslmode().as_deref())?;
    fill_defaults(&mut target.config);
    Ok(target)
}

/// Whether a URL can be connected with: everything [`parse`] checks, so
/// that a bad URL is refused before anything touches a database.
pub fn check(url: &str) -> Result<(), String> {
    read(url, pgsslmode().as_deref()).map(|_| ())
}

fn pgsslmode() -> Option<String> {
    std::env::var("PGSSLMODE").ok()
}

const SSL_MODES: &str = "disable, allow, prefer, require, verify-ca or verify-full";

/// libpq's sslmode names, compared exactly as libpq does.
fn ssl_mode(name: &str) -> Option<Ssl> {
    Some(match name {
        "disable" => Ssl::Disable,
        "allow" | "prefer" => Ssl::Prefer,
        "require" => Ssl::Require,
        "verify-ca" => Ssl::VerifyCa,
        "verify-full" => Ssl::VerifyFull,
        _ => return None,
    })
}

/// What the URL says, with `PGSSLMODE` (given, so that tests need not
/// touch the process's environment) for a URL without `sslmode`; no other
/// variable and no default is read here.
fn read(url: &str, pgsslmode: Option<&str>) -> Result<Target, String> {
    let (base, query) = split_query(url);
    // Past the user information (which ends at the first `@`), another `@`
    // before the query means an unencoded `@` in the password: the driver
    // would take the rest of the password for the host or the database,
    // and name it in its errors.
    let userinfo_end = base.find('@').map_or(0, |at| at + 1);
    if base[userinfo_end..].contains('@') {
        return Err(
            "more than one `@` before the query: write an `@` of the password (or of the database name) as %40".into(),
        );
    }
    let mut ssl = None;
    let mut root_cert = None;
    let mut kept = Vec::new();
    for (n, pair) in query.split('&').filter(|p| !p.is_empty()).enumerate() {
        // Not echoed: after an unencoded `&` in a password, this is a piece
        // of the password.
        let Some((key, value)) = pair.split_once('=') else {
            return Err(format!(
                "query parameter {} has no `=`: write each as key=value, and an `&` inside a value as %26",
                n + 1
            ));
        };
        match percent_decode(key).as_str() {
            "sslmode" => {
                let value = percent_decode(value);
                ssl =
                    Some(ssl_mode(&value).ok_or_else(|| {
                        format!("unknown sslmode `{value}` (expected {SSL_MODES})")
                    })?)
            }
            "sslrootcert" => root_cert = Some(PathBuf::from(percent_decode(value))),
            _ => kept.push(pair),
        }
    }
    let rebuilt = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config = Config::from_str(&rebuilt).map_err(|e| full_text(&e))?;
    // As libpq, PGSSLMODE only speaks when the URL is silent, and an empty
    // one is no setting (as every PG* variable here).
    let ssl = match (ssl, pgsslmode.filter(|v| !v.is_empty())) {
        (Some(ssl), _) => ssl,
        (None, Some(env)) => ssl_mode(env).ok_or_else(|| {
            format!(
                "the URL has no sslmode, and PGSSLMODE is `{env}`, which is not one (expected {SSL_MODES}): fix or unset PGSSLMODE"
            )
        })?,
        (None, None) => Ssl::Prefer,
    };
    // As libpq: with a root certificate named, `require` verifies the chain.
    let ssl = if ssl == Ssl::Require && root_cert.is_some() {
        Ssl::VerifyCa
    } else {
        ssl
    };
    config.ssl_mode(match ssl {
        Ssl::Disable => SslMode::Disable,
        Ssl::Prefer => SslMode::Prefer,
        Ssl::Require | Ssl::VerifyCa | Ssl::VerifyFull => SslMode::Require,
    });
    Ok(Target {
        config,
        ssl,
        root_cert,
    })
}

/// The URL before its query, and the query, split where the driver splits
/// them: at the first `?` after the user information, which ends at the
/// first `@`, so that a password may hold a `?`.
fn split_query(url: &str) -> (&str, &str) {
    let userinfo_end = url.find('@').map_or(0, |at| at + 1);
    match url[userinfo_end..].find('?') {
        Some(i) => (&url[..userinfo_end + i], &url[userinfo_end + i + 1..]),
        None => (url, ""),
    }
}

/// libpq's defaults for what the URL leaves out.
fn fill_defaults(config: &mut Config) {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if config.get_ports().is_empty()
        && let Some(port) = env("PGPORT").and_then(|p| p.parse().ok())
    {
        config.port(port);
    }
    if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
        let port = config.get_ports().first().copied().unwrap_or(5432);
        match env("PGHOST") {
            Some(host) if host.starts_with('/') => {
                config.host_path(host);
            }
            Some(host) => {
                config.host(host);
            }
            None => {
                // libpq's default is the local socket directory.
                let socket_dir = ["/var/run/postgresql", "/tmp"]
                    .into_iter()
                    .find(|dir| Path::new(dir).join(format!(".s.PGSQL.{port}")).exists());
                match socket_dir {
                    Some(dir) => config.host_path(dir),
                    None => config.host("localhost"),
                };
            }
        }
    }
    if config.get_user().is_none()
        && let Some(user) = env("PGUSER")
    {
        config.user(user);
    }
    if config.get_password().is_none()
        && let Some(password) = env("PGPASSWORD")
    {
        config.password(password);
    }
    if config.get_dbname().is_none()
        && let Some(dbname) = env("PGDATABASE")
    {
        config.dbname(dbname);
    }
    if config.get_application_name().is_none() {
        config.application_name("migrator");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
    }
}

/// `host port N` (or the socket directory) of the first server, for
/// messages.
pub fn endpoint(config: &Config) -> String {
    let port = config.get_ports().first().copied().unwrap_or(5432);
    match config.get_hosts().first() {
        Some(Host::Tcp(host)) => format!("{host} port {port}"),
        Some(Host::Unix(dir)) => format!("the socket in {} for port {port}", dir.display()),
        None => format!("port {port}"),
    }
}

/// A connection failure as one line (never the password) and a hint.
pub fn describe_failure(
    error: &tokio_postgres::Error,
    config: &Config,
    ssl: Ssl,
) -> (String, Option<String>) {
    let at = endpoint(config);
    if let Some(db) = error.as_db_error() {
        let message = db.message().to_string();
        let hint = match db.code() {
            c if *c == SqlState::INVALID_CATALOG_NAME => {
                let dbname = config.get_dbname().unwrap_or("DBNAME");
                let mut createdb = String::from("createdb");
                if let Some(Host::Tcp(host)) = config.get_hosts().first() {
                    createdb.push_str(&format!(" -h {host}"));
                }
                if let Some(port) = config.get_ports().first() {
                    createdb.push_str(&format!(" -p {port}"));
                }
                if let Some(user) = config.get_user() {
                    createdb.push_str(&format!(" -U {user}"));
                }
                Some(format!(
                    "create it with `{createdb} {dbname}`, or fix the database name in the URL"
                ))
            }
            c if *c == SqlState::INVALID_PASSWORD => {
                Some("check the user name and password in the URL (or PGPASSWORD)".into())
            }
            c if *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => Some(
                "check the user name, and that the server's pg_hba.conf lets this user reach this database from this host".into(),
            ),
            c if *c == SqlState::CANNOT_CONNECT_NOW => {
                Some("the server is starting up or shutting down; try again in a moment".into())
            }
            c if *c == SqlState::TOO_MANY_CONNECTIONS => {
                Some("the server has no free connection slot; try again later".into())
            }
            _ => None,
        };
        return (message, hint);
    }
    let text = full_text(error);
    if let Some(tls) = tls_cause(error) {
        let hint = match ssl {
            Ssl::VerifyCa | Ssl::VerifyFull => Some(
                "name the server's certificate authority with sslrootcert=PATH (PEM); for verify-full the URL's host must be a name in the certificate; sslmode=require encrypts without verifying".into(),
            ),
            _ => None,
        };
        return (format!("TLS with {at} failed: {tls}"), hint);
    }
    if let Some(io) = io_cause(error) {
        return match io.kind() {
            io::ErrorKind::ConnectionRefused => (
                format!("connection refused by {at}"),
                Some("is the server running, and listening on that host and port? check both in the URL".into()),
            ),
            io::ErrorKind::TimedOut => {
                let waited = config
                    .get_connect_timeout()
                    .map_or(String::new(), |t| format!(" within {}s", t.as_secs()));
                (
                    format!("no answer from {at}{waited}"),
                    Some("check the host, the port and any firewall between; `connect_timeout=N` in the URL waits longer".into()),
                )
            }
            io::ErrorKind::NotFound if matches!(config.get_hosts().first(), Some(Host::Unix(_))) => (
                format!("no server at {at}"),
                Some("is the server running on this machine? otherwise name its host and port in the URL".into()),
            ),
            _ if io.to_string().contains("lookup") || io.to_string().contains("resolve") => (
                format!("cannot resolve the host name ({at}): {io}"),
                Some("check the host name in the URL".into()),
            ),
            _ => (format!("{at}: {io}"), None),
        };
    }
    if text.contains("password missing") {
        return (
            "the server asks for a password, and the URL has none".into(),
            Some("put it in the URL (postgres://user:PASSWORD@host/db) or in PGPASSWORD".into()),
        );
    }
    if text.contains("server does not support TLS") {
        return (
            format!("{at} does not offer TLS, and sslmode asks for it"),
            Some("enable ssl on the server, or use sslmode=prefer or sslmode=disable".into()),
        );
    }
    (text, None)
}

/// Whether the failure says the server is not up yet, which `--wait`
/// waits on: nothing listens on the port or at the socket, the connection
/// was cut before the server spoke (a container's port opens before its
/// server does), or the server is starting up. Not: a refusal of the user,
/// the password or the database, a TLS failure, a host name that does not
/// resolve.
pub fn not_ready(error: &tokio_postgres::Error, config: &Config) -> bool {
    if let Some(db) = error.as_db_error() {
        return *db.code() == SqlState::CANNOT_CONNECT_NOW;
    }
    if tls_cause(error).is_some() {
        return false;
    }
    if let Some(io) = io_cause(error) {
        return match io.kind() {
            io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::UnexpectedEof
            | io::ErrorKind::BrokenPipe => true,
            io::ErrorKind::NotFound => matches!(config.get_hosts().first(), Some(Host::Unix(_))),
            _ => false,
        };
    }
    error.is_closed()
}

/// The error with its causes: the driver's own text is only the kind
/// ("invalid connection string"), the cause says what was wrong.
pub fn full_text(error: &tokio_postgres::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The rustls error behind a failed handshake, if that is what failed.
fn tls_cause(error: &tokio_postgres::Error) -> Option<&rustls::Error> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(tls) = cause
            .downcast_ref::<io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(tls);
        }
        source = cause.source();
    }
    None
}

fn io_cause(error: &tokio_postgres::Error) -> Option<&io::Error> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<io::Error>() {
            return Some(io);
        }
        source = cause.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libpq_urls() {
        let target = parse(
            "postgresql://app:secret@db.example.com:6543/shop?sslmode=verify-full&application_name=deploy&connect_timeout=3&options=-csearch_path%3Dx",
        )
        .unwrap();
        let config = &target.config;
        assert_eq!(target.ssl, Ssl::VerifyFull);
        assert_eq!(config.get_ssl_mode(), SslMode::Require);
        assert_eq!(config.get_user(), Some("app"));
        assert_eq!(config.get_password(), Some(&b"secret"[..]));
        assert_eq!(config.get_hosts(), [Host::Tcp("db.example.com".into())]);
        assert_eq!(config.get_ports(), [6543]);
        assert_eq!(config.get_dbname(), Some("shop"));
        assert_eq!(config.get_application_name(), Some("deploy"));
        assert_eq!(config.get_connect_timeout(), Some(&Duration::from_secs(3)));
        assert_eq!(config.get_options(), Some("-csearch_path=x"));
    }

    #[test]
    fn fills_what_the_url_leaves_out() {
        let target = parse("postgres://u@h/db").unwrap();
        assert_eq!(target.config.get_application_name(), Some("migrator"));
        assert_eq!(
            target.config.get_connect_timeout(),
            Some(&DEFAULT_CONNECT_TIMEOUT)
        );
    }

    #[test]
    fn reads_ssl_modes() {
        let cases = [
            ("postgres://u@h/db?sslmode=disable", Ssl::Disable),
            ("postgres://u@h/db?sslmode=allow", Ssl::Prefer),
            ("postgres://u@h/db?sslmode=prefer", Ssl::Prefer),
            ("postgres://u@h/db?sslmode=require", Ssl::Require),
            ("postgres://u@h/db?sslmode=verify-ca", Ssl::VerifyCa),
            ("postgres://u@h/db?sslmode=verify%2Dfull", Ssl::VerifyFull),
            (
                "postgres://u@h/db?sslmode=require&sslrootcert=%2Fca.pem",
                Ssl::VerifyCa,
            ),
            // The query starts after the password, which may hold `?`.
            (
                "postgres://u:Pa/Ss?Wd@h/db?sslmode=verify-full",
                Ssl::VerifyFull,
            ),
            (
                "postgres://u:a?sslmode=disable@h/db?sslmode=require",
                Ssl::Require,
            ),
        ];
        for (url, expected) in cases {
            assert_eq!(read(url, None).unwrap().ssl, expected, "{url}");
        }
        let target = read("postgres://u@h/db?sslrootcert=%2Fetc%2Fca.pem", None).unwrap();
        assert_eq!(target.root_cert, Some(PathBuf::from("/etc/ca.pem")));
        let err = read("postgres://u:secret@h/db?sslmode=maybe", None).unwrap_err();
        assert!(err.contains("maybe") && !err.contains("secret"), "{err}");
    }

    #[test]
    fn pgsslmode_speaks_when_the_url_is_silent_and_must_be_a_mode() {
        let silent = "postgres://u@h/db";
        let cases = [
            (silent, None, Ok(Ssl::Prefer)),
            (silent, Some(""), Ok(Ssl::Prefer)),
            (silent, Some("disable"), Ok(Ssl::Disable)),
            (silent, Some("allow"), Ok(Ssl::Prefer)),
            (silent, Some("require"), Ok(Ssl::Require)),
            (silent, Some("verify-ca"), Ok(Ssl::VerifyCa)),
            (silent, Some("verify-full"), Ok(Ssl::VerifyFull)),
            (silent, Some("verify-fulll"), Err("verify-fulll")),
            (silent, Some("VERIFY-FULL"), Err("VERIFY-FULL")),
            (silent, Some(" require"), Err(" require")),
            // The URL's own sslmode wins, and a bad PGSSLMODE is then
            // never read (as in libpq).
            (
                "postgres://u@h/db?sslmode=disable",
                Some("verify-fulll"),
                Ok(Ssl::Disable),
            ),
        ];
        for (url, env, expected) in cases {
            match (read(url, env), expected) {
                (Ok(target), Ok(ssl)) => assert_eq!(target.ssl, ssl, "{url} {env:?}"),
                (Err(err), Err(value)) => assert!(
                    err.contains("PGSSLMODE") && err.contains(&format!("`{value}`")),
                    "{env:?}: {err}"
                ),
                (got, expected) => panic!("{url} {env:?}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn refuses_malformed_urls_without_their_secrets() {
        let cases = [
            ("postgres://u:Pw1Pw2@h:notaport/db", "port"),
            ("postgres://u:Pw1Pw2@h:99999/db", "port"),
            ("postgres://u:Pw1Pw2@[::1/db", "host"),
            (
                "postgres://u:Pw1Pw2@h/db?no_such_option=1",
                "no_such_option",
            ),
            ("postgres://u:Pw1Pw2@h/db?sslmode", "no `=`"),
            // Pieces of a password with an unencoded `@` or `&`.
            ("postgres://u:Pw1@Pw2@h/db", "%40"),
            ("postgres://u:Pw1@Pw2/Pw3@h/db", "%40"),
            ("postgres://u@h/db?password=Pw1&Pw2&sslmode=require", "%26"),
        ];
        for (url, says) in cases {
            let err = read(url, None).unwrap_err();
            assert!(err.contains(says), "{url}: {err}");
            for secret in ["Pw1", "Pw2", "Pw3"] {
                assert!(!err.contains(secret), "{url}: {err}");
            }
        }
    }
}
