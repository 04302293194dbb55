//! The few measured quantities of what goes into a patient besides the counted cells: DMSO and
//! fluid volume per kg, endotoxin per kg and per mL, and the density that turns DMSO millilitres
//! into grams. Each is a non-negative decimal with one fixed unit, written with it.

use core::fmt;
use core::marker::PhantomData;
use core::str::FromStr;

use rust_decimal::Decimal;

use super::{check_bounds, parse_number_within, split_unit};
use crate::error::{Error, Result};

/// What a measured quantity is and the one unit it is written in.
pub trait MeasureUnit: sealed::Sealed {
    /// What the value is, for messages: `maximum DMSO per kg`.
    const WHAT: &'static str;
    /// The unit, as written after the number: `g/kg`.
    const UNIT: &'static str;
    /// The largest value accepted.
    const MAX: Decimal;
}

/// The units are celldose's own: no other crate can add one, so every amount in a unit keeps
/// the bounds and words defined here.
mod sealed {
    pub trait Sealed {}
}

/// A non-negative amount in the unit `U`, read and written with its unit: `1 g/kg`.
///
/// ```
/// use celldose::units::DmsoPerKg;
/// let limit: DmsoPerKg = "1 g/kg".parse()?;
/// assert_eq!(limit.to_string(), "1 g/kg");
/// assert_eq!(limit.get(), rust_decimal::Decimal::ONE);
/// assert!("1".parse::<DmsoPerKg>().is_err()); // the unit is required
/// assert!("1 mL/kg".parse::<DmsoPerKg>().is_err()); // and must be this one (see DmsoLimit)
/// # Ok::<(), celldose::Error>(())
/// ```
pub struct Measured<U: MeasureUnit>(Decimal, PhantomData<U>);

/// Grams of DMSO per kg of body weight (a protocol's daily maximum).
pub type DmsoPerKg = Measured<GramsPerKg>;
/// Millilitres of infused product per kg of body weight.
pub type VolumePerKg = Measured<MillilitresPerKg>;
/// Endotoxin units per kg of body weight.
pub type EndotoxinPerKg = Measured<EuPerKg>;
/// Endotoxin units per mL of product, as a certificate states them.
pub type EndotoxinPerMl = Measured<EuPerMl>;
/// The density of DMSO, in grams per mL.
pub type Density = Measured<GramsPerMl>;
/// Millilitres of DMSO per kg of body weight (a protocol's daily maximum written by volume).
pub type DmsoMlPerKg = Measured<DmsoMillilitresPerKg>;

/// A protocol's daily DMSO maximum per kg, as the site writes it: in grams (`"1 g/kg"`) or in
/// millilitres (`"1 mL/kg"`). It is compared in its own unit: DMSO grams against a limit in
/// grams, DMSO millilitres against one in millilitres, so no conversion rounds the comparison.
///
/// ```
/// use celldose::units::DmsoLimit;
/// let by_volume: DmsoLimit = "1 mL/kg".parse()?;
/// assert_eq!(by_volume.to_string(), "1 mL/kg");
/// assert_eq!("1 g/kg".parse::<DmsoLimit>()?.to_string(), "1 g/kg");
/// assert!("1 mg/kg".parse::<DmsoLimit>().unwrap_err().to_string().contains("g/kg or mL/kg"));
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DmsoLimit {
    /// Grams of DMSO per kg.
    Grams(DmsoPerKg),
    /// Millilitres of DMSO per kg.
    Millilitres(DmsoMlPerKg),
}

/// DMSO already given to the patient on the day of an infusion, in grams (`"7.7g"`) or
/// millilitres (`"7mL"`), summed with the infusion's own against the protocol's daily limit.
///
/// ```
/// use celldose::units::DmsoAmount;
/// assert_eq!("7.7g".parse::<DmsoAmount>()?.to_string(), "7.7 g");
/// assert_eq!("7 mL".parse::<DmsoAmount>()?.to_string(), "7 mL");
/// assert!("7".parse::<DmsoAmount>().is_err());
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DmsoAmount {
    /// Grams of DMSO.
    Grams(Decimal),
    /// Millilitres of DMSO.
    Millilitres(Decimal),
}

/// The most DMSO accepted as given on one day, in either unit.
const DMSO_AMOUNT_MAX: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

impl FromStr for DmsoAmount {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self> {
        const WHAT: &str = "DMSO given";
        const ACCEPTED: &str = "g or mL (as in 7.7g, 7mL)";
        let (number, unit) = split_unit(input);
        let make: fn(Decimal) -> Self = match unit {
            "g" => Self::Grams,
            "mL" => Self::Millilitres,
            "" => {
                return Err(Error::MissingUnit {
                    what: WHAT,
                    input: input.to_owned(),
                    accepted: ACCEPTED,
                });
            }
            other => {
                return Err(Error::UnknownUnit {
                    what: WHAT,
                    input: input.to_owned(),
                    unit: other.to_owned(),
                    accepted: ACCEPTED,
                });
            }
        };
        let value = parse_number_within(WHAT, number, input)?;
        check_bounds(
            WHAT,
            value,
            Decimal::ZERO,
            DMSO_AMOUNT_MAX,
            &format!(" {unit}"),
        )?;
        Ok(make(value.normalize()))
    }
}

impl fmt::Display for DmsoAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (value, unit) = match self {
            Self::Grams(g) => (*g, "g"),
            Self::Millilitres(ml) => (*ml, "mL"),
        };
        crate::digits::write_decimal(f, value)?;
        write!(f, " {unit}")
    }
}

impl DmsoLimit {
    /// The number, in the limit's own unit.
    pub fn get(&self) -> Decimal {
        match self {
            Self::Grams(g) => g.get(),
            Self::Millilitres(ml) => ml.get(),
        }
    }

    /// Whether the limit is written in millilitres.
    pub fn is_volume(&self) -> bool {
        matches!(self, Self::Millilitres(_))
    }
}

impl FromStr for DmsoLimit {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self> {
        match split_unit(input).1 {
            "mL/kg" => Ok(Self::Millilitres(input.parse()?)),
            "g/kg" => Ok(Self::Grams(input.parse()?)),
            "" => Err(Error::MissingUnit {
                what: GramsPerKg::WHAT,
                input: input.to_owned(),
                accepted: "g/kg or mL/kg",
            }),
            unit => Err(Error::UnknownUnit {
                what: GramsPerKg::WHAT,
                input: input.to_owned(),
                unit: unit.to_owned(),
                accepted: "g/kg or mL/kg",
            }),
        }
    }
}

impl fmt::Display for DmsoLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Grams(g) => fmt::Display::fmt(g, f),
            Self::Millilitres(ml) => fmt::Display::fmt(ml, f),
        }
    }
}

impl serde::Serialize for DmsoLimit {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> core::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for DmsoLimit {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> core::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

macro_rules! measure_units {
    ($($(#[$doc:meta])* $name:ident => $what:literal, $unit:literal, $max:expr;)+) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub struct $name;
            impl sealed::Sealed for $name {}

            impl MeasureUnit for $name {
                const WHAT: &'static str = $what;
                const UNIT: &'static str = $unit;
                const MAX: Decimal = $max;
            }
        )+
    };
}

measure_units! {
    /// `g/kg`.
    GramsPerKg => "DMSO per kg", "g/kg", Decimal::from_parts(100, 0, 0, false, 0);
    /// `mL/kg`.
    MillilitresPerKg => "volume per kg", "mL/kg", Decimal::from_parts(1000, 0, 0, false, 0);
    /// `EU/kg`.
    EuPerKg => "endotoxin per kg", "EU/kg", Decimal::from_parts(1_000_000, 0, 0, false, 0);
    /// `EU/mL`.
    EuPerMl => "endotoxin per mL", "EU/mL", Decimal::from_parts(1_000_000, 0, 0, false, 0);
    /// `g/mL`.
    GramsPerMl => "density", "g/mL", Decimal::from_parts(30, 0, 0, false, 0);
    /// `mL/kg` of DMSO.
    DmsoMillilitresPerKg => "DMSO per kg", "mL/kg", Decimal::from_parts(100, 0, 0, false, 0);
}

impl<U: MeasureUnit> Measured<U> {
    /// Builds the amount from a number in the unit `U`.
    ///
    /// # Errors
    /// When `value` is negative or above the unit's maximum.
    ///
    /// ```
    /// use celldose::units::VolumePerKg;
    /// assert!(VolumePerKg::new(rust_decimal::Decimal::from(20)).is_ok());
    /// assert!(VolumePerKg::new(rust_decimal::Decimal::from(-1)).is_err());
    /// ```
    pub fn new(value: Decimal) -> Result<Self> {
        check_bounds(
            U::WHAT,
            value,
            Decimal::ZERO,
            U::MAX,
            &format!(" {}", U::UNIT),
        )?;
        Ok(Self(value.normalize(), PhantomData))
    }

    /// The number, in the unit `U`.
    ///
    /// See [`Measured`] for an example.
    pub fn get(&self) -> Decimal {
        self.0
    }
}

impl<U: MeasureUnit> FromStr for Measured<U> {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self> {
        let (number, unit) = split_unit(input);
        if unit.is_empty() {
            return Err(Error::MissingUnit {
                what: U::WHAT,
                input: input.to_owned(),
                accepted: U::UNIT,
            });
        }
        if unit != U::UNIT {
            return Err(Error::UnknownUnit {
                what: U::WHAT,
                input: input.to_owned(),
                unit: unit.to_owned(),
                accepted: U::UNIT,
            });
        }
        Self::new(parse_number_within(U::WHAT, number, input)?)
    }
}

impl<U: MeasureUnit> fmt::Display for Measured<U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::digits::write_decimal(f, self.0)?;
        write!(f, " {}", U::UNIT)
    }
}

impl<U: MeasureUnit> fmt::Debug for Measured<U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl<U: MeasureUnit> Clone for Measured<U> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<U: MeasureUnit> Copy for Measured<U> {}
impl<U: MeasureUnit> PartialEq for Measured<U> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl<U: MeasureUnit> Eq for Measured<U> {}
impl<U: MeasureUnit> core::hash::Hash for Measured<U> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl<U: MeasureUnit> serde::Serialize for Measured<U> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> core::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de, U: MeasureUnit> serde::Deserialize<'de> for Measured<U> {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> core::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_unit_reads_only_itself_and_writes_back_the_same() {
        assert_eq!(
            "1.1g/mL".parse::<Density>().unwrap().to_string(),
            "1.1 g/mL"
        );
        assert_eq!(
            "0.5 EU/mL".parse::<EndotoxinPerMl>().unwrap().to_string(),
            "0.5 EU/mL"
        );
        assert_eq!(
            "5 EU/kg".parse::<EndotoxinPerKg>().unwrap().to_string(),
            "5 EU/kg"
        );
        assert_eq!(
            "20 mL/kg".parse::<VolumePerKg>().unwrap().to_string(),
            "20 mL/kg"
        );
        let wrong = "5 EU/mL".parse::<EndotoxinPerKg>().unwrap_err().to_string();
        assert!(wrong.contains("EU/kg"), "{wrong}");
        let negative = "-1 g/kg".parse::<DmsoPerKg>().unwrap_err().to_string();
        assert!(negative.contains("negative"), "{negative}");
        let huge = "1e9 g/kg".parse::<DmsoPerKg>().unwrap_err().to_string();
        assert!(huge.contains("above 100 g/kg"), "{huge}");
    }
}
