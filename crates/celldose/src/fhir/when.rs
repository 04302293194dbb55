//! When an administration happened, or will: a FHIR `dateTime`.

use core::fmt;
use core::str::FromStr;

use serde::{Serialize, Serializer};

use crate::error::{Error, Result};

/// An instant (written in UTC, to the second) or a calendar date: the two forms of a FHIR
/// `dateTime` this tool writes.
///
/// ```
/// use celldose::fhir::When;
/// assert_eq!("2026-11-30T09:15:00+01:00".parse::<When>()?.to_string(), "2026-11-30T08:15:00Z");
/// assert_eq!("2026-11-30".parse::<When>()?.to_string(), "2026-11-30");
/// assert!("30/11/2026".parse::<When>().is_err());
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct When(Moment);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Moment {
    Instant(jiff::Timestamp),
    Date(jiff::civil::Date),
}

impl When {
    /// Now, to the second.
    pub fn now() -> Self {
        let now = jiff::Timestamp::now();
        let second = jiff::Timestamp::from_second(now.as_second()).unwrap_or(now);
        Self(Moment::Instant(second))
    }
}

impl When {
    /// A calendar date.
    pub fn date(date: jiff::civil::Date) -> Self {
        Self(Moment::Date(date))
    }

    /// The date of a calculation: its dosing date where the request named one, else today's
    /// date in UTC.
    pub fn dosing_day(calculation: &crate::Calculation) -> Self {
        Self::date(
            calculation
                .dosing_date()
                .unwrap_or_else(crate::units::today_utc),
        )
    }
}

impl FromStr for When {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self> {
        let text = input.trim_matches(' ');
        if let Ok(instant) = text.parse::<jiff::Timestamp>() {
            return Ok(Self(Moment::Instant(instant)));
        }
        if let Ok(date) = text.parse::<jiff::civil::Date>()
            && text.len() == 10
        {
            return Ok(Self(Moment::Date(date)));
        }
        Err(Error::Malformed {
            what: "time of administration",
            input: input.to_owned(),
            reason: "it is neither an instant with its offset (as in 2026-11-30T09:15:00+01:00 or 2026-11-30T08:15:00Z) nor a date (as in 2026-11-30)".into(),
        })
    }
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Moment::Instant(instant) => write!(f, "{instant}"),
            Moment::Date(date) => write!(f, "{date}"),
        }
    }
}

impl Serialize for When {
    fn serialize<S: Serializer>(&self, serializer: S) -> core::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
