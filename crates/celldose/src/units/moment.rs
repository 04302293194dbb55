//! Times on the clock of an infusion: a moment with its UTC offset (RFC 3339), and an expiry as a
//! label or a certificate states it.

use core::fmt;
use core::str::FromStr;

use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ToSpan as _};

use crate::error::{Error, Result};

/// A moment as RFC 3339 writes it, with its UTC offset: `2026-12-05T14:30:00+01:00`, or `Z` for
/// UTC. The offset is kept, so times are shown as they were given, and a label's local time is
/// read in it.
///
/// ```
/// use celldose::units::Moment;
/// let thawed: Moment = "2026-12-05T14:30:00+01:00".parse()?;
/// let start: Moment = "2026-12-05T14:59:00+01:00".parse()?;
/// assert_eq!(start.minutes_since(&thawed), 29);
/// assert_eq!(thawed.to_string(), "2026-12-05T14:30:00+01:00");
/// assert!("2026-12-05T14:30:00".parse::<Moment>().is_err(), "a time needs its offset");
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Moment {
    at: Timestamp,
    offset: Offset,
}

impl Moment {
    /// Now, in UTC.
    #[must_use]
    pub fn now() -> Self {
        Self {
            at: Timestamp::now(),
            offset: Offset::UTC,
        }
    }

    /// The instant.
    #[must_use]
    pub fn timestamp(&self) -> Timestamp {
        self.at
    }

    /// The clock time and date at this moment, in its own offset.
    #[must_use]
    pub fn local(&self) -> DateTime {
        self.offset.to_datetime(self.at)
    }

    /// A civil date and time read in this moment's offset.
    ///
    /// # Errors
    /// A time that cannot be placed on the time line.
    pub fn at_local(&self, time: DateTime) -> Result<Self> {
        let at = TimeZone::fixed(self.offset)
            .to_timestamp(time)
            .map_err(|e| Error::Request(format!("time {time} cannot be placed: {e}")))?;
        Ok(Self {
            at,
            offset: self.offset,
        })
    }

    /// Whole minutes from `earlier` to this moment (negative where `earlier` is later), seconds
    /// cut off.
    #[must_use]
    pub fn minutes_since(&self, earlier: &Self) -> i64 {
        self.at
            .as_second()
            .saturating_sub(earlier.at.as_second())
            .checked_div(60)
            .unwrap_or(0)
    }

    /// This moment `minutes` later, in the same offset.
    ///
    /// # Errors
    /// A moment past the end of jiff's range.
    pub fn plus_minutes(&self, minutes: u32) -> Result<Self> {
        let at = self
            .at
            .checked_add(i64::from(minutes).minutes())
            .map_err(|e| Error::Request(format!("{self} plus {minutes} min: {e}")))?;
        Ok(Self {
            at,
            offset: self.offset,
        })
    }
}

impl FromStr for Moment {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self> {
        let refuse = |why: &str| {
            Error::Request(format!(
                "time {} is not accepted: {why}; write it as RFC 3339 with its UTC offset, as in 2026-12-05T14:30:00+01:00 or 2026-12-05T13:30:00Z",
                crate::text::Shown(input)
            ))
        };
        let text = input.trim_matches(' ');
        let offset = if text.ends_with(['Z', 'z']) {
            Offset::UTC
        } else {
            let at = text
                .len()
                .checked_sub(6)
                .filter(|at| text.is_char_boundary(*at))
                .ok_or_else(|| refuse("it has no UTC offset"))?;
            let (_, suffix) = text.split_at(at);
            let sign = match suffix.as_bytes().first() {
                Some(b'+') => 1i32,
                Some(b'-') => -1i32,
                _ => return Err(refuse("it has no UTC offset")),
            };
            let digits = |range: core::ops::Range<usize>| {
                suffix
                    .get(range)
                    .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|d| d.parse::<i32>().ok())
            };
            let (Some(hours), Some(minutes), Some(b':')) = (
                digits(1..3),
                digits(4..6),
                suffix.as_bytes().get(3).copied(),
            ) else {
                return Err(refuse("its UTC offset is not ±hh:mm"));
            };
            let seconds = hours
                .checked_mul(3600)
                .and_then(|h| h.checked_add(minutes.checked_mul(60)?))
                .and_then(|s| s.checked_mul(sign))
                .ok_or_else(|| refuse("its UTC offset is out of range"))?;
            Offset::from_seconds(seconds).map_err(|_| refuse("its UTC offset is out of range"))?
        };
        let at: Timestamp = text
            .parse()
            .map_err(|_| refuse("it is not a date and time"))?;
        Ok(Self { at, offset })
    }
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let local = self.local().strftime("%Y-%m-%dT%H:%M:%S");
        let seconds = self.offset.seconds();
        if seconds == 0 {
            return write!(f, "{local}Z");
        }
        let sign = if seconds < 0 { '-' } else { '+' };
        let minutes = seconds.unsigned_abs() / 60;
        write!(f, "{local}{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    }
}

/// When a product or a bag expires, as its certificate or label states it: a moment, a date
/// (usable through the end of that day), or a label's local date and time (ISBT 128 labels
/// carry none of a UTC offset; they are read in the infusion's).
///
/// ```
/// use celldose::units::{Expiry, Moment};
/// let expiry: Expiry = "2026-12-05".parse()?;
/// assert!(!expiry.expired_at(&"2026-12-05T23:59:00+01:00".parse::<Moment>()?));
/// assert!(expiry.expired_at(&"2026-12-06T00:00:00+01:00".parse::<Moment>()?));
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expiry {
    /// Usable until this moment, inclusive.
    At(Moment),
    /// Usable through the end of this date, in the infusion's offset.
    Date(Date),
    /// Usable until this local date and time, inclusive, in the infusion's offset.
    Local(DateTime),
}

impl Expiry {
    /// Whether a product with this expiry is expired when given at `start`: given later than
    /// the expiry (the expiry minute itself is still inside).
    #[must_use]
    pub fn expired_at(&self, start: &Moment) -> bool {
        match self {
            Self::At(moment) => start.timestamp() > moment.timestamp(),
            Self::Date(date) => start.local().date() > *date,
            Self::Local(time) => start.local() > *time,
        }
    }
}

impl FromStr for Expiry {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self> {
        let text = input.trim_matches(' ');
        if text.len() == 10 && !text.contains('T') {
            return text.parse::<Date>().map(Self::Date).map_err(|_| {
                Error::Request(format!(
                    "expiry {} is not a date; write YYYY-MM-DD, or a date and time with its offset (RFC 3339)",
                    crate::text::Shown(input)
                ))
            });
        }
        text.parse::<Moment>().map(Self::At)
    }
}

impl fmt::Display for Expiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::At(moment) => write!(f, "{moment}"),
            Self::Date(date) => write!(f, "{date} (end of day)"),
            Self::Local(time) => write!(f, "{}", time.strftime("%Y-%m-%dT%H:%M (label time)")),
        }
    }
}

impl serde::Serialize for Expiry {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> core::result::Result<S::Ok, S::Error> {
        match self {
            Self::At(moment) => serializer.collect_str(moment),
            Self::Date(date) => serializer.collect_str(date),
            Self::Local(time) => serializer.collect_str(&time.strftime("%Y-%m-%dT%H:%M")),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Expiry {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> core::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl serde::Serialize for Moment {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> core::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
