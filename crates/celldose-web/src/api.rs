//! The JSON API: `POST /api/dose`, `/api/check` and `/api/prepare` take an object whose fields
//! are named as the batch columns, and answer with exactly what `--format json` prints.
//!
//! A value may be a string or a JSON number; a number is read from its text as sent, by the same
//! parser as the string, never through binary floating point, so `17.99999999999999999` is that
//! number and not 18. A key given twice is refused, never resolved by taking one of them.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::Site;
use crate::accounts::Visitor as Asker;
use crate::work::{self, Fields, Kind};

/// Who asks, as the sign-in gate found them.
type Asking = Extension<Asker>;

pub(crate) async fn dose(
    state: State<Arc<Site>>,
    who: Asking,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    answer(state, who, &headers, &body, Kind::Dose).await
}
pub(crate) async fn check(
    state: State<Arc<Site>>,
    who: Asking,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    answer(state, who, &headers, &body, Kind::Check).await
}
pub(crate) async fn prepare(
    state: State<Arc<Site>>,
    who: Asking,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    answer(state, who, &headers, &body, Kind::Prepare).await
}

/// A JSON error answer: `{"error": message}`.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    let mut text = serde_json::to_string_pretty(&serde_json::json!({ "error": message }))
        .unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    (status, [(header::CONTENT_TYPE, "application/json")], text).into_response()
}

/// A request object's members in the order sent, each value as its raw JSON text.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de> serde::Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Each;
        impl<'de> Visitor<'de> for Each {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some((name, value)) = map.next_entry::<String, &'de RawValue>()? {
                    members.push((name, value));
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Each)
    }
}

/// The fields of a request body: each string's text, each number's digits as sent.
///
/// # Errors
/// The status and message a body that is not such an object is refused with.
fn fields(body: &[u8]) -> Result<Fields, (StatusCode, String)> {
    let members = serde_json::from_slice::<Members<'_>>(body).map_err(|reason| {
        (
            StatusCode::BAD_REQUEST,
            format!("the request is not a JSON object: {reason}"),
        )
    })?;
    let mut fields = Fields::new();
    for (name, raw) in members.0 {
        let shown = celldose::text::Shown(&name).to_string();
        let text = raw.get();
        let value = match text.as_bytes().first() {
            Some(b'"') => serde_json::from_str::<String>(text).map_err(|reason| {
                (
                    StatusCode::BAD_REQUEST,
                    format!("field {shown} is not a JSON string: {reason}"),
                )
            })?,
            // A JSON number, exactly as it was written.
            Some(b'-' | b'0'..=b'9') => text.to_owned(),
            Some(b'n') => {
                if fields.contains_key(&name) {
                    return Err(twice(&shown));
                }
                // A null is an absent field, but it still names the field once.
                fields.insert(name, String::new());
                continue;
            }
            _ => {
                return Err((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("field {shown} must be a string or a number"),
                ));
            }
        };
        if fields.insert(name, value).is_some() {
            return Err(twice(&shown));
        }
    }
    Ok(fields)
}

fn twice(shown: &str) -> (StatusCode, String) {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        format!("field {shown} is given more than once; give each field once"),
    )
}

/// A JSON request: refused unless it is JSON from this origin (a cross-site form cannot send
/// JSON without the browser asking first), then computed like a form. The audit record that
/// holds the result is named in the `Celldose-Audit-Record` header (`<seq> <sha256>`).
async fn answer(
    State(site): State<Arc<Site>>,
    Extension(visitor): Asking,
    headers: &HeaderMap,
    body: &[u8],
    kind: Kind,
) -> Response {
    if let Some(reason) = crate::guard::cross_site(headers, &site.hosts) {
        return error(StatusCode::FORBIDDEN, reason);
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(';').next().map(str::trim) == Some("application/json"));
    if !json {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the request must be JSON, sent with Content-Type: application/json",
        );
    }
    let fields = match fields(body) {
        Ok(fields) => fields,
        Err((status, message)) => return error(status, &message),
    };
    let catalogue = match work::catalogue(&site) {
        Ok(catalogue) => catalogue,
        Err(refusal) => return error(refusal.status(), &refusal.message),
    };
    match work::run(&site, visitor.signer.clone(), &catalogue, kind, &fields).await {
        Ok(done) => {
            let mut response = (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                work::json(
                    &done.outcome,
                    done.record.as_ref(),
                    visitor.signer.as_ref(),
                    kind.stage().as_ref(),
                ),
            )
                .into_response();
            if let Some(record) = done.record
                && let Ok(value) =
                    HeaderValue::from_str(&format!("{} {}", record.seq(), record.sha256()))
            {
                response
                    .headers_mut()
                    .insert("celldose-audit-record", value);
            }
            response
        }
        Err(refusal) => error(refusal.status(), &refusal.message),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn numbers_keep_the_digits_they_were_sent_with() {
        let read = fields(br#"{"age": 17.99999999999999999, "cells": 1159999999.99999999, "level": 1, "weight": "72.5kg", "dose": null}"#).unwrap();
        assert_eq!(read["age"], "17.99999999999999999");
        assert_eq!(read["cells"], "1159999999.99999999");
        assert_eq!(read["level"], "1");
        assert_eq!(read["weight"], "72.5kg");
        assert_eq!(read["dose"], "");
    }

    #[test]
    fn a_key_twice_or_a_value_of_another_kind_is_refused() {
        let (status, message) = fields(br#"{"age": "40", "age": "17"}"#).unwrap_err();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            message,
            "field \"age\" is given more than once; give each field once"
        );
        assert!(fields(br#"{"age": null, "age": "17"}"#).is_err());
        assert!(
            fields(br#"{"age": true}"#)
                .unwrap_err()
                .1
                .contains("a string or a number")
        );
        assert_eq!(fields(b"[1]").unwrap_err().0, StatusCode::BAD_REQUEST);
    }
}
