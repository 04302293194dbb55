//! A dose the prescriber stated: whether it is one the protocol allows this patient.

use super::clause::rule_clause;
use super::limits::Limits;
use super::tolerance::{tolerance_finding, tolerance_words};
use super::{Finding, FindingCode, Severity};
use crate::error::Result;
use crate::human::{self, Notation};
use crate::regimen::{DoseRule, Regimen, describe_dose};
use crate::units::{BodyWeight, Dose, ExactCells};

/// A dose the prescriber stated, with what it comes to for this patient.
#[derive(Clone, Copy)]
pub(crate) struct Explicit {
    pub(crate) dose: Dose,
    pub(crate) exact: ExactCells,
    pub(crate) level: Option<u32>,
}

/// The finding, if any, on a dose the prescriber stated; where a count was given against a
/// per-kg regimen and would be one of its per-kg doses, the finding says `/kg` may be missing.
pub(crate) fn explicit_dose_finding(
    regimen: &Regimen,
    rule: Option<DoseRule>,
    request: &Explicit,
    limits: Limits,
    weight: BodyWeight,
    clause: &dyn Fn(&str) -> String,
) -> Result<Option<Finding>> {
    let finding = judge(regimen, rule, request, limits, weight, clause)?;
    Ok(finding.map(
        |finding| match missing_per_kg(regimen, rule, request.dose) {
            Some(hint) => finding.with_hint(&hint),
            None => finding,
        },
    ))
}

/// `looks like a per-kg dose without /kg` when `dose` is a count that, read per kg, is one of
/// the regimen's per-kg doses or inside its per-kg range.
fn missing_per_kg(regimen: &Regimen, rule: Option<DoseRule>, dose: Dose) -> Option<String> {
    let Dose::Total(count) = dose else {
        return None;
    };
    let value = count.get();
    let inside = |dose: Dose| matches!(dose, Dose::PerKg(per_kg) if per_kg.get() == value);
    let in_range = match rule.and_then(DoseRule::bounds) {
        Some((Dose::PerKg(low), Some(Dose::PerKg(high)))) => {
            low.get() <= value && value <= high.get()
        }
        Some((Dose::PerKg(low), None)) => low.get() <= value,
        _ => false,
    };
    let stated = rule.and_then(DoseRule::point).is_some_and(inside)
        || regimen.levels().iter().any(|level| inside(level.dose()));
    (in_range || stated).then(|| {
        format!(
            "{} looks like a per-kg dose without /kg: for {} write {}/kg",
            human::cells(value, Notation::Unicode),
            human::cells_per_kg(value, Notation::Unicode),
            crate::digits::Plain(value)
        )
    })
}

fn judge(
    regimen: &Regimen,
    rule: Option<DoseRule>,
    request: &Explicit,
    limits: Limits,
    weight: BodyWeight,
    clause: &dyn Fn(&str) -> String,
) -> Result<Option<Finding>> {
    let Explicit { dose, exact, level } = *request;
    if rule == Some(DoseRule::NoCells) {
        return Ok((exact > ExactCells::ZERO).then(|| {
            Finding::new(
                Severity::Hard,
                FindingCode::CellsInPlaceboArm,
                clause("placebo, no cells"),
                |n| {
                    format!(
                        "requested dose {} in a placebo arm, which gives no cells",
                        describe_dose(dose, n)
                    )
                },
            )
        }));
    }
    if let Some((low, high)) = rule.and_then(DoseRule::bounds) {
        // The rule's words are written only when a finding needs them.
        let rule_words = || rule.map(rule_clause).unwrap_or_default();
        if let Some(min) = limits.min.filter(|min| exact < *min) {
            return Ok(Some(Finding::new(
                Severity::Hard,
                FindingCode::DoseBelowProtocolMinimum,
                clause(&rule_words()),
                |n| {
                    format!(
                        "requested dose {} is below the protocol minimum of {}: {} for this patient, against a limit of {}",
                        describe_dose(dose, n),
                        describe_dose(low, n),
                        human::cells(exact.get(), n),
                        human::cells(min.get(), n),
                    )
                },
            )));
        }
        if let Some(max) = limits.max.filter(|max| exact > *max) {
            let high = high.filter(|_| !limits.max_is_cap());
            let bound = high.map_or_else(
                || "the maximum total".to_owned(),
                |high| describe_dose(high, Notation::Ascii),
            );
            return Ok(Some(Finding::new(
                Severity::Hard,
                FindingCode::DoseAboveProtocolMaximum,
                clause(&rule_words()),
                |n| {
                    let bound = high.map_or_else(|| bound.clone(), |high| describe_dose(high, n));
                    format!(
                        "requested dose {} is above the protocol maximum of {bound}: {} for this patient, against a limit of {}",
                        describe_dose(dose, n),
                        human::cells(exact.get(), n),
                        human::cells(max.get(), n),
                    )
                },
            )));
        }
        return Ok(None);
    }
    if let Some(max) = limits.max.filter(|max| exact > *max) {
        return Ok(Some(Finding::new(
            Severity::Hard,
            FindingCode::DoseAboveProtocolMaximum,
            clause("max_total"),
            |n| {
                format!(
                    "requested dose {} is above the protocol's maximum total of {}",
                    describe_dose(dose, n),
                    human::cells(max.get(), n)
                )
            },
        )));
    }
    let point = rule.and_then(DoseRule::point);
    let point_cells = point.map(|p| p.cells_for(weight)).transpose()?;
    if level.is_some() || point_cells == Some(exact) {
        return Ok(None);
    }
    if let (Some(point), Some(target), Some(tolerance)) = (point, point_cells, regimen.tolerance())
    {
        return Ok(tolerance_finding(
            exact,
            target,
            tolerance,
            |n| format!("requested dose {}", describe_dose(dose, n)),
            &|n| describe_dose(point, n),
            (
                FindingCode::DosePastSoftTolerance,
                FindingCode::DoseNotAProtocolDose,
            ),
            &|| clause(&format!("tolerance {}", tolerance_words(tolerance))),
        ));
    }
    let mut allowed: Vec<(String, Dose, ExactCells)> = Vec::new();
    if let Some(point) = point {
        allowed.push(("the arm's dose".to_owned(), point, point.cells_for(weight)?));
    }
    for level in regimen.levels() {
        allowed.push((
            format!("level {}", level.number()),
            level.dose(),
            level.dose().cells_for(weight)?,
        ));
    }
    let direction = if allowed.iter().all(|(_, _, cells)| exact < *cells) {
        "below every dose the protocol states"
    } else if allowed.iter().all(|(_, _, cells)| exact > *cells) {
        "above every dose the protocol states"
    } else {
        "between the doses the protocol states"
    };
    let list = |n: Notation| {
        allowed
            .iter()
            .map(|(name, dose, _)| format!("{name} {}", describe_dose(*dose, n)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    Ok(Some(Finding::new(
        Severity::Hard,
        FindingCode::DoseNotAProtocolDose,
        clause("stated doses"),
        |n| {
            format!(
                "requested dose {} is not a dose the protocol states ({direction}); it states: {}",
                describe_dose(dose, n),
                list(n)
            )
        },
    )))
}
