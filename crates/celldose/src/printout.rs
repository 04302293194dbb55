//! Results and protocols as a pharmacist reads them: grouped digits with the exponent form beside
//! them, units spelled out, the weight used echoed, and the verdict in words. This is the text
//! `celldose` prints and the web page shows, so both say exactly the same.

use std::fmt::Write as _;

use crate::human::{self, Notation};
use crate::{
    Calculation, Catalogue, DeliveryCheck, Dose, DoseRule, Finding, Protocol, Regimen, Stated,
    Verdict, describe_dose,
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
    let patient = calculation
        .patient()
        .map(|p| format!(", patient {p}"))
        .unwrap_or_default();
    format!("{}, {arm}{level}{patient}\n", calculation.protocol())
}

fn weight(calculation: &Calculation) -> String {
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
fn weights(out: &mut String, calculation: &Calculation) {
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
fn schedule(out: &mut String, calculation: &Calculation, notation: Notation) {
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

/// The product, bags, what went in with the cells, and the split, for a check from bags.
fn delivery(out: &mut String, check: &DeliveryCheck, notation: Notation) {
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

fn verdict_words<'a>(
    verdict: Verdict,
    calculation: &Calculation,
    findings: impl IntoIterator<Item = &'a Finding>,
) -> String {
    let soft = findings
        .into_iter()
        .any(|f| f.severity() == crate::Severity::Soft);
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
        _ => "OUTSIDE the protocol: do not dispense".to_owned(),
    }
}

fn allowed(out: &mut String, calculation: &Calculation, notation: Notation) {
    if let Some(band) = calculation.band() {
        line(out, "Weight band:", &band.to_string());
    }
    let words = range_words(
        calculation.min_cells().map(crate::CellCount::exact),
        calculation.max_cells().map(crate::CellCount::exact),
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
fn range_words(
    min: Option<crate::ExactCells>,
    max: Option<crate::ExactCells>,
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
fn per_infusion_words(per_infusion: Stated<bool>, infusions: Stated<u32>) -> &'static str {
    match (per_infusion, infusions) {
        (_, Stated::Value(1)) => "",
        (Stated::Value(true), _) => "; the amount is per infusion",
        (Stated::Value(false), _) => "; the amount is the total over all infusions",
        (Stated::NotStated, _) => "; per infusion or in total: not stated",
    }
}

/// The age used, with where it came from.
fn age_words(calculation: &Calculation) -> Option<String> {
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
    line(
        out,
        "Definition:",
        &format!("sha256 {}", calculation.protocol_sha256()),
    );
    if let Some(sha256) = calculation.trial_state_sha256() {
        line(out, "Trial state:", &format!("sha256 {sha256}"));
    }
}

/// A calculated dose as `celldose dose` prints it: the cells to give, the range allowed for this
/// patient, the verdict in words, every finding and the protocol's provenance.
///
/// ```
/// use celldose::{Catalogue, DoseChoice, DoseRequest, Rounding};
/// let catalogue = Catalogue::builtin()?;
/// let request = DoseRequest::new("72.5kg".parse()?, DoseChoice::Level(1), Rounding::HalfAwayFromZero).with_arm("alf");
/// let text = celldose::printout::dose(&catalogue.find("NCT07276568")?.calculate(&request)?, celldose::human::Notation::Unicode);
/// assert!(text.contains("Cells to give:    1,160,000,000 cells (1.16 × 10⁹)"));
/// assert!(text.contains("Verdict:          WITHIN the protocol"));
/// # Ok::<(), celldose::Error>(())
/// ```
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
            match verdict {
                Verdict::Outside => value.push_str(" (outside the protocol)"),
                Verdict::Review => value.push_str(" (needs a decision: see the findings)"),
                _ => {}
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
            "Dose:",
            "none chosen; the protocol gives a range, shown below for this patient",
        ),
    }
    match (calculation.dose(), calculation.cells_per_kg()) {
        (Some(Dose::PerKg(per_kg)), Some(received)) if received != per_kg => {
            line(
                &mut out,
                "Dose per kg:",
                &human::cells_per_kg(per_kg.get(), notation),
            );
            line(
                &mut out,
                "Comes to:",
                &format!(
                    "{} after the maximum total",
                    human::cells_per_kg(received.get(), notation)
                ),
            );
        }
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
    weights(&mut out, calculation);
    if let Some(age) = age_words(calculation) {
        line(&mut out, "Age:", &age);
    }
    allowed(&mut out, calculation, notation);
    infusions(&mut out, calculation, notation);
    schedule(&mut out, calculation, notation);
    line(
        &mut out,
        "Verdict:",
        &verdict_words(verdict, calculation, calculation.findings()),
    );
    findings(&mut out, calculation.findings(), notation);
    provenance(&mut out, calculation);
    out
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

fn one_rule(rule: DoseRule, cap: Option<crate::CellCount>, notation: Notation) -> String {
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

/// A preparation as `celldose prepare` prints it: the volume first, with the dose it delivers
/// beside it.
pub fn prepare(prepared: &crate::Preparation, notation: Notation) -> String {
    let calculation = prepared.calculation();
    let mut out = heading(calculation);
    let verdict = prepared.verdict();
    let volume = format!("{} mL of product", human::grouped(prepared.volume().ml()));
    let volume = if verdict == Verdict::Outside {
        format!("{volume} (outside the protocol: do not dispense)")
    } else {
        volume
    };
    line(&mut out, "Draw:", &volume);
    let deviation = prepared
        .deviation_percent()
        .map(|d| {
            let sign = if d.is_sign_positive() && !d.is_zero() {
                "+"
            } else {
                ""
            };
            format!(", {sign}{}% from the target", human::grouped(d))
        })
        .unwrap_or_default();
    line(
        &mut out,
        "Delivers:",
        &format!(
            "{}{deviation}",
            human::cells(prepared.delivered_exact().get(), notation)
        ),
    );
    line(
        &mut out,
        "Delivers per kg:",
        &human::cells_per_kg(prepared.delivered_per_kg().get(), notation),
    );
    if let Some(target) = calculation.cells() {
        line(&mut out, "Target:", &human::cells(target.get(), notation));
    }
    let product = prepared.product();
    line(
        &mut out,
        "Product:",
        &if product.viable_stated() {
            format!(
                "{} viable cells/mL (viability {}, already in that figure), positive {}: {} active cells/mL",
                human::grouped(product.concentration().get()),
                product.viability(),
                product.positive(),
                human::grouped(product.active_cells_per_ml())
            )
        } else {
            format!(
                "{} cells/mL, viability {}, positive {}: {} active cells/mL",
                human::grouped(product.concentration().get()),
                product.viability(),
                product.positive(),
                human::grouped(product.active_cells_per_ml())
            )
        },
    );
    line(
        &mut out,
        "Measured in:",
        &format!(
            "steps of {} mL; {} mL available",
            human::grouped(prepared.step().ml()),
            human::grouped(product.available().ml())
        ),
    );
    if let Some(t) = prepared.tolerance() {
        let words = match t.soft() {
            Some(soft) => format!("soft {soft}, hard {}", t.hard()),
            None => format!("{}", t.hard()),
        };
        line(&mut out, "Tolerance:", &words);
    }
    weights(&mut out, calculation);
    allowed(&mut out, calculation, notation);
    line(
        &mut out,
        "Verdict:",
        &verdict_words(verdict, calculation, prepared.findings()),
    );
    findings(&mut out, prepared.findings(), notation);
    provenance(&mut out, calculation);
    out
}

fn rule_words(regimen: &Regimen, notation: Notation) -> Vec<String> {
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
