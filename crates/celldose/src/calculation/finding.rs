//! Findings: what a calculation or a check noticed, each with a severity and a stable code.

use core::fmt;

use crate::human::Notation;

/// How much a finding matters, ordered by gravity: `Info < Soft < Hard`, so the worst of a set of
/// findings is their `max()`.
///
/// ```
/// use celldose::Severity;
/// let worst = [Severity::Info, Severity::Hard, Severity::Soft].into_iter().max();
/// assert_eq!(worst, Some(Severity::Hard));
/// assert_eq!("soft".parse::<Severity>()?, Severity::Soft);
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// Worth knowing; changes nothing.
    Info,
    /// Inside the protocol but past a caution threshold.
    Soft,
    /// Outside what the protocol allows: the verdict is `outside`, and nothing overrides it.
    Hard,
}

macro_rules! finding_codes {
    ($($(#[$doc:meta])* $variant:ident => $code:literal,)+) => {
        /// A finding's stable, kebab-case code, for programs to match on. Every code, its
        /// severity, when it fires and what to do is listed in `docs/findings.md`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum FindingCode {
            $($(#[$doc])* $variant,)+
        }

        impl FindingCode {
            /// Every code, in the order they are declared.
            ///
            /// ```
            /// assert!(celldose::FindingCode::ALL.contains(&celldose::FindingCode::CapBinds));
            /// ```
            pub const ALL: &'static [FindingCode] = &[$(Self::$variant,)+];

            /// The code as written in output.
            ///
            /// ```
            /// assert_eq!(celldose::FindingCode::WeightOutsideWindow.as_str(), "weight-outside-window");
            /// ```
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)+
                }
            }
        }

        impl core::str::FromStr for FindingCode {
            type Err = crate::error::Error;

            /// A code as written in output.
            ///
            /// ```
            /// let code: celldose::FindingCode = "cap-binds".parse()?;
            /// assert_eq!(code, celldose::FindingCode::CapBinds);
            /// assert!("cap binds".parse::<celldose::FindingCode>().is_err());
            /// # Ok::<(), celldose::Error>(())
            /// ```
            fn from_str(input: &str) -> crate::error::Result<Self> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|code| code.as_str() == input)
                    .ok_or_else(|| unknown_word("finding code", input, "a code listed in docs/findings.md"))
            }
        }
    };
}

/// A word that names none of a type's values.
fn unknown_word(what: &'static str, input: &str, accepted: &str) -> crate::error::Error {
    crate::error::Error::UnknownWord {
        what,
        input: input.to_owned(),
        accepted: accepted.to_owned(),
    }
}

/// Serde through the type's `as_str` and `FromStr`: the words output uses.
macro_rules! serde_as_word {
    ($type:ty) => {
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

finding_codes! {
    /// The body weight is outside the protocol's weight window.
    WeightOutsideWindow => "weight-outside-window",
    /// The body weight falls in none of the regimen's weight bands.
    WeightOutsideBands => "weight-outside-bands",
    /// The protocol's maximum total lowered the upper end of what this patient may receive:
    /// weight × dose per kg, or the top of the range, came to more than the cap.
    CapBinds => "cap-binds",
    /// The protocol's maximum total is below the per-kg minimum for this weight: the two limits
    /// cannot both hold, and the pharmacist must decide.
    CapBelowMinimum => "cap-below-minimum",
    /// The dose is above the escalation start, and no trial state shows the step was opened.
    EscalationNotConfirmed => "escalation-not-confirmed",
    /// The dose is above the highest step the trial state file shows as opened.
    LevelNotOpen => "level-not-open",
    /// The dose is above the escalation start, and the trial state names the decision that
    /// opened it.
    LevelOpened => "level-opened",
    /// The requested dose is past the protocol's soft tolerance around its dose.
    DosePastSoftTolerance => "dose-past-soft-tolerance",
    /// The delivered count is past the protocol's soft tolerance around the target.
    DeliveredPastSoftTolerance => "delivered-past-soft-tolerance",
    /// The age is outside the protocol's age window.
    AgeOutsideWindow => "age-outside-window",
    /// The protocol has an age window, but no age was given.
    AgeNotChecked => "age-not-checked",
    /// The requested dose is below the protocol's range.
    DoseBelowProtocolMinimum => "dose-below-protocol-minimum",
    /// The requested dose is above the protocol's range or maximum total.
    DoseAboveProtocolMaximum => "dose-above-protocol-maximum",
    /// The requested dose is not one of the doses the protocol states.
    DoseNotAProtocolDose => "dose-not-a-protocol-dose",
    /// Cells were requested or delivered in a placebo arm.
    CellsInPlaceboArm => "cells-in-placebo-arm",
    /// The arm is a placebo arm: no cells.
    PlaceboArm => "placebo-arm",
    /// The protocol gives a range and no single dose, and none was chosen.
    RangeOnly => "range-only",
    /// Rounding to whole cells would have crossed a limit, so the count inside it was taken.
    RoundedInsideLimit => "rounded-inside-limit",
    /// The dose is per infusion and the protocol does not state how many infusions.
    InfusionCountNotStated => "infusion-count-not-stated",
    /// The delivered count is below the protocol's range.
    DeliveredBelowProtocolMinimum => "delivered-below-protocol-minimum",
    /// The delivered count is above the protocol's range or maximum total.
    DeliveredAboveProtocolMaximum => "delivered-above-protocol-maximum",
    /// The delivered count deviates from the target by more than the tolerance.
    DeliveredOutsideTolerance => "delivered-outside-tolerance",
    /// A tolerance was given where there is no single target to apply it to.
    ToleranceNotUsed => "tolerance-not-used",
    /// No tolerance was given for a dose chosen inside a protocol range: the range is the limit.
    RangeIsTheLimit => "range-is-the-limit",
    /// The volume to draw is more than the product available.
    VolumeAboveAvailable => "volume-above-available",
    /// The nearest measurable volume failed a check the other neighbour passes, so the other was
    /// taken.
    VolumeRoundedInside => "volume-rounded-inside",
    /// Neither measurable volume around the exact one passes every check.
    NoVolumeInside => "no-volume-inside",
    /// The protocol names the weight that doses (apheresis, screening, …): which one was used
    /// and how the current weight compares.
    DosingWeight => "dosing-weight",
    /// The current weight differs from the dosing weight by more than the protocol allows.
    WeightChanged => "weight-changed",
    /// The protocol limits how far the weight may have changed, and no current weight was given.
    WeightChangeNotChecked => "weight-change-not-checked",
    /// DMSO was given earlier on this infusion's day (another infusion of a split dose that
    /// day), and how much was not stated: the daily limit is checked on this infusion alone.
    DmsoGivenTodayNotStated => "dmso-given-today-not-stated",
    /// A preparation delivers less than the chosen dose by more than its tolerance (or 10 %
    /// where none applies), because a limit on what goes in, or what the product holds, stopped
    /// it.
    ShortOfChosenDose => "short-of-chosen-dose",
    /// The product counts other cells than the protocol's dose does.
    PhenotypeMismatch => "phenotype-mismatch",
    /// A bag's viability is below the protocol's minimum.
    ViabilityBelowMinimum => "viability-below-minimum",
    /// The product volume per kg is above the protocol's maximum.
    VolumeAboveLimit => "volume-above-limit",
    /// The DMSO per kg is above the protocol's daily maximum.
    DmsoAboveLimit => "dmso-above-limit",
    /// The endotoxin per kg is above the protocol's maximum.
    EndotoxinAboveLimit => "endotoxin-above-limit",
    /// A bag's certificate does not state a figure a protocol limit needs (DMSO, endotoxin).
    ExcipientNotStated => "excipient-not-stated",
    /// The protocol limits what goes in with the cells, and only a count was given.
    ProductLimitsNotChecked => "product-limits-not-checked",
    /// This is one infusion of a split dose: its share, day and target.
    SplitInfusion => "split-infusion",
    /// The limits of a split dose apply to the running total, and what was given before this
    /// infusion was not stated.
    GivenNotStated => "given-not-stated",
    /// What was given before this infusion was read from the audit log: which records.
    GivenFromLog => "given-from-log",
    /// What is left of the product after this dose is drawn.
    ProductLeftOver => "product-left-over",
    /// An independent double check worked a preparation out again and a figure differed.
    DoubleCheckMismatch => "double-check-mismatch",
    /// The product was made for another patient than the one being dosed.
    WrongRecipient => "wrong-recipient",
    /// The product file does not say who the product was made for.
    RecipientNotStated => "recipient-not-stated",
    /// A label scanned carries another product's donation identification number.
    WrongProduct => "wrong-product",
    /// A label scanned carries a product code that is no bag of the product.
    BagNotInProduct => "bag-not-in-product",
    /// A bag given was not scanned, or no DIN was.
    BagNotScanned => "bag-not-scanned",
    /// The product, a bag given, or a label scanned is past its expiry at the infusion's start.
    ProductExpired => "product-expired",
    /// The infusion starts later after thaw than the protocol or the product allows.
    ThawWindowExceeded => "thaw-window-exceeded",
    /// The latest start of the infusion after thaw.
    InfuseBy => "infuse-by",
    /// A thaw-to-infusion limit applies and the thaw time was not given.
    ThawTimeNotStated => "thaw-time-not-stated",
}

impl FindingCode {
    /// The words a verdict banner leads with when this finding stops an infusion whatever the
    /// count: `WRONG PATIENT`, `WRONG PRODUCT`, `EXPIRED`, `THAW WINDOW EXCEEDED`.
    ///
    /// ```
    /// use celldose::FindingCode;
    /// assert_eq!(FindingCode::WrongRecipient.stop_words(), Some("WRONG PATIENT"));
    /// assert_eq!(FindingCode::CapBinds.stop_words(), None);
    /// ```
    pub fn stop_words(self) -> Option<&'static str> {
        match self {
            Self::WrongRecipient => Some("WRONG PATIENT"),
            Self::WrongProduct | Self::BagNotInProduct => Some("WRONG PRODUCT"),
            Self::ProductExpired => Some("EXPIRED"),
            Self::ThawWindowExceeded => Some("THAW WINDOW EXCEEDED"),
            _ => None,
        }
    }

    /// The stop words of the hard findings among `findings`, each once, in order.
    pub fn stops<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Vec<&'static str> {
        let mut words: Vec<&'static str> = Vec::new();
        for finding in findings {
            if finding.severity() == Severity::Hard
                && let Some(stop) = finding.code().stop_words()
                && !words.contains(&stop)
            {
                words.push(stop);
            }
        }
        words
    }
}

/// One thing a calculation noticed: its severity, code, the protocol clause it rests on, and a
/// message naming the value, the limit and the direction.
///
/// ```
/// use celldose::{Catalogue, DoseChoice, DoseRequest, FindingCode, Rounding, Severity};
/// let catalogue = Catalogue::builtin()?;
/// let request = DoseRequest::new("40kg".parse()?, DoseChoice::Level(1), Rounding::HalfAwayFromZero).with_arm("clf");
/// let calculation = catalogue.find("NCT05727722")?.calculate(&request)?;
/// let finding = &calculation.findings()[0];
/// assert_eq!((finding.severity(), finding.code()), (Severity::Hard, FindingCode::WeightOutsideWindow));
/// assert_eq!(finding.message(celldose::human::Notation::Ascii), "body weight 40 kg is not above 40 kg");
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Finding {
    severity: Severity,
    code: FindingCode,
    clause: String,
    /// Written in Unicode; the ASCII form is derived from it when asked for.
    message: String,
}

impl Finding {
    /// A finding whose message is written once per notation by `message`.
    pub(crate) fn new(
        severity: Severity,
        code: FindingCode,
        clause: impl Into<String>,
        message: impl Fn(Notation) -> String,
    ) -> Self {
        Self {
            severity,
            code,
            clause: clause.into(),
            message: message(Notation::Unicode),
        }
    }

    /// How much the finding matters.
    ///
    /// ```
    /// # use celldose::{Catalogue, DoseChoice, DoseRequest, Rounding};
    /// # let catalogue = Catalogue::builtin()?;
    /// # let request = DoseRequest::new("40kg".parse()?, DoseChoice::Level(1), Rounding::HalfEven).with_arm("clf");
    /// let calculation = catalogue.find("NCT05727722")?.calculate(&request)?;
    /// let finding = &calculation.findings()[0];
    /// assert_eq!(finding.severity(), celldose::Severity::Hard);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The finding's stable code.
    ///
    /// ```
    /// # use celldose::{Catalogue, DoseChoice, DoseRequest, Rounding};
    /// # let catalogue = Catalogue::builtin()?;
    /// # let request = DoseRequest::new("40kg".parse()?, DoseChoice::Level(1), Rounding::HalfEven).with_arm("clf");
    /// let calculation = catalogue.find("NCT05727722")?.calculate(&request)?;
    /// let finding = &calculation.findings()[0];
    /// assert_eq!(finding.code().as_str(), "weight-outside-window");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn code(&self) -> FindingCode {
        self.code
    }

    /// The protocol clause the finding rests on, with numbers grouped and their exponent form
    /// beside them, e.g. `NCT05727722 eligibility: body weight above 40 kg`.
    ///
    /// ```
    /// # use celldose::{Catalogue, DoseChoice, DoseRequest, Rounding};
    /// # let catalogue = Catalogue::builtin()?;
    /// # let request = DoseRequest::new("40kg".parse()?, DoseChoice::Level(1), Rounding::HalfEven).with_arm("clf");
    /// let calculation = catalogue.find("NCT05727722")?.calculate(&request)?;
    /// let finding = &calculation.findings()[0];
    /// assert_eq!(finding.clause(), "NCT05727722 eligibility: body weight above 40 kg");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn clause(&self) -> &str {
        &self.clause
    }

    /// The same finding with its message introduced by `prefix` (as `infusion 2 of 3: …`).
    pub(crate) fn with_prefix(mut self, prefix: &str) -> Self {
        self.message = format!("{prefix}: {}", self.message);
        self
    }

    /// Writes `from` in the finding's message as `to`.
    pub(crate) fn reword(&mut self, from: &str, to: &str) {
        self.message = self.message.replace(from, to);
    }

    /// The same finding with a hint added to its message.
    pub(crate) fn with_hint(mut self, hint: &str) -> Self {
        self.message = format!("{}; {hint}", self.message);
        self
    }

    /// The message, written in `notation`.
    ///
    /// ```
    /// # use celldose::{Catalogue, DoseChoice, DoseRequest, Rounding};
    /// # let catalogue = Catalogue::builtin()?;
    /// # let request = DoseRequest::new("40kg".parse()?, DoseChoice::Level(1), Rounding::HalfEven).with_arm("clf");
    /// let calculation = catalogue.find("NCT05727722")?.calculate(&request)?;
    /// let finding = &calculation.findings()[0];
    /// assert_eq!(finding.message(celldose::human::Notation::Unicode), "body weight 40 kg is not above 40 kg");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn message(&self, notation: Notation) -> std::borrow::Cow<'_, str> {
        match notation {
            Notation::Ascii => crate::human::to_ascii(&self.message),
            _ => std::borrow::Cow::Borrowed(&self.message),
        }
    }
}

impl Severity {
    /// The severity as written in output: `hard`, `soft`, `info`.
    ///
    /// ```
    /// assert_eq!(celldose::Severity::Hard.as_str(), "hard");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hard => "hard",
            Self::Soft => "soft",
            Self::Info => "info",
        }
    }
}

impl core::str::FromStr for Severity {
    type Err = crate::error::Error;

    /// `hard`, `soft` or `info`.
    fn from_str(input: &str) -> crate::error::Result<Self> {
        [Self::Info, Self::Soft, Self::Hard]
            .into_iter()
            .find(|severity| severity.as_str() == input)
            .ok_or_else(|| unknown_word("severity", input, "hard, soft, info"))
    }
}

serde_as_word!(Severity);
serde_as_word!(FindingCode);
serde_as_word!(Verdict);

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for FindingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {} ({})",
            self.severity, self.code, self.message, self.clause
        )
    }
}

/// Whether a calculation or check is inside the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Verdict {
    /// Inside the protocol: no hard finding, and every soft one acknowledged.
    Within,
    /// Inside the protocol but past a caution threshold: a soft finding that needs an
    /// acknowledgement with a reason.
    Review,
    /// Outside the protocol: at least one hard finding. No acknowledgement changes this.
    Outside,
    /// No dose was chosen: the protocol gives a range and the request named no dose in it, so
    /// there is no dose to judge. The result gives the allowed range for this patient.
    NoDoseChosen,
}

impl Verdict {
    /// The verdict from a set of findings: `outside` if any is hard; otherwise `review` if any
    /// is soft and they were not acknowledged; otherwise `within`.
    ///
    /// ```
    /// assert_eq!(celldose::Verdict::from_findings(&[], false), celldose::Verdict::Within);
    /// ```
    pub fn from_findings<'a>(
        findings: impl IntoIterator<Item = &'a Finding>,
        acknowledged: bool,
    ) -> Self {
        let mut verdict = Self::Within;
        for finding in findings {
            match finding.severity {
                Severity::Hard => return Self::Outside,
                Severity::Soft if !acknowledged => verdict = Self::Review,
                _ => {}
            }
        }
        verdict
    }

    /// The verdict as written in output: `within`, `review`, `outside`.
    ///
    /// ```
    /// assert_eq!(celldose::Verdict::Outside.as_str(), "outside");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Within => "within",
            Self::Review => "review",
            Self::Outside => "outside",
            Self::NoDoseChosen => "no-dose-chosen",
        }
    }
}

impl core::str::FromStr for Verdict {
    type Err = crate::error::Error;

    /// `within`, `review`, `outside` or `no-dose-chosen`, as output writes it.
    ///
    /// ```
    /// assert_eq!("no-dose-chosen".parse::<celldose::Verdict>()?, celldose::Verdict::NoDoseChosen);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    fn from_str(input: &str) -> crate::error::Result<Self> {
        [
            Self::Within,
            Self::Review,
            Self::Outside,
            Self::NoDoseChosen,
        ]
        .into_iter()
        .find(|verdict| verdict.as_str() == input)
        .ok_or_else(|| unknown_word("verdict", input, "within, review, outside, no-dose-chosen"))
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
