//! Results as HL7 FHIR R4B resources, so that a calculated dose reaches an electronic record
//! without being typed again.
//!
//! - A dose is a [`MedicationRequest`] with one `dosageInstruction`: the protocol's dose as the
//!   `ordered` entry of `doseAndRate` (per kg where the protocol is per kg; a range as
//!   `doseRange`), this patient's amount as the `calculated` entry, and the protocol's maximum
//!   total as `maxDosePerAdministration`.
//! - A check (what was given) and a preparation (what will be given) are a
//!   [`MedicationAdministration`] whose `dosage.dose` is that amount.
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

mod elements;
mod when;

pub use elements::{
    Annotation, CodeableConcept, Coding, EXTENSION_BASE, Extension, Identifier, KILOGRAMS,
    MILLILITRES, MILLION_CELLS, MILLION_CELLS_PER_KG, Number, PERCENT, Quantity, Range, Reference,
    UCUM, Value,
};
pub use when::When;

use serde::Serialize;

use crate::human::Notation;
use crate::regimen::describe_dose;
use crate::units::Dose;
use crate::{Calculation, DeliveryCheck, EnteredWeight, Finding, Preparation, Verdict};

/// The code system of `doseAndRate.type`.
pub const DOSE_RATE_TYPE: &str = "http://terminology.hl7.org/CodeSystem/dose-rate-type";
/// LOINC, the code system of the body weight observation.
pub const LOINC: &str = "http://loinc.org";
/// The namespace of a batch row's identifier: its row number in the log.
pub const BATCH_ROW: &str = "https://celldose.github.io/fhir/batch-row";

/// A proposed order for one patient's dose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MedicationRequest {
    resource_type: &'static str,
    contained: Vec<Observation>,
    extension: Vec<Extension>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    identifier: Vec<Identifier>,
    status: &'static str,
    intent: &'static str,
    #[serde(skip_serializing_if = "core::ops::Not::not")]
    do_not_perform: bool,
    medication_codeable_concept: CodeableConcept,
    subject: Reference,
    supporting_information: Vec<Reference>,
    note: Vec<Annotation>,
    dosage_instruction: Vec<Dosage>,
}

/// How much, per the protocol and for this patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dosage {
    text: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    dose_and_rate: Vec<DoseAndRate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_dose_per_administration: Option<Quantity>,
}

/// One amount of a dosage: `ordered` or `calculated`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DoseAndRate {
    #[serde(rename = "type")]
    kind: CodeableConcept,
    #[serde(skip_serializing_if = "Option::is_none")]
    dose_range: Option<Range>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dose_quantity: Option<Quantity>,
}

/// What was given, or will be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MedicationAdministration {
    resource_type: &'static str,
    contained: Vec<Observation>,
    extension: Vec<Extension>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    identifier: Vec<Identifier>,
    status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    status_reason: Vec<CodeableConcept>,
    medication_codeable_concept: CodeableConcept,
    subject: Reference,
    effective_date_time: When,
    supporting_information: Vec<Reference>,
    note: Vec<Annotation>,
    dosage: AdministrationDosage,
}

/// The amount of one administration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdministrationDosage {
    text: String,
    dose: Quantity,
}

/// A body weight, contained in the resource that rests on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    resource_type: &'static str,
    id: &'static str,
    status: &'static str,
    code: CodeableConcept,
    value_quantity: Quantity,
}

/// A row that could not be computed, in a batch's FHIR output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationOutcome {
    resource_type: &'static str,
    issue: Vec<Issue>,
}

/// One problem of an [`OperationOutcome`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    severity: &'static str,
    code: &'static str,
    diagnostics: String,
}

impl OperationOutcome {
    /// An error: the row `row` of a log could not be computed, for `message`.
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

fn row_identifier(row: u64) -> Identifier {
    Identifier {
        system: Some(BATCH_ROW),
        value: row.to_string(),
    }
}

/// The `MedicationRequest` of a calculated dose.
///
/// Its status is `draft` and its intent `proposal`: a calculation is not a signed order. A dose
/// outside the protocol also carries `doNotPerform: true`, so that no system can take it for
/// something to give.
pub fn medication_request(calculation: &Calculation) -> MedicationRequest {
    let c = calculation;
    let mut dose_and_rate = Vec::new();
    let ordered = match (c.dose(), c.rule().and_then(|rule| rule.bounds())) {
        (Some(dose), _) => Some(Amount::Quantity(dose_quantity(dose))),
        (None, Some((low, high))) => Some(Amount::Range(Range {
            low: Some(dose_quantity(low)),
            high: high.map(dose_quantity),
        })),
        (None, None) => None,
    };
    if let Some(ordered) = ordered {
        dose_and_rate.push(ordered.entry("ordered", "Ordered"));
    }
    let calculated = match (c.cells(), c.min_cells(), c.max_cells()) {
        (Some(cells), _, _) => Some(Amount::Quantity(Quantity::million_cells(cells.get()))),
        (None, None, None) => None,
        (None, min, max) => Some(Amount::Range(Range {
            low: min.map(|m| Quantity::million_cells(m.get())),
            high: max.map(|m| Quantity::million_cells(m.get())),
        })),
    };
    if let Some(calculated) = calculated {
        dose_and_rate.push(calculated.entry("calculated", "Calculated"));
    }
    let (contained, supporting_information) = weights(c);
    MedicationRequest {
        resource_type: "MedicationRequest",
        contained,
        extension: provenance(c, c.verdict(), c.findings().iter()),
        identifier: Vec::new(),
        status: "draft",
        intent: "proposal",
        do_not_perform: c.verdict() == Verdict::Outside,
        medication_codeable_concept: medication(c, None),
        subject: subject(c),
        supporting_information,
        note: notes(c, c.verdict(), c.findings().iter()),
        dosage_instruction: vec![Dosage {
            text: request_text(c),
            dose_and_rate,
            max_dose_per_administration: c.cap().map(|cap| Quantity::million_cells(cap.get())),
        }],
    }
}

/// Whether an administration's amount was given or is to be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// Given: a check of a delivered amount (`status` `completed`).
    Given,
    /// To be given: a preparation (`status` `in-progress`, or `not-done` where it is outside
    /// the protocol).
    Prepared,
}

/// The `MedicationAdministration` of a check (what was given) or of a preparation from a
/// product's bags (what will be given), at `when`.
pub fn administration(check: &DeliveryCheck, stage: Stage, when: When) -> MedicationAdministration {
    let c = check.calculation();
    let product = check.product().map(|p| {
        let identity = p.identity();
        match identity.din() {
            Some(din) => format!("product {} (DIN {din})", identity.id()),
            None => format!("product {}", identity.id()),
        }
    });
    let volume = check.excipients().map(|e| e.volume_ml());
    administration_of(
        c,
        Given {
            cells: check.actual_exact().get(),
            volume_ml: volume,
            deviation: check.deviation_percent(),
            verdict: check.verdict(),
            product,
        },
        check.findings(),
        stage,
        when,
    )
}

/// The `MedicationAdministration` of a preparation from a product's concentration: the volume to
/// draw and the cells it holds, to be given at `when`.
pub fn prepared_administration(prepared: &Preparation, when: When) -> MedicationAdministration {
    administration_of(
        prepared.calculation(),
        Given {
            cells: prepared.delivered_exact().get(),
            volume_ml: Some(prepared.volume().ml()),
            deviation: prepared.deviation_percent(),
            verdict: prepared.verdict(),
            product: None,
        },
        prepared.findings(),
        Stage::Prepared,
        when,
    )
}

/// What an administration gives, whatever it came from.
struct Given {
    cells: rust_decimal::Decimal,
    volume_ml: Option<rust_decimal::Decimal>,
    deviation: Option<rust_decimal::Decimal>,
    verdict: Verdict,
    product: Option<String>,
}

fn administration_of<'a>(
    c: &'a Calculation,
    given: Given,
    findings: impl Iterator<Item = &'a Finding> + Clone,
    stage: Stage,
    when: When,
) -> MedicationAdministration {
    let outside = given.verdict == Verdict::Outside;
    let (status, status_reason) = match stage {
        Stage::Given => ("completed", Vec::new()),
        Stage::Prepared if outside => (
            "not-done",
            vec![CodeableConcept {
                coding: Vec::new(),
                text: Some("outside the protocol: do not dispense".to_owned()),
            }],
        ),
        Stage::Prepared => ("in-progress", Vec::new()),
    };
    let mut extension = provenance(c, given.verdict, findings.clone());
    if let Some(target) = c.exact_cells() {
        extension.push(Extension::new(
            "target",
            Value::Quantity(Quantity::million_cells(target.get())),
        ));
    }
    if let Some(deviation) = given.deviation {
        extension.push(Extension::new(
            "deviation",
            Value::Quantity(Quantity::new(deviation, PERCENT)),
        ));
    }
    if let Some(volume) = given.volume_ml {
        extension.push(Extension::new(
            "volume",
            Value::Quantity(Quantity::new(volume, MILLILITRES)),
        ));
    }
    let (contained, supporting_information) = weights(c);
    let verb = match stage {
        Stage::Given => "given",
        Stage::Prepared => "to be given",
    };
    let mut text = format!(
        "{} {verb}",
        crate::human::cells(given.cells, Notation::Unicode)
    );
    if let Some(volume) = given.volume_ml {
        text.push_str(&format!(" in {} mL", crate::human::grouped(volume)));
    }
    MedicationAdministration {
        resource_type: "MedicationAdministration",
        contained,
        extension,
        identifier: Vec::new(),
        status,
        status_reason,
        medication_codeable_concept: medication(c, given.product.as_deref()),
        subject: subject(c),
        effective_date_time: when,
        supporting_information,
        note: notes(c, given.verdict, findings),
        dosage: AdministrationDosage {
            text,
            dose: Quantity::million_cells(given.cells),
        },
    }
}

/// An amount of a `doseAndRate` entry.
enum Amount {
    Quantity(Quantity),
    Range(Range),
}

impl Amount {
    fn entry(self, code: &'static str, display: &'static str) -> DoseAndRate {
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

fn dose_quantity(dose: Dose) -> Quantity {
    match dose {
        Dose::Total(count) => Quantity::million_cells(count.get()),
        Dose::PerKg(per_kg) => Quantity::million_cells_per_kg(per_kg.get()),
    }
}

/// The dose in words, as the dosage's text.
fn request_text(c: &Calculation) -> String {
    let n = Notation::Unicode;
    let weight = crate::human::kg(c.weight().weight().kg());
    match (c.dose(), c.cells()) {
        (Some(dose), Some(cells)) => format!(
            "{} for {weight}: {}",
            describe_dose(dose, n),
            crate::human::cells(cells.get(), n)
        ),
        _ => match (c.rule(), c.min_cells(), c.max_cells()) {
            (Some(rule), Some(min), Some(max)) => format!(
                "no dose chosen; the protocol gives {} and for {weight} the range is {} to {}",
                rule.describe(n),
                crate::human::cells(min.get(), n),
                crate::human::cells(max.get(), n)
            ),
            _ => format!("no dose for {weight}; see the findings"),
        },
    }
}

/// The weight that doses (and the current weight, where one was given) as contained
/// observations, and references to them.
fn weights(c: &Calculation) -> (Vec<Observation>, Vec<Reference>) {
    let basis = c
        .dosing_weight()
        .map(|d| format!("body weight, the weight at {}", d.weight.as_str()))
        .unwrap_or_else(|| "body weight".to_owned());
    let mut observations = vec![weight_observation("weight", basis, c.weight())];
    if let Some(current) = c.current_weight() {
        observations.push(weight_observation(
            "current-weight",
            "body weight on the day".to_owned(),
            current,
        ));
    }
    let references = observations
        .iter()
        .map(|o| Reference {
            reference: Some(format!("#{}", o.id)),
            identifier: None,
            display: None,
        })
        .collect();
    (observations, references)
}

fn weight_observation(id: &'static str, text: String, weight: EnteredWeight) -> Observation {
    Observation {
        resource_type: "Observation",
        id,
        status: "final",
        code: CodeableConcept {
            coding: vec![Coding {
                system: LOINC,
                code: "29463-7",
                display: Some("Body weight"),
            }],
            text: Some(text),
        },
        value_quantity: Quantity::new(weight.weight().kg(), KILOGRAMS),
    }
}

/// The patient, by the identifier given, or a display saying none was.
fn subject(c: &Calculation) -> Reference {
    match c.patient() {
        Some(patient) => Reference {
            reference: None,
            identifier: Some(Identifier {
                system: None,
                value: patient.to_owned(),
            }),
            display: None,
        },
        None => Reference {
            reference: None,
            identifier: None,
            display: Some("patient not identified: no patient was given".to_owned()),
        },
    }
}

/// The cell product: the protocol's, and the product file's where one was used.
fn medication(c: &Calculation, product: Option<&str>) -> CodeableConcept {
    let arm = c.arm().map_or_else(
        || format!("regimen {}", c.regimen()),
        |arm| format!("arm {arm}"),
    );
    let mut text = format!("cell product of protocol {}, {arm}", c.protocol());
    if let Some(product) = product {
        text.push_str(", ");
        text.push_str(product);
    }
    CodeableConcept {
        coding: Vec::new(),
        text: Some(text),
    }
}

/// The protocol, the verdict and every finding, as extensions.
fn provenance<'a>(
    c: &Calculation,
    verdict: Verdict,
    findings: impl Iterator<Item = &'a Finding>,
) -> Vec<Extension> {
    let mut parts = vec![
        Extension::part("id", Value::String(c.protocol().to_owned())),
        Extension::part("version", Value::String(c.protocol_version().to_owned())),
        Extension::part("sha256", Value::String(c.protocol_sha256().to_owned())),
    ];
    if let Some(arm) = c.arm() {
        parts.push(Extension::part("arm", Value::String(arm.to_owned())));
    }
    parts.push(Extension::part(
        "regimen",
        Value::String(c.regimen().to_owned()),
    ));
    if let Some(level) = c.level() {
        parts.push(Extension::part("level", Value::PositiveInt(level)));
    }
    let mut extensions = vec![
        Extension::complex("protocol", parts),
        Extension::new("verdict", Value::Code(verdict.as_str())),
    ];
    for finding in findings {
        extensions.push(Extension::complex(
            "finding",
            vec![
                Extension::part("severity", Value::Code(finding.severity().as_str())),
                Extension::part("code", Value::Code(finding.code().as_str())),
                Extension::part(
                    "message",
                    Value::String(finding.message(Notation::Unicode).into_owned()),
                ),
                Extension::part("clause", Value::String(finding.clause().to_owned())),
            ],
        ));
    }
    extensions
}

/// The same in words, for a person reading the record.
fn notes<'a>(
    c: &Calculation,
    verdict: Verdict,
    findings: impl Iterator<Item = &'a Finding>,
) -> Vec<Annotation> {
    let words = match verdict {
        Verdict::Within => "WITHIN the protocol",
        Verdict::Review => "REVIEW: inside the protocol, but a finding needs an acknowledgement",
        Verdict::Outside => "OUTSIDE the protocol: do not dispense",
        Verdict::NoDoseChosen => "no dose chosen: the protocol gives a range",
    };
    let mut notes = vec![Annotation {
        text: format!(
            "Calculated by celldose {} from protocol {} ({}, sha256 {}): {words}",
            env!("CARGO_PKG_VERSION"),
            c.protocol(),
            c.protocol_version(),
            c.protocol_sha256()
        ),
    }];
    notes.extend(findings.map(|finding| Annotation {
        text: format!(
            "{} {}: {} (per {})",
            finding.severity().as_str(),
            finding.code().as_str(),
            finding.message(Notation::Unicode),
            finding.clause()
        ),
    }));
    notes
}

/// A resource as pretty-printed JSON.
///
/// # Errors
/// Never in practice: every value is a string, a code or an exact number.
pub fn to_json(resource: &impl Serialize) -> crate::Result<String> {
    serde_json::to_string_pretty(resource)
        .map_err(|e| crate::Error::Request(format!("the FHIR resource cannot be written: {e}")))
}
