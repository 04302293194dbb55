//! FHIR output: every resource read back by a full FHIR R4B model (`fhir-model`), every unit
//! code checked by a UCUM library (`octofhir-ucum`), golden resources for each built-in protocol,
//! and a property that the FHIR quantities are the JSON report's exact figures.
//!
//! Longer than most files (some 780 lines) because each resource is read back element by element
//! as R4B defines it, in one place, so the mapping in docs/fhir.md has one test to answer to.

use std::str::FromStr;

use celldose::fhir::{self, When};
use celldose::human::Notation;
use celldose::report::{CheckReport, DoseReport};
use celldose::{
    AgeYears, Calculation, Catalogue, DeliveryCheck, DoseChoice, DoseRequest, Product, Rounding,
};
use fhir_model::r4b::resources::{
    MedicationAdministration, MedicationAdministrationEffective, MedicationDispense,
    MedicationRequest, MedicationRequestMedication, Resource,
};
use fhir_model::r4b::types::{DosageDoseAndRateDose, Quantity};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::catalogue;

const WHEN: &str = "2026-11-30T08:15:00Z";

fn when() -> When {
    WHEN.parse().unwrap()
}

/// Every dose a built-in protocol offers a 72.5 kg patient aged 45: each arm's levels and its
/// own dose.
fn every_dose(catalogue: &Catalogue) -> Vec<Calculation> {
    let mut all = Vec::new();
    for protocol in catalogue.protocols() {
        for arm in protocol.arms() {
            let mut choices: Vec<DoseChoice> = arm
                .regimen()
                .levels()
                .iter()
                .map(|l| DoseChoice::Level(l.number()))
                .collect();
            if arm.regimen().rule().is_some() {
                choices.push(DoseChoice::ArmDose);
            }
            for choice in choices {
                let request = DoseRequest::new(
                    "72.5kg".parse().unwrap(),
                    choice,
                    Rounding::HalfAwayFromZero,
                )
                .with_arm(arm.id())
                .with_age(AgeYears::new(Decimal::from(45)).unwrap())
                .with_dosing_date("2026-11-30".parse().unwrap());
                all.push(protocol.calculate(&request).unwrap());
            }
        }
    }
    all
}

/// A checked delivery for each calculation with a target: 5 % above it.
fn every_check(catalogue: &Catalogue, doses: &[Calculation]) -> Vec<DeliveryCheck> {
    doses
        .iter()
        .filter_map(|c| {
            let target = c.cells()?;
            let protocol = catalogue.find(c.protocol()).unwrap();
            let mut request = DoseRequest::new(
                c.weight(),
                match (c.level(), c.dose()) {
                    (Some(level), _) => DoseChoice::Level(level),
                    (None, Some(dose)) => DoseChoice::Explicit(dose),
                    (None, None) => return None,
                },
                Rounding::HalfAwayFromZero,
            )
            .with_age(c.age().unwrap());
            if let Some(arm) = c.arm() {
                request = request.with_arm(arm);
            }
            let delivered = (target.get() * Decimal::new(105, 2)).round();
            Some(
                protocol
                    .check(
                        &request,
                        celldose::CellCount::new(delivered).unwrap(),
                        Some("10%".parse().unwrap()),
                    )
                    .unwrap(),
            )
        })
        .collect()
}

/// A FHIR decimal as the exact text it was written with, read back as a `Decimal`.
fn exact(raw: &RawValue) -> Decimal {
    Decimal::from_str(raw.get()).unwrap_or_else(|_| panic!("not a plain decimal: {}", raw.get()))
}

/// `value × 10⁶` for a quantity in millions of cells.
fn cells_of(value: Decimal) -> Decimal {
    (value * Decimal::from(1_000_000)).normalize()
}

/// What the model read as a quantity's value, compared with the exact figure by its shortest
/// decimal text (the model holds an f64; the figures here have at most 15 significant digits).
fn model_value(quantity: &Quantity) -> Decimal {
    Decimal::from_str(&quantity.value.unwrap().to_string()).unwrap()
}

fn json_field(json: &Value, key: &str) -> Option<Decimal> {
    json[key].as_str().map(|s| Decimal::from_str(s).unwrap())
}

#[test]
fn every_dose_request_is_read_back_by_a_fhir_model_with_the_same_values() {
    let catalogue = catalogue();
    let doses = every_dose(&catalogue);
    assert!(doses.len() >= 20, "{}", doses.len());
    for c in &doses {
        let text = fhir::to_json(&fhir::medication_request(c)).unwrap();
        let read: MedicationRequest = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} {:?}: {e}\n{text}", c.protocol(), c.arm()));
        let report = serde_json::to_value(DoseReport::new(c, Notation::Unicode)).unwrap();
        assert_eq!(read.status, "draft");
        assert_eq!(read.intent, "proposal");
        assert_eq!(
            read.do_not_perform,
            (c.verdict() == celldose::Verdict::Outside).then_some(true)
        );
        let MedicationRequestMedication::CodeableConcept(medication) = &read.medication else {
            panic!("medication is a concept");
        };
        assert!(
            medication.text.as_deref().unwrap().contains(c.protocol()),
            "{medication:?}"
        );
        // The weight: a contained body-weight observation, referenced as supporting information.
        let [Resource::Observation(weight)] = read.contained.as_slice() else {
            panic!("one contained observation: {text}");
        };
        assert_eq!(weight.id.as_deref(), Some("weight"));
        assert_eq!(
            weight.code.coding[0].as_ref().unwrap().code.as_deref(),
            Some("29463-7")
        );
        assert_eq!(
            read.supporting_information[0]
                .as_ref()
                .unwrap()
                .reference
                .as_deref(),
            Some("#weight")
        );
        let dosage = read.dosage_instruction[0].as_ref().unwrap();
        let entries: Vec<(String, &DosageDoseAndRateDose)> = dosage
            .dose_and_rate
            .iter()
            .map(|e| {
                let e = e.as_ref().unwrap();
                let code = e.r#type.as_ref().unwrap().coding[0]
                    .as_ref()
                    .unwrap()
                    .code
                    .clone()
                    .unwrap();
                (code, e.dose.as_ref().unwrap())
            })
            .collect();
        // The calculated amount is the report's cells, or its range where no dose was chosen.
        let calculated = entries.iter().find(|(code, _)| code == "calculated");
        match (calculated, json_field(&report, "cells")) {
            (Some((_, DosageDoseAndRateDose::Quantity(q))), Some(cells)) => {
                assert_eq!(q.code.as_deref(), Some("10*6{cells}"));
                assert_eq!(cells_of(model_value(q)), cells, "{}", c.protocol());
            }
            (Some((_, DosageDoseAndRateDose::Range(range))), None) => {
                let low = range.low.as_ref().map(model_value).map(cells_of);
                assert_eq!(low, json_field(&report, "min_cells"));
            }
            (None, None) => assert!(json_field(&report, "min_cells").is_none()),
            other => panic!("{}: {other:?}", c.protocol()),
        }
        // The ordered amount is the protocol's dose, per kg where it is per kg.
        if let (Some((_, DosageDoseAndRateDose::Quantity(q))), Some(dose)) =
            (entries.iter().find(|(code, _)| code == "ordered"), c.dose())
        {
            let per_kg = report["dose_per_kg"].as_bool().unwrap();
            assert_eq!(
                q.code.as_deref(),
                Some(if per_kg {
                    "10*6{cells}/kg"
                } else {
                    "10*6{cells}"
                })
            );
            let stated = match dose {
                celldose::Dose::PerKg(p) => p.get(),
                celldose::Dose::Total(n) => n.get(),
            };
            assert_eq!(cells_of(model_value(q)), stated.normalize());
        }
        match (
            &dosage.max_dose_per_administration,
            json_field(&report, "max_total_cells"),
        ) {
            (Some(max), Some(cap)) => assert_eq!(cells_of(model_value(max)), cap),
            (None, None) => {}
            other => panic!("{}: {other:?}", c.protocol()),
        }
        // Every finding is kept as an extension and a note.
        let findings = c.findings().len();
        let finding_extensions = read
            .extension
            .iter()
            .filter(|e| e.url.ends_with("/finding"))
            .count();
        assert_eq!(finding_extensions, findings, "{text}");
        assert_eq!(read.note.len(), findings + 1);
    }
}

#[test]
fn every_administration_is_read_back_by_a_fhir_model() {
    let catalogue = catalogue();
    let doses = every_dose(&catalogue);
    let checks = every_check(&catalogue, &doses);
    assert!(checks.len() >= 10, "{}", checks.len());
    for check in &checks {
        let text = fhir::to_json(&fhir::administration(check, when())).unwrap();
        let read: MedicationAdministration =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(read.status, "completed");
        let MedicationAdministrationEffective::DateTime(time) = &read.effective else {
            panic!("an effective date and time");
        };
        assert_eq!(serde_json::to_value(time).unwrap(), WHEN);
        let dose = read.dosage.as_ref().unwrap().dose.as_ref().unwrap();
        assert_eq!(dose.code.as_deref(), Some("10*6{cells}"));
        assert_eq!(cells_of(model_value(dose)), check.actual_exact().get());
    }
    // A product's bags, checked and prepared; a volume prepared from a concentration.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let mut library = catalogue;
    library
        .add(
            celldose::Protocol::from_toml(
                "car-t-product-limits.toml",
                &std::fs::read_to_string(format!("{root}/protocols/car-t-product-limits.toml"))
                    .unwrap(),
            )
            .unwrap(),
        )
        .unwrap();
    let certificate = celldose::Certificate::from_path(std::path::Path::new(&format!(
        "{root}/products/car-t-two-bags.toml"
    )))
    .unwrap();
    let protocol = library.find("DEMO-CART").unwrap();
    let request = DoseRequest::new(
        "120kg".parse().unwrap(),
        DoseChoice::ArmDose,
        Rounding::HalfAwayFromZero,
    );
    let delivery =
        celldose::calculation::Delivery::bags(&certificate, &certificate.select(&[]).unwrap())
            .unwrap();
    let given = protocol
        .check_delivery(&request, &delivery, None, None)
        .unwrap();
    let prepared = protocol
        .prepare_from_bags(
            &request,
            &certificate,
            &certificate.select(&[]).unwrap(),
            "0.1mL".parse().unwrap(),
            None,
            None,
        )
        .unwrap();
    let low_dose = library.find("NCT06167473").unwrap();
    // 70 kg on the low-dose arm, from 2.5 × 10⁶ cells/mL with `available` of product.
    let prepare_from = |available: &str| {
        low_dose
            .prepare(
                &DoseRequest::new(
                    "70kg".parse().unwrap(),
                    DoseChoice::ArmDose,
                    Rounding::HalfAwayFromZero,
                )
                .with_arm("low-dose"),
                &Product::new(
                    "2.5e6/mL".parse().unwrap(),
                    "96%".parse().unwrap(),
                    None,
                    available.parse().unwrap(),
                )
                .unwrap(),
                "0.1mL".parse().unwrap(),
                Some("5%".parse().unwrap()),
            )
            .unwrap()
    };
    let from_concentration = prepare_from("50mL");
    // Too little product: outside the protocol, so the preparation is not to be given.
    let too_little = prepare_from("10mL");
    assert_eq!(too_little.verdict(), celldose::Verdict::Outside);
    let read_dispense = |resource: fhir::MedicationDispense| {
        let text = fhir::to_json(&resource).unwrap();
        let read: MedicationDispense =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        (read, text)
    };
    // What is to be given is a dispense in preparation, never an administration under way; one
    // outside the protocol is declined, with the reason.
    for (resource, status, cells, volume) in [
        (
            fhir::prepared_dispense(&too_little, when()),
            "declined",
            too_little.delivered_exact().get(),
            too_little.volume().ml(),
        ),
        (
            fhir::dispense(&prepared, when()),
            "preparation",
            prepared.actual_exact().get(),
            prepared.excipients().map(|e| e.volume_ml()).unwrap(),
        ),
        (
            fhir::prepared_dispense(&from_concentration, when()),
            "preparation",
            from_concentration.delivered_exact().get(),
            from_concentration.volume().ml(),
        ),
    ] {
        let (read, text) = read_dispense(resource);
        assert_eq!(read.status.to_string(), status, "{text}");
        if status == "declined" {
            assert!(text.contains("\"statusReasonCodeableConcept\""), "{text}");
        }
        assert_eq!(
            model_value(read.quantity.as_ref().unwrap()),
            volume.normalize(),
            "{text}"
        );
        let dosage = read.dosage_instruction[0].as_ref().unwrap();
        let Some(DosageDoseAndRateDose::Quantity(q)) =
            dosage.dose_and_rate[0].as_ref().unwrap().dose.as_ref()
        else {
            panic!("{text}");
        };
        assert_eq!(cells_of(model_value(q)), cells, "{text}");
        assert!(
            text.contains("\"whenPrepared\": \"2026-11-30T08:15:00Z\""),
            "{text}"
        );
    }
    let text = fhir::to_json(&fhir::administration(&given, when())).unwrap();
    let read: MedicationAdministration =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(read.status.to_string(), "completed");
    let dose = read.dosage.as_ref().unwrap().dose.as_ref().unwrap();
    assert_eq!(cells_of(model_value(dose)), given.actual_exact().get());
    assert!(
        text.contains("\"url\": \"https://celldose.github.io/fhir/StructureDefinition/volume\"")
    );
    // The DIN names the product.
    let text = fhir::to_json(&fhir::administration(&given, when())).unwrap();
    assert!(text.contains("DIN W1234 26 000417"), "{text}");
    assert!(text.contains("\"valueCode\": \"outside\""), "{text}");
}

/// Every `code` of a quantity with the UCUM system, anywhere in a resource.
fn unit_codes(value: &Value, codes: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if map.get("system").and_then(Value::as_str) == Some(fhir::UCUM) {
                codes.push(map["code"].as_str().unwrap().to_owned());
            }
            map.values().for_each(|v| unit_codes(v, codes));
        }
        Value::Array(items) => items.iter().for_each(|v| unit_codes(v, codes)),
        _ => {}
    }
}

#[test]
fn every_unit_code_is_valid_ucum() {
    // The validator tells a valid code from the one a careless writer would use.
    assert!(octofhir_ucum::validate("cells/kg").is_err());
    assert!(octofhir_ucum::validate("10*6{cells}/kg").is_ok());
    let catalogue = catalogue();
    let doses = every_dose(&catalogue);
    let checks = every_check(&catalogue, &doses);
    let mut codes = Vec::new();
    for c in &doses {
        unit_codes(
            &serde_json::to_value(fhir::medication_request(c)).unwrap(),
            &mut codes,
        );
    }
    for check in &checks {
        unit_codes(
            &serde_json::to_value(fhir::administration(check, when())).unwrap(),
            &mut codes,
        );
    }
    codes.sort();
    codes.dedup();
    assert_eq!(codes, ["%", "10*6{cells}", "10*6{cells}/kg", "kg"]);
    for code in [
        fhir::MILLION_CELLS,
        fhir::MILLION_CELLS_PER_KG,
        fhir::KILOGRAMS,
        fhir::MILLILITRES,
        fhir::PERCENT,
    ] {
        assert!(
            octofhir_ucum::validate(code).is_ok(),
            "{code}: {:?}",
            octofhir_ucum::validate(code)
        );
    }
}

/// The resources each built-in protocol gives, as committed in tests/fhir/: a dose request for
/// its first arm's first choice, and the check of a delivery 5 % above its first target that is
/// not zero (a placebo arm's zero where it has no other). Set
/// `CELLDOSE_BLESS=1` to write them anew after a deliberate change, then read the diff.
#[test]
fn golden_resources_for_each_built_in_protocol() {
    let catalogue = catalogue();
    let doses = every_dose(&catalogue);
    let checks = every_check(&catalogue, &doses);
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fhir"));
    for protocol in catalogue.protocols() {
        let id = protocol.id();
        let request = doses.iter().find(|c| c.protocol() == id).unwrap();
        let of_protocol = |c: &&DeliveryCheck| c.calculation().protocol() == id;
        let check = checks
            .iter()
            .filter(of_protocol)
            .find(|c| {
                c.calculation()
                    .cells()
                    .is_some_and(|n| n.get() > Decimal::ZERO)
            })
            .or_else(|| checks.iter().find(of_protocol));
        let mut text = fhir::to_json(&fhir::medication_request(request)).unwrap();
        text.push('\n');
        if let Some(check) = check {
            text.push_str(&fhir::to_json(&fhir::administration(check, when())).unwrap());
            text.push('\n');
        }
        let path = dir.join(format!("{id}.json"));
        if std::env::var_os("CELLDOSE_BLESS").is_some() {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        }
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; run with CELLDOSE_BLESS=1", path.display()));
        assert_eq!(text, expected, "{id}: the FHIR output changed");
    }
}

/// The quantities of a resource with their exact written text.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExactRequest<'a> {
    #[serde(borrow)]
    contained: Vec<ExactObservation<'a>>,
    #[serde(borrow)]
    dosage_instruction: Vec<ExactDosage<'a>>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExactObservation<'a> {
    #[serde(borrow)]
    value_quantity: ExactQuantity<'a>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExactDosage<'a> {
    #[serde(borrow)]
    dose_and_rate: Vec<ExactDoseAndRate<'a>>,
    #[serde(borrow)]
    max_dose_per_administration: Option<ExactQuantity<'a>>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExactDoseAndRate<'a> {
    #[serde(borrow)]
    dose_quantity: Option<ExactQuantity<'a>>,
}

#[derive(serde::Deserialize)]
struct ExactQuantity<'a> {
    #[serde(borrow)]
    value: &'a RawValue,
    code: String,
}

#[derive(serde::Deserialize)]
struct ExactAdministration<'a> {
    #[serde(borrow)]
    dosage: ExactAdministrationDosage<'a>,
}

#[derive(serde::Deserialize)]
struct ExactAdministrationDosage<'a> {
    #[serde(borrow)]
    dose: ExactQuantity<'a>,
}

fn weight() -> impl Strategy<Value = String> {
    (200_000i64..=700_000_000i64).prop_map(|micro_kg| format!("{}kg", Decimal::new(micro_kg, 6)))
}

proptest! {
    /// The numbers a FHIR resource writes are, digit for digit, the JSON report's exact figures
    /// (scaled by 10⁶ for cells): the weight, the ordered dose, the calculated cells, the cap
    /// and what was given.
    #[test]
    fn fhir_quantities_are_the_json_reports_exact_figures(
        weight in weight(),
        which in any::<prop::sample::Index>(),
        above in 0i64..=300,
    ) {
        let catalogue = catalogue();
        let doses: Vec<Calculation> = every_dose(&catalogue);
        let template = which.get(&doses);
        let protocol = catalogue.find(template.protocol()).unwrap();
        let choice = match (template.level(), template.dose()) {
            (Some(level), _) => DoseChoice::Level(level),
            (None, Some(dose)) => DoseChoice::Explicit(dose),
            (None, None) => DoseChoice::ArmDose,
        };
        let mut request = DoseRequest::new(weight.parse().unwrap(), choice, Rounding::HalfAwayFromZero)
            .with_age(AgeYears::new(Decimal::from(45)).unwrap());
        if let Some(arm) = template.arm() {
            request = request.with_arm(arm);
        }
        let c = protocol.calculate(&request).unwrap();
        let report = serde_json::to_value(DoseReport::new(&c, Notation::Unicode)).unwrap();
        let text = serde_json::to_string(&fhir::medication_request(&c)).unwrap();
        let written: ExactRequest = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(exact(written.contained[0].value_quantity.value), json_field(&report, "weight_kg").unwrap());
        let dosage = &written.dosage_instruction[0];
        let quantities: Vec<&ExactQuantity> = dosage.dose_and_rate.iter().filter_map(|e| e.dose_quantity.as_ref()).collect();
        if let Some(cells) = json_field(&report, "cells") {
            let calculated = quantities.iter().find(|q| q.code == "10*6{cells}" && cells_of(exact(q.value)) == cells);
            prop_assert!(calculated.is_some(), "{} not in {}", cells, text);
        }
        if let Some(dose) = report["dose"].as_str() {
            let (number, per_kg) = match dose.strip_suffix("/kg") {
                Some(number) => (number, true),
                None => (dose, false),
            };
            let ordered = quantities.first().unwrap();
            prop_assert_eq!(ordered.code.as_str(), if per_kg { "10*6{cells}/kg" } else { "10*6{cells}" });
            prop_assert_eq!(cells_of(exact(ordered.value)), Decimal::from_str(number).unwrap());
        }
        prop_assert_eq!(
            dosage.max_dose_per_administration.as_ref().map(|q| cells_of(exact(q.value))),
            json_field(&report, "max_total_cells")
        );
        if let Some(target) = c.cells() {
            let delivered = celldose::CellCount::new((target.get() * Decimal::new(1000 + above, 3)).round()).unwrap();
            let check = protocol.check(&request, delivered, Some("10%".parse().unwrap())).unwrap();
            let report = serde_json::to_value(CheckReport::new(&check, Notation::Unicode)).unwrap();
            let text = serde_json::to_string(&fhir::administration(&check, when())).unwrap();
            let written: ExactAdministration = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(cells_of(exact(written.dosage.dose.value)), json_field(&report, "actual_cells_exact").unwrap());
        }
    }
}

fn split_protocol(limits: &str) -> celldose::Protocol {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let text = std::fs::read_to_string(format!("{root}/protocols/split-dose.toml")).unwrap();
    celldose::Protocol::from_toml(
        "split.toml",
        &text.replace("\"per-infusion\"", &format!("\"{limits}\"")),
    )
    .unwrap()
}

fn split_request() -> DoseRequest {
    DoseRequest::new(
        "67.3kg".parse().unwrap(),
        DoseChoice::ArmDose,
        Rounding::HalfAwayFromZero,
    )
    .with_patient("S-014")
    .unwrap()
    .with_dosing_date("2026-11-30".parse().unwrap())
}

/// A quantity extension's value, as written.
fn extension_quantity(resource: &Value, name: &str) -> Option<Decimal> {
    resource["extension"]
        .as_array()?
        .iter()
        .find(|e| {
            e["url"]
                .as_str()
                .is_some_and(|u| u.ends_with(&format!("/{name}")))
        })
        .map(|e| Decimal::from_str(&e["valueQuantity"]["value"].to_string()).unwrap())
}

#[test]
fn a_split_dose_request_has_one_instruction_per_infusion_each_with_its_own_amount() {
    // DEMO-SPLIT at 67.3 kg: 1 × 10⁷/kg is 673,000,000 cells in all: 10 % (67,300,000) on day 0,
    // 30 % (201,900,000) on day 1, 60 % (403,800,000) on day 2.
    let c = split_protocol("per-infusion")
        .calculate(&split_request())
        .unwrap();
    let text = fhir::to_json(&fhir::medication_request(&c)).unwrap();
    let read: MedicationRequest =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(read.dosage_instruction.len(), 3, "{text}");
    let json: Value = serde_json::from_str(&text).unwrap();
    for (index, (sequence, day, calculated, ordered)) in [
        (1, 0, "67.3", "1"),
        (2, 1, "201.9", "3"),
        (3, 2, "403.8", "6"),
    ]
    .into_iter()
    .enumerate()
    {
        let dosage = read.dosage_instruction[index].as_ref().unwrap();
        assert_eq!(dosage.sequence, Some(sequence));
        let timing = dosage.timing.as_ref().unwrap();
        assert_eq!(
            timing.code.as_ref().unwrap().text.as_deref(),
            Some(format!("day {day} of the course (the first infusion is day 0)").as_str())
        );
        assert_eq!(
            timing.repeat.as_ref().unwrap().count.map(u32::from),
            Some(1)
        );
        let written = &json["dosageInstruction"][index]["doseAndRate"];
        assert_eq!(
            written[0]["doseQuantity"]["value"].to_string(),
            ordered,
            "{text}"
        );
        assert_eq!(written[0]["doseQuantity"]["code"], "10*6{cells}/kg");
        assert_eq!(
            written[1]["doseQuantity"]["value"].to_string(),
            calculated,
            "{text}"
        );
    }
    // No instruction carries the whole course; a note says what it is.
    assert!(!text.contains("\"value\": 673,"), "{text}");
    assert!(
        text.contains("The whole course is 673,000,000 cells"),
        "{text}"
    );
    // The weight observation is the vital-signs body weight of this patient on the dosing date.
    let weight = &json["contained"][0];
    assert_eq!(weight["category"][0]["coding"][0]["code"], "vital-signs");
    assert_eq!(weight["subject"]["identifier"]["value"], "S-014");
    assert_eq!(weight["effectiveDateTime"], "2026-11-30");
}

#[test]
fn an_administration_is_judged_against_the_target_it_names_and_its_deviation_recomputes() {
    use celldose::calculation::{Course, Delivery};
    let cases = [
        // Infusion 2 of a per-infusion split: 200,000,000 against its share, 201,900,000.
        ("per-infusion", 2, "2e8", Some("6.73e7"), "201.9"),
        // The same under cumulative limits: the running total, 267,300,000, against the
        // 269,200,000 due by the end of infusion 2.
        ("cumulative", 2, "2e8", Some("6.73e7"), "269.2"),
        // A first infusion, and a deviation that does not terminate: 6.8e7 against 67,300,000.
        ("per-infusion", 1, "6.8e7", None, "67.3"),
    ];
    for (limits, infusion, cells, given, target) in cases {
        let mut course = Course::infusion(infusion);
        if let Some(given) = given {
            course = course.with_given_before(given.parse().unwrap());
        }
        let check = split_protocol(limits)
            .check_delivery(
                &split_request(),
                &Delivery::count(cells.parse().unwrap()),
                None,
                Some(course),
            )
            .unwrap();
        let text = fhir::to_json(&fhir::administration(&check, when())).unwrap();
        let _: MedicationAdministration =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let json: Value = serde_json::from_str(&text).unwrap();
        let written_target = extension_quantity(&json, "target").unwrap();
        assert_eq!(written_target.to_string(), target, "{limits}: {text}");
        // What was judged: the dose given, or the running total where the limits are cumulative.
        let dose = Decimal::from_str(&json["dosage"]["dose"]["value"].to_string()).unwrap();
        let judged = extension_quantity(&json, "running-total")
            .filter(|_| limits == "cumulative")
            .unwrap_or(dose);
        // Recomputed from the resource alone, as fractions: (judged − target) ÷ target × 100.
        let exact = (num_rational::BigRational::from_integer((judged.mantissa()).into())
            / num_rational::BigRational::from_integer(
                num_bigint::BigInt::from(10).pow(judged.scale()),
            )
            - num_rational::BigRational::from_integer(written_target.mantissa().into())
                / num_rational::BigRational::from_integer(
                    num_bigint::BigInt::from(10).pow(written_target.scale()),
                ))
            * num_rational::BigRational::from_integer(100.into())
            / (num_rational::BigRational::from_integer(written_target.mantissa().into())
                / num_rational::BigRational::from_integer(
                    num_bigint::BigInt::from(10).pow(written_target.scale()),
                ));
        let fraction_text = json["extension"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["url"].as_str().unwrap().ends_with("/deviation-exact"))
            .map(|e| e["valueString"].as_str().unwrap().to_owned());
        match fraction_text {
            Some(fraction) => {
                assert_eq!(
                    fraction,
                    format!("{}/{}", exact.numer(), exact.denom()),
                    "{text}"
                );
            }
            None => {
                let deviation = extension_quantity(&json, "deviation").unwrap();
                let written = num_rational::BigRational::from_integer(deviation.mantissa().into())
                    / num_rational::BigRational::from_integer(
                        num_bigint::BigInt::from(10).pow(deviation.scale()),
                    );
                assert_eq!(written, exact, "{limits}: {text}");
            }
        }
    }
}

#[test]
fn an_acknowledgement_travels_with_the_resource() {
    let request = DoseRequest::new(
        "70kg".parse().unwrap(),
        DoseChoice::Level(2),
        Rounding::HalfAwayFromZero,
    )
    .with_arm("msc")
    .with_age(AgeYears::new(Decimal::from(50)).unwrap())
    .with_acknowledgement("investigator approved, SRC-2026-03")
    .unwrap();
    let c = catalogue()
        .find("NCT05227846")
        .unwrap()
        .calculate(&request)
        .unwrap();
    assert_eq!(c.verdict(), celldose::Verdict::Within);
    let text = fhir::to_json(&fhir::medication_request(&c)).unwrap();
    assert!(text.contains("\"url\": \"https://celldose.github.io/fhir/StructureDefinition/acknowledgement\",\n      \"valueString\": \"investigator approved, SRC-2026-03\""), "{text}");
    assert!(
        text.contains(
            "Soft findings acknowledged for this reason: investigator approved, SRC-2026-03"
        ),
        "{text}"
    );
    let _: MedicationRequest = serde_json::from_str(&text).unwrap();
}

#[test]
fn a_site_names_its_patient_and_celldoses_extensions_and_a_fhir_model_still_reads_them() {
    use celldose::fhir::FhirOptions;
    let catalogue = catalogue();
    let request = DoseRequest::new(
        "72.5kg".parse().unwrap(),
        DoseChoice::Level(1),
        Rounding::HalfAwayFromZero,
    )
    .with_arm("alf")
    .with_patient("S-014")
    .unwrap();
    let calculation = catalogue
        .find("NCT07276568")
        .unwrap()
        .calculate(&request)
        .unwrap();
    let base = "https://hospital.example/fhir/StructureDefinition/celldose-";
    let options = FhirOptions::new()
        .subject_reference("Patient/8812")
        .unwrap()
        .patient_system("https://hospital.example/trial-subjects")
        .unwrap()
        .extension_base(base)
        .unwrap();
    let text = fhir::to_json(&fhir::medication_request(&calculation).for_site(&options)).unwrap();
    let read: MedicationRequest = serde_json::from_str(&text).unwrap();
    assert_eq!(read.subject.reference.as_deref(), Some("Patient/8812"));
    let identifier = read.subject.identifier.as_ref().unwrap();
    assert_eq!(
        identifier.system.as_deref(),
        Some("https://hospital.example/trial-subjects")
    );
    assert_eq!(identifier.value.as_deref(), Some("S-014"));
    assert!(!read.extension.is_empty());
    for extension in &read.extension {
        assert!(extension.url.starts_with(base), "{}", extension.url);
    }
    let [Resource::Observation(weight)] = read.contained.as_slice() else {
        panic!("one contained observation: {text}");
    };
    assert_eq!(
        weight.subject.as_ref().unwrap().reference.as_deref(),
        Some("Patient/8812")
    );
    // Without options, celldose's own names.
    let plain: Value =
        serde_json::from_str(&fhir::to_json(&fhir::medication_request(&calculation)).unwrap())
            .unwrap();
    assert!(plain["subject"].get("reference").is_none());
    assert!(
        plain["extension"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with(fhir::EXTENSION_BASE)
    );
    // A name a record could not use is refused.
    for (bad, kind) in [
        ("Patient 8812", "subject"),
        ("hospital.example/x", "system"),
    ] {
        let refused = match kind {
            "subject" => FhirOptions::new().subject_reference(bad),
            _ => FhirOptions::new().patient_system(bad),
        };
        assert!(refused.is_err(), "{bad}");
    }
}

/// A product with a DIN and an expiry is given as a contained `Medication`: R4B keeps the DIN as
/// its identifier and the lot and expiry in its `batch`; a FHIR model reads them back.
#[test]
fn a_products_din_lot_and_expiry_are_the_contained_medications() {
    use celldose::calculation::{Custody, Delivery};
    use fhir_model::r4b::resources::{MedicationAdministrationMedication, ResourceType};
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let protocol = celldose::Protocol::from_path(std::path::Path::new(&format!(
        "{root}/protocols/car-t-thaw.toml"
    )))
    .unwrap();
    let product = celldose::Certificate::from_path(std::path::Path::new(&format!(
        "{root}/products/car-t-autologous.toml"
    )))
    .unwrap();
    let request = DoseRequest::new(
        "100kg".parse().unwrap(),
        DoseChoice::ArmDose,
        Rounding::HalfAwayFromZero,
    )
    .with_patient("S-021")
    .unwrap();
    let check = protocol
        .check_delivery(
            &request,
            &Delivery::bags(&product, &product.select(&[]).unwrap()).unwrap(),
            None,
            None,
        )
        .unwrap()
        .with_custody(
            &Custody::default()
                .with_thawed_at("2026-12-05T14:30:00+01:00".parse().unwrap())
                .with_infusion_start("2026-12-05T14:50:00+01:00".parse().unwrap()),
            &product,
            &protocol.product_rules().handling,
        )
        .unwrap();
    let text = fhir::to_json(&fhir::administration(&check, when())).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["medicationReference"]["reference"], "#product");
    assert!(json.get("medicationCodeableConcept").is_none());
    let medication = json["contained"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["resourceType"] == "Medication")
        .unwrap();
    assert_eq!(medication["id"], "product");
    assert_eq!(
        medication["identifier"][0]["system"],
        "urn:oid:2.16.840.1.113883.6.18"
    );
    assert_eq!(medication["identifier"][0]["value"], "W123426000912");
    assert_eq!(medication["batch"]["lotNumber"], "CART-AUTO-0912");
    assert_eq!(
        medication["batch"]["expirationDate"],
        "2027-03-01T12:00:00+01:00"
    );
    let read: MedicationAdministration =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let MedicationAdministrationMedication::Reference(reference) = &read.medication else {
        panic!("a medication reference");
    };
    assert_eq!(reference.reference.as_deref(), Some("#product"));
    let contained = read
        .contained
        .iter()
        .find(|c| c.resource_type() == ResourceType::Medication)
        .unwrap();
    let Resource::Medication(medication) = contained else {
        panic!("a contained Medication");
    };
    let batch = medication.batch.as_ref().unwrap();
    assert_eq!(batch.lot_number.as_deref(), Some("CART-AUTO-0912"));
    assert_eq!(
        serde_json::to_value(batch.expiration_date.as_ref().unwrap()).unwrap(),
        "2027-03-01T12:00:00+01:00"
    );
}
