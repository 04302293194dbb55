//! `celldose serve`: the page and the API give the command line's numbers and verdicts, and the
//! server binds this machine only unless another address is asked for.

use std::io::{BufRead, BufReader};

use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::run;

async fn post(router: &axum::Router, path: &str, content_type: &str, body: String) -> String {
    let request = Request::post(path)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn html_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn form_encoded(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(name, value)| {
            let value: String = value
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                        char::from(b).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{name}={value}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn the_page_and_the_api_give_the_command_lines_numbers_for_every_builtin_protocol() {
    let catalogue = celldose::Catalogue::builtin().unwrap();
    let site = celldose_web::Site::new(catalogue.clone(), None);
    let token = site.token().to_owned();
    let router = celldose_web::router(site);
    let (mut compared, mut refused) = (0, 0);
    for protocol in catalogue.protocols() {
        for arm in protocol.arms() {
            let level = arm
                .regimen()
                .levels()
                .first()
                .map(|l| l.number().to_string());
            let mut fields: Vec<(&str, &str)> = vec![
                ("protocol", protocol.id()),
                ("arm", arm.id()),
                ("weight", "70kg"),
                ("age", "50"),
            ];
            if let Some(level) = &level {
                fields.push(("level", level));
            }
            for (command, extra) in [
                ("dose", vec![]),
                ("check", vec![("cells", "1.2e8"), ("tolerance", "10%")]),
                (
                    "prepare",
                    vec![
                        ("concentration", "2.5e6/mL"),
                        ("viability", "96%"),
                        ("available", "500mL"),
                        ("tolerance", "10%"),
                    ],
                ),
            ] {
                let all: Vec<(&str, &str)> = fields.iter().chain(&extra).copied().collect();
                let mut args = vec![command.to_owned()];
                for (name, value) in &all {
                    args.push(format!("--{name}"));
                    args.push((*value).to_owned());
                }
                let refs: Vec<&str> = args.iter().map(String::as_str).collect();
                let (code, text, stderr) = run(&refs);
                let mut json_args = refs.clone();
                json_args.extend(["--format", "json"]);
                let (_, json, _) = run(&json_args);
                let body = serde_json::to_string(
                    &all.iter()
                        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
                        .collect::<serde_json::Map<_, _>>(),
                )
                .unwrap();
                let api = post(
                    &router,
                    &format!("/api/{command}"),
                    "application/json",
                    body,
                )
                .await;
                let mut form = vec![("token", token.as_str())];
                form.extend(all.iter().copied());
                let page = post(
                    &router,
                    &format!("/{command}"),
                    "application/x-www-form-urlencoded",
                    form_encoded(&form),
                )
                .await;
                if code == 2 {
                    // Refused the same way: the page shows the refusal's words, the API returns them.
                    let words = stderr.trim_end().split_once(": ").unwrap().1;
                    assert!(api.contains("\"error\""), "{args:?}: {api}");
                    assert!(
                        page.contains(&html_escaped(words)),
                        "{args:?}: {words}\n{page}"
                    );
                    refused += 1;
                    continue;
                }
                let cli: serde_json::Value = serde_json::from_str(&json).unwrap();
                let web: serde_json::Value = serde_json::from_str(&api).unwrap();
                assert_eq!(cli, web, "{args:?}");
                assert!(
                    page.contains(&html_escaped(text.trim_end())),
                    "{args:?}: the page does not hold the command line's text:\n{text}\n{page}"
                );
                compared += 1;
            }
        }
    }
    eprintln!("{compared} results identical, {refused} refused with the same words");
    assert!(compared >= 20, "{compared} requests compared");
}

/// Starts `celldose serve` with `args` and returns its first line on stderr, then stops it.
fn first_line(args: &[&str]) -> String {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("celldose"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = String::new();
    for line in lines.by_ref().take(2) {
        let line = line.unwrap();
        seen.push_str(&line);
        seen.push('\n');
        if line.contains(": serving ") {
            break;
        }
    }
    child.kill().ok();
    child.wait().ok();
    seen
}

#[test]
fn the_server_binds_this_machine_only_unless_another_address_is_asked_for() {
    let local = first_line(&["serve", "--port", "0"]);
    assert!(
        local.starts_with("celldose serve: serving http://127.0.0.1:"),
        "{local}"
    );
    assert!(!local.contains("warning"), "{local}");
    // Beyond this machine: only with users and TLS.
    let (code, stdout, stderr) = run(&["serve", "--port", "0", "--listen", "0.0.0.0"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("--listen 0.0.0.0: other machines can reach this address, so the page is served there only to signed-in users over TLS; give --users FILE and --tls-cert FILE --tls-key FILE"),
        "{stderr}"
    );
    let dir = std::env::temp_dir().join(format!("celldose-serve-open-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let users = dir.join("users.toml");
    let mut list = celldose::users::Users::default();
    list.add(
        "alice",
        celldose::users::Role::Pharmacist,
        "alice's long password",
    )
    .unwrap();
    list.save(&users).unwrap();
    let users = users.to_str().unwrap();
    let (code, _, stderr) = run(&[
        "serve", "--port", "0", "--listen", "0.0.0.0", "--users", users,
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("give --tls-cert FILE --tls-key FILE"),
        "{stderr}"
    );
    let tls = concat!(env!("CARGO_MANIFEST_DIR"), "/../celldose-web/tests/tls/");
    let (cert, key) = (
        format!("{tls}localhost-test-only.pem"),
        format!("{tls}localhost-test-only.key"),
    );
    let (code, _, stderr) = run(&[
        "serve",
        "--port",
        "0",
        "--listen",
        "0.0.0.0",
        "--users",
        users,
        "--tls-cert",
        &cert,
        "--tls-key",
        &cert,
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--tls-key "), "{stderr}");
    let open = first_line(&[
        "serve",
        "--port",
        "0",
        "--listen",
        "0.0.0.0",
        "--users",
        users,
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
    ]);
    assert!(
        open.starts_with("celldose serve: listening on 0.0.0.0:"),
        "{open}"
    );
    assert!(
        open.contains("only the users in --users can sign in, over TLS"),
        "{open}"
    );
    assert!(open.contains("serving https://0.0.0.0:"), "{open}");
    assert!(open.contains(", users sign in (Ctrl-C to stop)"), "{open}");
    std::fs::remove_dir_all(&dir).ok();
    let (code, stdout, stderr) = run(&["serve", "--listen", "example.org"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("invalid value 'example.org' for '--listen <ADDRESS>'"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["serve", "--audit-log", "/dev/null"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is not a regular file"), "{stderr}");
}
