//! `check --product … --patient … --scan … --thawed-at … --infusion-start …` at the bedside, and
//! the same columns in a dispensing log.

use crate::{run, run_json};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");

fn check(extra: &[&str]) -> (i32, String, String) {
    let protocol = format!("{ROOT}/protocols/car-t-thaw.toml");
    let product = format!("{ROOT}/products/car-t-autologous.toml");
    let mut args = vec![
        "--protocol-file",
        &protocol,
        "check",
        "--protocol",
        "DEMO-CART-THAW",
        "--weight",
        "100kg",
        "--product",
        &product,
    ];
    args.extend(extra);
    run(&args)
}

const RIGHT: [&str; 10] = [
    "--patient",
    "S-021",
    "--scan",
    "=W12342600091200",
    "--scan",
    "=<S1234V01",
    "--scan",
    "=<S1234V02",
    "--thawed-at",
    "2026-12-05T14:30:00+01:00",
];

#[test]
fn the_bedside_check_says_why_an_infusion_stops() {
    let with = |changes: &[(&str, &str)], start: &str| {
        let mut args: Vec<&str> = RIGHT.to_vec();
        for (from, to) in changes {
            let at = args.iter().position(|a| a == from).unwrap();
            args[at] = to;
        }
        args.extend(["--infusion-start", start]);
        check(&args)
    };
    let (code, stdout, _) = with(&[], "2026-12-05T14:50:00+01:00");
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("  Made for:         S-021; patient S-021: matched\n"),
        "{stdout}"
    );
    assert!(stdout.contains("  Scanned:          \"=<S1234V02\" as product code S1234V02\n"));
    assert!(stdout.contains("  Infuse by:        2026-12-05T15:00:00+01:00 (30 min from the completion of thawing, per the protocol)\n"));
    for (changes, start, words) in [
        (
            vec![("S-021", "S-022")],
            "2026-12-05T14:50:00+01:00",
            "WRONG PATIENT: do not infuse (OUTSIDE the protocol)",
        ),
        (
            vec![("=W12342600091200", "=W12342600041700")],
            "2026-12-05T14:50:00+01:00",
            "WRONG PRODUCT: do not infuse (OUTSIDE the protocol)",
        ),
        (
            vec![],
            "2026-12-05T15:01:00+01:00",
            "THAW WINDOW EXCEEDED: do not infuse (OUTSIDE the protocol)",
        ),
        (
            vec![("2026-12-05T14:30:00+01:00", "2027-03-01T11:45:00+01:00")],
            "2027-03-01T12:01:00+01:00",
            "EXPIRED: do not infuse (OUTSIDE the protocol)",
        ),
    ] {
        let (code, stdout, stderr) = with(&changes, start);
        assert_eq!(code, 1, "{stdout}{stderr}");
        assert!(
            stdout.contains(&format!("  Verdict:          {words}\n")),
            "{words}:\n{stdout}"
        );
    }
    // Two at once are both named.
    let (_, stdout, _) = with(&[("S-021", "S-022")], "2026-12-05T15:01:00+01:00");
    assert!(
        stdout.contains("  Verdict:          WRONG PATIENT, THAW WINDOW EXCEEDED: do not infuse"),
        "{stdout}"
    );
}

#[test]
fn a_product_made_for_one_patient_needs_the_patient_and_scans_must_be_readable() {
    let (code, stdout, stderr) = check(&["--thawed-at", "2026-12-05T14:30:00+01:00"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(
        stderr.contains("--patient: product CART-AUTO-0912 was made for one patient (S-021)"),
        "{stderr}"
    );
    let (code, _, stderr) = check(&["--patient", "S-021", "--scan", "=W12342600091278"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--scan: scan \"=W12342600091278\": its flags 78 carry check value 18"),
        "{stderr}"
    );
    let (code, _, stderr) = check(&["--patient", "S-021", "--thawed-at", "2026-12-05T14:30:00"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(
            "--thawed-at: time \"2026-12-05T14:30:00\" is not accepted: it has no UTC offset"
        ),
        "{stderr}"
    );
    // Without a product, a scan has nothing to be matched with.
    let (code, _, stderr) = run(&[
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
        "--scan",
        "=<S1234V01",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--product"), "{stderr}");
}

#[test]
fn json_the_audit_record_and_a_log_carry_the_chain() {
    let dir = std::env::temp_dir().join(format!("celldose-custody-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("audit.jsonl");
    let log_name = log.to_str().unwrap();
    let protocol = format!("{ROOT}/protocols/car-t-thaw.toml");
    let product = format!("{ROOT}/products/car-t-autologous.toml");
    let mut args = vec![
        "--protocol-file",
        &protocol,
        "check",
        "--protocol",
        "DEMO-CART-THAW",
        "--weight",
        "100kg",
        "--product",
        &product,
        "--audit-log",
        log_name,
        "--infusion-start",
        "2026-12-05T14:50:00+01:00",
    ];
    args.extend(RIGHT);
    let (code, json) = run_json(&args);
    assert_eq!(code, 0, "{json}");
    let custody = &json["custody"];
    assert_eq!(custody["recipient"], "S-021");
    assert_eq!(custody["recipient_matches"], true);
    assert_eq!(custody["scans"][0]["data_structure"], "001");
    assert_eq!(custody["scans"][0]["value"], "W123426000912");
    assert_eq!(custody["infuse_by"], "2026-12-05T15:00:00+01:00");
    assert_eq!(custody["minutes_since_thaw"], 20);
    let record: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&log)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        record["input"]["scan"], "=W12342600091200\n=<S1234V01\n=<S1234V02",
        "the scans as typed"
    );
    assert_eq!(record["input"]["thawed-at"], "2026-12-05T14:30:00+01:00");
    // A dispensing log: the same columns, scans separated by ';'.
    let csv = dir.join("log.csv");
    std::fs::write(&csv, format!(
        "protocol,weight,product,patient,scan,thawed_at,infusion_start\nDEMO-CART-THAW,100kg,{product},S-021,=W12342600091200;=<S1234V01;=<S1234V02,2026-12-05T14:30:00+01:00,2026-12-05T14:50:00+01:00\nDEMO-CART-THAW,100kg,{product},S-022,=W12342600091200;=<S1234V01;=<S1234V02,2026-12-05T14:30:00+01:00,2026-12-05T15:05:00+01:00\nDEMO-CART-THAW,100kg,{product},,,,\n"
    )).unwrap();
    let (code, stdout, _) = run(&[
        "--protocol-file",
        &protocol,
        "batch",
        "--input",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows[0]["verdict"], "within");
    assert_eq!(rows[1]["verdict"], "outside");
    let findings = rows[1]["findings"].to_string();
    assert!(
        findings.contains("wrong-recipient") && findings.contains("thaw-window-exceeded"),
        "{findings}"
    );
    assert!(
        rows[2]["error"]
            .as_str()
            .unwrap()
            .contains("patient: product CART-AUTO-0912 was made for one patient"),
        "{}",
        rows[2]
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn prepare_chooses_the_bags_and_judges_the_chain_of_the_bags_it_chose() {
    let protocol = format!("{ROOT}/protocols/car-t-thaw.toml");
    let product = format!("{ROOT}/products/car-t-autologous.toml");
    let prepare = |scans: &[&str]| {
        let mut args = vec![
            "--protocol-file",
            &protocol,
            "prepare",
            "--protocol",
            "DEMO-CART-THAW",
            "--weight",
            "80kg",
            "--product",
            &product,
            "--patient",
            "S-021",
            "--thawed-at",
            "2026-12-05T14:30:00+01:00",
            "--infusion-start",
            "2026-12-05T14:45:00+01:00",
        ];
        for scan in scans {
            args.extend(["--scan", scan]);
        }
        run(&args)
    };
    let (code, stdout, _) = prepare(&["=W12342600091200", "=<S1234V01", "=<S1234V02"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("bag 1 whole (70 mL), then 41.8 mL of bag 2"),
        "{stdout}"
    );
    // Both bags are chosen; only the first was scanned.
    let (code, stdout, _) = prepare(&["=W12342600091200", "=<S1234V01"]);
    assert_eq!(code, 3, "{stdout}");
    assert!(
        stdout.contains("soft  bag-not-scanned: bag 2 was not scanned"),
        "{stdout}"
    );
}

#[test]
fn a_count_given_without_its_product_is_held_to_the_protocols_thaw_clock_too() {
    let protocol = format!("{ROOT}/protocols/car-t-thaw.toml");
    let count = |extra: &[&str]| {
        let mut args = vec![
            "--protocol-file",
            &protocol,
            "check",
            "--protocol",
            "DEMO-CART-THAW",
            "--weight",
            "100kg",
            "--cells",
            "2e8",
        ];
        args.extend(extra);
        run(&args)
    };
    let (code, stdout, _) = count(&[]);
    assert_eq!(code, 3, "{stdout}");
    assert!(stdout.contains("soft  thaw-time-not-stated"), "{stdout}");
    let (code, stdout, _) = count(&[
        "--thawed-at",
        "2026-12-05T14:30:00+01:00",
        "--infusion-start",
        "2026-12-05T14:55:00+01:00",
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("info  infuse-by: start the infusion by 2026-12-05T15:00:00+01:00"));
    let (code, stdout, _) = count(&[
        "--thawed-at",
        "2026-12-05T14:30:00+01:00",
        "--infusion-start",
        "2026-12-05T15:01:00+01:00",
    ]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("Verdict:          THAW WINDOW EXCEEDED: do not infuse"),
        "{stdout}"
    );
    // A protocol with no thaw limit: thaw times without a product have nothing to be held to.
    let (code, _, stderr) = run(&[
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
        "--thawed-at",
        "2026-12-05T14:30:00+01:00",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("apply to the bags of a product file"),
        "{stderr}"
    );
}
