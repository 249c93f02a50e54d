//! Migrating at start-up from a Rust application: read the versions
//! folder, bring the database to the head, say what ran.
//!
//! `cargo run --example embed` migrates `example.db` with the sample
//! revisions in `versions/`.

fn main() -> Result<(), migrator::Error> {
    let mut migrator =
        migrator::Migrator::from_dir("versions")?.with_database_url("sqlite:example.db")?;
    let report = migrator.upgrade("head")?;
    for step in &report.steps {
        println!("applied {} in {} ms", step.revision.id, step.elapsed_ms);
    }
    println!("{} is at the head", report.database);
    Ok(())
}
