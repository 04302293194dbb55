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

mod api;
mod connections;
mod escalation;
mod guard;
mod hosts;
mod pages;
mod recorder;
mod work;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use celldose::Catalogue;
use celldose::audit::AuditKey;
use celldose::regimen::LiveCatalogue;

pub use connections::{BODY_MAX_BYTES, BODY_TIMEOUT, HEADER_TIMEOUT, MAX_CONNECTIONS};
pub use guard::CONTENT_SECURITY_POLICY;
pub use hosts::DEFAULT_PORT;
pub use recorder::LOCK_WAIT;

/// Where the page's protocols come from: fixed when the site was made, or the files on disk as
/// they are at each request.
#[derive(Debug, Clone)]
enum Protocols {
    Fixed(Arc<Catalogue>),
    Live(Arc<LiveCatalogue>),
}

/// What the page serves: the protocols, where calculations are recorded, the hosts it answers
/// to, and the token every form post must carry.
#[derive(Debug, Clone)]
pub struct Site {
    protocols: Protocols,
    recorder: Option<recorder::Recorder>,
    hosts: hosts::AllowedHosts,
    token: String,
}

impl Site {
    /// A site over `catalogue`, as it is now, appending every calculation to `audit_log` when
    /// given, with a fresh token for this process. It answers requests addressed to `localhost`,
    /// `127.0.0.1` or `[::1]` on port [`DEFAULT_PORT`] until [`Site::listening_on`] (or
    /// [`serve`]) says where it is served.
    #[must_use]
    pub fn new(catalogue: Catalogue, audit_log: Option<PathBuf>) -> Self {
        Self {
            protocols: Protocols::Fixed(Arc::new(catalogue)),
            recorder: audit_log.map(|path| recorder::Recorder::start(path, None, None)),
            hosts: hosts::AllowedHosts::new(),
            token: guard::fresh_token(),
        }
    }

    /// A site over a library on disk: every request uses the protocol files and trial state as
    /// they are then, and is refused (503) while one of them cannot be read or is invalid.
    #[must_use]
    pub fn live(catalogue: LiveCatalogue) -> Self {
        Self {
            protocols: Protocols::Live(Arc::new(catalogue)),
            recorder: None,
            hosts: hosts::AllowedHosts::new(),
            token: guard::fresh_token(),
        }
    }

    /// The same site recording every calculation (and refusal) in the audit log at `path`, each
    /// record signed with `key` where given. The log is checked now: a log that cannot be locked
    /// within [`LOCK_WAIT`], whose tail does not hold, or whose last record's HMAC does not
    /// verify is refused; from here on, records continue its chain, and a log replaced,
    /// truncated or deleted under the page refuses further records.
    ///
    /// # Errors
    /// When the log cannot take records.
    pub fn with_audit_log(
        mut self,
        path: PathBuf,
        key: Option<AuditKey>,
    ) -> celldose::Result<Self> {
        let how = celldose::audit::Appending::default()
            .wait_at_most(LOCK_WAIT)
            .key(key.clone());
        let last = celldose::audit::AuditLog::open_with(&path, &how)?
            .last()
            .cloned();
        self.recorder = Some(recorder::Recorder::start(path, key, last));
        Ok(self)
    }

    /// The same site answering requests addressed to `name` too (a host name as typed in the
    /// browser, with or without a port), beside the listen address and the loopback names.
    #[must_use]
    pub fn with_allowed_host(mut self, name: &str) -> Self {
        self.hosts.allow(name);
        self
    }

    /// The same site served at `address`: requests must be addressed to its port.
    #[must_use]
    pub fn listening_on(mut self, address: std::net::SocketAddr) -> Self {
        self.hosts.listening_on(address);
        self
    }

    /// The token every form on the page carries, and every form post must return.
    #[must_use]
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The protocols for this request: the files as they are now on disk, for a live site.
    ///
    /// # Errors
    /// The reason a protocol or trial state file cannot be used now.
    pub(crate) fn catalogue(&self) -> Result<Arc<Catalogue>, String> {
        match &self.protocols {
            Protocols::Fixed(catalogue) => Ok(Arc::clone(catalogue)),
            Protocols::Live(live) => live.current().map_err(|e| e.to_string()),
        }
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
        .route("/escalation", get(escalation::view))
        .route("/style.css", get(pages::style))
        .fallback(pages::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_MAX_BYTES))
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
    connections::serve(listener, router(site), shutdown).await
}
