//! celldose at the pharmacy counter: a local web page and a JSON API, served by the `celldose`
//! binary (`celldose serve`), over exactly the library calls the command line makes.
//!
//! Every page is rendered on the server; no function needs JavaScript and nothing is loaded from
//! outside the binary. Every response carries a Content-Security-Policy that forbids any other
//! source; every text is escaped by the template; every request must be addressed to this server
//! (its `Host`), and every form post must carry the process's own token and come from the page's
//! own origin. The protocols and trial state are those on disk at each request; a calculation is
//! shown only once its audit record is synced to disk.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let site = celldose_web::Site::new(celldose::Catalogue::builtin()?, None);
//! let router = celldose_web::router(site);
//! # drop(router);
//! # Ok(())
//! # }
//! ```

mod accounts;
mod api;
mod connections;
mod escalation;
mod guard;
mod hosts;
mod pages;
mod recorder;
mod signin;
mod site;
mod tls;
mod verify;
mod work;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

pub use accounts::{LOCK_AFTER, LOCK_FOR, SESSION_IDLE, SignInPolicy};
pub use connections::{BODY_MAX_BYTES, BODY_TIMEOUT, HEADER_TIMEOUT, MAX_CONNECTIONS};
pub use guard::CONTENT_SECURITY_POLICY;
pub use hosts::DEFAULT_PORT;
pub use recorder::LOCK_WAIT;
pub use signin::SESSION_COOKIE;
pub use site::Site;
pub use tls::{Tls, TlsError};

/// The page and the API, as an axum router.
pub fn router(site: Site) -> Router {
    let site = Arc::new(site);
    Router::new()
        .route("/", get(pages::index))
        .route("/protocols/{id}", get(pages::protocol))
        .route("/dose", get(pages::dose_form).post(pages::dose))
        .route("/check", get(pages::check_form).post(pages::check))
        .route("/prepare", get(pages::prepare_form).post(pages::prepare))
        .route("/api/dose", post(api::dose))
        .route("/api/check", post(api::check))
        .route("/api/prepare", post(api::prepare))
        .route("/verify", get(verify::form).post(verify::submit))
        .route("/escalation", get(escalation::view))
        .route("/style.css", get(pages::style))
        .route("/login", get(signin::login_form).post(signin::login))
        .route("/logout", get(signin::logout_form).post(signin::logout))
        .fallback(pages::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_MAX_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&site),
            signin::gate,
        ))
        .layer(axum::middleware::from_fn(connections::bounded_body))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&site),
            guard::addressed_here,
        ))
        .layer(axum::middleware::from_fn(guard::secure_headers))
        .with_state(site)
}

/// Serves `site` on `listener` until `shutdown` completes, answering requests addressed to the
/// listener's port; at most [`MAX_CONNECTIONS`] at once, each closed when its headers take longer
/// than [`HEADER_TIMEOUT`] or its body longer than [`BODY_TIMEOUT`].
///
/// # Errors
/// When the listener's address cannot be read.
pub async fn serve(
    listener: tokio::net::TcpListener,
    site: Site,
    shutdown: impl core::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let site = site.listening_on(listener.local_addr()?);
    connections::serve(listener, router(site), None, shutdown).await
}

/// Serves `site` over TLS with `tls`, as [`serve`] does over plain HTTP; the session cookie is
/// then marked `Secure`.
///
/// # Errors
/// When the listener's address cannot be read.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    site: Site,
    tls: Tls,
    shutdown: impl core::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut site = site.listening_on(listener.local_addr()?);
    site.tls = true;
    connections::serve(listener, router(site), Some(tls.acceptor()), shutdown).await
}
