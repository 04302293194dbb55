//! A dose per kilogram of body weight.

use core::fmt;
use core::str::FromStr;

use rust_decimal::Decimal;

use super::{
    BodyWeight, ExactCells, check_bounds, parse_number_within, serde_via_string, split_unit,
};
use crate::error::{Error, Result};

/// Cells per kilogram of body weight.
///
/// Reads the strict number grammar followed by `/kg` (or `cells/kg`), which is required so a
/// per-kg dose can never be read as a total: `1.6e7/kg`, `1.6x10^7/kg`, `16000000 cells/kg`.
/// Writes `16000000/kg`.
///
/// ```
/// use celldose::CellsPerKg;
/// let dose: CellsPerKg = "1.6x10^7/kg".parse()?;
/// assert_eq!(dose.to_string(), "16000000/kg");
/// assert!("1.6e7".parse::<CellsPerKg>().is_err()); // no /kg: a total, not a per-kg dose
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CellsPerKg(Decimal);
super::scaled::compared_by_value!(CellsPerKg);

const WHAT: &str = "dose per kg";

impl CellsPerKg {
    /// The largest dose per kg accepted: 10¹² cells/kg.
    pub const MAX: Self = Self(Decimal::from_parts(3_567_587_328, 232, 0, false, 0));

    /// Builds a dose per kg from a non-negative number of cells per kilogram.
    ///
    /// # Errors
    /// When `cells_per_kg` is negative or above [`CellsPerKg::MAX`].
    ///
    /// ```
    /// use celldose::CellsPerKg;
    /// use rust_decimal::Decimal;
    /// assert!(CellsPerKg::new(Decimal::from(1_000_000)).is_ok());
    /// assert!(CellsPerKg::new(Decimal::from(-1)).is_err());
    /// ```
    pub fn new(cells_per_kg: Decimal) -> Result<Self> {
        check_bounds(WHAT, cells_per_kg, Decimal::ZERO, Self::MAX.0, " cells/kg")?;
        Ok(Self(super::scaled::normalized(cells_per_kg)))
    }

    /// The number of cells per kilogram.
    ///
    /// ```
    /// # use celldose::CellsPerKg;
    /// let dose: CellsPerKg = "1e6/kg".parse()?;
    /// assert_eq!(dose.get(), rust_decimal::Decimal::from(1_000_000));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn get(self) -> Decimal {
        self.0
    }

    /// The exact number of cells for a patient of this weight.
    ///
    /// # Errors
    /// When the product is above [`ExactCells::MAX`].
    ///
    /// ```
    /// use celldose::{BodyWeight, CellsPerKg};
    /// let dose: CellsPerKg = "1.6e7/kg".parse()?;
    /// let weight: BodyWeight = "72.5kg".parse()?;
    /// assert_eq!(dose.checked_for(weight)?.to_string(), "1160000000");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn checked_for(self, weight: BodyWeight) -> Result<ExactCells> {
        let product =
            super::scaled::product(self.0, weight.kg()).ok_or_else(|| Error::Overflow {
                operation: "dose for body weight",
                detail: format!("{} cells/kg × {} kg", self.0, weight.kg()),
            })?;
        ExactCells::new(product)
    }

    /// The dose per kg that an exact amount of cells gives a patient of this weight.
    ///
    /// # Errors
    /// When the quotient cannot be represented.
    ///
    /// ```
    /// use celldose::{BodyWeight, CellsPerKg, ExactCells};
    /// let cells: ExactCells = "1160000000".parse()?;
    /// let weight: BodyWeight = "72.5kg".parse()?;
    /// assert_eq!(CellsPerKg::checked_from(cells, weight)?.to_string(), "16000000/kg");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn checked_from(cells: ExactCells, weight: BodyWeight) -> Result<Self> {
        let quotient = cells
            .get()
            .checked_div(weight.kg())
            .ok_or_else(|| Error::Overflow {
                operation: "dose per kg",
                detail: format!("{} cells ÷ {} kg", cells.get(), weight.kg()),
            })?;
        Self::new(quotient)
    }
}

impl CellsPerKg {
    /// The dose per kg an exact amount of cells gives a patient of this weight, rounded half
    /// away from zero to `places` decimal places: the figure a report shows.
    ///
    /// # Errors
    /// When the quotient cannot be represented.
    ///
    /// ```
    /// use celldose::{BodyWeight, CellsPerKg, ExactCells};
    /// let cells: ExactCells = "1200000000".parse()?;
    /// let weight: BodyWeight = "72.5kg".parse()?;
    /// assert_eq!(CellsPerKg::rounded_from(cells, weight, 2)?.to_string(), "16551724.14/kg");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn rounded_from(cells: ExactCells, weight: BodyWeight, places: u32) -> Result<Self> {
        let quotient = super::Rounding::HalfAwayFromZero
            .quotient(cells.get(), weight.kg(), places)
            .ok_or_else(|| Error::Overflow {
                operation: "dose per kg",
                detail: format!("{} cells ÷ {} kg", cells.get(), weight.kg()),
            })?;
        Self::new(quotient)
    }
}

impl FromStr for CellsPerKg {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self> {
        let (number, unit) = split_unit(input);
        if number.is_empty() {
            return parse_number_within(WHAT, number, input).and_then(Self::new);
        }
        match unit {
            "/kg" | "cells/kg" => {}
            "" | "cells" => {
                return Err(Error::MissingUnit {
                    what: WHAT,
                    input: input.to_owned(),
                    accepted: "/kg after the number, as in 1.6e7/kg",
                });
            }
            _ => {
                return Err(Error::UnknownUnit {
                    what: WHAT,
                    input: input.to_owned(),
                    unit: unit.to_owned(),
                    accepted: "/kg, as in 1.6e7/kg",
                });
            }
        }
        let value = parse_number_within(WHAT, number, input)?;
        Self::new(value)
    }
}

impl fmt::Display for CellsPerKg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::digits::write_decimal(f, self.0)?;
        f.write_str("/kg")
    }
}

serde_via_string!(CellsPerKg);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_is_ten_to_the_twelve() {
        assert_eq!(CellsPerKg::MAX.get(), Decimal::from(1_000_000_000_000u64));
    }

    #[test]
    fn requires_per_kg() {
        let error = "1.6e7"
            .parse::<CellsPerKg>()
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "dose per kg \"1.6e7\" has no unit; write it with one of: /kg after the number, as in 1.6e7/kg"
        );
        assert!("1.6e7/lb".parse::<CellsPerKg>().is_err());
        assert!(".5/kg".parse::<CellsPerKg>().is_err());
    }
}
