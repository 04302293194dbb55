//! What every resource carries: the patient, the weight observation on the day, the medication,
//! the protocol's provenance as extensions, and the findings as notes.

use crate::calculation::{Calculation, Finding, Verdict};
use crate::human::Notation;
use crate::units::EnteredWeight;

use super::elements::{
    Annotation, CodeableConcept, Coding, Extension, Identifier, KILOGRAMS, LOINC,
    OBSERVATION_CATEGORY, Quantity, Reference, Value,
};
use super::resources::{Contained, Medication, MedicationBatch, Observation};
use super::when::When;

/// The weight that doses (and the current weight, where one was given) as contained
/// observations of the patient at `when`, and references to them.
pub(super) fn weights(c: &Calculation, when: When) -> (Vec<Contained>, Vec<Reference>) {
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
    (
        observations
            .into_iter()
            .map(Contained::Observation)
            .collect(),
        references,
    )
}

pub(super) fn weight_observation(
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
pub(super) fn subject(c: &Calculation) -> Reference {
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
pub(super) fn medication(c: &Calculation, product: Option<&str>) -> CodeableConcept {
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

/// A resource's medication: a contained `Medication` and a reference to it, or words.
pub(super) type Medicated = (
    Option<Contained>,
    Option<CodeableConcept>,
    Option<Reference>,
);

/// The namespace of an ISBT 128 donation identification number: ISBT 128's own OID, as HL7's
/// terminology registers it for the ISBT 128 coding system.
pub const ISBT_128: &str = "urn:oid:2.16.840.1.113883.6.18";

/// What a resource says of the product it gives: in words, where its file names neither DIN nor
/// expiry (`medicationCodeableConcept`); else as a contained `Medication` (`#product`) with the DIN
/// as its identifier, the product's id as the lot, and the expiry that ends first.
pub(super) fn product_medication(
    c: &Calculation,
    words: Option<&str>,
    product: Option<&crate::calculation::ProductUse>,
    custody: Option<&crate::calculation::CustodyCheck>,
) -> Medicated {
    let code = medication(c, words);
    let Some(product) = product else {
        return (None, Some(code), None);
    };
    let identity = product.identity();
    let expiry = custody
        .into_iter()
        .flat_map(|custody| custody.expires().iter().map(|(_, e)| *e))
        .chain(identity.expires())
        .min_by_key(|expiry| match expiry {
            crate::units::Expiry::At(at) => at.timestamp(),
            _ => jiff::Timestamp::MAX,
        });
    if identity.din().is_none() && expiry.is_none() {
        return (None, Some(code), None);
    }
    let expiration_date = expiry.map(|expiry| match expiry {
        crate::units::Expiry::Date(date) => date.to_string(),
        other => serde_json::to_value(other)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
    });
    let medication = Medication {
        resource_type: "Medication",
        id: "product",
        code,
        identifier: identity
            .din()
            .map(|din| Identifier {
                system: Some(ISBT_128.to_owned()),
                value: din.as_str().to_owned(),
            })
            .into_iter()
            .collect(),
        batch: MedicationBatch {
            lot_number: identity.id().to_owned(),
            expiration_date,
        },
    };
    let reference = Reference {
        reference: Some("#product".to_owned()),
        identifier: None,
        display: None,
    };
    (
        Some(Contained::Medication(medication)),
        None,
        Some(reference),
    )
}

/// The protocol, the verdict and every finding, as extensions.
pub(super) fn provenance<'a>(
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
pub(super) fn notes<'a>(
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
