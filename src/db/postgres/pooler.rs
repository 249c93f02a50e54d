//! Whether a connection reaches PostgreSQL's own server process, or goes
//! through a pooler (PgBouncer, pgcat, Odyssey, RDS Proxy, …) that hands
//! its transactions to server sessions of its choosing.
//!
//! A session advisory lock belongs to one server session. Behind a
//! transaction pooler, the session that took it goes back to the pool
//! after that statement: the lock stays there, held for nobody, another
//! client's `pg_try_advisory_lock` on that session succeeds (the lock is
//! re-entrant), and the unlock lands elsewhere. Runs would overlap
//! without a word, so the session lock refuses to run behind a pooler.
//!
//! The test: when a connection starts, the server tells the client its
//! process id (BackendKeyData), for cancel requests. A pooler cannot pass
//! the server's on, since the client's session has no fixed server
//! session; it makes one up and maps cancel requests itself. So a
//! `pg_backend_pid()` that differs from the pid the connection was told
//! means a pooler (or a proxy that answers for the server) is in the way;
//! straight to PostgreSQL, or through a plain TCP proxy, the two are
//! always the same. It is exact, takes no round trip of its own, and does
//! not depend on the pooler's mode or how busy it is, unlike watching for
//! the backend pid to change between transactions (PgBouncer hands an
//! idle client the server session it had last, when it can).
//!
//! tokio-postgres keeps the pid it was told inside its `CancelToken`, and
//! shows it only in the cancel request the token writes; so the token
//! writes one into memory, through a TLS that passes bytes through
//! untouched, and the pid is read back from its bytes. Nothing is sent.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::Client;
use tokio_postgres::tls::{ChannelBinding, TlsConnect, TlsStream};

/// The server process id the connection was told when it started.
pub async fn announced_pid(client: &Client) -> Option<i32> {
    let mut written = Recorder::default();
    client
        .cancel_token()
        .cancel_query_raw(&mut written, PassThrough)
        .await
        .ok()?;
    cancel_request_pid(&written.bytes)
}

/// The process id in a cancel request (`int32 16, int32 80877102, int32
/// pid, int32 key`), found after an SSL request (`int32 8, int32
/// 80877103`) when the token asked for TLS first.
fn cancel_request_pid(bytes: &[u8]) -> Option<i32> {
    const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];
    const CANCEL: [u8; 8] = [0, 0, 0, 16, 0x04, 0xd2, 0x16, 0x2e];
    let bytes = bytes.strip_prefix(&SSL_REQUEST).unwrap_or(bytes);
    let rest = bytes.strip_prefix(&CANCEL)?;
    Some(i32::from_be_bytes(rest.get(..4)?.try_into().ok()?))
}

/// A stream that keeps what is written to it, and answers `S` ("go ahead
/// with TLS") to an SSL request.
#[derive(Default)]
struct Recorder {
    bytes: Vec<u8>,
    answered: bool,
}

impl AsyncRead for Recorder {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if !self.answered && buf.remaining() > 0 {
            self.answered = true;
            buf.put_slice(b"S");
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Recorder {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.bytes.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// A "TLS" that leaves the stream as it is, so that whatever `sslmode`
/// the connection has, the token's request is written in clear.
struct PassThrough;

struct Clear<S>(S);

impl<S: AsyncRead + AsyncWrite + Unpin> TlsConnect<S> for PassThrough {
    type Stream = Clear<S>;
    type Error = io::Error;
    type Future = std::future::Ready<io::Result<Clear<S>>>;

    fn connect(self, stream: S) -> Self::Future {
        std::future::ready(Ok(Clear(stream)))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for Clear<S> {
    fn channel_binding(&self) -> ChannelBinding {
        ChannelBinding::none()
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Clear<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Clear<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pid_is_read_from_a_cancel_request_with_or_without_an_ssl_request_before_it() {
        let cancel = [
            0, 0, 0, 16, 0x04, 0xd2, 0x16, 0x2e, 0, 0, 0x10, 0x92, 1, 2, 3, 4,
        ];
        assert_eq!(cancel_request_pid(&cancel), Some(4242));
        let mut after_ssl = vec![0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];
        after_ssl.extend_from_slice(&cancel);
        assert_eq!(cancel_request_pid(&after_ssl), Some(4242));
        assert_eq!(cancel_request_pid(&cancel[..10]), None);
        assert_eq!(cancel_request_pid(b"GET / HTTP/1.1\r\n"), None);
    }
}
