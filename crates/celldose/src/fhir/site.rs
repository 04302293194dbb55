//! How a site's record names its patients and the extensions celldose writes: the subject as a
//! literal reference (`Patient/123`), the system of the patient's identifier, and the base URL of
//! the extensions, set by the caller on any resource celldose writes.

use super::elements::{EXTENSION_BASE, Extension, Reference};
use super::resources::{MedicationAdministration, MedicationDispense, MedicationRequest};
use crate::error::Result;
use crate::refusal::Refusal;

/// A site's names for the patient and for celldose's extensions.
///
/// ```
/// use celldose::fhir::{self, FhirOptions};
/// use celldose::{Catalogue, DoseChoice, DoseRequest, Rounding};
/// let catalogue = Catalogue::builtin()?;
/// let request = DoseRequest::new("72.5kg".parse()?, DoseChoice::Level(1), Rounding::HalfAwayFromZero)
///     .with_arm("alf").with_patient("S-014")?;
/// let calculation = catalogue.find("NCT07276568")?.calculate(&request)?;
/// let options = FhirOptions::new()
///     .subject_reference("Patient/8812")?
///     .patient_system("https://hospital.example/trial-subjects")?
///     .extension_base("https://hospital.example/fhir/StructureDefinition/celldose-")?;
/// let json = serde_json::to_value(fhir::medication_request(&calculation).for_site(&options)).unwrap_or_default();
/// assert_eq!(json["subject"]["reference"], "Patient/8812");
/// assert_eq!(json["subject"]["identifier"]["system"], "https://hospital.example/trial-subjects");
/// assert!(json["extension"][0]["url"].as_str().unwrap_or("").starts_with("https://hospital.example/fhir/StructureDefinition/celldose-"));
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FhirOptions {
    subject: Option<String>,
    patient_system: Option<String>,
    extension_base: Option<String>,
}

/// A URL or reference a site gives: printable ASCII, no spaces, not empty.
fn checked(what: &'static str, text: &str, url: bool) -> Result<String> {
    let plain = !text.is_empty() && text.chars().all(|c| c.is_ascii_graphic());
    let absolute = !url || text.starts_with("https://") || text.starts_with("http://");
    if plain && absolute {
        Ok(text.to_owned())
    } else {
        Err(Refusal::FhirName {
            what,
            input: text.to_owned(),
        }
        .into())
    }
}

impl FhirOptions {
    /// celldose's own names: the patient by identifier alone, extensions under
    /// [`EXTENSION_BASE`].
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The patient as a literal reference in the receiving record: `Patient/8812`.
    ///
    /// # Errors
    /// Empty, or holding a space or a character that is not printable ASCII.
    pub fn subject_reference(mut self, reference: &str) -> Result<Self> {
        self.subject = Some(checked("subject reference", reference, false)?);
        Ok(self)
    }

    /// The system (namespace URL) of the patient's identifier: the trial's subject ids.
    ///
    /// # Errors
    /// Not an absolute http(s) URL of printable ASCII.
    pub fn patient_system(mut self, system: &str) -> Result<Self> {
        self.patient_system = Some(checked("patient identifier system", system, true)?);
        Ok(self)
    }

    /// The base URL of celldose's extensions, each name appended to it (in place of
    /// [`EXTENSION_BASE`]).
    ///
    /// # Errors
    /// Not an absolute http(s) URL of printable ASCII.
    pub fn extension_base(mut self, base: &str) -> Result<Self> {
        self.extension_base = Some(checked("extension base URL", base, true)?);
        Ok(self)
    }

    fn subject(&self, subject: &mut Reference) {
        if let Some(reference) = &self.subject {
            subject.reference = Some(reference.clone());
            subject.display = None;
        }
        if let (Some(system), Some(identifier)) = (&self.patient_system, &mut subject.identifier) {
            identifier.system = Some(system.clone());
        }
    }

    fn extensions(&self, extensions: &mut [Extension]) {
        let Some(base) = &self.extension_base else {
            return;
        };
        for extension in extensions {
            if let Some(name) = extension.url.strip_prefix(EXTENSION_BASE) {
                extension.url = format!("{base}{name}");
            }
        }
    }
}

impl MedicationRequest {
    /// The request with the site's names (see [`FhirOptions`]): its subject, the contained
    /// weight's subject, and every extension of celldose's.
    #[must_use]
    pub fn for_site(mut self, options: &FhirOptions) -> Self {
        options.subject(&mut self.subject);
        for contained in &mut self.contained {
            if let super::resources::Contained::Observation(observation) = contained {
                options.subject(&mut observation.subject);
            }
        }
        options.extensions(&mut self.extension);
        for dosage in &mut self.dosage_instruction {
            options.extensions(&mut dosage.extension);
        }
        self
    }
}

impl MedicationAdministration {
    /// The administration with the site's names (see [`FhirOptions`]).
    #[must_use]
    pub fn for_site(mut self, options: &FhirOptions) -> Self {
        options.subject(&mut self.subject);
        for contained in &mut self.contained {
            if let super::resources::Contained::Observation(observation) = contained {
                options.subject(&mut observation.subject);
            }
        }
        options.extensions(&mut self.extension);
        self
    }
}

impl MedicationDispense {
    /// The dispense with the site's names (see [`FhirOptions`]).
    #[must_use]
    pub fn for_site(mut self, options: &FhirOptions) -> Self {
        options.subject(&mut self.subject);
        for contained in &mut self.contained {
            if let super::resources::Contained::Observation(observation) = contained {
                options.subject(&mut observation.subject);
            }
        }
        options.extensions(&mut self.extension);
        for dosage in &mut self.dosage_instruction {
            options.extensions(&mut dosage.extension);
        }
        self
    }
}
