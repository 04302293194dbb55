//! The lines every result shares: the heading, the weight used, the allowed range, the
//! schedule of a split dose, the findings, the verdict in words and where the protocol came from.

use std::fmt::Write as _;

use crate::calculation::{Calculation, Finding, Verdict};
use crate::human::{self, Notation};
use crate::regimen::Stated;

/// One labelled line; continuation lines line up under the value.
pub(super) fn line(out: &mut String, label: &str, value: &str) {
    let _ = writeln!(out, "  {label:<17} {value}");
}

pub(super) fn findings<'a>(
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
pub(super) fn heading(calculation: &Calculation) -> String {
    let arm = calculation.arm().map_or_else(
        || format!("all arms (one shared regimen, {})", calculation.regimen()),
        |arm| format!("arm {arm}"),
    );
    let level = calculation
        .level()
        .map(|l| format!(", level {l}"))
        .unwrap_or_default();
    let patient = calculation
        .patient()
        .map(|p| format!(", patient {p}"))
        .unwrap_or_default();
    format!("{}, {arm}{level}{patient}\n", calculation.protocol())
}

pub(super) fn weight(calculation: &Calculation) -> String {
    let entered = calculation.weight();
    let kg = human::kg(entered.weight().kg());
    let shown = if entered.unit() == crate::MassUnit::Kilogram {
        kg
    } else {
        format!("{kg} (entered as {entered})")
    };
    match calculation.dosing_weight() {
        Some(rule) => format!("{shown}, {}", rule.weight.words()),
        None => shown,
    }
}

/// The weight line, and the current weight where one was given.
pub(super) fn weights(out: &mut String, calculation: &Calculation) {
    line(out, "Weight used:", &weight(calculation));
    if let Some(current) = calculation.current_weight() {
        let kg = human::kg(current.weight().kg());
        let shown = if current.unit() == crate::MassUnit::Kilogram {
            kg
        } else {
            format!("{kg} (entered as {current})")
        };
        line(out, "Current weight:", &shown);
    }
}

/// Each infusion of a split dose with its day, share and target.
pub(super) fn schedule(out: &mut String, calculation: &Calculation, notation: Notation) {
    let Ok(rows) = calculation.schedule() else {
        return;
    };
    let mut label = "Schedule:";
    for (number, part, target) in rows {
        let target = target.map_or_else(
            || "no single target".to_owned(),
            |t| human::cells(t.get(), notation),
        );
        line(
            out,
            label,
            &format!(
                "infusion {number}, day {}: {} of the dose, {target}",
                part.day, part.fraction
            ),
        );
        label = "";
    }
    if let Some(split) = calculation.split() {
        line(
            out,
            "",
            match split.limits() {
                crate::regimen::SplitLimits::PerInfusion => "limits apply to each infusion",
                crate::regimen::SplitLimits::Cumulative => "limits apply to the running total",
            },
        );
    }
}

pub(super) fn verdict_words<'a>(
    verdict: Verdict,
    calculation: &Calculation,
    findings: impl IntoIterator<Item = &'a Finding>,
) -> String {
    let findings: Vec<&Finding> = findings.into_iter().collect();
    let soft = findings
        .iter()
        .any(|f| f.severity() == crate::Severity::Soft);
    let stops = crate::FindingCode::stops(findings.iter().copied());
    match (verdict, calculation.acknowledgement()) {
        (Verdict::Within, Some(reason)) if soft => {
            format!("WITHIN the protocol, soft limits acknowledged: \"{reason}\"")
        }
        (Verdict::Within, _) => "WITHIN the protocol".to_owned(),
        (Verdict::Review, _) => {
            "REVIEW: inside the protocol but past a soft limit; to accept it, repeat with --acknowledge \"<reason>\"".to_owned()
        }
        (Verdict::NoDoseChosen, _) => {
            "NO DOSE CHOSEN: the protocol gives a range; give --level or --dose for a verdict on a dose".to_owned()
        }
        _ if !stops.is_empty() => format!(
            "{}: do not infuse (OUTSIDE the protocol)",
            stops.join(", ")
        ),
        _ => "OUTSIDE the protocol: do not dispense".to_owned(),
    }
}

pub(super) fn allowed(out: &mut String, calculation: &Calculation, notation: Notation) {
    if let Some(band) = calculation.band() {
        line(out, "Weight band:", &band.to_string());
    }
    let words = range_words(
        calculation.min_cells().map(crate::units::CellCount::exact),
        calculation.max_cells().map(crate::units::CellCount::exact),
        notation,
    );
    // A limit that comes from the cap alone is shown once, as the maximum total.
    if calculation.rule().is_some_and(|r| r.bounds().is_some()) {
        line(out, "Allowed range:", &words);
    }
    if let Some(rule) = calculation
        .rule()
        .filter(|r| r.is_per_kg() && r.bounds().is_some())
    {
        line(out, "", &format!("({})", rule.describe(notation)));
    }
    if calculation.cap_moved_limits() {
        let uncapped = range_words(
            calculation.uncapped_min(),
            calculation.uncapped_max(),
            notation,
        );
        line(out, "Before the cap:", &uncapped);
    }
    if let Some(cap) = calculation.cap() {
        line(out, "Maximum total:", &human::cells(cap.get(), notation));
    }
}

/// Two limits in cells as words: `A to B`, `at least A`, `at most B`.
pub(super) fn range_words(
    min: Option<crate::units::ExactCells>,
    max: Option<crate::units::ExactCells>,
    notation: Notation,
) -> String {
    match (min.map(|m| m.get()), max.map(|m| m.get())) {
        (Some(min), Some(max)) => format!(
            "{} to {}",
            human::cells(min, notation),
            human::cells(max, notation)
        ),
        (Some(min), None) => format!("at least {}", human::cells(min, notation)),
        (None, Some(max)) => format!("at most {}", human::cells(max, notation)),
        (None, None) => String::new(),
    }
}

/// Whether an amount is per infusion, in words after the count: nothing for a single infusion,
/// where the two are the same.
pub(super) fn per_infusion_words(
    per_infusion: Stated<bool>,
    infusions: Stated<u32>,
) -> &'static str {
    match (per_infusion, infusions) {
        (_, Stated::Value(1)) => "",
        (Stated::Value(true), _) => "; the amount is per infusion",
        (Stated::Value(false), _) => "; the amount is the total over all infusions",
        (Stated::NotStated, _) => "; per infusion or in total: not stated",
    }
}

/// The age used, with where it came from.
pub(super) fn age_words(calculation: &Calculation) -> Option<String> {
    let age = calculation.age()?;
    let completed = age.completed();
    let mut words = age.to_string();
    if completed != age {
        words.push_str(&format!(" ({completed} completed)"));
    }
    if let Some(birth) = calculation.age_from_birth() {
        words.push_str(&format!(
            " in completed years (born {}, on {})",
            birth.born(),
            birth.on()
        ));
    }
    Some(words)
}

pub(super) fn infusions(out: &mut String, calculation: &Calculation, notation: Notation) {
    let count = match calculation.infusions() {
        Stated::Value(count) => count.to_string(),
        Stated::NotStated => "not stated".to_owned(),
    };
    let total = calculation
        .total_cells()
        .filter(|_| calculation.infusions().value().is_some_and(|n| n > 1))
        .map(|total| format!(" (total {})", human::cells(total.get(), notation)))
        .unwrap_or_default();
    line(
        out,
        "Infusions:",
        &format!(
            "{count}{total}{}",
            per_infusion_words(calculation.per_infusion(), calculation.infusions())
        ),
    );
}

/// Which protocol definition produced the numbers.
pub(super) fn provenance(out: &mut String, calculation: &Calculation) {
    line(
        out,
        "Protocol:",
        &format!(
            "{} ({})",
            calculation.protocol(),
            calculation.protocol_version()
        ),
    );
    line(
        out,
        "Definition:",
        &format!("sha256 {}", calculation.protocol_sha256()),
    );
    if let Some(sha256) = calculation.trial_state_sha256() {
        line(out, "Trial state:", &format!("sha256 {sha256}"));
    }
}
