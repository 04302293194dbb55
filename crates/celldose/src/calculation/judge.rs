//! The one judgement of an amount delivered under a calculation: every limit and the tolerance,
//! and its deviation from the target. A count, the bags of a product, a volume drawn and one
//! infusion of a split dose are all judged here, so they are judged alike.

use rust_decimal::Decimal;

use super::clause::rule_clause;
use super::tolerance::{deviation_percent, tolerance_finding, tolerance_words};
use super::{Calculation, Finding, FindingCode, Severity};
use crate::error::{Error, Result};
use crate::human;
use crate::regimen::Tolerance;
use crate::units::ExactCells;

/// The findings on an amount delivered under `calculation`, and its deviation from the target.
pub(crate) fn judge_delivery(
    calculation: &Calculation,
    actual: ExactCells,
    tolerance: Option<Tolerance>,
) -> Result<(Vec<Finding>, Option<Decimal>)> {
    let mut findings = Vec::new();
    if calculation.is_placebo() && actual > ExactCells::ZERO {
        findings.push(Finding::new(
            Severity::Hard,
            FindingCode::CellsInPlaceboArm,
            calculation.clause("placebo, no cells"),
            |n| {
                format!(
                    "{} delivered in a placebo arm, which gives no cells",
                    human::cells(actual.get(), n)
                )
            },
        ));
    }
    let target = calculation
        .exact_cells()
        .filter(|target| target.get() > Decimal::ZERO);
    let deviation_percent = match (target, tolerance) {
        (Some(target), tolerance) => {
            if let Some(tolerance) = tolerance {
                let given = if calculation.protocol_tolerance().is_some() {
                    ""
                } else {
                    " (given by the caller)"
                };
                let clause = || {
                    calculation.clause(&format!("tolerance {}{given}", tolerance_words(&tolerance)))
                };
                findings.extend(tolerance_finding(
                    actual,
                    target,
                    &tolerance,
                    |n| format!("delivered {}", human::cells(actual.get(), n)),
                    &|n| format!("the target {}", human::cells(target.get(), n)),
                    (
                        FindingCode::DeliveredPastSoftTolerance,
                        FindingCode::DeliveredOutsideTolerance,
                    ),
                    &clause,
                ));
            }
            let difference = actual
                .get()
                .checked_sub(target.get())
                .ok_or_else(|| overflow("difference"))?;
            Some(deviation_percent(difference, target.get()).ok_or_else(|| overflow("deviation"))?)
        }
        (None, Some(tolerance)) => {
            if !calculation.is_placebo() {
                findings.push(Finding::new(
                    Severity::Info,
                    FindingCode::ToleranceNotUsed,
                    calculation.clause("dose range"),
                    |_| {
                        format!(
                            "the tolerance ({}) was not used: there is no single target, only the protocol range",
                            tolerance_words(&tolerance)
                        )
                    },
                ));
            }
            None
        }
        (None, None) => None,
    };

    let limits = calculation.limits();
    let clause = || calculation.clause(&calculation.rule().map(rule_clause).unwrap_or_default());
    // Where the cap is below the rule's minimum, say so beside any limit that is crossed.
    let conflict = |n| match (limits.cap_below_min(), limits.uncapped_min) {
        (true, Some(min)) => format!(
            "; the protocol's minimum for this weight, {}, is above its maximum total (cap-below-minimum)",
            human::cells(min.get(), n)
        ),
        _ => String::new(),
    };
    if let Some(min) = limits.min.filter(|min| actual < *min) {
        findings.push(Finding::new(
            Severity::Hard,
            FindingCode::DeliveredBelowProtocolMinimum,
            clause(),
            |n| {
                format!(
                    "delivered {} is below the protocol minimum of {} for this patient{}",
                    human::cells(actual.get(), n),
                    human::cells(min.get(), n),
                    conflict(n)
                )
            },
        ));
    }
    if let Some(max) = limits.max.filter(|max| actual > *max) {
        let which = if limits.max_is_cap() {
            "the protocol's maximum total of"
        } else {
            "the protocol maximum of"
        };
        findings.push(Finding::new(
            Severity::Hard,
            FindingCode::DeliveredAboveProtocolMaximum,
            clause(),
            |n| {
                format!(
                    "delivered {} is above {which} {} for this patient{}",
                    human::cells(actual.get(), n),
                    human::cells(max.get(), n),
                    conflict(n)
                )
            },
        ));
    }
    Ok((findings, deviation_percent))
}

pub(super) fn overflow(operation: &'static str) -> Error {
    Error::Overflow {
        operation,
        detail: "the delivered count and target are too large to compare".into(),
    }
}
