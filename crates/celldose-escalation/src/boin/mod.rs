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
//!
//! **Bounded cost.** Every rate has at most five decimal places (the target and the cutoff at
//! most four; φ1 and φ2 five, so that their defaults 0.6φ and 1.4φ fit), so with D = 10⁵ each
//! comparison is one between whole numbers: Bᵗ ≤ Aⁿ is b₁ᵗ·a₂ⁿ ≤ a₁ⁿ·b₂ᵗ, and the posterior tail
//! is Σ C(n+1, k)·Pᵏ·(D−P)ⁿ⁺¹⁻ᵏ against the cutoff × Dⁿ⁺¹. A count table is worked out row by
//! row from the row before, multiplying whole numbers by small ones (Pascal's rule carries the
//! binomial tail from n to n + 1), so its cost grows with the number of rows, not with their
//! square; at most 1,000 patients are ever counted. No rational is reduced on the way.
//!
//! **Selection**, as `BOIN::select.mtd` makes it: the estimates (y + 0.05) / (n + 0.1) of the
//! levels tried below any eliminated one, made non-decreasing by pool-adjacent-violators weighted
//! by the inverse of their variance (y + 0.05)(n − y + 0.05) / ((n + 0.1)²(n + 1.1)); each is
//! then raised by its position × 10⁻¹⁰, and the level whose estimate is closest to the target is
//! selected, the first in order on a tie. All of it in exact rationals.
//!
//! This file holds the design's parameters; `boundaries.rs` the whole-number comparisons and the
//! count table, `decide.rs` the recommendation for the next cohort, `select.rs` the final
//! selection.

// Big integers and rationals cannot overflow, and every denominator here is a product of rates
// that `Boin::with` holds strictly between 0 and 1, or a count of at least one.
#![allow(clippy::arithmetic_side_effects)]

mod boundaries;
mod decide;
mod select;

use num_bigint::BigInt;
use num_rational::Ratio;
use num_traits::One;
use rust_decimal::{Decimal, MathematicalOps};

use super::bad_parameter;
use crate::Result;

/// An exact rational.
type Q = Ratio<BigInt>;

/// A BOIN design's parameters.
///
/// ```
/// use celldose_escalation::Boin;
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

/// Every rate is a whole number over this: 10⁵ (at most five decimal places).
const SCALE: u64 = 100_000;
/// The most patients a count table or a decision counts.
const MAX_TREATED: u32 = 1_000;

fn q(value: Decimal) -> Q {
    let scale = value.scale();
    Ratio::new(
        BigInt::from(value.mantissa()),
        num_traits::pow(BigInt::from(10), usize::try_from(scale).unwrap_or(0)),
    )
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
    /// As [`Boin::with`]: a target outside 0.05–0.6, or with more than four decimal places.
    pub fn new(target: Decimal) -> Result<Self> {
        Self::with(target, None, None, 3, None, None, false)
    }

    /// A design with every parameter given (`None` for a default).
    ///
    /// # Errors
    /// Unless 0.05 ≤ φ ≤ 0.6 (as the BOIN package accepts), 0 < φ1 < φ < φ2 < 1, 1 ≤ cohort size
    /// ≤ 100, the cohort size ≤ the maximum sample size ≤ 1,000, and 0.5 < cutoff < 1; and unless
    /// the target and the cutoff have at most four decimal places, φ1 and φ2 at most five.
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
        if !(Decimal::new(5, 2) <= target && target <= Decimal::new(6, 1)) {
            return Err(bad_parameter(
                "BOIN target DLT rate",
                target.to_string(),
                "0.05 to 0.6, as the BOIN package accepts",
            ));
        }
        for (what, value, places) in [
            ("BOIN target DLT rate", target, 4),
            ("BOIN elimination cutoff", cutoff, 4),
            ("BOIN φ1", phi1, 5),
            ("BOIN φ2", phi2, 5),
        ] {
            if value.normalize().scale() > places {
                return Err(bad_parameter(
                    what,
                    value.to_string(),
                    &format!(
                        "at most {places} decimal places (so that every decision is worked out exactly in bounded time)"
                    ),
                ));
            }
        }
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
