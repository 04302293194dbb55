//! `celldose escalation`: what the escalation rule recommends, and BOIN's count table.

use celldose::escalation::{Boin, BoundaryRow, Decision, Design, Outcomes};
use celldose::{Catalogue, Regimen};
use serde::Serialize;

use crate::cli::{EscalationArgs, EscalationTable, Format};
use crate::request::Refusal;

fn decimal(what: &str, text: &str) -> Result<rust_decimal::Decimal, Refusal> {
    text.trim()
        .parse()
        .map_err(|_| Refusal(format!("{what}: {text:?} is not a decimal rate, as in 0.3")))
}

/// The design from the flags, where `--design` is given.
fn design_from_flags(args: &EscalationArgs) -> Result<Option<Design>, Refusal> {
    let boin_flags = args.target.is_some() || args.cohort_size.is_some() || args.max_n.is_some();
    match args.design.as_deref() {
        None if boin_flags => Err(Refusal(
            "--target, --cohort-size and --max-n describe a BOIN design: give --design boin".into(),
        )),
        None => Ok(None),
        Some("3+3") if boin_flags => Err(Refusal(
            "--design 3+3 takes no --target, --cohort-size or --max-n".into(),
        )),
        Some("3+3") => Ok(Some(Design::ThreePlusThree)),
        Some("boin") => {
            let target = args
                .target
                .as_deref()
                .ok_or_else(|| Refusal("--design boin needs --target, as in 0.3".into()))?;
            let boin = Boin::with(
                decimal("--target", target)?,
                None,
                None,
                args.cohort_size.unwrap_or(3),
                args.max_n,
                None,
                false,
            )?;
            Ok(Some(Design::Boin(boin)))
        }
        Some(other) => Err(Refusal(format!(
            "--design: {:?} is not a design; accepted: 3+3 or boin",
            celldose::text::Shown(other).to_string()
        ))),
    }
}

/// What the command decides over: the design, the ladder, the outcomes and where they came from.
struct Setting<'a> {
    protocol: Option<&'a str>,
    /// The highest level the trial state records as opened, where the ladder is opened by level
    /// (none known otherwise).
    opened: Option<u32>,
    regimen: Option<&'a Regimen>,
    design: Design,
    levels: u32,
    outcomes: Outcomes,
    source: String,
}

fn setting<'a>(
    args: &EscalationArgs,
    catalogue: Option<&'a Catalogue>,
) -> Result<Setting<'a>, Refusal> {
    let flagged = design_from_flags(args)?;
    match (&args.protocol, catalogue) {
        (Some(id), Some(catalogue)) => {
            let protocol = catalogue.find(id)?;
            let regimens: Vec<&Regimen> = match &args.arm {
                Some(arm) => vec![
                    protocol
                        .arm(arm)
                        .ok_or_else(|| {
                            Refusal(format!(
                                "--arm: protocol {} has no arm {:?}",
                                protocol.id(),
                                celldose::text::Shown(arm).to_string()
                            ))
                        })?
                        .regimen(),
                ],
                None => protocol.arms().iter().map(|a| a.regimen()).collect(),
            };
            let regimen = regimens
                .into_iter()
                .find(|r| r.escalation().is_some())
                .ok_or_else(|| Refusal(format!("protocol {} has no escalation", protocol.id())))?;
            let named = regimen.escalation().and_then(|e| e.design()).cloned();
            let design = match (named, flagged) {
                (Some(named), None) => named,
                (None, Some(flagged)) => flagged,
                (Some(named), Some(flagged)) if named == flagged => named,
                (Some(named), Some(_)) => {
                    return Err(Refusal(format!(
                        "protocol {} names its design ({}); --design must not say otherwise",
                        protocol.id(),
                        named.name()
                    )));
                }
                (None, None) => {
                    return Err(Refusal(format!(
                        "protocol {} names no escalation design; give --design 3+3 or --design boin --target RATE",
                        protocol.id()
                    )));
                }
            };
            let levels = regimen
                .levels()
                .iter()
                .map(|l| l.number())
                .max()
                .unwrap_or(0);
            let (outcomes, source, opened) = match catalogue.trial_state() {
                Some(state) => {
                    let openings: Vec<celldose::Step> = state
                        .openings_for(protocol.id())
                        .map(|o| o.step())
                        .collect();
                    let by_level = openings
                        .iter()
                        .all(|step| matches!(step, celldose::Step::Level(_)));
                    let start = regimen.escalation().map_or(1, |e| e.start_level());
                    let highest = openings
                        .iter()
                        .filter_map(|step| match step {
                            celldose::Step::Level(level) => Some(*level),
                            _ => None,
                        })
                        .fold(start, u32::max);
                    (
                        state.outcomes_for(protocol.id())?,
                        format!("trial state sha256 {}", state.sha256()),
                        by_level.then_some(highest),
                    )
                }
                None => {
                    return Err(Refusal(
                        "escalation --protocol reads the cohort outcomes from the trial state file: give --trial-state FILE".into(),
                    ));
                }
            };
            Ok(Setting {
                protocol: Some(protocol.id()),
                opened,
                regimen: Some(regimen),
                design,
                levels,
                outcomes,
                source,
            })
        }
        (Some(_), None) => Err(Refusal("the protocols could not be loaded".into())),
        (None, _) => {
            let design = flagged.ok_or_else(|| {
                Refusal(
                    "give --protocol ID (with --trial-state FILE), or --design, --levels and --outcomes"
                        .into(),
                )
            })?;
            let (Some(levels), Some(outcomes)) = (args.levels, args.outcomes.as_deref()) else {
                return Err(Refusal(
                    "without --protocol, give --levels N and --outcomes '1NNN 2NTN'".into(),
                ));
            };
            if !(1..=100).contains(&levels) {
                return Err(Refusal(format!("--levels: {levels} is not 1 to 100")));
            }
            Ok(Setting {
                protocol: None,
                opened: None,
                regimen: None,
                design,
                levels,
                outcomes: outcomes.parse()?,
                source: "--outcomes".into(),
            })
        }
    }
}

#[derive(Serialize)]
struct DecisionJson<'a> {
    protocol: Option<&'a str>,
    design: &'static str,
    target: Option<String>,
    levels: u32,
    outcomes: String,
    outcomes_from: &'a str,
    #[serde(rename = "final")]
    final_selection: bool,
    decision: &'static str,
    current_level: Option<u32>,
    next_level: Option<u32>,
    next_level_opened: Option<bool>,
    recommended_level: Option<u32>,
    eliminated_levels: &'a [u32],
    rule: &'a str,
    figures: &'a [String],
}

/// `celldose escalation`: the text or JSON of the decision.
pub fn run(args: &EscalationArgs, catalogue: Option<&Catalogue>) -> Result<String, Refusal> {
    if let Some(EscalationTable::Boundaries {
        design,
        target,
        cohort_size,
        max_n,
        output,
    }) = &args.table
    {
        return boundaries(design, target, *cohort_size, *max_n, output.format);
    }
    if args.output.format == Format::Fhir {
        return Err(crate::fhir::not_here("escalation"));
    }
    let setting = setting(args, catalogue)?;
    let decision = if args.final_selection {
        setting.design.select(setting.levels, &setting.outcomes)?
    } else {
        setting.design.decide(setting.levels, &setting.outcomes)?
    };
    Ok(match args.output.format {
        Format::Json => {
            let json = DecisionJson {
                protocol: setting.protocol,
                design: setting.design.name(),
                target: match &setting.design {
                    Design::Boin(boin) => Some(boin.target().to_string()),
                    _ => None,
                },
                levels: setting.levels,
                outcomes: setting.outcomes.to_string(),
                outcomes_from: &setting.source,
                final_selection: args.final_selection,
                decision: decision.step().as_str(),
                current_level: decision.current_level(),
                next_level: decision.next_level(),
                next_level_opened: decision
                    .next_level()
                    .zip(setting.opened)
                    .map(|(next, opened)| next <= opened),
                recommended_level: decision.recommended_level(),
                eliminated_levels: decision.eliminated_levels(),
                rule: decision.rule(),
                figures: decision.figures(),
            };
            let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
            text.push('\n');
            text
        }
        _ => text(&setting, &decision, args.final_selection),
    })
}

fn level_words(regimen: Option<&Regimen>, level: u32) -> String {
    match regimen.and_then(|r| r.level(level)) {
        Some(l) => format!(
            "level {level}, {}",
            celldose::regimen::describe_dose(l.dose(), celldose::human::Notation::Unicode)
        ),
        None => format!("level {level}"),
    }
}

fn text(setting: &Setting<'_>, decision: &Decision, final_selection: bool) -> String {
    let design = match &setting.design {
        Design::Boin(boin) => format!("BOIN, target {}", boin.target()),
        other => other.name().to_owned(),
    };
    let mut out = format!(
        "{}{design}, {} levels\n",
        setting
            .protocol
            .map(|p| format!("{p}, "))
            .unwrap_or_default(),
        setting.levels
    );
    let outcomes = setting.outcomes.to_string();
    out.push_str(&format!(
        "  Outcomes:        {} (from {})\n",
        if outcomes.is_empty() {
            "none yet"
        } else {
            &outcomes
        },
        setting.source
    ));
    let headline = match (decision.step().as_str(), decision.next_level()) {
        (step, Some(next)) => format!(
            "{}: treat the next cohort at {}",
            step.to_uppercase(),
            level_words(setting.regimen, next)
        ),
        (_, None) => "STOP the trial".to_owned(),
    };
    if final_selection {
        out.push_str("  Selection:       at the end of the trial\n");
    } else {
        out.push_str(&format!("  Decision:        {headline}\n"));
    }
    if let (Some(next), Some(opened)) = (decision.next_level(), setting.opened) {
        out.push_str(&if next <= opened {
            format!("  Trial state:     level {next} is opened (the highest opened is level {opened})\n")
        } else {
            format!(
                "  Trial state:     level {next} is NOT opened yet (the highest opened is level {opened}); opening it is a decision to record in the trial state file first\n"
            )
        });
    }
    out.push_str(&format!(
        "  Recommended:     {}\n",
        decision
            .recommended_level()
            .map_or_else(|| "no dose".to_owned(), |l| level_words(setting.regimen, l))
    ));
    let eliminated = decision.eliminated_levels();
    out.push_str(&format!(
        "  Eliminated:      {}\n",
        if eliminated.is_empty() {
            "none".to_owned()
        } else {
            eliminated
                .iter()
                .map(|l| format!("level {l}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    ));
    out.push_str(&format!("  Rule:            {}\n", decision.rule()));
    for (i, figure) in decision.figures().iter().enumerate() {
        let label = if i == 0 { "Figures:" } else { "" };
        out.push_str(&format!("  {label:<17}{figure}\n"));
    }
    out.push_str(
        "  celldose recommends only: opening a level is a decision recorded in the trial state file.\n",
    );
    out
}

#[derive(Serialize)]
struct BoundariesJson {
    design: &'static str,
    target: String,
    cohort_size: u32,
    lambda_e: String,
    lambda_d: String,
    n: Vec<u32>,
    escalate_at_most: Vec<u32>,
    de_escalate_at_least: Vec<Option<u32>>,
    eliminate_at_least: Vec<Option<u32>>,
}

fn boundaries(
    design: &str,
    target: &str,
    cohort_size: u32,
    max_n: u32,
    format: Format,
) -> Result<String, Refusal> {
    if design != "boin" {
        return Err(Refusal(
            "escalation boundaries: only --design boin has a count table".into(),
        ));
    }
    let boin = Boin::with(
        decimal("--target", target)?,
        None,
        None,
        cohort_size,
        Some(max_n),
        None,
        false,
    )?;
    let rows: Vec<BoundaryRow> = boin.boundaries(max_n);
    let na = |v: Option<u32>| v.map_or_else(|| "NA".to_owned(), |v| v.to_string());
    Ok(match format {
        Format::Json => {
            let json = BoundariesJson {
                design: "boin",
                target: boin.target().to_string(),
                cohort_size,
                lambda_e: boin.lambda_e().to_string(),
                lambda_d: boin.lambda_d().to_string(),
                n: rows.iter().map(|r| r.n).collect(),
                escalate_at_most: rows.iter().map(|r| r.escalate_at_most).collect(),
                de_escalate_at_least: rows.iter().map(|r| r.de_escalate_at_least).collect(),
                eliminate_at_least: rows.iter().map(|r| r.eliminate_at_least).collect(),
            };
            let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
            text.push('\n');
            text
        }
        Format::Fhir => return Err(crate::fhir::not_here("escalation boundaries")),
        Format::Text => {
            let width = rows
                .iter()
                .map(|r| r.n.to_string().len())
                .max()
                .unwrap_or(2)
                .max(2);
            let line = |label: &str, cells: Vec<String>| {
                let cells: Vec<String> = cells.iter().map(|c| format!("{c:>width$}")).collect();
                format!("{label:<32}{}\n", cells.join(" "))
            };
            let mut out = format!(
                "BOIN, target DLT rate {} (φ1 {}, φ2 {}), cohorts of {cohort_size}: λe = {}, λd = {}\n",
                boin.target(),
                boin.phi1(),
                boin.phi2(),
                boin.lambda_e(),
                boin.lambda_d()
            );
            out.push_str(&line(
                "Number of patients treated",
                rows.iter().map(|r| r.n.to_string()).collect(),
            ));
            out.push_str(&line(
                "Escalate if # of DLT <=",
                rows.iter()
                    .map(|r| r.escalate_at_most.to_string())
                    .collect(),
            ));
            out.push_str(&line(
                "De-escalate if # of DLT >=",
                rows.iter().map(|r| na(r.de_escalate_at_least)).collect(),
            ));
            out.push_str(&line(
                "Eliminate if # of DLT >=",
                rows.iter().map(|r| na(r.eliminate_at_least)).collect(),
            ));
            out.push_str("NA: no count up to that number treated. Counts compared exactly; see docs/escalation.md.\n");
            out
        }
    })
}
