//! `migrator import --from TOOL PATH`: another tool's migrations as
//! revisions; with `--database-url`, its history stamped.

use std::path::PathBuf;

use migrator::import::Tool;
use migrator::migrator::ImportOptions;
use migrator::{Error, Migrator};

use crate::cli::Context;
use crate::cli::render::LockNotice;

pub fn run(context: &Context<'_>, tool: Tool, source: PathBuf) -> Result<i32, Error> {
    let stamp = context.database_url_given;
    let mut migrator = Migrator::from_dir_or_empty(&context.settings.dir)?;
    if stamp {
        migrator = migrator
            .with_url(context.url()?)
            .with_schema(context.settings.schema.clone())
            .with_lock_timeout(context.settings.lock_timeout)
            .with_lock(context.settings.lock);
    }
    let options = ImportOptions {
        tool,
        source,
        stamp,
    };
    let report = migrator.import_with(&options, &mut LockNotice(context.output))?;
    context.output.show(&report);
    Ok(0)
}
