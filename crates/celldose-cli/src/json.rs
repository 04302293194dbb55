//! Results as one JSON object for programs: every exact number is a string, absent values are
//! `null`, and field names are a contract.

use celldose::{Catalogue, DoseRule, Protocol, Regimen, Window};
use serde::Serialize;

fn string<T: ToString>(value: Option<T>) -> Option<String> {
    value.map(|v| v.to_string())
}

pub fn render<T: Serialize>(value: &T) -> String {
    // Serialising these plain structs cannot fail; an empty object would be caught by any reader.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

/// `celldose dose`, `check` or `prepare --format json`: the report, and with `--audit-log` the
/// record that holds it (`recorded`: its sequence number, SHA-256, time, user and stage).
pub fn recorded<R: Serialize>(
    report: &R,
    record: Option<&celldose::audit::RecordId>,
    by: Option<&celldose::audit::Signer>,
    stage: Option<&celldose::audit::Stage>,
) -> String {
    match record {
        Some(record) => render(&celldose::audit::WithRecord::new(report, record, by, stage)),
        None => render(report),
    }
}

#[derive(Serialize)]
struct LevelJson {
    number: u32,
    dose: String,
    dose_per_kg: bool,
}

#[derive(Serialize)]
struct RuleJson {
    kind: &'static str,
    dose: Option<String>,
    min_dose: Option<String>,
    max_dose: Option<String>,
    max_total: Option<String>,
}

#[derive(Serialize)]
struct BandJson {
    weight_kg: WindowJson,
    rule: RuleJson,
}

#[derive(Serialize)]
struct ToleranceJson {
    soft_percent: Option<String>,
    hard_percent: String,
}

#[derive(Serialize)]
struct EscalationJson {
    start_level: u32,
    start_dose: String,
    ceiling: String,
    condition: Option<String>,
    /// `3+3`, `boin`, or null where the protocol names no rule.
    design: Option<&'static str>,
    /// BOIN's target DLT rate.
    target: Option<String>,
}

#[derive(Serialize)]
struct ArmJson<'a> {
    id: &'a str,
    name: &'a str,
    regimen: &'a str,
    rule: Option<RuleJson>,
    bands: Vec<BandJson>,
    tolerance: Option<ToleranceJson>,
    levels: Vec<LevelJson>,
    escalation: Option<EscalationJson>,
    infusions: String,
    per_infusion: Option<bool>,
    split: Option<&'a [celldose::regimen::SplitPart]>,
    split_limits: Option<&'static str>,
}

#[derive(Serialize)]
struct EdgeJson {
    value: String,
    inclusive: bool,
}

#[derive(Serialize)]
struct WindowJson {
    lower: Option<EdgeJson>,
    upper: Option<EdgeJson>,
    text: String,
}

#[derive(Serialize)]
struct SourceJson<'a> {
    registry: &'a str,
    record: &'a str,
    quote: &'a str,
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct ProtocolJson<'a> {
    id: &'a str,
    version: &'a str,
    sha256: &'a str,
    origin: &'a str,
    title: &'a str,
    product: &'a str,
    route: &'a str,
    source: SourceJson<'a>,
    weight_kg: Option<WindowJson>,
    age_years: Option<WindowJson>,
    cohort_size: Option<[u32; 2]>,
    follow_up: &'a [String],
    arms_share_one_regimen: bool,
    counts: Option<&'static str>,
    infusion_limits: &'a celldose::regimen::InfusionLimits,
    dosing_weight: Option<&'a celldose::regimen::DosingWeight>,
    arms: Vec<ArmJson<'a>>,
}

fn rule(rule: DoseRule, cap: Option<celldose::CellCount>) -> RuleJson {
    let text = |d: &dyn ToString| Some(d.to_string());
    let (kind, dose, min, max) = match rule {
        DoseRule::PerKg(d) => ("per-kg", text(&d), None, None),
        DoseRule::Flat(d) => ("flat", text(&d), None, None),
        DoseRule::PerKgRange { min, max } => ("per-kg-range", None, text(&min), text(&max)),
        DoseRule::FlatRange { min, max } => ("flat-range", None, text(&min), text(&max)),
        DoseRule::PerKgAtLeast(min) => ("per-kg-at-least", None, text(&min), None),
        DoseRule::FlatAtLeast(min) => ("flat-at-least", None, text(&min), None),
        _ => ("no-cells", None, None, None),
    };
    RuleJson {
        kind,
        dose,
        min_dose: min,
        max_dose: max,
        max_total: string(cap),
    }
}

fn regimen_levels(regimen: &Regimen) -> Vec<LevelJson> {
    regimen
        .levels()
        .iter()
        .map(|l| LevelJson {
            number: l.number(),
            dose: l.dose().to_string(),
            dose_per_kg: l.dose().is_per_kg(),
        })
        .collect()
}

fn window<T: Copy + PartialOrd + std::fmt::Display>(
    window: &Window<T>,
    value: impl Fn(T) -> String,
) -> WindowJson {
    let edge = |e: Option<celldose::Edge<T>>| {
        e.map(|e| EdgeJson {
            value: value(*e.value()),
            inclusive: e.is_inclusive(),
        })
    };
    WindowJson {
        lower: edge(window.lower()),
        upper: edge(window.upper()),
        text: window.to_string(),
    }
}

fn protocol_json(protocol: &Protocol) -> ProtocolJson<'_> {
    let source = protocol.source();
    ProtocolJson {
        id: protocol.id(),
        version: protocol.version(),
        sha256: protocol.sha256(),
        origin: protocol.origin(),
        title: protocol.title(),
        product: protocol.product(),
        route: protocol.route(),
        source: SourceJson {
            registry: source.registry(),
            record: source.record(),
            quote: source.quote(),
            note: source.note(),
        },
        weight_kg: protocol
            .weight_window()
            .map(|w| window(w, |v| v.kg().to_string())),
        age_years: protocol
            .age_window()
            .map(|w| window(w, |v| v.years().to_string())),
        cohort_size: protocol.cohort_size().map(|c| [c.min(), c.max()]),
        follow_up: protocol.follow_up(),
        arms_share_one_regimen: protocol.arms_share_one_regimen(),
        counts: protocol
            .product_rules()
            .counts
            .map(celldose::certificate::Counted::as_str),
        infusion_limits: &protocol.product_rules().limits,
        dosing_weight: protocol.product_rules().dosing_weight.as_ref(),
        arms: protocol
            .arms()
            .iter()
            .map(|arm| {
                let regimen = arm.regimen();
                ArmJson {
                    id: arm.id(),
                    name: arm.name(),
                    regimen: regimen.id(),
                    rule: regimen.rule().map(|r| rule(r, regimen.cap())),
                    bands: regimen
                        .bands()
                        .iter()
                        .map(|band| BandJson {
                            weight_kg: window(band.window(), |v| v.kg().to_string()),
                            rule: rule(band.rule(), band.cap()),
                        })
                        .collect(),
                    tolerance: regimen.tolerance().map(|t| ToleranceJson {
                        soft_percent: t.soft().map(|s| s.get().to_string()),
                        hard_percent: t.hard().get().to_string(),
                    }),
                    levels: regimen_levels(regimen),
                    escalation: regimen.escalation().map(|e| EscalationJson {
                        start_level: e.start_level(),
                        start_dose: e.start_dose().to_string(),
                        ceiling: e.ceiling().to_string(),
                        condition: e.condition().map(str::to_owned),
                        design: e.design().map(celldose::escalation::Design::name),
                        target: match e.design() {
                            Some(celldose::escalation::Design::Boin(boin)) => {
                                Some(boin.target().to_string())
                            }
                            _ => None,
                        },
                    }),
                    infusions: regimen.infusions().to_string(),
                    per_infusion: regimen.per_infusion().value(),
                    split: regimen.split().map(celldose::regimen::Split::parts),
                    split_limits: regimen.split().map(|s| s.limits().as_str()),
                }
            })
            .collect(),
    }
}

/// `celldose protocols --format json`.
pub fn protocols(catalogue: &Catalogue) -> String {
    #[derive(Serialize)]
    struct List<'a> {
        protocols: Vec<ProtocolJson<'a>>,
    }
    render(&List {
        protocols: catalogue.protocols().iter().map(protocol_json).collect(),
    })
}

/// `celldose show --format json`.
pub fn show(protocol: &Protocol) -> String {
    render(&protocol_json(protocol))
}
