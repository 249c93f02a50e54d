//! Migrating from an async application. The blocking methods may be called
//! inside an async runtime (backends that use one of their own drive it
//! from a helper thread there), but they hold the caller's thread until
//! they end; these run the work on a thread of its own instead, and return
//! a future that the thread wakes when it is done. Nothing here depends on
//! an executor: Tokio, async-std, smol or a hand-written one all poll it
//! the same way.

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;

use crate::error::Error;
use crate::report::run::RunReport;

use super::Migrator;

impl Migrator {
    /// [`Migrator::upgrade`] for an async application: migrates on a thread
    /// of its own, so the executor's threads go on with other tasks.
    ///
    /// ```no_run
    /// # async fn start() -> Result<(), migrator::Error> {
    /// let report = migrator::Migrator::from_dir("versions")?
    ///     .with_database_url(&std::env::var("DATABASE_URL").expect("a database URL"))?
    ///     .upgrade_async("head")
    ///     .await?;
    /// println!("{} revisions applied", report.steps.len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn upgrade_async(
        self,
        target: &str,
    ) -> impl Future<Output = Result<RunReport, Error>> + Send + 'static {
        let target = target.to_string();
        self.run_async(move |mut migrator| migrator.upgrade(&target))
    }

    /// Runs `work` with this migrator on a thread of its own and resolves
    /// to what it returns: any of the blocking methods, for an async
    /// application. Return the migrator from `work` to keep using it.
    ///
    /// A panic in `work` resumes in the task that awaits the future.
    pub fn run_async<T, F>(self, work: F) -> impl Future<Output = T> + Send + 'static
    where
        F: FnOnce(Migrator) -> T + Send + 'static,
        T: Send + 'static,
    {
        let shared = Arc::new(Mutex::new(Shared {
            result: None,
            waker: None,
        }));
        let done = Arc::clone(&shared);
        let spawned = thread::Builder::new()
            .name("migrator".into())
            .spawn(move || {
                let result = panic::catch_unwind(AssertUnwindSafe(|| work(self)));
                let waker = {
                    let mut shared = done.lock().unwrap_or_else(|e| e.into_inner());
                    shared.result = Some(result);
                    shared.waker.take()
                };
                if let Some(waker) = waker {
                    waker.wake();
                }
            });
        if let Err(error) = spawned {
            // As `std::thread::spawn` does: a process that cannot start a
            // thread has no good way on.
            panic!("cannot start a thread to migrate on: {error}");
        }
        Background { shared }
    }
}

/// What the thread and the awaiting task share: the result once there is
/// one, and whom to wake for it.
struct Shared<T> {
    result: Option<thread::Result<T>>,
    waker: Option<Waker>,
}

/// The future of [`Migrator::run_async`].
struct Background<T> {
    shared: Arc<Mutex<Shared<T>>>,
}

impl<T> Future for Background<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        match shared.result.take() {
            Some(Ok(value)) => Poll::Ready(value),
            Some(Err(panic)) => {
                drop(shared);
                panic::resume_unwind(panic)
            }
            None => {
                // The task may have moved to another thread since the last
                // poll: keep the newest waker.
                shared.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    use super::*;
    use crate::project::Project;

    /// A waker that counts its wakes, and an executor of one future that
    /// parks until woken: no runtime at all.
    struct Counting(AtomicUsize, thread::Thread);

    impl Wake for Counting {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
            self.1.unpark();
        }
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        let counting = Arc::new(Counting(AtomicUsize::new(0), thread::current()));
        let waker = Waker::from(Arc::clone(&counting));
        let mut cx = Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
                return value;
            }
            thread::park();
        }
    }

    fn migrator() -> Migrator {
        let files: Vec<(std::path::PathBuf, Vec<u8>)> = Vec::new();
        Migrator::new(Project::from_files(std::path::Path::new("versions"), files).unwrap())
    }

    #[test]
    fn the_work_runs_on_its_own_thread_and_wakes_the_task() {
        let caller = thread::current().id();
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let mut future = std::pin::pin!(migrator().run_async(move |_| {
            wait.recv().unwrap();
            thread::current().id()
        }));
        let counting = Arc::new(Counting(AtomicUsize::new(0), thread::current()));
        let waker = Waker::from(Arc::clone(&counting));
        let mut cx = Context::from_waker(&waker);
        assert!(future.as_mut().poll(&mut cx).is_pending());
        go.send(()).unwrap();
        while counting.0.load(Ordering::SeqCst) == 0 {
            thread::park();
        }
        let Poll::Ready(ran_on) = future.as_mut().poll(&mut cx) else {
            panic!("woken before the result was there");
        };
        assert_ne!(ran_on, caller);
        assert_eq!(counting.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn the_migrator_can_come_back() {
        let migrator = block_on(migrator().run_async(|m| m));
        assert_eq!(migrator.project().graph.len(), 0);
    }

    #[test]
    fn a_panic_in_the_work_resumes_in_the_awaiting_task() {
        let caught = panic::catch_unwind(|| block_on(migrator().run_async(|_| panic!("boom"))));
        let message = caught.unwrap_err();
        assert_eq!(message.downcast_ref::<&str>(), Some(&"boom"));
    }

    #[test]
    fn a_migrator_may_move_between_threads() {
        fn send<T: Send + 'static>() {}
        send::<Migrator>();
    }
}
