//! What an embedder relies on: results stored and read back, the worst finding found by `max()`,
//! loading files with the command line's protections, judging a stored calculation, typed values
//! in and out, and refusals to match on.

use celldose::{FindingCode, Severity, Verdict};

use super::{calc, catalogue};

#[test]
fn verdicts_severities_and_codes_read_back_from_the_words_output_writes() {
    for code in FindingCode::ALL {
        assert_eq!(code.as_str().parse::<FindingCode>().unwrap(), *code);
        let json = serde_json::to_string(code).unwrap();
        assert_eq!(json, format!("\"{}\"", code.as_str()));
        assert_eq!(serde_json::from_str::<FindingCode>(&json).unwrap(), *code);
    }
    for verdict in [
        Verdict::Within,
        Verdict::Review,
        Verdict::Outside,
        Verdict::NoDoseChosen,
    ] {
        let json = serde_json::to_string(&verdict).unwrap();
        assert_eq!(serde_json::from_str::<Verdict>(&json).unwrap(), verdict);
        assert_eq!(verdict.as_str().parse::<Verdict>().unwrap(), verdict);
    }
    for severity in [Severity::Info, Severity::Soft, Severity::Hard] {
        let json = serde_json::to_string(&severity).unwrap();
        assert_eq!(serde_json::from_str::<Severity>(&json).unwrap(), severity);
    }
    let error = "WITHIN".parse::<Verdict>().unwrap_err();
    assert!(matches!(
        error,
        celldose::Error::UnknownWord {
            what: "verdict",
            ..
        }
    ));
    assert_eq!(
        error.to_string(),
        "verdict \"WITHIN\" is not known; accepted: within, review, outside, no-dose-chosen"
    );
}

#[test]
fn the_worst_finding_is_the_max_of_the_severities() {
    // NCT06167473 at 90 years: a hard age finding beside the info that the infusions are not
    // stated.
    let calculation = calc("NCT06167473", Some("low-dose"), "", "70kg", Some("90"));
    let severities: Vec<Severity> = calculation
        .findings()
        .iter()
        .map(|f| f.severity())
        .collect();
    assert!(severities.contains(&Severity::Info) && severities.contains(&Severity::Hard));
    let worst = calculation.findings().iter().map(|f| f.severity()).max();
    assert_eq!(worst, Some(Severity::Hard));
    assert_eq!(calculation.verdict(), Verdict::Outside);
    assert!(Severity::Info < Severity::Soft && Severity::Soft < Severity::Hard);
}

#[test]
fn files_load_from_disk_with_the_command_lines_protections() {
    use std::path::Path;
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let protocol = celldose::Protocol::from_path(Path::new(&format!(
        "{root}/examples/protocols/tolerance.toml"
    )))
    .unwrap();
    assert_eq!(protocol.id(), "DEMO-TOLERANCE");
    let state =
        celldose::TrialState::from_path(Path::new(&format!("{root}/examples/trial-state.toml")))
            .unwrap();
    let mut built = catalogue();
    built.set_trial_state(state).unwrap();
    // A device, a directory and a file past the bound are refused, naming the file.
    for path in ["/dev/zero", "/dev/null", root] {
        let error = celldose::Protocol::from_path(Path::new(path)).unwrap_err();
        assert!(
            error.to_string().contains("not a regular file"),
            "{path}: {error}"
        );
        assert!(celldose::TrialState::from_path(Path::new(path)).is_err());
    }
    let dir = std::env::temp_dir().join(format!("celldose-from-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("big.toml");
    std::fs::write(&big, vec![b'#'; celldose::regimen::PROTOCOL_MAX_BYTES + 1]).unwrap();
    assert!(
        celldose::Protocol::from_path(&big)
            .unwrap_err()
            .to_string()
            .contains("larger than")
    );
    std::fs::remove_file(&big).unwrap();
    for name in ["tolerance.toml", "weight-bands.toml"] {
        std::fs::copy(format!("{root}/examples/protocols/{name}"), dir.join(name)).unwrap();
    }
    let site = celldose::Catalogue::from_dir(&dir).unwrap();
    let ids: Vec<&str> = site.protocols().iter().map(|p| p.id()).collect();
    assert_eq!(ids, ["DEMO-TOLERANCE", "DEMO-BANDS"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
