//! The session's settings around a revision, pure: the revision's own
//! timeouts (`Lock-Timeout`, `Statement-Timeout`) set for the session
//! before its statements, and the settings a revision may change put back
//! to what the session had before the first revision, so that nothing one
//! revision sets reaches the next one or the bookkeeping.
//!
//! MySQL has no `SET LOCAL`: the timeouts are session settings, and the
//! same statement that puts the revision's changes back puts them back
//! too. It rides in the batch that records the revision, so hygiene costs
//! no round trip of its own.
//!
//! `COM_RESET_CONNECTION` (the driver's `Conn::reset`) was the other way:
//! it is a command of its own (a round trip per revision, never in a
//! batch), it sets the variables to the server's global defaults rather
//! than to what this session had (an `init_connect`, or the account's own
//! settings, are lost), and MySQL before 5.7.3 / MariaDB before 10.2.4
//! lack it. What it does that this does not: drop the temporary tables and
//! prepared statements a revision left (see docs/mysql.md).

use crate::timeout::Timeouts;

/// MariaDB and MySQL differ in how a statement's running time is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// `max_statement_time`, in seconds (fractions allowed), for every
    /// statement.
    MariaDb,
    /// `max_execution_time`, in milliseconds, for `SELECT` only.
    Mysql,
}

impl Flavor {
    /// From the version the server gave in the handshake: MariaDB's are
    /// 10 and later (the driver reads them past the `5.5.5-` prefix),
    /// MySQL's 5, 8 and 9.
    pub fn of_version(major: u16) -> Flavor {
        if major >= 10 {
            Flavor::MariaDb
        } else {
            Flavor::Mysql
        }
    }
}

/// The settings read once, before the first revision runs: one round
/// trip, on both flavors (`SHOW` lists only the variables the server
/// has).
pub const READ_BASELINE: &str = "SHOW SESSION VARIABLES WHERE Variable_name IN ('sql_mode', 'time_zone', 'foreign_key_checks', 'unique_checks', \
     'autocommit', 'character_set_client', 'character_set_connection', 'character_set_results', \
     'collation_connection', 'lock_wait_timeout', 'innodb_lock_wait_timeout', \
     'max_statement_time', 'max_execution_time')";

/// What kind of value a variable holds, for how it is written back.
#[derive(Clone, Copy)]
enum Kind {
    /// Written as a string literal (`ON`/`OFF` included).
    Text,
    /// Written as a number: the server refuses a string for these.
    Number,
    /// A character set that may be NULL (`SHOW` prints it empty).
    Charset,
}

/// The settings put back after each revision, in this order (the
/// collation after the character set it belongs to); `autocommit` is
/// apart ([`Baseline::autocommit`]).
const RESTORED: [(&str, Kind); 11] = [
    ("sql_mode", Kind::Text),
    ("time_zone", Kind::Text),
    ("foreign_key_checks", Kind::Text),
    ("unique_checks", Kind::Text),
    ("character_set_client", Kind::Charset),
    ("character_set_results", Kind::Charset),
    ("character_set_connection", Kind::Charset),
    ("collation_connection", Kind::Charset),
    ("lock_wait_timeout", Kind::Number),
    ("innodb_lock_wait_timeout", Kind::Number),
    ("max_statement_time", Kind::Number),
];

/// What the session had before the first revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    /// `SET SESSION …;` putting back every setting but `autocommit`, or
    /// empty.
    pub restore: String,
    /// `SET SESSION …;` putting back the lock waits and the statement
    /// limit only, or empty: for migrator's own statements in the middle
    /// of a revision (its progress rows), which the revision's timeouts
    /// must not stop, while its other settings stay for its next
    /// statement.
    pub timeouts: String,
    /// `SET SESSION autocommit = …;`: apart, because turning it on commits
    /// the open transaction, so in a transactional batch it comes after
    /// the `COMMIT`.
    pub autocommit: String,
}

impl Baseline {
    /// From the rows of [`READ_BASELINE`]: (name, value).
    pub fn from_rows(rows: &[(String, String)]) -> Baseline {
        let value = |name: &str| {
            rows.iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let mut assignments = Vec::new();
        let mut timeouts = Vec::new();
        let restored = RESTORED
            .iter()
            .copied()
            .chain([("max_execution_time", Kind::Number)]);
        for (name, kind) in restored {
            let Some(text) = value(name) else { continue };
            let written = match kind {
                Kind::Text => super::sql::quote_literal(text),
                Kind::Charset if text.is_empty() => "NULL".to_string(),
                Kind::Charset => super::sql::quote_literal(text),
                Kind::Number if is_number(text) => text.to_string(),
                // Nothing else is a number: left as the revision put it
                // rather than written back as something the server reads
                // differently.
                Kind::Number => continue,
            };
            if matches!(kind, Kind::Number) {
                timeouts.push(format!("{name} = {written}"));
            }
            assignments.push(format!("{name} = {written}"));
        }
        let set = |assignments: Vec<String>| {
            if assignments.is_empty() {
                String::new()
            } else {
                format!("SET SESSION {};\n", assignments.join(", "))
            }
        };
        let (restore, timeouts) = (set(assignments), set(timeouts));
        let autocommit = value("autocommit").map_or_else(String::new, |v| {
            format!(
                "SET SESSION autocommit = {};\n",
                super::sql::quote_literal(v)
            )
        });
        Baseline {
            restore,
            timeouts,
            autocommit,
        }
    }

    /// Everything put back, `autocommit` last.
    pub fn restore_all(&self) -> String {
        format!("{}{}", self.restore, self.autocommit)
    }
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// The step's timeouts as one `SET SESSION …;`, or empty when it has none.
/// A lock timeout is in whole seconds (rounded up, at least 1), for row
/// locks (`innodb_lock_wait_timeout`) and metadata locks
/// (`lock_wait_timeout`, what DDL waits on); a statement timeout is
/// MariaDB's `max_statement_time` (seconds, to the microsecond) or MySQL's
/// `max_execution_time` (milliseconds, which MySQL applies to `SELECT`
/// only).
pub fn set_timeouts(timeouts: &Timeouts, flavor: Flavor) -> String {
    let mut assignments = Vec::new();
    if let Some(lock) = timeouts.lock {
        let seconds = lock.millis().div_ceil(1000).max(1);
        assignments.push(format!("lock_wait_timeout = {seconds}"));
        assignments.push(format!("innodb_lock_wait_timeout = {seconds}"));
    }
    if let Some(statement) = timeouts.statement {
        assignments.push(match flavor {
            Flavor::MariaDb => format!(
                "max_statement_time = {:.6}",
                statement.after.as_secs_f64().max(0.000_001)
            ),
            Flavor::Mysql => format!("max_execution_time = {}", statement.millis()),
        });
    }
    if assignments.is_empty() {
        return String::new();
    }
    format!("SET SESSION {};\n", assignments.join(", "))
}

/// For `--sql`, where no session was read: the step's timeouts back to the
/// server's defaults after its statements, or empty.
pub fn default_timeouts(timeouts: &Timeouts, flavor: Flavor) -> String {
    let mut names = Vec::new();
    if timeouts.lock.is_some() {
        names.push("lock_wait_timeout = DEFAULT");
        names.push("innodb_lock_wait_timeout = DEFAULT");
    }
    if timeouts.statement.is_some() {
        names.push(match flavor {
            Flavor::MariaDb => "max_statement_time = DEFAULT",
            Flavor::Mysql => "max_execution_time = DEFAULT",
        });
    }
    if names.is_empty() {
        return String::new();
    }
    format!("SET SESSION {};\n", names.join(", "))
}

/// Which of the step's own timeouts an error number says fired, when the
/// step has that timeout: 1205 is a lock wait (row or metadata), 1969 is
/// MariaDB's `max_statement_time`, 3024 MySQL's `max_execution_time`.
pub fn fired(code: u16, timeouts: &Timeouts) -> Option<crate::timeout::Which> {
    use crate::timeout::Which;
    match code {
        1205 if timeouts.lock.is_some() => Some(Which::Lock),
        1969 | 3024 if timeouts.statement.is_some() => Some(Which::Statement),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeout::{Origin, Timeout, Which};
    use std::time::Duration;

    fn timeout(millis: u64) -> Option<Timeout> {
        Some(Timeout {
            after: Duration::from_millis(millis),
            origin: Origin::Header,
        })
    }

    fn rows(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn timeouts_are_seconds_rounded_up_and_the_flavors_own_statement_limit() {
        let both = Timeouts {
            lock: timeout(1500),
            statement: timeout(200),
        };
        assert_eq!(
            set_timeouts(&both, Flavor::MariaDb),
            "SET SESSION lock_wait_timeout = 2, innodb_lock_wait_timeout = 2, \
             max_statement_time = 0.200000;\n"
        );
        assert_eq!(
            set_timeouts(&both, Flavor::Mysql),
            "SET SESSION lock_wait_timeout = 2, innodb_lock_wait_timeout = 2, \
             max_execution_time = 200;\n"
        );
        let short_lock = Timeouts {
            lock: timeout(1),
            statement: None,
        };
        assert_eq!(
            set_timeouts(&short_lock, Flavor::MariaDb),
            "SET SESSION lock_wait_timeout = 1, innodb_lock_wait_timeout = 1;\n"
        );
        assert_eq!(set_timeouts(&Timeouts::default(), Flavor::Mysql), "");
        assert_eq!(default_timeouts(&Timeouts::default(), Flavor::Mysql), "");
    }

    #[test]
    fn the_baseline_puts_back_what_the_session_had_in_one_statement() {
        let baseline = Baseline::from_rows(&rows(&[
            ("sql_mode", "STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION"),
            ("time_zone", "SYSTEM"),
            ("autocommit", "ON"),
            ("foreign_key_checks", "ON"),
            ("character_set_results", ""),
            ("collation_connection", "utf8mb4_general_ci"),
            ("lock_wait_timeout", "86400"),
            ("max_statement_time", "0.000000"),
            ("innodb_lock_wait_timeout", "odd"),
        ]));
        assert_eq!(
            baseline.restore,
            "SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION', \
             time_zone = 'SYSTEM', foreign_key_checks = 'ON', character_set_results = NULL, \
             collation_connection = 'utf8mb4_general_ci', lock_wait_timeout = 86400, \
             max_statement_time = 0.000000;\n"
        );
        assert_eq!(
            baseline.timeouts,
            "SET SESSION lock_wait_timeout = 86400, max_statement_time = 0.000000;\n"
        );
        assert_eq!(baseline.autocommit, "SET SESSION autocommit = 'ON';\n");
        let mysql = Baseline::from_rows(&rows(&[("max_execution_time", "0")]));
        assert_eq!(mysql.restore, "SET SESSION max_execution_time = 0;\n");
    }

    #[test]
    fn mariadb_is_told_from_mysql_by_its_version() {
        assert_eq!(Flavor::of_version(10), Flavor::MariaDb);
        assert_eq!(Flavor::of_version(11), Flavor::MariaDb);
        assert_eq!(Flavor::of_version(8), Flavor::Mysql);
        assert_eq!(Flavor::of_version(5), Flavor::Mysql);
    }

    #[test]
    fn only_the_steps_own_timeouts_are_named_as_fired() {
        let lock_only = Timeouts {
            lock: timeout(1000),
            statement: None,
        };
        assert_eq!(fired(1205, &lock_only), Some(Which::Lock));
        assert_eq!(fired(1969, &lock_only), None);
        assert_eq!(fired(1205, &Timeouts::default()), None);
        let statement_only = Timeouts {
            lock: None,
            statement: timeout(1000),
        };
        assert_eq!(fired(1969, &statement_only), Some(Which::Statement));
        assert_eq!(fired(3024, &statement_only), Some(Which::Statement));
    }
}
