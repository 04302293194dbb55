//! Volumes of cell product, read with their unit and held exactly in millilitres.

use core::fmt;
use core::str::FromStr;

use num_rational::Ratio;
use rust_decimal::Decimal;
use uom::si::rational64::Volume as UomVolume;
use uom::si::volume::{liter, microliter, milliliter};

use super::{check_bounds, exact_ratio, parse_number_within, serde_via_string, split_unit};
use crate::error::{Error, Result};

/// A volume in millilitres: what a bag holds, what a syringe draws, a measuring step.
///
/// Reads a number with its unit, `mL`, `L` or `µL` (also `uL`): `68mL`, `0.068L`, `100 µL`.
/// A bare number is refused. Writes millilitres: `68 mL`.
///
/// ```
/// use celldose::Volume;
/// assert_eq!("0.068L".parse::<Volume>()?.to_string(), "68 mL");
/// assert_eq!("250uL".parse::<Volume>()?.to_string(), "0.25 mL");
/// assert!("68".parse::<Volume>().is_err());
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Volume(Decimal);
super::scaled::compared_by_value!(Volume);

const WHAT: &str = "volume";
const UNITS: &str = "mL, L or µL (as in 68mL, 0.068L, 250uL)";

/// A unit a volume may be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VolumeUnit {
    Millilitre,
    Litre,
    Microlitre,
}

impl VolumeUnit {
    pub(crate) fn from_symbol(symbol: &str) -> Option<Self> {
        match symbol {
            "mL" | "ml" => Some(Self::Millilitre),
            "L" | "l" => Some(Self::Litre),
            "µL" | "μL" | "uL" | "ul" => Some(Self::Microlitre),
            _ => None,
        }
    }

    /// Millilitres in one of this unit, an exact ratio from uom's unit definitions.
    /// Worked out once and kept, as for masses.
    pub(crate) fn ml_per_unit(self) -> Ratio<i64> {
        static FACTORS: std::sync::OnceLock<[Ratio<i64>; 3]> = std::sync::OnceLock::new();
        let factors = FACTORS.get_or_init(|| {
            let one = Ratio::new(1, 1);
            [
                UomVolume::new::<milliliter>(one).get::<milliliter>(),
                UomVolume::new::<liter>(one).get::<milliliter>(),
                UomVolume::new::<microliter>(one).get::<milliliter>(),
            ]
        });
        let [millilitres, litres, microlitres] = *factors;
        match self {
            Self::Millilitre => millilitres,
            Self::Litre => litres,
            Self::Microlitre => microlitres,
        }
    }
}

impl Volume {
    /// The smallest volume accepted, 0.001 mL (1 µL).
    pub const MIN: Self = Self(Decimal::from_parts(1, 0, 0, false, 3));
    /// The largest volume accepted, 10,000 mL.
    pub const MAX: Self = Self(Decimal::from_parts(10_000, 0, 0, false, 0));
    /// 0.1 mL, the step a syringe is read to unless a protocol or pharmacy says otherwise.
    pub const TENTH_ML: Self = Self(Decimal::from_parts(1, 0, 0, false, 1));

    /// Builds a volume from millilitres.
    ///
    /// # Errors
    /// When `ml` is zero or negative, or outside [`Volume::MIN`] to [`Volume::MAX`].
    ///
    /// ```
    /// use celldose::Volume;
    /// use rust_decimal::Decimal;
    /// assert!(Volume::from_ml(Decimal::new(1, 1)).is_ok());
    /// assert_eq!(
    ///     Volume::from_ml(Decimal::ZERO).unwrap_err().to_string(),
    ///     "volume 0 mL is not above 0 mL; accepted: from 0.001 mL to 10,000 mL (1 × 10⁴ mL)"
    /// );
    /// ```
    pub fn from_ml(ml: Decimal) -> Result<Self> {
        let ml = super::scaled::normalized(ml);
        if ml.is_zero() || ml.is_sign_negative() {
            return Err(Error::OutOfRange {
                what: WHAT,
                value: format!("{ml} mL"),
                problem: "not above 0 mL".into(),
                accepted: format!(
                    "from {} to {}",
                    crate::human::amount(Self::MIN.0, " mL"),
                    crate::human::amount(Self::MAX.0, " mL")
                ),
            });
        }
        check_bounds(WHAT, ml, Self::MIN.0, Self::MAX.0, " mL")?;
        Ok(Self(ml))
    }

    /// The volume in millilitres.
    ///
    /// ```
    /// # use celldose::Volume;
    /// assert_eq!("1.5L".parse::<Volume>()?.ml(), rust_decimal::Decimal::from(1500));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn ml(self) -> Decimal {
        self.0
    }
}

impl FromStr for Volume {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self> {
        let (number, symbol) = split_unit(input);
        let amount = parse_number_within(WHAT, number, input)?;
        if symbol.is_empty() {
            return Err(Error::MissingUnit {
                what: WHAT,
                input: input.to_owned(),
                accepted: UNITS,
            });
        }
        let unit = VolumeUnit::from_symbol(symbol).ok_or_else(|| Error::UnknownUnit {
            what: WHAT,
            input: input.to_owned(),
            unit: symbol.to_owned(),
            accepted: UNITS,
        })?;
        if amount.is_zero() || amount.is_sign_negative() {
            return Self::from_ml(amount);
        }
        let ml =
            exact_ratio::convert(amount, unit.ml_per_unit()).ok_or_else(|| Error::OutOfRange {
                what: WHAT,
                value: format!("{amount} {symbol}"),
                problem: "too large or too precise to convert to millilitres exactly".into(),
                accepted: format!(
                    "from {} to {}",
                    crate::human::amount(Self::MIN.0, " mL"),
                    crate::human::amount(Self::MAX.0, " mL")
                ),
            })?;
        Self::from_ml(ml)
    }
}

impl fmt::Display for Volume {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::digits::write_decimal(f, self.0)?;
        f.write_str(" mL")
    }
}

serde_via_string!(Volume);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_factors_come_exactly_from_uom() {
        assert_eq!(VolumeUnit::Litre.ml_per_unit(), Ratio::new(1000, 1));
        assert_eq!(VolumeUnit::Microlitre.ml_per_unit(), Ratio::new(1, 1000));
        assert_eq!(VolumeUnit::Millilitre.ml_per_unit(), Ratio::new(1, 1));
    }

    #[test]
    fn refusals_name_the_input() {
        let error = |text: &str| text.parse::<Volume>().unwrap_err().to_string();
        assert_eq!(
            error("68"),
            "volume \"68\" has no unit; write it with one of: mL, L or µL (as in 68mL, 0.068L, 250uL)"
        );
        assert_eq!(
            error("68 cc"),
            "volume \"68 cc\" has unit \"cc\", which is not accepted; write it with one of: mL, L or µL (as in 68mL, 0.068L, 250uL)"
        );
        assert_eq!(
            error("-1mL"),
            "volume -1 mL is not above 0 mL; accepted: from 0.001 mL to 10,000 mL (1 × 10⁴ mL)"
        );
        assert_eq!(
            error("20L"),
            "volume 20,000 mL (2 × 10⁴ mL) is above 10,000 mL (1 × 10⁴ mL); accepted: from 0.001 mL to 10,000 mL (1 × 10⁴ mL)"
        );
    }
}
