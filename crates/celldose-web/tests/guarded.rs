//! The counter cannot be driven from another site, and what it records is exact, current and
//! durable: each reproduction of an attack or a careless use, through the router.
//!
//! Just over 600 lines because each attack is reproduced whole (the request a hostile page would
//! send, and what the counter must answer), one test per attack.

// Tests may unwrap, index and count freely: a failure there is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

const HOST: &str = "127.0.0.1:8080";

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn send(router: &Router, request: Request<Body>) -> Answer {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

fn get(path: &str, host: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path);
    if let Some(host) = host {
        request = request.header(header::HOST, host);
    }
    request.body(Body::empty()).unwrap()
}

fn json_post(path: &str, body: &str) -> Request<Body> {
    Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn form_post(path: &str, body: &str, host: &str, origin: &str) -> Request<Body> {
    Request::post(path)
        .header(header::HOST, host)
        .header(header::ORIGIN, origin)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("celldose-guarded-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn builtin_site() -> celldose_web::Site {
    celldose_web::Site::new(celldose::Catalogue::builtin().unwrap(), None)
}

#[tokio::test]
async fn a_request_addressed_to_another_host_gets_no_page_and_no_token() {
    let site = builtin_site().with_allowed_host("pharmacy.example");
    let token = site.token().to_owned();
    let router = celldose_web::router(site);
    // DNS rebinding: the attacker's name resolved to this machine.
    let forged = send(
        &router,
        get("/check?protocol=NCT07276568", Some("attacker.example:8080")),
    )
    .await;
    assert_eq!(forged.status, StatusCode::MISDIRECTED_REQUEST);
    assert!(!forged.body.contains(&token), "{}", forged.body);
    assert!(!forged.body.contains("<form"));
    assert_eq!(forged.body.lines().count(), 1, "{}", forged.body);
    assert!(
        forged
            .body
            .starts_with("celldose: request refused: it is addressed to \"attacker.example:8080\""),
        "{}",
        forged.body
    );
    // Its post, with an Origin that matches its own Host, is refused the same way.
    let body = format!("token={token}&protocol=NCT07276568&arm=alf&level=1&weight=72.5kg");
    let posted = send(
        &router,
        form_post(
            "/dose",
            &body,
            "attacker.example:8080",
            "http://attacker.example:8080",
        ),
    )
    .await;
    assert_eq!(posted.status, StatusCode::MISDIRECTED_REQUEST);
    // A right Host with the attacker's Origin is cross-site.
    let cross = send(
        &router,
        form_post("/dose", &body, HOST, "http://attacker.example:8080"),
    )
    .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    // No Host at all (HTTP/1.0) is refused too.
    let nameless = send(&router, get("/", None)).await;
    assert_eq!(nameless.status, StatusCode::MISDIRECTED_REQUEST);
    assert!(
        nameless.body.contains("it names no host"),
        "{}",
        nameless.body
    );
    // Another port of this machine is another site.
    assert_eq!(
        send(&router, get("/", Some("127.0.0.1:9999"))).await.status,
        StatusCode::MISDIRECTED_REQUEST
    );
    // The allowed names are answered.
    for host in [
        HOST,
        "localhost:8080",
        "[::1]:8080",
        "pharmacy.example:8080",
    ] {
        assert_eq!(
            send(&router, get("/", Some(host))).await.status,
            StatusCode::OK,
            "{host}"
        );
    }
    let ours = send(
        &router,
        form_post(
            "/dose",
            &body,
            "pharmacy.example:8080",
            "http://pharmacy.example:8080",
        ),
    )
    .await;
    assert_eq!(ours.status, StatusCode::OK, "{}", ours.body);
}

#[tokio::test]
async fn json_numbers_keep_their_digits_and_the_record_holds_them_as_sent() {
    let dir = scratch("numbers");
    let log = dir.join("audit.jsonl");
    let site = builtin_site().with_audit_log(log.clone(), None).unwrap();
    let router = celldose_web::router(site);
    // NCT05727722 admits ages 18 to 65: 17.99999999999999999 is not 18.
    let age = send(
        &router,
        json_post(
            "/api/dose",
            r#"{"protocol":"NCT05727722","arm":"clf","level":1,"weight":"70kg","age":17.99999999999999999}"#,
        ),
    )
    .await;
    assert_eq!(age.status, StatusCode::OK, "{}", age.body);
    let report: serde_json::Value = serde_json::from_str(&age.body).unwrap();
    assert_eq!(report["verdict"], "outside", "{}", age.body);
    assert_eq!(report["age_years"], "17.99999999999999999");
    // The same as a string gives the same answer.
    let string = send(
        &router,
        json_post(
            "/api/dose",
            r#"{"protocol":"NCT05727722","arm":"clf","level":1,"weight":"70kg","age":"17.99999999999999999"}"#,
        ),
    )
    .await;
    let string: serde_json::Value = serde_json::from_str(&string.body).unwrap();
    assert_eq!(string["verdict"], "outside");
    // A count a hair under 1.16 × 10⁹ is not rounded up to it on the way in.
    let cells = send(
        &router,
        json_post(
            "/api/check",
            r#"{"protocol":"NCT07276568","arm":"alf","level":1,"weight":"72.5kg","cells":1159999999.99999999,"tolerance":"10%"}"#,
        ),
    )
    .await;
    assert!(
        !cells
            .body
            .contains("\"actual_cells_exact\": \"1160000000\""),
        "{}",
        cells.body
    );
    let records: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(records[0]["input"]["age"], "17.99999999999999999");
    assert_eq!(records[2]["input"]["cells"], "1159999999.99999999");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_key_given_twice_is_refused_naming_it() {
    let router = celldose_web::router(builtin_site());
    let twice = send(
        &router,
        json_post(
            "/api/dose",
            r#"{"protocol":"NCT05727722","arm":"clf","level":1,"weight":"70kg","age":"40","age":"17"}"#,
        ),
    )
    .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        twice
            .body
            .contains("field \\\"age\\\" is given more than once"),
        "{}",
        twice.body
    );
    let site = builtin_site();
    let token = site.token().to_owned();
    let router = celldose_web::router(site);
    let form = send(
        &router,
        form_post(
            "/dose",
            &format!(
                "token={token}&protocol=NCT05727722&arm=clf&level=1&weight=70kg&age=40&age=17"
            ),
            HOST,
            "http://127.0.0.1:8080",
        ),
    )
    .await;
    assert_eq!(form.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        form.body
            .contains("field &quot;age&quot; is sent more than once"),
        "{}",
        form.body
    );
}

const STATE_OPEN: &str = "format = 1\n[[opened]]\nprotocol = \"NCT05227846\"\nlevel = 2\ndate = \"2026-03-14\"\ndecision = \"SRC-2026-03\"\n";

#[tokio::test]
async fn the_page_uses_the_trial_state_and_protocols_on_disk_at_each_request() {
    let dir = scratch("live");
    let state = dir.join("state.toml");
    std::fs::write(&state, STATE_OPEN).unwrap();
    let protocol = dir.join("split.toml");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/protocols/split-dose.toml"),
        &protocol,
    )
    .unwrap();
    let live = celldose::regimen::Library::builtin()
        .with_file(&protocol)
        .with_trial_state(&state)
        .live()
        .unwrap();
    let router = celldose_web::router(celldose_web::Site::live(live));
    let level_2 =
        r#"{"protocol":"NCT05227846","level":"2","weight":"70kg","age":"50","on":"2026-04-01"}"#;
    let open = send(&router, json_post("/api/dose", level_2)).await;
    let open: serde_json::Value = serde_json::from_str(&open.body).unwrap();
    assert_eq!(open["verdict"], "within");
    let first_sha = open["trial_state_sha256"].as_str().unwrap().to_owned();
    // The opening is withdrawn from the file while the page runs.
    std::fs::write(&state, "format = 1\n").unwrap();
    let withdrawn = send(&router, json_post("/api/dose", level_2)).await;
    let withdrawn: serde_json::Value = serde_json::from_str(&withdrawn.body).unwrap();
    assert_eq!(withdrawn["verdict"], "outside");
    assert!(withdrawn["findings"].to_string().contains("level-not-open"));
    assert_ne!(withdrawn["trial_state_sha256"], first_sha.as_str());
    // A file that became invalid refuses every request, never falls back to the old content.
    std::fs::write(&state, "format = 2\n").unwrap();
    let invalid = send(&router, json_post("/api/dose", level_2)).await;
    assert_eq!(invalid.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        invalid.body.contains("trial state file"),
        "{}",
        invalid.body
    );
    assert_eq!(
        send(&router, get("/", Some(HOST))).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    std::fs::remove_file(&state).unwrap();
    let gone = send(&router, json_post("/api/dose", level_2)).await;
    assert_eq!(gone.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(gone.body.contains("cannot be read"), "{}", gone.body);
    std::fs::write(&state, STATE_OPEN).unwrap();
    // A protocol file changed on disk: the next request uses the new dose and names its hash.
    let split = r#"{"protocol":"DEMO-SPLIT","weight":"60kg"}"#;
    let before: serde_json::Value =
        serde_json::from_str(&send(&router, json_post("/api/dose", split)).await.body).unwrap();
    assert_eq!(before["dose"], "10000000/kg");
    let text = std::fs::read_to_string(&protocol).unwrap();
    std::fs::write(
        &protocol,
        text.replace("dose = \"1e7/kg\"", "dose = \"2e7/kg\""),
    )
    .unwrap();
    let after: serde_json::Value =
        serde_json::from_str(&send(&router, json_post("/api/dose", split)).await.body).unwrap();
    assert_eq!(after["dose"], "20000000/kg");
    assert_ne!(after["protocol_sha256"], before["protocol_sha256"]);
    std::fs::remove_dir_all(&dir).ok();
}

/// Holds the log's lock from another process (`flock -o FILE sleep 30`: the lock is flock's own,
/// not its child's) until dropped.
struct Locked(std::process::Child);

impl Drop for Locked {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

fn lock_from_another_process(path: &Path) -> Locked {
    let child = std::process::Command::new("flock")
        .arg("-o")
        .arg(path)
        .args(["sleep", "30"])
        .spawn()
        .expect("flock(1), from util-linux");
    let file = std::fs::OpenOptions::new().read(true).open(path).unwrap();
    let started = Instant::now();
    // Until the other process holds it, the lock is ours to take (and give back).
    while file.try_lock().is_ok() {
        file.unlock().unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "flock did not lock"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Locked(child)
}

#[tokio::test(flavor = "current_thread")]
async fn a_log_locked_by_another_process_never_stops_the_page() {
    let dir = scratch("locked");
    let log = dir.join("audit.jsonl");
    let site = builtin_site().with_audit_log(log.clone(), None).unwrap();
    let router = celldose_web::router(site);
    let locked = lock_from_another_process(&log);
    // One thread serves both: a blocked worker would hold the page up as long as the post waits.
    let started = Instant::now();
    let post = async {
        let answer = send(
            &router,
            json_post(
                "/api/dose",
                r#"{"protocol":"NCT07276568","arm":"alf","level":"1","weight":"72.5kg"}"#,
            ),
        )
        .await;
        (answer, started.elapsed())
    };
    let page = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let asked = Instant::now();
        let answer = send(&router, get("/", Some(HOST))).await;
        (answer, asked.elapsed())
    };
    let ((posted, waited), (index, answered_in)) = tokio::join!(post, page);
    assert_eq!(index.status, StatusCode::OK);
    assert!(answered_in < Duration::from_secs(1), "{answered_in:?}");
    assert_eq!(
        posted.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        posted.body
    );
    assert!(
        posted.body.contains("it is locked by another process"),
        "{}",
        posted.body
    );
    assert!(
        waited >= celldose_web::LOCK_WAIT && waited < celldose_web::LOCK_WAIT * 2,
        "{waited:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "",
        "nothing recorded"
    );
    // Once the other process lets go, the next post is recorded and answered.
    drop(locked);
    let after = send(
        &router,
        json_post(
            "/api/dose",
            r#"{"protocol":"NCT07276568","arm":"alf","level":"1","weight":"72.5kg"}"#,
        ),
    )
    .await;
    assert_eq!(after.status, StatusCode::OK, "{}", after.body);
    assert!(
        after.headers["celldose-audit-record"]
            .to_str()
            .unwrap()
            .starts_with("1 ")
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_log_replaced_truncated_or_deleted_under_the_page_refuses_further_records() {
    let dir = scratch("replaced");
    let log = dir.join("audit.jsonl");
    let dose = r#"{"protocol":"NCT07276568","arm":"alf","level":"1","weight":"72.5kg"}"#;
    for (how, change) in [
        ("deleted", None),
        ("truncated", Some("")),
        ("replaced", Some("{\"not\":\"a record\"}\n")),
    ] {
        let _ = std::fs::remove_file(&log);
        let router =
            celldose_web::router(builtin_site().with_audit_log(log.clone(), None).unwrap());
        let first = send(&router, json_post("/api/dose", dose)).await;
        assert_eq!(first.status, StatusCode::OK, "{how}");
        let second = send(&router, json_post("/api/dose", dose)).await;
        assert!(
            second.headers["celldose-audit-record"]
                .to_str()
                .unwrap()
                .starts_with("2 ")
        );
        match change {
            None => std::fs::remove_file(&log).unwrap(),
            Some(text) => {
                std::fs::remove_file(&log).unwrap();
                std::fs::write(&log, text).unwrap();
            }
        }
        let refused = send(&router, json_post("/api/dose", dose)).await;
        assert_eq!(
            refused.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{how}: {}",
            refused.body
        );
        assert!(
            refused.body.contains("is gone")
                || refused.body.contains("replaced or truncated")
                || refused.body.contains("its last record is broken"),
            "{how}: {}",
            refused.body
        );
        assert!(
            refused.body.contains("no result is shown"),
            "{how}: {}",
            refused.body
        );
        // No new chain was started in its place.
        match change {
            None => assert!(!log.exists(), "{how}"),
            Some(text) => assert_eq!(std::fs::read_to_string(&log).unwrap(), text, "{how}"),
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn the_worksheet_names_its_audit_record() {
    let dir = scratch("worksheet");
    let log = dir.join("audit.jsonl");
    let site = builtin_site().with_audit_log(log.clone(), None).unwrap();
    let token = site.token().to_owned();
    let router = celldose_web::router(site);
    let answer = send(
        &router,
        form_post(
            "/dose",
            &format!("token={token}&protocol=NCT07276568&arm=alf&level=1&weight=72.5kg"),
            HOST,
            "http://127.0.0.1:8080",
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let line = std::fs::read_to_string(&log).unwrap();
    let own = celldose::audit::verify(line.as_bytes()).unwrap();
    assert_eq!(own, 1);
    let sha256 = {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(line.trim_end().as_bytes());
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert!(
        answer.body.contains(&format!(
            "record 1, sha256 <code class=\"record\">{sha256}</code>"
        )),
        "{}",
        answer.body
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn the_escalation_page_shows_the_decision_from_the_served_trial_state() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = scratch("escalation");
    let state = dir.join("state.toml");
    std::fs::copy(root.join("examples/trial-state-with-outcomes.toml"), &state).unwrap();
    let builtin =
        std::fs::read_to_string(root.join("crates/celldose/protocols/nct05227846.toml")).unwrap();
    // A site's copy of the protocol that names its rule.
    let named = |keys: &str| {
        let path = dir.join("nct05227846.toml");
        let text = builtin.replacen("escalation = {", &format!("escalation = {{ {keys},"), 1);
        assert_ne!(text, builtin);
        std::fs::write(&path, text).unwrap();
        let live = celldose::regimen::Library::empty()
            .with_file(&path)
            .with_trial_state(&state)
            .live()
            .unwrap();
        celldose_web::router(celldose_web::Site::live(live))
    };
    let before = std::fs::read(&state).unwrap();
    // 3+3 on 1NNN 2NTN 2NNN: 1 of 6 at level 2, escalate to level 3, which is not opened.
    let router = named("design = \"3+3\"");
    let index = send(&router, get("/escalation", Some(HOST))).await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(
        index.body.contains("/escalation?protocol=NCT05227846"),
        "{}",
        index.body
    );
    let page = send(&router, get("/escalation?protocol=NCT05227846", Some(HOST))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("ESCALATE: the next cohort at level 3"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("That level is NOT opened in the trial state"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("ESCALATE: treat the next cohort at level 3"),
        "{}",
        page.body
    );
    // BOIN: the decision and the count table.
    let router = named("design = \"boin\", target = \"0.3\"");
    let page = send(&router, get("/escalation?protocol=NCT05227846", Some(HOST))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("BOIN&#39;s count table") || page.body.contains("BOIN's count table"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Eliminate if # of DLT ≥"),
        "{}",
        page.body
    );
    // A protocol naming no rule: the page says what to do.
    let live = celldose::regimen::Library::builtin()
        .with_trial_state(&state)
        .live()
        .unwrap();
    let router = celldose_web::router(celldose_web::Site::live(live));
    let unnamed = send(&router, get("/escalation?protocol=NCT05227846", Some(HOST))).await;
    assert_eq!(unnamed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unnamed.body.contains("names no escalation design"),
        "{}",
        unnamed.body
    );
    // The page wrote nothing.
    assert_eq!(std::fs::read(&state).unwrap(), before);
    std::fs::remove_dir_all(&dir).ok();
}
