//! How far a dose may stray from a single target: the protocol's own tolerance or the caller's,
//! compared exactly.

use rust_decimal::Decimal;

use super::{Calculation, Finding, FindingCode, Rounding, Severity};
use crate::error::Result;
use crate::human::{self, Notation};
use crate::refusal::Refusal;
use crate::regimen::{Tolerance, describe_dose};
use crate::units::{ExactCells, Percent, scaled};

/// The tolerance in the words of a clause: `soft 10%, hard 20%`.
pub(crate) fn tolerance_words(tolerance: &Tolerance) -> String {
    match tolerance.soft() {
        Some(soft) => format!("soft {soft}, hard {}", tolerance.hard()),
        None => format!("hard {}", tolerance.hard()),
    }
}

/// Where the limit around a single target comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TargetLimit {
    /// The protocol's own tolerance, or the caller's as a hard band.
    Tolerance(Tolerance),
    /// No tolerance, and none needed: there is no single target, or (for a preparation) the
    /// target lies in a protocol range with both ends, which is the limit.
    Range,
    /// No single target and no tolerance.
    None,
}

impl TargetLimit {
    pub(crate) fn tolerance(self) -> Option<Tolerance> {
        match self {
            Self::Tolerance(tolerance) => Some(tolerance),
            Self::Range | Self::None => None,
        }
    }
}

/// The tolerance that applies: the protocol's own, or the caller's as a hard band.
///
/// A single target needs one, except where `range_may_limit` and the protocol gives a range with
/// both ends for this patient; the protocol's own and the caller's together are refused.
pub(crate) fn resolve_tolerance(
    calculation: &Calculation,
    given: Option<Percent>,
    what: &'static str,
    range_may_limit: bool,
) -> Result<TargetLimit> {
    let tolerance = match (calculation.protocol_tolerance(), given) {
        (Some(own), None) => Some(*own),
        (None, Some(hard)) => Some(Tolerance { soft: None, hard }),
        (None, None) => None,
        (Some(own), Some(given)) => {
            return Err(Refusal::ToleranceGivenTwice {
                protocol: calculation.protocol().to_owned(),
                stated: tolerance_words(own),
                given: given.to_string(),
            }
            .into());
        }
    };
    if let Some(tolerance) = tolerance {
        return Ok(TargetLimit::Tolerance(tolerance));
    }
    let single_target = calculation
        .exact_cells()
        .is_some_and(|t| t.get() > Decimal::ZERO);
    if !single_target {
        return Ok(TargetLimit::None);
    }
    let limits = calculation.limits();
    let in_range = calculation.rule().is_some_and(|r| r.bounds().is_some())
        && limits.min.is_some()
        && limits.max.is_some();
    if range_may_limit && in_range {
        return Ok(TargetLimit::Range);
    }
    Err(Refusal::ToleranceNeeded {
        doing: what,
        dose: calculation
            .dose()
            .map(|d| describe_dose(d, Notation::Ascii)),
    }
    .into())
}

/// The info finding that says the protocol range, not a tolerance, limits a preparation.
pub(crate) fn range_is_the_limit(calculation: &Calculation) -> Finding {
    let limits = calculation.limits();
    Finding::new(
        Severity::Info,
        FindingCode::RangeIsTheLimit,
        calculation.clause("dose range"),
        |n| {
            let end = |end: Option<ExactCells>| {
                end.map_or_else(String::new, |e| human::cells(e.get(), n))
            };
            format!(
                "no tolerance was given, so the protocol range for this patient, {} to {}, is the limit for the dose drawn, and the nearest measurable step inside it is taken",
                end(limits.min),
                end(limits.max)
            )
        },
    )
}

/// Compares `amount` with `target` under a tolerance: nothing inside the soft band, a soft
/// finding between the bands, a hard finding past the hard band. Compared exactly:
/// |amount − target| × 100 against percent × target.
pub(crate) fn tolerance_finding(
    amount: ExactCells,
    target: ExactCells,
    tolerance: &Tolerance,
    what: impl Fn(Notation) -> String,
    target_words: &dyn Fn(Notation) -> String,
    (soft_code, hard_code): (FindingCode, FindingCode),
    clause: &dyn Fn() -> String,
) -> Option<Finding> {
    let difference = amount.get().checked_sub(target.get())?;
    let scaled = difference.abs().checked_mul(Decimal::ONE_HUNDRED)?;
    let past = |percent: Percent| {
        percent
            .get()
            .checked_mul(target.get())
            .is_none_or(|allowed| scaled > allowed)
    };
    let direction = if difference.is_sign_negative() {
        "below"
    } else {
        "above"
    };
    let (severity, code, band, limit) = if past(tolerance.hard()) {
        (Severity::Hard, hard_code, "hard", tolerance.hard())
    } else if let Some(soft) = tolerance.soft().filter(|soft| past(*soft)) {
        (Severity::Soft, soft_code, "soft", soft)
    } else {
        return None;
    };
    // Worked out only for a finding: most deliveries are inside the tolerance.
    let deviation = deviation_percent(difference.abs(), target.get()).unwrap_or_default();
    let consequence = if severity == Severity::Hard {
        "it is refused"
    } else {
        "it needs an acknowledgement with a reason"
    };
    Some(Finding::new(severity, code, clause(), |n| {
        format!(
            "{} is {}% {direction} {}, past the {band} tolerance of {limit}: {consequence}",
            what(n),
            human::grouped(deviation),
            target_words(n)
        )
    }))
}

/// `part` as a percentage of `whole`, rounded half away from zero to two places: the deviation
/// every report shows.
pub(crate) fn deviation_percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    Rounding::HalfAwayFromZero.quotient(scaled::product(part, Decimal::ONE_HUNDRED)?, whole, 2)
}
