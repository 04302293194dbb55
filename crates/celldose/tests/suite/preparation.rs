//! From product to syringe: golden vectors worked by hand, and properties of the rounded volume.

use celldose::{
    DoseChoice, DoseRequest, FindingCode, Preparation, Product, Rounding, Severity, Verdict,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::{catalogue, hard_codes, request, shapes::example, text};

fn product(
    concentration: &str,
    viability: &str,
    positive: Option<&str>,
    available: &str,
) -> Product {
    Product::new(
        concentration.parse().unwrap(),
        viability.parse().unwrap(),
        positive.map(|p| p.parse().unwrap()),
        available.parse().unwrap(),
    )
    .unwrap()
}

fn prepare(
    protocol: &str,
    req: &DoseRequest,
    product: &Product,
    step: &str,
    tolerance: Option<&str>,
) -> celldose::Result<Preparation> {
    catalogue().find(protocol)?.prepare(
        req,
        product,
        step.parse()?,
        tolerance.map(|t| t.parse()).transpose()?,
    )
}

#[test]
fn the_nearest_step_when_it_is_inside() {
    // 70 kg × 1e6/kg = 70,000,000; 2.5e6/mL × 96 % = 2,400,000/mL; 70e6 / 2.4e6 = 29.1666… mL,
    // nearest 0.1 mL is 29.2 mL, which delivers 29.2 × 2.4e6 = 70,080,000 (+0.11 %).
    let req = request(Some("low-dose"), "", "70kg", Some("50"));
    let p = prepare(
        "NCT06167473",
        &req,
        &product("2.5e6/mL", "96%", None, "50mL"),
        "0.1mL",
        Some("5%"),
    )
    .unwrap();
    assert_eq!(p.product().active_cells_per_ml().to_string(), "2400000");
    assert_eq!(p.exact_volume_ml().to_string(), "29.166667");
    assert_eq!(p.volume().to_string(), "29.2 mL");
    assert_eq!(p.delivered_exact().to_string(), "70080000");
    assert_eq!(text(p.deviation_percent()), "0.11");
    assert_eq!(p.delivered_per_kg().to_string(), "1001142.86/kg");
    assert_eq!(p.verdict(), Verdict::Within);
    // The same product written per litre gives the same volume.
    let per_litre = prepare(
        "NCT06167473",
        &req,
        &product("2.5e9/L", "96%", None, "0.05L"),
        "100uL",
        Some("5%"),
    )
    .unwrap();
    assert_eq!(per_litre.volume(), p.volume());
}

#[test]
fn rounding_that_would_cross_the_minimum_takes_the_other_step() {
    // NCT07276568 level 1 at 72.5 kg is exactly the protocol minimum, 1,160,000,000 cells.
    // 1e8/mL × 89 % = 89,000,000/mL; 1.16e9 / 8.9e7 = 13.0337… mL. The nearest step, 13.0 mL,
    // delivers 1,157,000,000, below the minimum; 13.1 mL delivers 1,165,900,000 (+0.51 %).
    let req = request(Some("alf"), "level 1", "72.5kg", None);
    let p = prepare(
        "NCT07276568",
        &req,
        &product("1e8/mL", "89%", None, "20mL"),
        "0.1mL",
        Some("10%"),
    )
    .unwrap();
    assert_eq!(p.volume().to_string(), "13.1 mL");
    assert_eq!(p.delivered_exact().to_string(), "1165900000");
    assert_eq!(text(p.deviation_percent()), "0.51");
    assert_eq!(p.verdict(), Verdict::Within);
    let rounded: Vec<_> = p
        .findings()
        .filter(|f| f.code() == FindingCode::VolumeRoundedInside)
        .collect();
    assert_eq!(rounded.len(), 1);
    assert_eq!(
        rounded[0].message(celldose::human::Notation::Ascii),
        "the nearest 0.1 mL step, 13 mL, would fail a check (delivered 1,157,000,000 cells (1.157 x 10^9) is below the protocol minimum of 1,160,000,000 cells (1.16 x 10^9) for this patient), so 13.1 mL was taken"
    );
}

#[test]
fn a_bag_too_small_is_outside() {
    // 4.5e9 cells at 5e7/mL × 90 % = 4.5e7/mL is exactly 100 mL; the bag holds 68 mL.
    let req = request(Some("clf"), "level 4", "70kg", Some("50"));
    let p = prepare(
        "NCT05727722",
        &req,
        &product("5e7/mL", "90%", None, "68mL"),
        "0.1mL",
        Some("10%"),
    )
    .unwrap();
    assert_eq!(p.volume().to_string(), "100 mL");
    assert_eq!(
        hard_codes(p.findings()),
        vec![FindingCode::VolumeAboveAvailable]
    );
    assert_eq!(p.verdict(), Verdict::Outside);
    // With exactly 100 mL available it is inside: the edge is inclusive.
    let p = prepare(
        "NCT05727722",
        &req,
        &product("5e7/mL", "90%", None, "100mL"),
        "0.1mL",
        Some("10%"),
    )
    .unwrap();
    assert_eq!(p.verdict(), Verdict::Within);
}

#[test]
fn when_neither_step_is_inside_the_verdict_says_why() {
    // Steps of 1 mL: 29 mL delivers 69,600,000 (-0.57 %), 30 mL 72,000,000 (+2.86 %); a 0.5 %
    // tolerance admits neither.
    let req = request(Some("low-dose"), "", "70kg", Some("50"));
    let p = prepare(
        "NCT06167473",
        &req,
        &product("2.5e6/mL", "96%", None, "50mL"),
        "1mL",
        Some("0.5%"),
    )
    .unwrap();
    assert_eq!(p.volume().to_string(), "29 mL");
    assert_eq!(
        hard_codes(p.findings()),
        vec![
            FindingCode::DeliveredOutsideTolerance,
            FindingCode::NoVolumeInside
        ]
    );
    assert_eq!(p.verdict(), Verdict::Outside);
}

#[test]
fn the_positive_fraction_counts_only_marker_positive_cells() {
    // DEMO-BANDS at 60 kg: 2e6/kg × 60 = 1.2e8 CAR-positive cells. 2e6/mL × 90 % × 40 % =
    // 720,000/mL; 1.2e8 / 7.2e5 = 166.666… mL → 166.7 mL delivers 120,024,000 (+0.02 %).
    let protocol = example("weight-bands.toml");
    let req = request(None, "", "60kg", None);
    let p = protocol
        .prepare(
            &req,
            &product("2e6/mL", "90%", Some("40%"), "250mL"),
            "0.1mL".parse().unwrap(),
            Some("5%".parse().unwrap()),
        )
        .unwrap();
    assert_eq!(p.product().active_cells_per_ml().to_string(), "720000");
    assert_eq!(p.volume().to_string(), "166.7 mL");
    assert_eq!(p.delivered_exact().to_string(), "120024000");
    assert_eq!(p.verdict(), Verdict::Within);
}

#[test]
fn a_protocol_tolerance_can_make_the_other_step_preferable() {
    // DEMO-TOLERANCE: 70 kg target 70,000,000, soft 10 %. With 20 mL steps of 2.4e6/mL
    // (48,000,000 per step): 1 step is -31 % (hard), 2 steps +37 % (hard): outside.
    let protocol = example("tolerance.toml");
    let req = request(None, "", "70kg", None);
    let p = protocol
        .prepare(
            &req,
            &product("2.5e6/mL", "96%", None, "50mL"),
            "20mL".parse().unwrap(),
            None,
        )
        .unwrap();
    assert_eq!(p.verdict(), Verdict::Outside);
    // With 3 mL steps (7,200,000 each): 29.17 mL lies between 27 mL (-7.43 %) and 30 mL
    // (+2.86 %); the nearest, 30 mL, is inside.
    let p = protocol
        .prepare(
            &req,
            &product("2.5e6/mL", "96%", None, "50mL"),
            "3mL".parse().unwrap(),
            None,
        )
        .unwrap();
    assert_eq!(
        (p.volume().to_string(), p.verdict()),
        ("30 mL".to_owned(), Verdict::Within)
    );
}

#[test]
fn requests_that_cannot_be_prepared_are_errors() {
    let p = product("2.5e6/mL", "95%", None, "68mL");
    let range = request(Some("msc"), "", "60kg", None);
    assert!(
        prepare("NCT01218464", &range, &p, "0.1mL", None)
            .unwrap_err()
            .to_string()
            .contains("gives a range and no single dose")
    );
    let with_dose = request(Some("msc"), "0.75e6/kg", "60kg", None);
    assert_eq!(
        prepare("NCT01218464", &with_dose, &p, "0.1mL", Some("10%"))
            .unwrap()
            .volume()
            .to_string(),
        "18.9 mL"
    );
    let placebo = request(Some("placebo"), "", "60kg", None);
    assert_eq!(
        prepare("NCT01218464", &placebo, &p, "0.1mL", None)
            .unwrap_err()
            .to_string(),
        "protocol NCT01218464 arm placebo is a placebo arm: there are no cells to draw"
    );
    let point = request(Some("low-dose"), "", "60kg", None);
    assert!(
        prepare("NCT06167473", &point, &p, "0.1mL", None)
            .unwrap_err()
            .to_string()
            .starts_with("preparing a volume against the single dose")
    );
    for (viability, positive, message) in [
        (
            "0%",
            None,
            "viability 0% is not above 0%; accepted: above 0% and at most 100%",
        ),
        (
            "95%",
            Some("0%"),
            "positive fraction 0% is not above 0%; accepted: above 0% and at most 100%",
        ),
    ] {
        let error = Product::new(
            "2.5e6/mL".parse().unwrap(),
            viability.parse().unwrap(),
            positive.map(|p| p.parse().unwrap()),
            "68mL".parse().unwrap(),
        );
        assert_eq!(error.unwrap_err().to_string(), message);
    }
    assert!("101%".parse::<celldose::Percent>().is_err());
    assert!("0mL".parse::<celldose::Volume>().is_err(), "a step of zero");
    assert!("0/mL".parse::<celldose::Concentration>().is_err());
}

#[test]
fn every_built_in_protocol_can_be_prepared() {
    let p = product("1e8/mL", "90%", None, "500mL");
    let cases = [
        ("NCT07276568", Some("sfss"), "level 1"),
        ("NCT05727722", Some("aclf"), "level 3"),
        ("NCT01218464", Some("msc"), "1e6/kg"),
        ("NCT05227846", None, "level 4"),
        ("NCT06167473", Some("medium-high-dose"), ""),
    ];
    for (protocol, arm, choice) in cases {
        // Level 4 of NCT05227846 is above its escalation start: acknowledged here.
        let prepared = prepare(
            protocol,
            &request(arm, choice, "70kg", Some("50"))
                .with_acknowledgement("cohort 4 opened by the safety review")
                .unwrap(),
            &p,
            "0.1mL",
            Some("10%"),
        )
        .unwrap();
        assert_eq!(prepared.verdict(), Verdict::Within, "{protocol}");
        assert!(prepared.findings().all(|f| f.severity() != Severity::Hard));
    }
}

fn rounding() -> impl Strategy<Value = Rounding> {
    prop::sample::select(vec![
        Rounding::HalfEven,
        Rounding::HalfAwayFromZero,
        Rounding::Down,
        Rounding::Up,
    ])
}

proptest! {
    #[test]
    fn a_within_preparation_is_inside_every_limit(
        weight in 30_000i64..=150_000, per_kg_fraction in 0u32..=1000, concentration in 1_000_000u64..=500_000_000,
        viability in 50u32..=100, step_centi_ml in 1u32..=100, available in 1u32..=500, tolerance in 1u32..=20, rounding in rounding(),
    ) {
        let catalogue = catalogue();
        let protocol = catalogue.find("NCT07276568").unwrap();
        // Any dose in the range, edges included.
        let per_kg = Decimal::from(16_000_000u64) + Decimal::from(154_000_000u64) * Decimal::new(i64::from(per_kg_fraction), 3);
        let req = DoseRequest::new(
            format!("{}kg", Decimal::new(weight, 3)).parse().unwrap(),
            DoseChoice::Explicit(format!("{per_kg}/kg").parse().unwrap()),
            rounding,
        );
        let product = product(&format!("{concentration}/mL"), &format!("{viability}%"), None, &format!("{available}mL"));
        let step = format!("{}mL", Decimal::new(i64::from(step_centi_ml), 2));
        let p = match protocol.prepare(&req, &product, step.parse().unwrap(), Some(format!("{tolerance}%").parse().unwrap())) {
            Ok(p) => p,
            Err(error) => {
                // Only a volume beyond what celldose represents (10,000 mL) is refused outright.
                prop_assert!(error.to_string().contains("is more than celldose handles"), "{}", error);
                return Ok(());
            }
        };
        if p.verdict() == Verdict::Within {
            let delivered = p.delivered_exact();
            let c = p.calculation();
            prop_assert!(delivered >= c.exact_min().unwrap() && delivered <= c.exact_max().unwrap());
            prop_assert!(p.volume().ml() <= product.available().ml());
            let target = c.exact_cells().unwrap().get();
            prop_assert!((delivered.get() - target).abs() * Decimal::ONE_HUNDRED <= Decimal::from(tolerance) * target);
        }
    }

    #[test]
    fn halving_the_concentration_doubles_the_exact_volume(concentration in 2_000_000u64..=500_000_000, weight in 30u32..=150) {
        let catalogue = catalogue();
        let protocol = catalogue.find("NCT06167473").unwrap();
        let req = DoseRequest::new(format!("{weight}kg").parse().unwrap(), DoseChoice::ArmDose, Rounding::HalfEven).with_arm("low-dose");
        let at = |per_ml: Decimal| {
            let product = Product::new(celldose::Concentration::per_ml(per_ml).unwrap(), "100%".parse().unwrap(), None, "10000mL".parse().unwrap()).unwrap();
            protocol.prepare(&req, &product, "0.1mL".parse().unwrap(), Some("100%".parse().unwrap())).unwrap().exact_volume_ml()
        };
        let full = at(Decimal::from(concentration));
        let half = at(Decimal::from(concentration) / Decimal::TWO);
        // Each is a quotient shown to 0.000001 mL, so doubling may differ by one last place.
        prop_assert!((half - full * Decimal::TWO).abs() <= Decimal::new(2, 6), "{} vs {}", half, full);
    }
}
