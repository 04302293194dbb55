//! A preparation: the volume to draw, as `celldose prepare` prints it.

use crate::calculation::Verdict;
use crate::human::{self, Notation};

use super::parts::{allowed, findings, heading, line, provenance, verdict_words, weights};

/// A preparation as `celldose prepare` prints it: the volume first, with the dose it delivers
/// beside it.
pub fn prepare(prepared: &crate::calculation::Preparation, notation: Notation) -> String {
    let calculation = prepared.calculation();
    let mut out = heading(calculation);
    let verdict = prepared.verdict();
    let volume = format!("{} mL of product", human::grouped(prepared.volume().ml()));
    let volume = if verdict == Verdict::Outside {
        format!("{volume} (outside the protocol: do not dispense)")
    } else {
        volume
    };
    line(&mut out, "Draw:", &volume);
    let deviation = prepared
        .deviation_percent()
        .map(|d| {
            let sign = if d.is_sign_positive() && !d.is_zero() {
                "+"
            } else {
                ""
            };
            format!(", {sign}{}% from the target", human::grouped(d))
        })
        .unwrap_or_default();
    line(
        &mut out,
        "Delivers:",
        &format!(
            "{}{deviation}",
            human::cells(prepared.delivered_exact().get(), notation)
        ),
    );
    line(
        &mut out,
        "Delivers per kg:",
        &human::cells_per_kg(prepared.delivered_per_kg().get(), notation),
    );
    if let Some(target) = calculation.cells() {
        line(&mut out, "Target:", &human::cells(target.get(), notation));
    }
    let product = prepared.product();
    line(
        &mut out,
        "Product:",
        &if product.viable_stated() {
            format!(
                "{} viable cells/mL (viability {}, already in that figure), positive {}: {} active cells/mL",
                human::grouped(product.concentration().get()),
                product.viability(),
                product.positive(),
                human::grouped(product.active_cells_per_ml())
            )
        } else {
            format!(
                "{} cells/mL, viability {}, positive {}: {} active cells/mL",
                human::grouped(product.concentration().get()),
                product.viability(),
                product.positive(),
                human::grouped(product.active_cells_per_ml())
            )
        },
    );
    line(
        &mut out,
        "Measured in:",
        &format!(
            "steps of {} mL; {} mL available",
            human::grouped(prepared.step().ml()),
            human::grouped(product.available().ml())
        ),
    );
    if let Some(t) = prepared.tolerance() {
        let words = match t.soft() {
            Some(soft) => format!("soft {soft}, hard {}", t.hard()),
            None => format!("{}", t.hard()),
        };
        line(&mut out, "Tolerance:", &words);
    }
    weights(&mut out, calculation);
    allowed(&mut out, calculation, notation);
    line(
        &mut out,
        "Verdict:",
        &verdict_words(verdict, calculation, prepared.findings()),
    );
    findings(&mut out, prepared.findings(), notation);
    provenance(&mut out, calculation);
    out
}
