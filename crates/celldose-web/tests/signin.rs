//! Sign-in on the page and the API: sessions, their expiry, lockout, sign-out, a users file
//! changed under the page, HTTP Basic on the API, the records naming the user, and TLS.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use celldose::users::{Role, Users};

mod common;
use common::{Answer, HOST, form_post, get, send, with_cookie};

const ALICE: &str = "alice's long password";
const BOB: &str = "bob's long password!";

fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("celldose-signin-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn users_file(dir: &Path) -> PathBuf {
    let path = dir.join("users.toml");
    let mut users = Users::default();
    users.add("alice", Role::Pharmacist, ALICE).unwrap();
    users.add("bob", Role::Technician, BOB).unwrap();
    users.save(&path).unwrap();
    path
}

/// A site for the users in `dir`, recording in `dir/audit.jsonl`.
fn site(dir: &Path, policy: celldose_web::SignInPolicy) -> (Router, String) {
    let site = celldose_web::Site::new(celldose::Catalogue::builtin().unwrap(), None)
        .with_audit_log(dir.join("audit.jsonl"), None)
        .unwrap()
        .with_users(users_file(dir), policy)
        .unwrap();
    let token = site.token().to_owned();
    (celldose_web::router(site), token)
}

fn records(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Signs in; the answer and the cookie to send back.
async fn sign_in(router: &Router, token: &str, name: &str, password: &str) -> (Answer, String) {
    let answer = send(
        router,
        form_post(
            "/login",
            &[
                ("token", token),
                ("next", "/dose?protocol=NCT07276568"),
                ("name", name),
                ("password", password),
            ],
            Some("http://127.0.0.1:8080"),
        ),
    )
    .await;
    let cookie = answer
        .headers
        .get(header::SET_COOKIE)
        .map(|value| {
            value
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_owned()
        })
        .unwrap_or_default();
    (answer, cookie)
}

/// The form token on a page.
fn form_token(body: &str) -> String {
    let at = body.find("name=\"token\" value=\"").unwrap() + "name=\"token\" value=\"".len();
    body[at..at + 64].to_owned()
}

fn basic(name: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{name}:{password}"))
    )
}

fn api(body: &str, authorization: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/api/dose")
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

const DOSE: &str = r#"{"protocol":"NCT07276568","arm":"alf","level":"1","weight":"72.5kg"}"#;

#[tokio::test]
async fn a_user_signs_in_calculates_under_their_name_and_signs_out() {
    let dir = folder("session");
    let (router, token) = site(&dir, celldose_web::SignInPolicy::default());

    // Nothing but the sign-in page without a session.
    let asked = send(&router, get("/dose?protocol=NCT07276568")).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        asked.headers[header::LOCATION],
        "/login?next=/dose%3Fprotocol%3DNCT07276568"
    );
    let login = send(&router, get("/login?next=/dose")).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.body.contains("type=\"password\""));
    assert_eq!(
        send(&router, get("/style.css")).await.status,
        StatusCode::OK
    );

    // A wrong password: no session, and the page says how many tries are left.
    let (wrong, cookie) = sign_in(&router, &token, "alice", "not her password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(cookie.is_empty());
    assert!(wrong.body.contains(
        "the name or the password is not right (4 more failed sign-ins will lock the name)"
    ));

    // The right one: a session cookie, and back to the page asked for.
    let (signed, cookie) = sign_in(&router, &token, "alice", ALICE).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        signed.headers[header::LOCATION],
        "/dose?protocol=NCT07276568"
    );
    let set = signed.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(set.starts_with("celldose_session="), "{set}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attribute), "{set}");
    }
    assert!(!set.contains("Secure"), "plain HTTP on loopback: {set}");
    assert_eq!(cookie.len(), "celldose_session=".len() + 64);

    // Every page names her; the form carries her session's token, not the sign-in page's.
    let form = send(
        &router,
        with_cookie(get("/dose?protocol=NCT07276568"), &cookie),
    )
    .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body
            .contains("Signed in as <strong class=\"user-name\">alice</strong> (pharmacist)"),
        "{}",
        form.body
    );
    let session_token = form_token(&form.body);
    assert_ne!(session_token, token);
    let fields = [
        ("protocol", "NCT07276568"),
        ("arm", "alf"),
        ("level", "1"),
        ("weight", "72.5kg"),
    ];
    let post = |token: &str| {
        let mut all = vec![("token", token)];
        all.extend(fields);
        with_cookie(form_post("/dose", &all, None), &cookie)
    };
    // The sign-in page's token does not post a calculation.
    assert_eq!(
        send(&router, post(&token)).await.status,
        StatusCode::FORBIDDEN
    );
    let result = send(&router, post(&session_token)).await;
    assert_eq!(result.status, StatusCode::OK);
    assert!(result.body.contains("Signed in as"));
    // The worksheet names her too.
    assert!(
        result
            .body
            .contains(", for <span class=\"user-name\">alice (pharmacist)</span>"),
        "{}",
        result.body
    );

    // Sign out: the session is gone, the cookie cleared.
    let out = send(
        &router,
        with_cookie(
            form_post("/logout", &[("token", &session_token)], None),
            &cookie,
        ),
    )
    .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(
        out.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let after = send(&router, with_cookie(get("/"), &cookie)).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    let late = send(&router, post(&session_token)).await;
    assert_eq!(late.status, StatusCode::UNAUTHORIZED);
    assert!(late.body.contains("nothing was calculated or recorded"));

    // The log: the failed sign-in, the sign-in, her dose under her name, the sign-out; never a
    // password.
    let records = records(&dir);
    let commands: Vec<&str> = records
        .iter()
        .map(|r| r["command"].as_str().unwrap())
        .collect();
    assert_eq!(commands, ["sign-in", "sign-in", "dose", "sign-out"]);
    assert!(
        records[0]["result"]["refused"]
            .as_str()
            .unwrap()
            .contains("not right")
    );
    assert_eq!(records[0]["input"]["user"], "alice");
    assert!(
        records[0].get("user").is_none(),
        "a failed sign-in proves no one"
    );
    assert_eq!(records[1]["result"]["accepted"], true);
    assert_eq!(records[2]["user"], "alice");
    assert_eq!(records[2]["role"], "pharmacist");
    assert_eq!(records[2]["identified"], "signed-in");
    let log = std::fs::read_to_string(dir.join("audit.jsonl")).unwrap();
    assert!(!log.contains(ALICE) && !log.contains("not her password"));
    assert!(celldose::audit::verify(log.as_bytes()).is_ok());
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn an_idle_session_ends_and_a_removed_user_is_signed_out() {
    let dir = folder("idle");
    let policy = celldose_web::SignInPolicy::default().idle(Duration::from_millis(400));
    let (router, token) = site(&dir, policy);
    let (_, cookie) = sign_in(&router, &token, "alice", ALICE).await;
    assert_eq!(
        send(&router, with_cookie(get("/"), &cookie)).await.status,
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let ended = send(&router, with_cookie(get("/"), &cookie)).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    let location = ended.headers[header::LOCATION].to_str().unwrap();
    assert!(location.ends_with("&ended=idle"), "{location}");
    let login = send(&router, get(location)).await;
    assert!(
        login
            .body
            .contains("your session ended after 1 minute without use"),
        "{}",
        login.body
    );

    // Bob signs in; removed from the file, his next request finds him signed out.
    let (_, bob) = sign_in(&router, &token, "bob", BOB).await;
    assert_eq!(
        send(&router, with_cookie(get("/"), &bob)).await.status,
        StatusCode::OK
    );
    let path = dir.join("users.toml");
    let mut users = Users::from_path(&path).unwrap();
    users.remove("bob").unwrap();
    users.save(&path).unwrap();
    assert_eq!(
        send(&router, with_cookie(get("/"), &bob)).await.status,
        StatusCode::SEE_OTHER
    );
    let (again, _) = sign_in(&router, &token, "bob", BOB).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn five_failed_sign_ins_lock_the_name() {
    let dir = folder("lockout");
    let policy = celldose_web::SignInPolicy::default().locking(5, Duration::from_millis(800));
    let (router, token) = site(&dir, policy);
    for _ in 0..4 {
        let (wrong, _) = sign_in(&router, &token, "alice", "guess number n").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let (fifth, _) = sign_in(&router, &token, "alice", "guess number 5").await;
    assert!(
        fifth.body.contains("the name is now locked"),
        "{}",
        fifth.body
    );
    // The right password, while locked, is refused without being checked.
    let (locked, cookie) = sign_in(&router, &token, "alice", ALICE).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(cookie.is_empty());
    assert!(
        locked
            .body
            .contains("this name is locked after repeated failed sign-ins; try again in 1 minute")
    );
    // So is the API.
    let api_locked = send(&router, api(DOSE, Some(&basic("alice", ALICE)))).await;
    assert_eq!(api_locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(api_locked.headers.contains_key(header::RETRY_AFTER));
    // Another name is not locked; after the lock, the name signs in.
    assert_eq!(
        sign_in(&router, &token, "bob", BOB).await.0.status,
        StatusCode::SEE_OTHER
    );
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(
        sign_in(&router, &token, "alice", ALICE).await.0.status,
        StatusCode::SEE_OTHER
    );
    let refused = records(&dir)
        .iter()
        .filter(|r| r["command"] == "sign-in" && r["result"].get("refused").is_some())
        .count();
    assert_eq!(
        refused, 7,
        "five failures, the locked try and the locked API call"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn the_api_needs_http_basic_credentials() {
    let dir = folder("api");
    let (router, _) = site(&dir, celldose_web::SignInPolicy::default());
    let none = send(&router, api(DOSE, None)).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        none.headers[header::WWW_AUTHENTICATE],
        "Basic realm=\"celldose\", charset=\"UTF-8\""
    );
    let wrong = send(
        &router,
        api(DOSE, Some(&basic("alice", "not her password"))),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("not right"));
    let garbled = send(&router, api(DOSE, Some("Basic %%%"))).await;
    assert_eq!(garbled.status, StatusCode::UNAUTHORIZED);
    let good = send(&router, api(DOSE, Some(&basic("bob", BOB)))).await;
    assert_eq!(good.status, StatusCode::OK, "{}", good.body);
    // The answer names the record and its user, as --format json does with --audit-log.
    let answer: serde_json::Value = serde_json::from_str(&good.body).unwrap();
    assert_eq!(answer["recorded"]["user"], "bob");
    assert_eq!(answer["recorded"]["role"], "technician");
    assert_eq!(answer["recorded"]["identified"], "signed-in");
    let records = records(&dir);
    let dose = records.iter().find(|r| r["command"] == "dose").unwrap();
    assert_eq!(dose["user"], "bob");
    assert_eq!(dose["role"], "technician");
    assert_eq!(dose["identified"], "signed-in");
    assert_eq!(
        records.iter().filter(|r| r["command"] == "sign-in").count(),
        1,
        "the failed call"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_users_file_naming_nobody_is_refused() {
    let dir = folder("empty");
    let path = dir.join("users.toml");
    Users::default().save(&path).unwrap();
    let refused = celldose_web::Site::new(celldose::Catalogue::builtin().unwrap(), None)
        .with_users(path, celldose_web::SignInPolicy::default())
        .unwrap_err();
    assert!(
        refused.to_string().contains("it names no user"),
        "{refused}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// The page over TLS: a real listener, a rustls client trusting the test certificate.
#[tokio::test]
async fn the_page_is_served_over_tls_with_a_secure_cookie() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::rustls;
    let dir = folder("tls");
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tls");
    let tls = celldose_web::Tls::from_pem_files(
        &here.join("localhost-test-only.pem"),
        &here.join("localhost-test-only.key"),
    )
    .unwrap();
    // A key that is not one is refused, naming the flag and the file.
    let wrong = celldose_web::Tls::from_pem_files(
        &here.join("localhost-test-only.pem"),
        &here.join("localhost-test-only.pem"),
    )
    .unwrap_err();
    assert!(wrong.to_string().starts_with("--tls-key "), "{wrong}");
    let site = celldose_web::Site::new(celldose::Catalogue::builtin().unwrap(), None)
        .with_users(users_file(&dir), celldose_web::SignInPolicy::default())
        .unwrap();
    let token = site.token().to_owned();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(celldose_web::serve_tls(listener, site, tls, async {
        let _ = stopped.await;
    }));

    let mut roots = rustls::RootCertStore::empty();
    let pem = std::fs::read(here.join("localhost-test-only.pem")).unwrap();
    use rustls_pki_types::pem::PemObject;
    for cert in rustls_pki_types::CertificateDer::pem_slice_iter(&pem) {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let body = format!(
        "token={token}&next=%2F&name=alice&password={}",
        ALICE.replace('\'', "%27").replace(' ', "+")
    );
    let request = format!(
        "POST /login HTTP/1.1\r\nHost: localhost:{port}\r\nOrigin: https://localhost:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let mut stream = connector
        .connect(
            rustls_pki_types::ServerName::try_from("localhost").unwrap(),
            tcp,
        )
        .await
        .unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.ok();
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    let cookie = answer
        .lines()
        .find(|line| line.to_ascii_lowercase().starts_with("set-cookie:"))
        .unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");

    // Plain HTTP to the TLS port gets no page.
    let mut plain = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    plain
        .write_all(format!("GET / HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut bytes = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), plain.read_to_end(&mut bytes)).await;
    assert!(!String::from_utf8_lossy(&bytes).contains("celldose"));
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    std::fs::remove_dir_all(&dir).ok();
}
