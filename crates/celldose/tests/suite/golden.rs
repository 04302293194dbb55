//! Golden vectors, worked by hand from each source record.
//!
//! Longer than most files (some 610 lines) because it holds every source record's vectors with the
//! record's own sentence and the hand arithmetic beside each, so one file answers to the seeds.

use celldose::{FindingCode, Severity, Stated, Verdict};

use crate::{calc, catalogue, check, hard_codes, request, text};

/// (protocol, arm, choice, weight, expected cells, cells/kg, min, max)
type Row = (
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

#[test]
fn every_built_in_arm_and_level() {
    let rows: &[Row] = &[
        // NCT07276568: 1.6 × 10⁷/kg to 1.7 × 10⁸/kg; 72.5 × 1.6e7 = 1.16e9; 72.5 × 1.7e8 = 1.2325e10.
        (
            "NCT07276568",
            Some("alf"),
            "level 1",
            "72.5kg",
            "1160000000",
            "16000000/kg",
            "1160000000",
            "12325000000",
        ),
        (
            "NCT07276568",
            Some("aclf"),
            "level 1",
            "72.5 kg",
            "1160000000",
            "16000000/kg",
            "1160000000",
            "12325000000",
        ),
        (
            "NCT07276568",
            Some("clf"),
            "level 1",
            "72500g",
            "1160000000",
            "16000000/kg",
            "1160000000",
            "12325000000",
        ),
        (
            "NCT07276568",
            Some("sfss"),
            "level 1",
            "72.5kg",
            "1160000000",
            "16000000/kg",
            "1160000000",
            "12325000000",
        ),
        (
            "NCT07276568",
            None,
            "level 1",
            "50kg",
            "800000000",
            "16000000/kg",
            "800000000",
            "8500000000",
        ),
        (
            "NCT07276568",
            Some("alf"),
            "1.7e8/kg",
            "80kg",
            "13600000000",
            "170000000/kg",
            "1280000000",
            "13600000000",
        ),
        (
            "NCT07276568",
            Some("alf"),
            "",
            "80kg",
            "-",
            "-",
            "1280000000",
            "13600000000",
        ),
        // 160 lb = 72.5747792 kg: min 1,161,196,467.2 rounds up to stay inside; max 12,337,712,464.
        (
            "NCT07276568",
            Some("alf"),
            "level 1",
            "160lb",
            "1161196468",
            "16000000/kg",
            "1161196468",
            "12337712464",
        ),
        // NCT05727722 cohorts 1-4: 0.15, 0.5, 1.5, 4.5 × 10⁹ cells; 150,000,000 / 70 = 2,142,857.14/kg.
        (
            "NCT05727722",
            Some("clf"),
            "level 1",
            "70kg",
            "150000000",
            "2142857.14/kg",
            "-",
            "-",
        ),
        (
            "NCT05727722",
            Some("clf"),
            "level 2",
            "70kg",
            "500000000",
            "7142857.14/kg",
            "-",
            "-",
        ),
        (
            "NCT05727722",
            Some("aclf"),
            "level 3",
            "70kg",
            "1500000000",
            "21428571.43/kg",
            "-",
            "-",
        ),
        (
            "NCT05727722",
            Some("aclf"),
            "level 4",
            "70kg",
            "4500000000",
            "64285714.29/kg",
            "-",
            "-",
        ),
        (
            "NCT05727722",
            None,
            "level 3",
            "160lb",
            "1500000000",
            "20668337.08/kg",
            "-",
            "-",
        ),
        (
            "NCT05727722",
            Some("clf"),
            "1.5x10^9",
            "70kg",
            "1500000000",
            "21428571.43/kg",
            "-",
            "-",
        ),
        // NCT01218464 msc 0.5-1.0 × 10⁶ cells/kg: 60 kg gives 30,000,000 to 60,000,000.
        (
            "NCT01218464",
            Some("msc"),
            "",
            "60kg",
            "-",
            "-",
            "30000000",
            "60000000",
        ),
        (
            "NCT01218464",
            Some("msc"),
            "0.75e6/kg",
            "60kg",
            "45000000",
            "750000/kg",
            "30000000",
            "60000000",
        ),
        (
            "NCT01218464",
            Some("msc"),
            "",
            "160lb",
            "-",
            "-",
            "36287390",
            "72574779",
        ),
        (
            "NCT01218464",
            Some("placebo"),
            "",
            "60kg",
            "0",
            "0/kg",
            "-",
            "-",
        ),
        // NCT05227846 cohorts of 5, 10, 15, 20 × 10⁷ cells; one arm.
        (
            "NCT05227846",
            None,
            "level 1",
            "70kg",
            "50000000",
            "714285.71/kg",
            "-",
            "-",
        ),
        (
            "NCT05227846",
            Some("msc"),
            "level 2",
            "70kg",
            "100000000",
            "1428571.43/kg",
            "-",
            "-",
        ),
        (
            "NCT05227846",
            Some("msc"),
            "level 3",
            "70kg",
            "150000000",
            "2142857.14/kg",
            "-",
            "-",
        ),
        (
            "NCT05227846",
            Some("msc"),
            "level 4",
            "70kg",
            "200000000",
            "2857142.86/kg",
            "-",
            "-",
        ),
        // NCT06167473 1 and 3 × 10⁶ cells/kg per infusion; 160 lb: 72,574,779.2 rounds to 72,574,779.
        (
            "NCT06167473",
            Some("low-dose"),
            "",
            "70kg",
            "70000000",
            "1000000/kg",
            "-",
            "-",
        ),
        (
            "NCT06167473",
            Some("medium-high-dose"),
            "",
            "70kg",
            "210000000",
            "3000000/kg",
            "-",
            "-",
        ),
        (
            "NCT06167473",
            Some("low-dose"),
            "",
            "160lb",
            "72574779",
            "1000000/kg",
            "-",
            "-",
        ),
        (
            "NCT06167473",
            Some("medium-high-dose"),
            "",
            "72500g",
            "217500000",
            "3000000/kg",
            "-",
            "-",
        ),
    ];
    for &(protocol, arm, choice, weight, cells, per_kg, min, max) in rows {
        let c = calc(protocol, arm, choice, weight, None);
        let got = (
            text(c.cells()),
            text(c.cells_per_kg()),
            text(c.min_cells()),
            text(c.max_cells()),
        );
        assert_eq!(
            got,
            (
                cells.to_owned(),
                per_kg.to_owned(),
                min.to_owned(),
                max.to_owned()
            ),
            "{protocol} {arm:?} {choice} {weight}"
        );
        // Above the escalation start (NCT07276568 above 1.6e7/kg, NCT05227846 above level 1)
        // the records require a safety review first: review until it is acknowledged.
        let gated = matches!(
            (protocol, choice),
            ("NCT07276568", "1.7e8/kg" | "level 2" | "5e7/kg")
                | ("NCT05227846", "level 2" | "level 3" | "level 4")
        );
        let expected = if gated {
            Verdict::Review
        } else if c.cells().is_none() {
            // A range with no dose chosen: the range for this patient, and no verdict on a dose.
            Verdict::NoDoseChosen
        } else {
            Verdict::Within
        };
        assert_eq!(
            c.verdict(),
            expected,
            "{protocol} {arm:?} {choice} {weight}"
        );
        if gated {
            let acknowledged = catalogue()
                .find(protocol)
                .unwrap()
                .calculate(
                    &request(arm, choice, weight, None)
                        .with_acknowledgement("safety review passed, minutes SR-2")
                        .unwrap(),
                )
                .unwrap();
            assert_eq!(acknowledged.verdict(), Verdict::Within);
        }
    }
}

#[test]
fn pounds_are_echoed_and_converted_exactly() {
    let c = calc("NCT06167473", Some("low-dose"), "", "160lb", None);
    assert_eq!(c.weight().to_string(), "160 lb");
    assert_eq!(c.weight().weight().to_string(), "72.5747792 kg");
    assert_eq!(text(c.exact_cells()), "72574779.2");
}

#[test]
fn a_rounding_that_would_cross_the_minimum_takes_the_count_inside() {
    let c = calc("NCT07276568", Some("alf"), "level 1", "160lb", None);
    assert_eq!(text(c.exact_cells()), "1161196467.2");
    assert_eq!(text(c.cells()), "1161196468");
    let codes: Vec<_> = c
        .findings()
        .iter()
        .map(|f| (f.severity(), f.code()))
        .collect();
    assert!(
        codes.contains(&(Severity::Info, FindingCode::RoundedInsideLimit)),
        "{codes:?}"
    );
}

#[test]
fn one_infusion_gives_a_total_and_unstated_infusions_say_so() {
    let once = calc("NCT05727722", Some("clf"), "level 4", "70kg", None);
    assert_eq!(once.infusions(), Stated::Value(1));
    assert_eq!(text(once.total_cells()), "4500000000");

    let per_infusion = calc("NCT06167473", Some("low-dose"), "", "70kg", None);
    assert_eq!(per_infusion.infusions(), Stated::NotStated);
    assert_eq!(per_infusion.per_infusion(), Stated::Value(true));
    assert_eq!(text(per_infusion.total_cells()), "-");
    assert!(
        per_infusion
            .findings()
            .iter()
            .any(|f| f.code() == FindingCode::InfusionCountNotStated
                && f.severity() == Severity::Info)
    );
}

#[test]
fn explicit_doses_outside_the_protocol_are_hard_findings() {
    let cases = [
        (
            "NCT07276568",
            Some("alf"),
            "1.8e8/kg",
            FindingCode::DoseAboveProtocolMaximum,
        ),
        (
            "NCT07276568",
            Some("alf"),
            "1.5e7/kg",
            FindingCode::DoseBelowProtocolMinimum,
        ),
        // A total is compared in cells for this patient: 72.5 kg × 1.7e8 = 1.2325e10.
        (
            "NCT07276568",
            Some("alf"),
            "1.3e10",
            FindingCode::DoseAboveProtocolMaximum,
        ),
        (
            "NCT01218464",
            Some("msc"),
            "1.1e6/kg",
            FindingCode::DoseAboveProtocolMaximum,
        ),
        (
            "NCT01218464",
            Some("msc"),
            "0.4e6/kg",
            FindingCode::DoseBelowProtocolMinimum,
        ),
        (
            "NCT01218464",
            Some("placebo"),
            "1e6/kg",
            FindingCode::CellsInPlaceboArm,
        ),
        (
            "NCT05727722",
            Some("clf"),
            "1e9",
            FindingCode::DoseNotAProtocolDose,
        ),
        (
            "NCT05727722",
            Some("clf"),
            "4.5e10",
            FindingCode::DoseNotAProtocolDose,
        ),
        (
            "NCT05227846",
            None,
            "2.5e8",
            FindingCode::DoseNotAProtocolDose,
        ),
        (
            "NCT06167473",
            Some("low-dose"),
            "3e6/kg",
            FindingCode::DoseNotAProtocolDose,
        ),
        // The million-fold slip: 1.6e7 written as a total instead of per kg.
        (
            "NCT07276568",
            Some("alf"),
            "1.6e7",
            FindingCode::DoseBelowProtocolMinimum,
        ),
    ];
    for (protocol, arm, dose, code) in cases {
        let c = calc(protocol, arm, dose, "72.5kg", Some("40"));
        assert_eq!(hard_codes(c.findings()), vec![code], "{protocol} {dose}");
        assert_eq!(c.verdict(), Verdict::Outside);
    }
}

#[test]
fn finding_messages_name_value_limit_direction_and_clause() {
    let c = calc("NCT07276568", Some("alf"), "1.8e8/kg", "72.5kg", None);
    let finding = &c.findings()[0];
    assert_eq!(
        finding.message(celldose::human::Notation::Ascii),
        "requested dose 180,000,000 cells/kg (1.8 x 10^8 cells/kg) is above the protocol maximum of \
         170,000,000 cells/kg (1.7 x 10^8 cells/kg): 13,050,000,000 cells (1.305 x 10^10) for this \
         patient, against a limit of 12,325,000,000 cells (1.2325 x 10^10)"
    );
    assert_eq!(
        finding.clause(),
        "NCT07276568 arm alf: dose range 16,000,000 cells/kg (1.6 × 10⁷ cells/kg) to 170,000,000 cells/kg (1.7 × 10⁸ cells/kg)"
    );

    let c = calc("NCT05727722", Some("clf"), "1e9", "72.5kg", Some("40"));
    assert_eq!(
        c.findings()[0].message(celldose::human::Notation::Ascii),
        "requested dose 1,000,000,000 cells (1 x 10^9) is not a dose the protocol states (between the \
         doses the protocol states); it states: level 1 150,000,000 cells (1.5 x 10^8); level 2 \
         500,000,000 cells (5 x 10^8); level 3 1,500,000,000 cells (1.5 x 10^9); level 4 \
         4,500,000,000 cells (4.5 x 10^9)"
    );
}

#[test]
fn an_explicit_dose_equal_to_a_level_reports_the_level() {
    let c = calc("NCT05727722", Some("clf"), "5e8", "70kg", None);
    assert_eq!(c.level(), Some(2));
    let c = calc("NCT07276568", Some("alf"), "1.6e7/kg", "70kg", None);
    assert_eq!(c.level(), Some(1));
}

#[test]
fn checks_of_delivered_counts() {
    // 72.5 kg level 1 target 1.16e9; 1.2e9 is +3.45 %.
    let ok = check(
        "NCT07276568",
        Some("alf"),
        "level 1",
        "72.5kg",
        "1.2e9",
        Some("10%"),
    )
    .unwrap();
    assert_eq!(text(ok.deviation_percent()), "3.45");
    assert_eq!(ok.actual_cells_per_kg().to_string(), "16551724.14/kg");
    assert_eq!(ok.verdict(), Verdict::Within);

    // Below the target by 1 %, inside a 10 % tolerance, but below the protocol minimum.
    let low = check(
        "NCT07276568",
        Some("alf"),
        "level 1",
        "72.5kg",
        "1.1484e9",
        Some("10%"),
    )
    .unwrap();
    assert_eq!(text(low.deviation_percent()), "-1");
    assert_eq!(
        hard_codes(low.findings()),
        vec![FindingCode::DeliveredBelowProtocolMinimum]
    );

    // A range-only arm needs no tolerance.
    let range = check("NCT01218464", Some("msc"), "", "60kg", "45000000", None).unwrap();
    assert_eq!(range.verdict(), Verdict::Within);
    assert_eq!(text(range.deviation_percent()), "-");

    // A placebo arm with cells delivered.
    let placebo = check("NCT01218464", Some("placebo"), "", "60kg", "1000", None).unwrap();
    assert_eq!(
        hard_codes(placebo.findings()),
        vec![FindingCode::CellsInPlaceboArm]
    );
    let placebo = check("NCT01218464", Some("placebo"), "", "60kg", "0", None).unwrap();
    assert_eq!(placebo.verdict(), Verdict::Within);

    // A ten-fold slip in the delivered count.
    let tenfold = check(
        "NCT05727722",
        Some("clf"),
        "level 2",
        "70kg",
        "5e9",
        Some("10%"),
    )
    .unwrap();
    assert_eq!(text(tenfold.deviation_percent()), "900");
    assert_eq!(
        hard_codes(tenfold.findings()),
        vec![FindingCode::DeliveredOutsideTolerance]
    );
}

#[test]
fn a_point_dose_check_without_tolerance_is_refused() {
    for (protocol, arm, choice) in [
        ("NCT06167473", Some("low-dose"), ""),
        ("NCT05727722", Some("clf"), "level 1"),
        ("NCT07276568", Some("alf"), "level 1"),
        ("NCT01218464", Some("msc"), "0.75e6/kg"),
    ] {
        let error = check(protocol, arm, choice, "70kg", "7e7", None)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("checking a delivered count against the single dose of ")
                && error.ends_with(
                    "needs a tolerance; the protocol states none, so give one such as 10%"
                ),
            "{error}"
        );
    }
}

#[test]
fn a_dose_that_is_not_stated_says_which_side_it_falls_on() {
    let message = |dose: &str| {
        let c = calc("NCT05727722", Some("clf"), dose, "70kg", Some("40"));
        assert_eq!(
            hard_codes(c.findings()),
            vec![FindingCode::DoseNotAProtocolDose],
            "{dose}"
        );
        c.findings()[0]
            .message(celldose::human::Notation::Ascii)
            .into_owned()
    };
    assert!(message("1e8").contains("(below every dose the protocol states)"));
    assert!(message("5e9").contains("(above every dose the protocol states)"));
    assert!(message("1e9").contains("(between the doses the protocol states)"));
    // The edges: just below the lowest level and just above the highest.
    assert!(message("149999999").contains("(below every dose"));
    assert!(message("4500000001").contains("(above every dose"));
}

#[test]
fn an_explicit_zero_in_a_placebo_arm_is_within() {
    let c = calc("NCT01218464", Some("placebo"), "0", "60kg", Some("40"));
    assert_eq!(c.verdict(), Verdict::Within);
    let c = calc("NCT01218464", Some("placebo"), "1", "60kg", Some("40"));
    assert_eq!(
        hard_codes(c.findings()),
        vec![FindingCode::CellsInPlaceboArm]
    );
}
