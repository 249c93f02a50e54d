//! From a `postgres://` URL to a connection: what libpq would read from the
//! URL and the environment, the TLS mode, and connection failures turned
//! into one line and a hint.

use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use tokio_postgres::config::{Config, Host, SslMode};
use tokio_postgres::error::SqlState;

use super::libpq;
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
    /// `sslrootcert`: the authorities trusted for `verify-ca` and
    /// `verify-full`; `None` for libpq's default (`~/.postgresql/root.crt`,
    /// else the Mozilla roots).
    pub root_cert: Option<RootCert>,
    /// `sslcert` and `sslkey`: the certificate to authenticate with, when
    /// its file exists (as libpq, a missing one sends none).
    pub client_cert: Option<ClientCert>,
    /// Why the password did not come from the password file although it
    /// exists (its permissions): said when the server asks for one.
    pub passfile_note: Option<String>,
}

/// `sslrootcert`: a PEM file, or `system`, the operating system's store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCert {
    File(PathBuf),
    System,
}

/// A client certificate and its private key, both PEM files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCert {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// How long to wait for a server when the URL has no `connect_timeout`.
/// libpq waits for ever; a deploy stuck on a wrong host for minutes helps
/// nobody.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Reads a `postgres://` / `postgresql://` URL as libpq would: the URL,
/// then the service it names (`service=`, else `PGSERVICE`), then the `PG*`
/// environment variables, then libpq's defaults and the password file.
/// Errors are messages that never contain the password.
pub fn parse(url: &str) -> Result<Target, String> {
    resolve(url, &libpq::Process)
}

/// [`parse`] in the environment `env`. The files that only matter once
/// connecting (the client certificate, the password file) are looked at
/// here, not by [`check`]: a key with loose permissions is a failure to
/// connect, not a bad URL.
fn resolve(url: &str, env: &dyn libpq::Environment) -> Result<Target, String> {
    let (mut target, own) = read(url, env)?;
    fill_defaults(&mut target.config, env);
    target.client_cert = client_cert(own.sslcert, own.sslkey, env)?;
    read_passfile(&mut target, own.passfile.as_deref(), env);
    Ok(target)
}

/// Whether a URL can be connected with: everything [`parse`] checks, so
/// that a bad URL is refused before anything touches a database.
pub fn check(url: &str) -> Result<(), String> {
    read(url, &libpq::Process).map(|_| ())
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

/// The parameters migrator reads itself rather than the driver: TLS, the
/// service, the password file.
#[derive(Debug, Default)]
struct Own {
    sslmode: Option<String>,
    sslrootcert: Option<String>,
    sslcert: Option<String>,
    sslkey: Option<String>,
    service: Option<String>,
    passfile: Option<String>,
}

impl Own {
    /// The slot of one of migrator's own parameters.
    fn slot(&mut self, key: &str) -> Option<&mut Option<String>> {
        Some(match key {
            "sslmode" => &mut self.sslmode,
            "sslrootcert" => &mut self.sslrootcert,
            "sslcert" => &mut self.sslcert,
            "sslkey" => &mut self.sslkey,
            "service" => &mut self.service,
            "passfile" => &mut self.passfile,
            _ => return None,
        })
    }
}

/// What the URL says, with the service it names and the `PGSSL*`,
/// `PGSERVICE` variables of `env` for what it leaves out; the other
/// variables and the defaults are [`fill_defaults`]'s.
fn read(url: &str, env: &dyn libpq::Environment) -> Result<(Target, Own), String> {
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
    let mut own = Own::default();
    let mut kept: Vec<String> = Vec::new();
    for (n, pair) in query.split('&').filter(|p| !p.is_empty()).enumerate() {
        // Not echoed: after an unencoded `&` in a password, this is a piece
        // of the password.
        let Some((key, value)) = pair.split_once('=') else {
            return Err(format!(
                "query parameter {} has no `=`: write each as key=value, and an `&` inside a value as %26",
                n + 1
            ));
        };
        match own.slot(&percent_decode(key)) {
            Some(slot) => *slot = Some(percent_decode(value)),
            None => kept.push(pair.to_owned()),
        }
    }
    let with_query = |kept: &[String]| {
        if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        }
    };
    let mut config = Config::from_str(&with_query(&kept)).map_err(|e| full_text(&e))?;

    // As libpq: what the service sets counts where the URL is silent, and
    // before the environment.
    let service = own.service.clone().or_else(|| env.var("PGSERVICE"));
    if let Some(name) = service {
        let (file, settings) = libpq::find_service(env, &name)?;
        let given: Vec<String> = kept
            .iter()
            .filter_map(|pair| pair.split_once('=').map(|(key, _)| percent_decode(key)))
            .collect();
        for setting in settings {
            let key = setting.key.as_str();
            if let Some(slot) = own.slot(key) {
                slot.get_or_insert(setting.value);
                continue;
            }
            let unset = match key {
                "host" | "hostaddr" => {
                    config.get_hosts().is_empty() && config.get_hostaddrs().is_empty()
                }
                "port" => config.get_ports().is_empty(),
                "user" => config.get_user().is_none(),
                "password" => config.get_password().is_none(),
                "dbname" => config.get_dbname().is_none(),
                _ => !given.iter().any(|given| given == key),
            };
            if unset {
                kept.push(format!("{key}={}", percent_encode(&setting.value)));
            }
            // Checked one by one, so that a bad value names its line.
            Config::from_str(&with_query(&kept)).map_err(|e| {
                format!(
                    "service `{name}` in {} line {}: {}",
                    file.display(),
                    setting.line,
                    full_text(&e)
                )
            })?;
        }
        config = Config::from_str(&with_query(&kept)).map_err(|e| full_text(&e))?;
    }

    let root_cert = match own.sslrootcert.take().or_else(|| env.var("PGSSLROOTCERT")) {
        Some(value) if value == "system" => Some(RootCert::System),
        Some(path) => Some(RootCert::File(PathBuf::from(path))),
        None => None,
    };
    // As libpq, PGSSLMODE only speaks when the URL (and the service) are
    // silent, and an empty one is no setting (as every PG* variable here).
    let ssl = match (own.sslmode.take(), env.var("PGSSLMODE")) {
        (Some(value), _) => ssl_mode(&value)
            .ok_or_else(|| format!("unknown sslmode `{value}` (expected {SSL_MODES})"))?,
        (None, Some(value)) => ssl_mode(&value).ok_or_else(|| {
            format!(
                "the URL has no sslmode, and PGSSLMODE is `{value}`, which is not one (expected {SSL_MODES}): fix or unset PGSSLMODE"
            )
        })?,
        // As libpq: the system's authorities are only worth anything with
        // the host name checked.
        (None, None) if root_cert == Some(RootCert::System) => Ssl::VerifyFull,
        (None, None) => Ssl::Prefer,
    };
    if root_cert == Some(RootCert::System) && ssl != Ssl::VerifyFull {
        return Err(format!(
            "sslrootcert=system trusts every authority of the operating system, so it needs sslmode=verify-full (the default with it), not {}",
            match ssl {
                Ssl::Disable => "disable",
                Ssl::Prefer => "prefer or allow",
                Ssl::Require => "require",
                Ssl::VerifyCa => "verify-ca",
                Ssl::VerifyFull => "verify-full",
            }
        ));
    }
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
    let target = Target {
        config,
        ssl,
        root_cert,
        client_cert: None,
        passfile_note: None,
    };
    Ok((target, own))
}

/// The client certificate libpq would send: `sslcert` (else `PGSSLCERT`,
/// else `~/.postgresql/postgresql.crt`) when that file exists, with
/// `sslkey` (else `PGSSLKEY`, else `~/.postgresql/postgresql.key`), which
/// must then exist and be private.
fn client_cert(
    sslcert: Option<String>,
    sslkey: Option<String>,
    env: &dyn libpq::Environment,
) -> Result<Option<ClientCert>, String> {
    let home = env.home().map(|home| home.join(".postgresql"));
    let cert = sslcert
        .or_else(|| env.var("PGSSLCERT"))
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|dir| dir.join("postgresql.crt")));
    let Some(cert) = cert.filter(|cert| env.exists(cert)) else {
        return Ok(None);
    };
    let key = sslkey
        .or_else(|| env.var("PGSSLKEY"))
        .map(PathBuf::from)
        .or_else(|| home.map(|dir| dir.join("postgresql.key")));
    let Some(key) = key.filter(|key| env.exists(key)) else {
        return Err(format!(
            "the client certificate {} has no private key file: name it with sslkey=PATH (or PGSSLKEY; default ~/.postgresql/postgresql.key)",
            cert.display()
        ));
    };
    if let Some((mode, by_root)) = env.mode(&key)
        && let Some(problem) = libpq::key_permission_problem(mode, by_root)
    {
        return Err(format!("the private key file {} {problem}", key.display()));
    }
    Ok(Some(ClientCert { cert, key }))
}

/// The password from the password file (`passfile`, else `PGPASSFILE`,
/// else `~/.pgpass`) when neither the URL, the service nor `PGPASSWORD`
/// gave one, matched on the connection as it stands after the defaults;
/// a file with group or world access is ignored, as libpq does, and the
/// reason kept for the failure's hint.
fn read_passfile(target: &mut Target, passfile: Option<&str>, env: &dyn libpq::Environment) {
    let config = &mut target.config;
    if config.get_password().is_some() {
        return;
    }
    let Some(path) = libpq::passfile_path(env, passfile) else {
        return;
    };
    let Ok(text) = env.read(&path) else {
        return;
    };
    if let Some((mode, _)) = env.mode(&path)
        && let Some(problem) = libpq::passfile_permission_problem(mode)
    {
        target.passfile_note = Some(format!("the password file {} {problem}", path.display()));
        return;
    }
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => host.clone(),
        // As libpq: a socket connection matches `localhost`.
        Some(Host::Unix(_)) | None => "localhost".to_owned(),
    };
    let user = config
        .get_user()
        .map(str::to_owned)
        .or_else(crate::record::operator::os_user_name)
        .unwrap_or_default();
    let dbname = config.get_dbname().unwrap_or(&user).to_owned();
    let key = libpq::PassfileKey {
        host: &host,
        port: config.get_ports().first().copied().unwrap_or(5432),
        dbname: &dbname,
        user: &user,
    };
    if let Some(password) = libpq::passfile_password(&text, &key) {
        config.password(password);
    }
}

/// A query value as the URL carries it: every byte but unreserved ones
/// percent-encoded.
fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
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
fn fill_defaults(config: &mut Config, env: &dyn libpq::Environment) {
    let env = |name: &str| env.var(name);
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
                Some("check the user name and password in the URL (or PGPASSWORD, the service, the password file ~/.pgpass)".into())
            }
            c if *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
                && message.contains("certificate") =>
            {
                Some("the server asks this user for a client certificate: name it and its key with sslcert=PATH and sslkey=PATH (or PGSSLCERT and PGSSLKEY, or ~/.postgresql/postgresql.crt and postgresql.key)".into())
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
            Some("put it in the URL (postgres://user:PASSWORD@host/db), in PGPASSWORD, or in the password file (~/.pgpass, or PGPASSFILE: host:port:database:user:password)".into()),
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
    use super::libpq::tests::Given;
    use super::*;

    fn none() -> Given {
        Given::default()
    }

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
            assert_eq!(read(url, &none()).unwrap().0.ssl, expected, "{url}");
        }
        let (target, _) = read("postgres://u@h/db?sslrootcert=%2Fetc%2Fca.pem", &none()).unwrap();
        assert_eq!(
            target.root_cert,
            Some(RootCert::File(PathBuf::from("/etc/ca.pem")))
        );
        let err = read("postgres://u:secret@h/db?sslmode=maybe", &none()).unwrap_err();
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
            let given = match env {
                Some(value) => none().var("PGSSLMODE", value),
                None => none(),
            };
            match (read(url, &given), expected) {
                (Ok((target, _)), Ok(ssl)) => assert_eq!(target.ssl, ssl, "{url} {env:?}"),
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
            let err = read(url, &none()).unwrap_err();
            assert!(err.contains(says), "{url}: {err}");
            for secret in ["Pw1", "Pw2", "Pw3"] {
                assert!(!err.contains(secret), "{url}: {err}");
            }
        }
    }

    #[test]
    fn sslrootcert_system_means_verify_full() {
        let system = "postgres://u@h/db?sslrootcert=system";
        let (target, _) = read(system, &none()).unwrap();
        assert_eq!(target.root_cert, Some(RootCert::System));
        assert_eq!(target.ssl, Ssl::VerifyFull);
        let (from_env, _) =
            read("postgres://u@h/db", &none().var("PGSSLROOTCERT", "system")).unwrap();
        assert_eq!(from_env.ssl, Ssl::VerifyFull);
        for weak in ["disable", "prefer", "require", "verify-ca"] {
            let err = read(&format!("{system}&sslmode={weak}"), &none()).unwrap_err();
            assert!(err.contains("needs sslmode=verify-full"), "{weak}: {err}");
        }
        let err = read(system, &none().var("PGSSLMODE", "require")).unwrap_err();
        assert!(err.contains("not require"), "{err}");
    }

    #[test]
    fn client_certificates_as_libpq_finds_them() {
        let key = "-----BEGIN PRIVATE KEY-----\n";
        // Named in the URL, read when the file exists.
        let env = none()
            .file("/c/app.crt", "", 0o644)
            .file("/c/app.key", key, 0o600);
        let target = resolve(
            "postgres://u@h/db?sslcert=/c/app.crt&sslkey=/c/app.key",
            &env,
        )
        .unwrap();
        assert_eq!(
            target.client_cert,
            Some(ClientCert {
                cert: "/c/app.crt".into(),
                key: "/c/app.key".into()
            })
        );
        // From PGSSLCERT and PGSSLKEY.
        let from_env = env
            .var("PGSSLCERT", "/c/app.crt")
            .var("PGSSLKEY", "/c/app.key");
        assert!(
            resolve("postgres://u@h/db", &from_env)
                .unwrap()
                .client_cert
                .is_some()
        );
        // libpq's defaults in ~/.postgresql.
        let defaults = none()
            .file("/home/u/.postgresql/postgresql.crt", "", 0o644)
            .file("/home/u/.postgresql/postgresql.key", key, 0o600);
        let target = resolve("postgres://u@h/db", &defaults).unwrap();
        assert_eq!(
            target.client_cert.unwrap().key,
            PathBuf::from("/home/u/.postgresql/postgresql.key")
        );
        // No certificate file: none is sent, as libpq does.
        let target = resolve("postgres://u@h/db?sslcert=/nowhere.crt", &none()).unwrap();
        assert_eq!(target.client_cert, None);
        // A certificate without its key, and a key others can read.
        let lonely = none().file("/c/app.crt", "", 0o644);
        let err = resolve("postgres://u@h/db?sslcert=/c/app.crt", &lonely).unwrap_err();
        assert!(err.contains("has no private key file"), "{err}");
        let open = lonely.file("/c/app.key", key, 0o644);
        let err = resolve(
            "postgres://u@h/db?sslcert=/c/app.crt&sslkey=/c/app.key",
            &open,
        )
        .unwrap_err();
        assert!(
            err.contains("/c/app.key has group or world access (mode 0644)"),
            "{err}"
        );
    }

    #[test]
    fn a_service_fills_what_the_url_leaves_out_before_the_environment() {
        let services = "[app]\nhost=db.example.com\nport=6543\ndbname=shop\nuser=svc\napplication_name=svcapp\nsslmode=require\n[bad]\nport=many\n";
        let env = none()
            .file("/home/u/.pg_service.conf", services, 0o600)
            .var("PGSSLMODE", "disable");
        let (target, _) = read("postgres:///?service=app", &env).unwrap();
        let config = &target.config;
        assert_eq!(config.get_hosts(), [Host::Tcp("db.example.com".into())]);
        assert_eq!(config.get_ports(), [6543]);
        assert_eq!(config.get_dbname(), Some("shop"));
        assert_eq!(config.get_user(), Some("svc"));
        assert_eq!(config.get_application_name(), Some("svcapp"));
        // The service's sslmode is before PGSSLMODE.
        assert_eq!(target.ssl, Ssl::Require);
        // What the URL says wins; PGSERVICE names the service too.
        let (target, _) = read(
            "postgres://ann@other:7000/books?sslmode=verify-full&application_name=mine",
            &env.clone().var("PGSERVICE", "app"),
        )
        .unwrap();
        let config = &target.config;
        assert_eq!(config.get_hosts(), [Host::Tcp("other".into())]);
        assert_eq!(config.get_ports(), [7000]);
        assert_eq!(
            (config.get_user(), config.get_dbname()),
            (Some("ann"), Some("books"))
        );
        assert_eq!(config.get_application_name(), Some("mine"));
        assert_eq!(target.ssl, Ssl::VerifyFull);

        let env = none().file("/home/u/.pg_service.conf", services, 0o600);
        let err = read("postgres:///?service=bad", &env).unwrap_err();
        assert!(
            err.starts_with("service `bad` in /home/u/.pg_service.conf line 9:"),
            "{err}"
        );
        let err = read("postgres:///?service=nope", &env).unwrap_err();
        assert!(err.starts_with("service `nope` is not defined"), "{err}");
    }

    #[test]
    fn the_password_file_gives_a_missing_password() {
        let pgpass = "h:5432:db:u:from_file\n*:*:*:u:fallback\n";
        let resolve = |url: &str, env: &Given| resolve(url, env).unwrap();
        let env = none().file("/home/u/.pgpass", pgpass, 0o600);
        let password = |target: &Target| {
            target
                .config
                .get_password()
                .map(|p| String::from_utf8_lossy(p).into_owned())
        };
        assert_eq!(
            password(&resolve("postgres://u@h/db", &env)).as_deref(),
            Some("from_file")
        );
        assert_eq!(
            password(&resolve("postgres://u@h:5433/db", &env)).as_deref(),
            Some("fallback")
        );
        assert_eq!(
            password(&resolve("postgres://u:given@h/db", &env)).as_deref(),
            Some("given")
        );
        assert_eq!(password(&resolve("postgres://other@h/db", &env)), None);
        // PGPASSFILE and passfile= name another file.
        let elsewhere = none().file("/p/pass", "*:*:*:*:elsewhere\n", 0o600);
        assert_eq!(
            password(&resolve(
                "postgres://u@h/db",
                &elsewhere.clone().var("PGPASSFILE", "/p/pass")
            ))
            .as_deref(),
            Some("elsewhere")
        );
        assert_eq!(
            password(&resolve("postgres://u@h/db?passfile=/p/pass", &elsewhere)).as_deref(),
            Some("elsewhere")
        );
        // A file others can read is ignored, saying why.
        let open = none().file("/home/u/.pgpass", pgpass, 0o644);
        let target = resolve("postgres://u@h/db", &open);
        assert_eq!(password(&target), None);
        assert!(
            target
                .passfile_note
                .unwrap()
                .contains("/home/u/.pgpass has group or world access")
        );
    }
}
