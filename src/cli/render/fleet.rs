//! A command over a fleet: a line per target as each ends, a live view of
//! the run on a terminal (done, failed, running, waiting, the slowest
//! named), then a summary; with `--format json`, one document whose
//! `targets` hold every target's outcome.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use colored::Colorize;
use migrator::migrator::VerifyReport;
use migrator::migrator::fleet::{FleetProgress, FleetReport, TargetOutcome};
use migrator::report::folder::HistoryReport;
use migrator::report::run::{PlanReport, RunReport, StampReport};
use migrator::report::state::{CurrentReport, StatusReport};

use super::{Keep, Output, count, escape_controls};

/// A target's report in a word (what the summary counts) and in a line.
pub trait FleetLine {
    /// The state the summary groups targets by: `applied`, `up to date`,
    /// `behind`, `drifted`, …
    fn state(&self) -> String;
    /// What happened on the target, in one line.
    fn line(&self) -> String;
}

impl FleetLine for RunReport {
    fn state(&self) -> String {
        match (self.steps.is_empty(), self.direction) {
            (true, _) => "nothing to do".into(),
            (false, migrator::record::Direction::Up) => "applied".into(),
            (false, migrator::record::Direction::Down) => "reverted".into(),
        }
    }

    fn line(&self) -> String {
        let Some(last) = self.steps.last() else {
            return format!("nothing to do: already at {}", self.target);
        };
        format!(
            "{} {}, now at {}",
            self.state(),
            count(self.steps.len(), "revision"),
            last.revision.id
        )
    }
}

impl FleetLine for PlanReport {
    fn state(&self) -> String {
        if self.steps.is_empty() {
            "nothing to do".into()
        } else {
            "would change".into()
        }
    }

    fn line(&self) -> String {
        let verb = match self.direction {
            migrator::record::Direction::Up => "apply",
            migrator::record::Direction::Down => "revert",
        };
        match self.steps.as_slice() {
            [] => format!("nothing to do: already at {}", self.target),
            [first, .., last] => format!(
                "would {verb} {} ({} … {})",
                count(self.steps.len(), "revision"),
                first.id,
                last.id
            ),
            [only] => format!("would {verb} 1 revision ({})", only.id),
        }
    }
}

impl FleetLine for StatusReport {
    fn state(&self) -> String {
        if !self.drifted.is_empty() || !self.missing.is_empty() {
            "drifted".into()
        } else if self.run_in_progress.is_some() {
            "locked".into()
        } else if !self.pending.is_empty() {
            "behind".into()
        } else if !self.ahead.is_empty() {
            "ahead".into()
        } else {
            "up to date".into()
        }
    }

    fn line(&self) -> String {
        // The state first, then what else holds: the summary counts by it.
        let mut parts = Vec::new();
        if !self.drifted.is_empty() {
            let ids: Vec<&str> = self.drifted.iter().map(|d| d.revision.as_str()).collect();
            parts.push(format!("changed since applied: {}", ids.join(", ")));
        }
        if !self.missing.is_empty() {
            parts.push(format!(
                "missing from the folder: {}",
                self.missing.join(", ")
            ));
        }
        match self.run_in_progress.as_deref() {
            Some("") => parts.push("a run is in progress".into()),
            Some(holder) => parts.push(format!("a run is in progress: {holder}")),
            None => {}
        }
        if !self.pending.is_empty() {
            parts.push(format!("{} pending", self.pending.len()));
        }
        if !self.ahead.is_empty() {
            parts.push(format!(
                "applied by a newer release: {}",
                self.ahead.join(", ")
            ));
        }
        parts.push(format!(
            "{} of {} applied",
            self.applied.len(),
            self.revisions
        ));
        format!("{}: {}", self.state(), parts.join("; "))
    }
}

impl FleetLine for CurrentReport {
    fn state(&self) -> String {
        if self.pending > 0 {
            "behind".into()
        } else {
            "at head".into()
        }
    }

    fn line(&self) -> String {
        let mut heads: Vec<String> = self.current.iter().map(|r| r.id.clone()).collect();
        if heads.is_empty() {
            heads.push("<base>".into());
        }
        let mut line = heads.join(", ");
        if self.pending > 0 {
            line.push_str(&format!(" ({} pending)", self.pending));
        }
        line
    }
}

impl FleetLine for StampReport {
    fn state(&self) -> String {
        if self.inserted.is_empty() && self.deleted.is_empty() {
            "nothing to do".into()
        } else {
            "stamped".into()
        }
    }

    fn line(&self) -> String {
        match (self.inserted.len(), self.deleted.len()) {
            (0, 0) => format!("nothing to do: the records are already at {}", self.target),
            (inserted, deleted) => format!(
                "stamped {inserted}, unstamped {deleted}: now at {}",
                self.target
            ),
        }
    }
}

impl FleetLine for VerifyReport {
    fn state(&self) -> String {
        if self.ok {
            "verified".into()
        } else {
            "problems".into()
        }
    }

    fn line(&self) -> String {
        let problems: Vec<String> = self
            .problems
            .iter()
            .map(|p| escape_controls(&p.message, Keep::Nothing).into_owned())
            .collect();
        if problems.is_empty() {
            self.summary.join("; ")
        } else {
            format!(
                "{}: {}",
                count(problems.len(), "problem"),
                problems.join("; ")
            )
        }
    }
}

impl FleetLine for HistoryReport {
    fn state(&self) -> String {
        let pending = self
            .revisions
            .iter()
            .filter(|r| r.applied.is_none())
            .count();
        if pending > 0 {
            "behind".into()
        } else {
            "at head".into()
        }
    }

    fn line(&self) -> String {
        let applied = self
            .revisions
            .iter()
            .filter(|r| r.applied.is_some())
            .count();
        let changed: Vec<&str> = self
            .revisions
            .iter()
            .filter(|r| r.applied.as_ref().is_some_and(|a| a.up_file_changed))
            .map(|r| r.id.as_str())
            .collect();
        let mut line = format!("{applied} of {} applied", self.revisions.len());
        if let Some(last) = self.revisions.iter().find(|r| r.applied.is_some()) {
            line.push_str(&format!(
                ", last {} at {} UTC",
                last.id,
                last.applied.as_ref().map_or("", |a| a.applied_at.as_str())
            ));
        }
        if !changed.is_empty() {
            line.push_str(&format!(", drifted: {}", changed.join(", ")));
        }
        line
    }
}

/// Shows a fleet run as it goes: each target's line as it ends (on
/// stdout, in text), and on a terminal a live line on stderr.
pub struct FleetView<'a> {
    output: &'a Output,
    terminal: bool,
    started: Instant,
    state: Mutex<ViewState>,
}

struct ViewState {
    names: Vec<String>,
    /// The width names are padded to in the lines, so that they line up.
    name_width: usize,
    /// Running targets: when each started, the revision it is at.
    running: BTreeMap<usize, (Instant, Option<String>)>,
    done: usize,
    failed: usize,
}

impl<'a> FleetView<'a> {
    pub fn new(output: &'a Output, names: Vec<String>) -> FleetView<'a> {
        FleetView {
            output,
            terminal: std::io::stderr().is_terminal(),
            started: Instant::now(),
            state: Mutex::new(ViewState {
                name_width: names
                    .iter()
                    .map(|n| n.chars().count())
                    .max()
                    .unwrap_or(0)
                    .min(40),
                names,
                running: BTreeMap::new(),
                done: 0,
                failed: 0,
            }),
        }
    }

    /// Whether the live line is drawn; a caller redraws it with
    /// [`FleetView::tick`] while the fleet runs.
    pub fn is_live(&self) -> bool {
        self.terminal
    }

    /// Redraws the live line (the slowest targets' times move on).
    pub fn tick(&self) {
        if self.terminal {
            let state = self.state.lock().expect("the view is not poisoned");
            self.draw(&state);
        }
    }

    /// Clears the live line for good.
    pub fn finish(&self) {
        if self.terminal {
            self.output.progress("\x1b[2K");
        }
    }

    fn draw(&self, state: &ViewState) {
        let waiting = state.names.len() - state.done - state.failed - state.running.len();
        let mut slowest: Vec<(&usize, &(Instant, Option<String>))> = state.running.iter().collect();
        slowest.sort_by_key(|(_, (since, _))| *since);
        let named: Vec<String> = slowest
            .iter()
            .take(2)
            .map(|&(&index, (since, revision))| {
                let at = revision
                    .as_deref()
                    .map(|r| format!(" {r}"))
                    .unwrap_or_default();
                format!(
                    "{}{at} {}",
                    shorten(&state.names[index], 32),
                    super::duration(since.elapsed())
                )
            })
            .collect();
        let mut line = format!(
            "[{}] done {} · failed {} · running {} · waiting {}",
            super::duration(self.started.elapsed()),
            state.done,
            state.failed,
            state.running.len(),
            waiting
        );
        if !named.is_empty() {
            line.push_str(&format!(" · slowest: {}", named.join(", ")));
        }
        let width =
            terminal_size::terminal_size_of(std::io::stderr()).map_or(80, |(w, _)| w.0 as usize);
        let line: String = escape_controls(&line, Keep::Nothing)
            .chars()
            .take(width.saturating_sub(1))
            .collect();
        self.output.progress(format!("\x1b[2K{line}"));
    }
}

/// The end of a long name, `…` in front: the tenant number is at the end.
fn shorten(name: &str, limit: usize) -> String {
    let chars = name.chars().count();
    if chars <= limit {
        return name.to_owned();
    }
    let tail: String = name.chars().skip(chars - limit + 1).collect();
    format!("…{tail}")
}

impl<T: FleetLine> FleetProgress<T> for FleetView<'_> {
    fn started(&self, index: usize, _target: &str) {
        let mut state = self.state.lock().expect("the view is not poisoned");
        state.running.insert(index, (Instant::now(), None));
        if self.terminal {
            self.draw(&state);
        }
    }

    fn step(&self, index: usize, revision: &str, _number: usize, _total: usize) {
        let mut state = self.state.lock().expect("the view is not poisoned");
        if let Some((_, at)) = state.running.get_mut(&index) {
            *at = Some(revision.to_owned());
        }
    }

    fn finished(&self, index: usize, outcome: &TargetOutcome<T>) {
        let mut state = self.state.lock().expect("the view is not poisoned");
        state.running.remove(&index);
        if outcome.ok {
            state.done += 1;
        } else {
            state.failed += 1;
        }
        if self.terminal {
            self.output.progress("\x1b[2K");
        }
        let line = outcome_line(outcome, state.name_width);
        if self.output.is_json() {
            self.output.note(line);
        } else {
            self.output.line(line);
        }
        if self.terminal {
            self.draw(&state);
        }
    }
}

/// `ok      NAME  what happened  (time)`, or `failed  NAME  why`.
fn outcome_line<T: FleetLine>(outcome: &TargetOutcome<T>, width: usize) -> String {
    let name = escape_controls(&outcome.target, Keep::Nothing);
    let name = format!("{name:width$}");
    let time = elapsed(outcome.elapsed_ms);
    let what = match (&outcome.report, &outcome.error) {
        (Some(report), _) => report.line(),
        (None, Some(error)) => error.message.clone(),
        (None, None) => String::new(),
    };
    let what = escape_controls(&what, Keep::Nothing);
    if !outcome.started {
        format!("{}  {name}  not started", "skipped".yellow())
    } else if outcome.ok {
        format!("{}       {name}  {what} ({time})", "ok".green())
    } else {
        format!("{}   {name}  {what} ({time})", "failed".red().bold())
    }
}

/// A target's time; under a millisecond is not worth a figure.
fn elapsed(ms: u128) -> String {
    if ms == 0 {
        "<1 ms".into()
    } else {
        super::duration(Duration::from_millis(ms as u64))
    }
}

/// The JSON document of a command over a fleet.
#[derive(serde::Serialize)]
struct FleetDocument<'a, T> {
    command: &'a str,
    environment: Option<&'a str>,
    shard: Option<String>,
    only: &'a [String],
    #[serde(flatten)]
    report: &'a FleetReport<T>,
}

/// What a fleet run was asked: for the document and the summary's title.
pub struct FleetRun<'a> {
    pub command: &'a str,
    pub environment: Option<&'a str>,
    pub shard: Option<String>,
    pub only: &'a [String],
}

impl Output {
    /// Shows a fleet run's end: the document with `--format json`; in
    /// text, each failure's error on stderr and the summary on stdout.
    pub fn show_fleet<T: FleetLine + serde::Serialize>(
        &self,
        run: &FleetRun<'_>,
        report: &FleetReport<T>,
    ) {
        if self.is_json() {
            self.json(&FleetDocument {
                command: run.command,
                environment: run.environment,
                shard: run.shard.clone(),
                only: run.only,
                report,
            });
        } else {
            for outcome in report.targets.iter().filter(|t| t.started) {
                if let Some(error) = &outcome.error {
                    let mut diagnostic = error.clone();
                    // Named once: a connection error names its URL already.
                    if !diagnostic.message.contains(&outcome.target) {
                        diagnostic.message = format!("{}: {}", outcome.target, diagnostic.message);
                    }
                    self.diagnostic(&diagnostic);
                }
            }
            for line in summary_lines(run, report) {
                self.line(line);
            }
        }
    }
}

/// The summary table: a row per state with its count, the failed and the
/// slowest targets named.
fn summary_lines<T: FleetLine>(run: &FleetRun<'_>, report: &FleetReport<T>) -> Vec<String> {
    let summary = &report.summary;
    let mut title = format!("{} over ", run.command);
    if let Some(environment) = run.environment {
        title.push_str(&format!("environment {environment}: "));
    }
    title.push_str(&count(summary.targets, "target"));
    if summary.targets != summary.fleet {
        title.push_str(&format!(" of {}", summary.fleet));
        if let Some(shard) = &run.shard {
            title.push_str(&format!(", shard {shard}"));
        }
        if !run.only.is_empty() {
            title.push_str(&format!(", --only {}", run.only.join(" ")));
        }
    }
    title.push_str(&format!(
        " in {} ({})",
        super::duration(Duration::from_millis(summary.elapsed_ms as u64)),
        count(summary.jobs, "job")
    ));
    let mut rows: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for outcome in &report.targets {
        let state = match (&outcome.report, outcome.ok, outcome.started) {
            (_, _, false) => "not started".to_owned(),
            (Some(report), _, _) => report.state(),
            (None, _, _) => "failed".to_owned(),
        };
        rows.entry(state).or_default().push(&outcome.target);
    }
    let width = rows
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    let mut lines = vec![String::new(), title];
    for (state, names) in &rows {
        let mut line = format!("  {state:width$}  {:>5}", names.len());
        let failing = matches!(
            state.as_str(),
            "failed" | "not started" | "drifted" | "locked" | "problems"
        );
        if failing || names.len() <= 3 {
            let shown: Vec<String> = names
                .iter()
                .take(10)
                .map(|n| escape_controls(n, Keep::Nothing).into_owned())
                .collect();
            line.push_str(&format!("  {}", shown.join(", ")));
            if names.len() > 10 {
                line.push_str(&format!(", … ({} more)", names.len() - 10));
            }
        }
        lines.push(line);
    }
    let mut slowest: Vec<&TargetOutcome<T>> = report.targets.iter().filter(|t| t.started).collect();
    slowest.sort_by_key(|t| std::cmp::Reverse(t.elapsed_ms));
    // Worth naming when it took long enough to matter.
    if slowest.len() > 1 && slowest[0].elapsed_ms >= 100 {
        let named: Vec<String> = slowest
            .iter()
            .take(3)
            .map(|t| {
                format!(
                    "{} ({})",
                    escape_controls(&t.target, Keep::Nothing),
                    elapsed(t.elapsed_ms)
                )
            })
            .collect();
        lines.push(format!(
            "  {:width$}         {}",
            "slowest",
            named.join(", ")
        ));
    }
    let failed = summary.failed + summary.not_started;
    lines.push(if failed == 0 {
        format!(
            "{}",
            format!("all {} ok", count(summary.targets, "target")).green()
        )
    } else {
        format!(
            "{}",
            format!("{} of {} failed", failed, count(summary.targets, "target"))
                .red()
                .bold()
        )
    });
    lines
}
