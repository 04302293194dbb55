//! Exact to the last cell: a part of a bag stated by its total, the certificate's own viable and
//! T-cell figures, DMSO by volume and by day, a preparation held short by a limit, and the DINs
//! the documentation prints. Each golden case is worked by hand in its comments.

use celldose::calculation::{Course, Delivery};
use celldose::human::Notation;
use celldose::{
    Catalogue, Certificate, DoseChoice, DoseRequest, FindingCode, Protocol, Rounding, Severity,
    Verdict,
};
use num_bigint::BigInt;
use num_rational::BigRational;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn root() -> String {
    env!("CARGO_MANIFEST_DIR").to_owned()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", root())).unwrap()
}

fn builtin(id: &str) -> Protocol {
    Catalogue::builtin().unwrap().find(id).unwrap().clone()
}

/// One bag of `cells` (a `total = …` or `viable_concentration = …` line) in `volume`.
fn one_bag(counts: &str, lines: &str) -> Certificate {
    Certificate::from_toml(
        "p.toml",
        &format!("format = 1\nid = \"P\"\ncounts = \"{counts}\"\n[[bag]]\nid = \"T\"\n{lines}"),
    )
    .unwrap()
}

fn codes(findings: impl Iterator<Item = celldose::Finding>) -> Vec<(Severity, FindingCode)> {
    findings.map(|f| (f.severity(), f.code())).collect()
}

fn request(weight: &str, choice: DoseChoice) -> DoseRequest {
    DoseRequest::new(weight.parse().unwrap(), choice, Rounding::HalfAwayFromZero)
}

#[test]
fn a_part_of_a_bag_stated_by_its_total_is_its_exact_share_or_refused() {
    // 10⁸ viable cells in 3 mL. NCT06167473 low dose at 70 kg: 1 × 10⁶/kg = 70,000,000.
    // 70,000,000 ÷ (10⁸ ÷ 3 per mL) = 2.1 mL exactly, and 10⁸ × 2.1 ÷ 3 = 70,000,000 exactly.
    let product = one_bag(
        "viable",
        "volume = \"3mL\"\ntotal = \"1e8\"\nviability = \"100%\"\n",
    );
    let protocol = builtin("NCT06167473");
    let patient = request("70kg", DoseChoice::ArmDose).with_arm("low-dose");
    let given = protocol
        .prepare_from_bags(
            &patient,
            &product,
            &product.select(&[]).unwrap(),
            "0.1mL".parse().unwrap(),
            Some("10%".parse().unwrap()),
            None,
        )
        .unwrap();
    assert_eq!(
        given.product().unwrap().bags()[0].volume_ml().to_string(),
        "2.1"
    );
    assert_eq!(given.actual_exact().to_string(), "70000000");
    assert!(given.actual_exact().is_whole());
    assert_eq!(given.verdict(), Verdict::Within);
    let text = celldose::printout::check(&given, Notation::Unicode);
    assert!(
        text.contains("Delivers:         70,000,000 cells (7 × 10⁷)\n"),
        "{text}"
    );
    assert!(
        text.contains("exactly 2.1 mL would give the target"),
        "{text}"
    );
    assert!(!text.contains("69,999,999"), "{text}");
    // 1 mL holds 10⁸ ÷ 3 = 33,333,333.3…: not a terminating decimal, so it is refused, with
    // the fraction named, never printed as "exactly" a rounded figure.
    let bag = &product.bags()[0];
    let refused = Delivery::drawn_from(&product, &[(bag, "1mL".parse().unwrap())])
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("1 mL of it holds 33,333,333.3… (100,000,000 ÷ 3, not a terminating decimal) counted cells"),
        "{refused}"
    );
    // 0.3 mL holds 10,000,000 exactly.
    let tenth = Delivery::drawn_from(&product, &[(bag, "0.3mL".parse().unwrap())]).unwrap();
    assert_eq!(tenth.cells().to_string(), "10000000");
}

#[test]
fn the_exact_amount_at_a_limit_is_within_it() {
    // 10⁸ cells in 30 mL at 92 % viable: 9.2 × 10⁷ viable; 19.5 mL of 30 mL is 65 % of the bag:
    // 92,000,000 × 0.65 = 59,800,000 exactly. NCT01218464 msc at 59.8 kg allows 0.5–1.0 × 10⁶/kg:
    // at most 59,800,000. The amount is the maximum itself: within (the edge is inclusive).
    let product = one_bag(
        "viable",
        "volume = \"30mL\"\ntotal = \"1e8\"\nviability = \"92%\"\n",
    );
    let bag = &product.bags()[0];
    let delivery = Delivery::drawn_from(&product, &[(bag, "19.5mL".parse().unwrap())]).unwrap();
    assert_eq!(delivery.cells().to_string(), "59800000");
    let patient = request("59.8kg", DoseChoice::ArmDose)
        .with_arm("msc")
        .with_age("40".parse().unwrap());
    let check = builtin("NCT01218464")
        .check_delivery(&patient, &delivery, None, None)
        .unwrap();
    assert_eq!(
        check.verdict(),
        Verdict::Within,
        "{:?}",
        codes(check.findings().cloned())
    );
    // A check's verdict is on what was given: the range-only note says so, not "choose a dose".
    let note = check
        .findings()
        .find(|f| f.code() == FindingCode::RangeOnly)
        .unwrap()
        .message(Notation::Unicode)
        .into_owned();
    assert!(
        note.contains("what was given is judged against that range"),
        "{note}"
    );
    assert!(!note.contains("no dose was chosen"), "{note}");
}

#[test]
fn a_certificates_viable_and_t_cell_figures_are_used_as_stated() {
    // examples/products/viable-certificate.toml: 3 × 10⁶ viable cells/mL × 50 mL = 1.5 × 10⁸
    // viable (the 75 % viability is in that figure already); × 80 % CD3+ = 1.2 × 10⁸ T cells;
    // × 45 % CAR+ of T cells = 54,000,000.
    let text = read("examples/products/viable-certificate.toml");
    let product = Certificate::from_toml("v.toml", &text).unwrap();
    assert_eq!(product.bags()[0].counted().to_string(), "54000000");
    // Without t_cells, 45 % would be of all viable cells: 67,500,000.
    let no_t =
        Certificate::from_toml("v.toml", &text.replace("\nt_cells = \"80%\"\n", "\n")).unwrap();
    assert_eq!(no_t.bags()[0].counted().to_string(), "67500000");
    // The same bag stated by its nucleated concentration, 4 × 10⁶/mL at 75 % viable, gives the
    // same 3 × 10⁶ viable cells/mL, and so the same count.
    let nucleated = Certificate::from_toml(
        "v.toml",
        &text.replace(
            "\nviable_concentration = \"3e6/mL\"",
            "\nconcentration = \"4e6/mL\"",
        ),
    )
    .unwrap();
    assert_eq!(nucleated.bags()[0].counted().to_string(), "54000000");
    // A viable total: 1.5 × 10⁸ viable, × 80 % × 45 % = 54,000,000.
    let total = Certificate::from_toml(
        "v.toml",
        &text.replace(
            "\nviable_concentration = \"3e6/mL\"",
            "\nviable_total = \"1.5e8\"",
        ),
    )
    .unwrap();
    assert_eq!(total.bags()[0].counted().to_string(), "54000000");
    // A user who types the certificate's viable 3e6/mL as `concentration` at 75 % would get
    // 40,500,000; viable_concentration is the key for it. Two ways of stating the cells at once
    // are refused, naming both.
    let both = Certificate::from_toml(
        "v.toml",
        &text.replace(
            "\nviable_concentration = \"3e6/mL\"",
            "\nviable_concentration = \"3e6/mL\"\nconcentration = \"4e6/mL\"",
        ),
    )
    .unwrap_err()
    .to_string();
    assert!(
        both.contains("gives both `concentration` and `viable_concentration`; give one"),
        "{both}"
    );
    // t_cells belongs to CAR-positive viable T cells only; a viable figure to products that
    // count viable cells.
    let t_elsewhere = Certificate::from_toml(
        "p.toml",
        "format = 1\nid = \"P\"\ncounts = \"viable\"\n[[bag]]\nid = \"A\"\nvolume = \"3mL\"\ntotal = \"1e8\"\nviability = \"90%\"\nt_cells = \"80%\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        t_elsewhere.contains("the T-cell percentage applies only to CAR-positive viable T cells"),
        "{t_elsewhere}"
    );
    let viable_nucleated = Certificate::from_toml(
        "p.toml",
        "format = 1\nid = \"P\"\ncounts = \"total-nucleated\"\n[[bag]]\nid = \"A\"\nvolume = \"3mL\"\nviable_total = \"1e8\"\nviability = \"90%\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        viable_nucleated.contains("states viable cells, but the product counts"),
        "{viable_nucleated}"
    );
}

fn same_day() -> Protocol {
    Protocol::from_toml("s.toml", &read("examples/protocols/same-day-split.toml")).unwrap()
}

/// 10⁷ viable cells in 20 mL with 10 % v/v DMSO: 2 mL of DMSO in the whole bag.
fn dmso_bag() -> Certificate {
    one_bag(
        "viable",
        "volume = \"20mL\"\ntotal = \"1e7\"\nviability = \"100%\"\ndmso = \"10%\"\n",
    )
}

#[test]
fn dmso_by_volume_per_day_sums_the_infusions_of_one_day() {
    // DEMO-SAME-DAY: 2 × 10⁶/kg in two halves on day 0, DMSO at most 1 mL/kg a day. At 10 kg each
    // infusion's target is 10,000,000 (the whole bag) and the day's DMSO limit is 10 mL.
    let protocol = same_day();
    let product = dmso_bag();
    let all = Delivery::bags(&product, &product.select(&[]).unwrap()).unwrap();
    let patient = request("10kg", DoseChoice::ArmDose);
    let check = |r: &DoseRequest, infusion: u32| {
        protocol
            .check_delivery(r, &all, None, Some(Course::infusion(infusion)))
            .unwrap()
    };
    // Infusion 1: 2 mL of DMSO, under 10 mL.
    assert_eq!(check(&patient, 1).verdict(), Verdict::Within);
    // Infusion 2, nothing said of infusion 1's DMSO the same day: a review, not a quiet pass.
    let unknown = check(&patient, 2);
    assert_eq!(unknown.verdict(), Verdict::Review);
    assert!(
        codes(unknown.findings().cloned())
            .contains(&(Severity::Soft, FindingCode::DmsoGivenTodayNotStated))
    );
    // 9 mL given earlier that day + 2 mL now = 11 mL > 10 mL: outside, with the day's total.
    let over = check(
        &patient
            .clone()
            .with_dmso_given_today("9mL".parse().unwrap()),
        2,
    );
    assert_eq!(over.verdict(), Verdict::Outside);
    let words = over
        .findings()
        .find(|f| f.code() == FindingCode::DmsoAboveLimit)
        .unwrap()
        .message(Notation::Unicode)
        .into_owned();
    assert!(
        words.contains("with 9 mL given earlier that day, the day's total is 11 mL, above the protocol's daily maximum of 1 mL/kg (10 mL for this weight)"),
        "{words}"
    );
    // 8 mL + 2 mL = 10 mL: the limit itself, within. 8.8 g at 1.1 g/mL is the same 8 mL.
    for earlier in ["8mL", "8.8g"] {
        let at = check(
            &patient
                .clone()
                .with_dmso_given_today(earlier.parse().unwrap()),
            2,
        );
        assert_eq!(
            at.verdict(),
            Verdict::Within,
            "{earlier}: {:?}",
            codes(at.findings().cloned())
        );
    }
    // In grams: 1 mL/kg becomes "1.1 g/kg" for the same limit, and 9.9 g + 2.2 g is over 11 g.
    let in_grams = Protocol::from_toml(
        "s.toml",
        &read("examples/protocols/same-day-split.toml").replace("\"1 mL/kg\"", "\"1.1 g/kg\""),
    )
    .unwrap();
    let over = in_grams
        .check_delivery(
            &patient
                .clone()
                .with_dmso_given_today("9.9g".parse().unwrap()),
            &all,
            None,
            Some(Course::infusion(2)),
        )
        .unwrap();
    assert_eq!(over.verdict(), Verdict::Outside);
}

#[test]
fn a_preparation_held_short_of_the_chosen_dose_by_a_limit_is_a_review() {
    // 0.5–3 × 10⁶/kg, DMSO at most 0.1 g/kg. At 4 kg the dose chosen, 2 × 10⁶/kg, is 8,000,000
    // cells: 8 mL of a bag of 10⁶ viable cells/mL with 10 % DMSO, 0.88 g of DMSO, over the 0.4 g
    // allowed. The most DMSO allows is 3.6 mL (0.396 g): 3,600,000 cells, 55 % short of the dose
    // chosen, more than the 10 % allowed where no tolerance applies: a review.
    let protocol = Protocol::from_toml(
        "r.toml",
        "format = 1\nid = \"DEMO-RANGE-DMSO\"\nversion = \"1\"\ntitle = \"Range with a DMSO limit\"\nproduct = \"cells\"\nroute = \"intravenous\"\ncounts = \"viable\"\n[source]\nregistry = \"site\"\nrecord = \"R\"\nquote = \"0.5 to 3 x 10^6/kg; DMSO at most 0.1 g/kg\"\n[infusion_limits]\nmax_dmso = \"0.1 g/kg\"\n[[arm]]\nid = \"all\"\nname = \"All\"\nregimen = \"r\"\n[[regimen]]\nid = \"r\"\nmin_dose = \"0.5e6/kg\"\nmax_dose = \"3e6/kg\"\ninfusions = 1\n",
    )
    .unwrap();
    let product = one_bag(
        "viable",
        "volume = \"10mL\"\nconcentration = \"1e6/mL\"\nviability = \"100%\"\ndmso = \"10%\"\n",
    );
    let prepared = protocol
        .prepare_from_bags(
            &request("4kg", DoseChoice::Explicit("2e6/kg".parse().unwrap())),
            &product,
            &product.select(&[]).unwrap(),
            "0.1mL".parse().unwrap(),
            None,
            None,
        )
        .unwrap();
    assert_eq!(prepared.actual_exact().to_string(), "3600000");
    assert_eq!(prepared.verdict(), Verdict::Review);
    let short = prepared
        .findings()
        .find(|f| f.code() == FindingCode::ShortOfChosenDose)
        .unwrap()
        .message(Notation::Unicode)
        .into_owned();
    assert!(
        short.contains(
            "3,600,000 cells (3.6 × 10⁶), is 55% below the target of 8,000,000 cells (8 × 10⁶)"
        ),
        "{short}"
    );
    assert!(
        short.contains("because a limit on what goes in with the cells"),
        "{short}"
    );
}

fn fraction(value: Decimal) -> BigRational {
    BigRational::new(
        BigInt::from(value.mantissa()),
        BigInt::from(10).pow(value.scale()),
    )
}

/// The fraction as a decimal, where it is one with at most 28 places.
fn terminating(value: &BigRational) -> bool {
    let mut d = value.denom().clone();
    for p in [2, 5] {
        while &d % p == BigInt::from(0) {
            d /= p;
        }
    }
    d == BigInt::from(1)
}

proptest! {
    /// For random totals, volumes, parts and viabilities, a check of a part of a bag either is
    /// refused (the part's count does not terminate) or gives the verdict computed here with
    /// fractions: within 0.5–1.0 × 10⁶/kg at the weight, both edges included.
    #[test]
    fn a_check_from_a_part_of_a_bag_agrees_with_fractions(
        total in 1u64..=20_000_000_000,
        volume_tenths in 1u32..=5_000,
        part_tenths in 1u32..=5_000,
        viability_tenths in 1u32..=1_000,
        weight_tenths in 400u32..=1_500,
    ) {
        let part_tenths = part_tenths.min(volume_tenths);
        let product = one_bag(
            "viable",
            &format!(
                "volume = \"{}mL\"\ntotal = \"{total}\"\nviability = \"{}%\"\n",
                Decimal::new(i64::from(volume_tenths), 1),
                Decimal::new(i64::from(viability_tenths), 1)
            ),
        );
        let bag = &product.bags()[0];
        let part = Decimal::new(i64::from(part_tenths), 1);
        let weight = Decimal::new(i64::from(weight_tenths), 1);
        let exact = fraction(Decimal::from(total))
            * fraction(Decimal::new(i64::from(viability_tenths), 1))
            / BigRational::from_integer(BigInt::from(100))
            * fraction(part)
            / fraction(Decimal::new(i64::from(volume_tenths), 1));
        let delivery = Delivery::drawn_from(&product, &[(bag, celldose::Volume::from_ml(part).unwrap())]);
        if !terminating(&exact) {
            prop_assert!(delivery.is_err());
            return Ok(());
        }
        let delivery = delivery.unwrap();
        prop_assert_eq!(fraction(delivery.cells().get()), exact.clone());
        let patient = request(&format!("{weight}kg"), DoseChoice::ArmDose)
            .with_arm("msc")
            .with_age("40".parse().unwrap());
        let check = builtin("NCT01218464").check_delivery(&patient, &delivery, None, None).unwrap();
        let low = fraction(Decimal::new(5, 1)) * BigRational::from_integer(BigInt::from(1_000_000)) * fraction(weight);
        let high = BigRational::from_integer(BigInt::from(1_000_000)) * fraction(weight);
        let within = low <= exact && exact <= high;
        prop_assert_eq!(check.verdict() == Verdict::Within, within, "{} cells", delivery.cells());
    }
}
