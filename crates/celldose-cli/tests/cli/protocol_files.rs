//! `--protocol-file` on every command, `celldose validate`, acknowledgements and provenance.

use std::path::PathBuf;

use crate::{run, run_json};

fn example(name: &str) -> String {
    format!(
        "{}/../../examples/protocols/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// A scratch directory for files a test writes.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("celldose-cli-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_protocol_file_works_with_every_command() {
    let bands = example("weight-bands.toml");
    let (code, stdout, _) = run(&["--protocol-file", &bands, "protocols"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("DEMO-BANDS  Demonstration: weight bands with a cap"),
        "{stdout}"
    );
    let (code, stdout, _) = run(&["show", "demo-bands", "--protocol-file", &bands]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("weight at most 40 kg: dose 2,500,000 cells/kg"),
        "{stdout}"
    );
    let (code, json) = run_json(&[
        "dose",
        "--protocol-file",
        &bands,
        "--protocol",
        "DEMO-BANDS",
        "--weight",
        "40kg",
    ]);
    assert_eq!((code, json["cells"].as_str()), (0, Some("100000000")));
    let (code, json) = run_json(&[
        "check",
        "--protocol-file",
        &bands,
        "--protocol",
        "DEMO-BANDS",
        "--weight",
        "40.01kg",
        "--cells",
        "8e7",
        "--tolerance",
        "5%",
    ]);
    assert_eq!(
        (code, json["deviation_percent"].as_str()),
        (0, Some("-0.02"))
    );
    let (code, stdout, _) = run(&[
        "validate",
        "--protocol-file",
        &bands,
        &example("tolerance.toml"),
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.ends_with("2 valid, 0 invalid\n"), "{stdout}");
}

#[test]
fn both_sides_of_a_band_edge_and_a_cap_that_binds() {
    let bands = example("weight-bands.toml");
    let at = |weight: &str| {
        run_json(&[
            "dose",
            "--protocol-file",
            &bands,
            "--protocol",
            "DEMO-BANDS",
            "--weight",
            weight,
        ])
        .1
    };
    let at_edge = at("40kg");
    assert_eq!(
        (at_edge["band"].as_str(), at_edge["cells"].as_str()),
        (Some("at most 40 kg"), Some("100000000"))
    );
    let above = at("40.01kg");
    assert_eq!(
        (above["band"].as_str(), above["cells"].as_str()),
        (Some("above 40 kg"), Some("80020000"))
    );
    let heavy = at("95kg");
    assert_eq!(
        (heavy["cells"].as_str(), heavy["max_total_cells"].as_str()),
        (Some("160000000"), Some("160000000"))
    );
    assert_eq!(heavy["findings"][0]["code"], "cap-binds");
}

#[test]
fn an_id_defined_twice_is_refused() {
    let dir = scratch("twice");
    let clash = dir.join("clash.toml");
    let text = std::fs::read_to_string(example("flat-point.toml"))
        .unwrap()
        .replace("DEMO-FLAT-POINT", "nct07276568");
    std::fs::write(&clash, text).unwrap();
    let clash = clash.display().to_string();
    let (code, stdout, stderr) = run(&["--protocol-file", &clash, "protocols"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert_eq!(
        stderr.trim_end(),
        format!(
            "celldose: protocol file {clash}: protocol id nct07276568 from {clash} is already defined by built-in:NCT07276568; each protocol needs its own id, and one definition never replaces another"
        )
    );
    let flat = example("flat-point.toml");
    let (code, _, stderr) = run(&[
        "--protocol-file",
        &flat,
        "--protocol-file",
        &flat,
        "protocols",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is already defined by"), "{stderr}");
}

#[test]
fn validate_reports_every_file_and_exits_2_on_any_invalid_one() {
    let dir = scratch("validate");
    let text = std::fs::read_to_string(example("weight-bands.toml"))
        .unwrap()
        .replace("above = \"40 kg\"", "above = \"41 kg\"");
    std::fs::write(dir.join("gap.toml"), text).unwrap();
    let output = assert_cmd::Command::cargo_bin("celldose")
        .unwrap()
        .current_dir(&dir)
        .args(["validate", "gap.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stdout = String::from_utf8(output.stdout).unwrap();
    // The example on docs/protocol-format.md, exactly.
    let page = std::fs::read_to_string(format!(
        "{}/../../docs/protocol-format.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let shown = page
        .split("$ celldose validate gap.toml\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    assert_eq!(stdout, shown);

    let (code, json) = run_json(&[
        "validate",
        &example("per-kg-range.toml"),
        &dir.join("missing.toml").display().to_string(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(json["valid"], 1);
    assert_eq!(json["invalid"], 1);
    assert!(
        json["files"][1]["error"]
            .as_str()
            .unwrap()
            .contains("cannot be read")
    );
}

#[test]
fn a_soft_finding_is_review_until_acknowledged_and_a_hard_one_stays_outside() {
    let tolerance = example("tolerance.toml");
    let base = [
        "check",
        "--protocol-file",
        &tolerance,
        "--protocol",
        "DEMO-TOLERANCE",
        "--weight",
        "70kg",
    ];
    let (code, stdout, _) = run(&[&base[..], &["--cells", "6e7"]].concat());
    assert_eq!(code, 3);
    assert!(
        stdout.contains("Verdict:          REVIEW: inside the protocol but past a soft limit"),
        "{stdout}"
    );
    let reason = "product 14 % short; investigator approved";
    let (code, json) =
        run_json(&[&base[..], &["--cells", "6e7", "--acknowledge", reason]].concat());
    assert_eq!(code, 0);
    assert_eq!(json["verdict"], "within");
    assert_eq!(json["acknowledgement"], reason);
    assert_eq!(json["findings"][0]["severity"], "soft");
    let (code, json) =
        run_json(&[&base[..], &["--cells", "5e7", "--acknowledge", reason]].concat());
    assert_eq!((code, json["verdict"].as_str()), (1, Some("outside")));
    let (code, stdout, stderr) =
        run(&[&base[..], &["--cells", "6e7", "--acknowledge", " "]].concat());
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(
        stderr.starts_with("celldose: --acknowledge: an acknowledgement needs a reason"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&[&base[..], &["--cells", "6e7", "--tolerance", "5%"]].concat());
    assert_eq!(code, 2);
    assert!(stderr.contains("states its own tolerance"), "{stderr}");
}

#[test]
fn results_name_the_sha256_of_the_definition() {
    let capped = example("per-kg-capped.toml");
    let (_, json) = run_json(&[
        "dose",
        "--protocol-file",
        &capped,
        "--protocol",
        "DEMO-CAPPED",
        "--weight",
        "60kg",
    ]);
    let sha = std::process::Command::new("sha256sum")
        .arg(&capped)
        .output()
        .unwrap();
    let sha = String::from_utf8(sha.stdout).unwrap();
    assert_eq!(
        json["protocol_sha256"].as_str(),
        sha.split_whitespace().next()
    );
    assert_eq!(json["protocol_version"], "amendment 3, cap added");
    let (_, stdout, _) = run(&[
        "dose",
        "--protocol-file",
        &capped,
        "--protocol",
        "DEMO-CAPPED",
        "--weight",
        "60kg",
    ]);
    assert!(stdout.contains(&format!(
        "Definition:       sha256 {}",
        json["protocol_sha256"].as_str().unwrap()
    )));
}
