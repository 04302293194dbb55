//! How a cap applies: the findings that say what the protocol's maximum total did to this
//! patient's limits and target. The limits themselves are derived in `limits.rs`.

use super::limits::Limits;
use super::{Finding, FindingCode, Severity};
use crate::human;
use crate::units::{CellCount, ExactCells};

/// The findings on the limits: `cap-binds` where the cap lowered the upper end of a range, and
/// `cap-below-minimum` where the cap is below the rule's minimum for this weight.
pub(crate) fn limit_findings(limits: Limits, clause: &dyn Fn() -> String) -> Vec<Finding> {
    let mut findings = Vec::new();
    let Some(cap) = limits.cap else {
        return findings;
    };
    if let (true, Some(max)) = (limits.cap_lowers_max(), limits.uncapped_max) {
        findings.push(Finding::new(
            Severity::Info,
            FindingCode::CapBinds,
            clause(),
            |n| {
                format!(
                    "the protocol's maximum total, {}, lowers the upper end of the allowed range for this weight from {} to {}",
                    human::cells(cap.get(), n),
                    human::cells(max.get(), n),
                    human::cells(cap.get(), n)
                )
            },
        ));
    }
    if let (true, Some(min)) = (limits.cap_below_min(), limits.uncapped_min) {
        findings.push(Finding::new(
            Severity::Soft,
            FindingCode::CapBelowMinimum,
            clause(),
            |n| {
                format!(
                    "the protocol's maximum total, {}, is below its minimum for this weight, {}: the two limits cannot both hold, so the lower end of the allowed range was lowered from {} to {}; any dose here is below the protocol minimum, so confirm with the investigator and acknowledge it with a reason",
                    human::cells(cap.get(), n),
                    human::cells(min.get(), n),
                    human::cells(min.get(), n),
                    human::cells(cap.get(), n)
                )
            },
        ));
    }
    findings
}

/// The target after the cap: where weight × dose per kg (`requested`) comes to more than the
/// cap, the cap is the dose and a `cap-binds` finding says so.
pub(crate) fn capped_target(
    requested: ExactCells,
    cap: Option<CellCount>,
    clause: &dyn Fn() -> String,
    findings: &mut Vec<Finding>,
) -> ExactCells {
    match cap {
        Some(cap) if requested > cap.exact() => {
            findings.push(Finding::new(
                Severity::Info,
                FindingCode::CapBinds,
                clause(),
                |n| {
                    format!(
                        "weight × dose comes to {}, above the protocol's maximum total of {}, so the maximum total is the dose",
                        human::cells(requested.get(), n),
                        human::cells(cap.get(), n)
                    )
                },
            ));
            cap.exact()
        }
        _ => requested,
    }
}
