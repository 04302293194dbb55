//! A dose, as `celldose dose` prints it.

use crate::calculation::{Calculation, Verdict};
use crate::human::{self, Notation};
use crate::units::Dose;

use super::parts::{
    age_words, allowed, findings, heading, infusions, line, provenance, schedule, verdict_words,
    weights,
};

/// A calculated dose as `celldose dose` prints it: the cells to give, the range allowed for this
/// patient, the verdict in words, every finding and the protocol's provenance.
///
/// ```
/// use celldose::{Catalogue, DoseChoice, DoseRequest, Rounding};
/// let catalogue = Catalogue::builtin()?;
/// let request = DoseRequest::new("72.5kg".parse()?, DoseChoice::Level(1), Rounding::HalfAwayFromZero).with_arm("alf");
/// let text = celldose::printout::dose(&catalogue.find("NCT07276568")?.calculate(&request)?, celldose::human::Notation::Unicode);
/// assert!(text.contains("Cells to give:    1,160,000,000 cells (1.16 × 10⁹)"));
/// assert!(text.contains("Verdict:          WITHIN the protocol"));
/// # Ok::<(), celldose::Error>(())
/// ```
pub fn dose(calculation: &Calculation, notation: Notation) -> String {
    let mut out = heading(calculation);
    let verdict = calculation.verdict();
    let label = if verdict == Verdict::Within {
        "Cells to give:"
    } else {
        "Requested:"
    };
    match (calculation.cells(), calculation.dose()) {
        (Some(cells), Some(Dose::Total(total))) if total.get().is_zero() => {
            line(
                &mut out,
                label,
                &format!("{} (placebo)", human::cells(cells.get(), notation)),
            );
        }
        (Some(cells), _) => {
            let mut value = human::cells(cells.get(), notation);
            if matches!(calculation.dose(), Some(Dose::Total(_))) {
                value.push_str(", a fixed dose whatever the weight");
            }
            match verdict {
                Verdict::Outside => value.push_str(" (outside the protocol)"),
                Verdict::Review => value.push_str(" (needs a decision: see the findings)"),
                _ => {}
            }
            line(&mut out, label, &value);
            if let Some(exact) = calculation.exact_cells().filter(|e| !e.is_whole()) {
                line(
                    &mut out,
                    "Exact amount:",
                    &format!(
                        "{}, rounded {}",
                        human::cells(exact.get(), notation),
                        calculation.rounding().name()
                    ),
                );
            }
        }
        (None, _) => line(
            &mut out,
            "Dose:",
            "none chosen; the protocol gives a range, shown below for this patient",
        ),
    }
    match (calculation.dose(), calculation.cells_per_kg()) {
        (Some(Dose::PerKg(per_kg)), Some(received)) if received != per_kg => {
            line(
                &mut out,
                "Dose per kg:",
                &human::cells_per_kg(per_kg.get(), notation),
            );
            line(
                &mut out,
                "Comes to:",
                &format!(
                    "{} after the maximum total",
                    human::cells_per_kg(received.get(), notation)
                ),
            );
        }
        (Some(Dose::PerKg(per_kg)), _) => {
            line(
                &mut out,
                "Dose per kg:",
                &human::cells_per_kg(per_kg.get(), notation),
            );
        }
        (Some(_), Some(per_kg)) => line(
            &mut out,
            "Comes to:",
            &format!(
                "{} for this weight",
                human::cells_per_kg(per_kg.get(), notation)
            ),
        ),
        _ => {}
    }
    weights(&mut out, calculation);
    if let Some(age) = age_words(calculation) {
        line(&mut out, "Age:", &age);
    }
    allowed(&mut out, calculation, notation);
    infusions(&mut out, calculation, notation);
    schedule(&mut out, calculation, notation);
    line(
        &mut out,
        "Verdict:",
        &verdict_words(verdict, calculation, calculation.findings()),
    );
    findings(&mut out, calculation.findings(), notation);
    provenance(&mut out, calculation);
    out
}
