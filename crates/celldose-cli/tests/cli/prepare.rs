//! `celldose prepare`: both formats, every exit code, every built-in protocol, and refusals.

use crate::{run, run_json};

const PRODUCT: [&str; 6] = [
    "--concentration",
    "2.5e6/mL",
    "--viability",
    "96%",
    "--available",
    "50mL",
];

#[test]
fn prepare_in_both_formats() {
    let mut args = vec![
        "prepare",
        "--protocol",
        "NCT06167473",
        "--arm",
        "low-dose",
        "--weight",
        "70kg",
        "--age",
        "50",
        "--tolerance",
        "5%",
    ];
    args.extend(PRODUCT);
    let (code, json) = run_json(&args);
    assert_eq!(code, 0);
    for (field, value) in [
        ("active_cells_per_ml", "2400000"),
        ("volume_ml", "29.2"),
        ("delivered_cells", "70080000"),
        ("delivered_cells_per_kg", "1001142.86"),
        ("deviation_percent", "0.11"),
        ("verdict", "within"),
        ("cells", "70000000"),
    ] {
        assert_eq!(json[field], value, "{field}");
    }
    let (code, stdout, _) = run(&args);
    assert_eq!(code, 0);
    let first = stdout.lines().nth(1).unwrap();
    assert_eq!(
        first, "  Draw:             29.2 mL of product",
        "the volume comes first"
    );
    assert!(
        stdout.contains("Delivers:         70,080,000 cells (7.008 × 10⁷), +0.11% from the target"),
        "{stdout}"
    );
}

#[test]
fn prepare_exit_codes() {
    // A bag too small: outside, 1.
    let (code, json) = run_json(&[
        "prepare",
        "--protocol",
        "NCT05727722",
        "--arm",
        "clf",
        "--level",
        "4",
        "--weight",
        "70kg",
        "--age",
        "50",
        "--concentration",
        "5e7/mL",
        "--viability",
        "90%",
        "--available",
        "68mL",
        "--tolerance",
        "10%",
    ]);
    assert_eq!(
        (code, json["findings"][0]["code"].as_str()),
        (1, Some("volume-above-available"))
    );
    // A protocol tolerance's soft band: review, 3; acknowledged, 0.
    let tolerance = format!(
        "{}/../../examples/protocols/tolerance.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let base = [
        "prepare",
        "--protocol-file",
        &tolerance,
        "--protocol",
        "DEMO-TOLERANCE",
        "--weight",
        "70kg",
        "--concentration",
        "2.5e6/mL",
        "--viability",
        "96%",
        "--available",
        "50mL",
    ];
    let (code, _, _) = run(&[&base[..], &["--step", "4mL"]].concat());
    // 4 mL steps of 9,600,000: 28 mL delivers 67,200,000 (-4 %), inside the soft band.
    assert_eq!(code, 0);
    let (code, json) = run_json(&[&base[..], &["--step", "11mL"]].concat());
    // 11 mL steps of 26,400,000: 70e6 is 2.65 steps; 33 mL delivers 79,200,000 (+13.14 %, past
    // the soft 10 %), 22 mL 52,800,000 (-24.57 %, past the hard 20 %): 33 mL, review.
    assert_eq!(
        (code, json["volume_ml"].as_str(), json["verdict"].as_str()),
        (3, Some("33"), Some("review"))
    );
    let (code, json) = run_json(
        &[
            &base[..],
            &["--step", "11mL", "--acknowledge", "investigator approved"],
        ]
        .concat(),
    );
    assert_eq!((code, json["verdict"].as_str()), (0, Some("within")));
}

#[test]
fn every_built_in_protocol_prepares() {
    for (protocol, arm, choice) in [
        ("NCT07276568", "alf", ["--level", "1"]),
        ("NCT05727722", "clf", ["--level", "2"]),
        ("NCT01218464", "msc", ["--dose", "0.8e6/kg"]),
        ("NCT05227846", "msc", ["--level", "3"]),
        (
            "NCT06167473",
            "medium-high-dose",
            ["--rounding", "half-even"],
        ),
    ] {
        let mut args = vec![
            "prepare",
            "--protocol",
            protocol,
            "--arm",
            arm,
            "--weight",
            "70kg",
            "--age",
            "50",
            "--tolerance",
            "10%",
        ];
        args.extend(choice);
        if protocol == "NCT05227846" && choice != ["--level", "1"] {
            args.extend(["--acknowledge", "cohort opened by the safety review"]);
        }
        args.extend([
            "--concentration",
            "1e8/mL",
            "--viability",
            "90%",
            "--available",
            "500mL",
        ]);
        let (code, json) = run_json(&args);
        assert_eq!(
            (code, json["verdict"].as_str()),
            (0, Some("within")),
            "{protocol}"
        );
        assert!(json["volume_ml"].is_string());
    }
}

#[test]
fn prepare_refusals_exit_2_with_one_line() {
    let base = [
        "prepare",
        "--protocol",
        "NCT06167473",
        "--arm",
        "low-dose",
        "--weight",
        "70kg",
        "--tolerance",
        "5%",
    ];
    let table: [(&[&str], &str); 9] = [
        (
            &[
                "--concentration",
                "0/mL",
                "--viability",
                "96%",
                "--available",
                "50mL",
            ],
            "celldose: --concentration: concentration 0 cells/mL is not above 0 cells/mL; accepted: above 0 cells/mL, up to 1000000000000 cells/mL",
        ),
        (
            &[
                "--concentration",
                "-2e6/mL",
                "--viability",
                "96%",
                "--available",
                "50mL",
            ],
            "celldose: --concentration: concentration -2000000 cells/mL is not above 0 cells/mL; accepted: above 0 cells/mL, up to 1000000000000 cells/mL",
        ),
        (
            &[
                "--concentration",
                "2.5e6",
                "--viability",
                "96%",
                "--available",
                "50mL",
            ],
            "celldose: --concentration: concentration \"2.5e6\" has no unit; write it with one of: cells per mL, L or µL (as in 2.5e6/mL, 2.5e9/L)",
        ),
        (
            &[
                "--concentration",
                "2.5e6/mL",
                "--viability",
                "0%",
                "--available",
                "50mL",
            ],
            "celldose: --viability: viability 0% is not above 0%; accepted: above 0% and at most 100%",
        ),
        (
            &[
                "--concentration",
                "2.5e6/mL",
                "--viability",
                "101%",
                "--available",
                "50mL",
            ],
            "celldose: --viability: percentage 101% is above 100%; accepted: from 0% to 100%",
        ),
        (
            &[
                "--concentration",
                "2.5e6/mL",
                "--viability",
                "96%",
                "--positive",
                "0%",
                "--available",
                "50mL",
            ],
            "celldose: --positive: positive fraction 0% is not above 0%; accepted: above 0% and at most 100%",
        ),
        (
            &[
                "--concentration",
                "2.5e6/mL",
                "--viability",
                "96%",
                "--available",
                "50",
            ],
            "celldose: --available: volume \"50\" has no unit; write it with one of: mL, L or µL (as in 68mL, 0.068L, 250uL)",
        ),
        (
            &[
                "--concentration",
                "2.5e6/mL",
                "--viability",
                "96%",
                "--available",
                "50mL",
                "--step",
                "0mL",
            ],
            "celldose: --step: volume 0 mL is not above 0 mL; accepted: from 0.001 mL to 10,000 mL (1 × 10⁴ mL)",
        ),
        (
            &[
                "--concentration",
                "2.5e6/mL",
                "--viability",
                "96%",
                "--available",
                "50 cc",
            ],
            "celldose: --available: volume \"50 cc\" has unit \"cc\", which is not accepted; write it with one of: mL, L or µL (as in 68mL, 0.068L, 250uL)",
        ),
    ];
    for (extra, message) in table {
        let args = [&base[..], extra].concat();
        let (code, stdout, stderr) = run(&args);
        assert_eq!((code, stdout.as_str()), (2, ""), "{args:?}");
        assert_eq!(stderr.trim_end(), message, "{args:?}");
    }
    let (code, _, stderr) = run(&[
        "prepare",
        "--protocol",
        "NCT01218464",
        "--arm",
        "msc",
        "--weight",
        "60kg",
        "--concentration",
        "2.5e6/mL",
        "--viability",
        "96%",
        "--available",
        "50mL",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("gives a range and no single dose; give a dose to prepare a volume"),
        "{stderr}"
    );
}
