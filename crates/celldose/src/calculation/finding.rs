//! Findings: what a calculation or a check noticed, each with a severity and a stable code.

use core::fmt;

use crate::human::Notation;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// Outside what the protocol allows: the verdict is `outside`, and nothing overrides it.
    Hard,
    /// Inside the protocol but past a caution threshold.
    Soft,
    /// Worth knowing; changes nothing.
    Info,
}

/// A finding's stable, kebab-case code, for programs to match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FindingCode {
    /// The body weight is outside the protocol's weight window.
    WeightOutsideWindow,
    /// The body weight falls in none of the regimen's weight bands.
    WeightOutsideBands,
    /// Weight × dose per kg came to more than the protocol's maximum total, so the cap is the
    /// dose.
    CapBinds,
    /// The requested dose is past the protocol's soft tolerance around its dose.
    DosePastSoftTolerance,
    /// The delivered count is past the protocol's soft tolerance around the target.
    DeliveredPastSoftTolerance,
    /// The age is outside the protocol's age window.
    AgeOutsideWindow,
    /// The protocol has an age window, but no age was given.
    AgeNotChecked,
    /// The requested dose is below the protocol's range.
    DoseBelowProtocolMinimum,
    /// The requested dose is above the protocol's range.
    DoseAboveProtocolMaximum,
    /// The requested dose is not one of the doses the protocol states.
    DoseNotAProtocolDose,
    /// Cells were requested or delivered in a placebo arm.
    CellsInPlaceboArm,
    /// The arm is a placebo arm: no cells.
    PlaceboArm,
    /// The protocol gives a range and no single target.
    RangeOnly,
    /// Rounding to whole cells would have crossed a limit, so the count inside it was taken.
    RoundedInsideLimit,
    /// The dose is per infusion and the protocol does not state how many infusions.
    InfusionCountNotStated,
    /// The delivered count is below the protocol's range.
    DeliveredBelowProtocolMinimum,
    /// The delivered count is above the protocol's range.
    DeliveredAboveProtocolMaximum,
    /// The delivered count deviates from the target by more than the tolerance.
    DeliveredOutsideTolerance,
    /// A tolerance was given where there is no single target to apply it to.
    ToleranceNotUsed,
    /// The volume to draw is more than the product available.
    VolumeAboveAvailable,
    /// The nearest measurable volume failed a check the other neighbour passes, so the other was
    /// taken.
    VolumeRoundedInside,
    /// Neither measurable volume around the exact one passes every check.
    NoVolumeInside,
}

impl FindingCode {
    /// The code as written in output.
    ///
    /// ```
    /// assert_eq!(celldose::FindingCode::WeightOutsideWindow.as_str(), "weight-outside-window");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WeightOutsideWindow => "weight-outside-window",
            Self::WeightOutsideBands => "weight-outside-bands",
            Self::CapBinds => "cap-binds",
            Self::DosePastSoftTolerance => "dose-past-soft-tolerance",
            Self::DeliveredPastSoftTolerance => "delivered-past-soft-tolerance",
            Self::AgeOutsideWindow => "age-outside-window",
            Self::AgeNotChecked => "age-not-checked",
            Self::DoseBelowProtocolMinimum => "dose-below-protocol-minimum",
            Self::DoseAboveProtocolMaximum => "dose-above-protocol-maximum",
            Self::DoseNotAProtocolDose => "dose-not-a-protocol-dose",
            Self::CellsInPlaceboArm => "cells-in-placebo-arm",
            Self::PlaceboArm => "placebo-arm",
            Self::RangeOnly => "range-only",
            Self::RoundedInsideLimit => "rounded-inside-limit",
            Self::InfusionCountNotStated => "infusion-count-not-stated",
            Self::DeliveredBelowProtocolMinimum => "delivered-below-protocol-minimum",
            Self::DeliveredAboveProtocolMaximum => "delivered-above-protocol-maximum",
            Self::DeliveredOutsideTolerance => "delivered-outside-tolerance",
            Self::ToleranceNotUsed => "tolerance-not-used",
            Self::VolumeAboveAvailable => "volume-above-available",
            Self::VolumeRoundedInside => "volume-rounded-inside",
            Self::NoVolumeInside => "no-volume-inside",
        }
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

    /// The protocol clause the finding rests on, in plain ASCII with exact numbers, e.g.
    /// `NCT05727722 eligibility: body weight above 40 kg`.
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
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
