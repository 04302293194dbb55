//! Escalation decisions: every 3+3 rule, BOIN's decisions and count tables (against a script
//! that works them out independently, tests/escalation/boin_boundaries.py, and against the
//! published table for φ = 0.30), MTD selection as BOIN::select.mtd makes it
//! (tests/escalation/boin_select.py), and properties.

// Tests may unwrap, index and count freely: a failure there is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use celldose_escalation::{Boin, Cohort, Design, Outcomes, Step, Variant};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn decide(
    design: &Design,
    levels: u32,
    outcomes: &str,
) -> (Step, Option<u32>, Option<u32>, Vec<u32>) {
    let decision = design.decide(levels, &outcomes.parse().unwrap()).unwrap();
    (
        decision.step(),
        decision.next_level(),
        decision.recommended_level(),
        decision.eliminated_levels().to_vec(),
    )
}

#[test]
fn three_plus_three_follows_each_rule() {
    let d = Design::ThreePlusThree(Variant::Standard);
    use Step::*;
    let rows: &[(&str, Step, Option<u32>, Option<u32>)] = &[
        // Nothing yet: start at level 1.
        ("", Stay, Some(1), Some(1)),
        // Fewer than 3 treated: stay.
        ("1NN", Stay, Some(1), Some(1)),
        ("1TT", Stay, Some(1), Some(1)),
        // 3 treated: 0 DLT escalate, 1 DLT three more, 2+ stop below (none at level 1).
        ("1NNN", Escalate, Some(2), Some(2)),
        ("1NNN 2NTN", Stay, Some(2), Some(2)),
        ("1NNN 2TTN", Stop, None, Some(1)),
        ("1TNT", Stop, None, None),
        ("1TTT", Stop, None, None),
        // 4 or 5 treated: complete six unless two DLTs already decide it.
        ("1NNN 2NTN 2N", Stay, Some(2), Some(2)),
        ("1NNN 2NTN 2T", Stop, None, Some(1)),
        // 6 treated: at most 1 DLT escalate, 2+ stop below.
        ("1NNN 2NTN 2NNN", Escalate, Some(3), Some(3)),
        ("1NNN 2NTN 2NNT", Stop, None, Some(1)),
        ("1NTN 1NNT", Stop, None, None),
        // At the top level: escalating means stop and recommend it.
        ("1NNN 2NNN 3NNN 4NNN", Stop, None, Some(4)),
        ("1NNN 2NNN 3NNN 4NTN 4NNN", Stop, None, Some(4)),
        ("1NNN 2NNN 3NNN 4NTN 4NTN", Stop, None, Some(3)),
        // Below a level already closed, escalating means stop at the current level.
        ("1NNN 2TTN 1NNN", Stop, None, Some(1)),
        // Outcomes recorded above a closed level change nothing.
        ("1TTN 2NNN", Stop, None, None),
    ];
    for (outcomes, step, next, recommended) in rows {
        let (s, n, r, _) = decide(&d, 4, outcomes);
        assert_eq!(
            (s, n, r),
            (*step, *next, *recommended),
            "3+3 after {outcomes:?}"
        );
    }
    // The example, with the rule's own words.
    let decision = d.decide(4, &"1NNN 2NTN 2NNT".parse().unwrap()).unwrap();
    assert_eq!(
        decision.rule(),
        "2 of 6 with a DLT: stop, and recommend level 1"
    );
    assert_eq!(decision.eliminated_levels(), [2, 3, 4]);
    assert_eq!(decision.figures(), ["level 2: 2 DLT in 6 treated"]);
}

#[test]
fn three_plus_three_with_de_escalation_expands_the_level_below_to_six() {
    let d = Design::ThreePlusThree(Variant::DeEscalate);
    use Step::*;
    let rows: &[(&str, Step, Option<u32>, Option<u32>)] = &[
        ("", Stay, Some(1), Some(1)),
        ("1NNN", Escalate, Some(2), Some(2)),
        ("1NNN 2NTN", Stay, Some(2), Some(2)),
        // Two DLTs at level 2; level 1 has only 3: treat 3 more there.
        ("1NNN 2TTN", DeEscalate, Some(1), Some(1)),
        // Level 1 then has 0 (or 1) of 6: it is the MTD.
        ("1NNN 2TTN 1NNN", Stop, None, Some(1)),
        ("1NNN 2TTN 1NTN", Stop, None, Some(1)),
        // ... or 2 of 6: no dose.
        ("1NNN 2TTN 1TNT", Stop, None, None),
        // Two DLTs in 4 or 5 at level 2: the level below is expanded at once.
        ("1NNN 2NTN 2T", DeEscalate, Some(1), Some(1)),
        // Level 1 already has 6: stop, it is the MTD.
        ("1NNN 1NNN 2TTN", Stop, None, Some(1)),
        ("1TNN 1NNN 2NNN 2NNN 3TTN", Stop, None, Some(2)),
        // 2 DLTs at level 1: no dose.
        ("1TTN", Stop, None, None),
        // At the top with 0 of 3: complete 6, the MTD needs six.
        ("1NNN 2NNN", Stay, Some(2), Some(2)),
        ("1NNN 2NNN 2NNN", Stop, None, Some(2)),
        // 1 of 6 below an untried level: escalate.
        ("1NTN 1NNN", Escalate, Some(2), Some(2)),
    ];
    for (outcomes, step, next, recommended) in rows {
        // Two levels, or three where the outcomes reach level 3.
        let levels = if outcomes.contains('3') { 3 } else { 2 };
        let decision = d.decide(levels, &outcomes.parse().unwrap()).unwrap();
        assert_eq!(
            (
                decision.step(),
                decision.next_level(),
                decision.recommended_level()
            ),
            (*step, *next, *recommended),
            "3+3 deescalate after {outcomes:?}: {}",
            decision.rule()
        );
    }
}

#[test]
fn a_three_plus_three_level_holds_at_most_six() {
    for variant in [Variant::Standard, Variant::DeEscalate] {
        let error = Design::ThreePlusThree(variant)
            .decide(4, &"1NNN 2TNN 2NNNN".parse().unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("level 2: 1 DLT in 7 treated") && error.contains("at most 6 patients"),
            "{error}"
        );
    }
}

#[test]
fn the_compact_notation_reads_and_refuses() {
    let outcomes: Outcomes = "1NNN 2ntn  3T".parse().unwrap();
    assert_eq!(outcomes.to_string(), "1NNN 2NTN 3T");
    assert_eq!(outcomes.at(2), (3, 1));
    assert_eq!(outcomes.current_level(), Some(3));
    for bad in ["NNN", "0NNN", "1", "1NXN", "1NN\u{1b}"] {
        let error = bad.parse::<Outcomes>().unwrap_err().to_string();
        assert!(error.starts_with("cohort outcomes"), "{bad:?}: {error}");
    }
    let error = Design::ThreePlusThree(Variant::Standard)
        .decide(2, &"1NNN 3NNN".parse().unwrap())
        .unwrap_err()
        .to_string();
    assert!(error.contains("the ladder has 2 levels"), "{error}");
    assert!(Cohort::counted(1, 3, 4).is_err());
    assert_eq!(Cohort::counted(2, 6, 1).unwrap().dlts(), 1);
}

fn boin(target: &str) -> Boin {
    Boin::new(target.parse().unwrap()).unwrap()
}

/// The tables tests/escalation/boin_boundaries.py printed (committed beside it).
/// One target's table: target, λe, λd as printed, and the rows n, escalate, de-escalate,
/// eliminate.
type ScriptTable = (String, String, String, Vec<Vec<Option<u32>>>);

fn script_tables() -> Vec<ScriptTable> {
    let text = include_str!("escalation/boin_boundaries.txt");
    let lines: Vec<&str> = text.lines().collect();
    lines
        .chunks(5)
        .map(|chunk| {
            let words: Vec<&str> = chunk[0].split(' ').collect();
            let rows = chunk[1..]
                .iter()
                .map(|line| {
                    line.split(' ')
                        .skip(1)
                        .map(|v| {
                            if v == "NA" {
                                None
                            } else {
                                Some(v.parse().unwrap())
                            }
                        })
                        .collect()
                })
                .collect();
            (
                words[1].to_owned(),
                words[3].to_owned(),
                words[5].to_owned(),
                rows,
            )
        })
        .collect()
}

#[test]
fn boin_count_tables_match_an_independent_computation() {
    let tables = script_tables();
    assert_eq!(tables.len(), 4);
    for (target, lambda_e, lambda_d, rows) in tables {
        let design = boin(&target);
        assert_eq!(design.lambda_e().to_string(), lambda_e, "{target}");
        assert_eq!(design.lambda_d().to_string(), lambda_d, "{target}");
        let table = design.boundaries(30);
        let n: Vec<Option<u32>> = table.iter().map(|r| Some(r.n)).collect();
        let escalate: Vec<Option<u32>> = table.iter().map(|r| Some(r.escalate_at_most)).collect();
        let de_escalate: Vec<Option<u32>> = table.iter().map(|r| r.de_escalate_at_least).collect();
        let eliminate: Vec<Option<u32>> = table.iter().map(|r| r.eliminate_at_least).collect();
        assert_eq!(n, rows[0], "{target}: n");
        assert_eq!(escalate, rows[1], "{target}: escalate");
        assert_eq!(de_escalate, rows[2], "{target}: de-escalate");
        assert_eq!(eliminate, rows[3], "{target}: eliminate");
    }
}

#[test]
fn boin_at_thirty_percent_is_the_published_table() {
    // Liu & Yuan (2015) and the BOIN protocol templates: target 0.3, cohorts of 3, up to 30.
    let table = boin("0.3").boundaries(30);
    let escalate: Vec<u32> = table.iter().map(|r| r.escalate_at_most).collect();
    let de_escalate: Vec<u32> = table
        .iter()
        .map(|r| r.de_escalate_at_least.unwrap())
        .collect();
    let eliminate: Vec<u32> = table
        .iter()
        .map(|r| r.eliminate_at_least.unwrap())
        .collect();
    assert_eq!(escalate, [0, 1, 2, 2, 3, 4, 4, 5, 6, 7]);
    assert_eq!(de_escalate, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert_eq!(eliminate, [3, 4, 5, 7, 8, 9, 10, 11, 12, 14]);
    let design = boin("0.3");
    assert_eq!(design.lambda_e(), Decimal::new(2365, 4));
    assert_eq!(design.lambda_d(), Decimal::new(3585, 4));
}

#[test]
fn boin_decides_by_the_boundaries_and_eliminates() {
    let d = Design::Boin(boin("0.3"));
    use Step::*;
    type Row<'a> = (&'a str, Step, Option<u32>, Option<u32>, &'a [u32]);
    let rows: &[Row] = &[
        ("", Stay, Some(1), Some(1), &[]),
        ("1NNN", Escalate, Some(2), Some(2), &[]),
        // 1 of 3: 0.33 is between 0.2365 and 0.3585: stay.
        ("1NNN 2NTN", Stay, Some(2), Some(2), &[]),
        // 2 of 3: de-escalate.
        ("1NNN 2NTT", DeEscalate, Some(1), Some(1), &[]),
        // 3 of 3 at level 2: eliminated with everything above; back to level 1.
        ("1NNN 2TTT", DeEscalate, Some(1), Some(1), &[2, 3, 4]),
        // 1 of 6: escalate; level 3 is eliminated, so level 2 is as high as it goes.
        ("1NNN 2NTN 2NNN", Escalate, Some(3), Some(3), &[]),
        ("1NNN 3TTT 2NNN 2NNN", Stay, Some(2), Some(2), &[3, 4]),
        // Level 1 eliminated: stop, no dose.
        ("1TTT", Stop, None, None, &[1, 2, 3, 4]),
        // At the lowest level with a high rate and not eliminated: stay.
        ("1NTT", Stay, Some(1), Some(1), &[]),
        // At the top, a low rate: stay.
        ("1NNN 2NNN 3NNN 4NNN", Stay, Some(4), Some(4), &[]),
    ];
    for (outcomes, step, next, recommended, eliminated) in rows {
        let (s, n, r, e) = decide(&d, 4, outcomes);
        assert_eq!(
            (s, n, r, e.as_slice()),
            (*step, *next, *recommended, *eliminated),
            "BOIN after {outcomes:?}"
        );
    }
    // A maximum sample size stops the trial and selects the dose.
    let capped = Design::Boin(
        Boin::with("0.3".parse().unwrap(), None, None, 3, Some(6), None, false).unwrap(),
    );
    let (step, next, recommended, _) = decide(&capped, 4, "1NNN 2NTN");
    assert_eq!((step, next, recommended), (Stop, None, Some(2)));
}

#[test]
fn boin_selects_the_isotonic_estimate_closest_to_the_target() {
    let d = Design::Boin(boin("0.3"));
    // Estimates (y + 0.05)/(n + 0.1): 0.0161, 0.1721, 0.4918, 0.3548; levels 3 and 4 violate
    // the order and pool, weighted by 1/var (n = 6 weighs more than n = 3), to 0.4368; the
    // closest to 0.3 is level 2 (distance 0.128 against 0.137), as BOIN::select.mtd selects.
    let outcomes: Outcomes = "1NNN 2NTN 2NNN 3TNT 3TNN 4NTN".parse().unwrap();
    let selected = d.select(4, &outcomes).unwrap();
    assert_eq!(selected.step(), Step::Stop);
    assert_eq!(selected.recommended_level(), Some(2));
    assert_eq!(
        selected.figures(),
        [
            "level 1: 0 DLT in 3 treated, isotonic estimate 0.0161",
            "level 2: 1 DLT in 6 treated, isotonic estimate 0.1721",
            "level 3: 3 DLT in 6 treated, isotonic estimate 0.4368",
            "level 4: 1 DLT in 3 treated, isotonic estimate 0.4368",
        ]
    );
    // Nothing tried: nothing selected; level 1 eliminated: nothing selected.
    assert_eq!(
        d.select(4, &Outcomes::default())
            .unwrap()
            .recommended_level(),
        None
    );
    assert_eq!(
        d.select(4, &"1TTT".parse().unwrap())
            .unwrap()
            .recommended_level(),
        None
    );
}

#[test]
fn boin_parameters_are_checked() {
    for (target, phi2, cohort, max_n) in [
        ("0", None, 3, None),
        ("0.8", None, 3, None),
        ("0.3", Some("0.2"), 3, None),
        ("0.3", None, 0, None),
        ("0.3", None, 3, Some(2)),
    ] {
        let error = Boin::with(
            target.parse().unwrap(),
            None,
            phi2.map(|p: &str| p.parse().unwrap()),
            cohort,
            max_n,
            None,
            false,
        );
        assert!(error.is_err(), "{target} {phi2:?} {cohort} {max_n:?}");
    }
}

fn outcomes_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (1u32..=4, prop::collection::vec(any::<bool>(), 1..=3)),
        0..=10,
    )
    .prop_map(|cohorts| {
        cohorts
            .iter()
            .map(|(level, dlt)| {
                let patients: String = dlt.iter().map(|t| if *t { 'T' } else { 'N' }).collect();
                format!("{level}{patients}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    })
}

proptest! {
    /// Neither design ever recommends, or sends the next cohort to, an eliminated level.
    #[test]
    fn no_decision_recommends_an_eliminated_level(outcomes in outcomes_strategy(), target in prop::sample::select(vec!["0.2", "0.25", "0.3", "0.33"])) {
        let parsed: Outcomes = outcomes.parse().unwrap();
        let within_six = (1..=4).all(|level| parsed.at(level).0 <= 6);
        for design in [
            Design::ThreePlusThree(Variant::Standard),
            Design::ThreePlusThree(Variant::DeEscalate),
            Design::Boin(boin(target)),
        ] {
            if design.name() == "3+3" && !within_six {
                // More than six at a level is not a 3+3 trial: refused, never decided.
                prop_assert!(design.decide(4, &parsed).is_err());
                continue;
            }
            let decision = design.decide(4, &outcomes.parse().unwrap()).unwrap();
            let eliminated = decision.eliminated_levels();
            for level in [decision.next_level(), decision.recommended_level()].into_iter().flatten() {
                prop_assert!(!eliminated.contains(&level), "{} {:?}: {:?}", design.name(), outcomes, decision);
            }
            let selected = design.select(4, &outcomes.parse().unwrap()).unwrap();
            if let Some(level) = selected.recommended_level() {
                prop_assert!(!selected.eliminated_levels().contains(&level));
            }
        }
    }

    /// 3+3 never escalates from a level where two patients have had a DLT.
    #[test]
    fn three_plus_three_never_escalates_after_two_dlts(outcomes in outcomes_strategy()) {
        let parsed: Outcomes = outcomes.parse().unwrap();
        prop_assume!((1..=4).all(|level| parsed.at(level).0 <= 6));
        for variant in [Variant::Standard, Variant::DeEscalate] {
            let decision = Design::ThreePlusThree(variant).decide(4, &parsed).unwrap();
            if let Some(current) = parsed.current_level()
                && parsed.at(current).1 >= 2
            {
                prop_assert_ne!(decision.step(), Step::Escalate, "{}", outcomes);
            }
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// BOIN's count table is monotone in n: more patients never lower a cut-off.
    #[test]
    fn the_count_table_is_monotone_in_n(target in 5u32..=45, cohort in 1u32..=6) {
        let design = Boin::with(Decimal::new(i64::from(target), 2), None, None, cohort, None, None, false).unwrap();
        let table = design.boundaries(36);
        for pair in table.windows(2) {
            prop_assert!(pair[0].escalate_at_most <= pair[1].escalate_at_most);
            if let (Some(a), Some(b)) = (pair[0].de_escalate_at_least, pair[1].de_escalate_at_least) {
                prop_assert!(a <= b);
            }
            if let (Some(a), Some(b)) = (pair[0].eliminate_at_least, pair[1].eliminate_at_least) {
                prop_assert!(a <= b);
            }
            // Escalating is always below de-escalating, which is at or below eliminating.
            for row in pair {
                if let Some(d) = row.de_escalate_at_least {
                    prop_assert!(row.escalate_at_most < d);
                    if let Some(x) = row.eliminate_at_least {
                        prop_assert!(d <= x, "{:?}", row);
                    }
                }
            }
        }
    }
}

/// The built-in cohort protocol with its escalation table's design keys replaced.
/// BOIN::select.mtd's answers, from tests/escalation/boin_select.py (a line-by-line port of the
/// package's function, committed beside it with its output).
#[test]
fn boin_selects_what_the_package_selects() {
    let text = include_str!("escalation/boin_select.txt");
    let mut compared = 0;
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let [target, levels, cohorts, expected] = fields[..] else {
            panic!("a line of four fields: {line}");
        };
        let design = Design::Boin(boin(target));
        let levels: u32 = levels.parse().unwrap();
        let selected = design
            .select(levels, &cohorts.parse().unwrap())
            .unwrap()
            .recommended_level();
        let expected = (expected != "NA").then(|| expected.parse::<u32>().unwrap());
        assert_eq!(selected, expected, "target {target}, {cohorts}");
        compared += 1;
    }
    assert!(compared >= 22, "{compared} data sets");
}

#[test]
fn the_count_table_caps_de_escalation_at_elimination_as_get_boundary_does() {
    let boin = Boin::with("0.6".parse().unwrap(), None, None, 1, Some(44), None, false).unwrap();
    let rows = boin.boundaries(44);
    let row = rows.last().unwrap();
    assert_eq!(
        (row.n, row.de_escalate_at_least, row.eliminate_at_least),
        (44, Some(32), Some(32))
    );
    // Everywhere: de-escalation never above elimination.
    for target in ["0.05", "0.1", "0.2", "0.3", "0.45", "0.6"] {
        let boin = Boin::with(
            target.parse().unwrap(),
            None,
            None,
            1,
            Some(1000),
            None,
            false,
        )
        .unwrap();
        for row in boin.boundaries(1000) {
            if let (Some(d), Some(e)) = (row.de_escalate_at_least, row.eliminate_at_least) {
                assert!(d <= e, "{target} {row:?}");
            }
            assert!(row.escalate_at_most < row.de_escalate_at_least.unwrap_or(u32::MAX));
        }
    }
}
