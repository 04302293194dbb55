//! Exact, typed cell-therapy dose calculation, checked against the protocol.
//!
//! celldose turns a patient's weight and a protocol's dose level into a number of cells, the
//! range the protocol allows for that patient, and a verdict: `within` or `outside`. Every
//! amount is an exact decimal whose unit is part of its type; nothing is computed in binary
//! floating point, and no input makes the library panic.
//!
//! ```
//! use celldose::{Catalogue, DoseChoice, DoseRequest, Rounding, Verdict};
//!
//! let catalogue = Catalogue::builtin()?;
//! let protocol = catalogue.find("NCT05727722")?;
//! let request = DoseRequest::new("160lb".parse()?, DoseChoice::Level(3), Rounding::HalfAwayFromZero)
//!     .with_arm("clf")
//!     .with_age("52".parse()?);
//! let calculation = protocol.calculate(&request)?;
//! assert_eq!(calculation.cells().map(|c| c.to_string()).as_deref(), Some("1500000000"));
//! assert_eq!(calculation.verdict(), Verdict::Within);
//! # Ok::<(), celldose::Error>(())
//! ```
//!
//! The layout follows the work: [`units`] reads and holds values, [`regimen`] models protocols
//! and loads them, [`calculation`] computes, checks and prepares, [`human`] writes numbers for
//! people, [`printout`] whole results for people and [`report`] for programs, [`batch`] runs a whole dispensing log, and [`audit`] keeps
//! a tamper-evident record of every calculation.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

// uom's `unit!` macro calls helper macros of its own by name, so they must be in scope.
#[cfg(not(feature = "uom"))]
#[macro_use]
extern crate uom;
/// With the `uom` feature: the units library, at the version celldose's conversions use.
#[cfg(feature = "uom")]
#[macro_use]
pub extern crate uom;

#[cfg(feature = "audit")]
pub mod audit;
#[cfg(feature = "batch")]
pub mod batch;
pub mod calculation;
pub mod certificate;
mod digits;
#[cfg(feature = "audit")]
pub mod double_check;
pub mod entry;
mod error;
pub mod escalation;
#[cfg(feature = "fhir")]
pub mod fhir;
mod file_text;
pub mod human;
// The fuzz targets' checks: not part of the library's API. Compiled for the library's own tests,
// which replay the committed corpus, and for `fuzz/`, which turns on the feature.
#[cfg(any(all(test, feature = "batch"), feature = "invariants"))]
#[doc(hidden)]
pub mod invariants;
#[cfg(any(feature = "audit", feature = "batch"))]
mod lines;
mod named_file;
#[cfg(feature = "printout")]
pub mod printout;
mod refusal;
pub mod regimen;
#[cfg(feature = "report")]
pub mod report;
pub mod text;
pub mod units;
#[cfg(feature = "users")]
pub mod users;

/// The exact decimal type every amount holds ([`rust_decimal::Decimal`]), so a caller need not
/// depend on it separately. Never read user text with its `FromStr`: it rounds past 28 digits
/// without saying so (`"69.600000000000000000000000000001"` becomes 69.6). Read amounts with
/// the unit types' own parsers (`"69.6mL".parse::<celldose::Volume>()`), which refuse what they
/// cannot hold exactly.
pub use rust_decimal;

/// With the `uom` feature: the rational type of uom's `rational64` quantities, at the version
/// celldose's conversions use (`BodyWeight::to_uom`, `Volume::from_uom`).
#[cfg(feature = "uom")]
pub use num_rational;

pub use calculation::{
    Calculation, DeliveryCheck, DoseChoice, DoseRequest, Finding, FindingCode, Preparation,
    Product, Rounding, Severity, Verdict,
};
pub use certificate::Certificate;
pub use entry::{FieldNames, RequestText};
pub use error::{Error, Result};
pub use refusal::Refusal;
pub use regimen::{
    Arm, Catalogue, CohortSize, DoseLevel, DoseRule, Edge, Escalation, Miss, Opening, Protocol,
    Regimen, Source, Stated, Step, Tolerance, TrialState, WeightBand, Window, describe_dose,
};
pub use units::{
    AgeFromBirth, AgeYears, BodyWeight, CellCount, CellsPerKg, Concentration, Dose, EnteredWeight,
    ExactCells, MassUnit, Percent, Volume,
};

/// The crate README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
