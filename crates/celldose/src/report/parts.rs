//! The fields every report shares, and the parts a check adds: the dose's fields, the schedule of
//! a split dose, the findings, the product and its bags, the excipients, the infusion, the
//! drawing.

use serde::Serialize;
use serde::ser::Serializer;

use crate::calculation::{Calculation, DeliveryCheck};
use crate::units::ExactCells;

use super::fields::{Exact, Fields, Shown, key};

pub(super) const DOSE_FIELDS: usize = 38;

/// The fields every dose, check and prepare report starts with, in their contract order.
pub(super) fn dose_fields<F: Fields>(
    state: &mut F,
    c: &Calculation,
    verdict: &str,
) -> Result<(), F::Error> {
    state.provenance(c.protocol(), c.protocol_version(), c.protocol_sha256())?;
    state.text(key!("arm"), c.arm())?;
    state.text(key!("regimen"), Some(c.regimen()))?;
    state.shown(key!("band"), c.band())?;
    state.optional(key!("level"), c.level().as_ref())?;
    state.shown(key!("dose"), c.dose())?;
    state.optional(key!("dose_per_kg"), c.dose_per_kg().as_ref())?;
    state.decimal(key!("max_total_cells"), c.cap())?;
    state.decimal(key!("weight_kg"), Some(Exact(c.weight().weight().kg())))?;
    state.shown(key!("weight_entered"), Some(c.weight()))?;
    state.decimal(key!("age_years"), c.age().map(|a| Exact(a.years())))?;
    state.optional(
        key!("born"),
        c.age_from_birth().map(|a| Shown(a.born())).as_ref(),
    )?;
    state.optional(
        key!("age_on"),
        c.age_from_birth().map(|a| Shown(a.on())).as_ref(),
    )?;
    state.decimal(key!("cells"), c.cells())?;
    state.decimal(key!("cells_exact"), c.exact_cells())?;
    state.decimal(
        key!("cells_per_kg"),
        c.cells_per_kg().map(|p| Exact(p.get())),
    )?;
    state.decimal(key!("min_cells"), c.min_cells())?;
    state.decimal(key!("max_cells"), c.max_cells())?;
    state.decimal(key!("min_cells_exact"), c.exact_min())?;
    state.decimal(key!("max_cells_exact"), c.exact_max())?;
    state.decimal(key!("uncapped_min_cells_exact"), c.uncapped_min())?;
    state.decimal(key!("uncapped_max_cells_exact"), c.uncapped_max())?;
    state.shown(key!("infusions"), Some(c.infusions()))?;
    state.field(key!("per_infusion"), &c.per_infusion().value())?;
    state.decimal(key!("total_cells"), c.total_cells())?;
    state.text(key!("rounding"), Some(c.rounding().name()))?;
    state.text(key!("verdict"), Some(verdict))?;
    state.text(key!("acknowledgement"), c.acknowledgement())?;
    state.text(key!("trial_state_sha256"), c.trial_state_sha256())?;
    state.text(key!("patient"), c.patient())?;
    state.decimal(
        key!("current_weight_kg"),
        c.current_weight().map(|w| Exact(w.weight().kg())),
    )?;
    state.optional(
        key!("current_weight_entered"),
        c.current_weight().map(Shown).as_ref(),
    )?;
    state.optional(
        key!("dosing_weight"),
        c.dosing_weight().map(|d| d.weight.as_str()).as_ref(),
    )?;
    state.decimal(
        key!("max_weight_change_percent"),
        c.dosing_weight()
            .and_then(|d| d.max_change)
            .map(|p| Exact(p.get())),
    )?;
    state.optional(key!("split"), c.split().map(|_| Schedule(c)).as_ref())?;
    Ok(())
}

/// A split dose's schedule: each infusion's number, day, share and target; null where the dose
/// is not split.
pub(super) struct Schedule<'a>(pub(super) &'a Calculation);

impl Serialize for Schedule<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeSeq};
        let Some(split) = self.0.split() else {
            return serializer.serialize_none();
        };
        let rows = self.0.schedule().map_err(S::Error::custom)?;
        let mut seq = serializer.serialize_seq(Some(rows.len()))?;
        for (number, part, target) in rows {
            seq.serialize_element(&SplitRow {
                infusion: number,
                day: part.day,
                share_percent: Exact(part.fraction.get()),
                target_cells_exact: target,
                limits: split.limits().as_str(),
            })?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
pub(super) struct SplitRow {
    pub(super) infusion: u32,
    pub(super) day: u32,
    pub(super) share_percent: Exact,
    pub(super) target_cells_exact: Option<ExactCells>,
    pub(super) limits: &'static str,
}

/// The product, bags, excipients, split judgement and drawing of a check.
pub(super) fn delivery_fields<F: Fields>(
    state: &mut F,
    check: &DeliveryCheck,
) -> Result<(), F::Error> {
    state.decimal(key!("actual_cells_exact"), Some(check.actual_exact()))?;
    state.optional(
        key!("product"),
        check
            .product()
            .map(|p| ProductReport {
                id: p.identity().id(),
                din: p.identity().din().map(|d| d.to_string()),
                product_code: p.identity().product_code().map(|c| c.as_str()),
                counts: p.identity().counts().as_str(),
                sha256: p.identity().sha256(),
                bags: p
                    .bags()
                    .iter()
                    .map(|b| BagReport {
                        id: b.id(),
                        whole: b.whole(),
                        volume_ml: Exact(b.volume_ml()),
                        counted_cells_exact: b.counted(),
                        viability_percent: Exact(b.viability().get()),
                        left_ml: Exact(b.left_ml()),
                        left_cells_exact: Exact(b.left_counted()),
                    })
                    .collect(),
                untouched_bags: p.untouched().iter().map(|(id, _, _)| id.as_str()).collect(),
            })
            .as_ref(),
    )?;
    state.optional(
        key!("excipients"),
        check
            .excipients()
            .map(|e| ExcipientReport {
                volume_ml: Exact(e.volume_ml()),
                volume_ml_per_kg: Exact(e.volume_ml_per_kg()),
                dmso_ml: e.dmso_ml().map(Exact),
                dmso_g: e.dmso_g().map(Exact),
                dmso_g_per_kg: e.dmso_g_per_kg().map(Exact),
                dmso_density_g_per_ml: Exact(e.dmso_density()),
                endotoxin_eu: e.endotoxin_eu().map(Exact),
                endotoxin_eu_per_kg: e.endotoxin_eu_per_kg().map(Exact),
            })
            .as_ref(),
    )?;
    state.optional(
        key!("infusion"),
        check
            .split()
            .map(|s| InfusionReport {
                infusion: s.infusion(),
                infusions: s.infusions(),
                day: s.day(),
                share_percent: Exact(s.share().get()),
                share_so_far_percent: Exact(s.share_so_far()),
                limits: s.limits().as_str(),
                target_cells_exact: s.target(),
                given_before_cells_exact: s.given_before(),
                cumulative_cells_exact: s.cumulative(),
                cumulative_target_cells_exact: s.cumulative_target(),
            })
            .as_ref(),
    )?;
    state.optional(
        key!("drawing"),
        check
            .drawing()
            .map(|d| DrawingReport {
                step_ml: Exact(d.step().ml()),
                target_cells_exact: d.target(),
                exact_ml: d.exact_ml().map(Exact),
                exact_ml_rounded: d.exact_ml().map(|_| !d.exact_ml_is_exact()),
            })
            .as_ref(),
    )?;
    state.optional(
        key!("custody"),
        check.custody().map(CustodyReport::new).as_ref(),
    )?;
    Ok(())
}

/// The chain of identity and custody of a check's product.
#[derive(Serialize)]
pub(super) struct CustodyReport<'a> {
    recipient: Option<String>,
    patient: Option<&'a str>,
    recipient_matches: Option<bool>,
    scans: Vec<ScanReport<'a>>,
    expires: Vec<ExpiryReport<'a>>,
    thaw_started_at: Option<String>,
    thawed_at: Option<String>,
    infusion_start: String,
    thaw_to_infusion_max_minutes: Option<u32>,
    thaw_clock: Option<&'static str>,
    thaw_limit_stated_by: Option<&'static str>,
    minutes_since_thaw: Option<i64>,
    infuse_by: Option<String>,
}

#[derive(Serialize)]
struct ScanReport<'a> {
    typed: &'a str,
    data_structure: &'static str,
    value: String,
}

#[derive(Serialize)]
struct ExpiryReport<'a> {
    of: &'a str,
    expires: crate::units::Expiry,
}

impl<'a> CustodyReport<'a> {
    fn new(custody: &'a crate::calculation::CustodyCheck) -> Self {
        use crate::certificate::{Recipient, Scan};
        let limit = custody.limit();
        Self {
            recipient: custody.recipient().map(|r| match r {
                Recipient::Patient(id) => id.clone(),
                _ => "any".to_owned(),
            }),
            patient: custody.patient(),
            recipient_matches: custody.recipient().map(|r| match r {
                Recipient::Patient(id) => Some(id.as_str()) == custody.patient(),
                _ => true,
            }),
            scans: custody
                .scans()
                .iter()
                .map(|(typed, scan)| ScanReport {
                    typed,
                    data_structure: match scan {
                        Scan::Din(_) => "001",
                        Scan::ProductCode(_) => "003",
                        Scan::Expires(crate::units::Expiry::Date(_)) => "004",
                        Scan::Expires(_) => "005",
                    },
                    value: match scan {
                        Scan::Din(din) => din.as_str().to_owned(),
                        Scan::ProductCode(code) => code.as_str().to_owned(),
                        Scan::Expires(expiry) => serde_json::to_value(expiry)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default(),
                    },
                })
                .collect(),
            expires: custody
                .expires()
                .iter()
                .map(|(of, expires)| ExpiryReport {
                    of,
                    expires: *expires,
                })
                .collect(),
            thaw_started_at: custody.thaw_started_at().map(|t| t.to_string()),
            thawed_at: custody.thawed_at().map(|t| t.to_string()),
            infusion_start: custody.infusion_start().to_string(),
            thaw_to_infusion_max_minutes: limit.map(|l| l.max().get()),
            thaw_clock: limit.map(|l| l.clock().as_str()),
            thaw_limit_stated_by: limit.map(|l| l.stated_by()),
            minutes_since_thaw: limit.and_then(|l| l.minutes_since()),
            infuse_by: limit.and_then(|l| l.infuse_by()).map(|t| t.to_string()),
        }
    }
}

#[derive(Serialize)]
pub(super) struct ProductReport<'a> {
    pub(super) id: &'a str,
    pub(super) din: Option<String>,
    pub(super) product_code: Option<&'a str>,
    pub(super) counts: &'static str,
    pub(super) sha256: &'a str,
    pub(super) bags: Vec<BagReport<'a>>,
    pub(super) untouched_bags: Vec<&'a str>,
}

#[derive(Serialize)]
pub(super) struct BagReport<'a> {
    pub(super) id: &'a str,
    pub(super) whole: bool,
    pub(super) volume_ml: Exact,
    pub(super) counted_cells_exact: ExactCells,
    pub(super) viability_percent: Exact,
    pub(super) left_ml: Exact,
    pub(super) left_cells_exact: Exact,
}

#[derive(Serialize)]
pub(super) struct ExcipientReport {
    pub(super) volume_ml: Exact,
    pub(super) volume_ml_per_kg: Exact,
    pub(super) dmso_ml: Option<Exact>,
    pub(super) dmso_g: Option<Exact>,
    pub(super) dmso_g_per_kg: Option<Exact>,
    pub(super) dmso_density_g_per_ml: Exact,
    pub(super) endotoxin_eu: Option<Exact>,
    pub(super) endotoxin_eu_per_kg: Option<Exact>,
}

#[derive(Serialize)]
pub(super) struct InfusionReport {
    pub(super) infusion: u32,
    pub(super) infusions: u32,
    pub(super) day: u32,
    pub(super) share_percent: Exact,
    pub(super) share_so_far_percent: Exact,
    pub(super) limits: &'static str,
    pub(super) target_cells_exact: Option<ExactCells>,
    pub(super) given_before_cells_exact: Option<ExactCells>,
    pub(super) cumulative_cells_exact: Option<ExactCells>,
    pub(super) cumulative_target_cells_exact: Option<ExactCells>,
}

#[derive(Serialize)]
pub(super) struct DrawingReport {
    pub(super) step_ml: Exact,
    pub(super) target_cells_exact: ExactCells,
    pub(super) exact_ml: Option<Exact>,
    /// Whether `exact_ml` is rounded to 0.000001 mL rather than exact.
    pub(super) exact_ml_rounded: Option<bool>,
}
