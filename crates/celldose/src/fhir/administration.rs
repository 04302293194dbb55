//! A check as a `MedicationAdministration`: what was given, and the target and deviation it was
//! judged by.

use crate::calculation::DeliveryCheck;
use crate::human::Notation;

use super::context::{notes, product_medication, provenance, subject, weights};
use super::elements::{Extension, MILLILITRES, PERCENT, Quantity, Value};
use super::resources::{AdministrationDosage, MedicationAdministration};
use super::when::When;

/// A deviation that is not a terminating decimal is written to this many places; its exact
/// value travels as a fraction in the `deviation-exact` extension.
pub(super) const DEVIATION_PLACES: u32 = 10;

/// What an amount was judged against: the figure compared, the target, and for a split dose
/// what was given before and the running total.
pub(super) struct Judged {
    /// The amount compared with the target: this infusion's, or the running total.
    pub(super) amount: rust_decimal::Decimal,
    pub(super) target: Option<rust_decimal::Decimal>,
    pub(super) given_before: Option<rust_decimal::Decimal>,
    pub(super) running_total: Option<rust_decimal::Decimal>,
}

impl Judged {
    pub(super) fn of(check: &DeliveryCheck) -> Self {
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
    pub(super) fn extensions(&self) -> Vec<Extension> {
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
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/protocols/split-dose.toml"))?;
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
    let (mut contained, supporting_information) = weights(c, when);
    let (product_resource, medication_codeable_concept, medication_reference) =
        product_medication(c, product.as_deref(), check.product(), check.custody());
    contained.extend(product_resource);
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
        medication_codeable_concept,
        medication_reference,
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
pub(super) fn product_words(check: &DeliveryCheck) -> Option<String> {
    check.product().map(|p| {
        let identity = p.identity();
        match identity.din() {
            Some(din) => format!("product {} (DIN {din})", identity.id()),
            None => format!("product {}", identity.id()),
        }
    })
}
