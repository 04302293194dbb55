//! Results as HL7 FHIR R4B resources (`--format fhir`): docs/fhir.md.

use celldose::fhir::{self, When};
use celldose::{Calculation, DeliveryCheck, Preparation};

use crate::refusal::Refusal;

fn render(resource: &impl serde::Serialize) -> Result<String, Refusal> {
    let mut text = fhir::to_json(resource)?;
    text.push('\n');
    Ok(text)
}

/// When the cells were or will be given: `--administered-at`, or now.
pub fn when(administered_at: Option<&str>) -> Result<When, Refusal> {
    match administered_at {
        Some(text) => text
            .parse()
            .map_err(|e: celldose::Error| Refusal(format!("--administered-at: {e}"))),
        None => Ok(When::now()),
    }
}

/// `celldose dose --format fhir`: a MedicationRequest.
pub fn dose(calculation: &Calculation) -> Result<String, Refusal> {
    render(&fhir::medication_request(calculation))
}

/// `celldose check --format fhir`: a MedicationAdministration of what was given.
pub fn check(check: &DeliveryCheck, when: When) -> Result<String, Refusal> {
    render(&fhir::administration(check, when))
}

/// `celldose prepare --format fhir` from a product's bags: a MedicationDispense of what is to
/// be drawn.
pub fn prepared_bags(given: &DeliveryCheck, when: When) -> Result<String, Refusal> {
    render(&fhir::dispense(given, when))
}

/// `celldose prepare --format fhir` from a concentration: a MedicationDispense of the volume to
/// draw.
pub fn prepare(prepared: &Preparation, when: When) -> Result<String, Refusal> {
    render(&fhir::prepared_dispense(prepared, when))
}

/// The refusal of `--format fhir` by a command that writes no dose.
pub fn not_here(command: &str) -> Refusal {
    Refusal(format!(
        "--format fhir applies to dose, check, prepare and batch; {command} writes text or json"
    ))
}
