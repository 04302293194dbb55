//! BOIN's boundaries as whole-number comparisons: the rates over 10⁵, Bᵗ ≤ Aⁿ and Dᵗ ≥ Cⁿ, the
//! posterior tail carried row to row by Pascal's rule, and the count table built from them.

// Big integers and rationals cannot overflow, and every denominator here is a product of rates
// that `Boin::with` holds strictly between 0 and 1, or a count of at least one.
#![allow(clippy::arithmetic_side_effects)]

use num_bigint::BigUint;
use rust_decimal::Decimal;

use super::{Boin, BoundaryRow, MAX_TREATED, SCALE};

/// A design's rates as whole numbers over [`SCALE`]: A = a₀/a₁, B = b₀/b₁ of λe = ln A / ln B;
/// C = c₀/c₁, D = d₀/d₁ of λd = ln C / ln D; P = φ·SCALE and Q = SCALE − P.
pub(super) struct Whole {
    a: (u64, u64),
    b: (u64, u64),
    c: (u64, u64),
    d: (u64, u64),
    p: u64,
    q: u64,
}

/// A rate of at most five places × 10⁵, as a whole number.
pub(super) fn whole_of(value: Decimal) -> u64 {
    let value = value.normalize();
    let mantissa = u64::try_from(value.mantissa()).unwrap_or(0);
    let places = value.scale().min(5);
    mantissa.saturating_mul(10u64.saturating_pow(5 - places))
}

pub(super) fn big(value: u64) -> BigUint {
    BigUint::from(value)
}

/// A decimal's mantissa and scale: 0.95 is (95, 2).
pub(super) fn decimal_parts(value: Decimal) -> (BigUint, u32) {
    let value = value.normalize();
    (
        BigUint::from(u128::try_from(value.mantissa()).unwrap_or(0)),
        value.scale(),
    )
}

/// Whether `sum` ÷ `whole` is above `cutoff`: sum·10^scale > mantissa·whole.
pub(super) fn above(sum: &BigUint, whole: &BigUint, cutoff: Decimal) -> bool {
    let (mantissa, scale) = decimal_parts(cutoff);
    sum * big(10).pow(scale) > mantissa * whole
}

/// The binomial tail of a count table, carried from one n to the next: at m = n + 1 patients'
/// worth and a count t, S = Σₖ≤ₜ C(m, k)·Pᵏ·Qᵐ⁻ᵏ, T = C(m, t)·Pᵗ·Qᵐ⁻ᵗ, and the cutoff's
/// numerator × (P + Q)ᵐ.
pub(super) struct Tail {
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

impl Boin {
    /// The rates as whole numbers over [`SCALE`].
    pub(super) fn whole(&self) -> Whole {
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
    pub(super) fn escalates(&self, n: u32, t: u32) -> bool {
        let w = self.whole();
        big(w.b.0).pow(t) * big(w.a.1).pow(n) <= big(w.a.0).pow(n) * big(w.b.1).pow(t)
    }

    /// Whether t DLTs in n treated is at least λd: Dᵗ ≥ Cⁿ, that is d₁ᵗ·c₂ⁿ ≥ c₁ⁿ·d₂ᵗ.
    pub(super) fn de_escalates(&self, n: u32, t: u32) -> bool {
        let w = self.whole();
        big(w.d.0).pow(t) * big(w.c.1).pow(n) >= big(w.c.0).pow(n) * big(w.d.1).pow(t)
    }

    /// P(p > φ | t DLTs in n) under Beta(1, 1), that is P(Binomial(n + 1, φ) ≤ t), as the whole
    /// number Σ C(n+1, k)·Pᵏ·(D−P)ⁿ⁺¹⁻ᵏ over Dⁿ⁺¹.
    pub(super) fn posterior_above_target(&self, n: u32, t: u32) -> (BigUint, BigUint) {
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
    pub(super) fn cutoff_at(&self, lowest: bool) -> Decimal {
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
    pub(super) fn eliminates(&self, n: u32, t: u32, lowest: bool) -> bool {
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
}
