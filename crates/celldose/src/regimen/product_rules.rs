//! What a protocol says about the product beyond its cells: what goes in with them per kg
//! (DMSO, fluid volume, endotoxin) and the lowest viability, which weight doses the patient, and
//! how a dose is split over infusions.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::units::Counted;
use crate::units::{Density, DmsoLimit, EndotoxinPerKg, Percent, VolumePerKg};

/// The density of DMSO used where a protocol states none: 1.1 g/mL.
pub const DMSO_DENSITY: Decimal = Decimal::from_parts(11, 0, 0, false, 1);

/// A protocol's limits on what is infused with the cells, per kg of the dosing weight, and on
/// the product itself. Each is checked for what is drawn; where the product's certificate does
/// not state a figure a limit needs, the check says so rather than passing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct InfusionLimits {
    /// DMSO per kg per day, in grams or millilitres.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_dmso: Option<DmsoLimit>,
    /// The density that turns DMSO millilitres into grams; 1.1 g/mL where not stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dmso_density: Option<Density>,
    /// Product volume per kg.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_volume: Option<VolumePerKg>,
    /// Endotoxin per kg.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_endotoxin: Option<EndotoxinPerKg>,
    /// The lowest viability a bag may have to be given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_viability: Option<Percent>,
}

impl InfusionLimits {
    /// The DMSO density in g/mL: the protocol's, or [`DMSO_DENSITY`].
    ///
    /// ```
    /// assert_eq!(celldose::regimen::InfusionLimits::default().density().to_string(), "1.1");
    /// ```
    pub fn density(&self) -> Decimal {
        self.dmso_density.map_or(DMSO_DENSITY, |d| d.get())
    }

    /// Whether any limit is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Which weight doses the patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum WeightBasis {
    /// The weight at screening.
    Screening,
    /// The weight at apheresis (cell collection).
    Apheresis,
    /// The weight at baseline, before conditioning.
    Baseline,
    /// The weight on the day of infusion.
    DayOfInfusion,
}

impl WeightBasis {
    /// In words: `apheresis`.
    ///
    /// ```
    /// assert_eq!(celldose::regimen::WeightBasis::DayOfInfusion.as_str(), "day-of-infusion");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Screening => "screening",
            Self::Apheresis => "apheresis",
            Self::Baseline => "baseline",
            Self::DayOfInfusion => "day-of-infusion",
        }
    }

    /// In a sentence: `the weight at apheresis`.
    pub fn words(self) -> &'static str {
        match self {
            Self::Screening => "the weight at screening",
            Self::Apheresis => "the weight at apheresis",
            Self::Baseline => "the baseline weight",
            Self::DayOfInfusion => "the weight on the day of infusion",
        }
    }
}

/// Which weight doses the patient, and how far the current weight may have moved from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DosingWeight {
    /// The weight that doses.
    pub weight: WeightBasis,
    /// The largest change, as a percentage of the dosing weight, before the dose needs review.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_change: Option<Percent>,
}

/// Whether a split dose's limits apply to each infusion or to the running total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SplitLimits {
    /// Each infusion is held to its share of the target and limits.
    PerInfusion,
    /// The running total after each infusion is held to the share given so far.
    Cumulative,
}

impl SplitLimits {
    /// As written: `per-infusion`, `cumulative`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PerInfusion => "per-infusion",
            Self::Cumulative => "cumulative",
        }
    }
}

/// One infusion of a split dose: its day (0 the first) and its share of the dose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SplitPart {
    /// The day of the infusion, counted from the first (day 0).
    pub day: u32,
    /// The share of the whole dose.
    pub fraction: Percent,
}

/// A dose given over several infusions, in stated shares that add up to 100 %.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Split {
    pub(crate) parts: Vec<SplitPart>,
    pub(crate) limits: SplitLimits,
}

impl Split {
    /// The infusions, in order.
    pub fn parts(&self) -> &[SplitPart] {
        &self.parts
    }

    /// Whether limits apply per infusion or cumulatively.
    pub fn limits(&self) -> SplitLimits {
        self.limits
    }

    /// The share of infusion `n` (from 1) and the share given up to and including it, as
    /// fractions of 1.
    pub(crate) fn shares(&self, n: u32) -> Option<(Decimal, Decimal)> {
        let index = usize::try_from(n).ok()?.checked_sub(1)?;
        let part = self.parts.get(index)?;
        let so_far: Decimal = self
            .parts
            .iter()
            .take(index.saturating_add(1))
            .map(|p| p.fraction.get())
            .sum();
        Some((
            part.fraction.get().checked_div(Decimal::ONE_HUNDRED)?,
            so_far.checked_div(Decimal::ONE_HUNDRED)?,
        ))
    }
}

/// What the protocol says about products, gathered for a calculation.
///
/// ```
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/protocols/car-t-product-limits.toml"))?;
/// let protocol = celldose::Protocol::from_toml("car-t.toml", &text)?;
/// let rules = protocol.product_rules();
/// assert_eq!(rules.counts.map(|c| c.as_str()), Some("car-positive-viable"));
/// assert!(rules.dosing_weight.is_some() && !rules.limits.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct ProductRules {
    /// Which cells the dose counts, where the protocol says.
    pub counts: Option<Counted>,
    /// Limits on what goes in with the cells.
    pub limits: InfusionLimits,
    /// Which weight doses.
    pub dosing_weight: Option<DosingWeight>,
    /// How the product is handled between thaw and infusion.
    pub handling: crate::units::Handling,
}
