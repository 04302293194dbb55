//! Boundary suites: every limit at min−ε, min, min+ε, max−ε, max, max+ε.

use celldose::{FindingCode, Verdict};

use crate::{calc, check, hard_codes};

fn verdict_for_weight(weight: &str) -> (Verdict, Vec<FindingCode>) {
    let c = calc("NCT05727722", Some("clf"), "level 1", weight, Some("30"));
    (c.verdict(), hard_codes(c.findings()))
}

#[test]
fn body_weight_above_40_kg_excludes_40_kg() {
    let outside = (Verdict::Outside, vec![FindingCode::WeightOutsideWindow]);
    let within = (Verdict::Within, vec![]);
    assert_eq!(verdict_for_weight("39.99kg"), outside);
    assert_eq!(verdict_for_weight("40kg"), outside);
    assert_eq!(verdict_for_weight("40000g"), outside);
    assert_eq!(verdict_for_weight("40.000001kg"), within);
    assert_eq!(verdict_for_weight("40.01kg"), within);
    // 88.2 lb = 40.006846... kg, just above; 88.18 lb = 39.9977... kg, just below.
    assert_eq!(verdict_for_weight("88.2lb"), within);
    assert_eq!(verdict_for_weight("88.18lb"), outside);
}

#[test]
fn ages_at_each_edge_of_every_age_window() {
    let windows = [
        ("NCT05727722", Some("clf"), "level 1", 18, 65),
        ("NCT01218464", Some("msc"), "", 18, 70),
        ("NCT05227846", None, "level 1", 18, 75),
        ("NCT06167473", Some("low-dose"), "", 18, 80),
    ];
    for (protocol, arm, choice, low, high) in windows {
        let at = |age: String| {
            let c = calc(protocol, arm, choice, "70kg", Some(&age));
            hard_codes(c.findings())
        };
        // Windows compare completed years: "18 to 65" admits 65.99 and refuses 66.
        let outside = vec![FindingCode::AgeOutsideWindow];
        assert_eq!(at(format!("{}.99", low - 1)), outside, "{protocol}");
        assert_eq!(at(format!("{low}")), vec![], "{protocol}");
        assert_eq!(at(format!("{low}.01")), vec![], "{protocol}");
        assert_eq!(at(format!("{}.99", high - 1)), vec![], "{protocol}");
        assert_eq!(at(format!("{high}")), vec![], "{protocol}");
        assert_eq!(at(format!("{high}.01")), vec![], "{protocol}");
        assert_eq!(at(format!("{high}.99")), vec![], "{protocol}");
        assert_eq!(at(format!("{}", high + 1)), outside, "{protocol}");
    }
}

#[test]
fn an_age_window_without_an_age_is_an_info_finding() {
    let c = calc("NCT05727722", Some("clf"), "level 1", "70kg", None);
    assert_eq!(c.verdict(), Verdict::Within);
    assert!(
        c.findings()
            .iter()
            .any(|f| f.code() == FindingCode::AgeNotChecked)
    );
    // NCT07276568 states no age window, so nothing is said about age.
    let c = calc("NCT07276568", None, "level 1", "70kg", None);
    assert!(
        c.findings()
            .iter()
            .all(|f| f.code() != FindingCode::AgeNotChecked)
    );
}

#[test]
fn per_kg_range_edges_of_nct07276568() {
    // 1.6e7/kg to 1.7e8/kg; ε = 0.001 cells/kg.
    let table = [
        (
            "15999999.999/kg",
            vec![FindingCode::DoseBelowProtocolMinimum],
        ),
        ("16000000/kg", vec![]),
        ("16000000.001/kg", vec![]),
        ("169999999.999/kg", vec![]),
        ("170000000/kg", vec![]),
        (
            "170000000.001/kg",
            vec![FindingCode::DoseAboveProtocolMaximum],
        ),
    ];
    for (dose, expected) in table {
        let c = calc("NCT07276568", Some("alf"), dose, "70kg", None);
        assert_eq!(hard_codes(c.findings()), expected, "{dose}");
    }
}

#[test]
fn per_kg_range_edges_of_nct01218464() {
    let table = [
        ("499999.999/kg", vec![FindingCode::DoseBelowProtocolMinimum]),
        ("500000/kg", vec![]),
        ("500000.001/kg", vec![]),
        ("999999.999/kg", vec![]),
        ("1000000/kg", vec![]),
        (
            "1000000.001/kg",
            vec![FindingCode::DoseAboveProtocolMaximum],
        ),
    ];
    for (dose, expected) in table {
        let c = calc("NCT01218464", Some("msc"), dose, "60kg", None);
        assert_eq!(hard_codes(c.findings()), expected, "{dose}");
    }
}

#[test]
fn delivered_count_edges_of_a_range() {
    // 60 kg: 30,000,000 to 60,000,000 cells, ε = 1 cell.
    let table = [
        ("29999999", vec![FindingCode::DeliveredBelowProtocolMinimum]),
        ("30000000", vec![]),
        ("30000001", vec![]),
        ("59999999", vec![]),
        ("60000000", vec![]),
        ("60000001", vec![FindingCode::DeliveredAboveProtocolMaximum]),
    ];
    for (cells, expected) in table {
        let result = check("NCT01218464", Some("msc"), "", "60kg", cells, None).unwrap();
        assert_eq!(hard_codes(result.findings()), expected, "{cells}");
    }
}

#[test]
fn delivered_count_edges_of_a_tolerance() {
    // 70 kg × 1e6/kg = 70,000,000; ±10 % is 63,000,000 to 77,000,000, both included.
    let table = [
        ("62999999", vec![FindingCode::DeliveredOutsideTolerance]),
        ("63000000", vec![]),
        ("63000001", vec![]),
        ("76999999", vec![]),
        ("77000000", vec![]),
        ("77000001", vec![FindingCode::DeliveredOutsideTolerance]),
    ];
    for (cells, expected) in table {
        let result = check(
            "NCT06167473",
            Some("low-dose"),
            "",
            "70kg",
            cells,
            Some("10%"),
        )
        .unwrap();
        assert_eq!(hard_codes(result.findings()), expected, "{cells}");
    }
    // A zero tolerance accepts only the exact target.
    let exact = check(
        "NCT06167473",
        Some("low-dose"),
        "",
        "70kg",
        "70000000",
        Some("0%"),
    )
    .unwrap();
    assert_eq!(exact.verdict(), Verdict::Within);
    let off = check(
        "NCT06167473",
        Some("low-dose"),
        "",
        "70kg",
        "70000001",
        Some("0%"),
    )
    .unwrap();
    assert_eq!(off.verdict(), Verdict::Outside);
}

#[test]
fn whole_cell_limits_never_lie_outside_the_exact_limits() {
    // 0.3 kg × 0.5e6 = 150,000 exactly; 0.33 kg × 0.5e6 = 165,000; 71.3333 kg gives fractions.
    for weight in ["0.3kg", "0.33kg", "71.3333kg", "160lb", "699.999999kg"] {
        let c = calc("NCT01218464", Some("msc"), "", weight, None);
        let (min, max) = (c.min_cells().unwrap().get(), c.max_cells().unwrap().get());
        assert!(min >= c.exact_min().unwrap().get(), "{weight}");
        assert!(max <= c.exact_max().unwrap().get(), "{weight}");
        assert!(
            min - c.exact_min().unwrap().get() < rust_decimal::Decimal::ONE,
            "{weight}"
        );
    }
}

#[test]
fn window_messages_say_which_edge_and_whether_it_is_included() {
    let message = |protocol: &celldose::Protocol, weight: &str, age: &str| {
        let request = crate::request(None, "", weight, Some(age));
        let c = protocol.calculate(&request).unwrap();
        c.findings()
            .iter()
            .filter(|f| f.severity() == celldose::Severity::Hard)
            .map(|f| f.message(celldose::human::Notation::Ascii).into_owned())
            .collect::<Vec<_>>()
    };
    let text = r#"format = 1
id = "EDGES"
version = "1"
title = "t"
product = "p"
route = "r"

[source]
registry = "none"
record = "EDGES"
quote = "q"

[eligibility]
weight = { above = "40 kg", below = "150 kg" }
age = { at_least = "18 years", at_most = "65 years" }

[[arm]]
id = "all"
name = "All"
regimen = "main"

[[regimen]]
id = "main"
dose = "1e6/kg"
infusions = 1
"#;
    let protocol = celldose::Protocol::from_toml("edges.toml", text).unwrap();
    assert_eq!(
        message(&protocol, "40kg", "30"),
        ["body weight 40 kg is not above 40 kg"]
    );
    assert_eq!(
        message(&protocol, "150kg", "30"),
        ["body weight 150 kg is not below 150 kg"]
    );
    assert_eq!(
        message(&protocol, "70kg", "17"),
        ["age 17 years is below 18 years"]
    );
    assert_eq!(
        message(&protocol, "70kg", "66"),
        ["age 66 years is above 65 years"]
    );
    assert!(message(&protocol, "149.99kg", "65").is_empty());
}

#[test]
fn rounding_is_moved_inside_a_limit_only_when_the_exact_amount_is_inside() {
    use celldose::{DoseChoice, DoseRequest, Rounding};
    let catalogue = crate::catalogue();
    let msc = catalogue.find("NCT01218464").unwrap();
    let at = |dose: &str, rounding: Rounding| {
        let request = DoseRequest::new(
            "160lb".parse().unwrap(),
            DoseChoice::Explicit(dose.parse().unwrap()),
            rounding,
        )
        .with_arm("msc");
        msc.calculate(&request).unwrap()
    };
    let moved = |c: &celldose::Calculation| {
        c.findings()
            .iter()
            .any(|f| f.code() == FindingCode::RoundedInsideLimit)
    };
    // 160 lb × 1e6/kg = 72,574,779.2, exactly the maximum: rounding up would cross it.
    let up = at("1e6/kg", Rounding::Up);
    assert_eq!(
        (crate::text(up.cells()), moved(&up)),
        ("72574779".to_owned(), true)
    );
    let nearest = at("1e6/kg", Rounding::HalfAwayFromZero);
    assert_eq!(
        (crate::text(nearest.cells()), moved(&nearest)),
        ("72574779".to_owned(), false)
    );
    // 160 lb × 0.5e6/kg = 36,287,389.6, exactly the minimum: rounding down would cross it.
    let down = at("0.5e6/kg", Rounding::Down);
    assert_eq!(
        (crate::text(down.cells()), moved(&down)),
        ("36287390".to_owned(), true)
    );
    // A dose outside the range is not moved to the limit: it is reported where it lies.
    let outside = at("0.4e6/kg", Rounding::HalfAwayFromZero);
    assert_eq!(
        (crate::text(outside.cells()), moved(&outside)),
        ("29029912".to_owned(), false)
    );
    assert_eq!(outside.verdict(), Verdict::Outside);
    // A whole target exactly on a limit needs no move.
    let whole = calc("NCT07276568", Some("alf"), "level 1", "72.5kg", None);
    assert!(!moved(&whole));
}

#[test]
fn a_tolerance_on_a_range_is_reported_unused_except_in_a_placebo_arm() {
    let unused = |arm: &str, cells: &str| -> bool {
        let result = check("NCT01218464", Some(arm), "", "60kg", cells, Some("10%")).unwrap();

        result
            .findings()
            .any(|f| f.code() == FindingCode::ToleranceNotUsed)
    };
    assert!(unused("msc", "45000000"));
    assert!(!unused("placebo", "0"));
}
