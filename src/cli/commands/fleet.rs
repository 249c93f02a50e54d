//! A command over a fleet: the library runs it on every target; this shows
//! it going, then the summary or the JSON document. Exit 1 when a target
//! failed.

use migrator::migrator::Progress;
use migrator::migrator::fleet::Fleet;
use migrator::{Error, Migrator};

use crate::cli::Context;
use crate::cli::render::{FleetLine, FleetRun, FleetView};

/// Runs `work` on every target of `fleet`; `passes` judges a report that
/// came back (a `verify` with problems fails its target).
pub fn run<T>(
    context: &Context<'_>,
    command: &str,
    fleet: &Fleet,
    work: impl Fn(&mut Migrator, &mut dyn Progress) -> Result<T, Error> + Sync,
    passes: &(dyn Fn(&T) -> bool + Sync),
) -> Result<i32, Error>
where
    T: FleetLine + serde::Serialize + Send,
{
    let output = context.output;
    let names = fleet.targets().iter().map(|t| t.name.clone()).collect();
    let view = FleetView::new(output, names);
    let done = std::sync::atomic::AtomicBool::new(false);
    let report = std::thread::scope(|scope| {
        if view.is_live() {
            scope.spawn(|| {
                while !done.load(std::sync::atomic::Ordering::SeqCst) {
                    view.tick();
                    std::thread::sleep(std::time::Duration::from_millis(200));
                }
            });
        }
        let report = fleet.run_checked(work, passes, &view);
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        report
    });
    view.finish();
    let run = FleetRun {
        command,
        environment: context.settings.environment.as_deref(),
        shard: context.fleet.shard.map(|s| s.to_string()),
        only: &context.fleet.only,
    };
    output.show_fleet(&run, &report);
    Ok(if report.ok() { 0 } else { 1 })
}

/// Says that `schema_file` in migrator.toml is left alone over a fleet.
pub fn note_schema_file(context: &Context<'_>) {
    if context.settings.schema_file.is_some() {
        context.output.note(
            "note: schema_file is not written over a fleet (its targets may differ); \
             `migrator dump --database-url URL` writes one database's",
        );
    }
}

/// Every report passes: the command's error is its target's only failure.
pub fn always<T>(_: &T) -> bool {
    true
}
