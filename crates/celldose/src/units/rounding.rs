//! Rounding, always named by the caller.

use rust_decimal::{Decimal, RoundingStrategy};

/// How an exact amount is rounded to whole cells. The caller always names one; nothing rounds
/// behind the caller's back. Whatever the strategy, a rounded dose is never moved across a
/// protocol limit (see [`Protocol::calculate`](crate::Protocol::calculate)).
///
/// ```
/// use celldose::Rounding;
/// use rust_decimal::Decimal;
/// let half = Decimal::new(25, 1); // 2.5
/// assert_eq!(Rounding::HalfEven.to_whole(half), Decimal::from(2));
/// assert_eq!(Rounding::HalfAwayFromZero.to_whole(half), Decimal::from(3));
/// assert_eq!(Rounding::Down.to_whole(Decimal::new(29, 1)), Decimal::from(2));
/// assert_eq!(Rounding::Up.to_whole(Decimal::new(21, 1)), Decimal::from(3));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rounding {
    /// To the nearest whole; a tie (x.5) goes to the even neighbour: 2.5 → 2, 3.5 → 4.
    HalfEven,
    /// To the nearest whole; a tie (x.5) goes away from zero: 2.5 → 3.
    HalfAwayFromZero,
    /// Toward zero, dropping any fraction: 2.9 → 2.
    Down,
    /// Away from zero, raising any fraction: 2.1 → 3.
    Up,
}

impl Rounding {
    /// Rounds `value` to a whole number with this strategy.
    ///
    /// ```
    /// use celldose::Rounding;
    /// use rust_decimal::Decimal;
    /// assert_eq!(Rounding::HalfAwayFromZero.to_whole(Decimal::new(725747792, 1)), Decimal::from(72574779));
    /// ```
    pub fn to_whole(self, value: Decimal) -> Decimal {
        self.to_places(value, 0)
    }

    /// Rounds `value` to `places` decimal places with this strategy.
    ///
    /// ```
    /// use celldose::Rounding;
    /// use rust_decimal::Decimal;
    /// assert_eq!(Rounding::HalfAwayFromZero.to_places(Decimal::new(-5172, 4), 2), Decimal::new(-52, 2));
    /// ```
    pub fn to_places(self, value: Decimal, places: u32) -> Decimal {
        if value.scale() <= places {
            // Already at most `places` places: no strategy moves it.
            return super::scaled::normalized(value);
        }
        let strategy = match self {
            Self::HalfEven => RoundingStrategy::MidpointNearestEven,
            Self::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
            Self::Down => RoundingStrategy::ToZero,
            Self::Up => RoundingStrategy::AwayFromZero,
        };
        super::scaled::normalized(value.round_dp_with_strategy(places, strategy))
    }

    /// `numerator ÷ denominator` rounded to `places` decimal places with this strategy; `None`
    /// for a zero denominator or a quotient too large for a decimal.
    ///
    /// Where both operands' digits fit in 64 bits and the scaled operands in 128 (every count,
    /// weight and percentage a dose meets), the quotient and its remainder are computed as
    /// integers and rounded from the remainder: exact, and without the 28-digit quotient and its
    /// normalisation that `Decimal` division makes. Otherwise the quotient is a `Decimal`
    /// division, then rounded.
    ///
    /// ```
    /// use celldose::Rounding;
    /// use rust_decimal::Decimal;
    /// // 1,200,000,000 cells for 72.5 kg, per kg to 2 places.
    /// let per_kg = Rounding::HalfAwayFromZero.quotient(Decimal::from(1_200_000_000), Decimal::new(725, 1), 2);
    /// assert_eq!(per_kg, Some(Decimal::new(1_655_172_414, 2)));
    /// assert_eq!(Rounding::HalfEven.quotient(Decimal::from(5), Decimal::from(2), 0), Some(Decimal::from(2)));
    /// assert_eq!(Rounding::Up.quotient(Decimal::from(1), Decimal::ZERO, 2), None);
    /// ```
    pub fn quotient(
        self,
        numerator: Decimal,
        denominator: Decimal,
        places: u32,
    ) -> Option<Decimal> {
        if denominator.is_zero() {
            return None;
        }
        if let Some(quotient) = self.integer_quotient(numerator, denominator, places) {
            return Some(quotient);
        }
        Some(self.to_places(numerator.checked_div(denominator)?, places))
    }

    /// The quotient by integer division, in 64 or 128 bits, where the operands' digits fit in a
    /// `u64` and the scaled operands in a `u128` (see [`scaled`](super::scaled)); `None` for
    /// other figures, which take `Decimal` division.
    fn integer_quotient(
        self,
        numerator: Decimal,
        denominator: Decimal,
        places: u32,
    ) -> Option<Decimal> {
        // Every strategy is symmetric about zero, so the quotient of the magnitudes is rounded
        // and then given the sign.
        let (whole, rest, divisor) =
            super::scaled::quotient_and_remainder(numerator.abs(), denominator.abs(), places)?;
        let away = match self {
            Self::Down => false,
            Self::Up => rest != 0,
            Self::HalfAwayFromZero => rest.checked_mul(2)? >= divisor,
            Self::HalfEven => {
                let twice_rest = rest.checked_mul(2)?;
                twice_rest > divisor || (twice_rest == divisor && whole.checked_rem(2)? != 0)
            }
        };
        let magnitude = if away { whole.checked_add(1)? } else { whole };
        let mut quotient = super::scaled::quotient_decimal(magnitude, places)?;
        let negative = numerator.is_sign_negative() != denominator.is_sign_negative();
        // A zero quotient stays unsigned, as `Decimal`'s normalised zero is.
        quotient.set_sign_negative(negative && !quotient.is_zero());
        Some(quotient)
    }

    /// The strategy's name, as written in reports: `half-even`, `half-away-from-zero`, `down`,
    /// `up`.
    ///
    /// ```
    /// assert_eq!(celldose::Rounding::HalfEven.name(), "half-even");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Self::HalfEven => "half-even",
            Self::HalfAwayFromZero => "half-away-from-zero",
            Self::Down => "down",
            Self::Up => "up",
        }
    }
}

impl core::str::FromStr for Rounding {
    type Err = crate::Error;

    fn from_str(input: &str) -> crate::Result<Self> {
        match input.trim_matches(' ') {
            "half-even" => Ok(Self::HalfEven),
            "half-away-from-zero" => Ok(Self::HalfAwayFromZero),
            "down" => Ok(Self::Down),
            "up" => Ok(Self::Up),
            _ => Err(crate::Error::UnknownWord {
                what: "rounding",
                input: input.to_owned(),
                accepted: "half-even, half-away-from-zero, down, up".to_owned(),
            }),
        }
    }
}

impl core::fmt::Display for Rounding {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::Rounding;

    /// The figures a report divides (a count by a weight, a difference by a target) take the
    /// integer path, with either sign; only figures beyond 64 bits of digits take `Decimal`'s.
    #[test]
    fn a_dose_figures_quotient_is_divided_in_integers() {
        use rust_decimal::Decimal;
        let count = Decimal::from(1_200_000_000);
        let weight = Decimal::new(725, 1);
        for rule in [
            Rounding::HalfEven,
            Rounding::HalfAwayFromZero,
            Rounding::Down,
            Rounding::Up,
        ] {
            assert!(rule.integer_quotient(count, weight, 2).is_some());
            assert!(rule.integer_quotient(-count, weight, 2).is_some());
            assert_eq!(rule.integer_quotient(Decimal::MAX, weight, 2), None);
        }
        assert_eq!(
            Rounding::HalfAwayFromZero.integer_quotient(-count, weight, 2),
            Some(Decimal::new(-1_655_172_414, 2))
        );
    }

    /// Each rule reads from its name and writes as it: a rule lost from the parser, or an empty
    /// name written, would send a request another rule than the one typed.
    #[test]
    fn every_rule_reads_and_writes_its_own_name() {
        for (name, rule) in [
            ("half-even", Rounding::HalfEven),
            ("half-away-from-zero", Rounding::HalfAwayFromZero),
            ("down", Rounding::Down),
            ("up", Rounding::Up),
        ] {
            assert_eq!(name.parse::<Rounding>().unwrap(), rule);
            assert_eq!(rule.to_string(), name);
            assert_eq!(rule.name(), name);
        }
        let refused = "nearest".parse::<Rounding>().unwrap_err().to_string();
        assert!(
            refused.contains("half-even, half-away-from-zero, down, up"),
            "{refused}"
        );
    }
}
