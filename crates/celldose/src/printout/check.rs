//! A check of what was given, as `celldose check` prints it (and `prepare` from a product
//! file's bags): the count, the bags, the excipients and the infusion of a split dose.

use crate::calculation::DeliveryCheck;
use crate::human::{self, Notation};

use super::parts::{allowed, findings, heading, line, provenance, verdict_words, weights};

/// The product, bags, what went in with the cells, and the split, for a check from bags.
pub(super) fn delivery(out: &mut String, check: &DeliveryCheck, notation: Notation) {
    let kg = check.calculation().weight().weight().kg();
    if let Some(product) = check.product() {
        let mut ids = Vec::new();
        if let Some(din) = product.identity().din() {
            ids.push(format!("DIN {din}"));
        }
        if let Some(code) = product.identity().product_code() {
            ids.push(format!("product code {code}"));
        }
        let ids = if ids.is_empty() {
            String::new()
        } else {
            format!(" ({})", ids.join(", "))
        };
        line(
            out,
            "Product:",
            &format!(
                "{}{ids}, counting {}",
                crate::text::inert(product.identity().id()),
                product.identity().counts().cells_word()
            ),
        );
        for bag in product.bags() {
            let how = if bag.whole() {
                format!("{} mL, the whole bag", bag.volume_ml())
            } else {
                format!(
                    "{} mL of {} mL",
                    bag.volume_ml(),
                    bag.volume_ml()
                        .checked_add(bag.left_ml())
                        .unwrap_or_default()
                        .normalize()
                )
            };
            let per_kg = crate::calculation::Rounding::HalfAwayFromZero
                .to_places(bag.counted().get().checked_div(kg).unwrap_or_default(), 2);
            line(
                out,
                &format!("Bag {}:", crate::text::inert(bag.id())),
                &format!(
                    "{how}: {}, {}, viability {}",
                    human::cells(bag.counted().get(), notation),
                    human::cells_per_kg(per_kg, notation),
                    bag.viability()
                ),
            );
        }
    }
    if let Some(e) = check.excipients() {
        line(
            out,
            "Volume:",
            &format!("{} mL ({} mL/kg)", e.volume_ml(), e.volume_ml_per_kg()),
        );
        match (e.dmso_ml(), e.dmso_g(), e.dmso_g_per_kg()) {
            (Some(ml), Some(g), Some(per_kg)) => line(
                out,
                "DMSO:",
                &format!(
                    "{ml} mL, {g} g at {} g/mL ({per_kg} g/kg)",
                    e.dmso_density()
                ),
            ),
            _ => line(out, "DMSO:", "not stated for every bag"),
        }
        match (e.endotoxin_eu(), e.endotoxin_eu_per_kg()) {
            (Some(eu), Some(per_kg)) => {
                line(out, "Endotoxin:", &format!("{eu} EU ({per_kg} EU/kg)"));
            }
            _ => line(out, "Endotoxin:", "not stated for every bag"),
        }
    }
    if let Some(split) = check.split() {
        let target = split.target().map_or_else(
            || "no single target".to_owned(),
            |t| human::cells(t.get(), notation),
        );
        line(
            out,
            "Infusion:",
            &format!(
                "{} of {}, day {}, {} of the dose: target {target}",
                split.infusion(),
                split.infusions(),
                split.day(),
                split.share()
            ),
        );
        if let Some(given) = split.given_before() {
            line(out, "Given before:", &human::cells(given.get(), notation));
        }
        match (split.cumulative(), split.cumulative_target()) {
            (Some(total), Some(due)) => line(
                out,
                "Running total:",
                &format!(
                    "{} of {} due by now ({}% of the dose)",
                    human::cells(total.get(), notation),
                    human::cells(due.get(), notation),
                    split.share_so_far()
                ),
            ),
            (Some(total), None) => {
                line(out, "Running total:", &human::cells(total.get(), notation))
            }
            _ => line(
                out,
                "Running total:",
                "not known: what was given before was not stated",
            ),
        }
    }
}
/// A delivered count checked, as `celldose check` prints it.
pub fn check(check: &DeliveryCheck, notation: Notation) -> String {
    let calculation = check.calculation();
    let mut out = heading(calculation);
    if let (Some(drawing), Some(product)) = (check.drawing(), check.product()) {
        let parts: Vec<String> = product
            .bags()
            .iter()
            .map(|b| {
                if b.whole() {
                    format!(
                        "bag {} whole ({} mL)",
                        crate::text::inert(b.id()),
                        b.volume_ml()
                    )
                } else {
                    format!("{} mL of bag {}", b.volume_ml(), crate::text::inert(b.id()))
                }
            })
            .collect();
        let exact = drawing
            .exact_ml()
            .filter(|_| product.bags().iter().any(|b| !b.whole()))
            .map(|ml| {
                if drawing.exact_ml_is_exact() {
                    format!("; exactly {ml} mL would give the target")
                } else {
                    format!("; the target needs {ml} mL, to the nearest 0.000001 mL")
                }
            })
            .unwrap_or_default();
        line(
            &mut out,
            "To give:",
            &format!(
                "{} (in {} steps{exact})",
                if parts.is_empty() {
                    "nothing".to_owned()
                } else {
                    parts.join(", then ")
                },
                drawing.step()
            ),
        );
    }
    let target_label = if check.split().is_some() {
        "Whole dose:"
    } else {
        "Target:"
    };
    match calculation.cells() {
        Some(target) => line(
            &mut out,
            target_label,
            &human::cells(target.get(), notation),
        ),
        None => line(
            &mut out,
            target_label,
            "no single target: the protocol gives a range",
        ),
    }
    let delivered = if check.actual_exact().is_whole() {
        human::cells(check.actual_exact().get(), notation)
    } else {
        format!(
            "{} (exactly {})",
            human::cells(check.actual_cells().get(), notation),
            human::grouped(check.actual_exact().get())
        )
    };
    let label = if check.drawing().is_some() {
        "Delivers:"
    } else {
        "Delivered:"
    };
    line(&mut out, label, &delivered);
    line(
        &mut out,
        &format!("{}/kg:", label.trim_end_matches(':')),
        &human::cells_per_kg(check.actual_cells_per_kg().get(), notation),
    );
    if let Some(deviation) = check.deviation_percent() {
        let sign = if deviation.is_sign_positive() && !deviation.is_zero() {
            "+"
        } else {
            ""
        };
        let tolerance = check
            .tolerance()
            .map(|t| match t.soft() {
                Some(soft) => format!(" (tolerance: soft {soft}, hard {})", t.hard()),
                None => format!(" (tolerance {})", t.hard()),
            })
            .unwrap_or_default();
        let from = if check.split().is_some_and(|s| {
            s.limits() == crate::regimen::SplitLimits::Cumulative && s.cumulative().is_some()
        }) {
            "the running total's target"
        } else if check.split().is_some() {
            "this infusion's target"
        } else {
            "the target"
        };
        line(
            &mut out,
            "Deviation:",
            &format!(
                "{sign}{}% from {from}{tolerance}",
                human::grouped(deviation)
            ),
        );
    }
    delivery(&mut out, check, notation);
    if let Some(custody) = check.custody() {
        chain_of_custody(&mut out, custody);
    }
    weights(&mut out, calculation);
    allowed(&mut out, calculation, notation);
    line(
        &mut out,
        "Verdict:",
        &verdict_words(check.verdict(), calculation, check.findings()),
    );
    findings(&mut out, check.findings(), notation);
    provenance(&mut out, calculation);
    if let Some(product) = check.product() {
        line(
            &mut out,
            "Product file:",
            &format!("sha256 {}", product.identity().sha256()),
        );
    }
    out
}

/// The chain of identity and custody: recipient beside patient, each label scanned, the expiries,
/// the thaw and the latest start.
fn chain_of_custody(out: &mut String, custody: &crate::calculation::CustodyCheck) {
    let recipient = custody
        .recipient()
        .map_or_else(|| "not stated".to_owned(), ToString::to_string);
    let patient = custody.patient().unwrap_or("not given");
    let matched = match custody.recipient() {
        Some(crate::certificate::Recipient::Patient(id))
            if Some(id.as_str()) == custody.patient() =>
        {
            "matched"
        }
        Some(crate::certificate::Recipient::Patient(_)) => "NOT THIS PATIENT",
        Some(_) => "any patient may receive it",
        None => "cannot be matched",
    };
    if custody.recipient().is_some() || custody.patient().is_some() {
        line(
            out,
            "Made for:",
            &format!("{recipient}; patient {patient}: {matched}"),
        );
    }
    for (typed, scan) in custody.scans() {
        line(
            out,
            "Scanned:",
            &format!("{} as {scan}", crate::text::Shown(typed)),
        );
    }
    for (what, expiry) in custody.expires() {
        line(out, "Expires:", &format!("{what}: {expiry}"));
    }
    if let Some(at) = custody.thaw_started_at() {
        line(out, "Thaw started:", &at.to_string());
    }
    if let Some(at) = custody.thawed_at() {
        line(out, "Thawed at:", &at.to_string());
    }
    if !custody.expires().is_empty()
        || custody.limit().is_some()
        || custody.thawed_at().is_some()
        || custody.thaw_started_at().is_some()
    {
        line(
            out,
            "Infusion start:",
            &custody.infusion_start().to_string(),
        );
    }
    if let Some(limit) = custody.limit() {
        let by = limit.infuse_by().map_or_else(
            || "unknown: the thaw time was not given".to_owned(),
            |by| by.to_string(),
        );
        line(
            out,
            "Infuse by:",
            &format!(
                "{by} ({} from the {} of thawing, per the {})",
                limit.max(),
                limit.clock().as_str(),
                limit.stated_by()
            ),
        );
    }
}
