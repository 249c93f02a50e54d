//! Opening the connection, with TLS as `sslmode` asks.

use tokio::runtime::Runtime;
use tokio_postgres::{Client, NoTls};

use super::connect::{Ssl, Target};

/// Why a connection could not be opened.
pub enum OpenError {
    /// The TLS setup failed before any connection (e.g. `sslrootcert`).
    Setup(String),
    Connect(tokio_postgres::Error),
}

/// Connects, and drives the connection on the runtime for as long as the
/// client lives.
pub fn open(runtime: &Runtime, target: &Target) -> Result<Client, OpenError> {
    match target.ssl {
        Ssl::Disable | Ssl::Prefer => {}
        _ => return Err(OpenError::Setup("TLS is not supported yet".into())),
    }
    let (client, connection) = runtime
        .block_on(target.config.connect(NoTls))
        .map_err(OpenError::Connect)?;
    runtime.spawn(connection);
    Ok(client)
}
