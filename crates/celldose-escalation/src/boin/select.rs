//! The dose BOIN selects at the end of a trial, as `BOIN::select.mtd` selects it: the estimates
//! made non-decreasing by weighted pool-adjacent-violators, then the one closest to the target.

// Big integers and rationals cannot overflow, and every denominator here is a product of rates
// that `Boin::with` holds strictly between 0 and 1, or a count of at least one.
#![allow(clippy::arithmetic_side_effects)]

use num_bigint::BigInt;
use num_traits::One;

use super::{Boin, Q, decimal_of, q};
use crate::{Decision, Outcomes, Result, Step};

impl Boin {
    /// The maximum tolerated dose at the end, as `BOIN::select.mtd` selects it: over the levels
    /// tried below any eliminated one, the estimates (y + 0.05) / (n + 0.1) made non-decreasing
    /// by pool-adjacent-violators weighted by 1 / var, var = (y + 0.05)(n − y + 0.05) /
    /// ((n + 0.1)²(n + 1.1)); each raised by its position × 10⁻¹⁰; the level whose estimate is
    /// closest to the target, the first in order on a tie.
    ///
    /// ```
    /// use celldose_escalation::{Design, Boin};
    /// // 1NNN 2TTN 3NNN at target 0.3: the package selects level 3 (weighting by n would give 2).
    /// let design = Design::Boin(Boin::new("0.3".parse()?)?);
    /// let decision = design.select(3, &"1NNN 2TTN 3NNN".parse()?)?;
    /// assert_eq!(decision.recommended_level(), Some(3));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub(crate) fn select(&self, levels: u32, outcomes: &Outcomes) -> Result<Decision> {
        let lowest_out = self.lowest_eliminated(levels, outcomes);
        let eliminated: Vec<u32> = lowest_out.map_or_else(Vec::new, |l| (l..=levels).collect());
        let open = lowest_out.map_or(levels, |l| l.saturating_sub(1));
        let tried: Vec<(u32, u32, u32)> = (1..=open)
            .filter_map(|level| {
                let (n, t) = outcomes.at(level);
                (n > 0).then_some((level, n, t))
            })
            .collect();
        let estimates = isotonic(&tried);
        let figures: Vec<String> = tried
            .iter()
            .zip(&estimates)
            .map(|((level, n, t), estimate)| {
                format!(
                    "level {level}: {t} DLT in {n} treated, isotonic estimate {}",
                    decimal_of(estimate, 4)
                )
            })
            .collect();
        let target = q(self.target);
        let nudge = Q::new(BigInt::one(), num_traits::pow(BigInt::from(10), 10));
        let mut best: Option<(u32, Q)> = None;
        for (position, ((level, _, _), estimate)) in tried.iter().zip(&estimates).enumerate() {
            let raised = estimate + &nudge * Q::from_integer(BigInt::from(position + 1));
            let distance = if raised >= target {
                &raised - &target
            } else {
                &target - &raised
            };
            if best.as_ref().is_none_or(|(_, best)| distance < *best) {
                best = Some((*level, distance));
            }
        }
        let recommended = best.map(|(level, _)| level);
        Ok(Decision {
            step: Step::Stop,
            current_level: outcomes.current_level(),
            next_level: None,
            recommended_level: recommended,
            eliminated,
            rule: match recommended {
                Some(level) => format!(
                    "the maximum tolerated dose is level {level}, whose isotonic DLT estimate is closest to the target {} (as BOIN::select.mtd selects it)",
                    self.target
                ),
                None if lowest_out == Some(1) => {
                    "level 1 is eliminated: no dose is selected".to_owned()
                }
                None => "no open level has been tried: no dose is selected".to_owned(),
            },
            figures,
        })
    }
}

/// Pool-adjacent-violators over (level, n, y): the estimates (y + 0.05) / (n + 0.1) made
/// non-decreasing, each block the average of its levels' estimates weighted by the inverse of
/// their variance, (y + 0.05)(n − y + 0.05) / ((n + 0.1)²(n + 1.1)).
pub(super) fn isotonic(tried: &[(u32, u32, u32)]) -> Vec<Q> {
    let q_of = |whole: u32, twentieths: i64| {
        Q::new(
            BigInt::from(whole) * 20 + BigInt::from(twentieths),
            BigInt::from(20),
        )
    };
    // Blocks of (Σ weight × estimate, Σ weight, levels in the block).
    let mut blocks: Vec<(Q, Q, usize)> = Vec::new();
    for (_, n, y) in tried {
        let (n, y) = (*n, *y);
        let estimate = q_of(y, 1) / q_of(n, 2);
        let variance =
            q_of(y, 1) * q_of(n.saturating_sub(y), 1) / (q_of(n, 2) * q_of(n, 2) * q_of(n, 22));
        let weight = Q::one() / variance;
        blocks.push((&estimate * &weight, weight, 1));
        while blocks.len() >= 2 {
            let last = blocks.len().saturating_sub(1);
            let (Some(b), Some(a)) = (blocks.get(last), blocks.get(last.saturating_sub(1))) else {
                break;
            };
            // a's value above b's: pool them.
            if &a.0 / &a.1 > &b.0 / &b.1 {
                let merged = (&a.0 + &b.0, &a.1 + &b.1, a.2.saturating_add(b.2));
                blocks.truncate(last.saturating_sub(1));
                blocks.push(merged);
            } else {
                break;
            }
        }
    }
    blocks
        .into_iter()
        .flat_map(|(weighted, weight, count)| std::iter::repeat_n(weighted / weight, count))
        .collect()
}
