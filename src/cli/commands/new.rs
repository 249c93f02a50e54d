//! `migrator new` (alias `revision`): the next `NNNN_slug` pair.

use migrator::migrator::NewRevision;
use migrator::{Error, Migrator};

use crate::cli::Context;

pub fn run(
    context: &Context<'_>,
    message: &str,
    parents: &[String],
    no_transaction: bool,
) -> Result<i32, Error> {
    let report =
        Migrator::from_dir_or_empty(&context.settings.dir)?.new_revision(&NewRevision {
            message: message.to_string(),
            parents: parents.to_vec(),
            transactional: !no_transaction,
        })?;
    context.output.show(&report);
    Ok(0)
}
