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
        let strategy = match self {
            Self::HalfEven => RoundingStrategy::MidpointNearestEven,
            Self::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
            Self::Down => RoundingStrategy::ToZero,
            Self::Up => RoundingStrategy::AwayFromZero,
        };
        value.round_dp_with_strategy(places, strategy).normalize()
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
            _ => Err(crate::Error::Request(format!(
                "rounding {} is not known; accepted: half-even, half-away-from-zero, down, up",
                crate::text::Shown(input)
            ))),
        }
    }
}

impl core::fmt::Display for Rounding {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}
