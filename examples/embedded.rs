//! Migrating from a Rust application that carries its versions folder in
//! its binary: nothing to ship beside the executable.
//!
//!     cargo run --example embedded -- sqlite:app.db
//!
//! applies the repository's sample `versions/`, compiled in by
//! `migrator::embed!`, to the database given (the default is a SQLite file
//! `embedded.db`) and prints what it did. The folder is read at start-up
//! with the same checks as on disk: a broken file stops the program with
//! its name and line.
//!
//! Cargo rebuilds the program when an embedded file changes, but not when a
//! new one appears: an application adds a `build.rs` whose `main` prints
//! `cargo:rerun-if-changed=versions` (README, "The versions folder inside
//! the binary").

use std::process::ExitCode;

use migrator::db::{self, ConnectOptions, DatabaseUrl};
use migrator::engine::{self, RunOptions, Silent};
use migrator::graph::target::Target;
use migrator::record::Direction;
use migrator::record::operator;
use migrator::source::Embedded;
use migrator::{Error, Project};

/// The folder beside this crate's `Cargo.toml`, as it was at compile time.
static VERSIONS: Embedded = migrator::embed!("versions");

fn main() -> ExitCode {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite:embedded.db".into());
    match migrate(&url) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            // The error's own line only counts the folder's problems.
            if let Some(Error::Folder { problems, .. }) = e.downcast_ref::<Error>() {
                for problem in problems {
                    eprintln!("  {problem}");
                    if let Some(hint) = &problem.hint {
                        eprintln!("    hint: {hint}");
                    }
                }
            }
            ExitCode::FAILURE
        }
    }
}

fn migrate(url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let project = Project::from_embedded(&VERSIONS)?;
    let url = DatabaseUrl::parse(url)?;
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
    println!(
        "{}: applied {} of the {} embedded revisions",
        url.redacted(),
        done.len(),
        project.graph.len()
    );
    for step in done {
        println!("  {} ({} ms)", step.revision, step.elapsed_ms);
    }
    Ok(())
}
