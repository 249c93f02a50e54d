//! From a `mysql://` or `mariadb://` URL to what connecting needs, as the
//! `mariadb` and `mysql` clients read their options: `ssl-mode` (default
//! `preferred`), `ssl-ca`, a socket, `MYSQL_PWD` for a URL without a
//! password; and connection failures turned into one line and a hint.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use crate::db::url::percent_decode;

/// `ssl-mode`, as the `mysql` client knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ssl {
    Disabled,
    /// TLS when the server offers it, its certificate not verified.
    Preferred,
    /// Encrypted, the certificate not verified.
    Required,
    /// The certificate chain verified, not the host name.
    VerifyCa,
    /// Chain and host name verified.
    VerifyIdentity,
}

impl Ssl {
    /// Its name in the URL.
    pub fn name(self) -> &'static str {
        match self {
            Ssl::Disabled => "disabled",
            Ssl::Preferred => "preferred",
            Ssl::Required => "required",
            Ssl::VerifyCa => "verify_ca",
            Ssl::VerifyIdentity => "verify_identity",
        }
    }
}

/// Where the server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    Tcp {
        host: String,
        port: u16,
    },
    /// A Unix socket (`?socket=PATH`).
    Socket(PathBuf),
}

/// Everything needed to connect.
#[derive(Debug, Clone)]
pub struct Target {
    pub address: Address,
    pub user: String,
    pub password: Option<String>,
    /// The database the URL names: the revisions run there, and the
    /// bookkeeping tables live there unless `--schema` names another.
    pub database: Option<String>,
    pub ssl: Ssl,
    /// `ssl-ca`: a PEM file of trusted certificate authorities.
    pub ssl_ca: Option<PathBuf>,
    pub connect_timeout: Duration,
}

/// How long to wait for a server when the URL has no `connect-timeout`.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// MySQL's port.
pub const DEFAULT_PORT: u16 = 3306;

const OPTIONS: &str = "ssl-mode, ssl-ca, socket or connect-timeout";
const SSL_MODES: &str = "disabled, preferred, required, verify_ca or verify_identity";

/// Reads a URL, with the environment filling what it leaves out: the
/// password from `MYSQL_PWD`, the user from `USER` (as the clients do).
/// Errors are messages that never contain the password.
pub fn parse(url: &str) -> Result<Target, String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    read(url, env("MYSQL_PWD"), env("USER"))
}

/// Whether a URL can be connected with: everything [`parse`] checks, so
/// that a bad URL is refused before anything touches a database.
pub fn check(url: &str) -> Result<(), String> {
    let target = read(url, None, None)?;
    if target.database.is_none() {
        return Err(
            "the URL names no database: write it after the host, mysql://USER@HOST:PORT/DATABASE"
                .into(),
        );
    }
    Ok(())
}

/// What the URL says, with a password and a user for what it leaves out.
fn read(
    url: &str,
    env_password: Option<String>,
    env_user: Option<String>,
) -> Result<Target, String> {
    let rest = url
        .split_once("://")
        .filter(|(scheme, _)| {
            scheme.eq_ignore_ascii_case("mysql") || scheme.eq_ignore_ascii_case("mariadb")
        })
        .map(|(_, rest)| rest)
        .ok_or("expected mysql://… or mariadb://…")?;
    // The user information ends at the first `@`: a password may hold a
    // `/`, `?` or `#`. Another `@` before the query means an unencoded `@`
    // in the password.
    let userinfo_end = rest.find('@');
    let after_userinfo = userinfo_end.map_or(0, |at| at + 1);
    let (base, query) = match rest[after_userinfo..].find('?') {
        Some(i) => (&rest[..after_userinfo + i], &rest[after_userinfo + i + 1..]),
        None => (rest, ""),
    };
    if base[after_userinfo..].contains('@') {
        return Err(
            "more than one `@` before the query: write an `@` of the password (or of the database name) as %40".into(),
        );
    }
    let (user, password) = match userinfo_end {
        Some(at) => match rest[..at].split_once(':') {
            Some((user, password)) => (percent_decode(user), Some(percent_decode(password))),
            None => (percent_decode(&rest[..at]), None),
        },
        None => (String::new(), None),
    };
    let hostport_and_path = &base[after_userinfo..];
    let (hostport, path) = match hostport_and_path.find('/') {
        Some(slash) => (&hostport_and_path[..slash], &hostport_and_path[slash + 1..]),
        None => (hostport_and_path, ""),
    };
    let (host, port) = host_and_port(hostport)?;
    let database = match percent_decode(path) {
        empty if empty.is_empty() => None,
        name if name.contains('/') => {
            return Err(format!(
                "`{name}` is no database name: the path after the host is one name"
            ));
        }
        name => Some(name),
    };

    let mut ssl = Ssl::Preferred;
    let mut ssl_ca = None;
    let mut socket = None;
    let mut connect_timeout = DEFAULT_CONNECT_TIMEOUT;
    for (n, pair) in query.split('&').filter(|p| !p.is_empty()).enumerate() {
        // Not echoed: after an unencoded `&` in a password, this is a
        // piece of the password.
        let Some((key, value)) = pair.split_once('=') else {
            return Err(format!(
                "query parameter {} has no `=`: write each as key=value, and an `&` inside a value as %26",
                n + 1
            ));
        };
        let key = percent_decode(key).to_ascii_lowercase().replace('_', "-");
        let value = percent_decode(value);
        match key.as_str() {
            "ssl-mode" => {
                ssl = ssl_mode(&value)
                    .ok_or_else(|| format!("unknown ssl-mode `{value}` (expected {SSL_MODES})"))?;
            }
            "ssl-ca" => ssl_ca = Some(PathBuf::from(value)),
            "socket" => socket = Some(PathBuf::from(value)),
            "connect-timeout" => {
                connect_timeout = value
                    .parse::<u64>()
                    .ok()
                    .filter(|&s| s > 0)
                    .map(Duration::from_secs)
                    .ok_or_else(|| {
                        format!("connect-timeout `{value}` is not a number of seconds")
                    })?;
            }
            "password" => {
                return Err(
                    "a password goes in the user information (mysql://USER:PASSWORD@HOST/DB) or in MYSQL_PWD, not in the query".into(),
                );
            }
            other => {
                return Err(format!("unknown option `{other}` (expected {OPTIONS})"));
            }
        }
    }
    // As the clients: with an authority named, `required` verifies the
    // chain against it.
    if ssl == Ssl::Required && ssl_ca.is_some() {
        ssl = Ssl::VerifyCa;
    }
    let address = match socket {
        Some(path) => Address::Socket(path),
        None => Address::Tcp {
            host: host.unwrap_or_else(|| "localhost".into()),
            port: port.unwrap_or(DEFAULT_PORT),
        },
    };
    let user = match user {
        user if !user.is_empty() => user,
        _ => env_user.unwrap_or_else(|| "root".into()),
    };
    Ok(Target {
        address,
        user,
        password: password.or(env_password),
        database,
        ssl,
        ssl_ca,
        connect_timeout,
    })
}

/// `ssl-mode` values, in any case, with `-` or `_`.
fn ssl_mode(name: &str) -> Option<Ssl> {
    Some(match name.to_ascii_lowercase().replace('-', "_").as_str() {
        "disabled" => Ssl::Disabled,
        "preferred" => Ssl::Preferred,
        "required" => Ssl::Required,
        "verify_ca" => Ssl::VerifyCa,
        "verify_identity" => Ssl::VerifyIdentity,
        _ => return None,
    })
}

/// `host:port`, `[v6]:port`, `host`, or nothing.
fn host_and_port(text: &str) -> Result<(Option<String>, Option<u16>), String> {
    let (host, port) = if let Some(bracketed) = text.strip_prefix('[') {
        let close = bracketed
            .find(']')
            .ok_or("an IPv6 host opens `[` and does not close it")?;
        let after = &bracketed[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(port) => Some(port),
            None if after.is_empty() => None,
            None => return Err(format!("unexpected `{after}` after the host")),
        };
        (&bracketed[..close], port)
    } else {
        match text.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    let port = match port {
        None | Some("") => None,
        Some(port) => Some(
            port.parse::<u16>()
                .ok()
                .filter(|&p| p > 0)
                .ok_or_else(|| format!("invalid port `{port}`"))?,
        ),
    };
    let host = percent_decode(host);
    Ok(((!host.is_empty()).then_some(host), port))
}

/// `host port N` or the socket, for messages.
pub fn endpoint(address: &Address) -> String {
    match address {
        Address::Tcp { host, port } => format!("{host} port {port}"),
        Address::Socket(path) => format!("the socket {}", path.display()),
    }
}

/// A connection failure as one line (never the password) and a hint.
pub fn describe_failure(error: &mysql_async::Error, target: &Target) -> (String, Option<String>) {
    let at = endpoint(&target.address);
    match error {
        mysql_async::Error::Server(server) => {
            let hint = match server.code {
                1045 | 1698 => Some(
                    "check the user name and password in the URL (or MYSQL_PWD), and that the \
                     account may connect from this host"
                        .into(),
                ),
                1044 => Some(
                    "the account may not use this database: GRANT it the privileges, or fix the \
                     database name in the URL"
                        .into(),
                ),
                1049 => {
                    let database = target.database.as_deref().unwrap_or("DATABASE");
                    Some(format!(
                        "create it (`CREATE DATABASE {};` in the mariadb or mysql client), or fix \
                         the database name in the URL",
                        super::sql::quote_ident(database)
                    ))
                }
                1040 | 1203 => Some("the server has no free connection; try again later".into()),
                1129 => Some(
                    "the server blocks this host after too many failed connections: \
                     `FLUSH HOSTS` (or mariadb-admin flush-hosts) there"
                        .into(),
                ),
                3159 => Some(
                    "the server requires TLS: use ssl-mode=required (or preferred, the default)"
                        .into(),
                ),
                _ => None,
            };
            (
                format!("{} (error {}, SQLSTATE {})", server.message, server.code, server.state),
                hint,
            )
        }
        mysql_async::Error::Driver(mysql_async::DriverError::NoClientSslFlagFromServer) => (
            format!("{at} does not offer TLS, and ssl-mode={} asks for it", target.ssl.name()),
            Some(
                "enable TLS on the server (ssl-cert, ssl-key), or use ssl-mode=preferred or disabled"
                    .into(),
            ),
        ),
        mysql_async::Error::Io(mysql_async::IoError::Tls(tls)) => tls_failure(&full_text(tls), &at, target),
        // The handshake's refusals come as I/O errors of invalid data.
        mysql_async::Error::Io(mysql_async::IoError::Io(io))
            if io.kind() == io::ErrorKind::InvalidData =>
        {
            tls_failure(&full_text(io), &at, target)
        }
        mysql_async::Error::Io(mysql_async::IoError::Io(io)) => describe_io(io, &at, target),
        other => (full_text(other), None),
    }
}

fn tls_failure(text: &str, at: &str, target: &Target) -> (String, Option<String>) {
    let hint = match target.ssl {
        Ssl::VerifyCa | Ssl::VerifyIdentity => Some(
            "name the server's certificate authority with ssl-ca=PATH (PEM); for \
             verify_identity the URL's host must be a name in the certificate; \
             ssl-mode=required encrypts without verifying"
                .into(),
        ),
        _ => None,
    };
    (format!("TLS with {at} failed: {text}"), hint)
}

fn describe_io(io: &io::Error, at: &str, target: &Target) -> (String, Option<String>) {
    match io.kind() {
        io::ErrorKind::ConnectionRefused => (
            format!("connection refused by {at}"),
            Some(
                "is the server running, and listening on that host and port? check both in the URL"
                    .into(),
            ),
        ),
        io::ErrorKind::TimedOut => (
            format!(
                "no answer from {at} within {}s",
                target.connect_timeout.as_secs()
            ),
            Some(
                "check the host, the port and any firewall between; `connect-timeout=N` in the URL waits longer".into(),
            ),
        ),
        io::ErrorKind::NotFound if matches!(target.address, Address::Socket(_)) => (
            format!("no server at {at}"),
            Some("is the server running on this machine, with that socket?".into()),
        ),
        _ if io.to_string().contains("lookup") || io.to_string().contains("resolve") => (
            format!("cannot resolve the host name ({at}): {io}"),
            Some("check the host name in the URL".into()),
        ),
        _ => (format!("{at}: {io}"), None),
    }
}

/// The error with its causes.
pub fn full_text(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_url(url: &str) -> Result<Target, String> {
        read(url, None, None)
    }

    #[test]
    fn reads_urls_as_the_clients_do() {
        let target = read_url(
            "mysql://app:se%40cret@db.example.com:3307/shop?ssl-mode=VERIFY_IDENTITY&ssl_ca=%2Fetc%2Fca.pem&connect-timeout=3",
        )
        .unwrap();
        assert_eq!(
            target.address,
            Address::Tcp {
                host: "db.example.com".into(),
                port: 3307
            }
        );
        assert_eq!(target.user, "app");
        assert_eq!(target.password.as_deref(), Some("se@cret"));
        assert_eq!(target.database.as_deref(), Some("shop"));
        assert_eq!(target.ssl, Ssl::VerifyIdentity);
        assert_eq!(target.ssl_ca, Some(PathBuf::from("/etc/ca.pem")));
        assert_eq!(target.connect_timeout, Duration::from_secs(3));

        let target = read("MariaDB://[::1]/app", Some("pw".into()), Some("ann".into())).unwrap();
        assert_eq!(
            target.address,
            Address::Tcp {
                host: "::1".into(),
                port: DEFAULT_PORT
            }
        );
        assert_eq!(
            (target.user.as_str(), target.password.as_deref()),
            ("ann", Some("pw"))
        );
        assert_eq!(target.ssl, Ssl::Preferred);

        let target = read_url("mysql://u:p/w?d@/app?socket=%2Frun%2Fmysqld.sock").unwrap();
        assert_eq!(target.address, Address::Socket("/run/mysqld.sock".into()));
        assert_eq!(target.password.as_deref(), Some("p/w?d"));
        // The URL's password wins over MYSQL_PWD.
        let target = read("mysql://u:url@h/app", Some("env".into()), None).unwrap();
        assert_eq!(target.password.as_deref(), Some("url"));
        assert_eq!(read_url("mysql://h/").unwrap().database, None);
    }

    #[test]
    fn reads_ssl_modes() {
        let cases = [
            ("disabled", Ssl::Disabled),
            ("preferred", Ssl::Preferred),
            ("REQUIRED", Ssl::Required),
            ("verify_ca", Ssl::VerifyCa),
            ("verify-identity", Ssl::VerifyIdentity),
        ];
        for (mode, expected) in cases {
            let url = format!("mysql://u@h/db?ssl-mode={mode}");
            assert_eq!(read_url(&url).unwrap().ssl, expected, "{mode}");
        }
        let required_with_ca = read_url("mysql://u@h/db?ssl-mode=required&ssl-ca=ca.pem").unwrap();
        assert_eq!(required_with_ca.ssl, Ssl::VerifyCa);
    }

    #[test]
    fn refuses_malformed_urls_without_their_secrets() {
        let cases = [
            ("mysql://u:Pw1Pw2@h:notaport/db", "port"),
            ("mysql://u:Pw1Pw2@h:0/db", "port"),
            ("mysql://u:Pw1Pw2@[::1/db", "IPv6"),
            ("mysql://u:Pw1Pw2@h/db?nope=1", "unknown option `nope`"),
            ("mysql://u:Pw1Pw2@h/db?ssl-mode=sure", "sure"),
            ("mysql://u:Pw1Pw2@h/db?ssl-mode", "no `=`"),
            ("mysql://u:Pw1Pw2@h/a/b", "one name"),
            ("mysql://u@h/db?password=Pw1Pw2", "user information"),
            ("mysql://u:Pw1@Pw2@h/db", "%40"),
            ("mysql://u@h/db?connect-timeout=Pw", "seconds"),
        ];
        for (url, says) in cases {
            let err = read_url(url).unwrap_err();
            assert!(err.contains(says), "{url}: {err}");
            assert!(!err.contains("Pw1") && !err.contains("Pw2"), "{url}: {err}");
        }
        assert!(check("mysql://u@h/").unwrap_err().contains("no database"));
        assert!(check("mysql://u@h").is_err());
        assert!(check("mysql://u@h/db").is_ok());
    }
}
