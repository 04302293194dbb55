//! The JSON API: `POST /api/dose`, `/api/check` and `/api/prepare` take an object whose fields
//! are named as the batch columns, and answer with exactly what `--format json` prints.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::Site;
use crate::work::{self, Fields, Kind};

pub(crate) async fn dose(state: State<Arc<Site>>, headers: HeaderMap, body: Bytes) -> Response {
    answer(state, &headers, &body, Kind::Dose)
}
pub(crate) async fn check(state: State<Arc<Site>>, headers: HeaderMap, body: Bytes) -> Response {
    answer(state, &headers, &body, Kind::Check)
}
pub(crate) async fn prepare(state: State<Arc<Site>>, headers: HeaderMap, body: Bytes) -> Response {
    answer(state, &headers, &body, Kind::Prepare)
}

fn error(status: StatusCode, message: &str) -> Response {
    let mut text = serde_json::to_string_pretty(&serde_json::json!({ "error": message }))
        .unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    (status, [(header::CONTENT_TYPE, "application/json")], text).into_response()
}

/// A JSON request: refused unless it is JSON from this origin (a cross-site form cannot send
/// JSON without the browser asking first), then computed like a form.
fn answer(State(site): State<Arc<Site>>, headers: &HeaderMap, body: &[u8], kind: Kind) -> Response {
    if let Some(reason) = crate::guard::cross_site(headers) {
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
    let object = match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body) {
        Ok(object) => object,
        Err(reason) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("the request is not a JSON object: {reason}"),
            );
        }
    };
    let mut fields = Fields::new();
    for (name, value) in object {
        let text = match value {
            serde_json::Value::String(text) => text,
            serde_json::Value::Number(number) => number.to_string(),
            serde_json::Value::Null => continue,
            _ => {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!(
                        "field {} must be a string (or a whole number for level)",
                        celldose::text::Shown(&name)
                    ),
                );
            }
        };
        fields.insert(name, text);
    }
    match work::run(&site, kind, &fields) {
        Ok(outcome) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            outcome.json(),
        )
            .into_response(),
        Err(refusal) => error(StatusCode::UNPROCESSABLE_ENTITY, &refusal.message),
    }
}
