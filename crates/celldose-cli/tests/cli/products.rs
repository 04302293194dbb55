//! Products on the command line: check and prepare from a product file, bags chosen and drawn,
//! split doses, the dosing weight, batch rows naming product files, and refusals of malformed
//! product files.

use crate::{run, run_json};

fn example(path: &str) -> String {
    format!("{}/../../examples/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn car_t(command: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "--protocol-file",
        &example("protocols/car-t-product-limits.toml"),
        command,
        "--protocol",
        "DEMO-CART",
        "--weight",
        "120kg",
        "--current-weight",
        "118kg",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

fn scratch(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("celldose-products-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn both_bags_are_outside_the_cap_and_the_json_names_every_bag() {
    let product = example("products/car-t-two-bags.toml");
    let args = car_t("check", &["--product", &product]);
    let (code, json) = run_json(&strs(&args));
    assert_eq!(code, 1);
    assert_eq!(json["verdict"], "outside");
    assert_eq!(json["actual_cells"], "200550000");
    assert_eq!(json["actual_cells_exact"], "200550000");
    assert_eq!(json["deviation_percent"], "0.28");
    assert_eq!(json["product"]["id"], "CART-2026-0417");
    assert_eq!(json["product"]["din"], "W1234 26 000417");
    assert_eq!(json["product"]["counts"], "car-positive-viable");
    assert_eq!(
        json["product"]["bags"][0]["counted_cells_exact"],
        "99750000"
    );
    assert_eq!(
        json["product"]["bags"][1]["counted_cells_exact"],
        "100800000"
    );
    assert_eq!(json["excipients"]["dmso_g_per_kg"], "0.0642");
    assert_eq!(json["current_weight_kg"], "118");
    assert_eq!(json["dosing_weight"], "apheresis");
    assert_eq!(
        json["findings"][2]["code"],
        "delivered-above-protocol-maximum"
    );
}

#[test]
fn a_bag_and_a_measured_part_of_another_are_within() {
    let product = example("products/car-t-two-bags.toml");
    let args = car_t("check", &["--product", &product, "--bags", "1,2=69.6mL"]);
    let (code, json) = run_json(&strs(&args));
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["actual_cells_exact"], "199974000");
    assert_eq!(json["product"]["bags"][1]["volume_ml"], "69.6");
    assert_eq!(json["product"]["bags"][1]["left_ml"], "0.4");
    // The subset in the other order, and a bag the product does not have.
    let args = car_t("check", &["--product", &product, "--bags", "2,3"]);
    let (code, stdout, stderr) = run(&strs(&args));
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr,
        "celldose: --bags: product CART-2026-0417 has no bag \"3\"; its bags: 1, 2\n"
    );
}

#[test]
fn prepare_from_the_bags_gives_one_whole_and_draws_from_the_other() {
    let product = example("products/car-t-two-bags.toml");
    let args = car_t("prepare", &["--product", &product]);
    let (code, json) = run_json(&strs(&args));
    assert_eq!(code, 0);
    assert_eq!(json["drawing"]["exact_ml"], "69.618056");
    assert_eq!(json["drawing"]["step_ml"], "0.1");
    assert_eq!(json["product"]["bags"][0]["whole"], true);
    assert_eq!(json["product"]["bags"][1]["volume_ml"], "69.6");
    // Bag 2 first: 100,800,000 fits under the target whole, then bag 1 at 1,425,000 per mL:
    // 99,200,000 more is 69.6140… mL, drawn as 69.6 mL (99,180,000): 199,980,000 in all.
    let args = car_t("prepare", &["--product", &product, "--bags", "2,1"]);
    let (code, json) = run_json(&strs(&args));
    assert_eq!(code, 0);
    assert_eq!(json["product"]["bags"][0]["id"], "2");
    assert_eq!(json["actual_cells_exact"], "199980000");
    // Prepare chooses the volume: a volume in --bags is refused.
    let args = car_t("prepare", &["--product", &product, "--bags", "1=10mL"]);
    let (code, _, stderr) = run(&strs(&args));
    assert_eq!(code, 2);
    assert!(stderr.contains("give the bag ids only"), "{stderr}");
    // --product and --concentration are one or the other.
    let args = car_t(
        "prepare",
        &["--product", &product, "--concentration", "1e6/mL"],
    );
    let (code, _, stderr) = run(&strs(&args));
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

#[test]
fn a_split_dose_needs_its_infusion_and_judges_the_running_total() {
    let split = example("protocols/split-dose.toml");
    let base = [
        "--protocol-file",
        split.as_str(),
        "check",
        "--protocol",
        "DEMO-SPLIT",
        "--weight",
        "60kg",
        "--cells",
        "1.9e8",
    ];
    let (code, _, stderr) = run(&base);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "celldose: protocol DEMO-SPLIT arm all splits the dose over 3 infusions (10% on day 0, 30% on day 1, 60% on day 2); say which infusion this is (1 to 3)\n"
    );
    let mut args = base.to_vec();
    args.extend(["--infusion", "2", "--given", "6e7"]);
    let (code, json) = run_json(&args);
    assert_eq!(code, 0);
    assert_eq!(json["infusion"]["target_cells_exact"], "180000000");
    assert_eq!(json["infusion"]["cumulative_cells_exact"], "250000000");
    assert_eq!(json["split"][2]["share_percent"], "60");
    // --given needs --infusion (clap refuses, exit 2).
    let mut args = base.to_vec();
    args.extend(["--given", "6e7"]);
    let (code, stdout, _) = run(&args);
    assert_eq!((code, stdout.as_str()), (2, ""));
    // dose prints the schedule.
    let (code, stdout, _) = run(&[
        "--protocol-file",
        &split,
        "dose",
        "--protocol",
        "DEMO-SPLIT",
        "--weight",
        "60kg",
    ]);
    assert_eq!(code, 0);
    assert!(stdout.contains(
        "  Schedule:         infusion 1, day 0: 10% of the dose, 60,000,000 cells (6 × 10⁷)\n                    infusion 2, day 1: 30% of the dose, 180,000,000 cells (1.8 × 10⁸)\n"
    ), "{stdout}");
}

#[test]
fn a_weight_change_past_the_limit_needs_review() {
    let mut args = car_t("dose", &[]);
    let at = args.iter().position(|a| a == "118kg").unwrap();
    args[at] = "105kg".into();
    let (code, stdout, _) = run(&strs(&args));
    assert_eq!(code, 3, "{stdout}");
    assert!(stdout.contains("weight-changed: the dose uses 120 kg as the weight at apheresis; the current weight 105 kg is 15 kg (12.5%) less, past the 10% the protocol allows"), "{stdout}");
}

#[test]
fn malformed_product_files_are_refused_with_file_line_and_column() {
    let both = scratch(
        "both.toml",
        "format = 1\nid = \"P1\"\ncounts = \"viable\"\n[[bag]]\nid = \"A\"\nvolume = \"50mL\"\nconcentration = \"2e6/mL\"\ntotal = \"1e8\"\nviability = \"90%\"\n",
    );
    // validate, as docs/product-format.md shows it.
    let (code, stdout, stderr) = run(&["validate", both.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    let name = both.display().to_string();
    assert_eq!(
        stdout,
        format!(
            "{name}: invalid: line 4, column 1: bag \"A\" gives both `concentration` and `total`; give one: the figure its certificate states\n0 valid, 1 invalid\n"
        )
    );
    let (code, json) = run_json(&["validate", both.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_eq!(json["files"][0]["kind"], "product");
    // check refuses the same file: exit 2, one line, nothing on stdout.
    let args = car_t("check", &["--product", both.to_str().unwrap()]);
    let (code, stdout, stderr) = run(&strs(&args));
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr,
        format!(
            "celldose: product file {name}: line 4, column 1: bag \"A\" gives both `concentration` and `total`; give one: the figure its certificate states\n"
        )
    );
    // A terminal escape in the file, a device, and a missing file.
    let escape = scratch(
        "escape.toml",
        "format = 1\nid = \"P1\"\ncounts = \"viable\"\n[[bag]]\nid = \"A\u{1b}[2J\"\nvolume = \"50mL\"\ntotal = \"1e8\"\nviability = \"90%\"\n",
    );
    for (path, expected) in [
        (
            escape.to_str().unwrap(),
            "line 5, column 8: the file holds an escape character (ESC, U+001B)",
        ),
        ("/dev/zero", "it is not a regular file"),
        ("no-such-product.toml", "cannot be read"),
    ] {
        let args = car_t("check", &["--product", path]);
        let (code, stdout, stderr) = run(&strs(&args));
        assert_eq!((code, stdout.as_str()), (2, ""), "{path}");
        assert!(stderr.contains(expected), "{path}: {stderr}");
        assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    }
}

#[test]
fn validate_tells_product_files_from_protocol_files() {
    let (code, stdout, _) = run(&[
        "validate",
        &example("products/car-t-two-bags.toml"),
        &example("products/one-bag-total.toml"),
        &example("protocols/car-t-product-limits.toml"),
    ]);
    assert_eq!(code, 0);
    assert!(stdout.contains("car-t-two-bags.toml: valid product: CART-2026-0417, 2 bags, counting CAR-positive viable T cells, sha256 "), "{stdout}");
    assert!(
        stdout.contains(
            "one-bag-total.toml: valid product: MSC-LOT-7731, 1 bag, counting viable cells"
        ),
        "{stdout}"
    );
    assert!(stdout.ends_with("3 valid, 0 invalid\n"), "{stdout}");
}

#[test]
fn batch_rows_name_product_files_and_every_row_gives_one_record() {
    let two = example("products/car-t-two-bags.toml");
    let log = format!(
        "protocol,weight,current_weight,product,bags,cells\n\
         DEMO-CART,120kg,118kg,{two},,\n\
         DEMO-CART,120kg,118kg,{two},\"1,2=69.6mL\",\n\
         DEMO-CART,120kg,118kg,no-such.toml,,\n\
         DEMO-CART,120kg,118kg,{two},,2e8\n\
         DEMO-CART,120kg,118kg,,1,\n\
         DEMO-CART,120kg,118kg,,,2e8\n"
    );
    let output = assert_cmd::Command::cargo_bin("celldose")
        .unwrap()
        .args([
            "--protocol-file",
            &example("protocols/car-t-product-limits.toml"),
            "batch",
        ])
        .write_stdin(log)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let records: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 6, "{stdout}");
    assert_eq!(records[0]["verdict"], "outside");
    assert_eq!(records[1]["verdict"], "within");
    assert_eq!(records[1]["actual_cells_exact"], "199974000");
    assert!(
        records[2]["error"]
            .as_str()
            .unwrap()
            .contains("no-such.toml")
    );
    assert!(
        records[3]["error"]
            .as_str()
            .unwrap()
            .contains("cells and product are both given")
    );
    assert!(
        records[4]["error"]
            .as_str()
            .unwrap()
            .contains("bags is given but")
    );
    // A count alone cannot show the product limits: review.
    assert_eq!(records[5]["verdict"], "review");
}

#[test]
fn what_was_given_before_is_read_from_the_audit_log_by_patient() {
    let split = example("protocols/split-dose.toml");
    let dir = std::env::temp_dir().join(format!("celldose-given-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("log.jsonl");
    let _ = std::fs::remove_file(&log);
    let log = log.to_str().unwrap();
    let check = |patient: &str, infusion: &str, cells: &str, extra: &[&str]| {
        let mut args = vec![
            "--protocol-file",
            split.as_str(),
            "check",
            "--protocol",
            "DEMO-SPLIT",
            "--weight",
            "60kg",
            "--patient",
            patient,
            "--infusion",
            infusion,
            "--cells",
            cells,
            "--audit-log",
            log,
        ];
        args.extend(extra);
        run(&args)
    };
    // Infusion 1 within, another patient's infusion 1, infusion 2 outside then re-checked within.
    assert_eq!(check("S-014", "1", "6.1e7", &[]).0, 0);
    assert_eq!(check("S-015", "1", "5e7", &[]).0, 1);
    assert_eq!(check("S-014", "2", "2.5e8", &[]).0, 1);
    assert_eq!(check("S-014", "2", "1.75e8", &[]).0, 0);
    let (code, stdout, stderr) = check(
        "S-014",
        "3",
        "3.6e8",
        &["--given-from-log", "--format", "json"],
    );
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // 61,000,000 (record 1) + 175,000,000 (record 4): the outside check of infusion 2 is not counted.
    assert_eq!(json["infusion"]["given_before_cells_exact"], "236000000");
    assert_eq!(json["patient"], "S-014");
    let from_log = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "given-from-log")
        .unwrap();
    assert!(from_log["message"]
        .as_str()
        .unwrap()
        .contains("infusion 1: 61,000,000 cells (6.1 × 10⁷) (audit record 1); infusion 2: 175,000,000 cells (1.75 × 10⁸) (audit record 4)"));
    // A patient with no record of an earlier infusion is refused, and so is a broken chain.
    let (code, stdout, stderr) = check("S-015", "3", "3.6e8", &["--given-from-log"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(
        stderr.contains("no record of infusion 2 of patient S-015"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(log).unwrap();
    std::fs::write(log, text.replacen("61000000", "71000000", 1)).unwrap();
    let (code, _, stderr) = check("S-014", "3", "3.6e8", &["--given-from-log"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("its chain does not hold"), "{stderr}");
    // Without --patient the log cannot be searched.
    let (code, _, stderr) = run(&[
        "--protocol-file",
        &split,
        "check",
        "--protocol",
        "DEMO-SPLIT",
        "--weight",
        "60kg",
        "--infusion",
        "2",
        "--cells",
        "1.8e8",
        "--audit-log",
        log,
        "--given-from-log",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--patient"), "{stderr}");
}

#[test]
fn ascii_output_of_a_product_check_is_ascii_with_the_exponents_written_out() {
    let product = example("products/car-t-two-bags.toml");
    for command in ["check", "prepare"] {
        let mut args = car_t(command, &["--product", &product]);
        args.push("--ascii".into());
        let (_, stdout, stderr) = run(&strs(&args));
        assert!(stdout.is_ascii() && stderr.is_ascii(), "{stdout}{stderr}");
        assert!(
            stdout.contains("99,750,000 cells (9.975 x 10^7)"),
            "{stdout}"
        );
    }
}

#[test]
fn a_certificates_viable_concentration_and_the_days_dmso_are_flags() {
    // 3 × 10⁶ viable cells/mL at 75 %: 3 × 10⁶ active cells/mL, not 2.25 × 10⁶. NCT06167473 low
    // dose at 70 kg: 70,000,000 ÷ 3,000,000 = 23.333… mL, drawn as 23.3 mL = 69,900,000.
    let (code, json) = crate::run_json(&[
        "prepare",
        "--protocol",
        "NCT06167473",
        "--arm",
        "low-dose",
        "--weight",
        "70kg",
        "--viable-concentration",
        "3e6/mL",
        "--viability",
        "75%",
        "--available",
        "50mL",
        "--tolerance",
        "5%",
    ]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["active_cells_per_ml"], "3000000");
    assert_eq!(json["concentration_is_viable"], true);
    assert_eq!(json["volume_ml"], "23.3");
    assert_eq!(json["exact_volume_ml"], "23.333333");
    assert_eq!(json["exact_volume_rounded"], true);
    let (code, _, stderr) = run(&[
        "prepare",
        "--protocol",
        "NCT06167473",
        "--arm",
        "low-dose",
        "--weight",
        "70kg",
        "--viable-concentration",
        "3e6/mL",
        "--concentration",
        "4e6/mL",
        "--viability",
        "75%",
        "--available",
        "50mL",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
    // DEMO-SAME-DAY infusion 2 at 10 kg, 2 mL of DMSO now and 9 mL earlier that day: 11 mL is
    // over 1 mL/kg (10 mL).
    let dir = std::env::temp_dir().join(format!("celldose-dmso-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bag = dir.join("bag.toml");
    std::fs::write(
        &bag,
        "format = 1\nid = \"D\"\ncounts = \"viable\"\nrecipient = \"any\"\n[[bag]]\nid = \"1\"\nvolume = \"20mL\"\ntotal = \"1e7\"\nviability = \"100%\"\ndmso = \"10%\"\n",
    )
    .unwrap();
    let same_day = example("protocols/same-day-split.toml");
    let check = |extra: &[&str]| {
        let mut args = vec![
            "--protocol-file",
            same_day.as_str(),
            "check",
            "--protocol",
            "DEMO-SAME-DAY",
            "--weight",
            "10kg",
            "--product",
            bag.to_str().unwrap(),
            "--infusion",
            "2",
        ];
        args.extend(extra);
        crate::run_json(&args)
    };
    let (code, json) = check(&["--given-dmso", "9mL"]);
    assert_eq!(code, 1, "{json}");
    assert!(
        json["findings"]
            .to_string()
            .contains("the day's total is 11 mL"),
        "{json}"
    );
    let (code, json) = check(&[]);
    assert_eq!(code, 3, "{json}");
    assert!(
        json["findings"]
            .to_string()
            .contains("dmso-given-today-not-stated")
    );
    let (code, json) = check(&["--given-dmso", "8.8g"]);
    assert_eq!(code, 0, "{json}");
    std::fs::remove_dir_all(&dir).ok();
}
