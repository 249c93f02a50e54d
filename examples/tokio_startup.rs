//! An async service that migrates its database at start-up, then serves.
//!
//!     cargo run --example tokio_startup -- postgres://localhost/app
//!
//! brings the database (default: the SQLite file `tokio_startup.db`) to the
//! head of the repository's sample `versions/`, then answers HTTP on
//! 127.0.0.1:3000 (or `PORT`) with the revisions it applied, until stopped.
//! The migration runs on a thread of its own (`upgrade_async`), so the
//! runtime's threads stay free; a failed migration stops the service
//! before it takes any request, with the file and line at fault.

use std::process::ExitCode;

use migrator::Migrator;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> ExitCode {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite:tokio_startup.db".into());
    let versions = concat!(env!("CARGO_MANIFEST_DIR"), "/versions");
    let migrated = match Migrator::from_dir(versions).and_then(|m| m.with_database_url(&url)) {
        Ok(migrator) => migrator.upgrade_async("head").await,
        Err(error) => Err(error),
    };
    let report = match migrated {
        Ok(report) => report,
        Err(error) => {
            let diagnostic = error.diagnostic();
            match diagnostic.location() {
                Some(at) => eprintln!("migration failed: {at}: {}", diagnostic.message),
                None => eprintln!("migration failed: {}", diagnostic.message),
            }
            return ExitCode::FAILURE;
        }
    };
    let applied: Vec<&str> = report
        .steps
        .iter()
        .map(|step| step.revision.id.as_str())
        .collect();
    eprintln!(
        "{} is at the head ({} applied now)",
        report.database,
        applied.len()
    );

    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    let listener = match TcpListener::bind(format!("127.0.0.1:{port}")).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("cannot listen on 127.0.0.1:{port}: {error}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("serving on http://127.0.0.1:{port}/");
    let body = format!(
        "migrated at start-up; applied now: {}\n",
        if applied.is_empty() {
            "nothing".to_string()
        } else {
            applied.join(", ")
        }
    );
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            continue;
        };
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        tokio::spawn(async move {
            let _ = socket.write_all(response.as_bytes()).await;
        });
    }
}
