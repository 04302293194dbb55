//! The 3+3 rule, as the R package `escalation` implements it, at the level of the last cohort:
//!
//! - fewer than 3 treated: stay;
//! - 3 treated: no DLT, escalate (at the top level: stop and recommend it); 1 DLT, treat 3 more;
//!   2 or more, stop and recommend the level below (none at level 1);
//! - 4 or 5 treated: 2 or more DLTs, stop as above (six cannot then have at most one); else stay
//!   to complete six;
//! - 6 or more treated: at most 1 DLT, escalate (top: stop, recommend it); 2 or more, stop and
//!   recommend the level below.

use super::{Decision, Outcomes, Step};

pub(super) fn decide(levels: u32, outcomes: &Outcomes) -> Decision {
    let eliminated = eliminated(levels, outcomes);
    let Some(current) = outcomes.current_level() else {
        return Decision {
            step: Step::Stay,
            current_level: None,
            next_level: Some(1),
            recommended_level: Some(1),
            eliminated,
            rule: "no cohort has been treated: the first cohort of 3 is treated at level 1".into(),
            figures: Vec::new(),
        };
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

/// Levels closed by 3+3: from the lowest level with 2 or more DLTs in 3 or more treated, up.
fn eliminated(levels: u32, outcomes: &Outcomes) -> Vec<u32> {
    let lowest = (1..=levels).find(|level| {
        let (n, t) = outcomes.at(*level);
        n >= 3 && t >= 2
    });
    lowest.map_or_else(Vec::new, |lowest| (lowest..=levels).collect())
}
