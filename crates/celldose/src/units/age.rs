//! A patient's age in years.

use core::fmt;
use core::str::FromStr;

use rust_decimal::Decimal;

use super::{check_bounds, parse_number_within, serde_via_string, split_unit};
use crate::error::{Error, Result};

/// Age in years, from 0 to 130.
///
/// Reads a number with an optional unit `y`, `yr`, `year` or `years` (`45`, `45y`,
/// `45 years`); writes `45 years`.
///
/// ```
/// use celldose::AgeYears;
/// assert_eq!("45".parse::<AgeYears>()?.to_string(), "45 years");
/// assert!("45 months".parse::<AgeYears>().is_err());
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AgeYears(Decimal);

const WHAT: &str = "age";

impl AgeYears {
    /// The youngest age accepted, 0 years.
    pub const MIN: Self = Self(Decimal::ZERO);
    /// The oldest age accepted, 130 years.
    pub const MAX: Self = Self(Decimal::from_parts(130, 0, 0, false, 0));

    /// Builds an age from years.
    ///
    /// # Errors
    /// When `years` is outside [`AgeYears::MIN`] to [`AgeYears::MAX`].
    ///
    /// ```
    /// use celldose::AgeYears;
    /// use rust_decimal::Decimal;
    /// assert!(AgeYears::new(Decimal::from(18)).is_ok());
    /// assert!(AgeYears::new(Decimal::from(131)).is_err());
    /// ```
    pub fn new(years: Decimal) -> Result<Self> {
        check_bounds(WHAT, years, Self::MIN.0, Self::MAX.0, " years")?;
        Ok(Self(years.normalize()))
    }

    /// The age in years.
    ///
    /// ```
    /// # use celldose::AgeYears;
    /// assert_eq!("18y".parse::<AgeYears>()?.years(), rust_decimal::Decimal::from(18));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn years(self) -> Decimal {
        self.0
    }
}

impl FromStr for AgeYears {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self> {
        let (number, unit) = split_unit(input);
        if !matches!(
            unit.to_ascii_lowercase().as_str(),
            "" | "y" | "yr" | "yrs" | "year" | "years"
        ) {
            if number.is_empty() {
                return parse_number_within(WHAT, number, input).and_then(Self::new);
            }
            return Err(Error::UnknownUnit {
                what: WHAT,
                input: input.to_owned(),
                unit: unit.to_owned(),
                accepted:
                    "years, written as a number with no unit or with y or years (45, 45y, 45 years)",
            });
        }
        let value = parse_number_within(WHAT, number, input)?;
        Self::new(value)
    }
}

impl fmt::Display for AgeYears {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::write_decimal(f, self.0)?;
        f.write_str(" years")
    }
}

serde_via_string!(AgeYears);
