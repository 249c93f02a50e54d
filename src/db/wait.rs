//! `--wait`: connecting again, with backoff, while the server is not up
//! yet (a database still starting in a container). Only
//! [`DbError::NotReady`] is waited on: a wrong password, an unknown
//! database or a bad certificate fail at once, as without `--wait`.

use std::time::{Duration, Instant};

use super::database::{ConnectOptions, ConnectWait, DbError};

/// The wait of a bare `--wait`.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(60);

/// The first pause between attempts; each next one doubles, up to
/// [`LONGEST_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(100);
const LONGEST_PAUSE: Duration = Duration::from_secs(2);

/// The pause after `attempt` failed attempts (1 for the first): 100 ms,
/// 200 ms, 400 ms, … up to 2 s. Pure.
pub fn pause(attempt: u32) -> Duration {
    let doublings = attempt.saturating_sub(1).min(16);
    (FIRST_PAUSE * 2u32.pow(doublings)).min(LONGEST_PAUSE)
}

/// Runs `connect` once, or, with `options.wait`, again after each
/// [`DbError::NotReady`] until it succeeds, fails otherwise, or the wait is
/// over; `options.wait_notice` hears when the wait starts and ends.
pub fn connecting<T>(
    options: &ConnectOptions,
    mut connect: impl FnMut() -> Result<T, DbError>,
) -> Result<T, DbError> {
    let Some(limit) = options.wait else {
        return connect();
    };
    let started = Instant::now();
    let mut attempt = 0;
    let mut waited_for = String::new();
    loop {
        attempt += 1;
        match connect() {
            Ok(connected) => {
                if attempt > 1
                    && let Some(notice) = options.wait_notice
                {
                    notice(ConnectWait::Ready {
                        location: &waited_for,
                        waited: started.elapsed(),
                    });
                }
                return Ok(connected);
            }
            Err(DbError::NotReady {
                location,
                message,
                hint,
            }) => {
                let waited = started.elapsed();
                if waited >= limit {
                    return Err(DbError::NotReady {
                        location,
                        message: format!(
                            "{message} (still, after waiting {:.1}s; --wait={}s)",
                            waited.as_secs_f64(),
                            limit.as_secs_f64()
                        ),
                        hint,
                    });
                }
                if attempt == 1
                    && let Some(notice) = options.wait_notice
                {
                    waited_for.clone_from(&location);
                    notice(ConnectWait::Waiting {
                        location: &location,
                        reason: &message,
                        limit,
                    });
                }
                // The last pause ends at the limit, for one last attempt.
                std::thread::sleep(pause(attempt).min(limit - waited));
            }
            Err(other) => return Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn pauses_double_up_to_two_seconds() {
        let ms: Vec<u128> = (1..=8).map(|a| pause(a).as_millis()).collect();
        assert_eq!(ms, [100, 200, 400, 800, 1600, 2000, 2000, 2000]);
        assert_eq!(pause(u32::MAX), LONGEST_PAUSE);
    }

    fn not_ready() -> DbError {
        DbError::NotReady {
            location: "postgres://h/db".into(),
            message: "connection refused by h port 5432".into(),
            hint: None,
        }
    }

    #[test]
    fn waits_on_not_ready_only() {
        let options = ConnectOptions {
            wait: Some(Duration::from_secs(5)),
            ..ConnectOptions::default()
        };
        // Ready on the third attempt.
        let attempts = Cell::new(0);
        let result = connecting(&options, || {
            attempts.set(attempts.get() + 1);
            if attempts.get() < 3 {
                Err(not_ready())
            } else {
                Ok(attempts.get())
            }
        });
        assert_eq!(result.unwrap(), 3);
        // Any other failure ends it at once.
        let attempts = Cell::new(0);
        let result: Result<(), DbError> = connecting(&options, || {
            attempts.set(attempts.get() + 1);
            Err(DbError::Connect {
                location: "postgres://h/db".into(),
                message: "password authentication failed".into(),
                hint: None,
            })
        });
        assert!(matches!(result, Err(DbError::Connect { .. })));
        assert_eq!(attempts.get(), 1);
        // Without --wait, one attempt.
        let attempts = Cell::new(0);
        let result: Result<(), DbError> = connecting(&ConnectOptions::default(), || {
            attempts.set(attempts.get() + 1);
            Err(not_ready())
        });
        assert!(result.is_err());
        assert_eq!(attempts.get(), 1);
    }

    #[test]
    fn gives_up_when_the_wait_is_over_saying_so() {
        let options = ConnectOptions {
            wait: Some(Duration::from_millis(250)),
            ..ConnectOptions::default()
        };
        let started = Instant::now();
        let error = connecting::<()>(&options, || Err(not_ready())).unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(250));
        assert!(started.elapsed() < Duration::from_secs(2));
        let text = error.to_string();
        assert!(
            text.contains("connection refused by h port 5432 (still, after waiting"),
            "{text}"
        );
        assert!(text.contains("--wait=0.25s"), "{text}");
    }
}
