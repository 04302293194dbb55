//! Cell concentration of a product, read with its volume unit and held in cells per millilitre.

use core::fmt;
use core::str::FromStr;

use num_rational::Ratio;
use rust_decimal::Decimal;

use super::volume::VolumeUnit;
use super::{check_bounds, exact_ratio, parse_number_within, serde_via_string, split_unit};
use crate::error::{Error, Result};

/// Cells per millilitre of product, as a certificate states it.
///
/// Reads a count per volume unit: `2.5e6/mL`, `2.5e9/L`, `2.5x10^6 cells/mL`, `2500/uL`.
/// Writes cells per millilitre: `2500000/mL`.
///
/// ```
/// use celldose::Concentration;
/// assert_eq!("2.5e9/L".parse::<Concentration>()?.to_string(), "2500000/mL");
/// assert!("2.5e6".parse::<Concentration>().is_err()); // per what volume?
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Concentration(Decimal);
super::scaled::compared_by_value!(Concentration);

const WHAT: &str = "concentration";
const UNITS: &str = "cells per mL, L or µL (as in 2.5e6/mL, 2.5e9/L)";

impl Concentration {
    /// The largest concentration accepted, 10¹² cells/mL.
    pub const MAX: Self = Self(Decimal::from_parts(3_567_587_328, 232, 0, false, 0));

    /// Builds a concentration from cells per millilitre.
    ///
    /// # Errors
    /// When `per_ml` is zero or negative, or above [`Concentration::MAX`].
    ///
    /// ```
    /// use celldose::Concentration;
    /// use rust_decimal::Decimal;
    /// assert!(Concentration::per_ml(Decimal::from(2_500_000)).is_ok());
    /// assert_eq!(
    ///     Concentration::per_ml(Decimal::ZERO).unwrap_err().to_string(),
    ///     "concentration 0 cells/mL is not above 0 cells/mL; accepted: above 0 cells/mL, up to 1000000000000 cells/mL"
    /// );
    /// ```
    pub fn per_ml(per_ml: Decimal) -> Result<Self> {
        let per_ml = super::scaled::normalized(per_ml);
        if per_ml.is_zero() || per_ml.is_sign_negative() {
            return Err(Error::OutOfRange {
                what: WHAT,
                value: format!("{per_ml} cells/mL"),
                problem: "not above 0 cells/mL".into(),
                accepted: format!("above 0 cells/mL, up to {} cells/mL", Self::MAX.0),
            });
        }
        check_bounds(WHAT, per_ml, Decimal::ZERO, Self::MAX.0, " cells/mL")?;
        Ok(Self(per_ml))
    }

    /// Cells per millilitre.
    ///
    /// ```
    /// # use celldose::Concentration;
    /// assert_eq!("2500/uL".parse::<Concentration>()?.get(), rust_decimal::Decimal::from(2_500_000));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn get(self) -> Decimal {
        self.0
    }
}

impl FromStr for Concentration {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self> {
        let (number, unit) = split_unit(input);
        let amount = parse_number_within(WHAT, number, input)?;
        let per = unit.strip_prefix("cells").unwrap_or(unit);
        let Some(volume_symbol) = per.strip_prefix('/') else {
            return Err(Error::MissingUnit {
                what: WHAT,
                input: input.to_owned(),
                accepted: UNITS,
            });
        };
        let volume = VolumeUnit::from_symbol(volume_symbol).ok_or_else(|| Error::UnknownUnit {
            what: WHAT,
            input: input.to_owned(),
            unit: unit.to_owned(),
            accepted: UNITS,
        })?;
        if amount.is_zero() || amount.is_sign_negative() {
            return Self::per_ml(amount);
        }
        // Cells per unit ÷ millilitres per unit = cells per millilitre.
        let per_unit = volume.ml_per_unit();
        let factor = Ratio::new(*per_unit.denom(), *per_unit.numer());
        let per_ml = exact_ratio::convert(amount, factor).ok_or_else(|| Error::OutOfRange {
            what: WHAT,
            value: input.trim().to_owned(),
            problem: "too large or too precise to convert to cells/mL exactly".into(),
            accepted: format!("above 0 cells/mL, up to {} cells/mL", Self::MAX.0),
        })?;
        Self::per_ml(per_ml)
    }
}

impl fmt::Display for Concentration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::digits::write_decimal(f, self.0)?;
        f.write_str("/mL")
    }
}

serde_via_string!(Concentration);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_volume_unit_converts_exactly() {
        for text in [
            "2.5e6/mL",
            "2.5x10^6 cells/mL",
            "2.5e9/L",
            "2500/uL",
            "2500/µL",
        ] {
            assert_eq!(
                text.parse::<Concentration>()
                    .map(|c| c.to_string())
                    .ok()
                    .as_deref(),
                Some("2500000/mL"),
                "{text}"
            );
        }
    }

    #[test]
    fn refusals_name_the_input() {
        let error = |text: &str| text.parse::<Concentration>().unwrap_err().to_string();
        assert_eq!(
            error("2.5e6"),
            "concentration \"2.5e6\" has no unit; write it with one of: cells per mL, L or µL (as in 2.5e6/mL, 2.5e9/L)"
        );
        assert_eq!(
            error("2.5e6/kg"),
            "concentration \"2.5e6/kg\" has unit \"/kg\", which is not accepted; write it with one of: cells per mL, L or µL (as in 2.5e6/mL, 2.5e9/L)"
        );
        assert_eq!(
            error("0/mL"),
            "concentration 0 cells/mL is not above 0 cells/mL; accepted: above 0 cells/mL, up to 1000000000000 cells/mL"
        );
        assert_eq!(
            error("-2e6/mL"),
            "concentration -2000000 cells/mL is not above 0 cells/mL; accepted: above 0 cells/mL, up to 1000000000000 cells/mL"
        );
    }
}
