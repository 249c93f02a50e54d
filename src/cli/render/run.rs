//! Text of what `upgrade`, `downgrade`, `stamp` and `repair` did or would do.

use migrator::graph::plan::StepKind;
use migrator::record::Direction;
use migrator::report::run::{PlanReport, RepairReport, RunReport, SqlScript, StampReport};

use super::{Render, Text, count};

fn verb(direction: Direction) -> &'static str {
    match direction {
        Direction::Up => "apply",
        Direction::Down => "revert",
    }
}

impl Render for RunReport {
    // The steps were said as they ran; this is the closing line.
    fn text(&self, out: &mut Text<'_>) {
        if self.steps.is_empty() {
            out.line(format!(
                "nothing to do: the database is already at {}",
                self.target
            ));
            return;
        }
        let verb = match self.direction {
            Direction::Up => "applied",
            Direction::Down => "reverted",
        };
        out.line(format!(
            "{verb} {} in {}",
            count(self.steps.len(), "revision"),
            super::duration(std::time::Duration::from_millis(self.elapsed_ms as u64))
        ));
    }
}

impl Render for PlanReport {
    fn text(&self, out: &mut Text<'_>) {
        if self.steps.is_empty() {
            out.line(format!(
                "nothing to do: the database is already at {}",
                self.target
            ));
            return;
        }
        for (revision, kind) in self.steps.iter().zip(&self.kinds) {
            let verb = match kind {
                StepKind::Reapply => "apply again",
                StepKind::Adopt => "record (its replaced revisions are applied)",
                StepKind::Apply | StepKind::Undo => verb(self.direction),
            };
            out.line(format!(
                "would {verb} {}  {}",
                revision.id,
                revision.message_or_empty()
            ));
        }
        out.line(format!(
            "{} would {}; nothing was changed",
            count(self.steps.len(), "revision"),
            verb(self.direction)
        ));
    }
}

impl Render for SqlScript {
    fn text(&self, out: &mut Text<'_>) {
        if let Some(preamble) = &self.preamble {
            out.line("-- the bookkeeping tables, on a database that has none yet");
            out.line(preamble.trim_end());
        }
        for step in &self.steps {
            let resumed = match step.resume_at {
                0 => String::new(),
                done => format!(
                    " (resumed at statement {}: the first {done} ran before)",
                    done + 1
                ),
            };
            out.line(format!(
                "-- {} {}: {}{resumed}",
                verb(step.direction),
                step.revision,
                step.file.display()
            ));
            out.line(&step.sql);
        }
    }
}

impl Render for StampReport {
    fn text(&self, out: &mut Text<'_>) {
        for id in &self.deleted {
            out.line(format!("unstamped {id}"));
        }
        for id in &self.inserted {
            out.line(format!("stamped {id}"));
        }
        if self.inserted.is_empty() && self.deleted.is_empty() {
            out.line(format!(
                "nothing to do: the records are already at {}",
                self.target
            ));
        }
    }
}

impl Render for RepairReport {
    fn text(&self, out: &mut Text<'_>) {
        if self.repaired.is_empty() && self.forgotten.is_empty() {
            out.line("nothing to repair: every applied file matches its record");
        }
        for id in &self.forgotten {
            out.line(format!(
                "forgot the progress of {id}: its next run starts at its first statement"
            ));
        }
        for id in &self.repaired {
            out.line(format!(
                "repaired {id}: recorded the new checksums and SQL of its files"
            ));
        }
    }
}
