//! BOIN, the Bayesian optimal interval design (Liu & Yuan, 2015), decided with exact arithmetic.
//!
//! With a target DLT rate φ and the rates φ1 (default 0.6φ) and φ2 (default 1.4φ), BOIN
//! escalates while the observed rate t/n at the current level is at most
//! λe = ln((1−φ1)/(1−φ)) / ln(φ(1−φ1)/(φ1(1−φ))), de-escalates when it is at least
//! λd = ln((1−φ)/(1−φ2)) / ln(φ2(1−φ)/(φ(1−φ2))), and otherwise stays. Writing λe = ln A / ln B
//! (A, B > 1), t/n ≤ λe is t·ln B ≤ n·ln A, which is Bᵗ ≤ Aⁿ: a comparison of two rationals,
//! made exactly with big integers. Likewise t/n ≥ λd is Dᵗ ≥ Cⁿ. The logarithms are worked out
//! only to print λe and λd.
//!
//! A level is eliminated, with every level above it, when at least 3 patients were treated there
//! and P(p > φ | data) > 0.95 under a Beta(1, 1) prior. With t DLTs in n patients the posterior
//! is Beta(t + 1, n − t + 1), and for whole parameters P(p > φ) = P(Binomial(n + 1, φ) ≤ t), a
//! finite sum of rationals; it is compared with the cutoff exactly.

// Big integers and rationals cannot overflow, and every denominator here is a product of rates
// that `Boin::with` holds strictly between 0 and 1, or a count of at least one.
#![allow(clippy::arithmetic_side_effects)]

use num_bigint::BigInt;
use num_rational::Ratio;
use num_traits::{One, Zero};
use rust_decimal::{Decimal, MathematicalOps};

use super::{Decision, Outcomes, Step, bad_parameter};
use crate::error::Result;

type Q = Ratio<BigInt>;

/// A BOIN design's parameters.
///
/// ```
/// use celldose::escalation::Boin;
/// let boin = Boin::new("0.3".parse()?)?;
/// assert_eq!(boin.lambda_e().to_string(), "0.2365");
/// assert_eq!(boin.lambda_d().to_string(), "0.3585");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Boin {
    target: Decimal,
    phi1: Decimal,
    phi2: Decimal,
    cohort_size: u32,
    max_n: Option<u32>,
    cutoff: Decimal,
    extra_safe: bool,
}

/// One row of BOIN's count table: for `n` treated at a level, escalate when the DLTs are at
/// most `escalate_at_most`, de-escalate when at least `de_escalate_at_least`, eliminate when
/// at least `eliminate_at_least` (none where no count up to `n` does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BoundaryRow {
    /// Patients treated at the level.
    pub n: u32,
    /// Escalate when the DLTs are at most this.
    pub escalate_at_most: u32,
    /// De-escalate when the DLTs are at least this.
    pub de_escalate_at_least: Option<u32>,
    /// Eliminate the level (and those above) when the DLTs are at least this.
    pub eliminate_at_least: Option<u32>,
}

fn q(value: Decimal) -> Q {
    let scale = value.scale();
    Ratio::new(
        BigInt::from(value.mantissa()),
        num_traits::pow(BigInt::from(10), usize::try_from(scale).unwrap_or(0)),
    )
}

fn pow(base: &Q, exponent: u32) -> Q {
    num_traits::pow(base.clone(), usize::try_from(exponent).unwrap_or(0))
}

/// The rate φ·k/10 rounded to no more places than φ has plus one: 0.6 × 0.3 = 0.18.
fn scaled(target: Decimal, tenths: i64) -> Decimal {
    target
        .checked_mul(Decimal::new(tenths, 1))
        .unwrap_or_default()
        .normalize()
}

impl Boin {
    /// A design with target DLT rate `target` and every other parameter at its default:
    /// φ1 = 0.6φ, φ2 = 1.4φ, cohorts of 3, no maximum sample size, elimination cutoff 0.95,
    /// no extra-safe rule at the lowest level.
    ///
    /// # Errors
    /// A target not strictly between 0 and 1, or whose φ2 would reach 1.
    pub fn new(target: Decimal) -> Result<Self> {
        Self::with(target, None, None, 3, None, None, false)
    }

    /// A design with every parameter given (`None` for a default).
    ///
    /// # Errors
    /// Unless 0 < φ1 < φ < φ2 < 1, 1 ≤ cohort size ≤ 100, the cohort size ≤ the maximum
    /// sample size ≤ 1,000, and 0.5 < cutoff < 1.
    pub fn with(
        target: Decimal,
        phi1: Option<Decimal>,
        phi2: Option<Decimal>,
        cohort_size: u32,
        max_n: Option<u32>,
        cutoff: Option<Decimal>,
        extra_safe: bool,
    ) -> Result<Self> {
        let phi1 = phi1.unwrap_or_else(|| scaled(target, 6));
        let phi2 = phi2.unwrap_or_else(|| scaled(target, 14));
        let cutoff = cutoff.unwrap_or_else(|| Decimal::new(95, 2));
        if !(Decimal::ZERO < phi1 && phi1 < target && target < phi2 && phi2 < Decimal::ONE) {
            return Err(bad_parameter(
                "BOIN rates",
                format!("φ1 {phi1}, φ {target}, φ2 {phi2}"),
                "0 < φ1 < φ < φ2 < 1 (by default φ1 = 0.6φ and φ2 = 1.4φ)",
            ));
        }
        if !(1..=100).contains(&cohort_size) {
            return Err(bad_parameter(
                "BOIN cohort size",
                cohort_size.to_string(),
                "1 to 100",
            ));
        }
        if let Some(max_n) = max_n
            && !(cohort_size..=1_000).contains(&max_n)
        {
            return Err(bad_parameter(
                "BOIN maximum sample size",
                max_n.to_string(),
                "from the cohort size to 1,000",
            ));
        }
        if !(Decimal::new(5, 1) < cutoff && cutoff < Decimal::ONE) {
            return Err(bad_parameter(
                "BOIN elimination cutoff",
                cutoff.to_string(),
                "above 0.5 and below 1 (0.95 by default)",
            ));
        }
        Ok(Self {
            target,
            phi1,
            phi2,
            cohort_size,
            max_n,
            cutoff,
            extra_safe,
        })
    }

    /// The target DLT rate φ.
    pub fn target(&self) -> Decimal {
        self.target
    }

    /// φ1, the highest rate at which escalating is still wanted.
    pub fn phi1(&self) -> Decimal {
        self.phi1
    }

    /// φ2, the lowest rate at which de-escalating is wanted.
    pub fn phi2(&self) -> Decimal {
        self.phi2
    }

    /// The elimination cutoff (0.95 by default).
    pub fn cutoff(&self) -> Decimal {
        self.cutoff
    }

    /// Whether the lowest level is eliminated with a cutoff 0.05 lower.
    pub fn extra_safe(&self) -> bool {
        self.extra_safe
    }

    /// The cohort size.
    pub fn cohort_size(&self) -> u32 {
        self.cohort_size
    }

    /// The maximum sample size, where set.
    pub fn max_n(&self) -> Option<u32> {
        self.max_n
    }

    /// A and B of λe = ln A / ln B.
    fn escalation_ratios(&self) -> (Q, Q) {
        let (phi, phi1) = (q(self.target), q(self.phi1));
        let one = Q::one();
        let a = (&one - &phi1) / (&one - &phi);
        let b = (&phi * (&one - &phi1)) / (&phi1 * (&one - &phi));
        (a, b)
    }

    /// C and D of λd = ln C / ln D.
    fn de_escalation_ratios(&self) -> (Q, Q) {
        let (phi, phi2) = (q(self.target), q(self.phi2));
        let one = Q::one();
        let c = (&one - &phi) / (&one - &phi2);
        let d = (&phi2 * (&one - &phi)) / (&phi * (&one - &phi2));
        (c, d)
    }

    /// λe to four places, for people; decisions never use it.
    pub fn lambda_e(&self) -> Decimal {
        let (a, b) = self.escalation_ratios();
        ratio_of_logs(&a, &b)
    }

    /// λd to four places, for people; decisions never use it.
    pub fn lambda_d(&self) -> Decimal {
        let (c, d) = self.de_escalation_ratios();
        ratio_of_logs(&c, &d)
    }

    /// Whether t DLTs in n treated is at most λe: Bᵗ ≤ Aⁿ.
    fn escalates(&self, n: u32, t: u32) -> bool {
        let (a, b) = self.escalation_ratios();
        pow(&b, t) <= pow(&a, n)
    }

    /// Whether t DLTs in n treated is at least λd: Dᵗ ≥ Cⁿ.
    fn de_escalates(&self, n: u32, t: u32) -> bool {
        let (c, d) = self.de_escalation_ratios();
        pow(&d, t) >= pow(&c, n)
    }

    /// P(p > φ | t DLTs in n) under Beta(1, 1): P(Binomial(n + 1, φ) ≤ t), exactly.
    fn posterior_above_target(&self, n: u32, t: u32) -> Q {
        let phi = q(self.target);
        let rest = Q::one() - &phi;
        let trials = n.saturating_add(1);
        let mut sum = Q::zero();
        let mut choose = BigInt::one();
        for k in 0..=t.min(trials) {
            if k > 0 {
                choose = choose * BigInt::from(trials.saturating_sub(k).saturating_add(1))
                    / BigInt::from(k);
            }
            sum += Q::from_integer(choose.clone())
                * pow(&phi, k)
                * pow(&rest, trials.saturating_sub(k));
        }
        sum
    }

    /// Whether a level with t DLTs in n treated is eliminated (the lowest level with the
    /// extra-safe rule's lower cutoff, 0.05 below).
    fn eliminates(&self, n: u32, t: u32, lowest: bool) -> bool {
        let cutoff = if lowest && self.extra_safe {
            self.cutoff
                .checked_sub(Decimal::new(5, 2))
                .unwrap_or(self.cutoff)
        } else {
            self.cutoff
        };
        n >= 3 && self.posterior_above_target(n, t) > q(cutoff)
    }

    /// The count table for n = cohort size, 2 × cohort size, … up to `max_n`.
    pub fn boundaries(&self, max_n: u32) -> Vec<BoundaryRow> {
        let step = usize::try_from(self.cohort_size).unwrap_or(1);
        (self.cohort_size..=max_n)
            .step_by(step.max(1))
            .map(|n| self.row(n))
            .collect()
    }

    /// The table's row for n treated: each cut-off found by walking t up from 0 with running
    /// powers and a running binomial sum, the same comparisons as a decision makes.
    pub fn row(&self, n: u32) -> BoundaryRow {
        let (a, b) = self.escalation_ratios();
        let (c, d) = self.de_escalation_ratios();
        let (a_n, c_n) = (pow(&a, n), pow(&c, n));
        let (mut b_t, mut d_t) = (Q::one(), Q::one());
        let mut escalate_at_most = 0;
        let mut de_escalate_at_least = None;
        for t in 0..=n {
            if b_t <= a_n {
                escalate_at_most = t;
            }
            if de_escalate_at_least.is_none() && d_t >= c_n {
                de_escalate_at_least = Some(t);
            }
            b_t = &b_t * &b;
            d_t = &d_t * &d;
        }
        let eliminate_at_least = (n >= 3)
            .then(|| {
                let cutoff = q(self.cutoff);
                let phi = q(self.target);
                let rest = Q::one() - &phi;
                let trials = n.saturating_add(1);
                // P(Binomial(n + 1, φ) ≤ t), adding one term per t.
                let mut sum = Q::zero();
                let mut choose = BigInt::one();
                let mut term_phi = Q::one();
                (0..=n).find(|t| {
                    if *t > 0 {
                        choose = &choose
                            * BigInt::from(trials.saturating_sub(*t).saturating_add(1))
                            / BigInt::from(*t);
                        term_phi = &term_phi * &phi;
                    }
                    sum += Q::from_integer(choose.clone())
                        * &term_phi
                        * pow(&rest, trials.saturating_sub(*t));
                    sum > cutoff
                })
            })
            .flatten();
        BoundaryRow {
            n,
            escalate_at_most,
            de_escalate_at_least,
            eliminate_at_least,
        }
    }

    /// The lowest eliminated level, where any is.
    fn lowest_eliminated(&self, levels: u32, outcomes: &Outcomes) -> Option<u32> {
        (1..=levels).find(|level| {
            let (n, t) = outcomes.at(*level);
            self.eliminates(n, t, *level == 1)
        })
    }

    pub(super) fn decide(&self, levels: u32, outcomes: &Outcomes) -> Result<Decision> {
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
            figures.push(format!(
                "level {current}: P(DLT rate > {} | data) = {} (eliminated above {})",
                self.target,
                decimal_of(&self.posterior_above_target(n, t), 4),
                self.cutoff
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
                    "{words}: level 1 is eliminated (P(DLT rate > {}) above {}): stop the trial; no dose is recommended",
                    self.target, self.cutoff
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

    /// The maximum tolerated dose at the end: the isotonic (pool-adjacent-violators) estimates
    /// of the DLT rate over the levels tried and not eliminated, and the level whose estimate is
    /// closest to the target; among equal estimates, the highest level if they are below the
    /// target, the lowest if above.
    pub(super) fn select(&self, levels: u32, outcomes: &Outcomes) -> Result<Decision> {
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
        let mut best: Option<(u32, Q, Q)> = None;
        for ((level, _, _), estimate) in tried.iter().zip(&estimates) {
            let distance = if estimate >= &target {
                estimate - &target
            } else {
                &target - estimate
            };
            let better = match &best {
                None => true,
                Some((_, best_distance, best_estimate)) => {
                    distance < *best_distance
                        || (distance == *best_distance
                            && estimate == best_estimate
                            && estimate < &target)
                }
            };
            if better {
                best = Some((*level, distance, estimate.clone()));
            }
        }
        let recommended = best.map(|(level, _, _)| level);
        Ok(Decision {
            step: Step::Stop,
            current_level: outcomes.current_level(),
            next_level: None,
            recommended_level: recommended,
            eliminated,
            rule: match recommended {
                Some(level) => format!(
                    "the maximum tolerated dose is level {level}, whose isotonic DLT estimate is closest to the target {}",
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

/// Pool-adjacent-violators over (level, n, t), weights n: non-decreasing rates.
fn isotonic(tried: &[(u32, u32, u32)]) -> Vec<Q> {
    // Blocks of (DLTs, treated, levels in the block).
    let mut blocks: Vec<(BigInt, BigInt, usize)> = Vec::new();
    for (_, n, t) in tried {
        blocks.push((BigInt::from(*t), BigInt::from(*n), 1));
        while blocks.len() >= 2 {
            let last = blocks.len().saturating_sub(1);
            let (Some(b), Some(a)) = (blocks.get(last), blocks.get(last.saturating_sub(1))) else {
                break;
            };
            // a's rate above b's: pool them (a.t / a.n > b.t / b.n).
            if &a.0 * &b.1 > &b.0 * &a.1 {
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
        .flat_map(|(t, n, count)| std::iter::repeat_n(Ratio::new(t, n), count))
        .collect()
}

fn rate_words(n: u32, t: u32) -> String {
    if n == 0 {
        return "none".into();
    }
    decimal_of(&Ratio::new(BigInt::from(t), BigInt::from(n)), 4).to_string()
}

/// A rational rounded half away from zero to `places` decimal places, for people.
fn decimal_of(value: &Q, places: u32) -> Decimal {
    let scale = num_traits::pow(BigInt::from(10), usize::try_from(places).unwrap_or(0));
    let scaled = (value * Q::from_integer(scale)).round().to_integer();
    let mantissa = i128::try_from(scaled).unwrap_or(0);
    Decimal::try_from_i128_with_scale(mantissa, places)
        .unwrap_or_default()
        .normalize()
}

/// ln a / ln b to four places (a, b > 1), from `Decimal`'s logarithm (about 20 correct digits).
fn ratio_of_logs(a: &Q, b: &Q) -> Decimal {
    let as_decimal = |value: &Q| {
        let scale = num_traits::pow(BigInt::from(10), 24);
        let scaled = (value * Q::from_integer(scale)).round().to_integer();
        Decimal::try_from_i128_with_scale(i128::try_from(scaled).unwrap_or(0), 24)
            .unwrap_or_default()
    };
    let (la, lb) = (as_decimal(a).ln(), as_decimal(b).ln());
    la.checked_div(lb)
        .map(|r| r.round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
        .unwrap_or_default()
        .normalize()
}
