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

// Big integers and rationals cannot overflow, and every denominator here is a product of rates
// that `Boin::with` holds strictly between 0 and 1, or a count of at least one.
#![allow(clippy::arithmetic_side_effects)]

use num_bigint::{BigInt, BigUint};
use num_rational::Ratio;
use num_traits::One;
use rust_decimal::{Decimal, MathematicalOps};

use super::{Decision, Outcomes, Step, bad_parameter};
use crate::Result;

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

/// A design's rates as whole numbers over [`SCALE`]: A = a₀/a₁, B = b₀/b₁ of λe = ln A / ln B;
/// C = c₀/c₁, D = d₀/d₁ of λd = ln C / ln D; P = φ·SCALE and Q = SCALE − P.
struct Whole {
    a: (u64, u64),
    b: (u64, u64),
    c: (u64, u64),
    d: (u64, u64),
    p: u64,
    q: u64,
}

/// A rate of at most five places × 10⁵, as a whole number.
fn whole_of(value: Decimal) -> u64 {
    let value = value.normalize();
    let mantissa = u64::try_from(value.mantissa()).unwrap_or(0);
    let places = value.scale().min(5);
    mantissa.saturating_mul(10u64.saturating_pow(5 - places))
}

fn big(value: u64) -> BigUint {
    BigUint::from(value)
}

/// A decimal's mantissa and scale: 0.95 is (95, 2).
fn decimal_parts(value: Decimal) -> (BigUint, u32) {
    let value = value.normalize();
    (
        BigUint::from(u128::try_from(value.mantissa()).unwrap_or(0)),
        value.scale(),
    )
}

/// Whether `sum` ÷ `whole` is above `cutoff`: sum·10^scale > mantissa·whole.
fn above(sum: &BigUint, whole: &BigUint, cutoff: Decimal) -> bool {
    let (mantissa, scale) = decimal_parts(cutoff);
    sum * big(10).pow(scale) > mantissa * whole
}

/// The binomial tail of a count table, carried from one n to the next: at m = n + 1 patients'
/// worth and a count t, S = Σₖ≤ₜ C(m, k)·Pᵏ·Qᵐ⁻ᵏ, T = C(m, t)·Pᵗ·Qᵐ⁻ᵗ, and the cutoff's
/// numerator × (P + Q)ᵐ.
struct Tail {
    m: u32,
    t: u32,
    sum: BigUint,
    term: BigUint,
    threshold: BigUint,
}

impl Tail {
    /// At n = 0 (m = 1) and t = 0.
    fn new(w: &Whole, cutoff_numerator: BigUint) -> Self {
        Self {
            m: 1,
            t: 0,
            sum: big(w.q),
            term: big(w.q),
            threshold: cutoff_numerator * SCALE,
        }
    }

    /// From m to m + 1, at the same t: Pascal's rule gives S' = (P + Q)·S − P·T, and
    /// T' = T·Q·(m + 1) ÷ (m + 1 − t), a whole number.
    fn grow(&mut self, w: &Whole) {
        let next = self.m.saturating_add(1);
        self.sum = &self.sum * SCALE - &self.term * w.p;
        self.term = &self.term * (w.q * u64::from(next)) / u64::from(next - self.t);
        self.threshold *= SCALE;
        self.m = next;
    }

    /// The smallest t ≤ n whose tail is above the cutoff (10^`scale` × S > the threshold), the
    /// search going on from where the last row's ended (the count only grows with n).
    fn first_above(&mut self, w: &Whole, n: u32, scale: u32) -> Option<u32> {
        let ten = big(10).pow(scale);
        loop {
            if &self.sum * &ten > self.threshold {
                return Some(self.t);
            }
            if self.t >= n {
                return None;
            }
            self.term =
                &self.term * (u64::from(self.m - self.t) * w.p) / (u64::from(self.t + 1) * w.q);
            self.sum += &self.term;
            self.t = self.t.saturating_add(1);
        }
    }
}

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

    /// The rates as whole numbers over [`SCALE`].
    fn whole(&self) -> Whole {
        let int = |value: Decimal| whole_of(value);
        let (p, p1, p2) = (int(self.target), int(self.phi1), int(self.phi2));
        let (q, q1, q2) = (
            SCALE.saturating_sub(p),
            SCALE.saturating_sub(p1),
            SCALE.saturating_sub(p2),
        );
        Whole {
            a: (q1, q),
            b: (p.saturating_mul(q1), p1.saturating_mul(q)),
            c: (q, q2),
            d: (p2.saturating_mul(q), p.saturating_mul(q2)),
            p,
            q,
        }
    }

    /// Whether t DLTs in n treated is at most λe: Bᵗ ≤ Aⁿ, that is b₁ᵗ·a₂ⁿ ≤ a₁ⁿ·b₂ᵗ.
    fn escalates(&self, n: u32, t: u32) -> bool {
        let w = self.whole();
        big(w.b.0).pow(t) * big(w.a.1).pow(n) <= big(w.a.0).pow(n) * big(w.b.1).pow(t)
    }

    /// Whether t DLTs in n treated is at least λd: Dᵗ ≥ Cⁿ, that is d₁ᵗ·c₂ⁿ ≥ c₁ⁿ·d₂ᵗ.
    fn de_escalates(&self, n: u32, t: u32) -> bool {
        let w = self.whole();
        big(w.d.0).pow(t) * big(w.c.1).pow(n) >= big(w.c.0).pow(n) * big(w.d.1).pow(t)
    }

    /// P(p > φ | t DLTs in n) under Beta(1, 1), that is P(Binomial(n + 1, φ) ≤ t), as the whole
    /// number Σ C(n+1, k)·Pᵏ·(D−P)ⁿ⁺¹⁻ᵏ over Dⁿ⁺¹.
    fn posterior_above_target(&self, n: u32, t: u32) -> (BigUint, BigUint) {
        let w = self.whole();
        let m = n.saturating_add(1);
        let mut term = big(w.q).pow(m);
        let mut sum = term.clone();
        for k in 0..t.min(m) {
            term = term * (u64::from(m - k) * w.p) / (u64::from(k + 1) * w.q);
            sum += &term;
        }
        (sum, big(SCALE).pow(m))
    }

    /// The elimination cutoff for a level: 0.05 lower at the lowest level under the extra-safe
    /// rule.
    fn cutoff_at(&self, lowest: bool) -> Decimal {
        if lowest && self.extra_safe {
            self.cutoff
                .checked_sub(Decimal::new(5, 2))
                .unwrap_or(self.cutoff)
        } else {
            self.cutoff
        }
    }

    /// Whether a level with t DLTs in n treated is eliminated (the lowest level with the
    /// extra-safe rule's lower cutoff, 0.05 below).
    fn eliminates(&self, n: u32, t: u32, lowest: bool) -> bool {
        n >= 3 && {
            let (sum, whole) = self.posterior_above_target(n, t);
            above(&sum, &whole, self.cutoff_at(lowest))
        }
    }

    /// The count table for n = cohort size, 2 × cohort size, … up to `max_n`, as the BOIN
    /// package's `get.boundary` gives it: a de-escalation count above the elimination count is
    /// lowered to it.
    ///
    /// ```
    /// use celldose_escalation::Boin;
    /// // Target 0.6 in cohorts of 1: at 44 treated, λd would de-escalate at 33 DLTs, but 32
    /// // already eliminate the level, and the package gives 32 for both.
    /// let boin = Boin::with("0.6".parse()?, None, None, 1, Some(44), None, false)?;
    /// let row = boin.boundaries(44)[43];
    /// assert_eq!((row.n, row.de_escalate_at_least, row.eliminate_at_least), (44, Some(32), Some(32)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn boundaries(&self, max_n: u32) -> Vec<BoundaryRow> {
        let w = self.whole();
        let cohort = self.cohort_size.max(1);
        let max_n = max_n.min(MAX_TREATED);
        // Escalation: the largest t with b₁ᵗ·a₂ⁿ ≤ a₁ⁿ·b₂ᵗ, kept as (left, right) at (n, t).
        let (mut e_t, mut e_left, mut e_right) = (0u32, BigUint::from(1u8), BigUint::from(1u8));
        // De-escalation: the smallest t with d₁ᵗ·c₂ⁿ ≥ c₁ⁿ·d₂ᵗ.
        let (mut d_t, mut d_left, mut d_right) = (0u32, BigUint::from(1u8), BigUint::from(1u8));
        // Elimination: the smallest t with P(Binomial(m, φ) ≤ t) above the cutoff, m = n + 1,
        // carried as the tail sum S(m, t), the term T(m, t), and the cutoff × Dᵐ.
        let (cutoff_numerator, cutoff_scale) = decimal_parts(self.cutoff);
        let mut x = Tail::new(&w, cutoff_numerator);
        let mut rows = Vec::new();
        let mut n = 0u32;
        while n.saturating_add(cohort) <= max_n {
            for _ in 0..cohort {
                n = n.saturating_add(1);
                e_left *= w.a.1;
                e_right *= w.a.0;
                d_left *= w.c.1;
                d_right *= w.c.0;
                x.grow(&w);
            }
            while e_t < n && &e_left * w.b.0 <= &e_right * w.b.1 {
                e_t = e_t.saturating_add(1);
                e_left *= w.b.0;
                e_right *= w.b.1;
            }
            while d_t <= n && d_left < d_right {
                d_t = d_t.saturating_add(1);
                d_left *= w.d.0;
                d_right *= w.d.1;
            }
            let eliminate_at_least = if n >= 3 {
                x.first_above(&w, n, cutoff_scale)
            } else {
                None
            };
            let de_escalate_at_least = match ((d_t <= n).then_some(d_t), eliminate_at_least) {
                (Some(d), Some(e)) => Some(d.min(e)),
                (None, Some(e)) => Some(e),
                (d, None) => d,
            };
            rows.push(BoundaryRow {
                n,
                escalate_at_most: e_t,
                de_escalate_at_least,
                eliminate_at_least,
            });
        }
        rows
    }

    /// The table's row for n treated.
    pub fn row(&self, n: u32) -> BoundaryRow {
        let single = Self {
            cohort_size: 1,
            ..self.clone()
        };
        single.boundaries(n).pop().unwrap_or(BoundaryRow {
            n,
            escalate_at_most: 0,
            de_escalate_at_least: None,
            eliminate_at_least: None,
        })
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
fn isotonic(tried: &[(u32, u32, u32)]) -> Vec<Q> {
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
