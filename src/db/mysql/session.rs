//! One connection and the runtime that drives it, behind the blocking
//! calls the rest of migrator makes, as PostgreSQL's session does: a
//! current-thread runtime of the connection's own, and a call made inside
//! an application's Tokio runtime drives it from a helper thread.
//!
//! Connecting costs the handshake and nothing more: the driver's own
//! start-up query (`SELECT @@max_allowed_packet, @@wait_timeout`) and its
//! reconnect through the server's socket are turned off, so a run with
//! nothing to do is the handshake and one query.

use std::time::Duration;

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, OptsBuilder, Row, SslOpts, Value};
use tokio::runtime::Runtime;

use super::connect::{Address, Ssl, Target};
use crate::db::runtime::{block_on, close};

/// Rows as text (the text protocol's answer), `None` for NULL.
pub type Rows = Vec<Vec<Option<String>>>;

/// Why a connection could not be opened.
pub enum OpenError {
    /// The runtime that drives the connection could not start.
    Runtime(String),
    /// Before any connection: `ssl-ca` could not be read.
    Setup(String),
    Connect(mysql_async::Error),
}

/// A connected client, usable from any thread, in an async runtime or not.
pub struct Session {
    // `Option`s only so that `Drop` can take them.
    conn: Option<Conn>,
    runtime: Option<Runtime>,
}

/// The largest packet the client will send; the server's own
/// `max_allowed_packet` still decides, and says so in its error.
const MAX_PACKET: usize = 1 << 30;

impl Session {
    /// Connects to `target`, to its database, or to none with
    /// `without_database` (to create or drop one).
    pub fn open(target: &Target, without_database: bool) -> Result<Session, OpenError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| OpenError::Runtime(e.to_string()))?;
        let ssl = ssl_opts(target).map_err(OpenError::Setup)?;
        let database = if without_database {
            None
        } else {
            target.database.clone()
        };
        let builder = |ssl: Option<SslOpts>| {
            let mut opts = OptsBuilder::default()
                .user(Some(target.user.clone()))
                .pass(target.password.clone())
                .db_name(database.clone())
                .prefer_socket(false)
                .max_allowed_packet(Some(MAX_PACKET))
                .wait_timeout(Some(28_800))
                .stmt_cache_size(0)
                .ssl_opts(ssl)
                .connect_attribute("program_name", "migrator");
            opts = match &target.address {
                Address::Tcp { host, port } => opts.ip_or_hostname(host.clone()).tcp_port(*port),
                Address::Socket(path) => opts.socket(Some(path.to_string_lossy().into_owned())),
            };
            opts
        };
        let timeout = target.connect_timeout;
        let connect = |opts: OptsBuilder| async move {
            match tokio::time::timeout(timeout, Conn::new(opts)).await {
                Ok(result) => result,
                Err(_) => Err(mysql_async::Error::Io(mysql_async::IoError::Io(
                    std::io::ErrorKind::TimedOut.into(),
                ))),
            }
        };
        let result = block_on(&runtime, async {
            match connect(builder(ssl.clone())).await {
                // `preferred`: without TLS when the server has none.
                Err(mysql_async::Error::Driver(
                    mysql_async::DriverError::NoClientSslFlagFromServer,
                )) if target.ssl == Ssl::Preferred => connect(builder(None)).await,
                // `verify_ca`: the driver fails a certificate whose chain
                // is good but whose name is not the host's (it does not
                // recognize rustls's NotValidForNameContext, whatever
                // with_danger_skip_domain_validation says). webpki checks
                // the name only after the chain, so the chain is good:
                // connect again, checking against a name the certificate
                // has.
                Err(error) if target.ssl == Ssl::VerifyCa => {
                    match name_in_certificate(&error.to_string()) {
                        Some(name) => {
                            let ssl = ssl
                                .clone()
                                .map(|ssl| ssl.with_danger_tls_hostname_override(Some(name)));
                            connect(builder(ssl)).await
                        }
                        None => Err(error),
                    }
                }
                other => other,
            }
        });
        let conn = result.map_err(OpenError::Connect)?;
        Ok(Session {
            conn: Some(conn),
            runtime: Some(runtime),
        })
    }

    /// The connection and the runtime that drives it.
    fn parts(&mut self) -> (&mut Conn, &Runtime) {
        (
            self.conn
                .as_mut()
                .expect("the connection lives as long as the session"),
            self.runtime
                .as_ref()
                .expect("the runtime lives as long as the session"),
        )
    }

    /// The server's version from the handshake (MariaDB's own, past the
    /// `5.5.5-` prefix it sends): known without a query.
    pub fn server_version(&mut self) -> (u16, u16, u16) {
        self.parts().0.server_version()
    }

    /// Runs statements, dropping their answers.
    pub fn execute(&mut self, sql: &str) -> Result<(), mysql_async::Error> {
        let (conn, runtime) = self.parts();
        block_on(runtime, conn.query_drop(sql))
    }

    /// The rows of a query's first result, as text.
    pub fn query(&mut self, sql: &str) -> Result<Rows, mysql_async::Error> {
        Ok(self.query_all(sql)?.into_iter().next().unwrap_or_default())
    }

    /// The rows of each result of a batch of queries, in order, as text:
    /// several queries in one round trip.
    pub fn query_all(&mut self, sql: &str) -> Result<Vec<Rows>, mysql_async::Error> {
        let (conn, runtime) = self.parts();
        block_on(runtime, async move {
            let mut result = conn.query_iter(sql).await?;
            let mut sets = Vec::new();
            loop {
                let rows: Vec<Row> = result.collect().await?;
                sets.push(rows.into_iter().map(text_row).collect());
                if result.is_empty() {
                    // An error after the last answer shows only here.
                    let _: Vec<Row> = result.collect().await?;
                    break;
                }
            }
            Ok(sets)
        })
    }

    /// Sends a batch of statements, which the server runs in order until
    /// one fails; on error, also says how many completed before it.
    pub fn run_batch(&mut self, sql: &str) -> Result<(), (mysql_async::Error, usize)> {
        let (conn, runtime) = self.parts();
        block_on(runtime, async move {
            let mut result = conn.query_iter(sql).await.map_err(|e| (e, 0))?;
            let mut completed = 0;
            loop {
                // Reading one answer to its end reads the next one's head,
                // or the error that took its place.
                result.collect::<Row>().await.map_err(|e| (e, completed))?;
                completed += 1;
                if result.is_empty() {
                    result.collect::<Row>().await.map_err(|e| (e, completed))?;
                    return Ok(());
                }
            }
        })
    }
}

/// A row of the text protocol as strings.
fn text_row(row: Row) -> Vec<Option<String>> {
    row.unwrap()
        .into_iter()
        .map(|value| match value {
            Value::NULL => None,
            Value::Bytes(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
            other => Some(other.as_sql(true).trim_matches('\'').to_string()),
        })
        .collect()
}

/// A name the server's certificate is valid for, from rustls's refusal of
/// a certificate for the host's name (`… certificate is only valid for
/// DnsName("localhost")`).
fn name_in_certificate(error: &str) -> Option<String> {
    if !error.contains("not valid for name") {
        return None;
    }
    let start = error.find("DnsName(\"")? + "DnsName(\"".len();
    let end = error[start..].find('"')?;
    Some(error[start..start + end].to_string())
}

/// The driver's TLS options for the URL's `ssl-mode`.
fn ssl_opts(target: &Target) -> Result<Option<SslOpts>, String> {
    if target.ssl == Ssl::Disabled {
        return Ok(None);
    }
    let mut opts = SslOpts::default();
    if let Some(path) = &target.ssl_ca {
        let pem = std::fs::read(path)
            .map_err(|e| format!("cannot read ssl-ca {}: {e}", path.display()))?;
        opts = opts
            .with_root_certs(vec![pem.into()])
            .with_disable_built_in_roots(true);
    }
    Ok(Some(match target.ssl {
        Ssl::Disabled | Ssl::Preferred | Ssl::Required => opts
            .with_danger_accept_invalid_certs(true)
            .with_danger_skip_domain_validation(true),
        Ssl::VerifyCa => opts.with_danger_skip_domain_validation(true),
        Ssl::VerifyIdentity => opts,
    }))
}

impl Drop for Session {
    fn drop(&mut self) {
        // Saying goodbye (COM_QUIT) ends the session on the server at once,
        // releasing its locks; the driver would otherwise leave that to a
        // task on whatever runtime is current. Not waited on for long: a
        // dead server must not hold up the exit.
        if let (Some(conn), Some(runtime)) = (self.conn.take(), self.runtime.as_ref()) {
            let _ = block_on(runtime, async {
                tokio::time::timeout(Duration::from_secs(2), conn.disconnect()).await
            });
        }
        if let Some(runtime) = self.runtime.take() {
            close(runtime);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_name_a_refused_certificate_has() {
        let refused = "invalid peer certificate: certificate not valid for name \"127.0.0.1\"; certificate is only valid for DnsName(\"localhost\") or DnsName(\"db\")";
        assert_eq!(
            super::name_in_certificate(refused).as_deref(),
            Some("localhost")
        );
        assert_eq!(
            super::name_in_certificate("invalid peer certificate: UnknownIssuer"),
            None
        );
    }
}
