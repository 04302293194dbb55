//! What every response says about itself, and what every request must prove: headers that forbid
//! outside sources and framing, a request addressed to this server, and a post that comes from
//! the page itself.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::Site;
use crate::hosts::{AllowedHosts, url_authority};

/// The Content-Security-Policy of every response: nothing from anywhere but the page itself, no
/// script at all, no framing, forms posted only to the page.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the security headers to every response.
pub(crate) async fn secure_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// Answers a request only when it is addressed to this server (see [`crate::hosts`]): its `Host`
/// header, and the authority of an absolute request target, must name an allowed host. Anything
/// else gets 421 and one line: no page, no token.
pub(crate) async fn addressed_here(
    State(site): State<Arc<Site>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .map(|value| value.to_str().unwrap_or("\u{fffd}"));
    let target = request.uri().authority().map(|a| a.as_str());
    let refused = match (host, target) {
        (None, None) => Some("it names no host (no Host header)".to_owned()),
        (host, target) => host
            .into_iter()
            .chain(target)
            .find(|authority| !site.hosts.allows(authority))
            .map(|authority| format!("it is addressed to {}", celldose::text::Shown(authority))),
    };
    match refused {
        None => next.run(request).await,
        Some(reason) => (
            StatusCode::MISDIRECTED_REQUEST,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!(
                "celldose: request refused: {reason}, and this page answers only requests addressed to {}\n",
                site.hosts.describe()
            ),
        )
            .into_response(),
    }
}

/// Why a post is refused as cross-site, or `None` when it comes from the page's own origin: an
/// `Origin` (or, without one, a `Referer`) header must name a host this server answers to.
pub(crate) fn cross_site(headers: &HeaderMap, hosts: &AllowedHosts) -> Option<&'static str> {
    let ours = |url: &str| url_authority(url).is_some_and(|authority| hosts.allows(authority));
    let stated = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))?;
    match stated.to_str() {
        Ok(url) if ours(url) => None,
        _ => Some("the request comes from another site's page"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn a_post_from_another_origin_is_cross_site() {
        let hosts = AllowedHosts::new();
        let ours = |pairs: &[(header::HeaderName, &str)]| cross_site(&headers(pairs), &hosts);
        assert_eq!(ours(&[(header::ORIGIN, "http://127.0.0.1:8080")]), None);
        assert_eq!(ours(&[(header::ORIGIN, "http://localhost:8080")]), None);
        assert!(ours(&[(header::ORIGIN, "http://evil.example")]).is_some());
        // DNS rebinding: the attacker's name, on this port, is still another site.
        assert!(ours(&[(header::ORIGIN, "http://attacker.example:8080")]).is_some());
        assert!(ours(&[(header::ORIGIN, "null")]).is_some());
        assert!(ours(&[(header::REFERER, "http://127.0.0.1:8080.evil.example/x")]).is_some());
        assert_eq!(
            ours(&[(header::REFERER, "http://127.0.0.1:8080/dose")]),
            None
        );
        assert_eq!(ours(&[]), None);
    }
}
