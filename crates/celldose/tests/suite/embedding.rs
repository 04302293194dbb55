//! What an embedder relies on: results stored and read back, the worst finding found by `max()`,
//! loading files with the command line's protections, judging a stored calculation, typed values
//! in and out, and refusals to match on.

use celldose::{FindingCode, Severity, Verdict};

use super::calc;

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
