//! Escalation designs in protocol files and trial states: a protocol names its rule, a trial
//! state records cohort outcomes checked against the protocol. The designs themselves are tested
//! in the celldose-escalation crate.

use celldose::escalation::{Design, Variant};
use rust_decimal::Decimal;

fn cohort_protocol(design_keys: &str) -> celldose::Result<celldose::Protocol> {
    let text = include_str!("../../protocols/nct05227846.toml").replace(
        "condition = \"Proceed from lower dose to next higher dose if no safety concerns for each cohort.\" }",
        &format!("condition = \"Proceed from lower dose to next higher dose if no safety concerns for each cohort.\"{design_keys} }}"),
    );
    celldose::Protocol::from_toml("cohorts.toml", &text)
}

#[test]
fn a_protocol_file_names_its_design() {
    let escalation_of =
        |p: &celldose::Protocol| p.arms()[0].regimen().escalation().cloned().unwrap();
    let plain = cohort_protocol("").unwrap();
    assert_eq!(escalation_of(&plain).design(), None);
    let three = cohort_protocol(", design = \"3+3\"").unwrap();
    assert_eq!(
        escalation_of(&three).design(),
        Some(&Design::ThreePlusThree(Variant::Standard))
    );
    let boin_protocol =
        cohort_protocol(", design = \"boin\", target = \"0.25\", max_n = 24").unwrap();
    let Some(Design::Boin(design)) = escalation_of(&boin_protocol).design().cloned() else {
        panic!("a BOIN design");
    };
    assert_eq!(design.target(), Decimal::new(25, 2));
    assert_eq!(design.max_n(), Some(24));
    let shown = celldose::printout::show(&boin_protocol, celldose::human::Notation::Unicode);
    assert!(
        shown.contains(
            "escalation rule: BOIN, target DLT rate 0.25, cohorts of 3, at most 24 patients"
        ),
        "{shown}"
    );
    assert!(
        !celldose::printout::show(&plain, celldose::human::Notation::Unicode)
            .contains("escalation rule")
    );
    // Written back and read again, the design is the same.
    for protocol in [&three, &boin_protocol, &plain] {
        let again =
            celldose::Protocol::from_toml("again.toml", &protocol.to_toml().unwrap()).unwrap();
        assert_eq!(
            escalation_of(&again).design(),
            escalation_of(protocol).design()
        );
    }
    for (keys, words) in [
        (", design = \"4+4\"", "is not known"),
        (", design = \"boin\"", "needs its target"),
        (
            ", design = \"3+3\", target = \"0.3\"",
            "3+3 takes no target",
        ),
        (", target = \"0.3\"", "without design"),
        (", design = \"boin\", target = \"0.9\"", "0.05 to 0.6"),
        (
            ", design = \"boin\", target = \"0.3\", phi1 = \"0.18\", phi2 = \"0.2\"",
            "BOIN rates",
        ),
        (
            ", design = \"boin\", target = \"0.30001\"",
            "at most 4 decimal places",
        ),
        (
            ", design = \"boin\", target = \"high\"",
            "not a decimal rate",
        ),
    ] {
        let error = cohort_protocol(keys).unwrap_err().to_string();
        assert!(error.contains(words), "{keys}: {error}");
    }
}

#[test]
fn a_trial_state_records_outcomes_checked_against_the_protocol() {
    let state = celldose::TrialState::from_toml(
        "s.toml",
        "format = 1\n[[outcomes]]\nprotocol = \"NCT05227846\"\ncohorts = \"1NNN 2NTN\"\n",
    )
    .unwrap();
    assert_eq!(
        state.outcomes_for("NCT05227846").unwrap().to_string(),
        "1NNN 2NTN"
    );
    assert!(
        state
            .outcomes_for("NCT07276568")
            .unwrap()
            .cohorts()
            .is_empty()
    );
    state.check_against(&crate::catalogue()).unwrap();
    for (text, words) in [
        (
            "[[outcomes]]\nprotocol = \"NCT05227846\"\ncohorts = \"1NNN 9NNN\"\n",
            "no escalation level 9",
        ),
        (
            "[[outcomes]]\nprotocol = \"NCT01218464\"\ncohorts = \"1NNN\"\n",
            "has no escalation",
        ),
    ] {
        let state =
            celldose::TrialState::from_toml("s.toml", &format!("format = 1\n{text}")).unwrap();
        let error = state
            .check_against(&crate::catalogue())
            .unwrap_err()
            .to_string();
        assert!(error.contains(words), "{error}");
    }
    for (text, words) in [
        (
            "[[outcomes]]\nprotocol = \"X\"\ncohorts = \"1NXN\"\n",
            "cohort outcomes",
        ),
        (
            "[[outcomes]]\nprotocol = \"X\"\nlevel = 1\ntreated = 3\n",
            "give the outcomes as",
        ),
        (
            "[[outcomes]]\nprotocol = \"X\"\nlevel = 1\ntreated = 3\ndlt = 4\n",
            "cohort outcome",
        ),
        (
            "[[outcomes]]\nprotocol = \"X\"\ncohorts = \"1NNN\"\nextra = 1\n",
            "unknown field",
        ),
    ] {
        let error = celldose::TrialState::from_toml("s.toml", &format!("format = 1\n{text}"))
            .unwrap_err()
            .to_string();
        assert!(error.contains(words), "{text}: {error}");
    }
}
