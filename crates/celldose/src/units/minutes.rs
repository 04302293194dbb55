//! A length of time in whole minutes, as a label or a protocol states a limit: `30 min`, `3 h`,
//! `2.5 h`, `1 h 30 min`.

use core::fmt;
use core::str::FromStr;

use rust_decimal::Decimal;

use super::serde_via_string;
use crate::error::{Error, Result};

/// A length of time in whole minutes, from 1 minute to 7 days.
///
/// ```
/// use celldose::units::Minutes;
/// assert_eq!("30 min".parse::<Minutes>()?.get(), 30);
/// assert_eq!("2.5 h".parse::<Minutes>()?.get(), 150);
/// assert_eq!("1 h 30 min".parse::<Minutes>()?.to_string(), "90 min");
/// assert!("2.51 h".parse::<Minutes>().is_err());
/// assert!("30".parse::<Minutes>().is_err());
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Minutes(u32);

/// The longest limit accepted: 7 days.
const MAX_MINUTES: u32 = 7 * 24 * 60;

impl Minutes {
    /// `minutes`, from 1 to 7 days' worth.
    ///
    /// # Errors
    /// 0, or more than 7 days.
    pub fn new(minutes: u32) -> Result<Self> {
        if (1..=MAX_MINUTES).contains(&minutes) {
            Ok(Self(minutes))
        } else {
            Err(Error::Request(format!(
                "a time limit of {minutes} minutes is not accepted; accepted: 1 minute to 7 days"
            )))
        }
    }

    /// The number of minutes.
    #[must_use]
    pub fn get(self) -> u32 {
        self.0
    }
}

impl FromStr for Minutes {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self> {
        let refuse = || {
            Error::Request(format!(
                "time limit {} is not accepted; write a number with its unit, min or h, as in 30 min, 3 h, 2.5 h or 1 h 30 min",
                crate::text::Shown(input)
            ))
        };
        let words: Vec<&str> = input.split_whitespace().collect();
        // Pairs of a number and its unit; "30min" is read as "30 min".
        let mut parts: Vec<(String, String)> = Vec::new();
        let mut pending: Option<&str> = None;
        for word in words {
            let split = word.find(|c: char| c.is_ascii_alphabetic());
            match (pending.take(), split) {
                (None, Some(0)) | (Some(_), Some(1..)) => return Err(refuse()),
                (None, Some(at)) => {
                    let (number, unit) = word.split_at(at);
                    parts.push((number.to_owned(), unit.to_owned()));
                }
                (None, None) => pending = Some(word),
                (Some(number), Some(0)) => parts.push((number.to_owned(), word.to_owned())),
                (Some(_), None) => return Err(refuse()),
            }
        }
        if pending.is_some() || parts.is_empty() {
            return Err(refuse());
        }
        let mut total = Decimal::ZERO;
        for (number, unit) in parts {
            let factor = match unit.as_str() {
                "min" | "mins" | "minute" | "minutes" => Decimal::ONE,
                "h" | "hr" | "hrs" | "hour" | "hours" => Decimal::from(60),
                _ => return Err(refuse()),
            };
            if !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                return Err(refuse());
            }
            let value = super::parse_number("time limit", &number)?;
            total = value
                .checked_mul(factor)
                .and_then(|minutes| total.checked_add(minutes))
                .ok_or_else(refuse)?;
        }
        if total.fract() != Decimal::ZERO {
            return Err(Error::Request(format!(
                "time limit {} is not a whole number of minutes; write it in minutes",
                crate::text::Shown(input)
            )));
        }
        // A whole number, normalised, has scale 0: its mantissa is the number.
        let minutes = u32::try_from(total.normalize().mantissa()).map_err(|_| refuse())?;
        Self::new(minutes)
    }
}

impl fmt::Display for Minutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} min", self.0)
    }
}

serde_via_string!(Minutes);
