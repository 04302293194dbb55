//! The resources celldose writes, as the R4B specification shapes them: the request of a dose,
//! the administration of a check, the dispense of a preparation, the weight observation, and the
//! outcome of a refused batch row.

use serde::Serialize;

use super::elements::{
    Annotation, BATCH_ROW, CodeableConcept, Coding, DOSE_RATE_TYPE, Extension, Identifier,
    Quantity, Range, Reference, Timing,
};
use super::when::When;

/// A proposed order for one patient's dose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MedicationRequest {
    pub(super) resource_type: &'static str,
    pub(super) contained: Vec<Contained>,
    pub(super) extension: Vec<Extension>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) identifier: Vec<Identifier>,
    pub(super) status: &'static str,
    pub(super) intent: &'static str,
    #[serde(skip_serializing_if = "core::ops::Not::not")]
    pub(super) do_not_perform: bool,
    pub(super) medication_codeable_concept: CodeableConcept,
    pub(super) subject: Reference,
    pub(super) supporting_information: Vec<Reference>,
    pub(super) note: Vec<Annotation>,
    pub(super) dosage_instruction: Vec<Dosage>,
}

/// How much, per the protocol and for this patient; for a split dose, for one infusion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dosage {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) extension: Vec<Extension>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) sequence: Option<u32>,
    pub(super) text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) timing: Option<Timing>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) dose_and_rate: Vec<DoseAndRate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) max_dose_per_administration: Option<Quantity>,
}

/// One amount of a dosage: `ordered` or `calculated`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DoseAndRate {
    #[serde(rename = "type")]
    pub(super) kind: CodeableConcept,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) dose_range: Option<Range>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) dose_quantity: Option<Quantity>,
}

/// What was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MedicationAdministration {
    pub(super) resource_type: &'static str,
    pub(super) contained: Vec<Contained>,
    pub(super) extension: Vec<Extension>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) identifier: Vec<Identifier>,
    pub(super) status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) medication_codeable_concept: Option<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) medication_reference: Option<Reference>,
    pub(super) subject: Reference,
    pub(super) effective_date_time: When,
    pub(super) supporting_information: Vec<Reference>,
    pub(super) note: Vec<Annotation>,
    pub(super) dosage: AdministrationDosage,
}

/// The amount of one administration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdministrationDosage {
    pub(super) text: String,
    pub(super) dose: Quantity,
}

/// A preparation by the pharmacy: what is to be drawn and given, not yet given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MedicationDispense {
    pub(super) resource_type: &'static str,
    pub(super) contained: Vec<Contained>,
    pub(super) extension: Vec<Extension>,
    pub(super) status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) status_reason_codeable_concept: Option<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) medication_codeable_concept: Option<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) medication_reference: Option<Reference>,
    pub(super) subject: Reference,
    pub(super) supporting_information: Vec<Reference>,
    pub(super) quantity: Quantity,
    pub(super) when_prepared: When,
    pub(super) note: Vec<Annotation>,
    pub(super) dosage_instruction: Vec<Dosage>,
}

/// A resource contained in another: a weight it rests on, or the product it gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Contained {
    /// A body weight.
    Observation(Observation),
    /// The product given, where its file names its DIN or expiry.
    Medication(Medication),
}

/// The product given, as R4B's `Medication` holds what its label says: the protocol's product in
/// words, the ISBT 128 donation identification number, and the lot with its expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Medication {
    pub(super) resource_type: &'static str,
    pub(super) id: &'static str,
    pub(super) code: CodeableConcept,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) identifier: Vec<Identifier>,
    pub(super) batch: MedicationBatch,
}

/// A `Medication`'s lot and expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MedicationBatch {
    pub(super) lot_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) expiration_date: Option<String>,
}

/// A body weight, contained in the resource that rests on it, as the vital-signs body weight
/// profile has it: category `vital-signs`, the patient, and when it is the weight of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    pub(super) resource_type: &'static str,
    pub(super) id: &'static str,
    pub(super) status: &'static str,
    pub(super) category: Vec<CodeableConcept>,
    pub(super) code: CodeableConcept,
    pub(super) subject: Reference,
    pub(super) effective_date_time: When,
    pub(super) value_quantity: Quantity,
}

/// A row that could not be computed, in a batch's FHIR output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationOutcome {
    pub(super) resource_type: &'static str,
    pub(super) issue: Vec<Issue>,
}

/// One problem of an [`OperationOutcome`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub(super) severity: &'static str,
    pub(super) code: &'static str,
    pub(super) diagnostics: String,
}

impl OperationOutcome {
    /// An error: the row `row` of a log could not be computed, for `message`. R4B gives an
    /// `OperationOutcome` no identifier, so the row is named in its `diagnostics`.
    pub fn row_error(row: u64, message: &str) -> Self {
        Self {
            resource_type: "OperationOutcome",
            issue: vec![Issue {
                severity: "error",
                code: "processing",
                diagnostics: format!("row {row}: {message}"),
            }],
        }
    }
}

impl MedicationRequest {
    /// The same request identified as row `row` of a batch.
    #[must_use]
    pub fn with_row(mut self, row: u64) -> Self {
        self.identifier = vec![row_identifier(row)];
        self
    }
}

impl MedicationAdministration {
    /// The same administration identified as row `row` of a batch.
    #[must_use]
    pub fn with_row(mut self, row: u64) -> Self {
        self.identifier = vec![row_identifier(row)];
        self
    }
}

pub(super) fn row_identifier(row: u64) -> Identifier {
    Identifier {
        system: Some(BATCH_ROW.to_owned()),
        value: row.to_string(),
    }
}

/// An amount of a `doseAndRate` entry.
pub(super) enum Amount {
    Quantity(Quantity),
    Range(Range),
}

impl Amount {
    pub(super) fn entry(self, code: &'static str, display: &'static str) -> DoseAndRate {
        let kind = CodeableConcept {
            coding: vec![Coding {
                system: DOSE_RATE_TYPE,
                code,
                display: Some(display),
            }],
            text: None,
        };
        match self {
            Self::Quantity(quantity) => DoseAndRate {
                kind,
                dose_range: None,
                dose_quantity: Some(quantity),
            },
            Self::Range(range) => DoseAndRate {
                kind,
                dose_range: Some(range),
                dose_quantity: None,
            },
        }
    }
}
