//! `migrator status [--check]`: the database against the folder.

use migrator::Error;
use migrator::report::state::StatusReport;

use crate::cli::Context;

pub fn run(context: &Context<'_>, check: bool) -> Result<i32, Error> {
    if let Some(fleet) = context.fleet(false)? {
        // With --check, a target that is behind, drifted or locked fails.
        let passes = move |report: &StatusReport| !(check && report.needs_attention());
        return super::fleet::run(
            context,
            "status",
            &fleet,
            |migrator, _| migrator.status(),
            &passes,
        );
    }
    let report = context.migrator()?.status()?;
    context.output.show(&report);
    Ok(if check && report.needs_attention() {
        1
    } else {
        0
    })
}
