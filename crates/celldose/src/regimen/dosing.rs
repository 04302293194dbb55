//! How an arm is dosed: its regimen (a dose rule, a cap, weight bands, a tolerance, dose levels,
//! an escalation ladder, the infusions and any split), and the parts a regimen is made of.

use std::sync::Arc;

use super::{DoseRule, Split, Window};
use crate::units::{BodyWeight, CellCount, Dose, Percent};

use super::stated::Stated;

/// A numbered dose level, numbered 1, 2, 3, … as dose-escalation software numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DoseLevel {
    pub(crate) number: u32,
    pub(crate) dose: Dose,
}

/// An escalation ladder: the level dosing starts at, the ceiling it may not pass, and the
/// condition the record sets for each step up (quoted from the protocol file).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Escalation {
    pub(crate) start_level: u32,
    pub(crate) start_dose: Dose,
    pub(crate) ceiling: Dose,
    pub(crate) condition: Option<Arc<str>>,
    pub(crate) design: Option<celldose_escalation::Design>,
}

/// One rule for the patients whose weight falls in a window: "at most 40 kg: 2.5 × 10⁶ cells/kg;
/// above 40 kg: 2 × 10⁶ cells/kg, at most 1.6 × 10⁸ cells".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WeightBand {
    pub(crate) window: Window<BodyWeight>,
    pub(crate) rule: DoseRule,
    pub(crate) cap: Option<CellCount>,
}

/// A protocol's own dose tolerance: past the soft band a dose needs an acknowledgement with a
/// reason; past the hard band it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tolerance {
    pub(crate) soft: Option<Percent>,
    pub(crate) hard: Percent,
}

/// How one arm is dosed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Regimen {
    pub(crate) id: Arc<str>,
    pub(crate) rule: Option<DoseRule>,
    pub(crate) cap: Option<CellCount>,
    pub(crate) bands: Vec<WeightBand>,
    pub(crate) tolerance: Option<Tolerance>,
    pub(crate) levels: Vec<DoseLevel>,
    pub(crate) escalation: Option<Escalation>,
    pub(crate) infusions: Stated<u32>,
    pub(crate) per_infusion: Stated<bool>,
    pub(crate) split: Option<Split>,
}

impl DoseLevel {
    /// The level's number, from 1.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05227846")?.clone();
    /// assert_eq!(p.arms()[0].regimen().levels()[3].number(), 4);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn number(&self) -> u32 {
        self.number
    }

    /// The level's dose.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05227846")?.clone();
    /// assert_eq!(p.arms()[0].regimen().levels()[3].dose().to_string(), "200000000");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn dose(&self) -> Dose {
        self.dose
    }
}

impl Escalation {
    /// The level dosing starts at.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// assert_eq!(p.arms()[0].regimen().escalation().map(|e| e.start_level()), Some(1));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn start_level(&self) -> u32 {
        self.start_level
    }

    /// The rule that decides escalation from cohort outcomes, where the protocol names one
    /// (`design = "3+3"` or `"boin"` in its `escalation`).
    pub fn design(&self) -> Option<&celldose_escalation::Design> {
        self.design.as_ref()
    }

    /// The dose escalation may not pass.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// let ceiling = p.arms()[0].regimen().escalation().map(|e| e.ceiling().to_string());
    /// assert_eq!(ceiling.as_deref(), Some("170000000/kg"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn ceiling(&self) -> Dose {
        self.ceiling
    }

    /// The start level's dose: a dose above it needs the escalation condition to be met.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// let start = p.arms()[0].regimen().escalation().map(|e| e.start_dose().to_string());
    /// assert_eq!(start.as_deref(), Some("16000000/kg"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn start_dose(&self) -> Dose {
        self.start_dose
    }

    /// The record's condition for escalating past the start, quoted verbatim, where the protocol
    /// file gives it.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05227846")?.clone();
    /// let condition = p.arms()[0].regimen().escalation().and_then(|e| e.condition());
    /// assert_eq!(condition, Some("Proceed from lower dose to next higher dose if no safety concerns for each cohort."));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn condition(&self) -> Option<&str> {
        self.condition.as_deref()
    }
}

impl WeightBand {
    /// The weights the band covers, each edge inclusive or exclusive.
    ///
    /// ```
    /// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/protocols/weight-bands.toml"))?;
    /// let p = celldose::Protocol::from_toml("weight-bands.toml", &text)?;
    /// let bands = p.arms()[0].regimen().bands();
    /// assert_eq!(bands[0].window().to_string(), "at most 40 kg");
    /// assert_eq!(bands[1].window().to_string(), "above 40 kg");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn window(&self) -> &Window<BodyWeight> {
        &self.window
    }

    /// The dose for weights in the band.
    ///
    /// ```
    /// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/protocols/weight-bands.toml"))?;
    /// let p = celldose::Protocol::from_toml("weight-bands.toml", &text)?;
    /// assert_eq!(p.arms()[0].regimen().bands()[0].rule().to_string(), "2500000/kg");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rule(&self) -> DoseRule {
        self.rule
    }

    /// The largest total the band allows, whatever the weight × dose per kg comes to.
    ///
    /// ```
    /// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/protocols/weight-bands.toml"))?;
    /// let p = celldose::Protocol::from_toml("weight-bands.toml", &text)?;
    /// assert_eq!(p.arms()[0].regimen().bands()[1].cap().map(|c| c.to_string()).as_deref(), Some("160000000"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cap(&self) -> Option<CellCount> {
        self.cap
    }
}

impl Tolerance {
    /// Past this deviation a dose needs an acknowledgement, if the protocol sets a soft band.
    ///
    /// ```
    /// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/protocols/tolerance.toml"))?;
    /// let p = celldose::Protocol::from_toml("tolerance.toml", &text)?;
    /// let tolerance = p.arms()[0].regimen().tolerance().copied();
    /// assert_eq!(tolerance.and_then(|t| t.soft()).map(|s| s.to_string()).as_deref(), Some("10%"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn soft(&self) -> Option<Percent> {
        self.soft
    }

    /// Past this deviation a dose is refused.
    ///
    /// ```
    /// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/protocols/tolerance.toml"))?;
    /// let p = celldose::Protocol::from_toml("tolerance.toml", &text)?;
    /// let tolerance = p.arms()[0].regimen().tolerance().copied();
    /// assert_eq!(tolerance.map(|t| t.hard().to_string()).as_deref(), Some("20%"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn hard(&self) -> Percent {
        self.hard
    }
}

impl Regimen {
    /// The regimen's name within its protocol.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT01218464")?.clone();
    /// assert_eq!(p.arms()[1].regimen().id(), "placebo");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The dose the whole arm allows, where the record states one beside (or instead of)
    /// numbered levels.
    ///
    /// ```
    /// use celldose::DoseRule;
    /// let p = celldose::Catalogue::builtin()?.find("NCT01218464")?.clone();
    /// assert_eq!(p.arms()[1].regimen().rule(), Some(DoseRule::NoCells));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn rule(&self) -> Option<DoseRule> {
        self.rule
    }

    /// The largest total the regimen allows, however much weight × dose per kg comes to.
    ///
    /// ```
    /// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/protocols/per-kg-capped.toml"))?;
    /// let p = celldose::Protocol::from_toml("per-kg-capped.toml", &text)?;
    /// assert_eq!(p.arms()[0].regimen().cap().map(|c| c.to_string()).as_deref(), Some("100000000"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cap(&self) -> Option<CellCount> {
        self.cap
    }

    /// The weight bands, in ascending order of weight; empty where one rule serves every weight.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT06167473")?.clone();
    /// assert!(p.arms()[0].regimen().bands().is_empty());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn bands(&self) -> &[WeightBand] {
        &self.bands
    }

    /// The protocol's own dose tolerance, where it states one.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT06167473")?.clone();
    /// assert!(p.arms()[0].regimen().tolerance().is_none()); // the record states none
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn tolerance(&self) -> Option<&Tolerance> {
        self.tolerance.as_ref()
    }

    /// The numbered dose levels, in ascending order.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05727722")?.clone();
    /// assert_eq!(p.arms()[0].regimen().levels().len(), 4);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn levels(&self) -> &[DoseLevel] {
        &self.levels
    }

    /// The level with this number.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05727722")?.clone();
    /// assert_eq!(p.arms()[0].regimen().level(2).map(|l| l.dose().to_string()).as_deref(), Some("500000000"));
    /// assert!(p.arms()[0].regimen().level(5).is_none());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn level(&self, number: u32) -> Option<&DoseLevel> {
        self.levels.iter().find(|level| level.number == number)
    }

    /// The escalation ladder, where the record states one.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05727722")?.clone();
    /// assert!(p.arms()[0].regimen().escalation().is_none());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn escalation(&self) -> Option<&Escalation> {
        self.escalation.as_ref()
    }

    /// How many infusions the regimen gives, or that the record does not say.
    ///
    /// ```
    /// use celldose::Stated;
    /// let p = celldose::Catalogue::builtin()?.find("NCT05727722")?.clone();
    /// assert_eq!(p.arms()[0].regimen().infusions(), Stated::Value(1));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn infusions(&self) -> Stated<u32> {
        self.infusions
    }

    /// Whether each dose is stated per infusion (`false`: the dose is the cumulative total), or
    /// that the record does not say.
    ///
    /// ```
    /// use celldose::Stated;
    /// let catalogue = celldose::Catalogue::builtin()?;
    /// assert_eq!(catalogue.find("NCT06167473")?.arms()[0].regimen().per_infusion(), Stated::Value(true));
    /// assert_eq!(catalogue.find("NCT07276568")?.arms()[0].regimen().per_infusion(), Stated::NotStated);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn per_infusion(&self) -> Stated<bool> {
        self.per_infusion
    }

    /// The split of the dose over infusions, where the regimen states one.
    ///
    /// ```
    /// let catalogue = celldose::Catalogue::builtin()?;
    /// assert!(catalogue.find("NCT06167473")?.arms()[0].regimen().split().is_none());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn split(&self) -> Option<&Split> {
        self.split.as_ref()
    }
}
