//! The protocol's limits on a product, applied to what is given: the phenotype counted, each
//! bag's viability, and the volume, DMSO and endotoxin per kg of the dosing weight. A limit is
//! compared exactly (amount against limit × weight); the per-kg figures are only shown rounded.

use rust_decimal::Decimal;

use super::delivery::{Delivery, Excipients};
use super::{Calculation, Finding, FindingCode, Rounding, Severity};
use crate::error::{Error, Result};
use crate::regimen::ProductRules;

/// Per-kg figures are shown to this many places.
const PER_KG_PLACES: u32 = 4;

/// The findings on `delivery` under `rules`, and what went in with the cells.
pub(crate) fn judge_product(
    rules: &ProductRules,
    calculation: &Calculation,
    delivery: &Delivery,
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
        match dmso_g {
            None => findings.push(not_stated(
                "DMSO",
                format!("max_dmso {max}"),
                product.bags().iter().filter(|b| b.dmso.is_none()).map(|b| b.id()).collect(),
            )),
            Some(grams) if above(grams, max.get())? => findings.push(Finding::new(
                Severity::Hard,
                FindingCode::DmsoAboveLimit,
                clause(&format!("infusion_limits max_dmso {max} per day")),
                |_| {
                    format!(
                        "{} mL of DMSO ({} g at {density} g/mL) is {} g/kg for {kg}, above the protocol's daily maximum of {max}",
                        dmso_ml.unwrap_or_default().normalize(),
                        grams.normalize(),
                        excipients.dmso_g_per_kg.unwrap_or_default()
                    )
                },
            )),
            Some(_) => {}
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
