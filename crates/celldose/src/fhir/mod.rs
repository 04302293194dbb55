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

mod elements;
mod when;

pub use elements::{
    Annotation, CodeableConcept, Coding, EXTENSION_BASE, Extension, Identifier, KILOGRAMS,
    MILLILITRES, MILLION_CELLS, MILLION_CELLS_PER_KG, Number, PERCENT, Quantity, Range, Reference,
    Timing, TimingRepeat, UCUM, Value,
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
/// The code system of an observation's category (`vital-signs`).
pub const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
/// The namespace of a batch row's identifier: its row number in the log.
pub const BATCH_ROW: &str = "https://celldose.github.io/fhir/batch-row";
/// A deviation that is not a terminating decimal is written to this many places; its exact
/// value travels as a fraction in the `deviation-exact` extension.
const DEVIATION_PLACES: u32 = 10;

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

/// How much, per the protocol and for this patient; for a split dose, for one infusion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dosage {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sequence: Option<u32>,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    timing: Option<Timing>,
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

/// What was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MedicationAdministration {
    resource_type: &'static str,
    contained: Vec<Observation>,
    extension: Vec<Extension>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    identifier: Vec<Identifier>,
    status: &'static str,
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

/// A preparation by the pharmacy: what is to be drawn and given, not yet given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MedicationDispense {
    resource_type: &'static str,
    contained: Vec<Observation>,
    extension: Vec<Extension>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_reason_codeable_concept: Option<CodeableConcept>,
    medication_codeable_concept: CodeableConcept,
    subject: Reference,
    supporting_information: Vec<Reference>,
    quantity: Quantity,
    when_prepared: When,
    note: Vec<Annotation>,
    dosage_instruction: Vec<Dosage>,
}

/// A body weight, contained in the resource that rests on it, as the vital-signs body weight
/// profile has it: category `vital-signs`, the patient, and when it is the weight of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    resource_type: &'static str,
    id: &'static str,
    status: &'static str,
    category: Vec<CodeableConcept>,
    code: CodeableConcept,
    subject: Reference,
    effective_date_time: When,
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
/// something to give. The weight observation is of the dosing date (today where none was named).
///
/// ```
/// use celldose::{DoseChoice, DoseRequest, Protocol, Rounding};
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/protocols/split-dose.toml"))?;
/// let protocol = Protocol::from_toml("split.toml", &text)?;
/// let request = DoseRequest::new("67.3kg".parse()?, DoseChoice::ArmDose, Rounding::HalfAwayFromZero);
/// let json = serde_json::to_value(celldose::fhir::medication_request(&protocol.calculate(&request)?))?;
/// // Three instructions, one per infusion: day 1's is 30 % of 673 × 10⁶ cells.
/// let second = &json["dosageInstruction"][1];
/// assert_eq!(second["sequence"], 2);
/// assert_eq!(second["doseAndRate"][1]["doseQuantity"]["value"], serde_json::json!(201.9));
/// assert_eq!(second["timing"]["code"]["text"], "day 1 of the course (the first infusion is day 0)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn medication_request(calculation: &Calculation) -> MedicationRequest {
    let c = calculation;
    let when = When::dosing_day(c);
    let (contained, supporting_information) = weights(c, when);
    let mut note = notes(c, c.verdict(), c.findings().iter());
    let schedule = c.schedule().unwrap_or_default();
    let dosage_instruction = if schedule.is_empty() {
        vec![whole_dosage(c)]
    } else {
        if let Some(whole) = c.exact_cells() {
            note.push(Annotation {
                text: format!(
                    "The whole course is {} in {} infusions, one instruction each; give each infusion's own amount on its day, never the whole course at once",
                    crate::human::cells(whole.get(), Notation::Unicode),
                    schedule.len()
                ),
            });
        }
        schedule
            .iter()
            .map(|(number, part, target)| {
                infusion_dosage(c, *number, *part, *target, schedule.len())
            })
            .collect()
    };
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
        note,
        dosage_instruction,
    }
}

/// The one instruction of a dose that is not split: the protocol's dose as ordered, this
/// patient's whole cells as calculated (with the exact amount beside it where it differs).
fn whole_dosage(c: &Calculation) -> Dosage {
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
    let mut extension = Vec::new();
    if let (Some(cells), Some(exact)) = (c.cells(), c.exact_cells())
        && cells.get() != exact.get()
    {
        extension.push(Extension::new(
            "cells-exact",
            Value::Quantity(Quantity::million_cells(exact.get())),
        ));
    }
    Dosage {
        extension,
        sequence: None,
        text: request_text(c),
        timing: None,
        dose_and_rate,
        max_dose_per_administration: c.cap().map(|cap| Quantity::million_cells(cap.get())),
    }
}

/// One infusion of a split dose: its number, its day, and its own amount (the share of the
/// ordered dose and of this patient's target), so the instruction read alone gives that day's.
fn infusion_dosage(
    c: &Calculation,
    number: u32,
    part: crate::regimen::SplitPart,
    target: Option<crate::ExactCells>,
    infusions: usize,
) -> Dosage {
    let share = part.fraction.get();
    let fraction = share
        .checked_div(rust_decimal::Decimal::ONE_HUNDRED)
        .unwrap_or_default();
    let mut dose_and_rate = Vec::new();
    if let Some(dose) = c.dose() {
        let shared = match dose {
            Dose::Total(count) => count
                .get()
                .checked_mul(fraction)
                .map(Quantity::million_cells),
            Dose::PerKg(per_kg) => per_kg
                .get()
                .checked_mul(fraction)
                .map(Quantity::million_cells_per_kg),
        };
        if let Some(shared) = shared {
            dose_and_rate.push(Amount::Quantity(shared).entry("ordered", "Ordered"));
        }
    }
    if let Some(target) = target {
        dose_and_rate.push(
            Amount::Quantity(Quantity::million_cells(target.get()))
                .entry("calculated", "Calculated"),
        );
    }
    let limits_per_infusion = c
        .split()
        .is_some_and(|split| split.limits() == crate::regimen::SplitLimits::PerInfusion);
    let max = c
        .cap()
        .filter(|_| limits_per_infusion)
        .and_then(|cap| cap.get().checked_mul(fraction))
        .map(Quantity::million_cells);
    let amount = target.map_or_else(
        || "no single target; see the findings".to_owned(),
        |t| crate::human::cells(t.get(), Notation::Unicode),
    );
    Dosage {
        extension: vec![Extension::complex(
            "split-infusion",
            vec![
                Extension::part("infusion", Value::PositiveInt(number)),
                Extension::part(
                    "infusions",
                    Value::PositiveInt(u32::try_from(infusions).unwrap_or(u32::MAX)),
                ),
                Extension::part("day", Value::UnsignedInt(part.day)),
                Extension::part("share", Value::Quantity(Quantity::new(share, PERCENT))),
            ],
        )],
        sequence: Some(number),
        text: format!(
            "infusion {number} of {infusions}, day {}: {}% of the dose, {amount}",
            part.day,
            share.normalize()
        ),
        timing: Some(Timing {
            repeat: TimingRepeat { count: 1 },
            code: CodeableConcept {
                coding: Vec::new(),
                text: Some(format!(
                    "day {} of the course (the first infusion is day 0)",
                    part.day
                )),
            },
        }),
        dose_and_rate,
        max_dose_per_administration: max,
    }
}

/// What an amount was judged against: the figure compared, the target, and for a split dose
/// what was given before and the running total.
struct Judged {
    /// The amount compared with the target: this infusion's, or the running total.
    amount: rust_decimal::Decimal,
    target: Option<rust_decimal::Decimal>,
    given_before: Option<rust_decimal::Decimal>,
    running_total: Option<rust_decimal::Decimal>,
}

impl Judged {
    fn of(check: &DeliveryCheck) -> Self {
        let given = check.actual_exact().get();
        let c = check.calculation();
        match check.split() {
            Some(split) if split.limits() == crate::regimen::SplitLimits::Cumulative => Self {
                amount: split.cumulative().map_or(given, |t| t.get()),
                target: split
                    .cumulative_target()
                    .filter(|_| split.cumulative().is_some())
                    .or(split.target())
                    .map(|t| t.get()),
                given_before: split.given_before().map(|g| g.get()),
                running_total: split.cumulative().map(|t| t.get()),
            },
            Some(split) => Self {
                amount: given,
                target: split.target().map(|t| t.get()),
                given_before: split.given_before().map(|g| g.get()),
                running_total: split.cumulative().map(|t| t.get()),
            },
            None => Self {
                amount: given,
                target: c.exact_cells().map(|t| t.get()),
                given_before: None,
                running_total: None,
            },
        }
    }

    /// The extensions that say what was judged: `target`, `deviation` (with all its digits, or
    /// to 10 places with the exact fraction beside it), `given-before`, `running-total`.
    fn extensions(&self) -> Vec<Extension> {
        use crate::units::fraction::{divide, fraction, rounded, to_decimal};
        let mut extensions = Vec::new();
        if let Some(target) = self.target {
            extensions.push(Extension::new(
                "target",
                Value::Quantity(Quantity::million_cells(target)),
            ));
            #[allow(clippy::arithmetic_side_effects)] // big fractions; the division is checked
            let deviation = divide(
                (fraction(self.amount) - fraction(target))
                    * fraction(rust_decimal::Decimal::ONE_HUNDRED),
                &fraction(target),
            );
            if let Some(deviation) = deviation {
                match to_decimal(&deviation) {
                    Some(exact) => extensions.push(Extension::new(
                        "deviation",
                        Value::Quantity(Quantity::new(exact, PERCENT)),
                    )),
                    None => {
                        if let Some(shown) = rounded(&deviation, DEVIATION_PLACES) {
                            extensions.push(Extension::new(
                                "deviation",
                                Value::Quantity(Quantity::new(shown, PERCENT)),
                            ));
                        }
                        extensions.push(Extension::new(
                            "deviation-exact",
                            Value::String(format!("{}/{}", deviation.numer(), deviation.denom())),
                        ));
                    }
                }
            }
        }
        if let Some(before) = self.given_before {
            extensions.push(Extension::new(
                "given-before",
                Value::Quantity(Quantity::million_cells(before)),
            ));
        }
        if let Some(total) = self.running_total {
            extensions.push(Extension::new(
                "running-total",
                Value::Quantity(Quantity::million_cells(total)),
            ));
        }
        extensions
    }
}

/// The `MedicationAdministration` of a check of what was given (status `completed`), at `when`:
/// `dosage.dose` is what was given; the `target` extension is what it was judged against (this
/// infusion's share of a split dose, or the running total due under cumulative limits, with the
/// `running-total` beside it), and `deviation` is that comparison's.
///
/// ```
/// use celldose::{DoseChoice, DoseRequest, Protocol, Rounding};
/// use celldose::calculation::{Course, Delivery};
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/protocols/split-dose.toml"))?;
/// let protocol = Protocol::from_toml("split.toml", &text)?;
/// let request = DoseRequest::new("67.3kg".parse()?, DoseChoice::ArmDose, Rounding::HalfAwayFromZero);
/// let course = Course::infusion(2).with_given_before("6.73e7".parse()?);
/// let check = protocol.check_delivery(&request, &Delivery::count("2e8".parse()?), None, Some(course))?;
/// let json = serde_json::to_value(celldose::fhir::administration(&check, celldose::fhir::When::now()))?;
/// let target = json["extension"].as_array().unwrap().iter().find(|e| e["url"].as_str().unwrap().ends_with("/target")).unwrap();
/// // Judged against infusion 2's share, 201,900,000 cells, not the whole 673,000,000.
/// assert_eq!(target["valueQuantity"]["value"], serde_json::json!(201.9));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn administration(check: &DeliveryCheck, when: When) -> MedicationAdministration {
    let c = check.calculation();
    let product = product_words(check);
    let volume = check.excipients().map(|e| e.volume_ml());
    let given = check.actual_exact().get();
    let mut extension = provenance(c, check.verdict(), check.findings());
    extension.extend(Judged::of(check).extensions());
    if let Some(volume) = volume {
        extension.push(Extension::new(
            "volume",
            Value::Quantity(Quantity::new(volume, MILLILITRES)),
        ));
    }
    let (contained, supporting_information) = weights(c, when);
    let mut text = format!("{} given", crate::human::cells(given, Notation::Unicode));
    if let Some(volume) = volume {
        text.push_str(&format!(" in {} mL", crate::human::grouped(volume)));
    }
    MedicationAdministration {
        resource_type: "MedicationAdministration",
        contained,
        extension,
        identifier: Vec::new(),
        status: "completed",
        medication_codeable_concept: medication(c, product.as_deref()),
        subject: subject(c),
        effective_date_time: when,
        supporting_information,
        note: notes(c, check.verdict(), check.findings()),
        dosage: AdministrationDosage {
            text,
            dose: Quantity::million_cells(given),
        },
    }
}

/// The product file's id (and DIN) in words, where the check used one.
fn product_words(check: &DeliveryCheck) -> Option<String> {
    check.product().map(|p| {
        let identity = p.identity();
        match identity.din() {
            Some(din) => format!("product {} (DIN {din})", identity.id()),
            None => format!("product {}", identity.id()),
        }
    })
}

/// The `MedicationDispense` of a preparation from a product's bags: status `preparation`
/// (`declined`, with the reason, when outside the protocol), `quantity` the volume to draw,
/// `dosageInstruction` the cells it holds, prepared at `when`.
pub fn dispense(check: &DeliveryCheck, when: When) -> MedicationDispense {
    let c = check.calculation();
    let mut extension = provenance(c, check.verdict(), check.findings());
    extension.extend(Judged::of(check).extensions());
    let mut note = notes(c, check.verdict(), check.findings());
    if let Some(product) = check.product() {
        let bags: Vec<String> = product
            .bags()
            .iter()
            .map(|b| {
                if b.whole() {
                    format!("bag {} whole ({} mL)", b.id(), b.volume_ml())
                } else {
                    format!("{} mL of bag {}", b.volume_ml(), b.id())
                }
            })
            .collect();
        note.push(Annotation {
            text: format!("To draw: {}", bags.join(", then ")),
        });
    }
    let volume = check
        .excipients()
        .map_or(rust_decimal::Decimal::ZERO, |e| e.volume_ml());
    dispense_of(
        c,
        Prepared {
            cells: check.actual_exact().get(),
            volume_ml: volume,
            verdict: check.verdict(),
            product: product_words(check),
        },
        extension,
        note,
        when,
    )
}

/// The `MedicationDispense` of a preparation from a product's concentration: the volume to draw
/// and the cells it holds, prepared at `when`.
pub fn prepared_dispense(prepared: &Preparation, when: When) -> MedicationDispense {
    let c = prepared.calculation();
    let mut extension = provenance(c, prepared.verdict(), prepared.findings());
    extension.extend(
        Judged {
            amount: prepared.delivered_exact().get(),
            target: c.exact_cells().map(|t| t.get()),
            given_before: None,
            running_total: None,
        }
        .extensions(),
    );
    let note = notes(c, prepared.verdict(), prepared.findings());
    dispense_of(
        c,
        Prepared {
            cells: prepared.delivered_exact().get(),
            volume_ml: prepared.volume().ml(),
            verdict: prepared.verdict(),
            product: None,
        },
        extension,
        note,
        when,
    )
}

/// What a preparation draws, whatever it came from.
struct Prepared {
    cells: rust_decimal::Decimal,
    volume_ml: rust_decimal::Decimal,
    verdict: Verdict,
    product: Option<String>,
}

fn dispense_of(
    c: &Calculation,
    prepared: Prepared,
    extension: Vec<Extension>,
    note: Vec<Annotation>,
    when: When,
) -> MedicationDispense {
    let (status, reason) = if prepared.verdict == Verdict::Outside {
        (
            "declined",
            Some(CodeableConcept {
                coding: Vec::new(),
                text: Some("outside the protocol: do not dispense".to_owned()),
            }),
        )
    } else {
        ("preparation", None)
    };
    let (contained, supporting_information) = weights(c, when);
    let text = format!(
        "{} in {} mL, to be given",
        crate::human::cells(prepared.cells, Notation::Unicode),
        crate::human::grouped(prepared.volume_ml)
    );
    MedicationDispense {
        resource_type: "MedicationDispense",
        contained,
        extension,
        status,
        status_reason_codeable_concept: reason,
        medication_codeable_concept: medication(c, prepared.product.as_deref()),
        subject: subject(c),
        supporting_information,
        quantity: Quantity::new(prepared.volume_ml, MILLILITRES),
        when_prepared: when,
        note,
        dosage_instruction: vec![Dosage {
            extension: Vec::new(),
            sequence: None,
            text,
            timing: None,
            dose_and_rate: vec![
                Amount::Quantity(Quantity::million_cells(prepared.cells))
                    .entry("calculated", "Calculated"),
            ],
            max_dose_per_administration: None,
        }],
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
/// observations of the patient at `when`, and references to them.
fn weights(c: &Calculation, when: When) -> (Vec<Observation>, Vec<Reference>) {
    let basis = c
        .dosing_weight()
        .map(|d| format!("body weight, the weight at {}", d.weight.as_str()))
        .unwrap_or_else(|| "body weight".to_owned());
    let mut observations = vec![weight_observation(c, "weight", basis, c.weight(), when)];
    if let Some(current) = c.current_weight() {
        observations.push(weight_observation(
            c,
            "current-weight",
            "body weight on the day".to_owned(),
            current,
            when,
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

fn weight_observation(
    c: &Calculation,
    id: &'static str,
    text: String,
    weight: EnteredWeight,
    when: When,
) -> Observation {
    Observation {
        resource_type: "Observation",
        id,
        status: "final",
        category: vec![CodeableConcept {
            coding: vec![Coding {
                system: OBSERVATION_CATEGORY,
                code: "vital-signs",
                display: Some("Vital Signs"),
            }],
            text: None,
        }],
        code: CodeableConcept {
            coding: vec![Coding {
                system: LOINC,
                code: "29463-7",
                display: Some("Body weight"),
            }],
            text: Some(text),
        },
        subject: subject(c),
        effective_date_time: when,
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
    if let Some(reason) = c.acknowledgement() {
        extensions.push(Extension::new(
            "acknowledgement",
            Value::String(reason.to_owned()),
        ));
    }
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
    if let Some(reason) = c.acknowledgement() {
        notes.push(Annotation {
            text: format!("Soft findings acknowledged for this reason: {reason}"),
        });
    }
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
