//! A patient's age in years.

use core::fmt;
use core::str::FromStr;

use rust_decimal::Decimal;

use super::{check_bounds, parse_number_within, serde_via_string, split_unit};
use crate::error::{Error, Result};
use crate::refusal::Refusal;

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
#[derive(Debug, Clone, Copy)]
pub struct AgeYears(Decimal);
super::scaled::compared_by_value!(AgeYears);

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
        let in_years = ["", "y", "yr", "yrs", "year", "years"]
            .iter()
            .any(|name| unit.eq_ignore_ascii_case(name));
        if !in_years {
            if number.is_empty() {
                return parse_number_within(WHAT, number, input).and_then(Self::new);
            }
            return Err(Error::UnknownUnit {
                what: WHAT,
                input: input.to_owned(),
                unit: unit.to_owned(),
                accepted: "years, written as a number with no unit or with y or years (45, 45y, 45 years)",
            });
        }
        let value = parse_number_within(WHAT, number, input)?;
        Self::new(value)
    }
}

impl fmt::Display for AgeYears {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::digits::write_decimal(f, self.0)?;
        f.write_str(" years")
    }
}

serde_via_string!(AgeYears);

impl AgeYears {
    /// The age in completed years (the whole years lived), as age windows compare it: 65.9
    /// years is 65 completed years.
    ///
    /// ```
    /// use celldose::AgeYears;
    /// assert_eq!("65.9".parse::<AgeYears>()?.completed().to_string(), "65 years");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    #[must_use]
    pub fn completed(self) -> Self {
        Self(self.0.floor().normalize())
    }
}

/// The earliest birth date accepted.
const EARLIEST_BIRTH: jiff::civil::Date = jiff::civil::date(1900, 1, 1);

/// A calendar date written `YYYY-MM-DD`, and nothing else.
///
/// # Errors
/// When `text` is not ten characters of that form, or not a real date.
pub(crate) fn parse_date(what: &'static str, text: &str) -> Result<jiff::civil::Date> {
    let well_formed = text.len() == 10
        && text.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !well_formed {
        return Err(Refusal::NotADate {
            what,
            input: text.to_owned(),
            written_right: false,
        }
        .into());
    }
    text.parse::<jiff::civil::Date>().map_err(|_| {
        Error::from(Refusal::NotADate {
            what,
            input: text.to_owned(),
            written_right: true,
        })
    })
}

/// An age computed from a date of birth on a dosing date, in completed years.
///
/// ```
/// use celldose::AgeFromBirth;
/// let age = AgeFromBirth::new("1960-12-01", "2026-11-29")?;
/// assert_eq!(age.years().to_string(), "65 years");
/// assert_eq!(AgeFromBirth::new("1960-11-28", "2026-11-29")?.years().to_string(), "66 years");
/// assert!(AgeFromBirth::new("2026-11-30", "2026-11-29").is_err());
/// assert!(AgeFromBirth::new("1899-12-31", "2026-11-29").is_err());
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AgeFromBirth {
    born: jiff::civil::Date,
    on: jiff::civil::Date,
    years: AgeYears,
}

impl AgeFromBirth {
    /// The age on `on` of a patient born on `born`, both written `YYYY-MM-DD`. A birthday on
    /// 29 February is reached on 1 March in years without one.
    ///
    /// # Errors
    /// When either date is not written `YYYY-MM-DD` or is not a calendar date, when `born` is
    /// before 1900-01-01, or after `on`.
    ///
    /// See [`AgeFromBirth`].
    pub fn new(born: &str, on: &str) -> Result<Self> {
        let born_date = parse_date("date of birth", born)?;
        let on_date = parse_date("dosing date", on)?;
        Self::from_dates(born_date, on_date)
    }

    /// The same from dates already read.
    ///
    /// # Errors
    /// When `born` is before 1900-01-01, or after `on`.
    ///
    /// ```
    /// use jiff::civil::date;
    /// let age = celldose::AgeFromBirth::from_dates(date(2000, 2, 29), date(2001, 2, 28))?;
    /// assert_eq!(age.years().to_string(), "0 years");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn from_dates(born: jiff::civil::Date, on: jiff::civil::Date) -> Result<Self> {
        if born < EARLIEST_BIRTH {
            return Err(Error::OutOfRange {
                what: "date of birth",
                value: born.to_string(),
                problem: format!("before {EARLIEST_BIRTH}"),
                accepted: format!("a date from {EARLIEST_BIRTH} up to the dosing date"),
            });
        }
        if born > on {
            return Err(Error::OutOfRange {
                what: "date of birth",
                value: born.to_string(),
                problem: format!("after the dosing date {on}"),
                accepted: format!("a date from {EARLIEST_BIRTH} up to the dosing date {on}"),
            });
        }
        // Whole years from the year difference, less one where this year's birthday is still to
        // come; a 29 February birthday falls on 1 March in other years.
        let (by, bm, bd) = (born.year(), born.month(), born.day());
        let (oy, om, od) = (on.year(), on.month(), on.day());
        let mut years = i32::from(oy).saturating_sub(i32::from(by));
        if (om, od) < (bm, bd) {
            years = years.saturating_sub(1);
        }
        let years = AgeYears::new(Decimal::from(years))?;
        Ok(Self { born, on, years })
    }

    /// The date of birth.
    ///
    /// See [`AgeFromBirth`].
    pub fn born(&self) -> jiff::civil::Date {
        self.born
    }

    /// The date the age is computed on.
    ///
    /// See [`AgeFromBirth`].
    pub fn on(&self) -> jiff::civil::Date {
        self.on
    }

    /// The age in completed years.
    ///
    /// See [`AgeFromBirth`].
    pub fn years(&self) -> AgeYears {
        self.years
    }
}

/// Today's date in UTC, the default dosing date for an age from a date of birth.
pub(crate) fn today_utc() -> jiff::civil::Date {
    jiff::tz::Offset::UTC
        .to_datetime(jiff::Timestamp::now())
        .date()
}
