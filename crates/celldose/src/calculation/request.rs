//! What a caller asks for: a patient, an arm, and which dose.

use std::sync::Arc;

use super::Rounding;
use crate::regimen::TrialState;
use crate::units::{AgeFromBirth, AgeYears, Dose, EnteredWeight};

/// Which dose of the protocol to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DoseChoice {
    /// The dose the arm states: its single dose, or its range when it gives only a range.
    ArmDose,
    /// A numbered dose level, from 1.
    Level(u32),
    /// A dose the prescriber states, checked against what the protocol allows.
    Explicit(Dose),
}

/// The longest acknowledgement reason, in characters.
pub const ACKNOWLEDGEMENT_MAX_CHARS: usize = 1000;

/// A request for one patient's dose.
///
/// ```
/// use celldose::{DoseChoice, DoseRequest, Rounding};
/// let request = DoseRequest::new("72.5kg".parse()?, DoseChoice::Level(1), Rounding::HalfAwayFromZero)
///     .with_arm("alf")
///     .with_age("45".parse()?);
/// assert_eq!(request.arm(), Some("alf"));
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DoseRequest {
    arm: Option<String>,
    choice: DoseChoice,
    weight: EnteredWeight,
    age: Option<AgeYears>,
    rounding: Rounding,
    acknowledgement: Option<String>,
    age_from_birth: Option<AgeFromBirth>,
    trial_state: Option<Arc<TrialState>>,
    current_weight: Option<EnteredWeight>,
    patient: Option<String>,
    dosing_date: Option<jiff::civil::Date>,
    dmso_given_today: Option<crate::units::DmsoAmount>,
}

impl DoseRequest {
    /// A request for a patient of this weight, with the dose to compute and the rounding to
    /// whole cells named.
    ///
    /// ```
    /// use celldose::{DoseChoice, DoseRequest, Rounding};
    /// let request = DoseRequest::new("160lb".parse()?, DoseChoice::ArmDose, Rounding::HalfEven);
    /// assert_eq!(request.weight().to_string(), "160 lb");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn new(weight: EnteredWeight, choice: DoseChoice, rounding: Rounding) -> Self {
        Self {
            arm: None,
            choice,
            weight,
            age: None,
            rounding,
            acknowledgement: None,
            age_from_birth: None,
            trial_state: None,
            current_weight: None,
            patient: None,
            dosing_date: None,
            dmso_given_today: None,
        }
    }

    /// The same request on a day when `dmso` was already given to the patient (another infusion
    /// that day): a product's DMSO is checked against the protocol's daily limit on the day's
    /// total.
    ///
    /// ```
    /// # use celldose::{DoseChoice, DoseRequest, Rounding};
    /// let request = DoseRequest::new("60kg".parse()?, DoseChoice::ArmDose, Rounding::HalfEven)
    ///     .with_dmso_given_today("7.7g".parse()?);
    /// assert_eq!(request.dmso_given_today().map(|d| d.to_string()).as_deref(), Some("7.7 g"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    #[must_use]
    pub fn with_dmso_given_today(mut self, dmso: crate::units::DmsoAmount) -> Self {
        self.dmso_given_today = Some(dmso);
        self
    }

    /// The DMSO given earlier on the day, where stated.
    ///
    /// See [`DoseRequest::with_dmso_given_today`].
    pub fn dmso_given_today(&self) -> Option<crate::units::DmsoAmount> {
        self.dmso_given_today
    }

    /// The same request for a dose given on `date`: an escalation step opened by a decision
    /// dated after it is not open on it. Without a date, today's (UTC) is used.
    ///
    /// ```
    /// # use celldose::{DoseChoice, DoseRequest, Rounding};
    /// let on = "2026-01-01".parse()?;
    /// let request = DoseRequest::new("70kg".parse()?, DoseChoice::Level(2), Rounding::HalfEven).with_dosing_date(on);
    /// assert_eq!(request.dosing_date(), Some(on));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_dosing_date(mut self, date: jiff::civil::Date) -> Self {
        self.dosing_date = Some(date);
        self
    }

    /// The dosing date, where given (directly, or as the date an age from birth is computed on).
    ///
    /// See [`DoseRequest::with_dosing_date`].
    pub fn dosing_date(&self) -> Option<jiff::civil::Date> {
        self.dosing_date
    }

    /// The same request with the age computed from a date of birth on the dosing date, in
    /// completed years; the result echoes both dates.
    ///
    /// ```
    /// # use celldose::{AgeFromBirth, DoseChoice, DoseRequest, Rounding};
    /// let request = DoseRequest::new("70kg".parse()?, DoseChoice::ArmDose, Rounding::HalfEven)
    ///     .with_birth(AgeFromBirth::new("1960-12-01", "2026-11-29")?);
    /// assert_eq!(request.age().map(|a| a.to_string()).as_deref(), Some("65 years"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    #[must_use]
    pub fn with_birth(mut self, age: AgeFromBirth) -> Self {
        self.age = Some(age.years());
        self.age_from_birth = Some(age);
        self.dosing_date = Some(age.on());
        self
    }

    /// The birth date and dosing date the age came from, where it came from them.
    ///
    /// See [`DoseRequest::with_birth`].
    pub fn age_from_birth(&self) -> Option<AgeFromBirth> {
        self.age_from_birth
    }

    /// The same request judged against a site's trial state: a dose above the escalation start is
    /// within only where the state records the decision that opened it.
    ///
    /// ```
    /// # use celldose::{DoseChoice, DoseRequest, Rounding, TrialState};
    /// let state = TrialState::from_toml("s.toml", "format = 1\n")?;
    /// let request = DoseRequest::new("70kg".parse()?, DoseChoice::Level(2), Rounding::HalfEven)
    ///     .with_trial_state(std::sync::Arc::new(state));
    /// assert!(request.trial_state().is_some());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    #[must_use]
    pub fn with_trial_state(mut self, state: Arc<TrialState>) -> Self {
        self.trial_state = Some(state);
        self
    }

    /// The same request with the patient's current weight, compared with the weight that doses
    /// (the request's weight) where the protocol names a dosing weight and a largest change.
    ///
    /// ```
    /// # use celldose::{DoseChoice, DoseRequest, Rounding};
    /// let request = DoseRequest::new("72.5kg".parse()?, DoseChoice::Level(1), Rounding::HalfEven)
    ///     .with_current_weight("80kg".parse()?);
    /// assert_eq!(request.current_weight().map(|w| w.to_string()).as_deref(), Some("80 kg"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    #[must_use]
    pub fn with_current_weight(mut self, weight: EnteredWeight) -> Self {
        self.current_weight = Some(weight);
        self
    }

    /// The current weight, where given.
    ///
    /// See [`DoseRequest::with_current_weight`].
    pub fn current_weight(&self) -> Option<EnteredWeight> {
        self.current_weight
    }

    /// The trial state the request is judged against, if any.
    ///
    /// See [`DoseRequest::with_trial_state`].
    pub fn trial_state(&self) -> Option<&TrialState> {
        self.trial_state.as_deref()
    }

    /// The same request for a named arm (needed where the protocol's arms differ).
    ///
    /// ```
    /// # use celldose::{DoseChoice, DoseRequest, Rounding};
    /// let request = DoseRequest::new("70kg".parse()?, DoseChoice::ArmDose, Rounding::HalfEven).with_arm("msc");
    /// assert_eq!(request.arm(), Some("msc"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    #[must_use]
    pub fn with_arm(mut self, arm: impl Into<String>) -> Self {
        self.arm = Some(arm.into());
        self
    }

    /// The same request with the patient's age, checked against any age window.
    ///
    /// ```
    /// # use celldose::{DoseChoice, DoseRequest, Rounding};
    /// let request = DoseRequest::new("70kg".parse()?, DoseChoice::ArmDose, Rounding::HalfEven).with_age("30".parse()?);
    /// assert_eq!(request.age().map(|a| a.to_string()).as_deref(), Some("30 years"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    #[must_use]
    pub fn with_age(mut self, age: AgeYears) -> Self {
        self.age = Some(age);
        self.age_from_birth = None;
        self
    }

    /// The same request with soft findings acknowledged for `reason`, which the result carries.
    /// Hard findings cannot be acknowledged.
    ///
    /// # Errors
    /// When `reason` is blank (an acknowledgement must say why), holds a control or
    /// bidirectional character, or is longer than `ACKNOWLEDGEMENT_MAX_CHARS` (1,000) characters.
    ///
    /// ```
    /// # use celldose::{DoseChoice, DoseRequest, Rounding};
    /// let request = DoseRequest::new("70kg".parse()?, DoseChoice::ArmDose, Rounding::HalfEven)
    ///     .with_acknowledgement("product short by 12 %, approved by the investigator")?;
    /// assert!(request.acknowledgement().is_some());
    /// assert!(DoseRequest::new("70kg".parse()?, DoseChoice::ArmDose, Rounding::HalfEven).with_acknowledgement("  ").is_err());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn with_acknowledgement(mut self, reason: impl Into<String>) -> crate::Result<Self> {
        let reason = reason.into();
        if reason.trim().is_empty() {
            return Err(crate::refusal::Refusal::AcknowledgementBlank.into());
        }
        if let Some((offset, c)) = crate::text::forbidden_char(&reason) {
            let position = crate::text::char_position(&reason, offset);
            return Err(crate::refusal::Refusal::AcknowledgementCharacter {
                character: crate::text::char_name(c),
                position,
            }
            .into());
        }
        let length = reason.trim().chars().count();
        if length > ACKNOWLEDGEMENT_MAX_CHARS {
            return Err(crate::refusal::Refusal::AcknowledgementTooLong {
                length,
                max: ACKNOWLEDGEMENT_MAX_CHARS,
            }
            .into());
        }
        self.acknowledgement = Some(reason.trim().to_owned());
        Ok(self)
    }

    /// The same request for a named patient: the trial's subject identifier, up to 64 letters,
    /// digits, `-`, `_` or `.`. It is carried into the result and the audit log, where the
    /// earlier infusions of a split dose are found by it.
    ///
    /// # Errors
    /// An identifier that is empty, longer than 64 characters, or holds another character.
    ///
    /// ```
    /// # use celldose::{DoseChoice, DoseRequest, Rounding};
    /// let request = DoseRequest::new("70kg".parse()?, DoseChoice::ArmDose, Rounding::HalfEven).with_patient("S-014")?;
    /// assert_eq!(request.patient(), Some("S-014"));
    /// assert!(DoseRequest::new("70kg".parse()?, DoseChoice::ArmDose, Rounding::HalfEven).with_patient("S 014").is_err());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn with_patient(mut self, id: &str) -> crate::Result<Self> {
        let fine = !id.is_empty()
            && id.chars().count() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !fine {
            return Err(crate::refusal::Refusal::PatientId {
                input: id.to_owned(),
            }
            .into());
        }
        self.patient = Some(id.to_owned());
        Ok(self)
    }

    /// The patient's identifier, where given.
    ///
    /// See [`DoseRequest::with_patient`].
    pub fn patient(&self) -> Option<&str> {
        self.patient.as_deref()
    }

    /// The acknowledgement reason, if any.
    ///
    /// See [`DoseRequest::with_acknowledgement`].
    pub fn acknowledgement(&self) -> Option<&str> {
        self.acknowledgement.as_deref()
    }

    /// The arm asked for, if any.
    ///
    /// ```
    /// # use celldose::{DoseChoice, DoseRequest, Rounding};
    /// let request = DoseRequest::new("160lb".parse()?, DoseChoice::ArmDose, Rounding::HalfEven).with_arm("msc").with_age("30".parse()?);
    /// assert_eq!(request.arm(), Some("msc"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn arm(&self) -> Option<&str> {
        self.arm.as_deref()
    }

    /// Which dose to compute.
    ///
    /// ```
    /// # use celldose::{DoseChoice, DoseRequest, Rounding};
    /// let request = DoseRequest::new("70kg".parse()?, DoseChoice::Level(2), Rounding::HalfEven);
    /// assert_eq!(request.choice(), DoseChoice::Level(2));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn choice(&self) -> DoseChoice {
        self.choice
    }

    /// The patient's weight, as entered.
    ///
    /// ```
    /// # use celldose::{DoseChoice, DoseRequest, Rounding};
    /// let request = DoseRequest::new("160lb".parse()?, DoseChoice::ArmDose, Rounding::HalfEven).with_arm("msc").with_age("30".parse()?);
    /// assert_eq!(request.weight().to_string(), "160 lb");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn weight(&self) -> EnteredWeight {
        self.weight
    }

    /// The patient's age, if given.
    ///
    /// ```
    /// # use celldose::{DoseChoice, DoseRequest, Rounding};
    /// let request = DoseRequest::new("160lb".parse()?, DoseChoice::ArmDose, Rounding::HalfEven).with_arm("msc").with_age("30".parse()?);
    /// assert_eq!(request.age().map(|a| a.to_string()).as_deref(), Some("30 years"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn age(&self) -> Option<AgeYears> {
        self.age
    }

    /// The rounding to whole cells.
    ///
    /// ```
    /// # use celldose::{DoseChoice, DoseRequest, Rounding};
    /// let request = DoseRequest::new("70kg".parse()?, DoseChoice::ArmDose, Rounding::Down);
    /// assert_eq!(request.rounding(), Rounding::Down);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn rounding(&self) -> Rounding {
        self.rounding
    }
}
