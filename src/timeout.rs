//! The database's own timeouts for one revision: how long a statement may
//! wait for a lock (`-- Lock-Timeout:`) and how long it may run
//! (`-- Statement-Timeout:`), from the revision's header or else from the
//! defaults (`revision_lock_timeout`, `revision_statement_timeout`).
//!
//! Not to be confused with `lock_timeout` / `--lock-timeout`, the wait for
//! migrator's own run lock. Pure: how each backend applies them is its
//! own (see docs/postgresql.md and docs/sqlite.md).

use std::fmt;
use std::time::Duration;

use crate::duration::parse_duration;

/// What a header (or a default) says of one timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// The statement is stopped after this long.
    After(Duration),
    /// No timeout for this revision, whatever the default (`off`).
    Off,
}

impl Setting {
    /// Reads `5s`, `10min`, `500ms`, … or `off`. Zero is refused: the
    /// databases read it as "no timeout", which `off` says plainly, and a
    /// duration that rounds to nothing is surely a typo.
    pub fn parse(text: &str) -> Result<Setting, String> {
        if text.trim().eq_ignore_ascii_case("off") {
            return Ok(Setting::Off);
        }
        let duration = parse_duration(text)?;
        if duration < Duration::from_millis(1) {
            return Err(format!(
                "`{}` is too short a timeout: the shortest is 1ms; write `off` for none",
                text.trim()
            ));
        }
        Ok(Setting::After(duration))
    }
}

/// The header's two timeouts, as written (`None`: not in the header).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HeaderTimeouts {
    pub lock: Option<Setting>,
    pub statement: Option<Setting>,
}

/// The defaults for revisions whose header says nothing:
/// `revision_lock_timeout` and `revision_statement_timeout`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Defaults {
    pub lock: Option<Duration>,
    pub statement: Option<Duration>,
}

/// Where a timeout in force was set, for the message when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The revision's header.
    Header,
    /// `revision_lock_timeout` / `revision_statement_timeout` (in
    /// `migrator.toml`, or the library's option).
    Default,
}

/// Which of the two timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Lock,
    Statement,
}

impl Which {
    /// The header key.
    pub fn header(self) -> &'static str {
        match self {
            Which::Lock => "Lock-Timeout",
            Which::Statement => "Statement-Timeout",
        }
    }

    /// The `migrator.toml` key of its default.
    pub fn default_key(self) -> &'static str {
        match self {
            Which::Lock => "revision_lock_timeout",
            Which::Statement => "revision_statement_timeout",
        }
    }
}

/// One timeout in force for a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout {
    pub after: Duration,
    pub origin: Origin,
}

impl Timeout {
    /// Whole milliseconds, at least 1: the unit PostgreSQL and MySQL's
    /// `max_execution_time` take.
    pub fn millis(&self) -> u64 {
        u64::try_from(self.after.as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }
}

/// The timeouts in force for one step, for the backend to apply: each
/// `None` leaves the database's own setting as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timeouts {
    pub lock: Option<Timeout>,
    pub statement: Option<Timeout>,
}

impl Timeouts {
    /// The header's settings over the defaults.
    pub fn resolve(header: HeaderTimeouts, defaults: Defaults) -> Timeouts {
        let pick = |setting: Option<Setting>, default: Option<Duration>| match setting {
            Some(Setting::After(after)) => Some(Timeout {
                after,
                origin: Origin::Header,
            }),
            Some(Setting::Off) => None,
            None => default.map(|after| Timeout {
                after,
                origin: Origin::Default,
            }),
        };
        Timeouts {
            lock: pick(header.lock, defaults.lock),
            statement: pick(header.statement, defaults.statement),
        }
    }

    /// Whether either is set.
    pub fn any(&self) -> bool {
        self.lock.is_some() || self.statement.is_some()
    }

    pub fn get(&self, which: Which) -> Option<Timeout> {
        match which {
            Which::Lock => self.lock,
            Which::Statement => self.statement,
        }
    }

    /// The message of a failure that `which` caused, and what to do about
    /// it, for the backends to put in their `SqlFailure`. `server` is what
    /// the database said.
    pub fn explain(&self, which: Which, server: &str) -> (String, String) {
        let set = match self.get(which) {
            Some(Timeout {
                after,
                origin: Origin::Header,
            }) => format!("{which} ({}: {})", which.header(), human(after)),
            Some(Timeout {
                after,
                origin: Origin::Default,
            }) => format!("{which} ({} = {})", which.default_key(), human(after)),
            None => format!("{which}"),
        };
        let message = format!("{set} ran out ({server})");
        let hint = match which {
            Which::Lock => {
                "another session held a lock this statement needed for longer than that (a long \
                 transaction, or a query on the table): run the command again once that session \
                 is done (PostgreSQL: pg_blocking_pids() names it; MySQL: SHOW PROCESSLIST), or \
                 give the revision a longer Lock-Timeout"
            }
            Which::Statement => {
                "the statement ran longer than the revision allows: make it cheaper (smaller \
                 batches, an index first), or give the revision a longer Statement-Timeout \
                 (`-- Statement-Timeout: off` for none)"
            }
        };
        (message, hint.to_owned())
    }
}

impl fmt::Display for Which {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Which::Lock => "the revision's lock timeout",
            Which::Statement => "the revision's statement timeout",
        })
    }
}

/// `1500ms`, `5s`, `10min`, `2h`: the largest unit that shows the value
/// exactly.
pub fn human(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms == 0 || !ms.is_multiple_of(1000) {
        return format!("{ms}ms");
    }
    let s = ms / 1000;
    if s.is_multiple_of(3600) {
        format!("{}h", s / 3600)
    } else if s.is_multiple_of(60) {
        format!("{}min", s / 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_durations_or_off() {
        let cases = [
            ("5s", Ok(Setting::After(Duration::from_secs(5)))),
            ("10min", Ok(Setting::After(Duration::from_secs(600)))),
            ("250ms", Ok(Setting::After(Duration::from_millis(250)))),
            ("OFF", Ok(Setting::Off)),
            ("0", Err("too short")),
            ("0.1ms", Err("too short")),
            ("soon", Err("is not a duration")),
        ];
        for (text, expected) in cases {
            match (Setting::parse(text), expected) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{text}"),
                (Err(got), Err(want)) => assert!(got.contains(want), "{text}: {got}"),
                (got, want) => panic!("{text}: {got:?}, expected {want:?}"),
            }
        }
    }

    #[test]
    fn the_header_wins_over_the_defaults_and_off_clears_them() {
        let s = Duration::from_secs;
        let defaults = Defaults {
            lock: Some(s(5)),
            statement: Some(s(60)),
        };
        let header = HeaderTimeouts {
            lock: Some(Setting::After(s(1))),
            statement: Some(Setting::Off),
        };
        let resolved = Timeouts::resolve(header, defaults);
        assert_eq!(
            resolved.lock,
            Some(Timeout {
                after: s(1),
                origin: Origin::Header
            })
        );
        assert_eq!(resolved.statement, None);
        let resolved = Timeouts::resolve(HeaderTimeouts::default(), defaults);
        assert_eq!(resolved.statement.unwrap().origin, Origin::Default);
        assert!(!Timeouts::resolve(HeaderTimeouts::default(), Defaults::default()).any());
    }

    #[test]
    fn durations_are_shown_in_the_largest_exact_unit() {
        let cases = [
            (1500, "1500ms"),
            (50, "50ms"),
            (5_000, "5s"),
            (600_000, "10min"),
            (7_200_000, "2h"),
            (90_000, "90s"),
        ];
        for (ms, shown) in cases {
            assert_eq!(human(Duration::from_millis(ms)), shown);
        }
    }
}
