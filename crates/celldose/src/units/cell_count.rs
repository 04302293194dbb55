//! Numbers of cells: the whole count that is dispensed, and the exact amount before rounding.

use core::fmt;
use core::str::FromStr;

use rust_decimal::Decimal;

use super::Rounding;
use super::{check_bounds, parse_number_within, serde_via_decimal, split_unit};
use crate::error::{Error, Result};

/// A whole number of cells: what a pharmacist dispenses or a certificate reports.
///
/// Reads the strict number grammar with an optional `cells` unit: `1160000000`, `1.16e9`,
/// `1.16x10^9`, `1.16×10^9`, `1.16e9 cells`. Writes plain digits, so `Display` and `FromStr`
/// are an exact pair.
///
/// ```
/// use celldose::CellCount;
/// let count: CellCount = "1.16x10^9".parse()?;
/// assert_eq!(count.to_string(), "1160000000");
/// assert!("1.5e9/kg".parse::<CellCount>().is_err()); // a per-kg dose is not a count
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CellCount(Decimal);
super::scaled::compared_by_value!(CellCount);

/// An exact amount of cells, which may have a fractional part: weight × dose per kg before it
/// is rounded to whole cells.
///
/// ```
/// use celldose::{ExactCells, Rounding};
/// let exact: ExactCells = "72574779.2".parse()?;
/// assert_eq!(exact.round(Rounding::HalfAwayFromZero)?.to_string(), "72574779");
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ExactCells(Decimal);
super::scaled::compared_by_value!(ExactCells);

const WHAT: &str = "cell count";

/// [`CellCount::MAX`] as a whole number.
const MAX_MANTISSA: i128 = 1_000_000_000_000_000;

/// Checks an amount of cells against 0 and [`CellCount::MAX`]. A non-negative value whose
/// mantissa is at most the maximum is inside whatever its scale (a scale only divides), which
/// settles every amount a dose gives with one integer comparison; the rest are compared as
/// decimals, and a refusal says why.
fn check_cells(cells: Decimal) -> Result<()> {
    let mantissa = cells.mantissa();
    if (0..=MAX_MANTISSA).contains(&mantissa) {
        return Ok(());
    }
    check_bounds(WHAT, cells, Decimal::ZERO, CellCount::MAX.0, " cells")
}

impl CellCount {
    /// No cells.
    pub const ZERO: Self = Self(Decimal::ZERO);
    /// The largest count accepted: 10¹⁵ cells, far above any cell-therapy dose.
    pub const MAX: Self = Self(Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0));

    /// Builds a count from a whole, non-negative number of cells.
    ///
    /// # Errors
    /// When `cells` is negative, has a fractional part, or is above [`CellCount::MAX`].
    ///
    /// ```
    /// use celldose::CellCount;
    /// use rust_decimal::Decimal;
    /// assert!(CellCount::new(Decimal::from(150_000_000)).is_ok());
    /// assert!(CellCount::new(Decimal::new(15, 1)).is_err());
    /// ```
    pub fn new(cells: Decimal) -> Result<Self> {
        check_cells(cells)?;
        if !super::scaled::is_whole(cells) {
            return Err(Error::OutOfRange {
                what: WHAT,
                value: format!("{} cells", cells.normalize()),
                problem: "not a whole number".into(),
                accepted: "a whole number of cells".into(),
            });
        }
        Ok(Self(super::scaled::normalized(cells)))
    }

    /// The number of cells.
    ///
    /// ```
    /// # use celldose::CellCount;
    /// let count: CellCount = "5e7".parse()?;
    /// assert_eq!(count.get(), rust_decimal::Decimal::from(50_000_000));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn get(self) -> Decimal {
        self.0
    }

    /// The count as an exact amount, for arithmetic with other exact amounts.
    ///
    /// ```
    /// # use celldose::CellCount;
    /// let count: CellCount = "5e7".parse()?;
    /// assert_eq!(count.exact().to_string(), "50000000");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn exact(self) -> ExactCells {
        ExactCells(self.0)
    }

    /// This count times a whole number, e.g. a per-infusion amount times the infusions.
    ///
    /// # Errors
    /// When the product is above [`CellCount::MAX`].
    ///
    /// ```
    /// # use celldose::CellCount;
    /// let per_infusion: CellCount = "7.25e7".parse()?;
    /// assert_eq!(per_infusion.checked_mul(4)?.to_string(), "290000000");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn checked_mul(self, times: u32) -> Result<Self> {
        let product = self
            .0
            .checked_mul(Decimal::from(times))
            .ok_or_else(|| Error::Overflow {
                operation: "cell count multiplication",
                detail: format!("{} cells × {times}", self.0),
            })?;
        Self::new(product)
    }
}

impl ExactCells {
    /// No cells.
    pub const ZERO: Self = Self(Decimal::ZERO);
    /// The largest amount accepted, the same as [`CellCount::MAX`].
    pub const MAX: Self = Self(CellCount::MAX.0);

    /// Builds an exact, non-negative amount of cells.
    ///
    /// # Errors
    /// When `cells` is negative or above [`ExactCells::MAX`].
    ///
    /// ```
    /// use celldose::ExactCells;
    /// use rust_decimal::Decimal;
    /// assert!(ExactCells::new(Decimal::new(725747792, 1)).is_ok());
    /// assert!(ExactCells::new(Decimal::from(-1)).is_err());
    /// ```
    pub fn new(cells: Decimal) -> Result<Self> {
        check_cells(cells)?;
        Ok(Self(super::scaled::normalized(cells)))
    }

    /// The exact amount.
    ///
    /// ```
    /// # use celldose::ExactCells;
    /// let exact: ExactCells = "0.5".parse()?;
    /// assert_eq!(exact.get(), rust_decimal::Decimal::new(5, 1));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn get(self) -> Decimal {
        self.0
    }

    /// Rounds to whole cells with the named strategy.
    ///
    /// # Errors
    /// Never for an amount within bounds; the `Result` guards the count's own bounds.
    ///
    /// ```
    /// use celldose::{ExactCells, Rounding};
    /// let exact: ExactCells = "10.5".parse()?;
    /// assert_eq!(exact.round(Rounding::HalfEven)?.to_string(), "10");
    /// assert_eq!(exact.round(Rounding::HalfAwayFromZero)?.to_string(), "11");
    /// assert_eq!(exact.round(Rounding::Down)?.to_string(), "10");
    /// assert_eq!(exact.round(Rounding::Up)?.to_string(), "11");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn round(self, rounding: Rounding) -> Result<CellCount> {
        CellCount::new(rounding.to_whole(self.0))
    }

    /// Whether the amount is a whole number of cells.
    ///
    /// ```
    /// # use celldose::ExactCells;
    /// assert!("12".parse::<ExactCells>()?.is_whole());
    /// assert!(!"12.5".parse::<ExactCells>()?.is_whole());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn is_whole(self) -> bool {
        super::scaled::is_whole(self.0)
    }
}

fn parse_cells(input: &str) -> Result<Decimal> {
    let (number, unit) = split_unit(input);
    if number.is_empty() {
        return parse_number_within(WHAT, number, input);
    }
    match unit {
        "" | "cells" | "cell" => {}
        "/kg" | "cells/kg" => {
            return Err(Error::UnknownUnit {
                what: WHAT,
                input: input.to_owned(),
                unit: unit.to_owned(),
                accepted: "a total number of cells, without /kg (a per-kg dose is not a count)",
            });
        }
        _ => {
            return Err(Error::UnknownUnit {
                what: WHAT,
                input: input.to_owned(),
                unit: unit.to_owned(),
                accepted: "no unit, or cells",
            });
        }
    }
    parse_number_within(WHAT, number, input)
}

impl FromStr for CellCount {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self> {
        Self::new(parse_cells(input)?)
    }
}

impl FromStr for ExactCells {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self> {
        Self::new(parse_cells(input)?)
    }
}

impl fmt::Display for CellCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::digits::write_decimal(f, self.0)
    }
}

impl fmt::Display for ExactCells {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::digits::write_decimal(f, self.0)
    }
}

serde_via_decimal!(CellCount);
serde_via_decimal!(ExactCells);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_integer_bound_is_the_maximum_and_agrees_with_the_decimal_one() {
        assert_eq!(CellCount::MAX.0.mantissa(), MAX_MANTISSA);
        assert_eq!(CellCount::MAX.0.scale(), 0);
        // Either side of the edge, at several scales, the two checks agree.
        for scale in 0..=6u32 {
            for delta in [-1i64, 0, 1] {
                let mantissa = i128::from(delta)
                    .checked_add(MAX_MANTISSA.checked_mul(10i128.pow(scale)).unwrap())
                    .unwrap();
                let value = Decimal::from_i128_with_scale(mantissa, scale);
                let slow = check_bounds(WHAT, value, Decimal::ZERO, CellCount::MAX.0, " cells");
                assert_eq!(check_cells(value).is_ok(), slow.is_ok(), "{value}");
                assert!(check_cells(-value).is_err(), "{value}");
            }
        }
    }

    #[test]
    fn max_is_ten_to_the_fifteen() {
        assert_eq!(
            CellCount::MAX.get(),
            Decimal::from(1_000_000_000_000_000u64)
        );
    }

    #[test]
    fn refuses_negative_fractional_and_huge_counts() {
        let message = |text: &str| {
            text.parse::<CellCount>()
                .map(|_| ())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            message("-5"),
            "cell count -5 cells is negative; accepted: from 0 cells to 1,000,000,000,000,000 cells (1 × 10¹⁵ cells)"
        );
        assert!(message("1.5").contains("not a whole number"));
        assert!(message("1e16").contains("above 1,000,000,000,000,000 cells (1 × 10¹⁵ cells)"));
        assert!(message("5e7/kg").contains("a per-kg dose is not a count"));
        assert!(message("5e7 mL").contains("has unit \"mL\""));
    }

    #[test]
    fn reads_an_optional_cells_unit() {
        assert_eq!(
            "1.16e9 cells"
                .parse::<CellCount>()
                .map(|c| c.to_string())
                .ok(),
            Some("1160000000".into())
        );
    }
}
