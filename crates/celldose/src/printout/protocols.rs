//! The protocols: the list, and one protocol in full with its source record's dose sentence.

use std::fmt::Write as _;

use crate::human::{self, Notation};
use crate::regimen::describe_dose;
use crate::regimen::{Catalogue, DoseRule, Protocol, Regimen};

use super::parts::{line, per_infusion_words};

pub(super) fn one_rule(
    rule: DoseRule,
    cap: Option<crate::units::CellCount>,
    notation: Notation,
) -> String {
    let words = match rule {
        DoseRule::NoCells => "no cells (placebo)".to_owned(),
        rule if rule.bounds().is_some() => format!("range {}", rule.describe(notation)),
        rule => format!("dose {}", rule.describe(notation)),
    };
    match cap {
        Some(cap) => format!(
            "{words}, at most {} in total",
            human::cells(cap.get(), notation)
        ),
        None => words,
    }
}

pub(super) fn rule_words(regimen: &Regimen, notation: Notation) -> Vec<String> {
    let mut words = Vec::new();
    if let Some(rule) = regimen.rule() {
        words.push(one_rule(rule, regimen.cap(), notation));
    }
    for band in regimen.bands() {
        words.push(format!(
            "weight {}: {}",
            band.window(),
            one_rule(band.rule(), band.cap(), notation)
        ));
    }
    if let Some(tolerance) = regimen.tolerance() {
        words.push(match tolerance.soft() {
            Some(soft) => format!("tolerance: soft {soft}, hard {}", tolerance.hard()),
            None => format!("tolerance: hard {}", tolerance.hard()),
        });
    }
    for level in regimen.levels() {
        words.push(format!(
            "level {}: {}",
            level.number(),
            describe_dose(level.dose(), notation)
        ));
    }
    words
}

/// The protocols of a catalogue, as `celldose protocols` lists them.
pub fn protocols(catalogue: &Catalogue, notation: Notation) -> String {
    let mut out = String::new();
    for (index, protocol) in catalogue.protocols().iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "{}  {}", protocol.id(), protocol.title());
        let arms: Vec<&str> = protocol.arms().iter().map(|a| a.id()).collect();
        let shared = if protocol.arms().len() > 1 && protocol.arms_share_one_regimen() {
            " (one shared regimen)"
        } else {
            ""
        };
        line(&mut out, "Arms:", &format!("{}{shared}", arms.join(", ")));
        let mut seen: Vec<&str> = Vec::new();
        for arm in protocol.arms() {
            if seen.contains(&arm.regimen().id()) {
                continue;
            }
            seen.push(arm.regimen().id());
            let label = if shared.is_empty() && protocol.arms().len() > 1 {
                format!("{}:", arm.id())
            } else {
                "Dose:".to_owned()
            };
            for (i, words) in rule_words(arm.regimen(), notation).iter().enumerate() {
                line(&mut out, if i == 0 { &label } else { "" }, words);
            }
        }
    }
    out
}

/// One protocol in full, as `celldose show` prints it.
pub fn show(protocol: &Protocol, notation: Notation) -> String {
    let mut out = format!("{}  {}\n", protocol.id(), protocol.title());
    line(&mut out, "Version:", protocol.version());
    line(
        &mut out,
        "Definition:",
        &format!("{}, sha256 {}", protocol.origin(), protocol.sha256()),
    );
    line(&mut out, "Product:", protocol.product());
    line(&mut out, "Route:", protocol.route());
    let source = protocol.source();
    line(
        &mut out,
        "Source:",
        &format!("{} {}", source.registry(), source.record()),
    );
    for (index, quoted) in source.quote().lines().enumerate() {
        line(
            &mut out,
            if index == 0 { "Dose sentence:" } else { "" },
            &format!("\"{quoted}\""),
        );
    }
    if let Some(note) = source.note() {
        line(&mut out, "Note:", note);
    }
    line(
        &mut out,
        "Body weight:",
        &protocol
            .weight_window()
            .map_or_else(|| "not stated".to_owned(), |w| w.to_string()),
    );
    line(
        &mut out,
        "Age:",
        &protocol
            .age_window()
            .map_or_else(|| "not stated".to_owned(), |w| w.to_string()),
    );
    if let Some(size) = protocol.cohort_size() {
        line(
            &mut out,
            "Cohort size:",
            &format!("{} to {} subjects", size.min(), size.max()),
        );
    }
    if !protocol.follow_up().is_empty() {
        line(&mut out, "Follow-up:", &protocol.follow_up().join(", "));
    }
    let rules = protocol.product_rules();
    if let Some(counts) = rules.counts {
        line(&mut out, "Dose counts:", counts.cells_word());
    }
    let limits = rules.limits;
    let mut named = Vec::new();
    if let Some(v) = limits.max_dmso {
        named.push(format!(
            "DMSO at most {v} per day (density {} g/mL)",
            limits.density()
        ));
    }
    if let Some(v) = limits.max_volume {
        named.push(format!("volume at most {v}"));
    }
    if let Some(v) = limits.max_endotoxin {
        named.push(format!("endotoxin at most {v}"));
    }
    if let Some(v) = limits.min_viability {
        named.push(format!("viability at least {v}"));
    }
    for (index, limit) in named.iter().enumerate() {
        line(
            &mut out,
            if index == 0 { "Product limits:" } else { "" },
            limit,
        );
    }
    if let Some(weight) = rules.dosing_weight {
        let change = weight
            .max_change
            .map(|c| format!(", changed by at most {c}"))
            .unwrap_or_default();
        line(
            &mut out,
            "Dosing weight:",
            &format!("{}{change}", weight.weight.words()),
        );
    }
    for arm in protocol.arms() {
        let regimen = arm.regimen();
        let _ = writeln!(
            out,
            "  Arm {}: {} (regimen {})",
            arm.id(),
            arm.name(),
            regimen.id()
        );
        for words in rule_words(regimen, notation) {
            let _ = writeln!(out, "    {words}");
        }
        if let Some(escalation) = regimen.escalation() {
            let _ = writeln!(
                out,
                "    escalation: starts at level {}, ceiling {}; steps not stated beyond the levels listed",
                escalation.start_level(),
                describe_dose(escalation.ceiling(), notation)
            );
            let _ = writeln!(
                out,
                "    to escalate: {}",
                escalation.condition().map_or_else(
                    || "the protocol file quotes no condition; a recorded decision".to_owned(),
                    |c| format!("\"{c}\"")
                )
            );
            if let Some(design) = escalation.design() {
                let words = match design {
                    crate::escalation::Design::Boin(boin) => format!(
                        "BOIN, target DLT rate {}, cohorts of {}{}",
                        boin.target(),
                        boin.cohort_size(),
                        boin.max_n()
                            .map(|n| format!(", at most {n} patients"))
                            .unwrap_or_default()
                    ),
                    other => other.name().to_owned(),
                };
                let _ = writeln!(
                    out,
                    "    escalation rule: {words} (celldose escalation recommends from the outcomes)"
                );
            }
        }
        let _ = writeln!(
            out,
            "    infusions: {}{}",
            regimen.infusions(),
            per_infusion_words(regimen.per_infusion(), regimen.infusions())
        );
        if let Some(split) = regimen.split() {
            let _ = writeln!(
                out,
                "    split: {}; limits apply {}",
                crate::calculation::split_words(split),
                match split.limits() {
                    crate::regimen::SplitLimits::PerInfusion => "to each infusion",
                    crate::regimen::SplitLimits::Cumulative => "to the running total",
                }
            );
        }
    }
    out
}
