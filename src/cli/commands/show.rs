//! `migrator show ID`: one revision in full, with both files' SQL;
//! `--applied`: the SQL that actually ran, as the database recorded it.

use migrator::Error;

use crate::cli::Context;

pub fn run(context: &Context<'_>, name: &str, applied: bool) -> Result<i32, Error> {
    let mut migrator = context.migrator()?;
    if applied {
        context.output.show(&migrator.show_applied(name)?);
    } else {
        context.output.show(&migrator.show(name)?);
    }
    Ok(0)
}
