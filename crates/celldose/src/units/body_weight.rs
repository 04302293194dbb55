//! Body weight: read with its unit, converted exactly to kilograms.
//!
//! The unit conversion goes through uom with `rational64` storage, so every factor is an exact
//! ratio (see DESIGN.md). uom's own `pound` is `0.4535924` kg, short of the international
//! avoirdupois pound, so the pound used here is defined below with its exact factor.

use core::fmt;
use core::str::FromStr;

use num_rational::Ratio;
use rust_decimal::Decimal;
use uom::si::mass::{gram, kilogram};
use uom::si::rational64::Mass;

use super::{exact_ratio, parse_number, parse_number_within, serde_via_string, split_unit};
use crate::error::{Error, Result};

#[allow(missing_docs, clippy::all)]
mod avoirdupois {
    // The international avoirdupois pound, exactly 0.45359237 kg (1959 agreement).
    unit! {
        system: uom::si;
        quantity: uom::si::mass;
        @pound: 0.453_592_37; "lb", "pound", "pounds";
    }
}

/// A patient's body weight in kilograms.
///
/// Reads a mass that carries its unit, `kg`, `g` or `lb` (`72.5kg`, `72.5 kg`, `72500g`,
/// `160lb`), and refuses a bare number. Writes kilograms: `72.5 kg`. To keep what was typed
/// beside the kilograms, read an [`EnteredWeight`] instead.
///
/// ```
/// use celldose::BodyWeight;
/// assert_eq!("160lb".parse::<BodyWeight>()?.to_string(), "72.5747792 kg");
/// assert_eq!("72500g".parse::<BodyWeight>()?.to_string(), "72.5 kg");
/// assert!("72.5".parse::<BodyWeight>().is_err()); // no unit
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct BodyWeight(Decimal);
super::scaled::compared_by_value!(BodyWeight);

/// A unit a body weight may be entered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MassUnit {
    /// Kilograms, `kg`.
    Kilogram,
    /// Grams, `g`.
    Gram,
    /// International avoirdupois pounds, `lb` (exactly 0.45359237 kg).
    Pound,
}

/// A body weight together with the amount and unit it was entered in, for echoing
/// `72.5747792 kg (entered as 160 lb)`.
///
/// ```
/// use celldose::{EnteredWeight, MassUnit};
/// let entered: EnteredWeight = "160 lb".parse()?;
/// assert_eq!(entered.unit(), MassUnit::Pound);
/// assert_eq!(entered.to_string(), "160 lb");
/// assert_eq!(entered.weight().to_string(), "72.5747792 kg");
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnteredWeight {
    weight: BodyWeight,
    amount: Decimal,
    unit: MassUnit,
}

const WHAT: &str = "body weight";
const UNITS: &str = "kg, g or lb (as in 72.5kg, 72500g, 160lb)";
/// Above this many units of any mass unit, an entry is refused as implausible before conversion.
const FAR_TOO_HEAVY: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

impl BodyWeight {
    /// The lightest plausible body weight, 0.2 kg (a very premature newborn).
    pub const MIN: Self = Self(Decimal::from_parts(2, 0, 0, false, 1));
    /// The heaviest plausible body weight, 700 kg.
    pub const MAX: Self = Self(Decimal::from_parts(700, 0, 0, false, 0));

    /// Builds a body weight from kilograms.
    ///
    /// # Errors
    /// When `kg` is zero or negative, or outside the plausible range [`BodyWeight::MIN`] to
    /// [`BodyWeight::MAX`].
    ///
    /// ```
    /// use celldose::BodyWeight;
    /// use rust_decimal::Decimal;
    /// assert!(BodyWeight::from_kg(Decimal::from(70)).is_ok());
    /// let error = BodyWeight::from_kg(Decimal::ZERO).unwrap_err();
    /// assert_eq!(error.to_string(), "body weight 0 kg is not above 0 kg; accepted: from 0.2 kg to 700 kg");
    /// ```
    pub fn from_kg(kg: Decimal) -> Result<Self> {
        let kg = super::scaled::normalized(kg);
        let refuse = |problem: String| Error::OutOfRange {
            what: WHAT,
            value: format!("{kg} kg"),
            problem,
            accepted: format!("from {} kg to {} kg", Self::MIN.0, Self::MAX.0),
        };
        // Compared as weights, in integers where the digits fit (`scaled`).
        let weight = Self(kg);
        if kg.is_zero() || kg.is_sign_negative() {
            return Err(refuse("not above 0 kg".into()));
        }
        if weight < Self::MIN {
            return Err(refuse(format!(
                "below the plausible minimum of {} kg",
                Self::MIN.0
            )));
        }
        if weight > Self::MAX {
            return Err(refuse(format!(
                "above the plausible maximum of {} kg",
                Self::MAX.0
            )));
        }
        Ok(weight)
    }

    /// The weight in kilograms.
    ///
    /// ```
    /// # use celldose::BodyWeight;
    /// assert_eq!("72500g".parse::<BodyWeight>()?.kg(), rust_decimal::Decimal::new(725, 1));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn kg(self) -> Decimal {
        self.0
    }
}

impl MassUnit {
    /// The symbol the unit is written with.
    ///
    /// ```
    /// assert_eq!(celldose::MassUnit::Pound.symbol(), "lb");
    /// ```
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Kilogram => "kg",
            Self::Gram => "g",
            Self::Pound => "lb",
        }
    }

    /// The UCUM code of the unit.
    ///
    /// ```
    /// assert_eq!(celldose::MassUnit::Pound.ucum(), "[lb_av]");
    /// ```
    pub fn ucum(self) -> &'static str {
        match self {
            Self::Kilogram => "kg",
            Self::Gram => "g",
            Self::Pound => "[lb_av]",
        }
    }

    fn from_symbol(symbol: &str) -> Option<Self> {
        // Compared without making a lowercase copy: a weight is parsed on every row of a log.
        [
            ("kg", Self::Kilogram),
            ("g", Self::Gram),
            ("lb", Self::Pound),
        ]
        .into_iter()
        .find_map(|(name, unit)| symbol.eq_ignore_ascii_case(name).then_some(unit))
    }

    /// Kilograms in one of this unit, an exact ratio taken from uom's unit definitions.
    ///
    /// uom derives each factor from a float literal through a continued-fraction search, which
    /// costs about a microsecond, so each factor is worked out once and kept.
    fn kg_per_unit(self) -> Ratio<i64> {
        static FACTORS: std::sync::OnceLock<[Ratio<i64>; 3]> = std::sync::OnceLock::new();
        let factors = FACTORS.get_or_init(|| {
            let one = Ratio::new(1, 1);
            [
                Mass::new::<kilogram>(one).get::<kilogram>(),
                Mass::new::<gram>(one).get::<kilogram>(),
                Mass::new::<avoirdupois::pound>(one).get::<kilogram>(),
            ]
        });
        let [kilograms, grams, pounds] = *factors;
        match self {
            Self::Kilogram => kilograms,
            Self::Gram => grams,
            Self::Pound => pounds,
        }
    }
}

impl EnteredWeight {
    /// The body weight in kilograms.
    ///
    /// ```
    /// # use celldose::EnteredWeight;
    /// assert_eq!("72.5kg".parse::<EnteredWeight>()?.weight().to_string(), "72.5 kg");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn weight(self) -> BodyWeight {
        self.weight
    }

    /// The amount as entered, in [`EnteredWeight::unit`].
    ///
    /// ```
    /// # use celldose::EnteredWeight;
    /// assert_eq!("160lb".parse::<EnteredWeight>()?.amount(), rust_decimal::Decimal::from(160));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn amount(self) -> Decimal {
        self.amount
    }

    /// The unit the weight was entered in.
    ///
    /// ```
    /// # use celldose::{EnteredWeight, MassUnit};
    /// assert_eq!("72500g".parse::<EnteredWeight>()?.unit(), MassUnit::Gram);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn unit(self) -> MassUnit {
        self.unit
    }
}

impl FromStr for EnteredWeight {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self> {
        let (number, symbol) = split_unit(input);
        if number.is_empty() {
            return Err(match parse_number(WHAT, input) {
                Err(error) => error,
                Ok(_) => Error::MissingUnit {
                    what: WHAT,
                    input: input.to_owned(),
                    accepted: UNITS,
                },
            });
        }
        let amount = parse_number_within(WHAT, number, input).map_err(|error| match error {
            // A weight too large for a decimal is, first of all, not a body weight.
            Error::Malformed { reason, .. } if reason.starts_with("it is too large") => {
                Error::OutOfRange {
                    what: WHAT,
                    value: crate::text::Shown(input).to_string(),
                    problem: "far above any plausible body weight".into(),
                    accepted: format!("from {} kg to {} kg", BodyWeight::MIN.0, BodyWeight::MAX.0),
                }
            }
            other => other,
        })?;
        if symbol.is_empty() {
            return Err(Error::MissingUnit {
                what: WHAT,
                input: input.to_owned(),
                accepted: UNITS,
            });
        }
        let unit = MassUnit::from_symbol(symbol).ok_or_else(|| Error::UnknownUnit {
            what: WHAT,
            input: input.to_owned(),
            unit: symbol.to_owned(),
            accepted: UNITS,
        })?;
        let entered = || format!("{} {}", crate::digits::Plain(amount), unit.symbol());
        if amount.is_zero() || amount.is_sign_negative() {
            return Err(Error::OutOfRange {
                what: WHAT,
                value: entered(),
                problem: "not above 0 kg".into(),
                accepted: format!("from {} kg to {} kg", BodyWeight::MIN.0, BodyWeight::MAX.0),
            });
        }
        let refuse = |problem: &str| Error::OutOfRange {
            what: WHAT,
            value: entered(),
            problem: problem.to_owned(),
            accepted: format!("from {} kg to {} kg", BodyWeight::MIN.0, BodyWeight::MAX.0),
        };
        if amount > FAR_TOO_HEAVY {
            return Err(refuse("far above any plausible body weight"));
        }
        let too_precise =
            || refuse("too precise to convert to kilograms exactly (give fewer decimal places)");
        let kg = exact_ratio::convert(amount, unit.kg_per_unit()).ok_or_else(too_precise)?;
        let weight = BodyWeight::from_kg(kg).map_err(|error| match (error, unit) {
            (
                Error::OutOfRange {
                    what,
                    value,
                    problem,
                    accepted,
                },
                MassUnit::Gram | MassUnit::Pound,
            ) => Error::OutOfRange {
                what,
                value: format!("{value} (entered as {})", entered()),
                problem,
                accepted,
            },
            (other, _) => other,
        })?;
        Ok(Self {
            weight,
            amount,
            unit,
        })
    }
}

impl FromStr for BodyWeight {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self> {
        input.parse::<EnteredWeight>().map(EnteredWeight::weight)
    }
}

impl fmt::Display for BodyWeight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::digits::write_decimal(f, self.0)?;
        f.write_str(" kg")
    }
}

impl fmt::Display for EnteredWeight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::digits::write_decimal(f, self.amount)?;
        write!(f, " {}", self.unit.symbol())
    }
}

serde_via_string!(BodyWeight);
serde_via_string!(EnteredWeight);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pound_is_exactly_0_45359237_kg() {
        assert_eq!(
            MassUnit::Pound.kg_per_unit(),
            Ratio::new(45_359_237, 100_000_000)
        );
        // uom's own pound is short by 3 × 10⁻⁸ kg, which is why it is not used.
        let uom_pound = Mass::new::<uom::si::mass::pound>(Ratio::new(1, 1)).get::<kilogram>();
        assert_ne!(uom_pound, Ratio::new(45_359_237, 100_000_000));
    }

    #[test]
    fn gram_and_kilogram_factors_are_exact() {
        assert_eq!(MassUnit::Gram.kg_per_unit(), Ratio::new(1, 1000));
        assert_eq!(MassUnit::Kilogram.kg_per_unit(), Ratio::new(1, 1));
    }

    #[test]
    fn precise_and_huge_entries_are_refused_without_overflow() {
        let error = "9999.999999lb"
            .parse::<BodyWeight>()
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("above the plausible maximum of 700 kg"),
            "{error}"
        );
        let error = "70.1234567890123lb"
            .parse::<BodyWeight>()
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("too precise to convert to kilograms exactly"),
            "{error}"
        );
        let error = "9223372036854775807lb"
            .parse::<BodyWeight>()
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("far above any plausible body weight"),
            "{error}"
        );
        let ok = "1543.235835lb".parse::<BodyWeight>().map(|w| w.to_string());
        assert_eq!(ok.ok().as_deref(), Some("699.99999986657895 kg"));
    }
}
