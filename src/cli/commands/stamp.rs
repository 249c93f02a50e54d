//! `migrator stamp TARGET`: set the records without running SQL.

use migrator::Error;
use migrator::engine::{self, RunOptions};
use migrator::graph::target::Target;

use crate::cli::{Access, Context};

pub fn run(context: &Context<'_>, target: &str) -> Result<i32, Error> {
    let project = context.project()?;
    let target: Target = target.parse()?;
    let mut db = context
        .database(Access::Write)?
        .expect("a database opened for writing");
    let options = RunOptions {
        allow_drift: true,
        lock_timeout: context.settings.lock_timeout,
    };
    let operator = migrator::record::operator::current(None);
    let done = engine::stamp(
        &project,
        db.as_mut(),
        &target,
        &options,
        &operator,
        &mut super::upgrade::LockNotice(context.output),
    )?;

    let output = context.output;
    if output.is_json() {
        output.json(&done);
        return Ok(0);
    }
    for id in &done.deleted {
        output.line(format!("unstamped {id}"));
    }
    for id in &done.inserted {
        output.line(format!("stamped {id}"));
    }
    if done.inserted.is_empty() && done.deleted.is_empty() {
        output.line(format!(
            "nothing to do: the records are already at {target}"
        ));
    }
    Ok(0)
}
