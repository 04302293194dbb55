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
mod dose;
mod exact_ratio;
mod number;
mod percent;
mod volume;

pub use age::AgeYears;
pub use body_weight::{BodyWeight, EnteredWeight, MassUnit};
pub use cell_count::{CellCount, ExactCells};
pub use cells_per_kg::CellsPerKg;
pub use concentration::Concentration;
pub use dose::Dose;
pub use percent::Percent;
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

/// Splits `input` into the number and a trailing unit made of letters (and `/`).
pub(crate) fn split_unit(input: &str) -> (&str, &str) {
    let trimmed = input.trim_matches(' ');
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
    let accepted = || format!("from {min}{unit} to {max}{unit}");
    if value < min {
        return Err(crate::Error::OutOfRange {
            what,
            value: format!("{value}{unit}"),
            problem: if value.is_sign_negative() && min.is_zero() {
                "negative".into()
            } else {
                format!("below {min}{unit}")
            },
            accepted: accepted(),
        });
    }
    if value > max {
        return Err(crate::Error::OutOfRange {
            what,
            value: format!("{value}{unit}"),
            problem: format!("above {max}{unit}"),
            accepted: accepted(),
        });
    }
    Ok(())
}
