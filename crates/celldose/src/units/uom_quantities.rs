//! Weights and volumes as uom quantities (`rational64` storage), and back, exactly: a quantity
//! whose value is not an exact decimal celldose holds, or is out of bounds, is refused.

use num_rational::Ratio;
use uom::si::mass::kilogram;
use uom::si::rational64::{Mass, Volume as UomVolume};
use uom::si::volume::milliliter;

use super::exact_ratio::{to_decimal, to_ratio};
use super::{BodyWeight, Volume};
use crate::error::{Error, Result};

/// A uom value that is not an exact decimal.
fn inexact(what: &'static str, value: Ratio<i64>) -> Error {
    Error::OutOfRange {
        what,
        value: format!("{}/{}", value.numer(), value.denom()),
        problem: "not an exact decimal".into(),
        accepted: "a value whose decimal expansion ends".into(),
    }
}

impl BodyWeight {
    /// The weight as a uom mass. `None` only where the kilograms do not fit uom's `i64` ratio.
    ///
    /// ```
    /// use uom::si::mass::kilogram;
    /// let weight: celldose::BodyWeight = "160lb".parse()?;
    /// let mass = weight.to_uom().expect("fits");
    /// assert_eq!(mass.get::<kilogram>(), num_rational::Ratio::new(90718474, 1250000));
    /// assert_eq!(celldose::BodyWeight::from_uom(mass)?, weight);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn to_uom(self) -> Option<Mass> {
        to_ratio(self.kg()).map(Mass::new::<kilogram>)
    }

    /// A weight from a uom mass.
    ///
    /// # Errors
    /// A mass that is not an exact decimal number of kilograms, or outside the weights accepted.
    pub fn from_uom(mass: Mass) -> Result<Self> {
        let kg = mass.get::<kilogram>();
        Self::from_kg(to_decimal(kg).ok_or_else(|| inexact("body weight", kg))?)
    }
}

impl Volume {
    /// The volume as a uom volume. `None` only where the millilitres do not fit uom's `i64`
    /// ratio.
    pub fn to_uom(self) -> Option<UomVolume> {
        to_ratio(self.ml()).map(UomVolume::new::<milliliter>)
    }

    /// A volume from a uom volume.
    ///
    /// # Errors
    /// A volume that is not an exact decimal number of millilitres, or outside the volumes
    /// accepted.
    ///
    /// ```
    /// use uom::si::volume::liter;
    /// let volume = celldose::Volume::from_uom(uom::si::rational64::Volume::new::<liter>(num_rational::Ratio::new(7, 100)))?;
    /// assert_eq!(volume.to_string(), "70 mL");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn from_uom(volume: UomVolume) -> Result<Self> {
        let ml = volume.get::<milliliter>();
        Self::from_ml(to_decimal(ml).ok_or_else(|| inexact("volume", ml))?)
    }
}
