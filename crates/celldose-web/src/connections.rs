//! How connections are bounded, so that slow or greedy clients cannot stop the counter: a cap on
//! connections served at once, a deadline for a request's headers and another for its body, and
//! a body refused at once (413) when it declares more bytes than any form or API call needs.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, Limited};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::Semaphore;

/// The most connections served at once; more wait to be accepted.
pub const MAX_CONNECTIONS: usize = 256;
/// The longest a client may take to send a request's headers (and the longest a kept-alive
/// connection may sit idle before its next request).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest a client may take to send a request's body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest request body read: a form with a pasted product file (at most 1 MiB, up to three
/// bytes a character once form-encoded) fits.
pub const BODY_MAX_BYTES: usize = 4 << 20;

fn refused(status: StatusCode, message: &str) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CONNECTION, "close"),
        ],
        format!("celldose: request refused: {message}\n"),
    )
        .into_response()
}

/// Reads the whole body before the request is handled, within [`BODY_TIMEOUT`] and
/// [`BODY_MAX_BYTES`]; a declared length over the limit is refused before a byte is read.
pub(crate) async fn bounded_body(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let limit = u64::try_from(BODY_MAX_BYTES).unwrap_or(u64::MAX);
    if declared.is_some_and(|length| length > limit) {
        return refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "its body is declared as {} bytes, more than the {} a request may have",
                celldose::human::grouped(declared.unwrap_or_default().into()),
                celldose::human::grouped(BODY_MAX_BYTES.into())
            ),
        );
    }
    let (parts, body) = request.into_parts();
    let read =
        tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, BODY_MAX_BYTES).collect()).await;
    let bytes = match read {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => {
            return refused(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!(
                    "its body is more than the {} bytes a request may have",
                    celldose::human::grouped(BODY_MAX_BYTES.into())
                ),
            );
        }
        Ok(Err(_)) => return refused(StatusCode::BAD_REQUEST, "its body could not be read"),
        Err(_) => {
            return refused(
                StatusCode::REQUEST_TIMEOUT,
                &format!(
                    "its body did not arrive within {} s",
                    BODY_TIMEOUT.as_secs()
                ),
            );
        }
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Serves `router` on `listener` until `shutdown` completes: at most [`MAX_CONNECTIONS`] at
/// once, each closed when its headers take longer than [`HEADER_TIMEOUT`]; over TLS where `tls`
/// is given, each closed when its handshake takes longer than [`HEADER_TIMEOUT`].
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl core::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot,
            () = &mut shutdown => break,
        };
        // The semaphore is never closed, so a slot always comes.
        let Ok(slot) = slot else { break };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            // A connection that failed before it was accepted, or a full file table: wait a
            // little rather than spin, and go on serving.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(router.clone());
        let watcher = graceful.watcher();
        let builder = builder.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => {
                    let _ = watcher
                        .watch(builder.serve_connection(TokioIo::new(stream), service))
                        .await;
                }
                Some(acceptor) => {
                    // A client that does not finish its handshake in time is dropped.
                    if let Ok(Ok(stream)) =
                        tokio::time::timeout(HEADER_TIMEOUT, acceptor.accept(stream)).await
                    {
                        let _ = watcher
                            .watch(builder.serve_connection(TokioIo::new(stream), service))
                            .await;
                    }
                }
            }
            drop(slot);
        });
    }
    // Requests under way are finished; a connection that lingers past the deadline is dropped.
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
    Ok(())
}
