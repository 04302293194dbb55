//! Results as HL7 FHIR R4B resources, so that a calculated dose reaches an electronic record
//! without being typed again.
//!
//! - A dose is a [`MedicationRequest`] with one `dosageInstruction`: the protocol's dose as the
//!   `ordered` entry of `doseAndRate` (per kg where the protocol is per kg; a range as
//!   `doseRange`), this patient's amount as the `calculated` entry, and the protocol's maximum
//!   total as `maxDosePerAdministration`. A split dose has one instruction per infusion, in
//!   order, each with its `sequence`, its day and its own amount: any one read alone gives that
//!   day's amount.
//! - A check (what was given) is a [`MedicationAdministration`] whose `dosage.dose` is that
//!   amount, with the target and deviation it was judged by.
//! - A preparation (what is to be given) is a [`MedicationDispense`]: status `preparation`, or
//!   `declined` when outside the protocol; `quantity` the volume to draw.
//!
//! Counts are in millions of cells (`10*6{cells}`, `10*6{cells}/kg` in UCUM), so values stay
//! small and exact: 1,160,000,000 cells is `1160`. Every decimal is a JSON number written from
//! its exact digits. The protocol's id, version and SHA-256, the verdict and every finding are
//! kept as extensions under this project's namespace ([`EXTENSION_BASE`]) and as notes. The
//! patient's weight is a contained `Observation` (LOINC 29463-7, body weight). docs/fhir.md gives
//! the mapping field by field.
//!
//! ```
//! use celldose::{Catalogue, DoseChoice, DoseRequest, Rounding};
//! let catalogue = Catalogue::builtin()?;
//! let request = DoseRequest::new("72.5kg".parse()?, DoseChoice::Level(1), Rounding::HalfAwayFromZero).with_arm("alf");
//! let calculation = catalogue.find("NCT07276568")?.calculate(&request)?;
//! let json = serde_json::to_value(celldose::fhir::medication_request(&calculation)).unwrap_or_default();
//! assert_eq!(json["resourceType"], "MedicationRequest");
//! let calculated = &json["dosageInstruction"][0]["doseAndRate"][1]["doseQuantity"];
//! assert_eq!(calculated["value"], serde_json::json!(1160));
//! assert_eq!(calculated["code"], "10*6{cells}");
//! # Ok::<(), celldose::Error>(())
//! ```

mod administration;
mod context;
mod dispense;
mod elements;
mod request;
mod resources;
mod site;
mod when;

pub use administration::administration;
pub use dispense::{dispense, prepared_dispense};
pub use elements::{
    Annotation, BATCH_ROW, CodeableConcept, Coding, DOSE_RATE_TYPE, EXTENSION_BASE, Extension,
    Identifier, KILOGRAMS, LOINC, MILLILITRES, MILLION_CELLS, MILLION_CELLS_PER_KG, Number,
    OBSERVATION_CATEGORY, PERCENT, Quantity, Range, Reference, Timing, TimingRepeat, UCUM, Value,
};
pub use request::medication_request;
pub use resources::{
    AdministrationDosage, Dosage, DoseAndRate, Issue, MedicationAdministration, MedicationDispense,
    MedicationRequest, Observation, OperationOutcome,
};
pub use site::FhirOptions;
pub use when::When;

use serde::Serialize;

/// A resource as pretty-printed JSON.
///
/// # Errors
/// Never in practice: every value is a string, a code or an exact number.
pub fn to_json(resource: &impl Serialize) -> crate::Result<String> {
    serde_json::to_string_pretty(resource)
        .map_err(|e| crate::Error::Request(format!("the FHIR resource cannot be written: {e}")))
}
