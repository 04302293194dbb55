//! How the limits for one patient are derived: the rule's own ends for this weight, then the
//! protocol's maximum total, keeping both so that a result can say what the cap moved.
//!
//! The cap semantics, stated once (docs/protocol-format.md says the same for file authors):
//! - the upper end is the lower of the rule's maximum for this weight and the cap; where the rule
//!   has no maximum (a point dose, "at least"), the cap is the upper end;
//! - the lower end is the rule's minimum for this weight, unless the cap is below it: then the two
//!   limits cannot both hold, the lower end is lowered to the cap, and the calculation reports the
//!   conflict as a soft finding (`cap-below-minimum`), never quietly.

use super::{Finding, FindingCode, Rounding, Severity};
use crate::error::Result;
use crate::human;
use crate::regimen::DoseRule;
use crate::units::{BodyWeight, CellCount, ExactCells};

/// The exact lower and upper limits for one patient, with the rule's own ends before the cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Limits {
    /// The lower end in force: the rule's minimum, or the cap where the cap is below it.
    pub(crate) min: Option<ExactCells>,
    /// The upper end in force: the lower of the rule's maximum and the cap.
    pub(crate) max: Option<ExactCells>,
    /// The rule's minimum for this weight, before the cap.
    pub(crate) uncapped_min: Option<ExactCells>,
    /// The rule's maximum for this weight, before the cap.
    pub(crate) uncapped_max: Option<ExactCells>,
    /// The protocol's maximum total, where it sets one.
    pub(crate) cap: Option<ExactCells>,
}

impl Limits {
    /// The limits of `rule` for a patient of `weight`, with `cap` applied.
    pub(crate) fn derive(
        rule: Option<DoseRule>,
        cap: Option<CellCount>,
        weight: BodyWeight,
    ) -> Result<Self> {
        let ends = rule.map(|r| r.limits_for(weight)).transpose()?.flatten();
        let uncapped_min = ends.map(|(min, _)| min);
        let uncapped_max = ends.and_then(|(_, max)| max);
        let cap = cap.map(CellCount::exact);
        Ok(Self {
            min: match (uncapped_min, cap) {
                (Some(min), Some(cap)) => Some(min.min(cap)),
                (min, _) => min,
            },
            max: match (uncapped_max, cap) {
                (Some(max), Some(cap)) => Some(max.min(cap)),
                (max, cap) => max.or(cap),
            },
            uncapped_min,
            uncapped_max,
            cap,
        })
    }

    /// The rule's own limits, without the cap: what a per-kg request is checked against before
    /// its total is capped.
    pub(crate) fn uncapped(self) -> Self {
        Self {
            min: self.uncapped_min,
            max: self.uncapped_max,
            cap: None,
            ..self
        }
    }

    /// Every end times `share` (a fraction of 1, such as 0.3 for a 30 % infusion): the limits of
    /// one part of a split dose. Exact, because a share is a terminating decimal.
    pub(crate) fn scaled(self, share: rust_decimal::Decimal) -> Result<Self> {
        let scale = |end: Option<ExactCells>| {
            end.map(|end| {
                end.get()
                    .checked_mul(share)
                    .ok_or_else(|| crate::Error::Overflow {
                        operation: "share of a split dose",
                        detail: format!("{} × {share}", end.get()),
                    })
                    .and_then(ExactCells::new)
            })
            .transpose()
        };
        Ok(Self {
            min: scale(self.min)?,
            max: scale(self.max)?,
            uncapped_min: scale(self.uncapped_min)?,
            uncapped_max: scale(self.uncapped_max)?,
            cap: scale(self.cap)?,
        })
    }

    /// Whether `amount` lies inside both ends (each inclusive).
    pub(crate) fn contains(self, amount: ExactCells) -> bool {
        self.min.is_none_or(|min| amount >= min) && self.max.is_none_or(|max| amount <= max)
    }

    /// Whether the cap lowered the rule's maximum for this weight.
    pub(crate) fn cap_lowers_max(self) -> bool {
        matches!((self.uncapped_max, self.cap), (Some(max), Some(cap)) if cap < max)
    }

    /// Whether the cap is below the rule's minimum for this weight: the two cannot both hold.
    pub(crate) fn cap_below_min(self) -> bool {
        matches!((self.uncapped_min, self.cap), (Some(min), Some(cap)) if cap < min)
    }

    /// Whether the upper end in force is the cap.
    pub(crate) fn max_is_cap(self) -> bool {
        self.cap.is_some() && self.max == self.cap && self.uncapped_max != self.cap
    }
}

/// Rounds `exact` to whole cells with `rounding`, except that a target inside the limits is
/// never moved outside them: the whole count just inside is taken, and an info finding says so.
pub(crate) fn round_inside(
    exact: ExactCells,
    limits: Limits,
    rounding: Rounding,
    clause: &dyn Fn() -> String,
    findings: &mut Vec<Finding>,
) -> Result<CellCount> {
    let rounded = exact.round(rounding)?;
    // Only a target inside the limits is kept inside them; a target already outside is
    // reported as such and left where the request put it.
    if rounded.exact() == exact || !limits.contains(exact) || limits.contains(rounded.exact()) {
        return Ok(rounded);
    }
    let inside = match (limits.min, limits.max) {
        (Some(min), _) if rounded.exact() < min => min.round(Rounding::Up)?,
        (_, Some(max)) if rounded.exact() > max => max.round(Rounding::Down)?,
        _ => return Ok(rounded),
    };
    findings.push(Finding::new(
        Severity::Info,
        FindingCode::RoundedInsideLimit,
        clause(),
        |n| {
            format!(
                "rounding {} {} would cross the protocol limit, so {} was taken",
                human::cells(exact.get(), n),
                rounding.name(),
                human::cells(inside.get(), n)
            )
        },
    ));
    Ok(inside)
}
