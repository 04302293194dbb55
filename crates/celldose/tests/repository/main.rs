//! Checks that span the repository, not the library alone: the documentation against the code,
//! the layers of every crate, and the fuzz corpus replayed. They read files outside this crate,
//! so they are left out of the packaged crate (see `Cargo.toml`), whose own tests stand alone.

// Tests may unwrap, index and count freely: a failure there is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::as_conversions
)]

mod documents;
mod findings_page;
mod layers;

use celldose::{Catalogue, DoseChoice, DoseRequest, Rounding};

/// The repository's root.
pub fn repository() -> String {
    format!("{}/../..", env!("CARGO_MANIFEST_DIR"))
}

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
