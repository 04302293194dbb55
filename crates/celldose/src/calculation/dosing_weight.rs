//! Which weight doses the patient: the protocol may name it (apheresis, screening, baseline, day
//! of infusion) and the largest change allowed; the request's weight is that weight, and the
//! current weight, where given, is compared with it.

use rust_decimal::Decimal;

use super::{Finding, FindingCode, Rounding, Severity};
use crate::human;
use crate::regimen::DosingWeight;
use crate::units::EnteredWeight;

/// The findings on the weights of one request.
pub(crate) fn findings(
    rule: Option<DosingWeight>,
    dosing: EnteredWeight,
    current: Option<EnteredWeight>,
    clause: &dyn Fn(&str) -> String,
) -> Vec<Finding> {
    let Some(rule) = rule else {
        return current
            .map(|current| {
                Finding::new(
                    Severity::Info,
                    FindingCode::DosingWeight,
                    clause("dosing weight not named"),
                    |_| {
                        format!(
                            "the protocol does not name a dosing weight; the dose uses {} and the current weight {current} was not used",
                            shown(dosing)
                        )
                    },
                )
            })
            .into_iter()
            .collect();
    };
    let basis = rule.weight;
    let what = match rule.max_change {
        Some(change) => format!("dosing_weight {}, max_change {change}", basis.as_str()),
        None => format!("dosing_weight {}", basis.as_str()),
    };
    let Some(current) = current else {
        return vec![match rule.max_change {
            Some(change) => Finding::new(
                Severity::Soft,
                FindingCode::WeightChangeNotChecked,
                clause(&what),
                |_| {
                    format!(
                        "the dose uses {} as {}; the protocol allows a change of at most {change} and no current weight was given to compare (give it as the current weight)",
                        shown(dosing),
                        basis.words()
                    )
                },
            ),
            None => Finding::new(
                Severity::Info,
                FindingCode::DosingWeight,
                clause(&what),
                |_| format!("the dose uses {} as {}", shown(dosing), basis.words()),
            ),
        }];
    };
    let (dose_kg, now_kg) = (dosing.weight().kg(), current.weight().kg());
    let difference = now_kg.checked_sub(dose_kg).unwrap_or_default();
    let change = difference
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|d| d.checked_div(dose_kg))
        .unwrap_or(Decimal::MAX);
    let shown_change = Rounding::HalfAwayFromZero.to_places(change.abs(), 2);
    let direction = if change.is_sign_negative() {
        "less"
    } else {
        "more"
    };
    let message = |limit: &str| {
        if change.is_zero() {
            return format!(
                "the dose uses {} as {}; the current weight is the same{limit}",
                shown(dosing),
                basis.words()
            );
        }
        format!(
            "the dose uses {} as {}; the current weight {} is {} kg ({shown_change}%) {direction}{limit}",
            shown(dosing),
            basis.words(),
            shown(current),
            human::amount(
                Rounding::HalfAwayFromZero
                    .to_places(difference.abs(), 2)
                    .normalize(),
                ""
            ),
        )
    };
    match rule.max_change {
        Some(limit) if change.abs() > limit.get() => vec![Finding::new(
            Severity::Soft,
            FindingCode::WeightChanged,
            clause(&what),
            |_| {
                message(&format!(
                    ", past the {limit} the protocol allows; confirm which weight doses with the investigator"
                ))
            },
        )],
        Some(limit) => vec![Finding::new(
            Severity::Info,
            FindingCode::DosingWeight,
            clause(&what),
            |_| message(&format!(", within the {limit} the protocol allows")),
        )],
        None => vec![Finding::new(
            Severity::Info,
            FindingCode::DosingWeight,
            clause(&what),
            |_| message(""),
        )],
    }
}

/// A weight in kg, with what was typed where that differs.
fn shown(weight: EnteredWeight) -> String {
    let kg = weight.weight();
    let typed = weight.to_string();
    if typed == kg.to_string() {
        typed
    } else {
        format!("{kg} (entered as {typed})")
    }
}
