//! Every page, form and API route over HTTP, with good and bad input, through the router itself.

// Tests may unwrap, index and count freely: a failure there is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

mod common;
use common::{HOST, form_post, get, json_post, send};

fn site() -> (Router, String) {
    let site = celldose_web::Site::new(celldose::Catalogue::builtin().unwrap(), None);
    let token = site.token().to_owned();
    (celldose_web::router(site), token)
}

/// No page may load anything from elsewhere or run a script.
fn self_contained(body: &str) {
    assert!(!body.contains("<script"), "a script: {body}");
    for attribute in ["src=\"", "href=\""] {
        for (index, _) in body.match_indices(attribute) {
            let value = &body[index + attribute.len()..];
            assert!(
                value.starts_with('/'),
                "an outside {attribute}: {}",
                &value[..value.len().min(60)]
            );
        }
    }
}

#[tokio::test]
async fn every_page_is_served_self_contained_with_its_security_headers() {
    let (router, _) = site();
    let mut paths = vec![
        "/".to_owned(),
        "/dose".to_owned(),
        "/check".to_owned(),
        "/prepare".to_owned(),
        "/style.css".to_owned(),
    ];
    for protocol in celldose::Catalogue::builtin().unwrap().protocols() {
        paths.push(format!("/protocols/{}", protocol.id()));
        for kind in ["dose", "check", "prepare"] {
            paths.push(format!("/{kind}?protocol={}", protocol.id()));
        }
    }
    for path in &paths {
        let answer = send(&router, get(path)).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert_eq!(
            answer.headers[header::CONTENT_SECURITY_POLICY],
            celldose_web::CONTENT_SECURITY_POLICY,
            "{path}"
        );
        assert!(celldose_web::CONTENT_SECURITY_POLICY.starts_with("default-src 'none'"));
        assert_eq!(answer.headers[header::X_FRAME_OPTIONS], "DENY");
        self_contained(&answer.body);
    }
    let index = send(&router, get("/")).await.body;
    assert!(index.contains("NCT07276568") && index.contains("NCT06167473"));
    let show = send(&router, get("/protocols/NCT01218464")).await.body;
    assert!(
        show.contains("Conventional plus pacebo treatment"),
        "{show}"
    );
    assert!(show.contains("0.5-1.0×106 cells/kg"));
    let form = send(&router, get("/dose?protocol=NCT05727722")).await.body;
    assert!(
        form.contains("<option value=\"4\">level 4: 4,500,000,000 cells (4.5 × 10⁹)</option>"),
        "{form}"
    );
    let missing = send(&router, get("/protocols/NCT00000000")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing
            .body
            .contains("unknown protocol &quot;NCT00000000&quot;")
    );
    assert_eq!(
        send(&router, get("/nowhere")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_dose_form_gives_the_result_and_a_worksheet() {
    let (router, token) = site();
    let answer = send(
        &router,
        form_post(
            "/dose",
            &[
                ("token", &token),
                ("protocol", "NCT07276568"),
                ("arm", "alf"),
                ("level", "1"),
                ("weight", "160lb"),
                ("rounding", "half-away-from-zero"),
            ],
            Some(&format!("http://{HOST}")),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let body = &answer.body;
    assert!(
        body.contains("<p class=\"verdict-words\">WITHIN the protocol</p>"),
        "{body}"
    );
    assert!(body.contains("1,161,196,468 cells (1.161196468 × 10⁹)"));
    assert!(
        body.contains("72.57477920 kg (entered as 160 lb, converted exactly)")
            || body.contains("(entered as 160 lb, converted exactly)"),
        "{body}"
    );
    assert!(body.contains("Independently checked by"));
    assert!(body.contains(
        "sha256 <code>7933b77d8ae96bdfd45f220bbb9e7222c1dff7cad46f2c8db633c13eceeaa332</code>"
    ));
    self_contained(body);
}

#[tokio::test]
async fn check_and_prepare_forms_give_their_results() {
    let (router, token) = site();
    let check = send(
        &router,
        form_post(
            "/check",
            &[
                ("token", &token),
                ("protocol", "NCT07276568"),
                ("arm", "alf"),
                ("level", "1"),
                ("weight", "72.5kg"),
                ("cells", "1.5e8"),
                ("tolerance", "10%"),
            ],
            None,
        ),
    )
    .await;
    assert_eq!(check.status, StatusCode::OK);
    assert!(check.body.contains("OUTSIDE the protocol: do not dispense"));
    assert!(check.body.contains("delivered-below-protocol-minimum"));
    let prepare = send(
        &router,
        form_post(
            "/prepare",
            &[
                ("token", &token),
                ("protocol", "NCT06167473"),
                ("arm", "low-dose"),
                ("weight", "70kg"),
                ("concentration", "2.5e6/mL"),
                ("viability", "96%"),
                ("available", "50mL"),
                ("tolerance", "5%"),
            ],
            None,
        ),
    )
    .await;
    assert_eq!(prepare.status, StatusCode::OK, "{}", prepare.body);
    assert!(prepare.body.contains("Volume to draw"));
    assert!(prepare.body.contains("29.2 mL"), "{}", prepare.body);
}

#[tokio::test]
async fn bad_input_is_refused_beside_its_field_with_no_result() {
    let (router, token) = site();
    let answer = send(
        &router,
        form_post(
            "/dose",
            &[
                ("token", &token),
                ("protocol", "NCT07276568"),
                ("arm", "alf"),
                ("level", "1"),
                ("weight", "<script>alert(1)</script>"),
            ],
            None,
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = &answer.body;
    assert!(body.contains("id=\"weight-refusal\">weight: body weight &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; is not a valid number"), "{body}");
    assert!(!body.contains("<script>"));
    assert!(
        !body.contains("id=\"verdict\""),
        "a refused request shows no result"
    );
    // A refusal about no single field is shown above the form.
    let answer = send(
        &router,
        form_post(
            "/dose",
            &[
                ("token", &token),
                ("protocol", "NCT01218464"),
                ("weight", "60kg"),
            ],
            None,
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer
            .body
            .contains("id=\"refusal\">protocol NCT01218464 needs an arm"),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn a_cross_site_post_or_one_without_the_token_is_refused() {
    let (router, token) = site();
    let fields = [
        ("token", token.as_str()),
        ("protocol", "NCT07276568"),
        ("arm", "alf"),
        ("level", "1"),
        ("weight", "72.5kg"),
    ];
    let answer = send(
        &router,
        form_post("/dose", &fields, Some("http://evil.example")),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(
        answer
            .body
            .contains("the request comes from another site&#39;s page")
            || answer.body.contains("another site")
    );
    let mut wrong = fields;
    wrong[0] = ("token", "0000");
    assert_eq!(
        send(&router, form_post("/dose", &wrong, None)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&router, form_post("/dose", &fields[1..], None))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut api = json_post(
        "/api/dose",
        r#"{"protocol":"NCT07276568","arm":"alf","level":"1","weight":"72.5kg"}"#,
    );
    api.headers_mut()
        .insert(header::ORIGIN, "http://evil.example".parse().unwrap());
    assert_eq!(send(&router, api).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_api_answers_as_the_json_report_and_refuses_bad_requests() {
    let (router, _) = site();
    let dose = send(
        &router,
        json_post(
            "/api/dose",
            r#"{"protocol":"NCT07276568","arm":"alf","level":1,"weight":"72.5kg"}"#,
        ),
    )
    .await;
    assert_eq!(dose.status, StatusCode::OK);
    let report: serde_json::Value = serde_json::from_str(&dose.body).unwrap();
    assert_eq!(report["cells"], "1160000000");
    assert_eq!(report["verdict"], "within");
    let check = send(&router, json_post("/api/check", r#"{"protocol":"NCT06167473","arm":"low-dose","weight":"70kg","cells":"6.2e7","tolerance":"10%"}"#)).await;
    assert_eq!(check.status, StatusCode::OK);
    let report: serde_json::Value = serde_json::from_str(&check.body).unwrap();
    assert_eq!(report["deviation_percent"], "-11.43");
    let prepare = send(&router, json_post("/api/prepare", r#"{"protocol":"NCT06167473","arm":"low-dose","weight":"70kg","concentration":"2.5e6/mL","viability":"96%","available":"50mL","tolerance":"5%"}"#)).await;
    assert_eq!(prepare.status, StatusCode::OK, "{}", prepare.body);
    for (body, status, words) in [
        (
            r#"{"protocol":"NCT07276568","arm":"alf","level":1,"weight":"72.5"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "weight: body weight \\\"72.5\\\" has no unit",
        ),
        (
            r#"{"protocol":"NCT07276568","weight":"72.5kg","colour":"red"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "field \\\"colour\\\" is not known for dose",
        ),
        (
            r#"{"protocol":"NCT07276568","weight":["72.5kg"]}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "must be a string",
        ),
        (r#"[1,2]"#, StatusCode::BAD_REQUEST, "is not a JSON object"),
        (
            r#"{"arm":"alf"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "protocol: it is required",
        ),
    ] {
        let answer = send(&router, json_post("/api/dose", body)).await;
        assert_eq!(answer.status, status, "{body}: {}", answer.body);
        assert!(answer.body.contains(words), "{body}: {}", answer.body);
    }
    // What applies only to a product file is refused without one, never passed over: an
    // infusion of a split dose with a product described by its figures, bags without a product.
    for (path, body, words) in [
        (
            "/api/prepare",
            r#"{"protocol":"NCT06167473","arm":"low-dose","weight":"70kg","concentration":"2.5e6/mL","viability":"96%","available":"50mL","tolerance":"5%","infusion":"2"}"#,
            "infusion applies to a product file (product_file); with concentration, prepare the volume for this infusion's share as its own dose",
        ),
        (
            "/api/check",
            r#"{"protocol":"NCT06167473","arm":"low-dose","weight":"70kg","cells":"6.2e7","tolerance":"10%","bags":"1"}"#,
            "bags names bags of a product file; give product_file too",
        ),
    ] {
        let answer = send(&router, json_post(path, body)).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            answer.body
        );
        assert!(answer.body.contains(words), "{body}: {}", answer.body);
    }
    let form_encoded = Request::post("/api/dose")
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("protocol=NCT07276568"))
        .unwrap();
    assert_eq!(
        send(&router, form_encoded).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
}

#[tokio::test]
async fn calculations_and_refusals_on_the_page_are_recorded_in_the_audit_log() {
    let dir = std::env::temp_dir().join(format!("celldose-web-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("audit.jsonl");
    let site = celldose_web::Site::new(celldose::Catalogue::builtin().unwrap(), Some(log.clone()));
    let token = site.token().to_owned();
    let router = celldose_web::router(site);
    let good = [
        ("token", token.as_str()),
        ("protocol", "NCT07276568"),
        ("arm", "alf"),
        ("level", "1"),
        ("weight", "72.5kg"),
    ];
    assert_eq!(
        send(&router, form_post("/dose", &good, None)).await.status,
        StatusCode::OK
    );
    let mut bad = good;
    bad[4] = ("weight", "72.5");
    assert_eq!(
        send(&router, form_post("/dose", &bad, None)).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        send(
            &router,
            json_post(
                "/api/dose",
                r#"{"protocol":"NCT07276568","arm":"alf","level":"1","weight":"72.5kg"}"#
            )
        )
        .await
        .status,
        StatusCode::OK
    );
    let text = std::fs::read_to_string(&log).unwrap();
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0]["command"], "dose");
    assert_eq!(records[0]["input"]["weight"], "72.5kg");
    assert_eq!(records[0]["result"]["verdict"], "within");
    assert!(
        records[1]["result"]["refused"]
            .as_str()
            .unwrap()
            .starts_with("weight: body weight")
    );
    assert!(celldose::audit::verify(std::fs::File::open(&log).unwrap()).is_ok());
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_product_file_pasted_into_the_forms_is_checked_and_prepared() {
    let (router, token) = site();
    // As a browser sends a textarea: lines ended by CR LF.
    let product = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/products/car-t-two-bags.toml"
    ))
    .unwrap()
    .replace('\n', "\r\n");
    // 1 × 10⁶/kg × 200 kg is 2 × 10⁸: both bags, 200,550,000, are 0.28 % over, within 10 %.
    let fields = |extra: &[(&'static str, &'static str)]| {
        let mut all = vec![
            ("token", token.clone()),
            ("protocol", "NCT06167473".to_owned()),
            ("arm", "low-dose".to_owned()),
            ("weight", "200kg".to_owned()),
            ("product_file", product.clone()),
            ("tolerance", "10%".to_owned()),
        ];
        all.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
        all
    };
    let post = |path: &'static str, all: Vec<(&'static str, String)>| {
        let borrowed: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
        form_post(path, &borrowed, None)
    };
    let check = send(&router, post("/check", fields(&[]))).await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.body);
    assert!(check.body.contains("WITHIN the protocol"), "{}", check.body);
    assert!(check.body.contains("CART-2026-0417"));
    assert!(check.body.contains("200,550,000 cells"));
    self_contained(&check.body);
    let part = send(&router, post("/check", fields(&[("bags", "2")]))).await;
    assert!(part.body.contains("OUTSIDE the protocol"), "{}", part.body);
    // Prepare: bag 1 whole, then 100,250,000 ÷ 1,440,000 per mL = 69.618… mL of bag 2: 69.6 mL.
    let prepare = send(&router, post("/prepare", fields(&[]))).await;
    assert_eq!(prepare.status, StatusCode::OK, "{}", prepare.body);
    assert!(
        prepare.body.contains("69.6 mL of bag 2"),
        "{}",
        prepare.body
    );
    // A malformed file is refused beside its field, with the line and column.
    let broken = product.replace("volume = \"70mL\"", "volume = \"70\"");
    let mut bad = fields(&[]);
    bad.retain(|(k, _)| *k != "product_file");
    bad.push(("product_file", broken));
    let refused = send(&router, post("/check", bad)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"product_file-refusal\""),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("line 16, column 10"),
        "{}",
        refused.body
    );
    // A count and a product together are refused.
    let both = send(&router, post("/check", fields(&[("cells", "2e8")]))).await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(both.body.contains("not both"), "{}", both.body);
}
