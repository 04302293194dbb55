//! Results written for a pharmacist: grouped digits with the exponent form beside them, units
//! spelled out, the weight used echoed, and the verdict in words.

use std::fmt::Write as _;

use celldose::human::{self, Notation};
use celldose::{
    describe_dose, Calculation, Catalogue, DeliveryCheck, Dose, DoseRule, Finding, Protocol,
    Regimen, Stated, Verdict,
};

/// One labelled line; continuation lines line up under the value.
fn line(out: &mut String, label: &str, value: &str) {
    let _ = writeln!(out, "  {label:<17} {value}");
}

fn findings<'a>(
    out: &mut String,
    findings: impl IntoIterator<Item = &'a Finding>,
    notation: Notation,
) {
    let mut any = false;
    for finding in findings {
        if !any {
            out.push_str("  Findings:\n");
            any = true;
        }
        let _ = writeln!(
            out,
            "    {:<5} {}: {}",
            finding.severity().as_str(),
            finding.code().as_str(),
            finding.message(notation)
        );
        let _ = writeln!(out, "          per {}", finding.clause());
    }
}

/// The "which dose" header: protocol, arm and level.
fn heading(calculation: &Calculation) -> String {
    let arm = calculation.arm().map_or_else(
        || format!("all arms (one shared regimen, {})", calculation.regimen()),
        |arm| format!("arm {arm}"),
    );
    let level = calculation
        .level()
        .map(|l| format!(", level {l}"))
        .unwrap_or_default();
    format!("{}, {arm}{level}\n", calculation.protocol())
}

fn weight(calculation: &Calculation) -> String {
    let entered = calculation.weight();
    let kg = human::kg(entered.weight().kg());
    if entered.unit() == celldose::MassUnit::Kilogram {
        kg
    } else {
        format!("{kg} (entered as {entered})")
    }
}

fn verdict_words(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Within => "WITHIN the protocol",
        _ => "OUTSIDE the protocol: do not dispense",
    }
}

fn allowed(out: &mut String, calculation: &Calculation, notation: Notation) {
    if let (Some(min), Some(max)) = (calculation.min_cells(), calculation.max_cells()) {
        line(
            out,
            "Allowed range:",
            &format!(
                "{} to {}",
                human::cells(min.get(), notation),
                human::cells(max.get(), notation)
            ),
        );
        if let Some(range) = calculation.range().filter(|r| r.is_per_kg()) {
            line(out, "", &format!("({})", range.describe(notation)));
        }
    }
}

fn infusions(out: &mut String, calculation: &Calculation, notation: Notation) {
    let count = match calculation.infusions() {
        Stated::Value(count) => count.to_string(),
        Stated::NotStated => "not stated".to_owned(),
    };
    let total = calculation
        .total_cells()
        .filter(|_| calculation.infusions().value().is_some_and(|n| n > 1))
        .map(|total| format!(" (total {})", human::cells(total.get(), notation)))
        .unwrap_or_default();
    let per = if calculation.per_infusion() {
        "amount is per infusion; "
    } else {
        ""
    };
    line(out, "Infusions:", &format!("{per}{count}{total}"));
}

/// Which protocol definition produced the numbers.
fn provenance(out: &mut String, calculation: &Calculation) {
    line(
        out,
        "Protocol:",
        &format!(
            "{} ({})",
            calculation.protocol(),
            calculation.protocol_version()
        ),
    );
}

/// `celldose dose`.
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
            if verdict != Verdict::Within {
                value.push_str(" (outside the protocol)");
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
            label,
            "no single target: the protocol gives a range",
        ),
    }
    match (calculation.dose(), calculation.cells_per_kg()) {
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
    line(&mut out, "Weight used:", &weight(calculation));
    if let Some(age) = calculation.age() {
        line(&mut out, "Age:", &age.to_string());
    }
    allowed(&mut out, calculation, notation);
    infusions(&mut out, calculation, notation);
    line(&mut out, "Verdict:", verdict_words(verdict));
    findings(&mut out, calculation.findings(), notation);
    provenance(&mut out, calculation);
    out
}

/// `celldose check`.
pub fn check(check: &DeliveryCheck, notation: Notation) -> String {
    let calculation = check.calculation();
    let mut out = heading(calculation);
    match calculation.cells() {
        Some(target) => line(&mut out, "Target:", &human::cells(target.get(), notation)),
        None => line(
            &mut out,
            "Target:",
            "no single target: the protocol gives a range",
        ),
    }
    line(
        &mut out,
        "Delivered:",
        &human::cells(check.actual_cells().get(), notation),
    );
    line(
        &mut out,
        "Delivered/kg:",
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
            .map(|t| format!(" (tolerance {t})"))
            .unwrap_or_default();
        line(
            &mut out,
            "Deviation:",
            &format!(
                "{sign}{}% from the target{tolerance}",
                human::grouped(deviation)
            ),
        );
    }
    line(&mut out, "Weight used:", &weight(calculation));
    allowed(&mut out, calculation, notation);
    line(&mut out, "Verdict:", verdict_words(check.verdict()));
    findings(&mut out, check.findings(), notation);
    provenance(&mut out, calculation);
    out
}

fn rule_words(regimen: &Regimen, notation: Notation) -> Vec<String> {
    let mut words = Vec::new();
    match regimen.rule() {
        Some(DoseRule::NoCells) => words.push("no cells (placebo)".to_owned()),
        Some(rule) if rule.range().is_some() => {
            words.push(format!("range {}", rule.describe(notation)))
        }
        Some(rule) => words.push(format!("dose {}", rule.describe(notation))),
        None => {}
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

/// `celldose protocols`.
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

/// `celldose show`.
pub fn show(protocol: &Protocol, notation: Notation) -> String {
    let mut out = format!("{}  {}\n", protocol.id(), protocol.title());
    line(&mut out, "Version:", protocol.version());
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
        }
        let per = if regimen.per_infusion() {
            "dose is per infusion; "
        } else {
            ""
        };
        let _ = writeln!(out, "    infusions: {per}{}", regimen.infusions());
    }
    out
}
