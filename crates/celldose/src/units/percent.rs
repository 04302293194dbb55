//! A percentage, such as a dose tolerance.

use core::fmt;
use core::str::FromStr;

use rust_decimal::Decimal;

use super::{check_bounds, parse_number_within, serde_via_string, split_unit};
use crate::error::{Error, Result};

/// A percentage from 0 % to 100 %, written with its `%` sign: `10%`.
///
/// ```
/// use celldose::Percent;
/// assert_eq!("10%".parse::<Percent>()?.to_string(), "10%");
/// assert!("10".parse::<Percent>().is_err()); // the % sign is required
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Percent(Decimal);
super::scaled::compared_by_value!(Percent);

const WHAT: &str = "percentage";

impl Percent {
    /// The smallest percentage, 0 %.
    pub const MIN: Self = Self(Decimal::ZERO);
    /// The largest percentage, 100 %.
    pub const MAX: Self = Self(Decimal::ONE_HUNDRED);

    /// Builds a percentage.
    ///
    /// # Errors
    /// When `percent` is outside 0 to 100.
    ///
    /// ```
    /// use celldose::Percent;
    /// use rust_decimal::Decimal;
    /// assert!(Percent::new(Decimal::from(10)).is_ok());
    /// assert!(Percent::new(Decimal::from(101)).is_err());
    /// ```
    pub fn new(percent: Decimal) -> Result<Self> {
        check_bounds(WHAT, percent, Self::MIN.0, Self::MAX.0, "%")?;
        Ok(Self(super::scaled::normalized(percent)))
    }

    /// The percentage, e.g. `10` for 10 %.
    ///
    /// ```
    /// # use celldose::Percent;
    /// assert_eq!("12.5%".parse::<Percent>()?.get(), rust_decimal::Decimal::new(125, 1));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn get(self) -> Decimal {
        self.0
    }
}

impl FromStr for Percent {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self> {
        let trimmed = input.trim_matches(' ');
        if trimmed.starts_with('%') {
            return Err(Error::Malformed {
                what: WHAT,
                input: input.to_owned(),
                reason: "the % sign goes after the number, as in 10%".into(),
            });
        }
        let Some(number) = trimmed.strip_suffix('%') else {
            let (_, unit) = split_unit(trimmed);
            return Err(if unit.is_empty() {
                Error::MissingUnit {
                    what: WHAT,
                    input: input.to_owned(),
                    accepted: "a % sign after the number, as in 10%",
                }
            } else {
                Error::UnknownUnit {
                    what: WHAT,
                    input: input.to_owned(),
                    unit: unit.to_owned(),
                    accepted: "a % sign after the number, as in 10%",
                }
            });
        };
        let value = parse_number_within(WHAT, number.trim_end_matches(' '), input)?;
        Self::new(value)
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::digits::write_decimal(f, self.0)?;
        f.write_str("%")
    }
}

serde_via_string!(Percent);
