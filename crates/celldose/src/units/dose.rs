//! A requested dose: either a total count or an amount per kilogram.

use core::fmt;
use core::str::FromStr;

use super::{BodyWeight, CellCount, CellsPerKg, ExactCells, serde_via_string, split_unit};
use crate::error::{Error, Result};

/// A dose as a protocol or a prescriber states it: a total number of cells, or cells per kg.
///
/// The two are told apart only by the `/kg` unit, which is never implied.
///
/// ```
/// use celldose::Dose;
/// assert!(matches!("5e7/kg".parse::<Dose>()?, Dose::PerKg(_)));
/// assert!(matches!("1.5x10^9".parse::<Dose>()?, Dose::Total(_)));
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dose {
    /// A fixed number of cells, whatever the weight.
    Total(CellCount),
    /// A number of cells per kilogram of body weight.
    PerKg(CellsPerKg),
}

impl Dose {
    /// The exact number of cells this dose gives a patient of this weight.
    ///
    /// # Errors
    /// When the product overflows the largest amount accepted.
    ///
    /// ```
    /// use celldose::{BodyWeight, Dose};
    /// let weight: BodyWeight = "80kg".parse()?;
    /// assert_eq!("1e6/kg".parse::<Dose>()?.cells_for(weight)?.to_string(), "80000000");
    /// assert_eq!("1.5e9".parse::<Dose>()?.cells_for(weight)?.to_string(), "1500000000");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn cells_for(self, weight: BodyWeight) -> Result<ExactCells> {
        match self {
            Self::Total(count) => Ok(count.exact()),
            Self::PerKg(per_kg) => per_kg.checked_for(weight),
        }
    }

    /// Whether the dose is no cells at all.
    ///
    /// ```
    /// # use celldose::Dose;
    /// assert!("0".parse::<Dose>()?.is_zero());
    /// assert!(!"1e6/kg".parse::<Dose>()?.is_zero());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn is_zero(self) -> bool {
        match self {
            Self::Total(count) => count.get().is_zero(),
            Self::PerKg(per_kg) => per_kg.get().is_zero(),
        }
    }

    /// Whether the dose is stated per kilogram.
    ///
    /// ```
    /// # use celldose::Dose;
    /// assert!("1e6/kg".parse::<Dose>()?.is_per_kg());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn is_per_kg(self) -> bool {
        matches!(self, Self::PerKg(_))
    }
}

impl FromStr for Dose {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self> {
        let (_, unit) = split_unit(input);
        if unit.ends_with("/kg") {
            Ok(Self::PerKg(input.parse()?))
        } else {
            input.parse().map(Self::Total).map_err(|error| match error {
                Error::UnknownUnit {
                    what, input, unit, ..
                } => Error::UnknownUnit {
                    what,
                    input,
                    unit,
                    accepted: "a count of cells (1.5e9) or a dose per kg (5e7/kg)",
                },
                other => other,
            })
        }
    }
}

impl fmt::Display for Dose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Total(count) => fmt::Display::fmt(count, f),
            Self::PerKg(per_kg) => fmt::Display::fmt(per_kg, f),
        }
    }
}

serde_via_string!(Dose);
