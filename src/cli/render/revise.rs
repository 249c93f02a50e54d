//! Text of `init`, `new`, `merge`, `merge --check` and `rebase`.

use migrator::diagnostic::Diagnostic;
use migrator::graph::overlap::Overlap;
use migrator::report::revise::{
    InitReport, MergeCheckReport, MergeReport, NewReport, RebaseReport, SquashReport,
};

use super::{Render, Text, count};

impl Render for InitReport {
    fn text(&self, out: &mut Text<'_>) {
        if self.dir_created {
            out.line(format!("created {}/", self.dir.display()));
        } else {
            out.note(format!(
                "{} already exists; left as it is",
                self.dir.display()
            ));
        }
        if self.config_file_created {
            out.line(format!("created {}", self.config_file.display()));
        } else {
            out.note(format!(
                "{} already exists; left as it is",
                self.config_file.display()
            ));
        }
        out.note("next: migrator new -m \"create users\"");
    }
}

impl Render for NewReport {
    fn text(&self, out: &mut Text<'_>) {
        out.line(format!("created {}", self.revision.up_file.display()));
        out.line(format!("created {}", self.revision.down_file.display()));
    }
}

impl Render for SquashReport {
    fn text(&self, out: &mut Text<'_>) {
        out.line(format!("created {}", self.revision.up_file.display()));
        out.line(format!("created {}", self.revision.down_file.display()));
        out.line(format!(
            "{} replaces {}: {}",
            self.revision.id,
            count(self.replaces.len(), "revision"),
            self.replaces.join(", ")
        ));
        if !self.untransactional.is_empty() {
            out.note(format!(
                "{} run without a transaction, so {} does too (`Transaction: off`): \
                 a failure part-way leaves what ran before it applied",
                self.untransactional.join(", "),
                self.revision.id
            ));
        }
        out.note(
            "a fresh database runs only the squash; one that applied the replaced revisions \
             records it at its next upgrade without running it. Delete the replaced files once \
             `migrator verify` says so for every database",
        );
    }
}

impl Render for MergeReport {
    fn text(&self, out: &mut Text<'_>) {
        for overlap in &self.overlaps {
            out.diagnostic(
                &Diagnostic::warning(
                    "overlap",
                    format!("{} is touched by more than one branch:", overlap.object),
                )
                .notes(touch_lines(overlap)),
            );
        }
        if !self.overlaps.is_empty() {
            out.note(
                "  databases that applied one branch first run the other after it: \
                 check that these revisions still work in either order",
            );
        }
        out.line(format!(
            "created {} joining {}",
            self.revision.up_file.display(),
            self.revision.parents.join(", ")
        ));
        out.line(format!("created {}", self.revision.down_file.display()));
        out.note(
            "next: commit both files, then `migrator upgrade` applies whatever each database lacks",
        );
    }
}

impl Render for MergeCheckReport {
    fn text(&self, out: &mut Text<'_>) {
        out.line(format!(
            "{} heads, {}",
            self.heads.len(),
            if self.merge_bases.is_empty() {
                "with no shared revision".to_string()
            } else {
                format!("branched after {}", self.merge_bases.join(", "))
            }
        ));
        for branch in &self.branches {
            out.line("");
            out.line(format!(
                "branch {}: {}",
                branch.head,
                count(branch.revisions.len(), "revision")
            ));
            for entry in &branch.revisions {
                let revision = &entry.revision;
                if entry.effects.is_empty() {
                    out.line(format!("  {}  (no DDL)", revision.id));
                }
                for effect in &entry.effects {
                    out.line(format!(
                        "  {}  {}:{}  {} {}",
                        revision.id,
                        revision.up_file.display(),
                        effect.line,
                        effect.verb,
                        effect.object
                    ));
                }
            }
        }
        out.line("");
        if self.overlaps.is_empty() {
            out.line("no object is touched by more than one branch");
            return;
        }
        for overlap in &self.overlaps {
            out.line(format!("overlap: {}", overlap.object));
            for line in touch_lines(overlap) {
                out.line(format!("  {line}"));
            }
        }
        out.line(format!(
            "{} touched by more than one branch: review those revisions together",
            count(self.overlaps.len(), "object")
        ));
    }
}

/// `REVISION  FILE:LINE  VERB`, columns aligned.
fn touch_lines(overlap: &Overlap) -> Vec<String> {
    let places: Vec<(&str, String)> = overlap
        .touches
        .iter()
        .map(|(_, t)| {
            (
                t.revision.as_str(),
                format!("{}:{}", t.path.display(), t.line),
            )
        })
        .collect();
    let w1 = places.iter().map(|p| p.0.len()).max().unwrap_or(0);
    let w2 = places.iter().map(|p| p.1.len()).max().unwrap_or(0);
    overlap
        .touches
        .iter()
        .zip(places)
        .map(|((_, t), (revision, place))| format!("{revision:w1$}  {place:w2$}  {}", t.verb))
        .collect()
}

impl Render for RebaseReport {
    fn text(&self, out: &mut Text<'_>) {
        let verb = if self.dry_run {
            "would rename"
        } else {
            "renamed"
        };
        for m in &self.moves {
            out.line(format!(
                "{verb} {} -> {}  (Parents: {})",
                m.old_id,
                m.new_id,
                m.parents.join(", ")
            ));
        }
        if self.dry_run {
            out.note(format!(
                "{} would move onto {}; nothing was changed",
                count(self.moves.len(), "revision"),
                self.onto
            ));
        } else {
            out.note(format!(
                "next: commit the renamed files (`git add -A {}`); databases that applied the old ids need `migrator downgrade` before they pull this",
                self.folder.display()
            ));
        }
    }
}
