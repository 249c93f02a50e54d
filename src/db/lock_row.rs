//! The values of a table lock's row (`lock = "table"`, see
//! [`super::run_lock`]): who claims it, the row another run holds, and
//! what a claim found. Pure.

/// Who takes a table lock: what its row says about the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimant {
    /// `pid N (user@host)`, as the other lock strategies name a holder.
    pub holder: String,
    /// Unique to this run: the row is this run's only while it holds it.
    pub run_id: String,
}

impl Claimant {
    /// This process, with a run id of its own.
    pub fn current() -> Claimant {
        Claimant {
            holder: format!(
                "pid {} ({})",
                std::process::id(),
                crate::record::operator::os_user()
            ),
            run_id: new_run_id(),
        }
    }
}

/// 16 hex digits no other run has: the process, the time and a counter,
/// hashed.
fn new_run_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let seed = format!(
        "{}:{nanos}:{}:{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        crate::record::operator::os_user()
    );
    blake3::hash(seed.as_bytes()).to_hex()[..16].to_string()
}

/// A table lock's row as another run finds it.
#[derive(Debug, Clone, PartialEq)]
pub struct LockRow {
    pub holder: String,
    pub run_id: String,
    /// Seconds since its last heartbeat, by the database's clock.
    pub heartbeat_age: f64,
    /// Whether its expiry passed: its run stopped, and the next run takes
    /// it over.
    pub expired: bool,
}

impl LockRow {
    /// The holder as a waiter and `status` name it:
    /// `pid 12 (ann@ci-7), run 1f0c2a9e…, last heartbeat 3s ago`.
    pub fn describe(&self) -> String {
        let run: String = self.run_id.chars().take(8).collect();
        let age = self.heartbeat_age.max(0.0).round() as u64;
        let mut text = format!("{}, run {run}, last heartbeat {age}s ago", self.holder);
        if self.expired {
            text.push_str(" (expired)");
        }
        text
    }
}

/// What [`LockTable::claim`](super::database::LockTable::claim) found.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// The row is ours; nobody held it.
    Taken,
    /// The row is ours; it was this expired row's.
    TookOver(LockRow),
    /// Another run holds it.
    Held(LockRow),
    /// Someone changed the row between our look and our write: try again.
    Raced,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_is_named_with_its_run_and_heartbeat() {
        let row = LockRow {
            holder: "pid 12 (ann@ci-7)".into(),
            run_id: "1f0c2a9e77aa0011".into(),
            heartbeat_age: 2.6,
            expired: false,
        };
        assert_eq!(
            row.describe(),
            "pid 12 (ann@ci-7), run 1f0c2a9e, last heartbeat 3s ago"
        );
        let expired = LockRow {
            expired: true,
            ..row
        };
        assert!(expired.describe().ends_with("(expired)"));
    }

    #[test]
    fn run_ids_differ() {
        let a = Claimant::current();
        let b = Claimant::current();
        assert_ne!(a.run_id, b.run_id);
        assert_eq!(a.run_id.len(), 16);
        assert!(
            a.holder
                .starts_with(&format!("pid {} (", std::process::id()))
        );
    }
}
