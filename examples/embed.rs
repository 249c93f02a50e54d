//! Migrating from a Rust application: the library the `migrator` binary is
//! a thin layer over.
//!
//!     cargo run --example embed -- sqlite:app.db
//!
//! applies the repository's sample `versions/` to the database given (the
//! default is a SQLite file `embedded.db`) and prints what it did.

use migrator::Project;
use migrator::db::{self, ConnectOptions, DatabaseUrl};
use migrator::engine::{self, RunOptions, Silent};
use migrator::graph::target::Target;
use migrator::record::Direction;
use migrator::record::operator;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite:embedded.db".into());
    let project = Project::load(std::path::Path::new("versions"))?;
    let url = DatabaseUrl::parse(&url)?;
    let mut database = db::connect(&url, &ConnectOptions::default())?;
    let head: Target = "head".parse()?;
    let done = engine::run(
        &project,
        database.as_mut(),
        Direction::Up,
        &head,
        &RunOptions::default(),
        &operator::current(None),
        &mut Silent,
    )?;
    println!("{}: applied {} revisions", url.redacted(), done.len());
    for step in done {
        println!("  {} ({} ms)", step.revision, step.elapsed_ms);
    }
    Ok(())
}
