//! A protocol written back as a protocol file, through the same structs it is read with.

use toml::Spanned;

use super::FORMAT_VERSION;
use super::schema::{
    ArmFile, BandFile, CohortSizeFile, DoseKeys, EligibilityFile, EscalationFile, LevelFile,
    ProtocolFile, RegimenFile, SourceFile, StatedCount, ToleranceFile, WindowFile,
};
use crate::regimen::Regimen;
use crate::regimen::{DoseRule, Protocol, Window};
use crate::units::{CellCount, Dose};

/// The keys that write a design back into a protocol file.
pub(super) fn design_keys(design: Option<&celldose_escalation::Design>) -> EscalationFile {
    use celldose_escalation::Design;
    let mut keys = EscalationFile {
        start_level: 1,
        ceiling: Dose::Total(crate::units::CellCount::ZERO),
        condition: None,
        design: None,
        target: None,
        phi1: None,
        phi2: None,
        cohort_size: None,
        max_n: None,
        cutoff: None,
        extra_safe: None,
        variant: None,
    };
    match design {
        Some(Design::Boin(boin)) => {
            keys.design = Some("boin".into());
            keys.target = Some(boin.target().to_string());
            keys.phi1 = Some(boin.phi1().to_string());
            keys.phi2 = Some(boin.phi2().to_string());
            keys.cohort_size = Some(boin.cohort_size());
            keys.max_n = boin.max_n();
            keys.cutoff = Some(boin.cutoff().to_string());
            keys.extra_safe = Some(boin.extra_safe());
        }
        Some(design) => {
            keys.design = Some("3+3".into());
            keys.variant = design
                .variant()
                .filter(|v| *v != celldose_escalation::Variant::Standard)
                .map(|v| v.as_str().to_owned());
        }
        None => {}
    }
    keys
}

pub(super) fn unspanned<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

pub(super) fn window_file<T: Copy + PartialOrd>(window: &Window<T>) -> WindowFile<T> {
    let (mut file, lower, upper) = (
        WindowFile {
            above: None,
            at_least: None,
            below: None,
            at_most: None,
        },
        window.lower(),
        window.upper(),
    );
    match lower {
        Some(edge) if edge.is_inclusive() => file.at_least = Some(*edge.value()),
        Some(edge) => file.above = Some(*edge.value()),
        None => {}
    }
    match upper {
        Some(edge) if edge.is_inclusive() => file.at_most = Some(*edge.value()),
        Some(edge) => file.below = Some(*edge.value()),
        None => {}
    }
    file
}

pub(super) fn dose_keys(rule: Option<DoseRule>, cap: Option<CellCount>) -> (DoseKeys, bool) {
    let mut keys = DoseKeys {
        max_total: cap,
        ..DoseKeys::default()
    };
    let mut placebo = false;
    match rule {
        Some(DoseRule::NoCells) => placebo = true,
        Some(rule) => match (rule.point(), rule.bounds()) {
            (Some(point), _) => keys.dose = Some(point),
            (None, Some((min, max))) => {
                keys.min_dose = Some(min);
                keys.max_dose = max;
            }
            (None, None) => {}
        },
        None => {}
    }
    (keys, placebo)
}

impl From<&Protocol> for ProtocolFile {
    fn from(protocol: &Protocol) -> Self {
        let mut regimens: Vec<&Regimen> = Vec::new();
        for arm in &protocol.arms {
            if !regimens.iter().any(|r| r.id == arm.regimen.id) {
                regimens.push(&arm.regimen);
            }
        }
        Self {
            format: unspanned(FORMAT_VERSION),
            id: unspanned(protocol.id().to_owned()),
            version: protocol.version().to_owned(),
            title: protocol.title.clone(),
            product: protocol.product.clone(),
            route: protocol.route.clone(),
            follow_up: protocol.follow_up.clone(),
            cohort_size: protocol.cohort_size.map(|c| {
                unspanned(CohortSizeFile {
                    min: c.min,
                    max: c.max,
                })
            }),
            counts: protocol.product_rules.counts,
            infusion_limits: protocol.product_rules.limits,
            dosing_weight: protocol.product_rules.dosing_weight,
            handling: protocol.product_rules.handling,
            source: SourceFile {
                registry: protocol.source.registry.clone(),
                record: protocol.source.record.clone(),
                quote: protocol.source.quote.clone(),
                note: protocol.source.note.clone(),
            },
            eligibility: EligibilityFile {
                weight: protocol
                    .weight_window
                    .as_ref()
                    .map(|w| unspanned(window_file(w))),
                age: protocol
                    .age_window
                    .as_ref()
                    .map(|w| unspanned(window_file(w))),
            },
            arms: protocol
                .arms
                .iter()
                .map(|arm| {
                    unspanned(ArmFile {
                        id: arm.id.to_string(),
                        name: arm.name.clone(),
                        regimen: arm.regimen.id.to_string(),
                    })
                })
                .collect(),
            regimens: regimens
                .into_iter()
                .map(|regimen| {
                    let (keys, placebo) = dose_keys(regimen.rule, regimen.cap);
                    unspanned(RegimenFile {
                        id: regimen.id.to_string(),
                        dose: keys.dose,
                        min_dose: keys.min_dose,
                        max_dose: keys.max_dose,
                        max_total: keys.max_total,
                        placebo,
                        tolerance: regimen.tolerance.map(|t| {
                            unspanned(ToleranceFile {
                                soft: t.soft,
                                hard: t.hard,
                            })
                        }),
                        infusions: StatedCount(regimen.infusions),
                        per_infusion: regimen.per_infusion.value(),
                        escalation: regimen.escalation.as_ref().map(|e| {
                            unspanned(EscalationFile {
                                start_level: e.start_level,
                                ceiling: e.ceiling,
                                condition: e.condition.as_deref().map(str::to_owned),
                                ..design_keys(e.design.as_ref())
                            })
                        }),
                        levels: regimen
                            .levels
                            .iter()
                            .map(|l| {
                                unspanned(LevelFile {
                                    number: l.number,
                                    dose: l.dose,
                                })
                            })
                            .collect(),
                        bands: regimen
                            .bands
                            .iter()
                            .map(|band| {
                                let window = window_file(&band.window);
                                let (keys, _) = dose_keys(Some(band.rule), band.cap);
                                unspanned(BandFile {
                                    above: window.above,
                                    at_least: window.at_least,
                                    below: window.below,
                                    at_most: window.at_most,
                                    dose: keys.dose,
                                    min_dose: keys.min_dose,
                                    max_dose: keys.max_dose,
                                    max_total: keys.max_total,
                                })
                            })
                            .collect(),
                        split_limits: regimen.split.as_ref().map(|s| s.limits),
                        split: regimen
                            .split
                            .as_ref()
                            .map(|s| s.parts.iter().copied().map(unspanned).collect())
                            .unwrap_or_default(),
                    })
                })
                .collect(),
        }
    }
}
