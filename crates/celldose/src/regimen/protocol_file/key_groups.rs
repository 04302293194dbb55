//! Groups of keys read into the model's values: a window's edges (`above`, `at_least`, `below`,
//! `at_most`) into a [`Window`], and a dose's keys (`dose`, `min_dose`, `max_dose`, `placebo`)
//! into a [`DoseRule`]. Eligibility, regimens and weight bands all use them.

use core::ops::Range;

use super::Located;
use super::schema::{DoseKeys, WindowFile};
use super::words::words;
use crate::error::{Error, Result};
use crate::regimen::{DoseRule, Edge, Window};
use crate::units::Dose;

pub(super) fn check_window<T: PartialOrd + Copy + core::fmt::Display>(
    name: &str,
    span: Range<usize>,
    window: WindowFile<T>,
    at: &Located<'_>,
) -> Result<Window<T>> {
    let span = Some(span);
    let edge = |inclusive: Option<T>, exclusive: Option<T>, keys: &str| match (inclusive, exclusive)
    {
        (Some(_), Some(_)) => Err(at.error(
            span.clone(),
            format!("the {name} window has both {keys}; give one of them"),
        )),
        (Some(value), None) => Ok(Some(Edge::inclusive(value))),
        (None, Some(value)) => Ok(Some(Edge::exclusive(value))),
        (None, None) => Ok(None),
    };
    let lower = edge(window.at_least, window.above, "at_least and above")?;
    let upper = edge(window.at_most, window.below, "at_most and below")?;
    if lower.is_none() && upper.is_none() {
        return Err(at.error(
            span,
            format!("the {name} window has no edge; give above or at_least, below or at_most"),
        ));
    }
    if let (Some(low), Some(high)) = (lower, upper) {
        let empty = low.value() > high.value()
            || (low.value() == high.value() && !(low.is_inclusive() && high.is_inclusive()));
        if empty {
            return Err(at.error(
                span,
                format!(
                    "the {name} window from {} to {} admits no value",
                    low.value(),
                    high.value()
                ),
            ));
        }
    }
    Ok(Window::new(lower, upper))
}

/// The dose rule that `dose`, `min_dose`, `max_dose` and `placebo` state together.
pub(super) fn dose_rule(
    keys: DoseKeys,
    placebo: bool,
    fail: &dyn Fn(String) -> Error,
) -> Result<Option<DoseRule>> {
    let positive = |dose: Dose, key: &str| {
        if dose.is_zero() {
            Err(fail(format!(
                "{key} is zero; a regimen without cells is written placebo = true"
            )))
        } else {
            Ok(dose)
        }
    };
    Ok(match (keys.dose, keys.min_dose, keys.max_dose, placebo) {
        (None, None, None, false) => None,
        (None, None, None, true) => Some(DoseRule::NoCells),
        (Some(dose), None, None, false) => Some(match positive(dose, "dose")? {
            Dose::Total(count) => DoseRule::Flat(count),
            Dose::PerKg(per_kg) => DoseRule::PerKg(per_kg),
        }),
        (None, Some(min), None, false) => Some(match positive(min, "min_dose")? {
            Dose::Total(count) => DoseRule::FlatAtLeast(count),
            Dose::PerKg(per_kg) => DoseRule::PerKgAtLeast(per_kg),
        }),
        (None, Some(min), Some(max), false) => {
            let (min, max) = (positive(min, "min_dose")?, positive(max, "max_dose")?);
            match (min, max) {
                (Dose::PerKg(min), Dose::PerKg(max)) if min < max => {
                    Some(DoseRule::PerKgRange { min, max })
                }
                (Dose::Total(min), Dose::Total(max)) if min < max => {
                    Some(DoseRule::FlatRange { min, max })
                }
                (Dose::PerKg(_), Dose::PerKg(_)) | (Dose::Total(_), Dose::Total(_)) => {
                    return Err(fail(format!(
                        "min_dose {} is not below max_dose {}; a single dose is written dose = \"...\"",
                        words(min),
                        words(max)
                    )));
                }
                _ => {
                    return Err(fail(format!(
                        "min_dose {} and max_dose {} mix a per-kg dose and a total; write both with /kg or both without",
                        words(min),
                        words(max)
                    )));
                }
            }
        }
        (None, None, Some(_), false) => {
            return Err(fail(
                "max_dose needs a min_dose; a limit on the total alone is written max_total".into(),
            ));
        }
        _ => {
            return Err(fail(
                "give exactly one of: dose, min_dose (with or without max_dose), or placebo = true"
                    .into(),
            ));
        }
    })
}
