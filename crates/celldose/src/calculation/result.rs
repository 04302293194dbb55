//! One patient's dose under one protocol, as `Protocol::calculate` leaves it: what was asked,
//! what the protocol allows this patient, the target, and what was found.
//!
//! Longer than most files (some 630 lines) because it is one type's read-only accessors, each with
//! its runnable example; split, the reader of a `Calculation` would have to look in several places.

use std::sync::Arc;

use super::clause::clause_for;
use super::limits::Limits;
use super::{Finding, Rounding, Verdict};
use crate::regimen::{DoseRule, DosingWeight, Split, SplitPart, Stated, Tolerance, Window};
use crate::units::{
    AgeFromBirth, AgeYears, BodyWeight, CellCount, CellsPerKg, Dose, EnteredWeight, ExactCells,
};

/// One patient's dose under one protocol: the target, the limits, and what was found.
///
/// ```
/// use celldose::{Catalogue, DoseChoice, DoseRequest, Rounding, Verdict};
/// let catalogue = Catalogue::builtin()?;
/// let request = DoseRequest::new("72.5kg".parse()?, DoseChoice::Level(1), Rounding::HalfAwayFromZero)
///     .with_arm("alf");
/// let calculation = catalogue.find("NCT07276568")?.calculate(&request)?;
/// assert_eq!(calculation.cells().map(|c| c.to_string()).as_deref(), Some("1160000000"));
/// assert_eq!(calculation.min_cells().map(|c| c.to_string()).as_deref(), Some("1160000000"));
/// assert_eq!(calculation.max_cells().map(|c| c.to_string()).as_deref(), Some("12325000000"));
/// assert_eq!(calculation.verdict(), Verdict::Within);
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calculation {
    /// On the heap: a calculation is some 860 bytes, and a result moves several times on its
    /// way (out of `calculate`, into a check, into a batch's queue); a box moves as a pointer.
    pub(crate) parts: Box<Parts>,
}

/// What a [`Calculation`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parts {
    // Every field is set by `Protocol::calculate` (calculate.rs); read through the accessors below.
    // Shared with the protocol: a calculation copies no text.
    pub(crate) provenance: Arc<crate::regimen::Provenance>,
    pub(crate) arm: Option<Arc<str>>,
    pub(crate) regimen: Arc<str>,
    pub(crate) band: Option<Window<BodyWeight>>,
    pub(crate) level: Option<u32>,
    pub(crate) dose: Option<Dose>,
    pub(crate) rule: Option<DoseRule>,
    pub(crate) cap: Option<CellCount>,
    pub(crate) tolerance: Option<Tolerance>,
    pub(crate) weight: EnteredWeight,
    pub(crate) age: Option<AgeYears>,
    pub(crate) rounding: Rounding,
    pub(crate) exact_cells: Option<ExactCells>,
    pub(crate) cells: Option<CellCount>,
    pub(crate) cells_per_kg: Option<CellsPerKg>,
    pub(crate) limits: Limits,
    pub(crate) infusions: Stated<u32>,
    pub(crate) per_infusion: Stated<bool>,
    pub(crate) total_cells: Option<CellCount>,
    pub(crate) acknowledgement: Option<String>,
    pub(crate) patient: Option<String>,
    pub(crate) trial_state_sha256: Option<Arc<str>>,
    pub(crate) age_from_birth: Option<AgeFromBirth>,
    pub(crate) dosing_date: Option<jiff::civil::Date>,
    pub(crate) current_weight: Option<EnteredWeight>,
    pub(crate) dosing_weight: Option<DosingWeight>,
    pub(crate) product_rules: crate::regimen::ProductRules,
    pub(crate) dmso_given_today: Option<crate::units::DmsoAmount>,
    pub(crate) split: Option<Split>,
    pub(crate) findings: Vec<Finding>,
}

impl Calculation {
    /// The protocol id.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.protocol(), "NCT07276568");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn protocol(&self) -> &str {
        &self.parts.provenance.id
    }

    /// The protocol's version or amendment.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.protocol_version(), "registry record last updated 2025-12-11");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn protocol_version(&self) -> &str {
        &self.parts.provenance.version
    }

    /// The SHA-256 of the protocol definition the numbers came from.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.protocol_sha256(), catalogue.find("NCT07276568")?.sha256());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn protocol_sha256(&self) -> &str {
        &self.parts.provenance.sha256
    }

    /// The arm, or `None` where the arms share one regimen and none was named.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.arm(), Some("alf"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn arm(&self) -> Option<&str> {
        self.parts.arm.as_deref()
    }

    /// The regimen the dose comes from.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.regimen(), "escalation");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn regimen(&self) -> &str {
        &self.parts.regimen
    }

    /// The weight band the patient fell in, where the regimen has bands.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert!(c.band().is_none());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn band(&self) -> Option<&Window<BodyWeight>> {
        self.parts.band.as_ref()
    }

    /// The dose level, where one was asked for or the explicit dose equals one.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.level(), Some(1));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn level(&self) -> Option<u32> {
        self.parts.level
    }

    /// The dose that applies, as the protocol or the prescriber states it; `None` where the
    /// protocol gives only a range.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.dose().map(|d| d.to_string()).as_deref(), Some("16000000/kg"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn dose(&self) -> Option<Dose> {
        self.parts.dose
    }

    /// The protocol's rule for this patient: the arm's, or the weight band's.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.rule().map(|r| r.to_string()).as_deref(), Some("16000000/kg to 170000000/kg"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn rule(&self) -> Option<DoseRule> {
        self.parts.rule
    }

    /// The protocol's maximum total for this patient, where it sets one.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.cap(), None);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn cap(&self) -> Option<CellCount> {
        self.parts.cap
    }

    /// The weight used, as entered.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.weight().to_string(), "160 lb");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn weight(&self) -> EnteredWeight {
        self.parts.weight
    }

    /// The age used, if one was given.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.age(), None);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn age(&self) -> Option<AgeYears> {
        self.parts.age
    }

    /// The rounding used for whole cells.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.rounding(), celldose::Rounding::HalfAwayFromZero);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn rounding(&self) -> Rounding {
        self.parts.rounding
    }

    /// The exact target before rounding (after any cap).
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.exact_cells().map(|e| e.to_string()).as_deref(), Some("1161196467.2"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn exact_cells(&self) -> Option<ExactCells> {
        self.parts.exact_cells
    }

    /// The target for this patient in whole cells; `None` where the protocol gives only a range.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// // The exact minimum, 1,161,196,467.2, is rounded to the whole count inside the range.
    /// assert_eq!(c.cells().map(|n| n.to_string()).as_deref(), Some("1161196468"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn cells(&self) -> Option<CellCount> {
        self.parts.cells
    }

    /// The dose per kg the patient receives: as stated for a per-kg dose, or the target divided by
    /// the weight and rounded half away from zero to 0.01 cells/kg for a total or a capped dose.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.cells_per_kg().map(|d| d.to_string()).as_deref(), Some("16000000/kg"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn cells_per_kg(&self) -> Option<CellsPerKg> {
        self.parts.cells_per_kg
    }

    /// The smallest whole count the protocol allows this patient (the exact minimum, rounded up).
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.min_cells().map(|n| n.to_string()).as_deref(), Some("1161196468"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn min_cells(&self) -> Option<CellCount> {
        self.parts
            .limits
            .min
            .and_then(|min| min.round(Rounding::Up).ok())
    }

    /// The largest whole count the protocol allows this patient (the exact maximum, rounded down).
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.max_cells().map(|n| n.to_string()).as_deref(), Some("12337712464"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn max_cells(&self) -> Option<CellCount> {
        self.parts
            .limits
            .max
            .and_then(|max| max.round(Rounding::Down).ok())
    }

    /// The exact smallest amount the protocol allows this patient.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.exact_min().map(|n| n.to_string()).as_deref(), Some("1161196467.2"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn exact_min(&self) -> Option<ExactCells> {
        self.parts.limits.min
    }

    /// The exact largest amount the protocol allows this patient.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.exact_max().map(|n| n.to_string()).as_deref(), Some("12337712464"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn exact_max(&self) -> Option<ExactCells> {
        self.parts.limits.max
    }

    /// How many infusions the protocol states.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.infusions(), celldose::Stated::NotStated);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn infusions(&self) -> Stated<u32> {
        self.parts.infusions
    }

    /// Whether the dose is per infusion (`false`: cumulative), or that the protocol does not say.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.per_infusion(), celldose::Stated::NotStated);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn per_infusion(&self) -> Stated<bool> {
        self.parts.per_infusion
    }

    /// The cumulative count over all infusions, where their number is stated.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.total_cells(), None); // the number of infusions is not stated
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn total_cells(&self) -> Option<CellCount> {
        self.parts.total_cells
    }

    /// The reason given to acknowledge soft findings, if any.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.acknowledgement(), None);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn acknowledgement(&self) -> Option<&str> {
        self.parts.acknowledgement.as_deref()
    }

    /// Everything the calculation noticed.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.findings()[0].code(), celldose::FindingCode::RoundedInsideLimit);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn findings(&self) -> &[Finding] {
        &self.parts.findings
    }

    /// `outside` if any finding is hard; else `review` if any is soft and not acknowledged; else
    /// `no-dose-chosen` where the protocol gives only a range and no dose was chosen (a verdict is
    /// about a chosen dose); else `within`.
    ///
    /// ```
    /// use celldose::{Catalogue, DoseChoice, DoseRequest, Rounding, Verdict};
    /// # let catalogue = Catalogue::builtin()?;
    /// # let request = DoseRequest::new("160lb".parse()?, DoseChoice::Level(1), Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.verdict(), Verdict::Within);
    /// let range = DoseRequest::new("60kg".parse()?, DoseChoice::ArmDose, Rounding::HalfAwayFromZero).with_arm("msc");
    /// assert_eq!(catalogue.find("NCT01218464")?.calculate(&range)?.verdict(), Verdict::NoDoseChosen);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn verdict(&self) -> Verdict {
        match Verdict::from_findings(&self.parts.findings, self.parts.acknowledgement.is_some()) {
            Verdict::Within if !self.dose_chosen() => Verdict::NoDoseChosen,
            verdict => verdict,
        }
    }

    /// Whether a single dose was chosen (a level, an explicit dose, the arm's one dose, or a
    /// placebo arm's none); `false` where the protocol gives a range and the request named no
    /// dose in it.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert!(c.dose_chosen());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn dose_chosen(&self) -> bool {
        self.parts.dose.is_some()
    }

    /// Whether the dose (or, where none was chosen, the protocol's rule) is per kg; `None` where
    /// neither is known, as for a weight that falls in no band.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// let range = celldose::DoseRequest::new("60kg".parse()?, celldose::DoseChoice::ArmDose, celldose::Rounding::HalfAwayFromZero).with_arm("msc");
    /// assert_eq!(catalogue.find("NCT01218464")?.calculate(&range)?.dose_per_kg(), Some(true));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn dose_per_kg(&self) -> Option<bool> {
        self.parts.dose.map(Dose::is_per_kg).or_else(|| {
            self.parts
                .rule
                .filter(|r| *r != DoseRule::NoCells)
                .map(DoseRule::is_per_kg)
        })
    }

    /// The smallest amount the protocol's rule gives this patient before the maximum total is
    /// applied; differs from [`Calculation::exact_min`] only where the cap is below it.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.uncapped_min(), c.exact_min());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn uncapped_min(&self) -> Option<ExactCells> {
        self.parts.limits.uncapped_min
    }

    /// The largest amount the protocol's rule gives this patient before the maximum total is
    /// applied.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.uncapped_max(), c.exact_max());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn uncapped_max(&self) -> Option<ExactCells> {
        self.parts.limits.uncapped_max
    }

    /// Whether the maximum total moved either end of the allowed range for this patient.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert!(!c.cap_moved_limits());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn cap_moved_limits(&self) -> bool {
        self.parts.limits.cap_lowers_max() || self.parts.limits.cap_below_min()
    }

    /// The SHA-256 of the trial state file the request carried, where it carried one.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.trial_state_sha256(), None);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn trial_state_sha256(&self) -> Option<&str> {
        self.parts.trial_state_sha256.as_deref()
    }

    /// The birth date and dosing date the age was computed from, where it was.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert!(c.age_from_birth().is_none());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn age_from_birth(&self) -> Option<AgeFromBirth> {
        self.parts.age_from_birth
    }

    /// The dosing date the request named (`--on`, or the date an age from birth was computed
    /// on), where it named one.
    ///
    /// See [`crate::DoseRequest::with_dosing_date`].
    pub fn dosing_date(&self) -> Option<jiff::civil::Date> {
        self.parts.dosing_date
    }

    /// The exact limits, for a check of a delivered amount.
    pub(crate) fn limits(&self) -> Limits {
        self.parts.limits
    }

    /// The protocol's own tolerance for this regimen.
    pub(crate) fn protocol_tolerance(&self) -> Option<&Tolerance> {
        self.parts.tolerance.as_ref()
    }

    /// Whether the arm is a placebo arm.
    pub(crate) fn is_placebo(&self) -> bool {
        self.parts.rule == Some(DoseRule::NoCells)
    }

    /// The same calculation for `share` of the dose (a fraction of 1): target and limits scaled,
    /// findings kept. What one infusion of a split dose is judged against.
    pub(crate) fn share(&self, share: rust_decimal::Decimal) -> crate::Result<Self> {
        let exact_cells = self
            .parts
            .exact_cells
            .map(|t| {
                t.get()
                    .checked_mul(share)
                    .ok_or_else(|| crate::Error::Overflow {
                        operation: "share of a split dose",
                        detail: format!("{} × {share}", t.get()),
                    })
                    .and_then(ExactCells::new)
            })
            .transpose()?;
        let limits = self.parts.limits.scaled(share)?;
        let mut shared = self.clone();
        shared.parts.exact_cells = exact_cells;
        shared.parts.limits = limits;
        Ok(shared)
    }

    /// The patient's identifier, where the request named one.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("72.5kg".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf").with_patient("S-014")?;
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.patient(), Some("S-014"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn patient(&self) -> Option<&str> {
        self.parts.patient.as_deref()
    }

    /// The current weight, where given.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("72.5kg".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf").with_current_weight("74kg".parse()?);
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.current_weight().map(|w| w.to_string()).as_deref(), Some("74 kg"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn current_weight(&self) -> Option<EnteredWeight> {
        self.parts.current_weight
    }

    /// The weight the protocol doses on, and the largest change it allows, where it names one.
    ///
    /// See [`Calculation::current_weight`]; the built-in protocols name none.
    pub fn dosing_weight(&self) -> Option<DosingWeight> {
        self.parts.dosing_weight
    }

    /// The split of the dose over infusions, where the regimen states one.
    pub fn split(&self) -> Option<&Split> {
        self.parts.split.as_ref()
    }

    /// For a split dose: each infusion's number (from 1), its part of the split, and its share
    /// of the target (where there is a target). Empty where the dose is not split.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("72.5kg".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert!(c.schedule()?.is_empty());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    ///
    /// # Errors
    /// Only an overflow, which the bounds of a target rule out.
    pub fn schedule(&self) -> crate::Result<Vec<(u32, SplitPart, Option<ExactCells>)>> {
        let Some(split) = &self.parts.split else {
            return Ok(Vec::new());
        };
        let mut rows = Vec::with_capacity(split.parts.len());
        for (index, part) in split.parts.iter().enumerate() {
            let number = u32::try_from(index).unwrap_or(u32::MAX).saturating_add(1);
            let share = split.shares(number).map(|(f, _)| f).unwrap_or_default();
            rows.push((number, *part, self.share(share)?.parts.exact_cells));
        }
        Ok(rows)
    }

    /// Where in the protocol this is, in words: the arm (`arm msc`), or the shared regimen
    /// (`regimen escalation`) where no arm was named.
    pub(crate) fn place(&self) -> String {
        self.arm().map_or_else(
            || format!("regimen {}", self.regimen()),
            |a| format!("arm {a}"),
        )
    }

    pub(crate) fn clause(&self, what: &str) -> String {
        clause_for(
            &self.parts.provenance.id,
            self.parts.arm.as_deref(),
            &self.parts.regimen,
            what,
        )
    }
}
