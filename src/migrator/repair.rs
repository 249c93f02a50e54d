//! `repair`: after an edit of an applied file was reviewed, record the
//! file's new checksum and text, and log it. Decided first
//! ([`Migrator::prepare_repair`]), so that a person can confirm what will be
//! recorded, then recorded ([`Migrator::repair`]).

use crate::engine::{self, Progress, RunOptions, Silent};
use crate::error::Error;
use crate::record::{Event, RecordChange};
use crate::report::run::RepairReport;

use super::options::{RepairPlan, Repairs};
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
        let chosen = match which {
            Repairs::All => changed.clone(),
            Repairs::Revisions(names) if names.is_empty() => {
                return Err(Error::refused(
                    "name the revisions to repair, or pass --all",
                    Some(format!(
                        "changed since applied: {}",
                        if changed.is_empty() {
                            "none".to_string()
                        } else {
                            changed.join(", ")
                        }
                    )),
                ));
            }
            Repairs::Revisions(names) => {
                let mut chosen = Vec::with_capacity(names.len());
                for name in names {
                    let id = &graph.at(graph.resolve(name)?).id;
                    if !changed.contains(id) {
                        return Err(Error::refused(
                            format!(
                                "{id} has not changed since it was applied (or is not applied)"
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
        if !plan.chosen.is_empty() {
            let graph = &self.project.graph;
            let changes = plan
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
        })
    }
}
