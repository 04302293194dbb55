//! A dose as a `MedicationRequest`: the protocol's dose ordered, this patient's calculated, one
//! instruction per infusion of a split dose.

use crate::calculation::{Calculation, Verdict};
use crate::human::Notation;
use crate::regimen::describe_dose;
use crate::units::Dose;

use super::context::{medication, notes, provenance, subject, weights};
use super::elements::{
    Annotation, CodeableConcept, Extension, PERCENT, Quantity, Range, Timing, TimingRepeat, Value,
};
use super::resources::{Amount, Dosage, MedicationRequest};
use super::when::When;

/// The `MedicationRequest` of a calculated dose.
///
/// Its status is `draft` and its intent `proposal`: a calculation is not a signed order. A dose
/// outside the protocol also carries `doNotPerform: true`, so that no system can take it for
/// something to give. The weight observation is of the dosing date (today where none was named).
///
/// ```
/// use celldose::{DoseChoice, DoseRequest, Protocol, Rounding};
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/protocols/split-dose.toml"))?;
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
pub(super) fn whole_dosage(c: &Calculation) -> Dosage {
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
pub(super) fn infusion_dosage(
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

pub(super) fn dose_quantity(dose: Dose) -> Quantity {
    match dose {
        Dose::Total(count) => Quantity::million_cells(count.get()),
        Dose::PerKg(per_kg) => Quantity::million_cells_per_kg(per_kg.get()),
    }
}

/// The dose in words, as the dosage's text.
pub(super) fn request_text(c: &Calculation) -> String {
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
