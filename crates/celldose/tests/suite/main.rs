//! The library's integration suite: golden vectors from the source records, boundary suites,
//! parser rejections, protocol files, and property tests.

// Tests may unwrap, index and count freely: a failure there is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::as_conversions
)]

mod audit;
mod batch;
mod boundaries;
mod custody;
mod embedding;
mod entry;
mod escalation;
mod exact_products;
mod fhir;
mod file_properties;
mod formatting;
mod golden;
mod never_within;
mod parsing;
mod preparation;
mod products;
mod properties;
mod protocol_files;
mod shapes;
mod users;

use celldose::{
    Calculation, Catalogue, DeliveryCheck, DoseChoice, DoseRequest, FindingCode, Rounding, Severity,
};

/// The built-in catalogue.
pub fn catalogue() -> Catalogue {
    Catalogue::builtin().expect("the built-in protocols load")
}

/// A request from strings, as a caller would type them.
pub fn request(arm: Option<&str>, choice: &str, weight: &str, age: Option<&str>) -> DoseRequest {
    let choice = match choice {
        "" => DoseChoice::ArmDose,
        level if level.starts_with("level ") => {
            DoseChoice::Level(level.trim_start_matches("level ").parse().unwrap())
        }
        dose => DoseChoice::Explicit(dose.parse().unwrap()),
    };
    let mut request = DoseRequest::new(weight.parse().unwrap(), choice, Rounding::HalfAwayFromZero);
    if let Some(arm) = arm {
        request = request.with_arm(arm);
    }
    if let Some(age) = age {
        request = request.with_age(age.parse().unwrap());
    }
    request
}

/// Calculates for a built-in protocol, panicking on a request error.
pub fn calc(
    protocol: &str,
    arm: Option<&str>,
    choice: &str,
    weight: &str,
    age: Option<&str>,
) -> Calculation {
    catalogue()
        .find(protocol)
        .unwrap()
        .calculate(&request(arm, choice, weight, age))
        .unwrap()
}

/// Checks a delivered count for a built-in protocol.
pub fn check(
    protocol: &str,
    arm: Option<&str>,
    choice: &str,
    weight: &str,
    cells: &str,
    tolerance: Option<&str>,
) -> celldose::Result<DeliveryCheck> {
    catalogue().find(protocol)?.check(
        &request(arm, choice, weight, None),
        cells.parse()?,
        tolerance.map(|t| t.parse()).transpose()?,
    )
}

/// The codes of the hard findings.
pub fn hard_codes<'a>(
    findings: impl IntoIterator<Item = &'a celldose::Finding>,
) -> Vec<FindingCode> {
    findings
        .into_iter()
        .filter(|f| f.severity() == Severity::Hard)
        .map(|f| f.code())
        .collect()
}

/// A value's exact string, or `-` for none.
pub fn text<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}
