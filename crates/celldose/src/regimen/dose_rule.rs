//! The dose a protocol allows, in each of the shapes a record can state it.

use core::fmt;

use crate::error::Result;
use crate::human::{self, Notation};
use crate::units::{BodyWeight, CellCount, CellsPerKg, Dose, ExactCells};

/// What a protocol allows for one arm, one weight band or one dose level.
///
/// Ranges include both ends: "0.5–1.0 × 10⁶ cells/kg" allows 0.5 × 10⁶ and 1.0 × 10⁶; "at
/// least" includes its minimum.
///
/// ```
/// use celldose::{BodyWeight, DoseRule};
/// let rule = DoseRule::PerKgRange { min: "0.5e6/kg".parse()?, max: "1e6/kg".parse()? };
/// let limits = rule.limits_for("80kg".parse()?)?.map(|(min, max)| (min.to_string(), max.map(|m| m.to_string())));
/// assert_eq!(limits, Some(("40000000".into(), Some("80000000".into()))));
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DoseRule {
    /// One dose per kilogram, such as 1 × 10⁶ cells/kg.
    PerKg(CellsPerKg),
    /// Any dose per kilogram between two values, both included.
    PerKgRange {
        /// The smallest dose per kg allowed.
        min: CellsPerKg,
        /// The largest dose per kg allowed.
        max: CellsPerKg,
    },
    /// Any dose per kilogram at or above a minimum, such as a stem-cell graft of at least
    /// 2 × 10⁶ CD34⁺ cells/kg.
    PerKgAtLeast(CellsPerKg),
    /// One fixed number of cells whatever the weight.
    Flat(CellCount),
    /// Any total between two counts, both included.
    FlatRange {
        /// The smallest total allowed.
        min: CellCount,
        /// The largest total allowed.
        max: CellCount,
    },
    /// Any total at or above a minimum count.
    FlatAtLeast(CellCount),
    /// No cells: a placebo arm.
    NoCells,
}

impl DoseRule {
    /// The single dose the rule states, if it states one.
    ///
    /// ```
    /// use celldose::{Dose, DoseRule};
    /// assert_eq!(DoseRule::PerKg("1e6/kg".parse()?).point(), Some("1e6/kg".parse::<Dose>()?));
    /// assert_eq!(DoseRule::NoCells.point(), Some(Dose::Total(celldose::CellCount::ZERO)));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn point(self) -> Option<Dose> {
        match self {
            Self::PerKg(per_kg) => Some(Dose::PerKg(per_kg)),
            Self::Flat(count) => Some(Dose::Total(count)),
            Self::NoCells => Some(Dose::Total(CellCount::ZERO)),
            _ => None,
        }
    }

    /// The smallest dose the rule allows and, where it sets one, the largest; `None` for a rule
    /// that states a single dose.
    ///
    /// ```
    /// use celldose::DoseRule;
    /// let rule = DoseRule::FlatRange { min: "1e8".parse()?, max: "2e8".parse()? };
    /// assert!(matches!(rule.bounds(), Some((_, Some(_)))));
    /// assert!(matches!(DoseRule::PerKgAtLeast("2e6/kg".parse()?).bounds(), Some((_, None))));
    /// assert!(DoseRule::NoCells.bounds().is_none());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn bounds(self) -> Option<(Dose, Option<Dose>)> {
        match self {
            Self::PerKgRange { min, max } => Some((Dose::PerKg(min), Some(Dose::PerKg(max)))),
            Self::FlatRange { min, max } => Some((Dose::Total(min), Some(Dose::Total(max)))),
            Self::PerKgAtLeast(min) => Some((Dose::PerKg(min), None)),
            Self::FlatAtLeast(min) => Some((Dose::Total(min), None)),
            Self::PerKg(_) | Self::Flat(_) | Self::NoCells => None,
        }
    }

    /// The exact smallest and (where set) largest number of cells the rule allows a patient of
    /// this weight; `None` for a rule that states a single dose.
    ///
    /// # Errors
    /// When a product overflows.
    ///
    /// ```
    /// use celldose::DoseRule;
    /// assert!(DoseRule::PerKg("1e6/kg".parse()?).limits_for("70kg".parse()?)?.is_none());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn limits_for(
        self,
        weight: BodyWeight,
    ) -> Result<Option<(ExactCells, Option<ExactCells>)>> {
        self.bounds()
            .map(|(min, max)| {
                Ok((
                    min.cells_for(weight)?,
                    max.map(|max| max.cells_for(weight)).transpose()?,
                ))
            })
            .transpose()
    }

    /// Whether the rule gives cells per kilogram.
    ///
    /// ```
    /// use celldose::DoseRule;
    /// assert!(DoseRule::PerKg("1e6/kg".parse()?).is_per_kg());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn is_per_kg(self) -> bool {
        matches!(
            self,
            Self::PerKg(_) | Self::PerKgRange { .. } | Self::PerKgAtLeast(_)
        )
    }

    /// The rule in words for a person, every amount with grouped digits and its exponent form.
    ///
    /// ```
    /// use celldose::{human::Notation, DoseRule};
    /// let rule = DoseRule::PerKgRange { min: "5e5/kg".parse()?, max: "1e6/kg".parse()? };
    /// assert_eq!(
    ///     rule.describe(Notation::Ascii),
    ///     "500,000 cells/kg (5 x 10^5 cells/kg) to 1,000,000 cells/kg (1 x 10^6 cells/kg)"
    /// );
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn describe(self, notation: Notation) -> String {
        match self {
            Self::PerKgRange { min, max } => format!(
                "{} to {}",
                human::cells_per_kg(min.get(), notation),
                human::cells_per_kg(max.get(), notation)
            ),
            Self::FlatRange { min, max } => format!(
                "{} to {}",
                human::cells(min.get(), notation),
                human::cells(max.get(), notation)
            ),
            Self::PerKgAtLeast(min) => {
                format!("at least {}", human::cells_per_kg(min.get(), notation))
            }
            Self::FlatAtLeast(min) => format!("at least {}", human::cells(min.get(), notation)),
            Self::PerKg(per_kg) => human::cells_per_kg(per_kg.get(), notation),
            Self::Flat(count) => human::cells(count.get(), notation),
            Self::NoCells => "no cells (placebo)".into(),
        }
    }
}

/// A dose in words for a person, with its unit: `1,500,000,000 cells (1.5 × 10⁹)` or
/// `16,000,000 cells/kg (1.6 × 10⁷ cells/kg)`.
///
/// ```
/// use celldose::{human::Notation, describe_dose};
/// assert_eq!(describe_dose("1.5e9".parse()?, Notation::Ascii), "1,500,000,000 cells (1.5 x 10^9)");
/// # Ok::<(), celldose::Error>(())
/// ```
pub fn describe_dose(dose: Dose, notation: Notation) -> String {
    match dose {
        Dose::Total(count) => human::cells(count.get(), notation),
        Dose::PerKg(per_kg) => human::cells_per_kg(per_kg.get(), notation),
    }
}

/// The exact, plain-ASCII form used in clauses: `16000000/kg to 170000000/kg`, `150000000`,
/// `at least 2000000/kg`, `no cells`. For people, use [`DoseRule::describe`].
impl fmt::Display for DoseRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PerKg(per_kg) => write!(f, "{per_kg}"),
            Self::Flat(count) => write!(f, "{count}"),
            Self::PerKgRange { min, max } => write!(f, "{min} to {max}"),
            Self::FlatRange { min, max } => write!(f, "{min} to {max}"),
            Self::PerKgAtLeast(min) => write!(f, "at least {min}"),
            Self::FlatAtLeast(min) => write!(f, "at least {min}"),
            Self::NoCells => f.write_str("no cells"),
        }
    }
}
