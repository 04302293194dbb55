//! A trial protocol: its arms, their regimens and dose levels, and who may be dosed.

use core::fmt;
use std::sync::Arc;

use super::{DoseRule, ProductRules, Split, Window};
use crate::units::{AgeYears, BodyWeight, CellCount, Dose, Percent};

/// A value a source record either states or leaves out. What a record leaves out is never
/// filled with a default: the caller supplies it, or the calculation says it cannot answer.
///
/// ```
/// use celldose::Stated;
/// let infusions: Stated<u32> = Stated::NotStated;
/// assert_eq!(infusions.to_string(), "not stated");
/// assert_eq!(Stated::Value(1).to_string(), "1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stated<T> {
    /// The record states this value.
    Value(T),
    /// The record does not state it.
    NotStated,
}

impl<T: Copy> Stated<T> {
    /// The value, if stated.
    ///
    /// ```
    /// assert_eq!(celldose::Stated::Value(4).value(), Some(4));
    /// ```
    pub fn value(&self) -> Option<T> {
        match self {
            Self::Value(value) => Some(*value),
            Self::NotStated => None,
        }
    }
}

impl<T: fmt::Display> fmt::Display for Stated<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Value(value) => fmt::Display::fmt(value, f),
            Self::NotStated => f.write_str("not stated"),
        }
    }
}

/// Where a protocol's numbers come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Source {
    pub(crate) registry: String,
    pub(crate) record: String,
    pub(crate) quote: String,
    pub(crate) note: Option<String>,
}

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

/// One arm (or eligibility group) of a trial, and the regimen it follows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Arm {
    pub(crate) id: Arc<str>,
    pub(crate) name: String,
    pub(crate) regimen: Regimen,
}

/// How many subjects a cohort takes, as the record states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CohortSize {
    pub(crate) min: u32,
    pub(crate) max: u32,
}

/// A validated trial protocol. Built only by loading a protocol file (see
/// [`Protocol::from_toml`]), so every protocol in hand has passed every check.
///
/// ```
/// let catalogue = celldose::Catalogue::builtin()?;
/// let protocol = catalogue.find("nct05727722")?;
/// assert_eq!(protocol.id(), "NCT05727722");
/// assert_eq!(protocol.arms().len(), 2);
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Protocol {
    pub(crate) id: Arc<str>,
    pub(crate) version: Arc<str>,
    pub(crate) title: String,
    pub(crate) product: String,
    pub(crate) route: String,
    pub(crate) source: Source,
    pub(crate) arms: Vec<Arm>,
    pub(crate) weight_window: Option<Window<BodyWeight>>,
    pub(crate) age_window: Option<Window<AgeYears>>,
    pub(crate) follow_up: Vec<String>,
    pub(crate) cohort_size: Option<CohortSize>,
    pub(crate) product_rules: ProductRules,
    pub(crate) sha256: Arc<str>,
    pub(crate) origin: Arc<str>,
}

impl Source {
    /// The registry the record is from, e.g. `ClinicalTrials.gov`.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT01218464")?.clone();
    /// assert_eq!(p.source().registry(), "ClinicalTrials.gov");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The record's identifier in that registry.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT01218464")?.clone();
    /// assert_eq!(p.source().record(), "NCT01218464");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn record(&self) -> &str {
        &self.record
    }

    /// The record's dose sentence, quoted as it stands.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT01218464")?.clone();
    /// assert!(p.source().quote().contains("0.5-1.0×106 cells/kg"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn quote(&self) -> &str {
        &self.quote
    }

    /// A note on how the quote was read, such as a superscript lost in the record's text.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT01218464")?.clone();
    /// assert!(p.source().note().is_some());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }
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
    /// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/protocols/weight-bands.toml"))?;
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
    /// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/protocols/weight-bands.toml"))?;
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
    /// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/protocols/weight-bands.toml"))?;
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
    /// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/protocols/tolerance.toml"))?;
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
    /// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/protocols/tolerance.toml"))?;
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
    /// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/protocols/per-kg-capped.toml"))?;
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

impl Arm {
    /// The arm's id, lower-case, as commands take it.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT06167473")?.clone();
    /// assert_eq!(p.arms()[1].id(), "medium-high-dose");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The arm's name as the record gives it.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// assert_eq!(p.arms()[0].name(), "Acute Liver Failure");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The regimen the arm follows.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// assert_eq!(p.arms()[0].regimen(), p.arms()[3].regimen());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn regimen(&self) -> &Regimen {
        &self.regimen
    }
}

impl CohortSize {
    /// The fewest subjects in a cohort.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05227846")?.clone();
    /// assert_eq!(p.cohort_size().map(|c| (c.min(), c.max())), Some((3, 6)));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn min(&self) -> u32 {
        self.min
    }

    /// The most subjects in a cohort.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05227846")?.clone();
    /// assert_eq!(p.cohort_size().map(|c| c.max()), Some(6));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn max(&self) -> u32 {
        self.max
    }
}

impl Protocol {
    /// The protocol's id, such as a registry number (`NCT07276568`).
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("nct07276568")?.clone();
    /// assert_eq!(p.id(), "NCT07276568");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The protocol's version or amendment.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// assert!(!p.version().is_empty());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The trial's title.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05227846")?.clone();
    /// assert!(p.title().contains("Decompensated Cirrhosis"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The cell product.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05727722")?.clone();
    /// assert!(p.product().contains("hepatocytes"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn product(&self) -> &str {
        &self.product
    }

    /// The route of administration.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05727722")?.clone();
    /// assert_eq!(p.route(), "intraperitoneal");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn route(&self) -> &str {
        &self.route
    }

    /// The source record and its dose sentence.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT06167473")?.clone();
    /// assert!(p.source().quote().contains("1×10^6cells/kg per infusion"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The arms, in the order the protocol file lists them.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// let ids: Vec<&str> = p.arms().iter().map(|a| a.id()).collect();
    /// assert_eq!(ids, ["alf", "aclf", "clf", "sfss"]);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn arms(&self) -> &[Arm] {
        &self.arms
    }

    /// The arm with this id, compared without regard to case.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// assert!(p.arm("ALF").is_some());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn arm(&self, id: &str) -> Option<&Arm> {
        self.arms
            .iter()
            .find(|arm| arm.id.eq_ignore_ascii_case(id.trim()))
    }

    /// Whether every arm follows the same regimen, so that an arm need not be named.
    ///
    /// ```
    /// let catalogue = celldose::Catalogue::builtin()?;
    /// assert!(catalogue.find("NCT07276568")?.arms_share_one_regimen());
    /// assert!(!catalogue.find("NCT01218464")?.arms_share_one_regimen());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn arms_share_one_regimen(&self) -> bool {
        self.arms
            .windows(2)
            .all(|pair| matches!(pair, [a, b] if a.regimen == b.regimen))
    }

    /// The body-weight window for eligibility, where the record states one.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05727722")?.clone();
    /// assert_eq!(p.weight_window().map(|w| w.to_string()).as_deref(), Some("above 40 kg"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn weight_window(&self) -> Option<&Window<BodyWeight>> {
        self.weight_window.as_ref()
    }

    /// The age window for eligibility, where the record states one.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05727722")?.clone();
    /// assert_eq!(
    ///     p.age_window().map(|w| w.to_string()).as_deref(),
    ///     Some("at least 18 years and at most 65 years")
    /// );
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn age_window(&self) -> Option<&Window<AgeYears>> {
        self.age_window.as_ref()
    }

    /// Follow-up points, as the record states them.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT06167473")?.clone();
    /// assert_eq!(p.follow_up().len(), 6);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn follow_up(&self) -> &[String] {
        &self.follow_up
    }

    /// The SHA-256 of the protocol definition, in lower-case hex: the exact bytes of the file the
    /// protocol was loaded from, so a record can show which rules produced a number.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// assert_eq!(p.sha256().len(), 64);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Where the definition was loaded from: a file name as given, or `built-in:<id>`.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// assert_eq!(p.origin(), "built-in:NCT07276568");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// How many subjects a cohort takes, where the record states it.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// assert!(p.cohort_size().is_none());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn cohort_size(&self) -> Option<&CohortSize> {
        self.cohort_size.as_ref()
    }

    /// What the protocol says about products: which cells the dose counts, the limits on what
    /// goes in with them, and which weight doses (docs/protocol-format.md).
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// assert!(p.product_rules().limits.is_empty() && p.product_rules().dosing_weight.is_none());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn product_rules(&self) -> &ProductRules {
        &self.product_rules
    }
}
