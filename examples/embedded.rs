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
//! `cargo:rerun-if-changed=versions` (docs/library.md).

use std::process::ExitCode;

use migrator::Migrator;
use migrator::source::Embedded;

/// The folder beside this crate's `Cargo.toml`, as it was at compile time.
static VERSIONS: Embedded = migrator::embed!("versions");

fn main() -> ExitCode {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite:embedded.db".into());
    let migrated =
        Migrator::from_embedded(&VERSIONS).and_then(|m| m.with_database_url(&url)?.upgrade("head"));
    match migrated {
        Ok(report) => {
            println!(
                "{}: applied {} revisions",
                report.database,
                report.steps.len()
            );
            for step in &report.steps {
                println!("  {} ({} ms)", step.revision.id, step.elapsed_ms);
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            // The diagnostic names each broken file and line.
            let diagnostic = error.diagnostic();
            eprintln!("error: {}", diagnostic.message);
            for child in &diagnostic.children {
                eprintln!(
                    "  {}: {}",
                    child.location().unwrap_or_default(),
                    child.message
                );
            }
            ExitCode::FAILURE
        }
    }
}
