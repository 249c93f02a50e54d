//! `migrator current`: the database's applied heads.

use migrator::Error;

use crate::cli::Context;

pub fn run(context: &Context<'_>) -> Result<i32, Error> {
    if let Some(fleet) = context.fleet(false)? {
        return super::fleet::run(
            context,
            "current",
            &fleet,
            |migrator, _| migrator.current(),
            &super::fleet::always,
        );
    }
    let report = context.migrator()?.current()?;
    context.output.show(&report);
    Ok(0)
}
