//! A preparation as a `MedicationDispense`: the volume to draw (or bags to give), or declined.

use crate::calculation::{Calculation, DeliveryCheck, Preparation, Verdict};
use crate::human::Notation;

use super::administration::{Judged, product_words};
use super::context::{medication, notes, product_medication, provenance, subject, weights};
use super::elements::{Annotation, CodeableConcept, Extension, MILLILITRES, Quantity};
use super::resources::{Amount, Dosage, MedicationDispense};
use super::when::When;

/// The `MedicationDispense` of a preparation from a product's bags: status `preparation`
/// (`declined`, with the reason, when outside the protocol), `quantity` the volume to draw,
/// `dosageInstruction` the cells it holds, prepared at `when`.
///
/// ```
/// use celldose::calculation::{PrepareFrom, PrepareOptions, Prepared};
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
/// let protocol = celldose::Protocol::from_path(std::path::Path::new(&format!("{dir}/protocols/car-t-product-limits.toml")))?;
/// let product = celldose::Certificate::from_path(std::path::Path::new(&format!("{dir}/products/car-t-two-bags.toml")))?;
/// let request = celldose::DoseRequest::new("120kg".parse()?, celldose::DoseChoice::ArmDose, celldose::Rounding::HalfAwayFromZero);
/// let Prepared::Bags(chosen) = protocol.calculate(&request)?.prepare(PrepareFrom::Bags(&product, &[]), &PrepareOptions::new())? else {
///     unreachable!("bags give bags");
/// };
/// let json = serde_json::to_value(celldose::fhir::dispense(&chosen, "2026-12-05".parse()?)).unwrap_or_default();
/// assert_eq!(json["resourceType"], "MedicationDispense");
/// assert_eq!(json["status"], "preparation");
/// assert_eq!(json["quantity"]["code"], "mL");
/// # Ok::<(), celldose::Error>(())
/// ```
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
            medication: product_medication(
                c,
                product_words(check).as_deref(),
                check.product(),
                check.custody(),
            ),
        },
        extension,
        note,
        when,
    )
}

/// The `MedicationDispense` of a preparation from a product's concentration: the volume to draw
/// and the cells it holds, prepared at `when`.
///
/// ```
/// use celldose::{Catalogue, DoseChoice, DoseRequest, Product, Rounding};
/// let catalogue = Catalogue::builtin()?;
/// let request = DoseRequest::new("72.5kg".parse()?, DoseChoice::Level(1), Rounding::HalfAwayFromZero).with_arm("alf");
/// let product = Product::new("1e8/mL".parse()?, "89%".parse()?, None, "20mL".parse()?)?;
/// let prepared = catalogue.find("NCT07276568")?.prepare(&request, &product, "0.1mL".parse()?, Some("10%".parse()?))?;
/// let json = serde_json::to_value(celldose::fhir::prepared_dispense(&prepared, "2026-12-05".parse()?)).unwrap_or_default();
/// assert_eq!(json["quantity"]["value"], serde_json::json!(13.1));
/// # Ok::<(), celldose::Error>(())
/// ```
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
            medication: (None, Some(medication(c, None)), None),
        },
        extension,
        note,
        when,
    )
}

/// What a preparation draws, whatever it came from.
pub(super) struct Prepared {
    pub(super) cells: rust_decimal::Decimal,
    pub(super) volume_ml: rust_decimal::Decimal,
    pub(super) verdict: Verdict,
    pub(super) medication: super::context::Medicated,
}

pub(super) fn dispense_of(
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
    let (mut contained, supporting_information) = weights(c, when);
    let (product_resource, medication_codeable_concept, medication_reference) = prepared.medication;
    contained.extend(product_resource);
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
        medication_codeable_concept,
        medication_reference,
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
