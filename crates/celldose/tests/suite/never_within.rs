//! Never WITHIN by omission: caps that clip a minimum, escalation that needs a safety review,
//! unknowns, ages in completed years, and a preparation limited by the protocol range. Every
//! figure here is worked by hand from the source records or the example files.
//!
//! Longer than most files (some 650 lines) because it is one guarantee, never WITHIN by omission,
//! shown case by case with each case's arithmetic written out beside it.

use std::sync::Arc;

use celldose::{
    AgeFromBirth, Catalogue, DoseChoice, DoseRequest, FindingCode, Product, Protocol, Rounding,
    Severity, Stated, TrialState, Verdict,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::{calc, catalogue, request, text};

fn example(name: &str) -> Protocol {
    let path = format!("{}/examples/protocols/{name}", env!("CARGO_MANIFEST_DIR"));
    Protocol::from_toml(name, &std::fs::read_to_string(path).unwrap()).unwrap()
}

fn codes(c: &celldose::Calculation) -> Vec<(Severity, FindingCode)> {
    c.findings()
        .iter()
        .map(|f| (f.severity(), f.code()))
        .collect()
}

const MIN_WITH_CAP: &str = r#"
format = 1
id = "DEMO-MIN-CAP"
version = "1"
title = "a minimum with a cap"
product = "cells"
route = "intravenous"
[source]
registry = "site protocol"
record = "DEMO-MIN-CAP"
quote = "at least 5 × 10⁶ cells/kg, at most 1 × 10⁸ cells"
[[arm]]
id = "all"
name = "All"
regimen = "main"
[[regimen]]
id = "main"
min_dose = "5e6/kg"
max_total = "1e8"
infusions = 1
"#;

#[test]
fn a_cap_that_lowers_the_top_of_a_range_is_reported_at_120_kg() {
    // 0.5–1.0 × 10⁶/kg × 120 kg = 6 × 10⁷ to 1.2 × 10⁸; the cap, 1 × 10⁸, lowers the top.
    let p = example("per-kg-range-capped.toml");
    let c = p
        .calculate(&DoseRequest::new(
            "120kg".parse().unwrap(),
            DoseChoice::ArmDose,
            Rounding::HalfEven,
        ))
        .unwrap();
    assert_eq!(
        (text(c.min_cells()), text(c.max_cells())),
        ("60000000".into(), "100000000".into())
    );
    assert_eq!(
        (text(c.uncapped_min()), text(c.uncapped_max())),
        ("60000000".into(), "120000000".into())
    );
    assert!(codes(&c).contains(&(Severity::Info, FindingCode::CapBinds)));
    assert!(
        !codes(&c)
            .iter()
            .any(|(_, code)| *code == FindingCode::CapBelowMinimum)
    );
    assert_eq!(c.verdict(), Verdict::NoDoseChosen);
    assert_eq!(c.dose_per_kg(), Some(true));
}

#[test]
fn a_cap_below_the_per_kg_minimum_is_a_conflict_at_250_kg() {
    // 0.5 × 10⁶/kg × 250 kg = 1.25 × 10⁸, above the cap of 1 × 10⁸: the limits cannot both hold.
    let p = example("per-kg-range-capped.toml");
    let at = |choice| DoseRequest::new("250kg".parse().unwrap(), choice, Rounding::HalfEven);
    let c = p.calculate(&at(DoseChoice::ArmDose)).unwrap();
    assert_eq!(
        (text(c.min_cells()), text(c.max_cells())),
        ("100000000".into(), "100000000".into())
    );
    assert_eq!(
        (text(c.uncapped_min()), text(c.uncapped_max())),
        ("125000000".into(), "250000000".into())
    );
    assert!(codes(&c).contains(&(Severity::Soft, FindingCode::CapBelowMinimum)));
    assert!(codes(&c).contains(&(Severity::Info, FindingCode::CapBinds)));
    assert_eq!(c.verdict(), Verdict::Review);
    let message = c
        .findings()
        .iter()
        .find(|f| f.code() == FindingCode::CapBelowMinimum)
        .unwrap()
        .message(celldose::human::Notation::Ascii)
        .into_owned();
    assert!(
        message.contains(
            "lowered from 125,000,000 cells (1.25 x 10^8) to 100,000,000 cells (1 x 10^8)"
        ),
        "{message}"
    );
    // A delivered 1 × 10⁸ needs the decision; acknowledged, it is within.
    let check = p
        .check(&at(DoseChoice::ArmDose), "1e8".parse().unwrap(), None)
        .unwrap();
    assert_eq!(check.verdict(), Verdict::Review);
    let acknowledged = at(DoseChoice::ArmDose)
        .with_acknowledgement("investigator: dose at the cap")
        .unwrap();
    assert_eq!(
        p.check(&acknowledged, "1e8".parse().unwrap(), None)
            .unwrap()
            .verdict(),
        Verdict::Within
    );
}

#[test]
fn a_cap_below_a_minimum_at_60_kg_names_both_limits() {
    // At least 5 × 10⁶/kg × 60 kg = 3 × 10⁸, but at most 1 × 10⁸ in total.
    let p = Protocol::from_toml("min-cap.toml", MIN_WITH_CAP).unwrap();
    let request = DoseRequest::new(
        "60kg".parse().unwrap(),
        DoseChoice::ArmDose,
        Rounding::HalfEven,
    );
    let c = p.calculate(&request).unwrap();
    assert_eq!(
        (text(c.exact_min()), text(c.exact_max())),
        ("100000000".into(), "100000000".into())
    );
    assert_eq!(text(c.uncapped_min()), "300000000");
    assert_eq!(c.verdict(), Verdict::Review);
    // 2.9 × 10⁸ is above the cap and below the per-kg minimum: the finding says both.
    let check = p.check(&request, "2.9e8".parse().unwrap(), None).unwrap();
    assert_eq!(check.verdict(), Verdict::Outside);
    let over = check
        .findings()
        .find(|f| f.code() == FindingCode::DeliveredAboveProtocolMaximum)
        .unwrap();
    let words = over.message(celldose::human::Notation::Ascii);
    assert!(
        words.contains("above the protocol's maximum total of 100,000,000 cells"),
        "{words}"
    );
    assert!(
        words.contains(
            "minimum for this weight, 300,000,000 cells (3 x 10^8), is above its maximum total"
        ),
        "{words}"
    );
}

#[test]
fn a_cap_that_can_never_be_met_is_refused_with_its_line_and_column() {
    let text = MIN_WITH_CAP.replace(
        "min_dose = \"5e6/kg\"\nmax_total = \"1e8\"",
        "dose = \"1e6/kg\"\nmax_total = \"1\"",
    );
    let error = Protocol::from_toml("impossible.toml", &text)
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "protocol file impossible.toml: line 16, column 1: regimen \"main\": max_total 1 cells is below the smallest dose the regimen gives, 1,000,000 cells/kg (1 × 10⁶ cells/kg), which at the lightest weight the protocol admits (0.2 kg) comes to 200,000 cells (2 × 10⁵); no patient could receive both, so the cap must be at least that"
    );
    // With a weight window, its lower edge is the lightest weight: above 40 kg at 2 × 10⁶/kg is
    // more than 8 × 10⁷ for everyone, so a cap of exactly 8 × 10⁷ is refused too.
    let windowed = MIN_WITH_CAP
        .replace(
            "[[arm]]",
            "[eligibility]\nweight = { above = \"40 kg\" }\n\n[[arm]]",
        )
        .replace(
            "min_dose = \"5e6/kg\"\nmax_total = \"1e8\"",
            "dose = \"2e6/kg\"\nmax_total = \"8e7\"",
        );
    assert!(Protocol::from_toml("edge.toml", &windowed)
        .unwrap_err()
        .to_string()
        .contains(
            "just above the lightest weight the protocol admits (40 kg) comes to 80,000,000 cells (8 × 10⁷)"
        ));
    assert!(Protocol::from_toml("edge.toml", &windowed.replace("8e7", "8.00001e7")).is_ok());
}

fn state(text: &str) -> Arc<TrialState> {
    let state = TrialState::from_toml("state.toml", text).unwrap();
    state.check_against(&catalogue()).unwrap();
    Arc::new(state)
}

const LEVEL_2: &str = "format = 1\n[[opened]]\nprotocol = \"NCT05227846\"\nlevel = 2\ndate = \"2026-03-14\"\ndecision = \"SRC-2026-03\"\n";
const LEVEL_3: &str = "format = 1\n[[opened]]\nprotocol = \"NCT05227846\"\nlevel = 2\ndate = \"2026-03-14\"\ndecision = \"SRC-2026-03\"\n[[opened]]\nprotocol = \"NCT05227846\"\nlevel = 3\ndate = \"2026-06-20\"\ndecision = \"SRC-2026-06\"\n[[opened]]\nprotocol = \"NCT07276568\"\ndose = \"5e7/kg\"\ndate = \"2026-04-02\"\ndecision = \"SR-07\"\n";

#[test]
fn escalation_needs_the_recorded_safety_review() {
    let p = catalogue();
    // (protocol, choice, no state, state opening level 2, state opening level 3 and 5e7/kg)
    let table = [
        (
            "NCT05227846",
            "level 1",
            Verdict::Within,
            Verdict::Within,
            Verdict::Within,
        ),
        (
            "NCT05227846",
            "level 2",
            Verdict::Review,
            Verdict::Within,
            Verdict::Within,
        ),
        (
            "NCT05227846",
            "level 3",
            Verdict::Review,
            Verdict::Outside,
            Verdict::Within,
        ),
        (
            "NCT05227846",
            "level 4",
            Verdict::Review,
            Verdict::Outside,
            Verdict::Outside,
        ),
        (
            "NCT07276568",
            "1.6e7/kg",
            Verdict::Within,
            Verdict::Within,
            Verdict::Within,
        ),
        (
            "NCT07276568",
            "5e7/kg",
            Verdict::Review,
            Verdict::Outside,
            Verdict::Within,
        ),
        (
            "NCT07276568",
            "1.7e8/kg",
            Verdict::Review,
            Verdict::Outside,
            Verdict::Outside,
        ),
    ];
    for (protocol, choice, none, two, three) in table {
        let base = request(
            Some(if protocol == "NCT05227846" {
                "msc"
            } else {
                "alf"
            }),
            choice,
            "70kg",
            Some("50"),
        );
        let at = |r: &DoseRequest| p.find(protocol).unwrap().calculate(r).unwrap();
        assert_eq!(
            at(&base).verdict(),
            none,
            "{protocol} {choice} without a state"
        );
        assert_eq!(
            at(&base.clone().with_trial_state(state(LEVEL_2))).verdict(),
            two,
            "{protocol} {choice} level 2 open"
        );
        assert_eq!(
            at(&base.clone().with_trial_state(state(LEVEL_3))).verdict(),
            three,
            "{protocol} {choice} level 3 open"
        );
        // An acknowledgement accepts the review, and never a hard finding.
        let acknowledged = base
            .clone()
            .with_acknowledgement("safety review SR-9 passed")
            .unwrap();
        assert_eq!(
            at(&acknowledged).verdict(),
            Verdict::Within,
            "{protocol} {choice} acknowledged"
        );
        let hard = acknowledged.with_trial_state(state(LEVEL_2));
        assert_eq!(
            at(&hard).verdict(),
            if two == Verdict::Outside {
                Verdict::Outside
            } else {
                Verdict::Within
            }
        );
    }
    // The finding quotes the record's condition; with a state, the decision is named.
    let c = calc("NCT05227846", None, "level 2", "70kg", Some("50"));
    let gate = c
        .findings()
        .iter()
        .find(|f| f.code() == FindingCode::EscalationNotConfirmed)
        .unwrap();
    assert!(gate.message(celldose::human::Notation::Ascii).contains(
        "\"Proceed from lower dose to next higher dose if no safety concerns for each cohort.\""
    ));
    let opened = catalogue()
        .find("NCT05227846")
        .unwrap()
        .calculate(&request(None, "level 2", "70kg", Some("50")).with_trial_state(state(LEVEL_3)))
        .unwrap();
    let named = opened
        .findings()
        .iter()
        .find(|f| f.code() == FindingCode::LevelOpened)
        .unwrap();
    assert!(named.message(celldose::human::Notation::Ascii).contains(
        "level 2 (100,000,000 cells (1 x 10^8)) opened on 2026-03-14 by decision \"SRC-2026-03\""
    ));
    assert_eq!(opened.trial_state_sha256().map(str::len), Some(64));
}

#[test]
fn an_opening_counts_from_its_date_and_not_before() {
    let future = "format = 1\n[[opened]]\nprotocol = \"NCT05227846\"\nlevel = 2\ndate = \"2999-03-14\"\ndecision = \"SRC-2999-03\"\n";
    let p = catalogue();
    let protocol = p.find("NCT05227846").unwrap();
    let on = |date: &str| {
        request(Some("msc"), "level 2", "70kg", Some("50"))
            .with_trial_state(state(future))
            .with_dosing_date(date.parse().unwrap())
    };
    let early = protocol.calculate(&on("2026-01-01")).unwrap();
    assert_eq!(early.verdict(), Verdict::Outside);
    let finding = early
        .findings()
        .iter()
        .find(|f| f.code() == FindingCode::LevelNotOpen)
        .unwrap();
    let words = finding.message(celldose::human::Notation::Ascii);
    assert!(
        words.contains(
            "it records no step opened for NCT05227846 on or before the dosing date 2026-01-01"
        ),
        "{words}"
    );
    assert!(
        words.contains("it records level 2 (100,000,000 cells (1 x 10^8)) opened by decision \"SRC-2999-03\" dated 2999-03-14, after the dosing date, so that step is open only from 2999-03-14"),
        "{words}"
    );
    // On the decision's own date, and after it, the step is open.
    assert_eq!(
        protocol.calculate(&on("2999-03-14")).unwrap().verdict(),
        Verdict::Within
    );
    assert_eq!(
        protocol.calculate(&on("2999-03-13")).unwrap().verdict(),
        Verdict::Outside
    );
    // Without a dosing date, today decides: 2999 is still to come.
    let today = request(Some("msc"), "level 2", "70kg", Some("50")).with_trial_state(state(future));
    assert_eq!(
        protocol.calculate(&today).unwrap().verdict(),
        Verdict::Outside
    );
}

#[test]
fn the_built_in_note_grants_nothing_the_record_withholds() {
    let p = catalogue();
    let note = p
        .find("NCT07276568")
        .unwrap()
        .source()
        .note()
        .unwrap()
        .to_owned();
    assert!(!note.contains("may be requested"), "{note}");
    // NCT05727722, NCT06167473 and NCT01218464 describe cohorts or arms, not escalation.
    for id in ["NCT05727722", "NCT06167473", "NCT01218464"] {
        assert!(
            p.find(id)
                .unwrap()
                .arms()
                .iter()
                .all(|a| a.regimen().escalation().is_none()),
            "{id}"
        );
    }
    assert_eq!(
        calc("NCT05727722", Some("clf"), "level 4", "70kg", Some("50")).verdict(),
        Verdict::Within
    );
    // The record's own spelling of the placebo arm is kept.
    assert_eq!(
        p.find("NCT01218464")
            .unwrap()
            .arm("placebo")
            .unwrap()
            .name(),
        "Conventional plus pacebo treatment"
    );
}

#[test]
fn unknowns_are_not_stated() {
    for id in ["NCT01218464", "NCT05227846", "NCT07276568"] {
        let p = catalogue();
        let regimen = p.find(id).unwrap().arms()[0].regimen().clone();
        assert_eq!(regimen.per_infusion(), Stated::NotStated, "{id}");
    }
    let c = calc("NCT01218464", Some("msc"), "", "60kg", Some("41"));
    assert_eq!(c.dose_per_kg(), Some(true));
    assert_eq!(c.verdict(), Verdict::NoDoseChosen);
    let range_only = c
        .findings()
        .iter()
        .find(|f| f.code() == FindingCode::RangeOnly)
        .unwrap();
    assert!(
        range_only
            .message(celldose::human::Notation::Ascii)
            .contains("give a level or a dose")
    );
    // On an escalation protocol it names the start.
    let c = calc("NCT07276568", Some("alf"), "", "60kg", None);
    let words = c
        .findings()
        .iter()
        .find(|f| f.code() == FindingCode::RangeOnly)
        .unwrap()
        .message(celldose::human::Notation::Ascii)
        .into_owned();
    assert!(
        words.ends_with("escalation starts at level 1, 16,000,000 cells/kg (1.6 x 10^7 cells/kg)"),
        "{words}"
    );
}

#[test]
fn ages_from_a_date_of_birth_are_completed_years() {
    let age = |born, on| AgeFromBirth::new(born, on).map(|a| a.years().to_string());
    assert_eq!(age("1960-12-01", "2026-11-29").unwrap(), "65 years");
    assert_eq!(age("1960-11-28", "2026-11-29").unwrap(), "66 years");
    assert_eq!(age("1960-11-29", "2026-11-29").unwrap(), "66 years");
    assert_eq!(age("2000-02-29", "2026-02-28").unwrap(), "25 years");
    assert_eq!(age("2000-02-29", "2026-03-01").unwrap(), "26 years");
    assert_eq!(
        age("2026-11-30", "2026-11-29").unwrap_err().to_string(),
        "date of birth 2026-11-30 is after the dosing date 2026-11-29; accepted: a date from 1900-01-01 up to the dosing date 2026-11-29"
    );
    assert!(
        age("1899-12-31", "2026-11-29")
            .unwrap_err()
            .to_string()
            .starts_with("date of birth 1899-12-31 is before 1900-01-01")
    );
    for bad in [
        "1960-1-01",
        "01/12/1960",
        "1960-02-30",
        "",
        "1960-12-01T00:00",
    ] {
        assert!(age(bad, "2026-11-29").is_err(), "{bad}");
    }
    // NCT05727722 admits ages 18 to 65: born 1960-12-01 is inside on 2026-11-29, 1960-11-28 not.
    let p = catalogue();
    let at = |born| {
        let r = request(Some("clf"), "level 1", "70kg", None)
            .with_birth(AgeFromBirth::new(born, "2026-11-29").unwrap());
        p.find("NCT05727722")
            .unwrap()
            .calculate(&r)
            .unwrap()
            .verdict()
    };
    assert_eq!(at("1960-12-01"), Verdict::Within);
    assert_eq!(at("1960-11-28"), Verdict::Outside);
    // 65.5 years is 65 completed years: inside "18 to 65".
    assert_eq!(
        calc("NCT05727722", Some("clf"), "level 1", "70kg", Some("65.5")).verdict(),
        Verdict::Within
    );
}

#[test]
fn prepare_on_a_range_takes_the_nearest_step_inside_it() {
    // 1.6 × 10⁷/kg × 60 kg = 9.6 × 10⁸ cells; 5 × 10⁷/mL at 90 % = 4.5 × 10⁷ active/mL;
    // 21.333… mL: 21.3 mL delivers 9.585 × 10⁸, below the range minimum, so 21.4 mL (9.63 × 10⁸).
    let p = catalogue();
    let product = Product::new(
        "5e7/mL".parse().unwrap(),
        "90%".parse().unwrap(),
        None,
        "50mL".parse().unwrap(),
    )
    .unwrap();
    let prepared = p
        .find("NCT07276568")
        .unwrap()
        .prepare(
            &request(Some("alf"), "1.6e7/kg", "60kg", None),
            &product,
            "0.1mL".parse().unwrap(),
            None,
        )
        .unwrap();
    assert_eq!(prepared.volume().to_string(), "21.4 mL");
    assert_eq!(prepared.delivered_exact().to_string(), "963000000");
    assert_eq!(prepared.verdict(), Verdict::Within);
    let found: Vec<FindingCode> = prepared.findings().map(|f| f.code()).collect();
    assert!(
        found.contains(&FindingCode::RangeIsTheLimit)
            && found.contains(&FindingCode::VolumeRoundedInside),
        "{found:?}"
    );
    // A point dose with no range still needs a tolerance.
    let point = p.find("NCT06167473").unwrap().prepare(
        &request(Some("low-dose"), "", "60kg", None),
        &product,
        "0.1mL".parse().unwrap(),
        None,
    );
    assert!(point.unwrap_err().to_string().contains("needs a tolerance"));
    // A delivered count is still held to its target: no range-as-limit for check.
    assert!(
        p.find("NCT07276568")
            .unwrap()
            .check(
                &request(Some("alf"), "1.6e7/kg", "60kg", None),
                "9.6e8".parse().unwrap(),
                None
            )
            .is_err()
    );
}

fn weight() -> impl Strategy<Value = celldose::EnteredWeight> {
    (2i64..=7000).prop_map(|tenths| format!("{}kg", Decimal::new(tenths, 1)).parse().unwrap())
}

fn capped_file(min: u32, width: u32, cap: u64, lightest: Option<u32>) -> String {
    let window = lightest.map_or_else(String::new, |kg| {
        format!("[eligibility]\nweight = {{ at_least = \"{kg} kg\" }}\n\n")
    });
    MIN_WITH_CAP
        .replace("[[arm]]", &format!("{window}[[arm]]"))
        .replace(
            "min_dose = \"5e6/kg\"\nmax_total = \"1e8\"",
            &format!(
                "min_dose = \"{min}/kg\"\nmax_dose = \"{}/kg\"\nmax_total = \"{cap}\"",
                u64::from(min) + u64::from(width)
            ),
        )
}

proptest! {
    #[test]
    fn the_cap_never_raises_a_limit(min in 1u32..=5_000_000, width in 1u32..=5_000_000, cap in 1u64..=2_000_000_000, weight in weight()) {
        let Ok(p) = Protocol::from_toml("p.toml", &capped_file(min, width, cap, None)) else { return Ok(()) };
        let c = p.calculate(&DoseRequest::new(weight, DoseChoice::ArmDose, Rounding::HalfEven)).unwrap();
        let cap = Decimal::from(cap);
        prop_assert!(c.exact_max().unwrap().get() <= c.uncapped_max().unwrap().get());
        prop_assert!(c.exact_min().unwrap().get() <= c.uncapped_min().unwrap().get());
        prop_assert!(c.exact_max().unwrap().get() <= cap);
        let conflict = c.findings().iter().any(|f| f.code() == FindingCode::CapBelowMinimum);
        prop_assert_eq!(conflict, cap < c.uncapped_min().unwrap().get());
        if conflict { prop_assert_ne!(c.verdict(), Verdict::Within); }
    }

    #[test]
    fn validate_accepts_no_file_with_an_empty_range_for_an_eligible_weight(
        min in 1u32..=50, width in 0u32..=10, cap in 1u64..=100, lightest in prop::option::of(1u32..=60), weight in weight(),
    ) {
        let width = width.max(1);
        let Ok(p) = Protocol::from_toml("p.toml", &capped_file(min, width, cap, lightest)) else { return Ok(()) };
        let eligible = p.weight_window().is_none_or(|w| w.check(weight.weight()).is_ok());
        prop_assume!(eligible);
        let c = p.calculate(&DoseRequest::new(weight, DoseChoice::ArmDose, Rounding::HalfEven)).unwrap();
        prop_assert!(c.min_cells().unwrap() <= c.max_cells().unwrap(), "{:?} {:?} at {}", c.min_cells(), c.max_cells(), weight);
    }

    #[test]
    fn with_a_state_file_nothing_above_the_highest_open_level_is_within(open in 1u32..=4, level in 1u32..=4, acknowledge in any::<bool>(), weight in weight()) {
        let text = format!("format = 1\n[[opened]]\nprotocol = \"NCT05227846\"\nlevel = {open}\ndate = \"2026-03-14\"\ndecision = \"SRC\"\n");
        let mut r = DoseRequest::new(weight, DoseChoice::Level(level), Rounding::HalfEven).with_age("50".parse().unwrap()).with_trial_state(state(&text));
        if acknowledge { r = r.with_acknowledgement("reviewed").unwrap(); }
        let c = catalogue().find("NCT05227846").unwrap().calculate(&r).unwrap();
        prop_assert_eq!(c.verdict() == Verdict::Within, level <= open.max(1));
    }

    #[test]
    fn a_review_becomes_within_when_acknowledged_and_a_hard_finding_never_does(
        protocol in prop::sample::select(vec!["NCT07276568", "NCT05227846", "NCT05727722", "NCT01218464", "NCT06167473"]),
        choice in prop::sample::select(vec!["level 1", "level 2", "level 3", "level 4", "1.6e7/kg", "5e7/kg", "1.7e8/kg", "1e6/kg", "3e6/kg", ""]),
        weight in weight(), age in 10u32..=90,
    ) {
        let catalogue = catalogue();
        let p = catalogue.find(protocol).unwrap();
        let arm = p.arms()[0].id().to_owned();
        let plain = request(Some(&arm), choice, "70kg", None).with_age(age.to_string().parse().unwrap());
        let plain = DoseRequest::new(weight, plain.choice(), Rounding::HalfEven).with_arm(arm).with_age(age.to_string().parse().unwrap());
        let Ok(c) = p.calculate(&plain) else { return Ok(()) };
        let acknowledged = p.calculate(&plain.clone().with_acknowledgement("reviewed").unwrap()).unwrap();
        let hard = c.findings().iter().any(|f| f.severity() == Severity::Hard);
        match c.verdict() {
            Verdict::Review => prop_assert_ne!(acknowledged.verdict(), Verdict::Review),
            Verdict::Outside => prop_assert_eq!(acknowledged.verdict(), Verdict::Outside),
            _ => {}
        }
        if hard { prop_assert_eq!(acknowledged.verdict(), Verdict::Outside); }
        if c.verdict() == Verdict::Review && c.dose_chosen() { prop_assert_eq!(acknowledged.verdict(), Verdict::Within); }
    }
}

#[test]
fn a_review_on_the_cap_conflict_is_within_once_acknowledged() {
    let p = example("per-kg-range-capped.toml");
    let r = DoseRequest::new(
        "250kg".parse().unwrap(),
        DoseChoice::Explicit("5e5/kg".parse().unwrap()),
        Rounding::HalfEven,
    );
    assert_eq!(p.calculate(&r).unwrap().verdict(), Verdict::Review);
    assert_eq!(
        p.calculate(
            &r.with_acknowledgement("investigator approved the cap")
                .unwrap()
        )
        .unwrap()
        .verdict(),
        Verdict::Within
    );
    let _: &Catalogue = &catalogue();
}
