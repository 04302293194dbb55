//! The 3+3 rule at the level of the last cohort, in two variants.
//!
//! **Standard** (celldose's reading of the classic rule):
//!
//! - fewer than 3 treated: stay;
//! - 3 treated: no DLT, escalate (at the top level: stop and recommend it); 1 DLT, treat 3 more;
//!   2 or more, stop and recommend the level below (none at level 1);
//! - 4 or 5 treated: 2 or more DLTs, stop as above (six cannot then have at most one); else stay
//!   to complete six;
//! - 6 treated: at most 1 DLT, escalate (top: stop, recommend it); 2 or more, stop and recommend
//!   the level below.
//!
//! The R package `escalation` differs in one place: with 2 DLTs in 4 or 5 patients it goes on
//! at the level to complete six, and decides only then. Both end at the same recommendation;
//! the standard variant stops as soon as the outcome is certain, treating no more patients at a
//! level already too toxic.
//!
//! **De-escalate** (Korn et al. 1994; the package's `allow_deescalate`): the maximum tolerated
//! dose must have 6 patients with at most 1 DLT. Where a level has 2 or more DLTs and the level
//! below has fewer than 6 patients, the next cohort is treated there to complete six; the MTD is
//! then the highest level with at most 1 DLT in 6.
//!
//! Either way a level holds at most 6 patients: more is refused as inconsistent with the design.

use super::{Decision, Outcomes, Step};
use crate::{Error, Result};

/// Which 3+3 rule a protocol follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Variant {
    /// Stop and recommend the level below once a level has 2 or more DLTs.
    #[default]
    Standard,
    /// Expand the level below to 6 before declaring it the maximum tolerated dose.
    DeEscalate,
}

impl Variant {
    /// As a protocol file and `--variant` write it: `standard` or `deescalate`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::DeEscalate => "deescalate",
        }
    }

    /// The variant named `text`.
    ///
    /// # Errors
    /// Any other name.
    pub fn parse(text: &str) -> Result<Self> {
        match text.trim() {
            "standard" => Ok(Self::Standard),
            "deescalate" => Ok(Self::DeEscalate),
            other => Err(Error::Malformed {
                what: "3+3 variant",
                input: other.to_owned(),
                reason: "accepted: standard or deescalate".into(),
            }),
        }
    }
}

/// The most patients a 3+3 level may hold.
const SIX: u32 = 6;

/// Refuses outcomes with more than six patients at a level.
pub(super) fn check_six(levels: u32, outcomes: &Outcomes) -> Result<()> {
    for level in 1..=levels {
        let (n, t) = outcomes.at(level);
        if n > SIX {
            return Err(Error::Malformed {
                what: "3+3 outcomes",
                input: format!("level {level}: {t} DLT in {n} treated"),
                reason: "a 3+3 level holds at most 6 patients (two cohorts of 3); more is inconsistent with the design".into(),
            });
        }
    }
    Ok(())
}

pub(super) fn decide(levels: u32, outcomes: &Outcomes, variant: Variant) -> Result<Decision> {
    check_six(levels, outcomes)?;
    Ok(match variant {
        Variant::Standard => standard(levels, outcomes),
        Variant::DeEscalate => de_escalating(levels, outcomes),
    })
}

fn first_cohort(eliminated: Vec<u32>) -> Decision {
    Decision {
        step: Step::Stay,
        current_level: None,
        next_level: Some(1),
        recommended_level: Some(1),
        eliminated,
        rule: "no cohort has been treated: the first cohort of 3 is treated at level 1".into(),
        figures: Vec::new(),
    }
}

fn standard(levels: u32, outcomes: &Outcomes) -> Decision {
    let eliminated = eliminated(levels, outcomes);
    let Some(current) = outcomes.current_level() else {
        return first_cohort(eliminated);
    };
    let (n, t) = outcomes.at(current);
    let figures = vec![format!("level {current}: {t} DLT in {n} treated")];
    // The rule stopped at the lowest level with two or more DLTs; outcomes recorded above it
    // change nothing, and the ladder ends below it.
    let lowest_out = eliminated.first().copied();
    if let Some(out) = lowest_out.filter(|out| current > *out) {
        let below = out.checked_sub(1).filter(|l| *l >= 1);
        let (n_out, t_out) = outcomes.at(out);
        return Decision {
            step: Step::Stop,
            current_level: Some(current),
            next_level: None,
            recommended_level: below,
            eliminated,
            rule: match below {
                Some(level) => format!(
                    "{t_out} of {n_out} with a DLT at level {out}: the rule stops there; stop, and recommend level {level}"
                ),
                None => format!(
                    "{t_out} of {n_out} with a DLT at level 1: the rule stops there; stop, and recommend no dose"
                ),
            },
            figures: vec![format!("level {out}: {t_out} DLT in {n_out} treated")],
        };
    }
    let levels = lowest_out.map_or(levels, |out| out.saturating_sub(1));
    let below = current.checked_sub(1).filter(|l| *l >= 1);
    let stop_below = |why: String| Decision {
        step: Step::Stop,
        current_level: Some(current),
        next_level: None,
        recommended_level: below,
        eliminated: eliminated.clone(),
        rule: match below {
            Some(level) => format!("{why}: stop, and recommend level {level}"),
            None => format!("{why} at the lowest level: stop, and recommend no dose"),
        },
        figures: figures.clone(),
    };
    let go_on = |step: Step, next: u32, rule: String| Decision {
        step,
        current_level: Some(current),
        next_level: Some(next),
        recommended_level: Some(next),
        eliminated: eliminated.clone(),
        rule,
        figures: figures.clone(),
    };
    let escalate = |why: &str| {
        if current >= levels {
            Decision {
                step: Step::Stop,
                current_level: Some(current),
                next_level: None,
                recommended_level: Some(current),
                eliminated: eliminated.clone(),
                rule: format!(
                    "{why} at the highest level open: stop, and recommend level {current}"
                ),
                figures: figures.clone(),
            }
        } else {
            let next = current.saturating_add(1);
            go_on(
                Step::Escalate,
                next,
                format!("{why}: escalate to level {next}"),
            )
        }
    };
    match (n, t) {
        (0..=2, _) => go_on(
            Step::Stay,
            current,
            format!("fewer than 3 treated at level {current}: stay to complete the cohort of 3"),
        ),
        (3, 0) => escalate("0 of 3 with a DLT"),
        (3, 1) => go_on(
            Step::Stay,
            current,
            format!("1 of 3 with a DLT: treat 3 more at level {current}"),
        ),
        (_, t) if t >= 2 => stop_below(format!("{t} of {n} with a DLT")),
        (4 | 5, _) => go_on(
            Step::Stay,
            current,
            format!("{t} of {n} with a DLT: stay to complete 6 at level {current}"),
        ),
        _ => escalate(&format!("{t} of {n} with a DLT")),
    }
}

/// The de-escalating variant: a level too toxic sends the next cohort to the level below until
/// it has six; the MTD is the highest level with at most 1 DLT in 6.
fn de_escalating(levels: u32, outcomes: &Outcomes) -> Decision {
    let eliminated = eliminated(levels, outcomes);
    let Some(current) = outcomes.current_level() else {
        return first_cohort(eliminated);
    };
    let (n, t) = outcomes.at(current);
    let figures: Vec<String> = (1..=levels)
        .filter_map(|level| {
            let (n, t) = outcomes.at(level);
            (n > 0).then(|| format!("level {level}: {t} DLT in {n} treated"))
        })
        .collect();
    let lowest_out = eliminated.first().copied();
    let open = lowest_out.map_or(levels, |out| out.saturating_sub(1));
    let decision =
        |step: Step, next: Option<u32>, recommended: Option<u32>, rule: String| Decision {
            step,
            current_level: Some(current),
            next_level: next,
            recommended_level: recommended,
            eliminated: eliminated.clone(),
            rule,
            figures: figures.clone(),
        };
    // The MTD, once found: the highest open level with at most 1 DLT in 6.
    let mtd = (1..=open).rev().find(|level| {
        let (n, t) = outcomes.at(*level);
        n == SIX && t <= 1
    });
    // The lowest level with 2 or more DLTs, at or below the current one: treat the level below
    // it until it has 6, then stop there.
    let too_toxic = lowest_out.filter(|out| current >= *out);
    if let Some(out) = too_toxic {
        let below = out.saturating_sub(1);
        if below == 0 {
            return decision(
                Step::Stop,
                None,
                None,
                "2 or more DLTs at level 1: stop, and recommend no dose".into(),
            );
        }
        let (n_below, t_below) = outcomes.at(below);
        if n_below < SIX && t_below <= 1 {
            return decision(
                Step::DeEscalate,
                Some(below),
                Some(below),
                format!(
                    "level {out} has 2 or more DLTs and level {below} has {n_below} patients: de-escalate to level {below} to complete 6 there (3+3 with de-escalation)"
                ),
            );
        }
        return match mtd {
            Some(level) => decision(
                Step::Stop,
                None,
                Some(level),
                format!(
                    "stop: level {level} has at most 1 DLT in 6, the highest such below level {out}; it is the maximum tolerated dose"
                ),
            ),
            None => decision(
                Step::Stop,
                None,
                None,
                format!("stop: no level below {out} has at most 1 DLT in 6; recommend no dose"),
            ),
        };
    }
    match (n, t) {
        (0..=2, _) => decision(
            Step::Stay,
            Some(current),
            Some(current),
            format!("fewer than 3 treated at level {current}: stay to complete the cohort of 3"),
        ),
        (3, 0) if current < open && outcomes.at(current.saturating_add(1)).0 == 0 => {
            let next = current.saturating_add(1);
            decision(
                Step::Escalate,
                Some(next),
                Some(next),
                format!("0 of 3 with a DLT: escalate to level {next}"),
            )
        }
        (6, _) if current < open && outcomes.at(current.saturating_add(1)).0 == 0 => {
            let next = current.saturating_add(1);
            decision(
                Step::Escalate,
                Some(next),
                Some(next),
                format!("{t} of 6 with a DLT: escalate to level {next}"),
            )
        }
        (6, _) => decision(
            Step::Stop,
            None,
            Some(current),
            format!(
                "{t} of 6 with a DLT at level {current}, the highest level open or tried: stop; it is the maximum tolerated dose"
            ),
        ),
        _ => decision(
            Step::Stay,
            Some(current),
            Some(current),
            format!(
                "{t} of {n} with a DLT: treat 3 more at level {current}, to complete 6 (the maximum tolerated dose needs 6)"
            ),
        ),
    }
}

/// Levels closed by 3+3: from the lowest level with 2 or more DLTs in 3 or more treated, up.
fn eliminated(levels: u32, outcomes: &Outcomes) -> Vec<u32> {
    let lowest = (1..=levels).find(|level| {
        let (n, t) = outcomes.at(*level);
        n >= 3 && t >= 2
    });
    lowest.map_or_else(Vec::new, |lowest| (lowest..=levels).collect())
}
