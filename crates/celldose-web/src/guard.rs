//! What every response says about itself, and what every post must prove: headers that forbid
//! outside sources and framing, and a check that a post comes from the page itself.

use std::hash::{BuildHasher, Hasher};

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};

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

/// A token no other process can guess: SHA-256 over the standard library's per-process random
/// hasher keys, the process id and the time.
pub(crate) fn fresh_token() -> String {
    let mut digest = Sha256::new();
    for round in 0u64..4 {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(round);
        digest.update(hasher.finish().to_le_bytes());
    }
    digest.update(std::process::id().to_le_bytes());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|since| since.as_nanos())
        .unwrap_or_default();
    digest.update(now.to_le_bytes());
    digest
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Why a post is refused as cross-site, or `None` when it comes from the page's own origin: an
/// `Origin` (or, without one, a `Referer`) header must name the host the request was sent to.
pub(crate) fn cross_site(headers: &HeaderMap) -> Option<&'static str> {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok())?;
    let same = |url: &str| {
        let rest = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"));
        rest.is_some_and(|rest| rest.split('/').next() == Some(host))
    };
    if let Some(origin) = headers.get(header::ORIGIN) {
        return match origin.to_str() {
            Ok(origin) if same(origin) => None,
            _ => Some("the request comes from another site's page"),
        };
    }
    if let Some(referer) = headers.get(header::REFERER) {
        return match referer.to_str() {
            Ok(referer) if same(referer) => None,
            _ => Some("the request comes from another site's page"),
        };
    }
    None
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
        let host = (header::HOST, "127.0.0.1:8080");
        assert_eq!(
            cross_site(&headers(&[
                host.clone(),
                (header::ORIGIN, "http://127.0.0.1:8080")
            ])),
            None
        );
        assert!(
            cross_site(&headers(&[
                host.clone(),
                (header::ORIGIN, "http://evil.example")
            ]))
            .is_some()
        );
        assert!(cross_site(&headers(&[host.clone(), (header::ORIGIN, "null")])).is_some());
        assert!(
            cross_site(&headers(&[
                host.clone(),
                (header::REFERER, "http://127.0.0.1:8080.evil.example/x")
            ]))
            .is_some()
        );
        assert_eq!(
            cross_site(&headers(&[
                host,
                (header::REFERER, "http://127.0.0.1:8080/dose")
            ])),
            None
        );
    }

    #[test]
    fn tokens_differ() {
        assert_ne!(fresh_token(), fresh_token());
        assert_eq!(fresh_token().len(), 64);
    }
}
