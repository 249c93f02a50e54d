//! What the server says besides answers: `NOTICE`, `WARNING` and `INFO`
//! messages (`RAISE NOTICE`, `CREATE TABLE IF NOT EXISTS` of a table that
//! exists), kept as they arrive so the engine can pass them on under the
//! revision that caused them.

use std::future::poll_fn;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_postgres::{AsyncMessage, Connection};

/// The messages received and not yet taken, shared between the task that
/// drives the connection and the database that reads them.
#[derive(Debug, Clone, Default)]
pub struct Notices(Arc<Mutex<Vec<String>>>);

impl Notices {
    /// The messages received since the last call, oldest first.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Puts messages taken earlier back in front of those received since.
    pub fn restore(&self, earlier: Vec<String>) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let later = std::mem::replace(&mut *kept, earlier);
        kept.extend(later);
    }

    fn push(&self, text: String) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(text);
    }
}

/// Drives the connection until it closes, as its own `Future` does, but
/// keeps the notices (which that one only logs). The connection hands over
/// a notice before any later answer, so once a query returns, what it
/// raised is in `notices`.
pub async fn drive<S, T>(mut connection: Connection<S, T>, notices: Notices)
where
    S: AsyncRead + AsyncWrite + Unpin,
    T: AsyncRead + AsyncWrite + Unpin,
{
    // An error ends the connection; the next query reports it.
    while let Some(Ok(message)) = poll_fn(|cx| connection.poll_message(cx)).await {
        if let AsyncMessage::Notice(notice) = message {
            notices.push(describe(&notice));
        }
    }
}

/// A notice as psql shows it: `NOTICE:  message`, with its detail and hint.
fn describe(notice: &tokio_postgres::error::DbError) -> String {
    let mut text = format!("{}: {}", notice.severity(), notice.message());
    if let Some(detail) = notice.detail() {
        text.push_str(&format!("\nDETAIL: {detail}"));
    }
    if let Some(hint) = notice.hint() {
        text.push_str(&format!("\nHINT: {hint}"));
    }
    text
}
