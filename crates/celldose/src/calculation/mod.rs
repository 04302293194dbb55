//! The calculation and its checks: from a request to a target count, limits, findings and a
//! verdict.

mod bags;
mod calculate;
mod cap;
mod check;
mod clause;
mod course;
mod custody;
mod delivery;
mod dosing_weight;
mod eligibility;
mod escalation;
mod explicit;
mod finding;
mod judge;
mod limits;
mod options;
mod preparation;
mod prepared;
mod product_limits;
mod request;
mod result;
mod tolerance;

/// Rounding is a property of amounts; it is also named here, where a request chooses it.
pub use crate::units::Rounding;
pub use check::{DeliveryCheck, Drawing};
#[cfg(feature = "printout")]
pub(crate) use course::split_words;
pub use custody::{Custody, CustodyCheck, ThawLimit};
pub use delivery::{BagShare, Course, Delivery, Excipients, ProductUse, SplitCheck};
pub use finding::{Finding, FindingCode, Severity, Verdict};
pub use options::{CheckOptions, PrepareOptions};
pub use preparation::{Preparation, Product};
pub use prepared::{PrepareFrom, Prepared};
pub use request::{DoseChoice, DoseRequest};
pub use result::Calculation;
