//! `--format fhir` on the command line: the resources, their exit codes, the time of
//! administration, and the refusals.

use crate::run;

fn example(path: &str) -> String {
    format!("{}/../../examples/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn parse(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

const LEVEL_1: [&str; 9] = [
    "dose",
    "--protocol",
    "NCT07276568",
    "--arm",
    "alf",
    "--level",
    "1",
    "--weight",
    "72.5kg",
];

#[test]
fn a_dose_is_a_medication_request_with_the_ordered_and_calculated_amounts() {
    let mut args = LEVEL_1.to_vec();
    args.extend(["--format", "fhir"]);
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 0, "{stderr}");
    // The numbers are written with their exact digits, not through a float.
    assert!(stdout.contains("\"value\": 1160,"), "{stdout}");
    assert!(stdout.contains("\"value\": 72.5,"), "{stdout}");
    let json = parse(&stdout);
    assert_eq!(json["resourceType"], "MedicationRequest");
    let rates = &json["dosageInstruction"][0]["doseAndRate"];
    assert_eq!(rates[0]["type"]["coding"][0]["code"], "ordered");
    assert_eq!(rates[0]["doseQuantity"]["code"], "10*6{cells}/kg");
    assert_eq!(rates[0]["doseQuantity"]["value"], 16);
    assert_eq!(rates[1]["type"]["coding"][0]["code"], "calculated");
    assert_eq!(rates[1]["doseQuantity"]["code"], "10*6{cells}");
    assert_eq!(json["contained"][0]["code"]["coding"][0]["code"], "29463-7");
    // A dose above the escalation start needs review: the verdict and the exit code say so.
    let mut args = LEVEL_1.to_vec();
    args[5] = "--dose";
    args[6] = "3e7/kg";
    args.extend(["--format", "fhir"]);
    let (code, stdout, _) = run(&args);
    assert_eq!(code, 3, "{stdout}");
    assert!(stdout.contains("escalation-not-confirmed"), "{stdout}");
}

#[test]
fn a_check_is_a_medication_administration_at_the_time_given() {
    let (code, stdout, stderr) = run(&[
        "check",
        "--protocol",
        "NCT07276568",
        "--arm",
        "alf",
        "--level",
        "1",
        "--weight",
        "72.5kg",
        "--cells",
        "1.4e9",
        "--tolerance",
        "10%",
        "--format",
        "fhir",
        "--administered-at",
        "2026-11-30T09:15:00+01:00",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let json = parse(&stdout);
    assert_eq!(json["resourceType"], "MedicationAdministration");
    assert_eq!(json["status"], "completed");
    assert_eq!(json["effectiveDateTime"], "2026-11-30T08:15:00Z");
    assert_eq!(json["dosage"]["dose"]["value"], 1400);
    assert!(stdout.contains("\"valueCode\": \"outside\""), "{stdout}");
    assert!(stdout.contains("delivered-outside-tolerance"), "{stdout}");
    // Without --administered-at, the time is now: an instant in UTC.
    let (_, stdout, _) = run(&[
        "check",
        "--protocol",
        "NCT07276568",
        "--arm",
        "alf",
        "--level",
        "1",
        "--weight",
        "72.5kg",
        "--cells",
        "1.2e9",
        "--tolerance",
        "10%",
        "--format",
        "fhir",
    ]);
    let time = parse(&stdout)["effectiveDateTime"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(time.starts_with("20") && time.ends_with('Z'), "{time}");
}

#[test]
fn prepare_from_a_product_file_is_a_dispense_in_preparation() {
    let (code, stdout, stderr) = run(&[
        "--protocol-file",
        &example("protocols/car-t-product-limits.toml"),
        "prepare",
        "--protocol",
        "DEMO-CART",
        "--weight",
        "120kg",
        "--current-weight",
        "118kg",
        "--product",
        &example("products/car-t-two-bags.toml"),
        "--format",
        "fhir",
        "--administered-at",
        "2026-12-01",
    ]);
    assert!(code == 0 || code == 3, "{code} {stderr}");
    let json = parse(&stdout);
    assert_eq!(json["resourceType"], "MedicationDispense");
    assert_eq!(json["status"], "preparation");
    assert_eq!(json["whenPrepared"], "2026-12-01");
    // bag 1 whole (70 mL) and 69.6 mL of bag 2: 139.6 mL to draw.
    assert_eq!(json["quantity"]["value"].to_string(), "139.6");
    assert_eq!(json["quantity"]["code"], "mL");
    assert!(stdout.contains("DIN W1234 26 000417"), "{stdout}");
    assert!(
        stdout.contains("To draw: bag 1 whole (70 mL), then 69.6 mL of bag 2"),
        "{stdout}"
    );
}

#[test]
fn fhir_is_refused_where_it_says_nothing_and_a_bad_time_is_refused() {
    for args in [
        vec!["protocols", "--format", "fhir"],
        vec!["show", "NCT07276568", "--format", "fhir"],
    ] {
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(stdout.is_empty());
        assert!(stderr.contains("--format fhir applies to dose"), "{stderr}");
    }
    let mut args = LEVEL_1.to_vec();
    args[0] = "check";
    args.extend(["--cells", "1.2e9", "--tolerance", "10%"]);
    let mut with_time = args.clone();
    with_time.extend(["--administered-at", "2026-11-30"]);
    let (code, stdout, stderr) = run(&with_time);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("--administered-at applies with --format fhir"),
        "{stderr}"
    );
    let mut bad = args.clone();
    bad.extend([
        "--format",
        "fhir",
        "--administered-at",
        "30/11/2026\u{1b}[2J",
    ]);
    let (code, stdout, stderr) = run(&bad);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("time of administration"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

#[test]
fn batch_writes_one_resource_per_row() {
    let dir = std::env::temp_dir().join(format!("celldose-fhir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("log.csv");
    std::fs::write(
        &log,
        "protocol,arm,level,weight,cells,tolerance\n\
         NCT07276568,alf,1,72.5kg,,\n\
         NCT07276568,alf,1,72.5kg,1.2e9,10%\n\
         NCT07276568,alf,1,72.5,,\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(&[
        "batch",
        "--input",
        log.to_str().unwrap(),
        "--format",
        "fhir",
        "--administered-at",
        "2026-11-30",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let lines: Vec<serde_json::Value> = stdout.lines().map(parse).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["resourceType"], "MedicationRequest");
    assert_eq!(lines[0]["identifier"][0]["value"], "1");
    assert_eq!(lines[1]["resourceType"], "MedicationAdministration");
    assert_eq!(lines[1]["effectiveDateTime"], "2026-11-30");
    assert_eq!(lines[1]["identifier"][0]["value"], "2");
    assert_eq!(lines[2]["resourceType"], "OperationOutcome");
    assert!(
        lines[2]["issue"][0]["diagnostics"]
            .as_str()
            .unwrap()
            .starts_with("row 3: weight"),
        "{}",
        lines[2]
    );
    let (code, _, stderr) = run(&[
        "batch",
        "--input",
        log.to_str().unwrap(),
        "--administered-at",
        "2026-11-30",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--administered-at applies with --format fhir"),
        "{stderr}"
    );
}
