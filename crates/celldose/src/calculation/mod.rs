//! The calculation and its checks: from a request to a target count, limits, findings and a
//! verdict.

mod calculate;
mod check;
mod finding;
mod preparation;
mod request;
mod request_text;
mod rounding;

pub use calculate::Calculation;
pub use check::DeliveryCheck;
pub use finding::{Finding, FindingCode, Severity, Verdict};
pub use preparation::{Preparation, Product};
pub use request::{DoseChoice, DoseRequest};
pub use request_text::{FieldNames, RequestText};
pub use rounding::Rounding;
