//! Who may use the page: where the site has users, every page needs a signed-in session and every
//! API call HTTP Basic credentials; the sign-in and sign-out pages; and the audit records of both.
//!
//! Where it has none (a workstation on loopback), every request is the workstation's account's,
//! as claimed by the process serving the page.

use std::sync::Arc;

use axum::extract::{Form, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use maud::html;

use crate::Site;
use crate::accounts::{Accounts, NotSignedIn, SessionEnded, Visitor};
use crate::pages::{page, problem};
use crate::work::Fields;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "celldose_session";

/// The challenge a 401 from the API carries.
const CHALLENGE: &str = "Basic realm=\"celldose\", charset=\"UTF-8\"";

/// Lets a request through with its [`Visitor`], or answers it: the sign-in page for a page
/// without a session, 401 for an API call without good credentials.
pub(crate) async fn gate(
    State(site): State<Arc<Site>>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(accounts) = site.accounts.clone() else {
        request.extensions_mut().insert(Visitor {
            signer: site.workstation.clone(),
            token: site.token().to_owned(),
            session: None,
        });
        return next.run(request).await;
    };
    let path = request.uri().path();
    if path == "/login" || path == "/style.css" {
        request.extensions_mut().insert(Visitor {
            signer: None,
            token: site.token().to_owned(),
            session: None,
        });
        return next.run(request).await;
    }
    if path.starts_with("/api/") {
        return match basic(&site, &accounts, request.headers()).await {
            Ok(visitor) => {
                request.extensions_mut().insert(visitor);
                next.run(request).await
            }
            Err(refused) => refused,
        };
    }
    let visit = session_id(request.headers())
        .ok_or(SessionEnded::NoSession)
        .and_then(|id| accounts.visit(id));
    match visit {
        Ok(visitor) => {
            request.extensions_mut().insert(visitor);
            next.run(request).await
        }
        Err(SessionEnded::Unavailable(reason)) => problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "Sign-in unavailable",
            &reason,
        ),
        Err(ended) if request.method() == Method::GET || request.method() == Method::HEAD => {
            let wanted = request
                .uri()
                .path_and_query()
                .map_or("/", |target| target.as_str());
            let why = if matches!(ended, SessionEnded::Idle(_)) {
                "&ended=idle"
            } else {
                ""
            };
            Redirect::to(&format!("/login?next={}{why}", encode(wanted))).into_response()
        }
        Err(ended) => problem(
            StatusCode::UNAUTHORIZED,
            "Sign in again",
            &format!(
                "{}; nothing was calculated or recorded: sign in and send the form again",
                ended.message()
            ),
        ),
    }
}

/// The session id a request's cookie names.
fn session_id(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|cookie| cookie.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, id)| id)
}

/// The API's HTTP Basic credentials, checked; the response that refuses them otherwise.
async fn basic(site: &Site, accounts: &Accounts, headers: &HeaderMap) -> Result<Visitor, Response> {
    let unauthorized = |message: &str| {
        let mut response = crate::api::error(StatusCode::UNAUTHORIZED, message);
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(CHALLENGE),
        );
        response
    };
    let Some(stated) = headers.get(header::AUTHORIZATION) else {
        return Err(unauthorized(
            "this page serves its users only: send a user's name and password with HTTP Basic authentication",
        ));
    };
    let decoded = stated
        .to_str()
        .ok()
        .and_then(|value| value.strip_prefix("Basic "))
        .and_then(|b64| {
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()
        })
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let Some((name, password)) = decoded.as_deref().and_then(|text| text.split_once(':')) else {
        return Err(unauthorized(
            "the Authorization header is not HTTP Basic credentials (Basic, then name:password in base64)",
        ));
    };
    match accounts.check_password(name, password).await {
        Ok(user) => {
            let signer = celldose::audit::Signer::signed_in(user.name(), user.role().as_str())
                .map_err(|e| unauthorized(&e.to_string()))?;
            Ok(Visitor {
                signer: Some(signer),
                token: String::new(),
                session: None,
            })
        }
        Err(refused) => {
            let message = refused.message();
            let recorded = record(site, "sign-in", name, "api", Err(&message), None).await;
            Err(match (refused, recorded) {
                (_, Err(error)) => crate::api::error(StatusCode::SERVICE_UNAVAILABLE, &error),
                (NotSignedIn::Unavailable(_), Ok(())) => {
                    crate::api::error(StatusCode::SERVICE_UNAVAILABLE, &message)
                }
                (NotSignedIn::Locked(wait), Ok(())) => {
                    let mut response = crate::api::error(StatusCode::TOO_MANY_REQUESTS, &message);
                    if let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
                        response.headers_mut().insert(header::RETRY_AFTER, value);
                    }
                    response
                }
                (NotSignedIn::Wrong { .. }, Ok(())) => unauthorized(&message),
            })
        }
    }
}

/// Records a sign-in or sign-out in the audit log, where the site keeps one: the name as typed
/// (never the password), how it came (`page`, `api`), and whether it was accepted.
///
/// # Errors
/// Why it could not be recorded.
async fn record(
    site: &Site,
    command: &'static str,
    name: &str,
    via: &str,
    outcome: Result<(), &str>,
    by: Option<celldose::audit::Signer>,
) -> Result<(), String> {
    let Some(recorder) = &site.recorder else {
        return Ok(());
    };
    let result = match outcome {
        Ok(()) => serde_json::value::to_raw_value(&serde_json::json!({ "accepted": true })),
        Err(reason) => serde_json::value::to_raw_value(&celldose::audit::Refused(reason)),
    }
    .map_err(|e| e.to_string())?;
    let input = vec![
        ("user".to_owned(), name.to_owned()),
        ("via".to_owned(), via.to_owned()),
    ];
    recorder
        .record(command, by, None, input, result)
        .await
        .map(|_| ())
}

/// A path on this site to go to after signing in: `/` unless `next` is one.
fn local(next: Option<&str>) -> &str {
    next.filter(|path| {
        path.starts_with('/')
            && !path.starts_with("//")
            && path.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
    })
    .unwrap_or("/")
}

/// Percent-encodes `text` for a query string.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `GET /login`: the sign-in form.
pub(crate) async fn login_form(
    State(site): State<Arc<Site>>,
    Query(query): Query<Fields>,
) -> Response {
    if site.accounts.is_none() {
        return Redirect::to("/").into_response();
    }
    let note = (query.get("ended").map(String::as_str) == Some("idle")).then(|| {
        SessionEnded::Idle(
            site.accounts
                .as_ref()
                .map_or(crate::SESSION_IDLE, |a| a.idle()),
        )
        .message()
    });
    let next = local(query.get("next").map(String::as_str));
    login_page(&site, StatusCode::OK, next, "", note.as_deref())
}

fn login_page(
    site: &Site,
    status: StatusCode,
    next: &str,
    name: &str,
    message: Option<&str>,
) -> Response {
    let body = html! {
        h1 { "Sign in" }
        p { "This page is for the site's users: sign in with your own name and password. Every calculation you make is recorded under your name." }
        @if let Some(message) = message {
            p.refusal role="alert" id="refusal" { (message) }
        }
        form.calculation method="post" action="/login" {
            input type="hidden" name="token" value=(site.token());
            input type="hidden" name="next" value=(next);
            div.field {
                label for="name" { "Name" }
                input type="text" id="name" name="name" value=(celldose::text::inert(name)) autocomplete="username" autocapitalize="none" spellcheck="false";
            }
            div.field {
                label for="password" { "Password" }
                input type="password" id="password" name="password" autocomplete="current-password";
            }
            button type="submit" { "Sign in" }
        }
    };
    (status, page("Sign in", None, body)).into_response()
}

/// `POST /login`: checks the name and password, starts a session and records the sign-in.
pub(crate) async fn login(
    State(site): State<Arc<Site>>,
    headers: HeaderMap,
    Form(posted): Form<Vec<(String, String)>>,
) -> Response {
    let Some(accounts) = site.accounts.clone() else {
        return Redirect::to("/").into_response();
    };
    if let Some(reason) = crate::guard::cross_site(&headers, &site.hosts) {
        return problem(
            StatusCode::FORBIDDEN,
            "Refused",
            &format!("{reason}; open the sign-in page on this site"),
        );
    }
    let fields = match crate::pages::posted_once(posted) {
        Ok(fields) => fields,
        Err(refused) => return *refused,
    };
    if fields.get("token").map(String::as_str) != Some(site.token()) {
        return problem(
            StatusCode::FORBIDDEN,
            "Refused",
            "the sign-in form does not carry this page's token: it is out of date or came from another page; open it again",
        );
    }
    let next = local(fields.get("next").map(String::as_str)).to_owned();
    let name = fields.get("name").map(String::as_str).unwrap_or_default();
    let password = fields
        .get("password")
        .map(String::as_str)
        .unwrap_or_default();
    // A text that could not name a user is refused before any password is checked.
    if celldose::audit::Signer::claimed(name).is_err() {
        return login_page(
            &site,
            StatusCode::UNAUTHORIZED,
            &next,
            name,
            Some("the name or the password is not right"),
        );
    }
    let user = match accounts.check_password(name, password).await {
        Ok(user) => user,
        Err(refused) => {
            let message = refused.message();
            if let Err(error) = record(&site, "sign-in", name, "page", Err(&message), None).await {
                return problem(StatusCode::SERVICE_UNAVAILABLE, "Not signed in", &error);
            }
            let status = match refused {
                NotSignedIn::Locked(_) => StatusCode::TOO_MANY_REQUESTS,
                NotSignedIn::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                NotSignedIn::Wrong { .. } => StatusCode::UNAUTHORIZED,
            };
            return login_page(&site, status, &next, name, Some(&message));
        }
    };
    let signer = celldose::audit::Signer::signed_in(user.name(), user.role().as_str()).ok();
    let Some((id, _)) = accounts.start_session(user) else {
        return problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "Not signed in",
            "the operating system gave no random bytes for a session; nobody can sign in until it does",
        );
    };
    if let Err(error) = record(&site, "sign-in", name, "page", Ok(()), signer).await {
        accounts.end_session(&id);
        return problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "Not signed in",
            &format!("{error}; the sign-in could not be recorded, so it is not accepted"),
        );
    }
    let mut response = Redirect::to(&next).into_response();
    if let Ok(cookie) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/{}",
        if site.tls { "; Secure" } else { "" }
    )) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// `GET /logout`: a page with the sign-out button (signing out changes state, so it is a post).
pub(crate) async fn logout_form(axum::Extension(visitor): axum::Extension<Visitor>) -> Response {
    let body = html! {
        h1 { "Sign out" }
        (crate::pages::sign_out_button(&visitor))
    };
    page("Sign out", Some(&visitor), body).into_response()
}

/// `POST /logout`: ends the session and records it.
pub(crate) async fn logout(
    State(site): State<Arc<Site>>,
    axum::Extension(visitor): axum::Extension<Visitor>,
    headers: HeaderMap,
    Form(posted): Form<Vec<(String, String)>>,
) -> Response {
    let (Some(accounts), Some(id)) = (&site.accounts, &visitor.session) else {
        return Redirect::to("/").into_response();
    };
    let token = posted
        .iter()
        .find(|(name, _)| name == "token")
        .map(|(_, value)| value.as_str());
    if crate::guard::cross_site(&headers, &site.hosts).is_some() || token != Some(&visitor.token) {
        return problem(
            StatusCode::FORBIDDEN,
            "Refused",
            "the sign-out did not come from this page; use the Sign out button",
        );
    }
    if let Some(user) = accounts.end_session(id) {
        // The session is over whether or not the log takes the record.
        let _ = record(
            &site,
            "sign-out",
            user.name(),
            "page",
            Ok(()),
            visitor.signer.clone(),
        )
        .await;
    }
    let mut response = Redirect::to("/login").into_response();
    if let Ok(cookie) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{}",
        if site.tls { "; Secure" } else { "" }
    )) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_path_on_this_site_is_gone_to_after_signing_in() {
        assert_eq!(
            local(Some("/check?protocol=NCT01")),
            "/check?protocol=NCT01"
        );
        assert_eq!(local(Some("//evil.example/")), "/");
        assert_eq!(local(Some("https://evil.example/")), "/");
        assert_eq!(local(Some("/\\evil.example")), "/");
        assert_eq!(local(Some("/a b")), "/");
        assert_eq!(local(None), "/");
        assert_eq!(
            encode("/check?protocol=A&b=c d"),
            "/check%3Fprotocol%3DA%26b%3Dc%20d"
        );
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; celldose_session=abc123; other=x"),
        );
        assert_eq!(session_id(&headers), Some("abc123"));
        assert_eq!(session_id(&HeaderMap::new()), None);
    }
}
