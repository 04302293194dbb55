//! From bag to patient, on the clock: the recipient, the labels scanned, expiry and the thaw
//! window, judged for the bags of the autologous example product under a protocol that allows
//! 30 minutes from thaw to infusion.

use celldose::calculation::{Custody, Delivery};
use celldose::{
    Certificate, DeliveryCheck, DoseChoice, DoseRequest, FindingCode, Protocol, Rounding, Severity,
    Verdict,
};
use proptest::prelude::*;

fn example(kind: &str, name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/examples/{kind}/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn protocol() -> Protocol {
    Protocol::from_toml("car-t-thaw.toml", &example("protocols", "car-t-thaw.toml")).unwrap()
}

fn product() -> Certificate {
    Certificate::from_toml(
        "car-t-autologous.toml",
        &example("products", "car-t-autologous.toml"),
    )
    .unwrap()
}

fn request(weight: &str, patient: Option<&str>) -> DoseRequest {
    let request = DoseRequest::new(
        weight.parse().unwrap(),
        DoseChoice::ArmDose,
        Rounding::HalfAwayFromZero,
    );
    match patient {
        Some(patient) => request.with_patient(patient).unwrap(),
        None => request,
    }
}

/// Both bags of `product`, checked for `patient` at 100 kg with `custody`.
fn judged_for(
    product: &Certificate,
    patient: Option<&str>,
    custody: &Custody,
) -> celldose::Result<DeliveryCheck> {
    let protocol = protocol();
    let delivery = Delivery::bags(product, &product.select(&[]).unwrap()).unwrap();
    protocol
        .check_delivery(&request("100kg", patient), &delivery, None, None)
        .unwrap()
        .with_custody(custody, product, &protocol.product_rules().handling)
}

fn judged(patient: Option<&str>, custody: &Custody) -> celldose::Result<DeliveryCheck> {
    judged_for(&product(), patient, custody)
}

fn codes(check: &DeliveryCheck) -> Vec<(Severity, &'static str)> {
    check
        .findings()
        .map(|f| (f.severity(), f.code().as_str()))
        .collect()
}

/// The right labels, thawed at 14:30 (+01:00), the infusion starting `minutes` later.
fn in_time(minutes: u32) -> Custody {
    let thawed: celldose::units::Moment = "2026-12-05T14:30:00+01:00".parse().unwrap();
    Custody::default()
        .with_scan("=W12342600091200")
        .unwrap()
        .with_scan("=<S1234V01")
        .unwrap()
        .with_scan("=<S1234V02")
        .unwrap()
        .with_thawed_at(thawed)
        .with_infusion_start(thawed.plus_minutes(minutes).unwrap())
}

#[test]
fn the_right_patient_labels_and_times_leave_the_count_to_decide() {
    let check = judged(Some("S-021"), &in_time(20)).unwrap();
    assert_eq!(check.verdict(), Verdict::Within);
    assert_eq!(codes(&check), [(Severity::Info, "infuse-by")]);
    let custody = check.custody().unwrap();
    assert_eq!(
        custody.limit().unwrap().infuse_by().unwrap().to_string(),
        "2026-12-05T15:00:00+01:00"
    );
    assert_eq!(custody.scans().len(), 3);
}

#[test]
fn another_patient_is_wrong_patient_and_no_patient_is_refused() {
    let check = judged(Some("S-022"), &in_time(20)).unwrap();
    assert_eq!(check.verdict(), Verdict::Outside);
    let finding = check
        .findings()
        .find(|f| f.code() == FindingCode::WrongRecipient)
        .unwrap();
    assert_eq!(finding.severity(), Severity::Hard);
    assert_eq!(
        finding.message(celldose::human::Notation::Unicode),
        "WRONG PATIENT: product CART-AUTO-0912 was made for patient S-021, and this is patient S-022; do not infuse"
    );
    assert_eq!(
        celldose::FindingCode::stops(check.findings()),
        ["WRONG PATIENT"]
    );
    let refused = judged(None, &in_time(20)).unwrap_err().to_string();
    assert!(
        refused.contains("product CART-AUTO-0912 was made for one patient (S-021)"),
        "{refused}"
    );
    // A product that says nothing of its recipient: soft, whoever is dosed.
    let unnamed = Certificate::from_toml(
        "unnamed.toml",
        &example("products", "car-t-autologous.toml").replace("recipient = \"S-021\"\n", ""),
    )
    .unwrap();
    let check = judged_for(&unnamed, Some("S-021"), &in_time(20)).unwrap();
    assert!(codes(&check).contains(&(Severity::Soft, "recipient-not-stated")));
    assert_eq!(check.verdict(), Verdict::Review);
}

#[test]
fn labels_of_another_product_an_unknown_bag_or_a_missing_scan_are_found() {
    let base = |scans: &[&str]| {
        let mut custody = Custody::default()
            .with_thawed_at("2026-12-05T14:30:00+01:00".parse().unwrap())
            .with_infusion_start("2026-12-05T14:40:00+01:00".parse().unwrap());
        for scan in scans {
            custody = custody.with_scan(scan).unwrap();
        }
        judged(Some("S-021"), &custody).unwrap()
    };
    let other = base(&["=W12342600041700", "=<S1234V01", "=<S1234V02"]);
    assert!(codes(&other).contains(&(Severity::Hard, "wrong-product")));
    assert_eq!(
        celldose::FindingCode::stops(other.findings()),
        ["WRONG PRODUCT"]
    );
    let division = base(&["=W12342600091200", "=<S1234V01", "=<S1234V03"]);
    let found = codes(&division);
    assert!(
        found.contains(&(Severity::Hard, "bag-not-in-product")),
        "{found:?}"
    );
    // V03 is no bag's, so bag 2 was not scanned either.
    assert!(found.contains(&(Severity::Soft, "bag-not-scanned")));
    let missing = base(&["=W12342600091200", "=<S1234V01"]);
    assert_eq!(missing.verdict(), Verdict::Review);
    let message = missing
        .findings()
        .find(|f| f.code() == FindingCode::BagNotScanned)
        .unwrap()
        .message(celldose::human::Notation::Unicode)
        .into_owned();
    assert!(message.starts_with("bag 2 was not scanned"), "{message}");
    let no_din = base(&["=<S1234V01", "=<S1234V02"]);
    assert!(no_din.findings().any(|f| {
        f.message(celldose::human::Notation::Unicode)
            .starts_with("no DIN was scanned")
    }));
}

#[test]
fn a_bad_check_character_or_a_malformed_scan_is_refused_naming_it() {
    use celldose::certificate::Scan;
    // The DIN's check character is J; flags 60 + 19 = 79 carry it.
    assert!(Scan::parse("=W12342600091279").is_ok());
    let flagged = Scan::parse("=W12342600091278").unwrap_err().to_string();
    assert!(flagged.contains("carry check value 18"), "{flagged}");
    let typed = Scan::parse("=W12342600091200 K").unwrap_err().to_string();
    assert!(typed.contains("the check character typed, \"K\", does not match the DIN (ISO/IEC 7064 MOD 37-2 gives J)"), "{typed}");
    assert!(Scan::parse("=W12342600091200 J").is_ok());
    for (scan, words) in [
        ("=<S12V01", "not an ISBT 128 product code"),
        ("=W1234260009", "data structure 001 is = and 15 characters"),
        ("=>0270601200", "data structure 005, &>cyyjjjhhmm"),
        ("=>027400", "day 400 of 2027 is not a date"),
        ("&>0270602460", "2460 is not a time of day"),
        ("W12342600091200", "accepted: a DIN"),
    ] {
        let refused = Scan::parse(scan).unwrap_err().to_string();
        assert!(refused.contains(words), "{scan}: {refused}");
        assert!(
            refused.starts_with(&format!("scan \"{scan}\"")),
            "{refused}"
        );
    }
}

#[test]
fn expiry_is_judged_at_the_infusion_start_the_edge_minute_inside() {
    // The product and both bags expire 2027-03-01T12:00:00+01:00.
    let at = |start: &str| {
        let custody = Custody::default()
            .with_thawed_at("2027-03-01T11:50:00+01:00".parse().unwrap())
            .with_infusion_start(start.parse().unwrap());
        judged(Some("S-021"), &custody).unwrap()
    };
    let edge = at("2027-03-01T12:00:00+01:00");
    assert!(!codes(&edge).iter().any(|(_, c)| *c == "product-expired"));
    assert_eq!(edge.verdict(), Verdict::Within);
    let after = at("2027-03-01T12:01:00+01:00");
    assert_eq!(after.verdict(), Verdict::Outside);
    assert_eq!(
        codes(&after)
            .iter()
            .filter(|(_, c)| *c == "product-expired")
            .count(),
        3,
        "the product and both bags"
    );
    // The same instant written in UTC is the same edge.
    assert_eq!(at("2027-03-01T11:00:00Z").verdict(), Verdict::Within);
    // A label's expiry (data structure 005) is read on the infusion's clock.
    let label = Custody::default()
        .with_scan("&>0263391630")
        .unwrap()
        .with_thawed_at("2026-12-05T16:20:00+01:00".parse().unwrap())
        .with_infusion_start("2026-12-05T16:31:00+01:00".parse().unwrap());
    assert!(
        codes(&judged(Some("S-021"), &label).unwrap())
            .contains(&(Severity::Hard, "product-expired"))
    );
}

#[test]
fn thaw_at_29_30_and_31_minutes_for_a_30_minute_limit_from_completion_and_from_start() {
    for (minutes, exceeded) in [(29, false), (30, false), (31, true)] {
        let check = judged(Some("S-021"), &in_time(minutes)).unwrap();
        let found = codes(&check);
        assert_eq!(
            found.contains(&(Severity::Hard, "thaw-window-exceeded")),
            exceeded,
            "{minutes} min: {found:?}"
        );
        assert_eq!(found.contains(&(Severity::Info, "infuse-by")), !exceeded);
    }
    let over = judged(Some("S-021"), &in_time(31)).unwrap();
    let message = over
        .findings()
        .find(|f| f.code() == FindingCode::ThawWindowExceeded)
        .unwrap()
        .message(celldose::human::Notation::Unicode)
        .into_owned();
    assert_eq!(
        message,
        "THAW WINDOW EXCEEDED: the infusion starts 31 min after the completion of thawing, 1 min past the 30 min limit (infuse by 2026-12-05T15:00:00+01:00); do not infuse"
    );
    // A product whose own limit counts from the start of thawing: 30 min from 14:00.
    let from_start = Certificate::from_toml(
        "start.toml",
        &example("products", "car-t-autologous.toml").replace(
            "recipient = \"S-021\"\n",
            "recipient = \"S-021\"\nthaw_to_infusion_max = \"30 min\"\nthaw_clock = \"start\"\n",
        ),
    )
    .unwrap();
    for (minutes, exceeded) in [(29, false), (30, false), (31, true)] {
        let started: celldose::units::Moment = "2026-12-05T14:00:00+01:00".parse().unwrap();
        let custody = Custody::default()
            .with_thaw_started_at(started)
            .with_thawed_at("2026-12-05T14:10:00+01:00".parse().unwrap())
            .with_infusion_start(started.plus_minutes(minutes).unwrap());
        let check = judged_for(&from_start, Some("S-021"), &custody).unwrap();
        assert_eq!(
            codes(&check).contains(&(Severity::Hard, "thaw-window-exceeded")),
            exceeded,
            "from the start, {minutes} min"
        );
        // The product's limit, from 14:00, ends before the protocol's, from 14:10: it binds.
        assert_eq!(
            check.custody().unwrap().limit().unwrap().stated_by(),
            "product"
        );
    }
    // No thaw time: soft, and a thaw after the start of the infusion is refused.
    let unknown =
        Custody::default().with_infusion_start("2026-12-05T14:50:00+01:00".parse().unwrap());
    assert!(
        codes(&judged(Some("S-021"), &unknown).unwrap())
            .contains(&(Severity::Soft, "thaw-time-not-stated"))
    );
    let backwards = Custody::default()
        .with_thawed_at("2026-12-05T15:00:00+01:00".parse().unwrap())
        .with_infusion_start("2026-12-05T14:50:00+01:00".parse().unwrap());
    let refused = judged(Some("S-021"), &backwards).unwrap_err().to_string();
    assert!(
        refused.contains("is after the infusion's start"),
        "{refused}"
    );
}

proptest! {
    /// With the right patient, labels and times, the verdict is the count's: a check of the same
    /// number of cells, with no product at all, says the same.
    #[test]
    fn the_right_chain_of_custody_leaves_the_verdict_to_the_count(grams in 20_000u32..200_000, minutes in 0u32..=30) {
        let weight = format!("{grams}g");
        let protocol = protocol();
        let product = product();
        let delivery = Delivery::bags(&product, &product.select(&[]).unwrap()).unwrap();
        let with_custody = protocol
            .check_delivery(&request(&weight, Some("S-021")), &delivery, None, None)
            .unwrap()
            .with_custody(&in_time(minutes), &product, &protocol.product_rules().handling)
            .unwrap();
        let count = protocol
            .check(&request(&weight, Some("S-021")), "200550000".parse().unwrap(), None)
            .unwrap();
        prop_assert_eq!(with_custody.verdict(), count.verdict());
    }
}
