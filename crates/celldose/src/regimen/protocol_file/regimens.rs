//! The rules each regimen must keep: levels rising, escalation on its ladder, weight bands that
//! meet without overlap, caps that can be met, ranges a whole cell wide, and a split that adds up.

use toml::Spanned;

use super::Located;
use super::key_groups::{check_window, dose_rule};
use super::schema::{
    BandFile, DoseKeys, EscalationFile, LevelFile, RegimenFile, ToleranceFile, WindowFile,
};
use super::words::{count_words, words};
use crate::error::{Error, Result};
use crate::human::Notation;
use crate::regimen::product_rules::{Split, SplitPart};
use crate::regimen::{DoseLevel, Escalation, Regimen, Stated, Tolerance, WeightBand};
use crate::regimen::{DoseRule, Edge, Window};
use crate::units::{BodyWeight, CellCount, Dose};

/// What a regimen is checked against: the protocol's weight window and its source quote.
pub(super) struct Eligible<'a> {
    pub(super) weight: Option<Window<BodyWeight>>,
    pub(super) quote: &'a str,
}

impl Eligible<'_> {
    /// The lightest weight the protocol admits, and whether that weight itself is admitted: the
    /// weight window's lower edge, else the plausible minimum body weight.
    pub(super) fn lightest(&self) -> Edge<BodyWeight> {
        self.weight
            .and_then(|window| window.lower())
            .unwrap_or(Edge::inclusive(BodyWeight::MIN))
    }
}

/// Checks that a cap sits on a per-kg dose and can be met: at the lightest weight admitted
/// (`lightest`), the smallest dose the regimen gives must not be above the cap, or every patient
/// would meet a cap below the minimum.
pub(super) fn check_cap(
    rule: Option<DoseRule>,
    levels: &[DoseLevel],
    cap: Option<CellCount>,
    lightest: Edge<BodyWeight>,
    fail: &dyn Fn(String) -> Error,
) -> Result<()> {
    let Some(cap) = cap else { return Ok(()) };
    if cap.get().is_zero() {
        return Err(fail(
            "max_total is zero; a regimen without cells is written placebo = true".into(),
        ));
    }
    let per_kg = rule.is_some_and(DoseRule::is_per_kg) || levels.iter().any(|l| l.dose.is_per_kg());
    if !per_kg {
        return Err(fail(format!(
            "max_total {} caps a total that weight × dose per kg could exceed, but this dose is not per kg",
            count_words(cap.get())
        )));
    }
    let smallest_dose = rule
        .and_then(|rule| rule.bounds().map(|(min, _)| min).or_else(|| rule.point()))
        .or_else(|| levels.first().map(|level| level.dose));
    let Some(smallest_dose) = smallest_dose else {
        return Ok(());
    };
    let weight = *lightest.value();
    let smallest = smallest_dose.cells_for(weight)?;
    let never_met = cap.exact() < smallest || (cap.exact() == smallest && !lightest.is_inclusive());
    if never_met {
        let edge = if lightest.is_inclusive() {
            "at"
        } else {
            "just above"
        };
        return Err(fail(format!(
            "max_total {} is below the smallest dose the regimen gives, {}, which {edge} the lightest weight the protocol admits ({weight}) comes to {}; no patient could receive both, so the cap must be at least that",
            count_words(cap.get()),
            words(smallest_dose),
            count_words(smallest.get())
        )));
    }
    Ok(())
}

/// Checks that a per-kg range holds at least one whole cell at every weight admitted: at the
/// lightest, (max − min) × weight must reach one cell.
pub(super) fn check_range_width(
    rule: Option<DoseRule>,
    lightest: Edge<BodyWeight>,
    fail: &dyn Fn(String) -> Error,
) -> Result<()> {
    if let Some(DoseRule::PerKgRange { min, max }) = rule {
        let weight = *lightest.value();
        let low = min.checked_for(weight)?;
        let high = max.checked_for(weight)?;
        let width = high.get().checked_sub(low.get()).unwrap_or_default();
        if width < rust_decimal::Decimal::ONE {
            return Err(fail(format!(
                "the range {} to {} comes to {} to {} at the lightest weight the protocol admits ({weight}), which may hold no whole cell; widen it or raise the lightest weight",
                words(Dose::PerKg(min)),
                words(Dose::PerKg(max)),
                count_words(low.get()),
                count_words(high.get())
            )));
        }
    }
    Ok(())
}

/// Whether two windows on the same quantity share at least one value.
pub(super) fn overlaps<T: PartialOrd + Copy>(a: &Window<T>, b: &Window<T>) -> bool {
    let lower = match (a.lower(), b.lower()) {
        (Some(x), Some(y)) if x.value() > y.value() => Some(x),
        (Some(x), Some(y)) if y.value() > x.value() => Some(y),
        (Some(x), Some(y)) => Some(if x.is_inclusive() { y } else { x }),
        (Some(x), None) | (None, Some(x)) => Some(x),
        (None, None) => None,
    };
    let upper = match (a.upper(), b.upper()) {
        (Some(x), Some(y)) if x.value() < y.value() => Some(x),
        (Some(x), Some(y)) if y.value() < x.value() => Some(y),
        (Some(x), Some(y)) => Some(if x.is_inclusive() { y } else { x }),
        (Some(x), None) | (None, Some(x)) => Some(x),
        (None, None) => None,
    };
    match (lower, upper) {
        (Some(low), Some(high)) => {
            low.value() < high.value()
                || (low.value() == high.value() && low.is_inclusive() && high.is_inclusive())
        }
        _ => true,
    }
}

pub(super) fn check_bands(
    spanned: &[Spanned<BandFile>],
    name: &str,
    eligible: &Eligible<'_>,
    at: &Located<'_>,
) -> Result<Vec<WeightBand>> {
    if spanned.len() == 1 {
        return Err(at.error(
            spanned.first().map(Spanned::span),
            format!("regimen {name:?} has one weight band; one rule for every weight is written without [[regimen.band]], and bands need at least two"),
        ));
    }
    let mut bands: Vec<WeightBand> = Vec::with_capacity(spanned.len());
    for band in spanned {
        let span = band.span();
        let file = *band.get_ref();
        let fail = |message: String| {
            at.error(
                Some(span.clone()),
                format!("regimen {name:?} weight band: {message}"),
            )
        };
        let window_file = WindowFile {
            above: file.above,
            at_least: file.at_least,
            below: file.below,
            at_most: file.at_most,
        };
        let window = check_window("band weight", span.clone(), window_file, at)?;
        let keys = DoseKeys {
            dose: file.dose,
            min_dose: file.min_dose,
            max_dose: file.max_dose,
            max_total: file.max_total,
        };
        let rule = dose_rule(keys, false, &fail)?.ok_or_else(|| {
            fail("it states no dose; give dose, or min_dose with or without max_dose".into())
        })?;
        if let Some(eligibility) = eligible.weight.filter(|e| !overlaps(e, &window)) {
            return Err(fail(format!(
                "the band {window} admits no weight the protocol's eligibility allows ({eligibility})"
            )));
        }
        // The lightest weight in the band that the protocol also admits.
        let protocol_lightest = eligible.lightest();
        let lightest = match window.lower() {
            Some(edge) if edge.value() > protocol_lightest.value() => edge,
            Some(edge)
                if edge.value() == protocol_lightest.value()
                    && !protocol_lightest.is_inclusive() =>
            {
                protocol_lightest
            }
            Some(edge) if edge.value() == protocol_lightest.value() => edge,
            _ => protocol_lightest,
        };
        check_cap(Some(rule), &[], file.max_total, lightest, &fail)?;
        check_range_width(Some(rule), lightest, &fail)?;
        if let Some(previous) = bands.last() {
            let meets = match (previous.window.upper(), window.lower()) {
                (Some(upper), Some(lower)) => {
                    upper.value() == lower.value() && upper.is_inclusive() != lower.is_inclusive()
                }
                _ => false,
            };
            if !meets {
                let before = previous.window.upper().map_or_else(
                    || "no upper edge".to_owned(),
                    |e| {
                        format!(
                            "{} {}",
                            if e.is_inclusive() { "at_most" } else { "below" },
                            e.value()
                        )
                    },
                );
                let after = window.lower().map_or_else(
                    || "no lower edge".to_owned(),
                    |e| {
                        format!(
                            "{} {}",
                            if e.is_inclusive() {
                                "at_least"
                            } else {
                                "above"
                            },
                            e.value()
                        )
                    },
                );
                return Err(fail(format!(
                    "it does not meet the band before it without a gap or an overlap (that band ends {before}, this one starts {after}); the edges must be the same weight, one inclusive and one not, such as at_most = \"40 kg\" then above = \"40 kg\""
                )));
            }
        }
        bands.push(WeightBand {
            window,
            rule,
            cap: file.max_total,
        });
    }
    Ok(bands)
}

pub(super) fn check_regimen(
    spanned: &Spanned<RegimenFile>,
    eligible: &Eligible<'_>,
    at: &Located<'_>,
) -> Result<Regimen> {
    let span = Some(spanned.span());
    let file = spanned.get_ref();
    let name = &file.id;
    let fail = |message: String| at.error(span.clone(), format!("regimen {name:?}: {message}"));
    let keys = DoseKeys {
        dose: file.dose,
        min_dose: file.min_dose,
        max_dose: file.max_dose,
        max_total: file.max_total,
    };
    let rule = dose_rule(keys, file.placebo, &fail)?;
    let bands = check_bands(&file.bands, name, eligible, at)?;
    if !bands.is_empty() && (rule.is_some() || file.max_total.is_some() || !file.levels.is_empty())
    {
        return Err(fail(
            "weight bands state the dose for each weight; give no dose, max_total or levels beside them".into(),
        ));
    }
    if rule == Some(DoseRule::NoCells) && !file.levels.is_empty() {
        return Err(fail("a placebo regimen has no dose levels".into()));
    }
    if rule.is_none() && file.levels.is_empty() && bands.is_empty() {
        return Err(fail(
            "it states no dose; give dose, min_dose (with or without max_dose), placebo = true, levels or weight bands".into(),
        ));
    }

    let mut levels: Vec<DoseLevel> = Vec::with_capacity(file.levels.len());
    for level in &file.levels {
        let level_span = Some(level.span());
        let LevelFile { number, dose } = *level.get_ref();
        let fail_level = |message: String| {
            at.error(
                level_span.clone(),
                format!("regimen {name:?} level {number}: {message}"),
            )
        };
        if number == 0 {
            return Err(fail_level("levels are numbered from 1".into()));
        }
        if dose.is_zero() {
            return Err(fail_level(
                "its dose is zero; a regimen without cells is written placebo = true".into(),
            ));
        }
        if let Some(previous) = levels.last() {
            if levels.iter().any(|l| l.number == number) {
                return Err(fail_level("this level number is used twice".into()));
            }
            if number < previous.number {
                return Err(fail_level(format!(
                    "levels must be listed in ascending order, and {number} follows {}",
                    previous.number
                )));
            }
            match (previous.dose, dose) {
                (Dose::PerKg(a), Dose::PerKg(b)) if a < b => {}
                (Dose::Total(a), Dose::Total(b)) if a < b => {}
                (Dose::PerKg(_), Dose::PerKg(_)) | (Dose::Total(_), Dose::Total(_)) => {
                    return Err(fail_level(format!(
                        "its dose {} is not above level {}'s dose {}; an escalation ladder rises level by level",
                        words(dose),
                        previous.number,
                        words(previous.dose)
                    )));
                }
                _ => {
                    return Err(fail_level(
                        "it mixes per-kg and total doses with the levels before it".into(),
                    ));
                }
            }
        }
        if let Some(bounds) = rule.and_then(DoseRule::bounds)
            && !within(dose, bounds)
        {
            return Err(fail_level(format!(
                "its dose {} is outside the regimen's range {}",
                words(dose),
                rule.map(|r| r.describe(Notation::Unicode))
                    .unwrap_or_default()
            )));
        }
        levels.push(DoseLevel { number, dose });
    }
    check_cap(rule, &levels, file.max_total, eligible.lightest(), &fail)?;
    check_range_width(rule, eligible.lightest(), &fail)?;

    let escalation = file
        .escalation
        .as_ref()
        .map(|escalation| {
            let file_keys = escalation.get_ref();
            let EscalationFile {
                start_level,
                ceiling,
                ref condition,
                ..
            } = *file_keys;
            let esc_fail = |message: String| {
                at.error(
                    Some(escalation.span()),
                    format!("regimen {name:?} escalation: {message}"),
                )
            };
            let Some(start) = levels.iter().find(|level| level.number == start_level) else {
                return Err(esc_fail(format!(
                    "start_level {start_level} is not one of the regimen's levels"
                )));
            };
            if let Some(condition) = condition
                && (condition.trim().is_empty() || !eligible.quote.contains(condition.as_str())) {
                    return Err(esc_fail(format!(
                        "condition {condition:?} is not quoted verbatim from [source] quote; the condition for escalating is the record's own words"
                    )));
                }
            for level in &levels {
                if !within(level.dose, (level.dose, Some(ceiling))) {
                    return Err(esc_fail(format!(
                        "ceiling {ceiling} is below level {}'s dose {}, or of another kind",
                        level.number, level.dose
                    )));
                }
            }
            if let Some(bounds) = rule.and_then(DoseRule::bounds)
                && !within(ceiling, bounds) {
                    return Err(esc_fail(format!(
                        "ceiling {ceiling} is outside the regimen's range {}",
                        rule.map(|r| r.to_string()).unwrap_or_default()
                    )));
                }
            let design = file_keys.design().map_err(&esc_fail)?;
            Ok(Escalation {
                start_level,
                start_dose: start.dose,
                ceiling,
                condition: condition.as_deref().map(Into::into),
                design,
            })
        })
        .transpose()?;

    let tolerance = file
        .tolerance
        .as_ref()
        .map(|tolerance| {
            let ToleranceFile { soft, hard } = *tolerance.get_ref();
            let tol_fail = |message: String| {
                at.error(
                    Some(tolerance.span()),
                    format!("regimen {name:?} tolerance: {message}"),
                )
            };
            if soft.is_some_and(|soft| soft > hard) {
                return Err(tol_fail(format!(
                    "soft {} is wider than hard {hard}; the soft band must lie inside the hard one",
                    soft.map(|s| s.to_string()).unwrap_or_default()
                )));
            }
            let has_point = rule.and_then(DoseRule::point).is_some()
                || !levels.is_empty()
                || bands.iter().any(|b| b.rule.point().is_some());
            if !has_point || rule == Some(DoseRule::NoCells) {
                return Err(tol_fail(
                    "a tolerance applies around a single dose, and this regimen states only ranges"
                        .into(),
                ));
            }
            Ok(Tolerance { soft, hard })
        })
        .transpose()?;

    let split = check_split(file, &fail)?;
    // A split divides the whole dose: it is the total, not an amount per infusion.
    let per_infusion = match (file.per_infusion, &split) {
        (Some(value), _) => Stated::Value(value),
        (None, Some(_)) => Stated::Value(false),
        (None, None) => Stated::NotStated,
    };
    Ok(Regimen {
        id: file.id.as_str().into(),
        rule,
        cap: file.max_total,
        bands,
        tolerance,
        levels,
        escalation,
        infusions: match (&split, file.infusions.0) {
            (Some(split), Stated::NotStated) => {
                Stated::Value(u32::try_from(split.parts.len()).unwrap_or(u32::MAX))
            }
            (_, stated) => stated,
        },
        split,
        // A split divides the whole dose: it is the total, not an amount per infusion.
        per_infusion,
    })
}

/// A regimen's split over infusions: shares above 0 % adding up to exactly 100 %, days in order,
/// as many parts as infusions, and a statement of how limits apply.
pub(super) fn check_split(
    file: &RegimenFile,
    fail: &dyn Fn(String) -> Error,
) -> Result<Option<Split>> {
    let limits = match (file.split.is_empty(), file.split_limits) {
        (true, None) => return Ok(None),
        (true, Some(_)) => {
            return Err(fail(
                "split_limits is given but there is no [[regimen.split]]".into(),
            ))
        }
        (false, None) => {
            return Err(fail(
                "a split dose needs split_limits = \"per-infusion\" or \"cumulative\": whether the limits apply to each infusion or to the running total".into(),
            ))
        }
        (false, Some(limits)) => limits,
    };
    if file.split.len() < 2 {
        return Err(fail("a split has at least two infusions".into()));
    }
    if file.placebo {
        return Err(fail("a placebo regimen has no split".into()));
    }
    if file.per_infusion == Some(true) {
        return Err(fail(
            "a split divides the whole dose, so the dose cannot also be per infusion (per_infusion = true)".into(),
        ));
    }
    let parts: Vec<SplitPart> = file.split.iter().map(|p| *p.get_ref()).collect();
    if let Some(part) = parts.iter().find(|p| p.fraction.get().is_zero()) {
        return Err(fail(format!(
            "the split on day {} has a share of 0%",
            part.day
        )));
    }
    if parts
        .windows(2)
        .any(|w| matches!(w, [a, b] if b.day < a.day))
    {
        return Err(fail("the split's days must be in order".into()));
    }
    let sum: rust_decimal::Decimal = parts.iter().map(|p| p.fraction.get()).sum();
    if sum != rust_decimal::Decimal::ONE_HUNDRED {
        return Err(fail(format!(
            "the split's shares add up to {}%, not 100%",
            sum.normalize()
        )));
    }
    if let Stated::Value(n) = file.infusions.0
        && usize::try_from(n).ok() != Some(parts.len())
    {
        return Err(fail(format!(
            "infusions = {n}, but the split has {} infusions",
            parts.len()
        )));
    }
    Ok(Some(Split { parts, limits }))
}

/// Whether `dose` lies in the inclusive bounds `(min, max)` of the same kind.
pub(super) fn within(dose: Dose, (min, max): (Dose, Option<Dose>)) -> bool {
    match (dose, min, max) {
        (Dose::PerKg(d), Dose::PerKg(lo), Some(Dose::PerKg(hi))) => lo <= d && d <= hi,
        (Dose::PerKg(d), Dose::PerKg(lo), None) => lo <= d,
        (Dose::Total(d), Dose::Total(lo), Some(Dose::Total(hi))) => lo <= d && d <= hi,
        (Dose::Total(d), Dose::Total(lo), None) => lo <= d,
        _ => false,
    }
}
