//! One escalation question answered in full: the design, the ladder and the outcomes it decides
//! on (from a protocol and its trial state, or given), the decision, whether the next level is
//! opened in the trial state, and the words the command line and the page both show.

#[cfg(feature = "report")]
use serde::Serialize;

use super::{Decision, Design, Outcomes, Variant};
use crate::error::{Error, Result};
use crate::refusal::Refusal;
use crate::regimen::{Catalogue, Regimen, Step as Opened};

/// A decision with everything it was made from.
///
/// ```
/// use celldose::escalation::{Assessment, Boin, Design};
/// let boin = Design::Boin(Boin::new("0.3".parse()?)?);
/// let assessment = Assessment::of_outcomes(boin, 4, "1NNN".parse()?, false)?;
/// assert!(assessment.text().contains("ESCALATE: treat the next cohort at level 2"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Assessment<'c> {
    protocol: Option<&'c str>,
    /// The highest level the trial state records as opened, where the ladder is opened by
    /// level (none known otherwise).
    opened: Option<u32>,
    regimen: Option<&'c Regimen>,
    design: Design,
    levels: u32,
    outcomes: Outcomes,
    source: String,
    final_selection: bool,
    decision: Decision,
}

/// The JSON `celldose escalation --format json` writes.
#[cfg(feature = "report")]
#[derive(Serialize)]
struct AssessmentJson<'a> {
    protocol: Option<&'a str>,
    design: &'static str,
    variant: Option<&'static str>,
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

impl<'c> Assessment<'c> {
    /// The decision for `protocol` (its escalating regimen, or `arm`'s) from the outcomes in
    /// the catalogue's trial state, by the protocol's own design or `design` where it names none.
    ///
    /// # Errors
    /// An unknown protocol or arm; a protocol without escalation; no design (or one that
    /// contradicts the protocol's); no trial state; outcomes the design cannot decide on.
    pub fn of_protocol(
        catalogue: &'c Catalogue,
        protocol: &str,
        arm: Option<&str>,
        design: Option<Design>,
        final_selection: bool,
    ) -> Result<Self> {
        let protocol = catalogue.find(protocol)?;
        let regimens: Vec<&Regimen> = match arm {
            Some(arm) => vec![
                protocol
                    .arm(arm)
                    .ok_or_else(|| Error::UnknownArm {
                        protocol: protocol.id().to_owned(),
                        input: arm.to_owned(),
                        known: protocol
                            .arms()
                            .iter()
                            .map(|a| a.id())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })?
                    .regimen(),
            ],
            None => protocol.arms().iter().map(|a| a.regimen()).collect(),
        };
        let regimen = regimens
            .into_iter()
            .find(|r| r.escalation().is_some())
            .ok_or_else(|| {
                Error::from(Refusal::NoEscalation {
                    protocol: protocol.id().to_owned(),
                })
            })?;
        let named = regimen.escalation().and_then(|e| e.design()).cloned();
        let design = match (named, design) {
            (Some(named), None) => named,
            (None, Some(given)) => given,
            (Some(named), Some(given)) if named == given => named,
            (Some(named), Some(_)) => {
                return Err(Refusal::DesignContradicts {
                    protocol: protocol.id().to_owned(),
                    named: named.name().to_owned(),
                }
                .into());
            }
            (None, None) => {
                return Err(Refusal::DesignRequired {
                    protocol: protocol.id().to_owned(),
                }
                .into());
            }
        };
        let levels = regimen
            .levels()
            .iter()
            .map(|l| l.number())
            .max()
            .unwrap_or(0);
        let Some(state) = catalogue.trial_state() else {
            return Err(Refusal::OutcomesNeedTrialState.into());
        };
        let openings: Vec<Opened> = state
            .openings_for(protocol.id())
            .map(|o| o.step())
            .collect();
        let by_level = openings.iter().all(|step| matches!(step, Opened::Level(_)));
        let start = regimen.escalation().map_or(1, |e| e.start_level());
        let highest = openings
            .iter()
            .filter_map(|step| match step {
                Opened::Level(level) => Some(*level),
                _ => None,
            })
            .fold(start, u32::max);
        let outcomes = state.outcomes_for(protocol.id())?;
        let decision = decide(&design, levels, &outcomes, final_selection)?;
        Ok(Self {
            protocol: Some(protocol.id()),
            opened: by_level.then_some(highest),
            regimen: Some(regimen),
            design,
            levels,
            outcomes,
            source: format!("trial state sha256 {}", state.sha256()),
            final_selection,
            decision,
        })
    }

    /// The decision for a ladder of `levels` levels and the `outcomes` given.
    ///
    /// # Errors
    /// A ladder of more than 100 levels; outcomes the design cannot decide on.
    ///
    /// See [`Assessment`].
    pub fn of_outcomes(
        design: Design,
        levels: u32,
        outcomes: Outcomes,
        final_selection: bool,
    ) -> Result<Self> {
        if !(1..=100).contains(&levels) {
            return Err(Error::OutOfRange {
                what: "levels",
                value: levels.to_string(),
                problem: "not accepted".into(),
                accepted: "1 to 100".into(),
            });
        }
        let decision = decide(&design, levels, &outcomes, final_selection)?;
        Ok(Self {
            protocol: None,
            opened: None,
            regimen: None,
            design,
            levels,
            outcomes,
            source: "--outcomes".into(),
            final_selection,
            decision,
        })
    }

    /// The decision.
    pub fn decision(&self) -> &Decision {
        &self.decision
    }

    /// The design decided by.
    pub fn design(&self) -> &Design {
        &self.design
    }

    /// Whether the trial state records the next level as opened; `None` where that is not known
    /// (no protocol, a ladder opened by dose) or there is no next level.
    pub fn next_level_opened(&self) -> Option<bool> {
        self.decision
            .next_level()
            .zip(self.opened)
            .map(|(next, opened)| next <= opened)
    }

    /// The JSON `--format json` writes, pretty-printed.
    #[cfg(feature = "report")]
    pub fn json(&self) -> String {
        let decision = &self.decision;
        let json = AssessmentJson {
            protocol: self.protocol,
            design: self.design.name(),
            variant: self.design.variant().map(Variant::as_str),
            target: match &self.design {
                Design::Boin(boin) => Some(boin.target().to_string()),
                _ => None,
            },
            levels: self.levels,
            outcomes: self.outcomes.to_string(),
            outcomes_from: &self.source,
            final_selection: self.final_selection,
            decision: decision.step().as_str(),
            current_level: decision.current_level(),
            next_level: decision.next_level(),
            next_level_opened: self.next_level_opened(),
            recommended_level: decision.recommended_level(),
            eliminated_levels: decision.eliminated_levels(),
            rule: decision.rule(),
            figures: decision.figures(),
        };
        let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
        text.push('\n');
        text
    }

    fn level_words(&self, level: u32) -> String {
        match self.regimen.and_then(|r| r.level(level)) {
            Some(l) => format!(
                "level {level}, {}",
                crate::regimen::describe_dose(l.dose(), crate::human::Notation::Unicode)
            ),
            None => format!("level {level}"),
        }
    }

    /// The decision in words, as `celldose escalation` prints it and the page shows it.
    pub fn text(&self) -> String {
        let decision = &self.decision;
        let design = match &self.design {
            Design::Boin(boin) => format!("BOIN, target {}", boin.target()),
            Design::ThreePlusThree(variant) if *variant != Variant::Standard => {
                format!("3+3 ({})", variant.as_str())
            }
            other => other.name().to_owned(),
        };
        let mut out = format!(
            "{}{design}, {} levels\n",
            self.protocol.map(|p| format!("{p}, ")).unwrap_or_default(),
            self.levels
        );
        let outcomes = self.outcomes.to_string();
        out.push_str(&format!(
            "  Outcomes:        {} (from {})\n",
            if outcomes.is_empty() {
                "none yet"
            } else {
                &outcomes
            },
            self.source
        ));
        let headline = match (decision.step().as_str(), decision.next_level()) {
            (step, Some(next)) => format!(
                "{}: treat the next cohort at {}",
                step.to_uppercase(),
                self.level_words(next)
            ),
            (_, None) => "STOP the trial".to_owned(),
        };
        if self.final_selection {
            out.push_str("  Selection:       at the end of the trial\n");
        } else {
            out.push_str(&format!("  Decision:        {headline}\n"));
        }
        if let (Some(next), Some(opened)) = (decision.next_level(), self.opened) {
            out.push_str(&if next <= opened {
                format!(
                    "  Trial state:     level {next} is opened (the highest opened is level {opened})\n"
                )
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
                .map_or_else(|| "no dose".to_owned(), |l| self.level_words(l))
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
}

fn decide(
    design: &Design,
    levels: u32,
    outcomes: &Outcomes,
    final_selection: bool,
) -> Result<Decision> {
    Ok(if final_selection {
        design.select(levels, outcomes)?
    } else {
        design.decide(levels, outcomes)?
    })
}
