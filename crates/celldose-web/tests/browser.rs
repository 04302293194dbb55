//! The page in a real browser: Debian's Chromium, driven through ChromeDriver by WebDriver. A
//! pharmacist's path: open the page, fill a dose form, read the result, print the worksheet,
//! see a refusal beside the field, and check a product's certificate pasted into the check form. Screenshots and the printed worksheet are saved under
//! `target/browser-screenshots/`.
//!
//! Without Chromium and ChromeDriver the test says so and passes, unless
//! `CELLDOSE_REQUIRE_BROWSER` is set (as `.ci/run` sets it), when it fails.

// Tests may unwrap, index and count freely: a failure there is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Where the screenshots go.
fn artefacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn browser_present() -> bool {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present {
        assert!(
            std::env::var_os("CELLDOSE_REQUIRE_BROWSER").is_none(),
            "Chromium and ChromeDriver are required here ({CHROMIUM}, {CHROMEDRIVER}): apt-get install chromium chromium-driver"
        );
        eprintln!(
            "browser test not run: {CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)"
        );
    }
    present
}

/// A ChromeDriver process, stopped when dropped.
struct Driver(std::process::Child, u16);

impl Drop for Driver {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

fn start_driver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver(child, port)
}

/// Runs `pdftotext` (or `pdftoppm`) from Debian's poppler-utils on the printed worksheet, where
/// it is installed.
fn poppler(program: &str, args: &[&str]) -> Option<std::process::Output> {
    let output = std::process::Command::new(program)
        .args(args)
        .output()
        .ok()?;
    output.status.success().then_some(output)
}

/// Clicks `target` (a link or a submit button), waits until the page it was on has gone (its
/// root element is stale), and then waits for `wanted` on the new page. Waiting for the old page
/// to go first keeps a loaded machine from answering with the old page's element, or with
/// ChromeDriver's "aborted by navigation" from a find sent mid-navigation.
async fn navigate_by_click(
    client: &fantoccini::Client,
    target: Locator<'_>,
    wanted: Locator<'_>,
) -> fantoccini::elements::Element {
    let old_page = client.find(Locator::Css("html")).await.unwrap();
    client.find(target).await.unwrap().click().await.unwrap();
    let started = Instant::now();
    let patience = Duration::from_secs(30);
    loop {
        match old_page.tag_name().await {
            Err(gone) if gone.is_stale_element_reference() => break,
            _ => {}
        }
        assert!(
            started.elapsed() < patience,
            "the page did not leave after the click"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    loop {
        match client.find(wanted).await {
            Ok(element) => return element,
            Err(error) => assert!(
                started.elapsed() < patience,
                "{wanted:?} did not appear after the click: {error}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// On an NCT07276568 dose form: arm alf, level 1, `weight`; a screenshot of the filled form where
/// asked; then the form is sent.
async fn fill_and_submit(
    client: &fantoccini::Client,
    weight: &str,
    screenshot: Option<&Path>,
    wanted: Locator<'_>,
) -> fantoccini::elements::Element {
    let arm = client.wait().for_element(Locator::Id("arm")).await.unwrap();
    arm.select_by_value("alf").await.unwrap();
    let level = client.find(Locator::Id("level")).await.unwrap();
    level.select_by_value("1").await.unwrap();
    let field = client.find(Locator::Id("weight")).await.unwrap();
    field.send_keys(weight).await.unwrap();
    if let Some(path) = screenshot {
        std::fs::write(path, client.screenshot().await.unwrap()).unwrap();
    }
    navigate_by_click(
        client,
        Locator::Css("form.calculation button[type=submit]"),
        wanted,
    )
    .await
}

/// Chromium, headless, with a profile of its own (named `name`), driven through its ChromeDriver.
async fn open_browser(name: &str) -> (fantoccini::Client, Driver, PathBuf) {
    let driver = start_driver();
    let profile =
        std::env::temp_dir().join(format!("celldose-chromium-{name}-{}", std::process::id()));
    let capabilities = serde_json::json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--window-size=1100,1500",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities.as_object().unwrap().clone())
        .connect(&format!("http://127.0.0.1:{}", driver.1))
        .await
        .unwrap();
    (client, driver, profile)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pharmacist_computes_a_dose_prints_the_worksheet_and_sees_a_refusal() {
    if !browser_present() {
        return;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut catalogue = celldose::Catalogue::builtin().unwrap();
    catalogue
        .add(
            celldose::Protocol::from_toml(
                "split-dose.toml",
                &std::fs::read_to_string(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../examples/protocols/split-dose.toml"
                ))
                .unwrap(),
            )
            .unwrap(),
        )
        .unwrap();
    let site = celldose_web::Site::new(catalogue, None);
    tokio::spawn(celldose_web::serve(listener, site, std::future::pending()));

    let (client, driver, profile) = open_browser("pharmacist").await;
    let out = artefacts();

    // The protocol list, then the dose form of NCT07276568.
    client.goto(&format!("{base}/")).await.unwrap();
    navigate_by_click(
        &client,
        Locator::Css("a[href='/dose?protocol=NCT07276568']"),
        Locator::Id("arm"),
    )
    .await;
    // The result: the verdict in words, the numbers, the worksheet.
    let verdict = fill_and_submit(
        &client,
        "160lb",
        Some(&out.join("dose-form.png")),
        Locator::Css("#verdict .verdict-words"),
    )
    .await;
    assert_eq!(verdict.text().await.unwrap(), "WITHIN the protocol");
    let worksheet = client.find(Locator::Id("worksheet")).await.unwrap();
    let sheet = worksheet.text().await.unwrap();
    assert!(
        sheet.contains("1,161,196,468 cells (1.161196468 × 10⁹)"),
        "{sheet}"
    );
    assert!(
        sheet.contains("entered as 160 lb, converted exactly"),
        "{sheet}"
    );
    assert!(sheet.contains("Independently checked by"), "{sheet}");
    std::fs::write(out.join("result.png"), client.screenshot().await.unwrap()).unwrap();
    std::fs::write(
        out.join("worksheet.png"),
        worksheet.screenshot().await.unwrap(),
    )
    .unwrap();

    // The print view: the worksheet alone.
    let pdf = client
        .print(fantoccini::wd::PrintConfiguration::default())
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    let pdf_path = out.join("worksheet-print.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();
    let pdf_name = pdf_path.display().to_string();
    match poppler("pdftotext", &["-layout", &pdf_name, "-"]) {
        Some(text) => {
            let text = String::from_utf8_lossy(&text.stdout);
            assert!(text.contains("Independently checked by"), "{text}");
            assert!(text.contains("1,161,196,468 cells"), "{text}");
            assert!(text.contains("WITHIN the protocol"), "{text}");
            assert!(
                !text.contains("As the command line prints it"),
                "the print view shows the screen-only text:\n{text}"
            );
            assert!(
                !text.contains("Change the request"),
                "the print view shows the form:\n{text}"
            );
            let prefix = out.join("worksheet-print").display().to_string();
            assert!(
                poppler(
                    "pdftoppm",
                    &["-png", "-r", "70", "-singlefile", &pdf_name, &prefix]
                )
                .is_some()
            );
        }
        None => assert!(
            std::env::var_os("CELLDOSE_REQUIRE_BROWSER").is_none(),
            "pdftotext (poppler-utils) is required to read the print view"
        ),
    }

    // A bad weight: refused beside its field, and no result.
    client
        .goto(&format!("{base}/dose?protocol=NCT07276568"))
        .await
        .unwrap();
    let refusal = fill_and_submit(&client, "72.5", None, Locator::Id("weight-refusal")).await;
    let words = refusal.text().await.unwrap();
    assert!(
        words.contains("weight: body weight \"72.5\" has no unit"),
        "{words}"
    );
    assert!(
        client.find(Locator::Id("verdict")).await.is_err(),
        "a refused request shows a result"
    );
    std::fs::write(out.join("refusal.png"), client.screenshot().await.unwrap()).unwrap();

    // A product's certificate pasted into the check form: both bags, checked and itemised.
    client
        .goto(&format!("{base}/check?protocol=NCT06167473"))
        .await
        .unwrap();
    client
        .find(Locator::Css("#arm option[value='low-dose']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let certificate: String = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/products/car-t-two-bags.toml"
    ))
    .unwrap()
    .lines()
    .filter(|line| !line.starts_with('#'))
    .map(|line| format!("{line}\n"))
    .collect();
    for (id, text) in [
        ("weight", "200kg"),
        ("tolerance", "10%"),
        ("product_file", certificate.as_str()),
    ] {
        let field = client.find(Locator::Id(id)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }
    std::fs::write(
        out.join("product-form.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();
    let verdict = submit(&client, Locator::Css("#verdict .verdict-words")).await;
    assert_eq!(verdict.text().await.unwrap(), "WITHIN the protocol");
    let sheet = client
        .find(Locator::Id("worksheet"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        sheet.contains("CART-2026-0417, DIN W1234 26 000417"),
        "{sheet}"
    );
    assert!(
        sheet.contains("Bag 2 the whole bag, 70 mL: 100,800,000 cells"),
        "{sheet}"
    );
    assert!(sheet.contains("200,550,000 cells"), "{sheet}");
    std::fs::write(
        out.join("product-result.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();

    // Infusion 2 of a dose split 10 / 30 / 60 %: the printed worksheet names the patient, this
    // infusion's share and amount, what was given before and the running total.
    client
        .goto(&format!("{base}/check?protocol=DEMO-SPLIT"))
        .await
        .unwrap();
    for (id, text) in [
        ("weight", "67.3kg"),
        ("patient", "S-014"),
        ("infusion", "2"),
        ("given", "6.73e7"),
        ("cells", "2e8"),
    ] {
        let field = client.wait().for_element(Locator::Id(id)).await.unwrap();
        field.send_keys(text).await.unwrap();
    }
    let verdict = submit(&client, Locator::Css("#verdict .verdict-words")).await;
    assert_eq!(verdict.text().await.unwrap(), "WITHIN the protocol");
    let pdf = client
        .print(fantoccini::wd::PrintConfiguration::default())
        .await
        .unwrap();
    let pdf_path = out.join("split-worksheet-print.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();
    if let Some(text) = poppler(
        "pdftotext",
        &["-layout", &pdf_path.display().to_string(), "-"],
    ) {
        let text = String::from_utf8_lossy(&text.stdout);
        for words in [
            "S-014",
            "2 of 3, day 1, 30% of the dose",
            "201,900,000 cells",
            "67,300,000 cells",
            "267,300,000 cells",
            "269,200,000 cells",
            "Running total",
        ] {
            assert!(text.contains(words), "{words}:\n{text}");
        }
    }

    client.close().await.unwrap();
    drop(driver);
    std::fs::remove_dir_all(&profile).ok();
}

/// Sends the form on the page, and waits for `wanted` on the page it leads to.
async fn submit(client: &fantoccini::Client, wanted: Locator<'_>) -> fantoccini::elements::Element {
    navigate_by_click(
        client,
        Locator::Css("form.calculation button[type=submit]"),
        wanted,
    )
    .await
}

/// Fills the fields named by id with `values`, replacing what they held.
async fn fill(client: &fantoccini::Client, values: &[(&str, &str)]) {
    for (id, text) in values {
        let field = client.wait().for_element(Locator::Id(id)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }
}

/// Signs in on the sign-in page the browser is on; waits for `wanted` on the page it leads to.
async fn sign_in(
    client: &fantoccini::Client,
    name: &str,
    password: &str,
    wanted: Locator<'_>,
) -> fantoccini::elements::Element {
    fill(client, &[("name", name), ("password", password)]).await;
    navigate_by_click(
        client,
        Locator::Css("form.calculation button[type=submit]"),
        wanted,
    )
    .await
}

/// The text of the element `id`.
async fn text_of(client: &fantoccini::Client, id: &str) -> String {
    client
        .find(Locator::Id(id))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The independent double check in a real browser: alice signs in and checks a delivered count;
/// her worksheet says it is not yet checked; she cannot verify it herself; bob signs in, opens
/// the verification (which shows none of her figures), enters another weight and gets a
/// mismatch, then the chart's weight and gets it verified; the printed worksheet carries both
/// names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alice_prepares_and_bob_verifies_in_the_browser() {
    if !browser_present() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("celldose-browser-verify-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    let users_path = dir.join("users.toml");
    let mut users = celldose::users::Users::default();
    users
        .add(
            "alice",
            celldose::users::Role::Pharmacist,
            "alice's long password",
        )
        .unwrap();
    users
        .add(
            "bob",
            celldose::users::Role::Pharmacist,
            "bob's long password!",
        )
        .unwrap();
    users.save(&users_path).unwrap();
    let log = dir.join("audit.jsonl");
    let site = celldose_web::Site::new(celldose::Catalogue::builtin().unwrap(), None)
        .with_audit_log(log.clone(), None)
        .unwrap()
        .with_users(users_path, celldose_web::SignInPolicy::default())
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(celldose_web::serve(listener, site, std::future::pending()));
    let (client, driver, profile) = open_browser("double-check").await;
    let out = artefacts();

    // Alice: the check form needs a sign-in first, then leads back to it.
    client
        .goto(&format!("{base}/check?protocol=NCT07276568"))
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Id("password"))
        .await
        .unwrap();
    sign_in(
        &client,
        "alice",
        "alice's long password",
        Locator::Id("arm"),
    )
    .await;
    assert!(
        text_of(&client, "user")
            .await
            .contains("Signed in as alice (pharmacist)")
    );
    client
        .find(Locator::Id("arm"))
        .await
        .unwrap()
        .select_by_value("alf")
        .await
        .unwrap();
    client
        .find(Locator::Id("level"))
        .await
        .unwrap()
        .select_by_value("1")
        .await
        .unwrap();
    fill(
        &client,
        &[
            ("weight", "72.5kg"),
            ("cells", "1.2e9"),
            ("tolerance", "10%"),
        ],
    )
    .await;
    let verdict = submit(&client, Locator::Css("#verdict .verdict-words")).await;
    assert_eq!(verdict.text().await.unwrap(), "WITHIN the protocol");
    assert!(
        text_of(&client, "not-checked")
            .await
            .contains("NOT YET INDEPENDENTLY CHECKED")
    );
    let prepared_by = text_of(&client, "prepared-by").await;
    assert!(
        prepared_by.starts_with("alice (pharmacist) at "),
        "{prepared_by}"
    );
    let link = client
        .find(Locator::Css("#checked-by a"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let seq = link.strip_prefix("/verify?record=").unwrap().to_owned();
    assert!(
        prepared_by.ends_with(&format!("record {seq}")),
        "{prepared_by}"
    );
    std::fs::write(
        out.join("prepared-not-checked.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();

    // She cannot verify her own check.
    let refusal = navigate_by_click(
        &client,
        Locator::Css("#checked-by a"),
        Locator::Css("p.refusal"),
    )
    .await;
    let words = refusal.text().await.unwrap();
    assert!(
        words.contains(&format!(
            "\"alice\" prepared record {seq}, so cannot verify it"
        )),
        "{words}"
    );

    // She signs out; bob signs in at the verification itself.
    client.goto(&format!("{base}/logout")).await.unwrap();
    navigate_by_click(
        &client,
        Locator::Css("form.sign-out button"),
        Locator::Id("password"),
    )
    .await;
    client.goto(&format!("{base}{link}")).await.unwrap();
    client
        .wait()
        .for_element(Locator::Id("password"))
        .await
        .unwrap();
    sign_in(
        &client,
        "bob",
        "bob's long password!",
        Locator::Id("preparation"),
    )
    .await;
    let summary = text_of(&client, "preparation").await;
    assert!(
        summary.contains("NCT07276568") && summary.contains("alf"),
        "{summary}"
    );
    assert!(summary.contains("alice (pharmacist) at "), "{summary}");
    // Every field is empty: nothing of alice's figures is on the page to copy.
    for input in client
        .find_all(Locator::Css(
            "form.calculation input[type=text], form.calculation textarea",
        ))
        .await
        .unwrap()
    {
        let value = input.prop("value").await.unwrap().unwrap_or_default();
        assert!(value.is_empty(), "a field holds {value:?}");
    }
    let shown = text_of(&client, "preparation").await + &text_of(&client, "user").await;
    for figure in ["72.5", "1.2e9", "1,200,000,000", "1,160,000,000", "10%"] {
        assert!(
            !shown.contains(figure),
            "the verification shows {figure}: {shown}"
        );
    }
    assert!(
        client.find(Locator::Id("arm")).await.is_err(),
        "the arm is carried, not entered"
    );

    // Another weight: a mismatch, each differing field with both values, nothing released.
    fill(
        &client,
        &[("weight", "70kg"), ("cells", "1.2e9"), ("tolerance", "10%")],
    )
    .await;
    let outcome = submit(&client, Locator::Css("#double-check .verdict-words")).await;
    assert_eq!(
        outcome.text().await.unwrap(),
        "DOUBLE-CHECK MISMATCH: nothing is released"
    );
    let listed = text_of(&client, "double-check").await;
    assert!(
        client.find(Locator::Id("verdict")).await.is_err(),
        "a mismatch shows the worker's own verdict banner, which could be read as a release"
    );
    assert!(
        listed.contains("weight_kg: prepared 72.5, verified 70"),
        "{listed}"
    );
    assert!(
        text_of(&client, "not-checked")
            .await
            .contains("NOT YET INDEPENDENTLY CHECKED")
    );
    std::fs::write(
        out.join("double-check-mismatch.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();

    // The chart's weight: verified.
    client.goto(&format!("{base}{link}")).await.unwrap();
    fill(
        &client,
        &[
            ("weight", "72.5kg"),
            ("cells", "1.2e9"),
            ("tolerance", "10%"),
        ],
    )
    .await;
    let outcome = submit(&client, Locator::Css("#double-check .verdict-words")).await;
    assert_eq!(
        outcome.text().await.unwrap(),
        format!("VERIFIED: the independent double check agrees with record {seq}")
    );
    assert!(client.find(Locator::Id("not-checked")).await.is_err());
    let checked_by = text_of(&client, "checked-by").await;
    assert!(
        checked_by.starts_with("bob (pharmacist) at "),
        "{checked_by}"
    );
    std::fs::write(
        out.join("double-check-verified.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();

    // The printed worksheet: both signatures, read from the PDF's text.
    let pdf = client
        .print(fantoccini::wd::PrintConfiguration::default())
        .await
        .unwrap();
    let pdf_path = out.join("verified-worksheet-print.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();
    match poppler(
        "pdftotext",
        &["-layout", &pdf_path.display().to_string(), "-"],
    ) {
        Some(text) => {
            let text = String::from_utf8_lossy(&text.stdout);
            let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                flat.contains("Prepared by alice (pharmacist) at "),
                "{text}"
            );
            assert!(flat.contains(&format!("record {seq}")), "{text}");
            assert!(
                flat.contains("Independently checked by bob (pharmacist) at "),
                "{text}"
            );
            assert!(
                flat.contains("VERIFIED: the independent double check agrees"),
                "{text}"
            );
        }
        None => assert!(
            std::env::var_os("CELLDOSE_REQUIRE_BROWSER").is_none(),
            "pdftotext (poppler-utils) is required to read the print view"
        ),
    }

    // The log: alice's check at the stage prepared, bob's failed and agreed verifications.
    let records: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let staged: Vec<(String, String, String)> = records
        .iter()
        .filter(|r| r.get("stage").is_some())
        .map(|r| {
            let field = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
            (field("command"), field("user"), field("stage"))
        })
        .collect();
    let owned = |c: &str, u: &str, s: &str| (c.to_owned(), u.to_owned(), s.to_owned());
    assert_eq!(
        staged,
        [
            owned("check", "alice", "prepared"),
            owned("verify", "bob", "verification-failed"),
            owned("verify", "bob", "verified"),
        ]
    );
    assert!(celldose::audit::verify(std::fs::File::open(&log).unwrap()).is_ok());
    client.close().await.unwrap();
    drop(driver);
    std::fs::remove_dir_all(&profile).ok();
    std::fs::remove_dir_all(&dir).ok();
}

/// The bedside check in a real browser: an autologous product pasted into the check form, its
/// labels scanned into the box one a line, given to another patient past its thaw window: the
/// banner says why, and the worksheet shows who it was made for and the latest start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_scans_the_bags_and_the_page_stops_the_wrong_patient() {
    if !browser_present() {
        return;
    }
    let read = |path: &str| {
        std::fs::read_to_string(format!(
            "{}/../../examples/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    let mut catalogue = celldose::Catalogue::builtin().unwrap();
    catalogue
        .add(
            celldose::Protocol::from_toml("car-t-thaw.toml", &read("protocols/car-t-thaw.toml"))
                .unwrap(),
        )
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(celldose_web::serve(
        listener,
        celldose_web::Site::new(catalogue, None),
        std::future::pending(),
    ));
    let (client, driver, profile) = open_browser("bedside").await;
    let out = artefacts();
    client
        .goto(&format!("{base}/check?protocol=DEMO-CART-THAW"))
        .await
        .unwrap();
    let product: String = read("products/car-t-autologous.toml")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| format!("{line}\n"))
        .collect();
    fill(
        &client,
        &[
            ("weight", "100kg"),
            ("patient", "S-022"),
            ("product_file", product.as_str()),
            ("scan", "=W12342600091200\n=<S1234V01\n=<S1234V02"),
            ("thawed_at", "2026-12-05T14:30:00+01:00"),
            ("infusion_start", "2026-12-05T15:02:00+01:00"),
        ],
    )
    .await;
    std::fs::write(
        out.join("bedside-form.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();
    let verdict = submit(&client, Locator::Css("#verdict .verdict-words")).await;
    assert_eq!(
        verdict.text().await.unwrap(),
        "WRONG PATIENT, THAW WINDOW EXCEEDED: do not infuse"
    );
    let made_for = text_of(&client, "made-for").await;
    assert_eq!(made_for, "Made for S-021; patient S-022: NOT THIS PATIENT");
    let infuse_by = text_of(&client, "infuse-by").await;
    assert!(
        infuse_by.contains("2026-12-05T15:00:00+01:00"),
        "{infuse_by}"
    );
    let sheet = text_of(&client, "worksheet").await;
    assert!(
        sheet.contains("=<S1234V02: product code S1234V02"),
        "{sheet}"
    );
    assert!(
        sheet.contains("wrong-recipient") && sheet.contains("thaw-window-exceeded"),
        "{sheet}"
    );
    std::fs::write(
        out.join("bedside-result.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();
    client.close().await.unwrap();
    drop(driver);
    std::fs::remove_dir_all(&profile).ok();
}
