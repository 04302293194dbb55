//! Every dose shape a protocol file can state, from the example files in `examples/protocols/`,
//! with golden results worked by hand and the edges of every limit.

use celldose::{DoseChoice, DoseRequest, FindingCode, Protocol, Rounding, Severity, Verdict};

use crate::{hard_codes, text};

/// The example protocol `name` from `examples/protocols/`.
pub fn example(name: &str) -> Protocol {
    let path = format!("{}/examples/protocols/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    Protocol::from_toml(name, &text).unwrap()
}

fn request(arm: Option<&str>, choice: &str, weight: &str) -> DoseRequest {
    let choice = match choice {
        "" => DoseChoice::ArmDose,
        level if level.starts_with("level ") => DoseChoice::Level(level[6..].parse().unwrap()),
        dose => DoseChoice::Explicit(dose.parse().unwrap()),
    };
    let request = DoseRequest::new(weight.parse().unwrap(), choice, Rounding::HalfAwayFromZero);
    match arm {
        Some(arm) => request.with_arm(arm),
        None => request,
    }
}

fn codes(findings: &[celldose::Finding], severity: Severity) -> Vec<FindingCode> {
    findings
        .iter()
        .filter(|f| f.severity() == severity)
        .map(|f| f.code())
        .collect()
}

#[test]
fn per_kg_point_with_repeated_infusions() {
    let p = example("per-kg-point.toml");
    let c = p.calculate(&request(None, "", "70kg")).unwrap();
    assert_eq!(text(c.cells()), "70000000");
    assert_eq!(text(c.total_cells()), "210000000", "three infusions");
    assert_eq!(c.per_infusion(), celldose::Stated::Value(true));
    assert_eq!(c.verdict(), Verdict::Within);
}

#[test]
fn per_kg_range_edges() {
    let p = example("per-kg-range.toml");
    let c = p.calculate(&request(None, "", "60kg")).unwrap();
    assert_eq!(
        (text(c.min_cells()), text(c.max_cells()), text(c.cells())),
        ("30000000".into(), "60000000".into(), "-".into())
    );
    for (dose, expected) in [
        ("499999.999/kg", vec![FindingCode::DoseBelowProtocolMinimum]),
        ("500000/kg", vec![]),
        ("1000000/kg", vec![]),
        (
            "1000000.001/kg",
            vec![FindingCode::DoseAboveProtocolMaximum],
        ),
    ] {
        let c = p.calculate(&request(None, dose, "60kg")).unwrap();
        assert_eq!(hard_codes(c.findings()), expected, "{dose}");
    }
}

#[test]
fn flat_point_is_the_same_for_every_weight() {
    let p = example("flat-point.toml");
    for weight in ["3kg", "70kg", "160lb", "250kg"] {
        let c = p.calculate(&request(None, "", weight)).unwrap();
        assert_eq!(text(c.cells()), "150000000", "{weight}");
    }
    let c = p.calculate(&request(None, "1.6e8", "70kg")).unwrap();
    assert_eq!(
        hard_codes(c.findings()),
        vec![FindingCode::DoseNotAProtocolDose]
    );
}

#[test]
fn flat_range_edges_for_doses_and_deliveries() {
    let p = example("flat-range.toml");
    for (dose, expected) in [
        ("99999999", vec![FindingCode::DoseBelowProtocolMinimum]),
        ("100000000", vec![]),
        ("200000000", vec![]),
        ("200000001", vec![FindingCode::DoseAboveProtocolMaximum]),
    ] {
        let c = p.calculate(&request(None, dose, "70kg")).unwrap();
        assert_eq!(hard_codes(c.findings()), expected, "{dose}");
    }
    for (cells, expected) in [
        ("99999999", vec![FindingCode::DeliveredBelowProtocolMinimum]),
        ("100000000", vec![]),
        ("200000000", vec![]),
        (
            "200000001",
            vec![FindingCode::DeliveredAboveProtocolMaximum],
        ),
    ] {
        let check = p
            .check(&request(None, "", "70kg"), cells.parse().unwrap(), None)
            .unwrap();
        assert_eq!(hard_codes(check.findings()), expected, "{cells}");
    }
}

#[test]
fn a_cap_that_just_binds_is_reported_and_applied() {
    let p = example("per-kg-capped.toml");
    // 2e6/kg: 49.999999 kg gives 99,999,998; 50 kg exactly 1e8 (the cap, not binding);
    // 50.000001 kg would give 100,000,002, so the cap binds.
    let table = [
        ("49.999999kg", "99999998", false),
        ("50kg", "100000000", false),
        ("50.000001kg", "100000000", true),
        ("120kg", "100000000", true),
    ];
    for (weight, cells, binds) in table {
        let c = p.calculate(&request(None, "", weight)).unwrap();
        assert_eq!(text(c.cells()), cells, "{weight}");
        assert_eq!(
            codes(c.findings(), Severity::Info).contains(&FindingCode::CapBinds),
            binds,
            "{weight}"
        );
        assert_eq!(text(c.max_cells()), "100000000");
        assert_eq!(c.verdict(), Verdict::Within);
    }
    let c = p.calculate(&request(None, "", "120kg")).unwrap();
    assert_eq!(
        text(c.cells_per_kg()),
        "833333.33/kg",
        "what the patient receives per kg"
    );
    assert_eq!(
        c.findings()[0].message(celldose::human::Notation::Ascii),
        "weight x dose comes to 240,000,000 cells (2.4 x 10^8), above the protocol's maximum total of 100,000,000 cells (1 x 10^8), so the maximum total is the dose"
    );
    // A delivered count above the cap is outside, however it was computed.
    let check = p
        .check(
            &request(None, "", "120kg"),
            "100000001".parse().unwrap(),
            Some("10%".parse().unwrap()),
        )
        .unwrap();
    assert_eq!(
        hard_codes(check.findings()),
        vec![FindingCode::DeliveredAboveProtocolMaximum]
    );
    // A total asked for explicitly above the cap is outside, not capped.
    let c = p.calculate(&request(None, "1.2e8", "120kg")).unwrap();
    assert_eq!(
        hard_codes(c.findings()),
        vec![FindingCode::DoseAboveProtocolMaximum]
    );
}

#[test]
fn weight_bands_on_both_sides_of_the_edge() {
    let p = example("weight-bands.toml");
    let table = [
        ("39.99kg", "at most 40 kg", "99975000", false),
        ("40kg", "at most 40 kg", "100000000", false),
        ("40000g", "at most 40 kg", "100000000", false),
        ("40.01kg", "above 40 kg", "80020000", false),
        ("80kg", "above 40 kg", "160000000", false),
        ("80.01kg", "above 40 kg", "160000000", true),
    ];
    for (weight, band, cells, binds) in table {
        let c = p.calculate(&request(None, "", weight)).unwrap();
        assert_eq!(
            c.band().map(|b| b.to_string()).as_deref(),
            Some(band),
            "{weight}"
        );
        assert_eq!(text(c.cells()), cells, "{weight}");
        assert_eq!(
            codes(c.findings(), Severity::Info).contains(&FindingCode::CapBinds),
            binds,
            "{weight}"
        );
        assert_eq!(c.verdict(), Verdict::Within, "{weight}");
    }
    // The eligibility window (at least 10 kg) still applies beneath the bands.
    let c = p.calculate(&request(None, "", "9.99kg")).unwrap();
    assert_eq!(
        hard_codes(c.findings()),
        vec![FindingCode::WeightOutsideWindow]
    );
}

#[test]
fn a_minimum_dose_just_met() {
    let p = example("minimum-dose.toml");
    let c = p.calculate(&request(None, "", "70kg")).unwrap();
    assert_eq!(
        (text(c.min_cells()), text(c.max_cells()), text(c.cells())),
        ("140000000".into(), "-".into(), "-".into())
    );
    for (dose, expected) in [
        (
            "1999999.999/kg",
            vec![FindingCode::DoseBelowProtocolMinimum],
        ),
        ("2e6/kg", vec![]),
        ("5e6/kg", vec![]),
    ] {
        let c = p.calculate(&request(None, dose, "70kg")).unwrap();
        assert_eq!(hard_codes(c.findings()), expected, "{dose}");
    }
    for (cells, expected) in [
        (
            "139999999",
            vec![FindingCode::DeliveredBelowProtocolMinimum],
        ),
        ("140000000", vec![]),
        ("900000000", vec![]),
    ] {
        let check = p
            .check(&request(None, "", "70kg"), cells.parse().unwrap(), None)
            .unwrap();
        assert_eq!(hard_codes(check.findings()), expected, "{cells}");
    }
}

#[test]
fn placebo_and_active_arms() {
    let p = example("placebo.toml");
    assert_eq!(
        text(
            p.calculate(&request(Some("active"), "", "70kg"))
                .unwrap()
                .cells()
        ),
        "70000000"
    );
    let placebo = p.calculate(&request(Some("placebo"), "", "70kg")).unwrap();
    assert_eq!(text(placebo.cells()), "0");
    assert!(codes(placebo.findings(), Severity::Info).contains(&FindingCode::PlaceboArm));
    let wrong = p
        .calculate(&request(Some("placebo"), "1e6/kg", "70kg"))
        .unwrap();
    assert_eq!(
        hard_codes(wrong.findings()),
        vec![FindingCode::CellsInPlaceboArm]
    );
    assert!(
        p.calculate(&request(None, "", "70kg")).is_err(),
        "the arms differ, so one must be named"
    );
}

#[test]
fn numbered_levels_in_named_arms() {
    let p = example("levels-and-arms.toml");
    assert_eq!(
        text(
            p.calculate(&request(Some("adults"), "level 3", "70kg"))
                .unwrap()
                .cells()
        ),
        "100000000"
    );
    assert_eq!(
        text(
            p.calculate(&request(Some("adolescents"), "level 2", "50kg"))
                .unwrap()
                .cells()
        ),
        "100000000"
    );
    let error = p
        .calculate(&request(Some("adolescents"), "level 3", "50kg"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "protocol DEMO-LEVELS arm adolescents has no dose level 3; choose a level (its levels are 1 and 2) or give one of those doses"
    );
    let young = p
        .calculate(&request(Some("adults"), "level 1", "50kg").with_age("11".parse().unwrap()))
        .unwrap();
    assert_eq!(
        hard_codes(young.findings()),
        vec![FindingCode::AgeOutsideWindow]
    );
}

#[test]
fn tolerance_bands_for_deliveries() {
    let p = example("tolerance.toml");
    // 70 kg × 1e6/kg = 70,000,000: soft 10 % is 63e6 to 77e6, hard 20 % is 56e6 to 84e6.
    let table = [
        ("63000000", Verdict::Within),
        ("62999999", Verdict::Review),
        ("77000001", Verdict::Review),
        ("56000000", Verdict::Review),
        ("84000000", Verdict::Review),
        ("55999999", Verdict::Outside),
        ("84000001", Verdict::Outside),
    ];
    for (cells, verdict) in table {
        let check = p
            .check(&request(None, "", "70kg"), cells.parse().unwrap(), None)
            .unwrap();
        assert_eq!(check.verdict(), verdict, "{cells}");
    }
    let soft = p
        .check(&request(None, "", "70kg"), "6e7".parse().unwrap(), None)
        .unwrap();
    assert_eq!(
        soft.findings()
            .map(|f| (f.severity(), f.code()))
            .collect::<Vec<_>>(),
        vec![(Severity::Soft, FindingCode::DeliveredPastSoftTolerance)]
    );
    let error = p
        .check(
            &request(None, "", "70kg"),
            "6e7".parse().unwrap(),
            Some("5%".parse().unwrap()),
        )
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "protocol DEMO-TOLERANCE states its own tolerance (soft 10%, hard 20%), so a tolerance of 5% cannot be given as well"
    );
}

#[test]
fn soft_findings_need_a_reason_and_hard_ones_cannot_be_acknowledged() {
    let p = example("tolerance.toml");
    let acknowledged = request(None, "", "70kg")
        .with_acknowledgement("product 14 % short; investigator approved")
        .unwrap();
    let soft = p
        .check(&acknowledged, "6e7".parse().unwrap(), None)
        .unwrap();
    assert_eq!(soft.verdict(), Verdict::Within);
    assert_eq!(
        soft.calculation().acknowledgement(),
        Some("product 14 % short; investigator approved")
    );
    let hard = p
        .check(&acknowledged, "5e7".parse().unwrap(), None)
        .unwrap();
    assert_eq!(hard.verdict(), Verdict::Outside);
    assert!(request(None, "", "70kg").with_acknowledgement(" ").is_err());
}

#[test]
fn tolerance_bands_for_explicit_doses() {
    let p = example("tolerance.toml");
    for (dose, verdict) in [
        ("1.1e6/kg", Verdict::Within),
        ("1.15e6/kg", Verdict::Review),
        ("1.2e6/kg", Verdict::Review),
        ("1.3e6/kg", Verdict::Outside),
        ("0.85e6/kg", Verdict::Review),
    ] {
        let c = p.calculate(&request(None, dose, "70kg")).unwrap();
        assert_eq!(c.verdict(), verdict, "{dose}");
    }
}

#[test]
fn an_explicit_total_at_or_above_a_cap() {
    let p = example("per-kg-capped.toml");
    // A total equal to the cap is not above it; it is still not the stated per-kg dose.
    let at_cap = p.calculate(&request(None, "1e8", "120kg")).unwrap();
    assert_eq!(
        hard_codes(at_cap.findings()),
        vec![FindingCode::DoseNotAProtocolDose]
    );
    let above = p.calculate(&request(None, "100000001", "120kg")).unwrap();
    assert_eq!(
        hard_codes(above.findings()),
        vec![FindingCode::DoseAboveProtocolMaximum]
    );
}

#[test]
fn tolerance_messages_say_what_follows() {
    let p = example("tolerance.toml");
    let message = |cells: &str| {
        let check = p
            .check(&request(None, "", "70kg"), cells.parse().unwrap(), None)
            .unwrap();
        check
            .findings()
            .map(|f| f.message(celldose::human::Notation::Ascii).into_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        message("6e7"),
        [
            "delivered 60,000,000 cells (6 x 10^7) is 14.29% below the target 70,000,000 cells (7 x 10^7), past the soft tolerance of 10%: it needs an acknowledgement with a reason"
        ]
    );
    assert_eq!(
        message("9e7"),
        [
            "delivered 90,000,000 cells (9 x 10^7) is 28.57% above the target 70,000,000 cells (7 x 10^7), past the hard tolerance of 20%: it is refused"
        ]
    );
}
