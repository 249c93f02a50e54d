//! One connection and the runtime that drives it, behind the blocking
//! calls the rest of migrator makes. The runtime is a current-thread one of
//! the connection's own; a call made inside an application's Tokio runtime
//! (where blocking on another runtime panics) drives it from a helper
//! thread instead of the caller's.

use std::future::Future;

use tokio::runtime::Runtime;
use tokio_postgres::Client;

use super::connect::Target;
use super::notices::Notices;
use super::tls::{self, OpenError};
use crate::db::runtime::{block_on, close};

/// A connected client, usable from any thread, in an async runtime or not.
pub struct Session {
    client: Client,
    // An `Option` only so that `Drop` can take it.
    runtime: Option<Runtime>,
    notices: Notices,
}

impl Session {
    /// Connects to `target`.
    pub fn open(target: &Target) -> Result<Session, OpenError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| OpenError::Runtime(e.to_string()))?;
        let notices = Notices::default();
        let client = block_on(&runtime, tls::open(target, &notices))?;
        Ok(Session {
            client,
            runtime: Some(runtime),
            notices,
        })
    }

    /// What the server said on this session besides its answers.
    pub fn notices(&self) -> &Notices {
        &self.notices
    }

    /// The client, whose futures [`Session::block`] runs.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Runs a future of the client to its end.
    pub fn block<F>(&self, future: F) -> F::Output
    where
        F: Future + Send,
        F::Output: Send,
    {
        let runtime = self
            .runtime
            .as_ref()
            .expect("the runtime lives as long as the session");
        block_on(runtime, future)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Closing the socket ends the session on the server, which
        // releases its locks.
        if let Some(runtime) = self.runtime.take() {
            close(runtime);
        }
    }
}
