//! `repair`: after an edit of an applied file was reviewed, record the
//! file's new checksum and text, and log it; for a revision whose run was
//! interrupted halfway, once the database was put back by hand, forget its
//! progress, so that its next run starts at its first statement. Decided first
//! ([`Migrator::prepare_repair`]), so that a person can confirm what will be
//! recorded, then recorded ([`Migrator::repair`]).

use crate::engine::{self, Progress, RunOptions, Silent, resume};
use crate::error::Error;
use crate::record::{Direction, Event, RecordChange};
use crate::report::run::RepairReport;

use super::options::{Forget, RepairPlan, Repairs};
use super::{Migrator, connection};

impl Migrator {
    /// Chooses what to repair: reads the database (creating nothing) and
    /// refuses a named revision whose files did not change since it was
    /// applied, or that is not applied.
    pub fn prepare_repair(&mut self, which: &Repairs) -> Result<RepairPlan, Error> {
        let state = self.state()?;
        let mut changed: Vec<String> = Vec::new();
        let comparison = &state.comparison;
        for drift in comparison.drifted.iter().chain(&comparison.down_drifted) {
            if !changed.contains(&drift.revision) {
                changed.push(drift.revision.clone());
            }
        }
        let graph = &self.project.graph;
        changed.sort_by_key(|id| graph.index_of(id));
        let db = connection(&mut self.db, &self.url, &self.connect_options)?;
        let interrupted = if state.initialized {
            resume::interrupted(&db.progress()?)
        } else {
            Vec::new()
        };
        let mut forget = Vec::new();
        let chosen = match which {
            Repairs::All => changed.clone(),
            Repairs::Revisions(names) if names.is_empty() => {
                let mut hint = format!(
                    "changed since applied: {}",
                    if changed.is_empty() {
                        "none".to_string()
                    } else {
                        changed.join(", ")
                    }
                );
                if !interrupted.is_empty() {
                    let ids: Vec<&str> = interrupted.iter().map(|g| g.revision.as_str()).collect();
                    hint.push_str(&format!("; interrupted halfway: {}", ids.join(", ")));
                }
                return Err(Error::refused(
                    "name the revisions to repair, or pass --all",
                    Some(hint),
                ));
            }
            Repairs::Revisions(names) => {
                let mut chosen = Vec::with_capacity(names.len());
                for name in names {
                    // An interrupted revision's progress may outlive its
                    // file: named in full, it is found without it.
                    let in_progress: Vec<&resume::Interrupted> =
                        interrupted.iter().filter(|g| &g.revision == name).collect();
                    let id = match graph.resolve(name) {
                        Ok(index) => graph.at(index).id.clone(),
                        Err(_) if !in_progress.is_empty() => name.clone(),
                        Err(error) => return Err(error.into()),
                    };
                    let groups = interrupted.iter().filter(|g| g.revision == id);
                    let mut named_interrupted = false;
                    for group in groups {
                        named_interrupted = true;
                        if !forget
                            .iter()
                            .any(|f: &Forget| f.revision == id && f.direction == group.direction)
                        {
                            forget.push(Forget {
                                revision: id.clone(),
                                direction: group.direction,
                                done: group.done_count(),
                            });
                        }
                    }
                    if named_interrupted && !changed.contains(&id) {
                        continue;
                    }
                    let id = &id;
                    if !changed.contains(id) {
                        return Err(Error::refused(
                            format!(
                                "{id} has not changed since it was applied (or is not applied), and no run of it was interrupted"
                            ),
                            None,
                        ));
                    }
                    if !chosen.contains(id) {
                        chosen.push(id.clone());
                    }
                }
                chosen
            }
        };
        Ok(RepairPlan {
            database: self.location(),
            changed,
            chosen,
            forget,
        })
    }

    /// Records the checksums and text of the chosen revisions' files, under
    /// the lock, in one transaction, with a `repair` row in the log for
    /// each.
    pub fn repair(&mut self, plan: &RepairPlan) -> Result<RepairReport, Error> {
        self.repair_with(plan, &mut Silent)
    }

    /// [`Migrator::repair`], telling `progress` when it waits for the lock.
    pub fn repair_with(
        &mut self,
        plan: &RepairPlan,
        progress: &mut dyn Progress,
    ) -> Result<RepairReport, Error> {
        if !plan.chosen.is_empty() || !plan.forget.is_empty() {
            let graph = &self.project.graph;
            let mut changes = plan
                .chosen
                .iter()
                .map(|id| {
                    let revision = graph.get(id).ok_or_else(|| {
                        Error::refused(format!("{id} is not in the folder"), None)
                    })?;
                    Ok(RecordChange::Update {
                        event: Event::Repair,
                        record: engine::record_of(revision),
                    })
                })
                .collect::<Result<Vec<_>, Error>>()?;
            changes.extend(plan.forget.iter().map(|forget| {
                let checksum = graph
                    .get(&forget.revision)
                    .map_or(String::new(), |revision| match forget.direction {
                        Direction::Up => revision.up.checksum.clone(),
                        Direction::Down => revision.down.checksum.clone(),
                    });
                RecordChange::ClearProgress {
                    event: Event::Repair,
                    id: forget.revision.clone(),
                    direction: forget.direction,
                    checksum,
                }
            }));
            let options = RunOptions {
                allow_drift: true,
                ..self.run_options.clone()
            };
            let db = connection(&mut self.db, &self.url, &self.connect_options)?;
            engine::record_changes(db, &changes, &options, &self.operator, progress)?;
        }
        Ok(RepairReport {
            database: self.location(),
            repaired: plan.chosen.clone(),
            forgotten: plan.forget.iter().map(|f| f.revision.clone()).collect(),
        })
    }
}
