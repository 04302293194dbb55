//! The protocol's limits on a product, applied to what is given: the phenotype counted, each
//! bag's viability, and the volume, DMSO and endotoxin per kg of the dosing weight. A limit is
//! compared exactly (amount against limit × weight); the per-kg figures are only shown rounded.

use num_rational::BigRational;
use num_traits::Zero;
use rust_decimal::Decimal;

use super::delivery::{Delivery, Excipients};
use super::{Calculation, Finding, FindingCode, Rounding, Severity};
use crate::error::{Error, Result};
use crate::regimen::ProductRules;
use crate::units::fraction::{divide, fraction, words};
use crate::units::{DmsoAmount, DmsoLimit};

/// Per-kg figures are shown to this many places.
const PER_KG_PLACES: u32 = 4;

/// The findings on `delivery` under `rules`, and what went in with the cells.
pub(crate) fn judge_product(
    rules: &ProductRules,
    calculation: &Calculation,
    delivery: &Delivery,
    same_day: &[u32],
) -> Result<(Vec<Finding>, Option<Excipients>)> {
    let mut findings = Vec::new();
    let limits = rules.limits;
    let clause = |what: &str| calculation.clause(what);
    let Some(product) = delivery.product() else {
        if !limits.is_empty() {
            let mut named = Vec::new();
            if let Some(v) = limits.max_dmso {
                named.push(format!("DMSO to {v}"));
            }
            if let Some(v) = limits.max_volume {
                named.push(format!("volume to {v}"));
            }
            if let Some(v) = limits.max_endotoxin {
                named.push(format!("endotoxin to {v}"));
            }
            if let Some(v) = limits.min_viability {
                named.push(format!("viability to at least {v}"));
            }
            findings.push(Finding::new(
                Severity::Soft,
                FindingCode::ProductLimitsNotChecked,
                clause("infusion_limits"),
                |_| {
                    format!(
                        "the protocol limits {}, and only a count was given, so these were not checked; check the product file instead of a count",
                        named.join(", ")
                    )
                },
            ));
        }
        return Ok((findings, None));
    };

    if let Some(counted) = rules.counts.filter(|c| *c != product.identity().counts()) {
        findings.push(Finding::new(
            Severity::Hard,
            FindingCode::PhenotypeMismatch,
            clause(&format!("counts {}", counted.as_str())),
            |_| {
                format!(
                    "product {} counts {} ({}), but the protocol's dose counts {} ({}); the figures cannot be compared",
                    product.identity().id(),
                    product.identity().counts().cells_word(),
                    product.identity().counts().as_str(),
                    counted.cells_word(),
                    counted.as_str()
                )
            },
        ));
    }
    if let Some(min) = limits.min_viability {
        for bag in product.bags().iter().filter(|b| b.viability() < min) {
            findings.push(Finding::new(
                Severity::Hard,
                FindingCode::ViabilityBelowMinimum,
                clause(&format!("infusion_limits min_viability {min}")),
                |_| {
                    format!(
                        "bag {} has viability {}, below the protocol's minimum of {min}",
                        bag.id(),
                        bag.viability()
                    )
                },
            ));
        }
    }

    let weight = calculation.weight().weight().kg();
    let overflow = || Error::Overflow {
        operation: "what goes in with the cells",
        detail: format!("product {}", product.identity().id()),
    };
    let per_kg = |amount: Decimal| -> Result<Decimal> {
        let exact = amount.checked_div(weight).ok_or_else(overflow)?;
        Ok(Rounding::HalfAwayFromZero
            .to_places(exact, PER_KG_PLACES)
            .normalize())
    };
    let percent_of = |ml: Decimal, p: Decimal| {
        ml.checked_mul(p)
            .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
    };
    let volume_ml: Decimal = delivery.volume_ml().unwrap_or_default();
    let density = limits.density();
    // A sum over the bags, or None where a bag does not state its figure.
    let sum = |figure: &dyn Fn(&super::delivery::BagShare) -> Option<Decimal>| -> Option<Decimal> {
        product
            .bags()
            .iter()
            .map(figure)
            .try_fold(Decimal::ZERO, |total, v| total.checked_add(v?))
    };
    let dmso_ml = sum(&|b| b.dmso.and_then(|p| percent_of(b.volume_ml, p.get())));
    let dmso_g = dmso_ml.and_then(|ml| ml.checked_mul(density));
    let endotoxin_eu = sum(&|b| b.endotoxin.and_then(|e| b.volume_ml.checked_mul(e.get())));
    let excipients = Excipients {
        volume_ml,
        volume_ml_per_kg: per_kg(volume_ml)?,
        dmso_ml: dmso_ml.map(|v| v.normalize()),
        dmso_g: dmso_g.map(|v| v.normalize()),
        dmso_g_per_kg: dmso_g.map(per_kg).transpose()?,
        dmso_density: density,
        endotoxin_eu: endotoxin_eu.map(|v| v.normalize()),
        endotoxin_eu_per_kg: endotoxin_eu.map(per_kg).transpose()?,
    };

    let kg = calculation.weight().weight();
    // amount > limit × weight, exactly.
    let above = |amount: Decimal, limit: Decimal| -> Result<bool> {
        Ok(amount > limit.checked_mul(weight).ok_or_else(overflow)?)
    };
    if let Some(max) = limits.max_volume
        && above(volume_ml, max.get())?
    {
        findings.push(Finding::new(
                Severity::Hard,
                FindingCode::VolumeAboveLimit,
                clause(&format!("infusion_limits max_volume {max}")),
                |_| {
                    format!(
                        "{} mL of product is {} mL/kg for {kg}, above the protocol's maximum of {max} ({} mL for this weight)",
                        volume_ml.normalize(),
                        excipients.volume_ml_per_kg,
                        max.get().checked_mul(weight).unwrap_or_default().normalize()
                    )
                },
            ));
    }
    let not_stated = |what: &str, limit: String, missing: Vec<&str>| {
        Finding::new(
            Severity::Soft,
            FindingCode::ExcipientNotStated,
            clause(&format!("infusion_limits {limit}")),
            |_| {
                format!(
                    "the protocol limits {what} ({limit}), and the certificate does not state it for bag {}; confirm it before giving",
                    missing.join(", ")
                )
            },
        )
    };
    if let Some(max) = limits.max_dmso {
        match (dmso_ml, dmso_g) {
            (Some(ml), Some(grams)) => {
                findings.extend(judge_dmso(
                    &DmsoDay {
                        max,
                        ml,
                        grams,
                        density,
                        today: delivery.dmso_given_today(),
                        same_day,
                        weight,
                        kg: &kg.to_string(),
                        per_kg: excipients.dmso_g_per_kg.unwrap_or_default(),
                    },
                    &clause,
                ));
            }
            _ => findings.push(not_stated(
                "DMSO",
                format!("max_dmso {max}"),
                product
                    .bags()
                    .iter()
                    .filter(|b| b.dmso.is_none())
                    .map(|b| b.id())
                    .collect(),
            )),
        }
    }
    if let Some(max) = limits.max_endotoxin {
        match endotoxin_eu {
            None => findings.push(not_stated(
                "endotoxin",
                format!("max_endotoxin {max}"),
                product.bags().iter().filter(|b| b.endotoxin.is_none()).map(|b| b.id()).collect(),
            )),
            Some(eu) if above(eu, max.get())? => findings.push(Finding::new(
                Severity::Hard,
                FindingCode::EndotoxinAboveLimit,
                clause(&format!("infusion_limits max_endotoxin {max}")),
                |_| {
                    format!(
                        "{} EU of endotoxin is {} EU/kg for {kg}, above the protocol's maximum of {max}",
                        eu.normalize(),
                        excipients.endotoxin_eu_per_kg.unwrap_or_default()
                    )
                },
            )),
            Some(_) => {}
        }
    }
    Ok((findings, Some(excipients)))
}

/// One day's DMSO against the protocol's daily limit.
struct DmsoDay<'a> {
    max: DmsoLimit,
    /// This infusion's DMSO, mL and g.
    ml: Decimal,
    grams: Decimal,
    density: Decimal,
    /// Given earlier that day, where stated.
    today: Option<DmsoAmount>,
    /// Earlier infusions of a split dose on the same day.
    same_day: &'a [u32],
    weight: Decimal,
    kg: &'a str,
    per_kg: Decimal,
}

/// The day's DMSO (this infusion's and any given earlier that day) against the daily limit,
/// compared exactly in the limit's own unit; and a review where an earlier infusion that day
/// gave DMSO that was not stated.
#[allow(clippy::arithmetic_side_effects)] // big fractions; the division is checked
fn judge_dmso(day: &DmsoDay<'_>, clause: &dyn Fn(&str) -> String) -> Vec<Finding> {
    let mut findings = Vec::new();
    let max = day.max;
    let density = fraction(day.density);
    let (this, unit) = if max.is_volume() {
        (fraction(day.ml), "mL")
    } else {
        (fraction(day.grams), "g")
    };
    // DMSO given earlier that day, in the limit's unit; a mass cannot become a volume at a
    // density of 0 g/mL, and is then taken as the most it could be (over any limit).
    let earlier = match day.today {
        None => Some(BigRational::zero()),
        Some(DmsoAmount::Grams(g)) if max.is_volume() => divide(fraction(g), &density),
        Some(DmsoAmount::Millilitres(ml)) if !max.is_volume() => Some(fraction(ml) * &density),
        Some(DmsoAmount::Grams(v) | DmsoAmount::Millilitres(v)) => Some(fraction(v)),
    };
    let Some(earlier) = earlier else {
        findings.push(Finding::new(
            Severity::Hard,
            FindingCode::DmsoAboveLimit,
            clause(&format!("infusion_limits max_dmso {max} per day")),
            |_| {
                format!(
                    "the DMSO given earlier that day is stated in grams, and at the protocol's density of {} g/mL it cannot be turned into the millilitres of its limit of {max}; state it in mL",
                    day.density.normalize()
                )
            },
        ));
        return findings;
    };
    let total = &this + &earlier;
    let allowed = fraction(max.get()) * fraction(day.weight);
    if total > allowed {
        let earlier_words = match day.today {
            Some(given) => format!(
                "; with {given} given earlier that day, the day's total is {} {unit}",
                words(&total)
            ),
            None => String::new(),
        };
        let this_words = format!(
            "{} mL of DMSO ({} g at {} g/mL) is {} g/kg for {}",
            day.ml.normalize(),
            day.grams.normalize(),
            day.density.normalize(),
            day.per_kg,
            day.kg
        );
        findings.push(Finding::new(
            Severity::Hard,
            FindingCode::DmsoAboveLimit,
            clause(&format!("infusion_limits max_dmso {max} per day")),
            |_| {
                format!(
                    "{this_words}{earlier_words}, above the protocol's daily maximum of {max} ({} {unit} for this weight)",
                    words(&allowed)
                )
            },
        ));
    }
    if day.today.is_none() && !day.same_day.is_empty() {
        let infusions: Vec<String> = day.same_day.iter().map(u32::to_string).collect();
        findings.push(Finding::new(
            Severity::Soft,
            FindingCode::DmsoGivenTodayNotStated,
            clause(&format!("infusion_limits max_dmso {max} per day")),
            |_| {
                format!(
                    "infusion{} {} of the split dose {} on the same day, and the DMSO given then is not stated, so the daily maximum of {max} was checked on this infusion's DMSO alone; give the DMSO given earlier that day (--given-dmso, or the given_dmso column)",
                    if infusions.len() == 1 { "" } else { "s" },
                    infusions.join(", "),
                    if infusions.len() == 1 { "is given" } else { "are given" }
                )
            },
        ));
    }
    findings
}
