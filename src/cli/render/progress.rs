//! What a run says while it runs, on stderr: the lock it waits for, the
//! drift it goes on despite, each step as it completes (a counter on a
//! terminal).

use std::io::IsTerminal;
use std::time::Duration;

use colored::Colorize;
use migrator::engine::Progress;
use migrator::graph::drift::Comparison;
use migrator::record::Direction;
use migrator::source::revision::Revision;

use super::Output;

/// Says on stderr that the run waits for another one's lock, and for whom:
/// the progress of commands that print no steps (stamp, repair).
pub struct LockNotice<'a>(pub &'a Output);

impl Progress for LockNotice<'_> {
    fn waiting_for_lock(&mut self, holder: Option<&str>, timeout: Option<Duration>) {
        self.0.note(lock_wait_text(holder, timeout));
    }

    fn lock_taken_over(&mut self, previous: &str) {
        self.0.warn(format!(
            "took over the migration lock of a run that stopped sending heartbeats: {previous}"
        ));
    }

    fn running_without_lock(&mut self) {
        self.0.warn(
            "lock = \"none\": this run takes no migration lock; running one migrator at a time \
             on this database is up to you",
        );
    }
}

/// The same notice, for a read that finds a run in its way: the database
/// layer calls it (a plain function, since it keeps no output of its own).
pub fn note_lock_wait(holder: Option<&str>, timeout: Option<Duration>) {
    eprintln!("{}", lock_wait_text(holder, timeout));
}

/// `--wait`: what the command waits for, and when it is over. On stderr,
/// as every note.
pub fn note_connect_wait(event: migrator::db::ConnectWait<'_>) {
    eprintln!("{}", connect_wait_text(event));
}

fn connect_wait_text(event: migrator::db::ConnectWait<'_>) -> String {
    use migrator::db::ConnectWait;
    match event {
        ConnectWait::Waiting {
            location,
            reason,
            limit,
        } => format!(
            "waiting up to {} for {location} to accept connections (--wait): {reason}",
            seconds(limit)
        ),
        ConnectWait::Ready { location, waited } => {
            format!("{location} is up, after {}", seconds(waited))
        }
    }
}

/// `60s`, `2.5s`.
fn seconds(duration: Duration) -> String {
    let text = format!("{:.1}", duration.as_secs_f64());
    format!("{}s", text.strip_suffix(".0").unwrap_or(&text))
}

fn lock_wait_text(holder: Option<&str>, timeout: Option<Duration>) -> String {
    let holder = holder.map(|h| format!(", held by {h}")).unwrap_or_default();
    let limit = match timeout {
        Some(limit) => format!("for up to {limit:?} (--lock-timeout)"),
        None => "for as long as it takes (--lock-timeout sets a limit)".into(),
    };
    format!("another migrator run is active: waiting for the migration lock{holder}, {limit}")
}

/// Says each step of `upgrade` or `downgrade` as it completes, a counter
/// on a terminal. With `--format json` the steps go to stderr: stdout holds
/// the one JSON document.
pub struct StepPrinter<'a> {
    output: &'a Output,
    terminal: bool,
}

impl StepPrinter<'_> {
    /// A printer on `output`'s stderr, with a counter when that is a
    /// terminal.
    pub fn new(output: &Output) -> StepPrinter<'_> {
        StepPrinter {
            output,
            terminal: std::io::stderr().is_terminal(),
        }
    }
}

fn verb(direction: Direction) -> &'static str {
    match direction {
        Direction::Up => "apply",
        Direction::Down => "revert",
    }
}

impl Progress for StepPrinter<'_> {
    fn waiting_for_lock(&mut self, holder: Option<&str>, timeout: Option<Duration>) {
        LockNotice(self.output).waiting_for_lock(holder, timeout);
    }

    fn lock_taken_over(&mut self, previous: &str) {
        LockNotice(self.output).lock_taken_over(previous);
    }

    fn running_without_lock(&mut self) {
        LockNotice(self.output).running_without_lock();
    }

    fn drift_allowed(&mut self, comparison: &Comparison) {
        let ids: Vec<&str> = comparison
            .drifted
            .iter()
            .map(|d| d.revision.as_str())
            .chain(comparison.missing.iter().map(String::as_str))
            .collect();
        self.output.warn(format!(
            "going on despite drift in {} (--allow-drift; logged)",
            ids.join(", ")
        ));
    }

    fn down_files_changed(&mut self, comparison: &Comparison) {
        for drift in &comparison.down_drifted {
            self.output.warn(format!(
                "{} changed since {} was applied",
                drift.path.display(),
                drift.revision
            ));
        }
    }

    fn database_ahead(&mut self, ids: &[String]) {
        self.output.warn(format!(
            "the database is ahead of this folder: a newer release applied {}; they stay applied",
            ids.join(", ")
        ));
    }

    fn step_started(
        &mut self,
        revision: &Revision,
        direction: Direction,
        number: usize,
        total: usize,
    ) {
        if self.terminal && total > 1 {
            self.output.progress(format!(
                "[{number}/{total}] {} {} …",
                verb(direction),
                revision.id
            ));
        }
    }

    fn step_finished(&mut self, revision: &Revision, direction: Direction, elapsed: Duration) {
        if self.terminal {
            self.output.progress("\x1b[2K");
        }
        let verb = match direction {
            Direction::Up => "applied ".green(),
            Direction::Down => "reverted".yellow(),
        };
        let line = format!(
            "{verb} {}  {} ({})",
            revision.id.bold(),
            revision.message_or_empty(),
            super::duration(elapsed)
        );
        if self.output.is_json() {
            self.output.note(line);
        } else {
            self.output.line(line);
        }
    }

    fn resuming(&mut self, revision: &Revision, direction: Direction, done: usize, total: usize) {
        if self.terminal {
            self.output.progress("\x1b[2K");
        }
        let done_phrase = if done == 1 {
            "statement 1 ran".to_string()
        } else {
            format!("statements 1-{done} ran")
        };
        let run = match direction {
            Direction::Up => "upgrade",
            Direction::Down => "downgrade",
        };
        self.output.note(format!(
            "resuming the {run} of {} at statement {} of {total} ({done_phrase} before, unchanged since)",
            revision.id,
            done + 1
        ));
    }

    fn step_note(&mut self, _revision: &Revision, note: &str) {
        let line = format!("  {note}");
        if self.output.is_json() {
            self.output.note(line);
        } else {
            self.output.line(line);
        }
    }

    fn notice(&mut self, _revision: &Revision, text: &str) {
        if self.terminal {
            self.output.progress("\x1b[2K");
        }
        // Indented, so they read as the revision's: after its line, or
        // before the error that names it.
        for line in text.lines() {
            self.output.note(format!("  {line}"));
        }
    }
}
