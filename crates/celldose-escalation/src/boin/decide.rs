//! What BOIN recommends for the next cohort: the levels eliminated, then escalate, stay or
//! de-escalate at the current level.

// Big integers and rationals cannot overflow, and every denominator here is a product of rates
// that `Boin::with` holds strictly between 0 and 1, or a count of at least one.
#![allow(clippy::arithmetic_side_effects)]

use num_bigint::BigInt;
use num_rational::Ratio;

use super::{Boin, decimal_of, rate_words};
use crate::{Decision, Outcomes, Result, Step};

impl Boin {
    /// The lowest eliminated level, where any is.
    pub(super) fn lowest_eliminated(&self, levels: u32, outcomes: &Outcomes) -> Option<u32> {
        (1..=levels).find(|level| {
            let (n, t) = outcomes.at(*level);
            self.eliminates(n, t, *level == 1)
        })
    }

    pub(crate) fn decide(&self, levels: u32, outcomes: &Outcomes) -> Result<Decision> {
        let lowest_out = self.lowest_eliminated(levels, outcomes);
        let eliminated: Vec<u32> = lowest_out.map_or_else(Vec::new, |l| (l..=levels).collect());
        let words = format!(
            "BOIN, target {} (λe {}, λd {})",
            self.target,
            self.lambda_e(),
            self.lambda_d()
        );
        let Some(current) = outcomes.current_level() else {
            return Ok(Decision {
                step: Step::Stay,
                current_level: None,
                next_level: Some(1),
                recommended_level: Some(1),
                eliminated,
                rule: format!(
                    "{words}: no cohort has been treated; the first is treated at level 1"
                ),
                figures: Vec::new(),
            });
        };
        let (n, t) = outcomes.at(current);
        let mut figures = vec![format!(
            "level {current}: {t} DLT in {n} treated, observed rate {}",
            rate_words(n, t)
        )];
        if n >= 3 {
            let (sum, whole) = self.posterior_above_target(n, t);
            figures.push(format!(
                "level {current}: P(DLT rate > {} | data) = {} (eliminated above {})",
                self.target,
                decimal_of(&Ratio::new(BigInt::from(sum), BigInt::from(whole)), 4),
                self.cutoff_at(current == 1)
            ));
        }
        if lowest_out == Some(1) {
            return Ok(Decision {
                step: Step::Stop,
                current_level: Some(current),
                next_level: None,
                recommended_level: None,
                eliminated,
                rule: format!(
                    "{words}: level 1 is eliminated (P(DLT rate > {}) above {}{}): stop the trial; no dose is recommended",
                    self.target,
                    self.cutoff_at(true),
                    if self.extra_safe {
                        ", the extra-safe rule's cutoff at the lowest level"
                    } else {
                        ""
                    }
                ),
                figures,
            });
        }
        if let Some(max_n) = self.max_n
            && outcomes.total() >= max_n
        {
            let mut selected = self.select(levels, outcomes)?;
            selected.rule = format!(
                "{words}: the maximum sample size {max_n} is reached: stop; {}",
                selected.rule
            );
            selected.figures.splice(0..0, figures);
            return Ok(selected);
        }
        let decision = |step: Step, next: u32, rule: String| Decision {
            step,
            current_level: Some(current),
            next_level: Some(next),
            recommended_level: Some(next),
            eliminated: eliminated.clone(),
            rule: format!("{words}: {rule}"),
            figures: figures.clone(),
        };
        if let Some(out) = lowest_out
            && current >= out
        {
            let next = out.saturating_sub(1).max(1);
            return Ok(decision(
                Step::DeEscalate,
                next,
                format!("level {current} is eliminated: de-escalate to level {next}"),
            ));
        }
        let ceiling = lowest_out.map_or(levels, |l| l.saturating_sub(1));
        Ok(if self.escalates(n, t) {
            if current < ceiling {
                let next = current.saturating_add(1);
                decision(
                    Step::Escalate,
                    next,
                    format!("the observed rate is at most λe: escalate to level {next}"),
                )
            } else {
                decision(
                    Step::Stay,
                    current,
                    format!(
                        "the observed rate is at most λe, but level {current} is the highest open: stay"
                    ),
                )
            }
        } else if self.de_escalates(n, t) {
            if current > 1 {
                let next = current.saturating_sub(1);
                decision(
                    Step::DeEscalate,
                    next,
                    format!("the observed rate is at least λd: de-escalate to level {next}"),
                )
            } else {
                decision(
                    Step::Stay,
                    current,
                    "the observed rate is at least λd at the lowest level: stay".into(),
                )
            }
        } else {
            decision(
                Step::Stay,
                current,
                "the observed rate lies between λe and λd: stay".into(),
            )
        })
    }
}
