//! The schema dump of a database (`schema_file`, `migrator dump`), and
//! what `verify --schema-file` compares a committed one with: the dump of a
//! scratch database that the whole folder was applied to.

use crate::db::Database;
use crate::db::dump;
use crate::engine::{self, Progress, RunOptions};
use crate::error::Error;
use crate::graph::target::Target;
use crate::project::Project;
use crate::record::{Direction, Operator};

/// The dump of `db`: its schema as SQL, without the bookkeeping tables,
/// naming the revisions applied. A database that does not exist yet dumps
/// as an empty one.
pub fn dump(db: &mut dyn Database) -> Result<String, Error> {
    let snapshot = db.schema_snapshot()?;
    let applied = db.applied_if_initialized()?.unwrap_or_default();
    Ok(dump::render(
        snapshot.definitions(),
        &dump::applied_heads(&applied),
    ))
}

/// Applies every revision of the folder (up to all its heads) to `db`,
/// which must be empty, and dumps it: what a committed dump must be.
pub fn dump_of_folder(
    project: &Project,
    db: &mut dyn Database,
    options: &RunOptions,
    operator: &Operator,
    progress: &mut dyn Progress,
) -> Result<String, Error> {
    engine::roundtrip::require_empty(
        db,
        "verify --schema-file",
        "it leaves the folder's revisions there",
    )?;
    let state = engine::read_state(project, db)?;
    let location = db.location().to_string();
    let prepared = engine::prepare(
        project,
        &state,
        Direction::Up,
        &Target::Heads,
        options,
        &location,
    )?;
    engine::execute(project, db, &prepared, options, operator, progress)?;
    dump(db)
}
