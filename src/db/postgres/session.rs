//! One connection and the runtime that drives it, behind the blocking
//! calls the rest of migrator makes. The runtime is a current-thread one of
//! the connection's own; a call made inside an application's Tokio runtime
//! (where blocking on another runtime panics) drives it from a helper
//! thread instead of the caller's.

use std::future::Future;

use tokio::runtime::{Handle, Runtime};
use tokio_postgres::Client;

use super::connect::Target;
use super::tls::{self, OpenError};

/// A connected client, usable from any thread, in an async runtime or not.
pub struct Session {
    client: Client,
    // An `Option` only so that `Drop` can take it.
    runtime: Option<Runtime>,
}

impl Session {
    /// Connects to `target`.
    pub fn open(target: &Target) -> Result<Session, OpenError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| OpenError::Runtime(e.to_string()))?;
        let client = block_on(&runtime, tls::open(target))?;
        Ok(Session {
            client,
            runtime: Some(runtime),
        })
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

/// `runtime.block_on(future)`, from a helper thread when the caller is
/// inside a Tokio runtime: blocking a runtime's thread on another runtime
/// panics, a thread of its own may.
fn block_on<F>(runtime: &Runtime, future: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    if Handle::try_current().is_err() {
        return runtime.block_on(future);
    }
    std::thread::scope(
        |scope| match scope.spawn(|| runtime.block_on(future)).join() {
            Ok(output) => output,
            Err(panic) => std::panic::resume_unwind(panic),
        },
    )
}

impl Drop for Session {
    fn drop(&mut self) {
        // Dropping a runtime waits for its tasks, which panics inside
        // another runtime; there it is shut down without waiting. Either
        // way the connection's task is dropped, which closes the socket:
        // the server ends the session and releases its locks.
        if let Some(runtime) = self.runtime.take()
            && Handle::try_current().is_ok()
        {
            runtime.shutdown_background();
        }
    }
}
