//! `migrator repair [ID…|--all] [--yes]`: after a reviewed edit of an
//! applied file, record the new checksums, and log it.

use migrator::Error;
use migrator::migrator::Repairs;

use crate::cli::Context;
use crate::cli::render::{LockNotice, confirm_repair};

pub fn run(context: &Context<'_>, names: &[String], all: bool, yes: bool) -> Result<i32, Error> {
    let which = if all {
        Repairs::All
    } else {
        Repairs::Revisions(names.to_vec())
    };
    let mut migrator = context.migrator()?;
    let plan = migrator.prepare_repair(&which)?;
    if (!plan.chosen.is_empty() || !plan.forget.is_empty()) && !yes {
        confirm_repair(&plan)?;
    }
    let report = migrator.repair_with(&plan, &mut LockNotice(context.output))?;
    context.output.show(&report);
    Ok(0)
}
