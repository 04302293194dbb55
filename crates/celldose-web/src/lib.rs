//! celldose at the pharmacy counter: a local web page and a JSON API, served by the `celldose`
//! binary (`celldose serve`), over exactly the library calls the command line makes.
//!
//! Every page is rendered on the server; no function needs JavaScript and nothing is loaded from
//! outside the binary. Every response carries a Content-Security-Policy that forbids any other
//! source; every text is escaped by the template; every form post must carry the process's own
//! token and come from the page's own origin.
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

mod api;
mod guard;
mod pages;
mod work;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

pub use guard::CONTENT_SECURITY_POLICY;

/// What the page serves: the protocols, where calculations are recorded, and the token every form
/// post must carry.
#[derive(Debug, Clone)]
pub struct Site {
    catalogue: celldose::Catalogue,
    audit_log: Option<PathBuf>,
    token: String,
}

impl Site {
    /// A site over `catalogue`, appending every calculation to `audit_log` when given, with a
    /// fresh token for this process.
    #[must_use]
    pub fn new(catalogue: celldose::Catalogue, audit_log: Option<PathBuf>) -> Self {
        Self {
            catalogue,
            audit_log,
            token: guard::fresh_token(),
        }
    }

    /// The token every form on the page carries, and every form post must return.
    #[must_use]
    pub fn token(&self) -> &str {
        &self.token
    }
}

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
        .route("/style.css", get(pages::style))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(guard::secure_headers))
        .with_state(site)
}

/// Serves `site` on `listener` until `shutdown` completes.
///
/// # Errors
/// When the listener fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    site: Site,
    shutdown: impl core::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(site))
        .with_graceful_shutdown(shutdown)
        .await
}
