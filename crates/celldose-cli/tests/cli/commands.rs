//! Every command, both formats, every exit code, every built-in protocol, arm and level.

use serde_json::Value;

use crate::{run, run_json};

const DOSE_FIELDS: [&str; 10] = [
    "protocol",
    "arm",
    "level",
    "weight_kg",
    "cells",
    "cells_per_kg",
    "min_cells",
    "max_cells",
    "verdict",
    "findings",
];
const CHECK_FIELDS: [&str; 3] = ["actual_cells", "actual_cells_per_kg", "deviation_percent"];

/// Every (protocol, arm, level-or-empty) the built-in data offers, from `celldose protocols`.
fn every_choice() -> Vec<(String, String, Option<u32>, bool)> {
    let (code, list) = run_json(&["protocols"]);
    assert_eq!(code, 0);
    let mut choices = Vec::new();
    for protocol in list["protocols"].as_array().unwrap() {
        let id = protocol["id"].as_str().unwrap().to_owned();
        for arm in protocol["arms"].as_array().unwrap() {
            let arm_id = arm["id"].as_str().unwrap().to_owned();
            for level in arm["levels"].as_array().unwrap() {
                choices.push((
                    id.clone(),
                    arm_id.clone(),
                    Some(level["number"].as_u64().unwrap() as u32),
                    false,
                ));
            }
            if !arm["rule"].is_null() {
                let placebo = arm["rule"]["kind"] == "no-cells";
                choices.push((id.clone(), arm_id.clone(), None, placebo));
            }
        }
    }
    choices
}

#[test]
fn every_protocol_arm_and_level_in_both_formats() {
    let choices = every_choice();
    assert_eq!(choices.len(), 4 * 2 + 4 * 2 + 2 + 4 + 2, "{choices:?}");
    for (protocol, arm, level, _) in &choices {
        let level_text = level.map(|l| l.to_string());
        let mut args = vec![
            "dose",
            "--protocol",
            protocol,
            "--arm",
            arm,
            "--weight",
            "72.5kg",
            "--age",
            "45",
        ];
        if let Some(level) = &level_text {
            args.extend(["--level", level]);
        }
        // Above an escalation start the safety review must be acknowledged first.
        let gated = matches!((protocol.as_str(), level), ("NCT05227846", Some(2..)));
        if gated {
            args.extend(["--acknowledge", "safety review passed"]);
        }
        let (code, stdout, stderr) = run(&args);
        if level.is_none() && protocol == "NCT07276568"
            || level.is_none() && protocol == "NCT01218464" && arm == "msc"
        {
            // A range with no dose chosen: the range for this patient, no verdict on a dose.
            assert_eq!(code, 4, "{args:?}: {stderr}");
            assert!(
                stdout.contains("Verdict:          NO DOSE CHOSEN"),
                "{stdout}"
            );
            continue;
        }
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(
            stdout.contains("Verdict:          WITHIN the protocol"),
            "{stdout}"
        );
        assert!(stderr.is_empty());

        let (code, json) = run_json(&args);
        assert_eq!(code, 0);
        for field in DOSE_FIELDS {
            assert!(json.get(field).is_some(), "{field} missing for {args:?}");
        }
        assert_eq!(json["protocol"], protocol.as_str());
        assert_eq!(json["arm"], arm.as_str());
        assert_eq!(json["verdict"], "within");
        assert_eq!(json["weight_kg"], "72.5");
        if let Some(level) = level {
            assert_eq!(json["level"], *level);
        }
        for field in ["cells", "cells_per_kg", "min_cells", "max_cells"] {
            assert!(
                json[field].is_string() || json[field].is_null(),
                "{field} is {}",
                json[field]
            );
        }
    }
}

#[test]
fn golden_doses_through_the_binary() {
    let cases: [(&[&str], &str, Value, Value); 5] = [
        (
            &[
                "--protocol",
                "NCT07276568",
                "--arm",
                "alf",
                "--level",
                "1",
                "--weight",
                "72.5kg",
            ],
            "1160000000",
            "1160000000".into(),
            "12325000000".into(),
        ),
        (
            &[
                "--protocol",
                "NCT05727722",
                "--arm",
                "clf",
                "--level",
                "4",
                "--weight",
                "70kg",
                "--age",
                "65",
            ],
            "4500000000",
            Value::Null,
            Value::Null,
        ),
        (
            &[
                "--protocol",
                "NCT01218464",
                "--arm",
                "msc",
                "--dose",
                "0.75e6/kg",
                "--weight",
                "60kg",
            ],
            "45000000",
            "30000000".into(),
            "60000000".into(),
        ),
        (
            &[
                "--protocol",
                "NCT05227846",
                "--level",
                "2",
                "--weight",
                "160lb",
            ],
            "100000000",
            Value::Null,
            Value::Null,
        ),
        (
            &[
                "--protocol",
                "NCT06167473",
                "--arm",
                "medium-high-dose",
                "--weight",
                "72500g",
            ],
            "217500000",
            Value::Null,
            Value::Null,
        ),
    ];
    for (args, cells, min, max) in cases {
        let mut all = vec!["dose"];
        all.extend_from_slice(args);
        let gated = all.windows(2).any(|w| w == ["--protocol", "NCT05227846"])
            && !all.windows(2).any(|w| w == ["--level", "1"]);
        if gated {
            all.extend(["--acknowledge", "safety review passed"]);
        }
        let (code, json) = run_json(&all);
        let expected = if json["cells"].is_null() { 4 } else { 0 };
        assert_eq!(code, expected, "{all:?}");
        assert_eq!(json["cells"], cells, "{all:?}");
        assert_eq!(json["min_cells"], min, "{all:?}");
        assert_eq!(json["max_cells"], max, "{all:?}");
    }
}

#[test]
fn text_output_is_what_a_pharmacist_reads() {
    let (code, stdout, _) = run(&[
        "dose",
        "--protocol",
        "nct07276568",
        "--arm",
        "ALF",
        "--level",
        "1",
        "--weight",
        "160lb",
    ]);
    assert_eq!(code, 0);
    for expected in [
        "NCT07276568, arm alf, level 1",
        "Cells to give:    1,161,196,468 cells (1.161196468 × 10⁹)",
        "Exact amount:     1,161,196,467.2 cells (1.1611964672 × 10⁹), rounded half-away-from-zero",
        "Dose per kg:      16,000,000 cells/kg (1.6 × 10⁷ cells/kg)",
        "Weight used:      72.5747792 kg (entered as 160 lb)",
        "Verdict:          WITHIN the protocol",
        "info  rounded-inside-limit:",
    ] {
        assert!(stdout.contains(expected), "{expected:?} not in\n{stdout}");
    }
    let (_, ascii, _) = run(&[
        "dose",
        "--protocol",
        "NCT07276568",
        "--level",
        "1",
        "--weight",
        "160lb",
        "--ascii",
    ]);
    assert!(ascii.is_ascii(), "{ascii}");
    assert!(ascii.contains("1,161,196,468 cells (1.161196468 x 10^9)"));
    for banned in [" u ", " cc", "µg", "mcg", ".0 "] {
        assert!(
            !stdout.contains(banned) && !ascii.contains(banned),
            "{banned:?}"
        );
    }
}

#[test]
fn outside_is_exit_1_and_says_so() {
    let args = [
        "dose",
        "--protocol",
        "NCT05727722",
        "--arm",
        "clf",
        "--level",
        "1",
        "--weight",
        "40kg",
        "--age",
        "30",
    ];
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 1);
    assert!(stderr.is_empty());
    assert!(
        stdout.contains("Verdict:          OUTSIDE the protocol: do not dispense"),
        "{stdout}"
    );
    assert!(
        stdout.contains("hard  weight-outside-window: body weight 40 kg is not above 40 kg"),
        "{stdout}"
    );
    let (code, json) = run_json(&args);
    assert_eq!(code, 1);
    assert_eq!(json["verdict"], "outside");
    assert_eq!(json["findings"][0]["severity"], "hard");
    assert_eq!(json["findings"][0]["code"], "weight-outside-window");
}

#[test]
fn check_in_both_formats_and_every_exit_code() {
    let base = [
        "check",
        "--protocol",
        "NCT07276568",
        "--arm",
        "alf",
        "--level",
        "1",
        "--weight",
        "72.5kg",
    ];
    let within = [&base[..], &["--cells", "1.2e9", "--tolerance", "10%"]].concat();
    let (code, json) = run_json(&within);
    assert_eq!(code, 0);
    for field in DOSE_FIELDS.iter().chain(&CHECK_FIELDS) {
        assert!(json.get(*field).is_some(), "{field} missing");
    }
    assert_eq!(json["actual_cells"], "1200000000");
    assert_eq!(json["actual_cells_per_kg"], "16551724.14");
    assert_eq!(json["deviation_percent"], "3.45");
    let (code, stdout, _) = run(&within);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("Deviation:        +3.45% from the target (tolerance 10%)"),
        "{stdout}"
    );

    let outside = [&base[..], &["--cells", "1.5e9", "--tolerance", "10%"]].concat();
    let (code, json) = run_json(&outside);
    assert_eq!(code, 1);
    assert_eq!(json["findings"][0]["code"], "delivered-outside-tolerance");

    let refused = [&base[..], &["--cells", "1.2e9"]].concat();
    let (code, stdout, stderr) = run(&refused);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.starts_with("celldose: checking a delivered count against the single dose"),
        "{stderr}"
    );
}

#[test]
fn protocols_and_show_in_both_formats() {
    let (code, stdout, _) = run(&["protocols"]);
    assert_eq!(code, 0);
    for id in [
        "NCT07276568",
        "NCT05727722",
        "NCT01218464",
        "NCT05227846",
        "NCT06167473",
    ] {
        assert!(stdout.contains(id));
        let (code, text, _) = run(&["show", id]);
        assert_eq!(code, 0);
        assert!(text.contains("Dose sentence:"), "{text}");
        let (code, json) = run_json(&["show", &id.to_lowercase()]);
        assert_eq!(code, 0);
        assert_eq!(json["id"], id);
        assert!(
            json["source"]["quote"]
                .as_str()
                .is_some_and(|q| !q.is_empty())
        );
    }
    let (_, json) = run_json(&["show", "NCT05727722"]);
    assert_eq!(json["weight_kg"]["lower"]["value"], "40");
    assert_eq!(json["weight_kg"]["lower"]["inclusive"], false);
    assert_eq!(json["age_years"]["upper"]["inclusive"], true);
}

#[test]
fn range_only_and_placebo() {
    let (code, json) = run_json(&[
        "dose",
        "--protocol",
        "NCT01218464",
        "--arm",
        "msc",
        "--weight",
        "60kg",
    ]);
    // No dose chosen on a range: the range for this patient, and exit 4 rather than a verdict.
    assert_eq!(code, 4);
    assert_eq!(json["verdict"], "no-dose-chosen");
    assert_eq!(json["per_infusion"], Value::Null);
    assert_eq!(json["dose_per_kg"], true);
    assert_eq!(json["cells"], Value::Null);
    assert_eq!(json["min_cells"], "30000000");
    assert_eq!(json["max_cells"], "60000000");
    let (code, json) = run_json(&[
        "dose",
        "--protocol",
        "NCT01218464",
        "--arm",
        "placebo",
        "--weight",
        "60kg",
    ]);
    assert_eq!(code, 0);
    assert_eq!(json["cells"], "0");
    let (code, _) = run_json(&[
        "dose",
        "--protocol",
        "NCT01218464",
        "--arm",
        "placebo",
        "--dose",
        "1e6/kg",
        "--weight",
        "60kg",
    ]);
    assert_eq!(code, 1);
}

#[test]
fn help_documents_the_exit_codes() {
    for args in [&["--help"][..], &["dose", "--help"], &["check", "--help"]] {
        let (code, stdout, _) = run(args);
        assert_eq!(code, 0);
        assert!(
            stdout.contains("Exit codes") && stdout.contains("  2  the request itself is wrong"),
            "{stdout}"
        );
    }
}
