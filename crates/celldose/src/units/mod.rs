//! Clinical values whose unit is part of their type, and the strict grammar that reads them.
//!
//! Every type here holds an exact [`Decimal`](rust_decimal::Decimal), can only be built through a
//! fallible constructor that enforces its documented bounds, and reads and writes itself through
//! an exact `FromStr`/`Display` pair that serde uses too.

mod age;
mod body_weight;
mod cell_count;
mod cells_per_kg;
mod concentration;
mod counted;
mod dose;
mod exact_ratio;
pub(crate) mod fraction;
mod measure;
mod minutes;
mod moment;
mod number;
mod percent;
mod rounding;
pub(crate) mod scaled;
mod thaw;
#[cfg(feature = "uom")]
mod uom_quantities;
mod volume;

pub use age::{AgeFromBirth, AgeYears};
pub(crate) use age::{parse_date, today_utc};
pub use body_weight::{BodyWeight, EnteredWeight, MassUnit};
pub use cell_count::{CellCount, ExactCells};
pub use cells_per_kg::CellsPerKg;
pub use concentration::Concentration;
pub use counted::Counted;
pub use dose::Dose;
pub use measure::{
    Density, DmsoAmount, DmsoLimit, DmsoMillilitresPerKg, DmsoMlPerKg, DmsoPerKg, EndotoxinPerKg,
    EndotoxinPerMl, EuPerKg, EuPerMl, GramsPerKg, GramsPerMl, MeasureUnit, Measured,
    MillilitresPerKg, VolumePerKg,
};
pub use minutes::Minutes;
pub use moment::{Expiry, Moment};
pub use percent::Percent;
pub use rounding::Rounding;
pub use thaw::{Handling, ThawClock};
pub use volume::Volume;

pub(crate) use number::{parse_number, parse_number_within};

/// Implements serde through the type's `Display`/`FromStr` pair, so the wire form is the exact
/// string and never a binary float.
macro_rules! serde_via_string {
    ($type:ty) => {
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use serde_via_string;

/// Like [`serde_via_string`] for a type whose text is its decimal without trailing zeros: the
/// text is made on the stack and handed to the serializer whole.
macro_rules! serde_via_decimal {
    ($type:ty) => {
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str($crate::digits::DecimalText::new(self.0).as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use serde_via_decimal;

/// Splits `input` into the number and a trailing unit made of letters (and `/`).
pub(crate) fn split_unit(input: &str) -> (&str, &str) {
    split_unit_ascii(input).unwrap_or_else(|| split_unit_by_chars(input.trim_matches(' ')))
}

/// [`split_unit`] byte by byte, for the common case in ASCII: the unit is the letters and
/// slashes at the end. `None` where a byte beyond ASCII comes before them (`µg`, a letter of
/// another script), which the char-by-char split decides.
fn split_unit_ascii(input: &str) -> Option<(&str, &str)> {
    let bytes = input.as_bytes();
    let mut end = bytes.len();
    while end > 0 && bytes.get(end.saturating_sub(1)) == Some(&b' ') {
        end = end.saturating_sub(1);
    }
    let mut unit_start = end;
    while let Some(byte) = bytes.get(unit_start.wrapping_sub(1)) {
        if !(byte.is_ascii_alphabetic() || *byte == b'/') {
            break;
        }
        unit_start = unit_start.saturating_sub(1);
    }
    let mut number_end = unit_start;
    while number_end > 0 && bytes.get(number_end.saturating_sub(1)) == Some(&b' ') {
        number_end = number_end.saturating_sub(1);
    }
    let mut start = 0;
    while start < number_end && bytes.get(start) == Some(&b' ') {
        start = start.saturating_add(1);
    }
    let ascii_before = unit_start == 0
        || bytes
            .get(unit_start.saturating_sub(1))
            .is_some_and(u8::is_ascii);
    if !ascii_before {
        return None;
    }
    Some((input.get(start..number_end)?, input.get(unit_start..end)?))
}

/// [`split_unit`] char by char: a unit may hold any letter, and `µ`.
fn split_unit_by_chars(trimmed: &str) -> (&str, &str) {
    let unit_start = trimmed
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphabetic() || *c == '/' || *c == 'µ')
        .last()
        .map_or(trimmed.len(), |(index, _)| index);
    let (number, unit) = trimmed.split_at(unit_start);
    (number.trim_end_matches(' '), unit)
}

/// Checks `value` against inclusive bounds, naming the parameter on failure.
pub(crate) fn check_bounds(
    what: &'static str,
    value: rust_decimal::Decimal,
    min: rust_decimal::Decimal,
    max: rust_decimal::Decimal,
    unit: &str,
) -> crate::Result<()> {
    let show = |value| crate::human::amount(value, unit);
    let accepted = || format!("from {} to {}", show(min), show(max));
    if scaled::compare(value, min).is_lt() {
        return Err(crate::Error::OutOfRange {
            what,
            value: show(value),
            problem: if value.is_sign_negative() && min.is_zero() {
                "negative".into()
            } else {
                format!("below {}", show(min))
            },
            accepted: accepted(),
        });
    }
    if scaled::compare(value, max).is_gt() {
        return Err(crate::Error::OutOfRange {
            what,
            value: show(value),
            problem: format!("above {}", show(max)),
            accepted: accepted(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    proptest::proptest! {
        /// Byte by byte or char by char, a text splits the same way.
        #[test]
        fn a_unit_splits_off_the_same_in_ascii_and_in_any_script(
            text in "[0-9 .a-zA-Z/µμ٣Ωé]{0,12}",
        ) {
            let trimmed = text.trim_matches(' ');
            let (number, unit) = split_unit_by_chars(trimmed);
            proptest::prop_assert_eq!(split_unit(&text), (number.trim_end_matches(' '), unit));
        }
    }

    #[test]
    fn an_ascii_unit_is_split_byte_by_byte() {
        for (input, parts) in [
            ("72.5kg", ("72.5", "kg")),
            (" 72.5 kg ", ("72.5", "kg")),
            ("  kg", ("", "kg")),
            ("   ", ("", "")),
            ("1.6x10^7/kg", ("1.6x10^7", "/kg")),
            ("12", ("12", "")),
        ] {
            assert_eq!(split_unit_ascii(input), Some(parts), "{input:?}");
        }
        // A letter beyond ASCII before the unit is left to the char-by-char split.
        assert_eq!(split_unit_ascii("5µg"), None);
        assert_eq!(split_unit_ascii("5 µkg"), None);
    }

    #[test]
    fn a_unit_is_the_letters_at_the_end() {
        assert_eq!(split_unit(" 72.5 kg "), ("72.5", "kg"));
        assert_eq!(split_unit("1.6x10^7/kg"), ("1.6x10^7", "/kg"));
        assert_eq!(split_unit("5µg"), ("5", "µg"));
        assert_eq!(split_unit("1e9cells"), ("1e9", "cells"));
        assert_eq!(split_unit("kg"), ("", "kg"));
        assert_eq!(split_unit("12"), ("12", ""));
    }

    #[test]
    fn check_bounds_names_the_direction_and_calls_only_a_value_below_zero_negative() {
        let error = |value: i64, min: i64| {
            check_bounds(
                "value",
                Decimal::from(value),
                Decimal::from(min),
                Decimal::from(10),
                " u",
            )
            .unwrap_err()
            .to_string()
        };
        assert_eq!(
            error(-1, 0),
            "value -1 u is negative; accepted: from 0 u to 10 u"
        );
        assert_eq!(
            error(-1, 2),
            "value -1 u is below 2 u; accepted: from 2 u to 10 u"
        );
        assert_eq!(
            error(1, 2),
            "value 1 u is below 2 u; accepted: from 2 u to 10 u"
        );
        assert_eq!(
            error(11, 0),
            "value 11 u is above 10 u; accepted: from 0 u to 10 u"
        );
        assert!(
            check_bounds(
                "value",
                Decimal::from(2),
                Decimal::from(2),
                Decimal::from(10),
                ""
            )
            .is_ok()
        );
        assert!(
            check_bounds(
                "value",
                Decimal::from(10),
                Decimal::from(2),
                Decimal::from(10),
                ""
            )
            .is_ok()
        );
    }
}
