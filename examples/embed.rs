//! What a hospital pharmacy system does with the library, written from its documentation alone:
//! compute a dose, check the count from the laboratory against the stored calculation, load a
//! site's protocol and a product's certificate from disk, check the bags, prepare a volume,
//! write the JSON report and the FHIR resources with the site's names, and turn a refusal into
//! the system's own error.
//!
//! Run with `cargo run -p examples --example embed`; CI runs it.

use std::path::Path;
use std::process::ExitCode;

use celldose::calculation::{CheckOptions, Delivery, PrepareFrom, PrepareOptions, Prepared};
use celldose::fhir::{self, FhirOptions, When};
use celldose::human::Notation;
use celldose::report::{CheckReport, DoseReport};
use celldose::{
    Catalogue, Certificate, DoseChoice, DoseRequest, Error, Product, Protocol, Refusal, Rounding,
    Severity, Verdict,
};

/// The pharmacy system's own errors: what it shows the pharmacist, and what it escalates.
#[derive(Debug)]
enum PharmacyError {
    /// The site must set a tolerance for this protocol before counts can be checked.
    ToleranceMissing,
    /// Anything else celldose refused, in its words.
    Refused(String),
}

impl From<Error> for PharmacyError {
    fn from(error: Error) -> Self {
        match error.root() {
            Error::Refused(Refusal::ToleranceNeeded { .. }) => Self::ToleranceMissing,
            _ => Self::Refused(error.to_string()),
        }
    }
}

impl core::fmt::Display for PharmacyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::ToleranceMissing => f.write_str("set the site's tolerance for this protocol"),
            Self::Refused(words) => f.write_str(words),
        }
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("embed: {error}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), PharmacyError> {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalogue = Catalogue::builtin()?;

    // A dose, and the worst of its findings.
    let protocol = catalogue.find("NCT07276568")?;
    let request = DoseRequest::new(
        "160lb".parse()?,
        DoseChoice::Level(1),
        Rounding::HalfAwayFromZero,
    )
    .with_arm("alf")
    .with_patient("S-014")?;
    let calculation = protocol.calculate(&request)?;
    let worst = calculation.findings().iter().map(|f| f.severity()).max();
    println!(
        "dose: {} cells, {}, worst finding {}",
        calculation
            .cells()
            .map_or_else(String::new, |c| c.to_string()),
        calculation.verdict(),
        worst.map_or("none", Severity::as_str)
    );

    // The laboratory's count, judged against the calculation as stored, with the site's default
    // tolerance where the protocol states none.
    let site = CheckOptions::new().site_default("10%".parse()?);
    let check = calculation.check(&Delivery::count("1.2e9".parse()?), &site)?;
    println!("count 1.2e9: {}", check.verdict());

    // Without any tolerance the library refuses, and the system's own error says what to do.
    let strict = catalogue.find("NCT06167473")?.calculate(
        &DoseRequest::new("70kg".parse()?, DoseChoice::ArmDose, Rounding::HalfEven)
            .with_arm("low-dose"),
    )?;
    match strict.check(&Delivery::count("7e7".parse()?), &CheckOptions::new()) {
        Err(error) => match PharmacyError::from(error) {
            PharmacyError::ToleranceMissing => {
                println!("no tolerance: the site must set one for NCT06167473");
            }
            other => return Err(other),
        },
        Ok(_) => return Err(PharmacyError::Refused("checked without a tolerance".into())),
    }

    // A site's protocol and a product's certificate from disk; the bags checked, then chosen.
    let car_t = Protocol::from_path(&examples.join("protocols/car-t-product-limits.toml"))?;
    let product = Certificate::from_path(&examples.join("products/car-t-two-bags.toml"))?;
    let patient = car_t.calculate(
        &DoseRequest::new(
            "120kg".parse()?,
            DoseChoice::ArmDose,
            Rounding::HalfAwayFromZero,
        )
        .with_current_weight("118kg".parse()?),
    )?;
    let both = Delivery::bags(&product, &product.select(&[])?)?;
    let given = patient.check(&both, &CheckOptions::new())?;
    println!(
        "both bags: {} cells, {}",
        given.actual_cells(),
        given.verdict()
    );
    let Prepared::Bags(chosen) =
        patient.prepare(PrepareFrom::Bags(&product, &[]), &PrepareOptions::new())?
    else {
        return Err(PharmacyError::Refused("bags gave a volume".into()));
    };
    println!(
        "chosen from the bags: {} cells, {}",
        chosen.actual_cells(),
        chosen.verdict()
    );

    // A volume to draw from a product described by its figures.
    let figures = Product::new("1e8/mL".parse()?, "89%".parse()?, None, "20mL".parse()?)?;
    let Prepared::Volume(volume) = calculation.prepare(
        PrepareFrom::Figures(&figures),
        &PrepareOptions::new().site_default("10%".parse()?),
    )?
    else {
        return Err(PharmacyError::Refused("figures gave bags".into()));
    };
    println!("draw {} ({})", volume.volume(), volume.verdict());

    // The JSON report and the FHIR resources, with the site's names.
    let report = serde_json::to_string(&DoseReport::new(&calculation, Notation::Unicode))
        .map_err(|e| PharmacyError::Refused(e.to_string()))?;
    let checked = serde_json::to_string(&CheckReport::new(&check, Notation::Unicode))
        .map_err(|e| PharmacyError::Refused(e.to_string()))?;
    let names = FhirOptions::new()
        .subject_reference("Patient/8812")?
        .patient_system("https://hospital.example/trial-subjects")?;
    let order = fhir::to_json(&fhir::medication_request(&calculation).for_site(&names))?;
    let given = fhir::to_json(
        &fhir::administration(&check, "2026-12-05T09:15:00+01:00".parse::<When>()?)
            .for_site(&names),
    )?;
    println!(
        "JSON {} + {} bytes, FHIR {} + {} bytes",
        report.len(),
        checked.len(),
        order.len(),
        given.len()
    );
    if calculation.verdict() != Verdict::Within || check.verdict() != Verdict::Within {
        return Err(PharmacyError::Refused(
            "the example's dose is no longer within".into(),
        ));
    }
    Ok(())
}
