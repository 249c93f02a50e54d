//! What the torture tests share: one seed for everything random (printed,
//! and replayed from `TORTURE_SEED`), budgets from the environment, a
//! watchdog for hangs, and the report file `scripts/torture` sums up.

#![allow(dead_code)]

use std::io::Write;
use std::sync::OnceLock;
use std::time::Duration;

/// The seed of this test process: `TORTURE_SEED` (decimal or `0x` hex)
/// when set, else the clock's. Printed once per process, so a failure's
/// output always says how to replay it.
pub fn seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| {
        let seed = match std::env::var("TORTURE_SEED") {
            Ok(text) if !text.trim().is_empty() => parse_seed(text.trim())
                .unwrap_or_else(|| panic!("TORTURE_SEED={text} is not a u64")),
            _ => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap();
                // Fits in 53 bits: readable, and exact wherever it is pasted.
                (now.as_nanos() as u64 ^ (u64::from(std::process::id()) << 32)) & ((1 << 53) - 1)
            }
        };
        eprintln!("torture: seed {seed} (replay with TORTURE_SEED={seed})");
        seed
    })
}

fn parse_seed(text: &str) -> Option<u64> {
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// The seed of one test: the process seed mixed with the test's name, so
/// that tests sharing `TORTURE_SEED` still draw different numbers.
pub fn seed_for(name: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    seed() ^ hash
}

/// SplitMix64: tiny, good enough for kill moments, and the same numbers
/// for the same seed on every machine and every version of every crate.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A duration in `0..limit`, in microseconds.
    pub fn duration_below(&mut self, limit: Duration) -> Duration {
        let micros = u64::try_from(limit.as_micros()).unwrap().max(1);
        Duration::from_micros(self.below(micros))
    }
}

/// A count from the environment variable `name`, else `default`.
pub fn budget(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text} is not a count")),
        _ => default,
    }
}

/// Appends one line to the file `TORTURE_REPORT` names, when it is set:
/// `scripts/torture` adds these up into its summary. Lines are
/// `KIND NAME COUNT [DETAIL...]`.
pub fn report(line: &str) {
    let Ok(path) = std::env::var("TORTURE_REPORT") else {
        return;
    };
    // One write per line, in append mode: lines of parallel tests do not mix.
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .unwrap_or_else(|e| panic!("TORTURE_REPORT={path}: {e}"));
    file.write_all(format!("{line}\n").as_bytes())
        .unwrap_or_else(|e| panic!("TORTURE_REPORT={path}: {e}"));
}

/// Runs `work` on a thread of its own and fails naming `what` when it has
/// not returned within `limit`: a parser that loops for ever fails the test
/// instead of hanging the suite. A panic inside `work` is passed on.
#[track_caller]
pub fn within<T: Send + 'static>(
    limit: Duration,
    what: impl FnOnce() -> String,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (send, receive) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let _ = send.send(work());
    });
    match receive.recv_timeout(limit) {
        Ok(value) => {
            let _ = thread.join();
            value
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => match thread.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the thread sends before it ends"),
        },
        // The thread is left running: there is no way to stop it, and the
        // test fails anyway.
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("no answer within {limit:?} (a hang?): {}", what())
        }
    }
}
