//! The independent double check on the page, through the router: who may verify, what the form
//! shows, and what is recorded. (The same path in a real browser is in `browser.rs`.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use axum::Router;
use axum::http::{StatusCode, header};
use celldose::users::{Role, Users};

mod common;
use common::{form_post, get, send, with_cookie};

/// Signs `name` in; their cookie and their forms' token.
async fn session(router: &Router, token: &str, name: &str) -> (String, String) {
    let password = format!("{name}'s long password");
    let answer = send(
        router,
        form_post(
            "/login",
            &[
                ("token", token),
                ("next", "/"),
                ("name", name),
                ("password", &password),
            ],
            None,
        ),
    )
    .await;
    let cookie = answer.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = send(router, with_cookie(get("/"), &cookie)).await.body;
    let at = page.find("name=\"token\" value=\"").unwrap() + 20;
    (cookie, page[at..at + 64].to_owned())
}

#[tokio::test]
async fn a_pharmacist_verifies_another_users_check_and_nobody_verifies_their_own() {
    let dir =
        std::env::temp_dir().join(format!("celldose-web-double-check-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    let mut users = Users::default();
    for (name, role) in [
        ("alice", Role::Pharmacist),
        ("bob", Role::Pharmacist),
        ("tess", Role::Technician),
    ] {
        users
            .add(name, role, &format!("{name}'s long password"))
            .unwrap();
    }
    users.save(&dir.join("users.toml")).unwrap();
    let log = dir.join("audit.jsonl");
    let site = celldose_web::Site::new(celldose::Catalogue::builtin().unwrap(), None)
        .with_audit_log(log.clone(), None)
        .unwrap()
        .with_users(
            dir.join("users.toml"),
            celldose_web::SignInPolicy::default(),
        )
        .unwrap();
    let token = site.token().to_owned();
    let router = celldose_web::router(site);
    let (alice, alice_token) = session(&router, &token, "alice").await;
    let (bob, bob_token) = session(&router, &token, "bob").await;
    let (tess, _) = session(&router, &token, "tess").await;

    let figures = [
        ("weight", "72.5kg"),
        ("cells", "1.2e9"),
        ("tolerance", "10%"),
    ];
    let mut fields = vec![
        ("token", alice_token.as_str()),
        ("protocol", "NCT07276568"),
        ("arm", "alf"),
        ("level", "1"),
    ];
    fields.extend(figures);
    let prepared = send(
        &router,
        with_cookie(form_post("/check", &fields, None), &alice),
    )
    .await;
    assert_eq!(prepared.status, StatusCode::OK);
    assert!(prepared.body.contains("NOT YET INDEPENDENTLY CHECKED"));
    let seq = "4"; // three sign-ins, then the check
    assert!(
        prepared
            .body
            .contains(&format!("href=\"/verify?record={seq}\"")),
        "{}",
        prepared.body
    );

    // Alice may not verify her own check, nor a technician anyone's.
    let own = send(
        &router,
        with_cookie(get(&format!("/verify?record={seq}")), &alice),
    )
    .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    assert!(
        own.body.contains("prepared record 4, so cannot verify it"),
        "{}",
        own.body
    );
    let technician = send(
        &router,
        with_cookie(get(&format!("/verify?record={seq}")), &tess),
    )
    .await;
    assert_eq!(technician.status, StatusCode::FORBIDDEN);
    assert!(
        technician
            .body
            .contains("is a technician, and only a pharmacist verifies a preparation")
    );
    // A record that is not a preparation, or not there.
    let sign_in = send(&router, with_cookie(get("/verify?record=1"), &bob)).await;
    assert!(
        sign_in
            .body
            .contains("record 1 is not a preparation to verify"),
        "{}",
        sign_in.body
    );
    let missing = send(&router, with_cookie(get("/verify?record=99"), &bob)).await;
    assert!(missing.body.contains("record 99 is not in the audit log"));

    // Bob's form: what it is for and who made it, no figure, no field for the arm or level.
    let form = send(
        &router,
        with_cookie(get(&format!("/verify?record={seq}")), &bob),
    )
    .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("alice (pharmacist) at "));
    assert!(!form.body.contains("value=\"72.5kg\"") && !form.body.contains("value=\"1.2e9\""));
    assert!(!form.body.contains("name=\"arm\"") && !form.body.contains("name=\"level\""));

    // An arm posted to the verification is not taken: what the dose is for comes from the record.
    let mut verify = vec![
        ("token", bob_token.as_str()),
        ("record", seq),
        ("arm", "clf"),
    ];
    verify.extend(figures);
    let agreed = send(
        &router,
        with_cookie(form_post("/verify", &verify, None), &bob),
    )
    .await;
    assert_eq!(agreed.status, StatusCode::OK, "{}", agreed.body);
    assert!(
        agreed
            .body
            .contains("VERIFIED: the independent double check agrees with record 4")
    );
    assert!(agreed.body.contains("bob (pharmacist) at "));
    verify[3] = ("weight", "70kg");
    let differs = send(
        &router,
        with_cookie(form_post("/verify", &verify, None), &bob),
    )
    .await;
    assert_eq!(differs.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        differs
            .body
            .contains("DOUBLE-CHECK MISMATCH: nothing is released")
    );
    assert!(
        differs.body.contains(
            "<code>weight_kg</code>: prepared <strong>72.5</strong>, verified <strong>70</strong>"
        ),
        "{}",
        differs.body
    );

    let records: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let verified = &records[4];
    assert_eq!(
        (verified["command"].as_str(), verified["stage"].as_str()),
        (Some("verify"), Some("verified"))
    );
    assert_eq!(verified["verifies"]["seq"], 4);
    assert_eq!(verified["verifies"]["user"], "alice");
    // It names the preparation by the SHA-256 of its whole line, as the chain does.
    let line = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .nth(3)
        .unwrap()
        .to_owned();
    let digest: String = <sha2::Sha256 as sha2::Digest>::digest(line.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(verified["verifies"]["sha256"], digest.as_str());
    assert_eq!(verified["input"]["record"], "4");
    assert_eq!(verified["input"]["arm"], "alf");
    assert_eq!(records[5]["stage"], "verification-failed");
    std::fs::remove_dir_all(&dir).ok();
}
