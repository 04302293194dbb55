//! One infusion's count judged: against the whole target, or, for a split dose, against this
//! infusion's share (per infusion) or the share due so far (cumulative).

use rust_decimal::Decimal;

use super::delivery::{Course, SplitCheck};
use super::{Calculation, Finding, FindingCode, Severity};
use crate::error::{Error, Result};
use crate::human;
use crate::refusal::Refusal;
use crate::regimen::{Split, SplitLimits, Tolerance};
use crate::units::ExactCells;

use super::judge::judge_delivery;

/// The findings on one infusion's count: against the whole target, or, for a split dose,
/// against this infusion's share (per infusion) or the running total's (cumulative).
pub(super) fn judge_course(
    calculation: &Calculation,
    actual: ExactCells,
    tolerance: Option<Tolerance>,
    course: Option<Course>,
) -> Result<(Vec<Finding>, Option<Decimal>, Option<SplitCheck>)> {
    let where_ = || {
        calculation.arm().map_or_else(
            || format!("regimen {}", calculation.regimen()),
            |a| format!("arm {a}"),
        )
    };
    let (split, course) = match (calculation.split(), course) {
        (None, None) => {
            let (findings, deviation) = judge_delivery(calculation, actual, tolerance)?;
            return Ok((findings, deviation, None));
        }
        (None, Some(_)) => {
            return Err(Refusal::NotSplit {
                protocol: calculation.protocol().to_owned(),
                place: where_(),
            }
            .into());
        }
        (Some(split), None) => {
            return Err(Refusal::InfusionRequired {
                protocol: calculation.protocol().to_owned(),
                place: where_(),
                infusions: split.parts().len(),
                split: split_words(split),
            }
            .into());
        }
        (Some(split), Some(course)) => (split, course),
    };
    let count = u32::try_from(split.parts().len()).unwrap_or(u32::MAX);
    let (Some((share, so_far)), Some(part)) = (
        split.shares(course.infusion),
        usize::try_from(course.infusion)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| split.parts().get(i)),
    ) else {
        return Err(Refusal::NoSuchInfusion {
            infusion: course.infusion,
            infusions: split.parts().len(),
            protocol: calculation.protocol().to_owned(),
            place: Some(where_()),
            split: split_words(split),
        }
        .into());
    };
    let from_log = (!course.from_log.is_empty()).then(|| {
        let earlier = course.from_log.clone();
        Finding::new(
            Severity::Info,
            FindingCode::GivenFromLog,
            calculation.clause("split, audit log"),
            |n| {
                let items: Vec<String> = earlier
                    .iter()
                    .map(|(infusion, seq, cells)| {
                        format!(
                            "infusion {infusion}: {} (audit record {seq})",
                            human::cells(cells.get(), n)
                        )
                    })
                    .collect();
                format!(
                    "given before, from the audit log's checks of this patient: {}",
                    items.join("; ")
                )
            },
        )
    });
    let given = match (course.infusion, course.given_before) {
        (1, Some(given)) if given > ExactCells::ZERO => {
            return Err(Refusal::GivenBeforeFirst {
                given: given.get().to_string(),
            }
            .into());
        }
        (1, _) => Some(ExactCells::ZERO),
        (_, given) => given,
    };
    let cumulative = given
        .map(|g| {
            g.get()
                .checked_add(actual.get())
                .ok_or_else(|| Error::Overflow {
                    operation: "running total",
                    detail: format!("{} + {}", g.get(), actual.get()),
                })
                .and_then(ExactCells::new)
        })
        .transpose()?;
    let this_share = calculation.share(share)?;
    let so_far_share = calculation.share(so_far)?;
    let percent = |f: Decimal| {
        f.checked_mul(Decimal::ONE_HUNDRED)
            .unwrap_or_default()
            .normalize()
    };
    let this_words = format!(
        "infusion {} of {count} ({}% of the dose, day {})",
        course.infusion,
        percent(share),
        part.day
    );
    let total_words = format!(
        "running total after infusion {} of {count} ({}% of the dose so far)",
        course.infusion,
        percent(so_far)
    );
    let mut findings = vec![Finding::new(
        Severity::Info,
        FindingCode::SplitInfusion,
        calculation.clause(&format!("split, split_limits {}", split.limits().as_str())),
        |n| {
            let target = this_share.exact_cells().map_or_else(
                || "no single target".to_owned(),
                |t| format!("target {}", human::cells(t.get(), n)),
            );
            format!(
                "{this_words}: {target}; the limits apply {}",
                match split.limits() {
                    SplitLimits::PerInfusion => "to each infusion",
                    SplitLimits::Cumulative => "to the running total",
                }
            )
        },
    )];
    findings.extend(from_log);
    let deviation = match (split.limits(), cumulative) {
        (SplitLimits::PerInfusion, _) => {
            let (found, deviation) = judge_delivery(&this_share, actual, tolerance)?;
            findings.extend(found.into_iter().map(|f| f.with_prefix(&this_words)));
            // Whatever came before, the running total never passes the whole dose's maximum;
            // where there is one and what came before is not known, that cannot be seen.
            match (cumulative, calculation.limits().max) {
                (Some(total), _) => {
                    let (found, _) = judge_delivery(calculation, total, None)?;
                    findings.extend(
                        found
                            .into_iter()
                            .filter(|f| f.code() == FindingCode::DeliveredAboveProtocolMaximum)
                            .map(|f| f.with_prefix(&total_words)),
                    );
                }
                (None, Some(max)) => findings.push(Finding::new(
                    Severity::Soft,
                    FindingCode::GivenNotStated,
                    calculation.clause("split_limits per-infusion"),
                    |n| {
                        format!(
                            "what was given before {this_words} was not stated, so the running total cannot be checked against the protocol maximum of {} for this patient; give what was given before",
                            human::cells(max.get(), n)
                        )
                    },
                )),
                (None, None) => {}
            }
            deviation
        }
        (SplitLimits::Cumulative, Some(total)) => {
            let (found, deviation) = judge_delivery(&so_far_share, total, tolerance)?;
            findings.extend(found.into_iter().map(|f| f.with_prefix(&total_words)));
            deviation
        }
        (SplitLimits::Cumulative, None) => {
            findings.push(Finding::new(
                Severity::Soft,
                FindingCode::GivenNotStated,
                calculation.clause("split_limits cumulative"),
                |_| {
                    format!(
                        "the limits apply to the running total, and what was given before {this_words} was not stated, so the total cannot be checked; give what was given before"
                    )
                },
            ));
            None
        }
    };
    Ok((
        findings,
        deviation,
        Some(SplitCheck {
            infusion: course.infusion,
            infusions: count,
            day: part.day,
            share: part.fraction,
            share_so_far: percent(so_far),
            limits: split.limits(),
            target: this_share.exact_cells(),
            given_before: given,
            cumulative,
            cumulative_target: so_far_share.exact_cells(),
        }),
    ))
}

/// A split in words: `10% on day 0, 30% on day 1, 60% on day 2`.
pub(crate) fn split_words(split: &Split) -> String {
    split
        .parts()
        .iter()
        .map(|p| format!("{} on day {}", p.fraction, p.day))
        .collect::<Vec<_>>()
        .join(", ")
}
