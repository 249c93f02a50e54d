//! The Tokio runtime a server backend's session owns, driven from the
//! blocking [`Database`](super::Database) trait, whether or not the caller
//! is itself inside a runtime (an application migrating at start-up).

use std::future::Future;

use tokio::runtime::{Handle, Runtime};

/// `runtime.block_on(future)`, from a helper thread when the caller is
/// inside a Tokio runtime: blocking a runtime's thread on another runtime
/// panics, a thread of its own may.
pub fn block_on<F>(runtime: &Runtime, future: F) -> F::Output
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

/// Drops a session's runtime. Dropping a runtime waits for its tasks,
/// which panics inside another runtime; there it is shut down without
/// waiting. Either way the connection's task is dropped, which closes the
/// socket.
pub fn close(runtime: Runtime) {
    if Handle::try_current().is_ok() {
        runtime.shutdown_background();
    }
}
