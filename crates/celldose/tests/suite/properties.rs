//! Property tests over every built-in protocol, arm and level.

use celldose::{
    AgeYears, BodyWeight, CellCount, CellsPerKg, Dose, DoseChoice, DoseRequest, EnteredWeight,
    Percent, Rounding, Verdict,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::catalogue;

const ROUNDINGS: [Rounding; 4] = [
    Rounding::HalfEven,
    Rounding::HalfAwayFromZero,
    Rounding::Down,
    Rounding::Up,
];

/// Plausible body weights: 0.2 kg to 700 kg with up to six decimal places.
fn weight() -> impl Strategy<Value = EnteredWeight> {
    (200_000i64..=700_000_000i64)
        .prop_map(|micro_kg| format!("{}kg", Decimal::new(micro_kg, 6)).parse().unwrap())
}

fn rounding() -> impl Strategy<Value = Rounding> {
    prop::sample::select(ROUNDINGS.to_vec())
}

proptest! {
    #[test]
    fn parse_display_is_the_identity(mantissa in 0i64..=999_999_999_999, scale in 0u32..=6) {
        let value = Decimal::new(mantissa, scale);
        if let Ok(count) = CellCount::new(value) {
            prop_assert_eq!(count.to_string().parse::<CellCount>().unwrap(), count);
        }
        if let Ok(per_kg) = CellsPerKg::new(value) {
            prop_assert_eq!(per_kg.to_string().parse::<CellsPerKg>().unwrap(), per_kg);
            let dose = Dose::PerKg(per_kg);
            prop_assert_eq!(dose.to_string().parse::<Dose>().unwrap(), dose);
        }
        if let Ok(weight) = BodyWeight::from_kg(value) {
            prop_assert_eq!(weight.to_string().parse::<BodyWeight>().unwrap(), weight);
        }
        if let Ok(age) = AgeYears::new(value) {
            prop_assert_eq!(age.to_string().parse::<AgeYears>().unwrap(), age);
        }
        if let Ok(percent) = Percent::new(value) {
            prop_assert_eq!(percent.to_string().parse::<Percent>().unwrap(), percent);
        }
    }

    #[test]
    fn entered_weights_round_trip_in_every_unit(amount in 1i64..=1_500_000, unit in prop::sample::select(vec!["kg", "g", "lb"])) {
        let text = format!("{}{unit}", Decimal::new(amount, 3));
        if let Ok(entered) = text.parse::<EnteredWeight>() {
            prop_assert_eq!(entered.to_string().parse::<EnteredWeight>().unwrap(), entered);
            prop_assert_eq!(entered.weight().to_string().parse::<BodyWeight>().unwrap(), entered.weight());
        }
    }

    #[test]
    fn no_string_makes_a_parser_panic(input in "\\PC{0,24}") {
        let _ = input.parse::<CellCount>();
        let _ = input.parse::<CellsPerKg>();
        let _ = input.parse::<Dose>();
        let _ = input.parse::<EnteredWeight>();
        let _ = input.parse::<AgeYears>();
        let _ = input.parse::<Percent>();
    }

    #[test]
    fn no_number_like_string_makes_a_parser_panic(
        digits in "[0-9]{0,40}", fraction in "[0-9]{0,40}", exponent in "-?[0-9]{0,5}",
        form in prop::sample::select(vec!["e", "x10^", "×10^", ""]),
        unit in prop::sample::select(vec!["", "kg", "g", "lb", "/kg", "%", "cells"]),
    ) {
        let input = format!("{digits}.{fraction}{form}{exponent}{unit}");
        let _ = input.parse::<CellCount>();
        let _ = input.parse::<Dose>();
        let _ = input.parse::<EnteredWeight>();
        let _ = input.parse::<AgeYears>();
        let _ = input.parse::<Percent>();
    }

    #[test]
    fn for_per_kg_rules_the_count_grows_with_weight(a in weight(), b in weight(), rounding in rounding()) {
        let (light, heavy) = if a.weight() <= b.weight() { (a, b) } else { (b, a) };
        let catalogue = catalogue();
        for (protocol, arm, choice) in [
            ("NCT07276568", "alf", DoseChoice::Level(1)),
            ("NCT06167473", "low-dose", DoseChoice::ArmDose),
            ("NCT06167473", "medium-high-dose", DoseChoice::ArmDose),
            ("NCT01218464", "msc", DoseChoice::Explicit("0.75e6/kg".parse().unwrap())),
        ] {
            let p = catalogue.find(protocol).unwrap();
            let at = |w: EnteredWeight| p.calculate(&DoseRequest::new(w, choice, rounding).with_arm(arm)).unwrap();
            prop_assert!(at(light).exact_cells() <= at(heavy).exact_cells());
            prop_assert!(at(light).cells() <= at(heavy).cells());
        }
    }

    #[test]
    fn every_level_for_an_eligible_patient_is_within(weight in weight(), age in 18u32..=65, rounding in rounding()) {
        let catalogue = catalogue();
        for protocol in catalogue.protocols() {
            for arm in protocol.arms() {
                let mut choices: Vec<DoseChoice> = arm.regimen().levels().iter().map(|l| DoseChoice::Level(l.number())).collect();
                if arm.regimen().rule().is_some() {
                    choices.push(DoseChoice::ArmDose);
                }
                for choice in choices {
                    let request = DoseRequest::new(weight, choice, rounding)
                        .with_arm(arm.id())
                        .with_age(AgeYears::new(Decimal::from(age)).unwrap());
                    let c = protocol.calculate(&request).unwrap();
                    let eligible = protocol.weight_window().is_none_or(|w| w.check(weight.weight()).is_ok());
                    // A level above the escalation start waits for its safety review (review), and
                    // a range with no dose chosen has no verdict on a dose.
                    let above_start = matches!((arm.regimen().escalation(), choice), (Some(e), DoseChoice::Level(n)) if n > e.start_level());
                    let no_dose = choice == DoseChoice::ArmDose && arm.regimen().rule().is_some_and(|r| r.bounds().is_some());
                    let expected = match (eligible, above_start, no_dose) {
                        (false, _, _) => Verdict::Outside,
                        (true, true, _) => Verdict::Review,
                        (true, false, true) => Verdict::NoDoseChosen,
                        (true, false, false) => Verdict::Within,
                    };
                    prop_assert_eq!(c.verdict(), expected, "{} {} {:?}", protocol.id(), arm.id(), choice);
                    if let (Some(cells), Some(min), Some(max)) = (c.cells(), c.min_cells(), c.max_cells()) {
                        prop_assert!(min <= cells && cells <= max);
                    }
                }
            }
        }
    }

    #[test]
    fn rounding_never_crosses_a_limit(weight in weight(), per_kg_milli in 0i64..=1_000_000_000, rounding in rounding()) {
        let catalogue = catalogue();
        // Doses spread across each range (in thousandths of a cell per kg), edges included.
        for (protocol, arm, low, high) in [
            ("NCT07276568", "alf", 16_000_000i64, 170_000_000i64),
            ("NCT01218464", "msc", 500_000, 1_000_000),
        ] {
            let span = Decimal::from(high - low);
            let fraction = Decimal::new(per_kg_milli, 9);
            let per_kg = Decimal::from(low) + span * fraction;
            let dose = Dose::PerKg(CellsPerKg::new(per_kg).unwrap());
            let p = catalogue.find(protocol).unwrap();
            let c = p.calculate(&DoseRequest::new(weight, DoseChoice::Explicit(dose), rounding).with_arm(arm)).unwrap();
            let cells = c.cells().unwrap().get();
            prop_assert!(cells >= c.exact_min().unwrap().get(), "{} below exact min", cells);
            prop_assert!(cells <= c.exact_max().unwrap().get(), "{} above exact max", cells);
            prop_assert!((cells - c.exact_cells().unwrap().get()).abs() < Decimal::ONE);
        }
    }

    #[test]
    fn the_same_input_gives_the_same_output(weight in weight(), level in 1u32..=4, rounding in rounding()) {
        let catalogue = catalogue();
        let p = catalogue.find("NCT05727722").unwrap();
        let request = DoseRequest::new(weight, DoseChoice::Level(level), rounding).with_arm("clf");
        prop_assert_eq!(p.calculate(&request).unwrap(), p.calculate(&request).unwrap());
    }

    #[test]
    fn any_request_and_delivered_count_gives_a_result_or_an_error(
        weight in weight(),
        protocol_index in 0usize..5,
        arm_index in 0usize..4,
        level in 0u32..6,
        cells in 0i64..=i64::MAX,
        tolerance in 0u32..=100,
        rounding in rounding(),
    ) {
        let catalogue = catalogue();
        let protocol = &catalogue.protocols()[protocol_index];
        let arm = protocol.arms().get(arm_index).map_or("none", |a| a.id());
        let request = DoseRequest::new(weight, DoseChoice::Level(level), rounding).with_arm(arm);
        let cells = CellCount::new(Decimal::from(cells).min(CellCount::MAX.get())).unwrap();
        let _ = protocol.check(&request, cells, Some(Percent::new(Decimal::from(tolerance)).unwrap()));
    }
}

proptest! {
    /// The rounded quotient a report shows (dose per kg, deviation) is the same by integer
    /// division as by `Decimal` division then rounding, for every strategy, over counts up to
    /// the maximum, weights with up to six places and signed differences.
    #[test]
    fn a_rounded_quotient_by_integers_is_the_decimal_one(
        numerator in -1_000_000_000_000_000i64..=1_000_000_000_000_000i64,
        numerator_scale in 0u32..=4,
        denominator in 1i64..=700_000_000_000i64,
        denominator_scale in 0u32..=6,
        negative in any::<bool>(),
        places in 0u32..=4,
        rounding in rounding(),
    ) {
        let numerator = Decimal::new(numerator, numerator_scale);
        let mut denominator = Decimal::new(denominator, denominator_scale);
        denominator.set_sign_negative(negative);
        let by_decimal = numerator
            .checked_div(denominator)
            .map(|q| rounding.to_places(q, places));
        // The same decimal, bit for bit: digits, scale and sign (no negative zero).
        let got = rounding.quotient(numerator, denominator, places);
        prop_assert_eq!(got.map(|q| q.serialize()), by_decimal.map(|q| q.serialize()));
    }

    /// Ties are where strategies differ: a quotient that ends exactly in 5 at the next place.
    #[test]
    fn a_tie_rounds_by_the_strategy(whole in 0i64..1_000_000_000, places in 0u32..=3, rounding in rounding()) {
        let numerator = Decimal::new(whole.checked_mul(10).unwrap().checked_add(5).unwrap(), places.checked_add(1).unwrap());
        let by_decimal = rounding.to_places(numerator, places);
        let bits = |q: Option<Decimal>| q.map(|q| q.serialize());
        prop_assert_eq!(bits(rounding.quotient(numerator, Decimal::ONE, places)), bits(Some(by_decimal)));
        prop_assert_eq!(
            bits(rounding.quotient(-numerator, Decimal::ONE, places)),
            bits(Some(rounding.to_places(-numerator, places)))
        );
    }
}
