//! From product to syringe: the volume to draw, rounded to what can be measured, and a check of
//! the dose that volume actually delivers.

use rust_decimal::Decimal;

use super::judge::judge_delivery;
use super::options::PrepareOptions;
use super::tolerance::{TargetLimit, range_is_the_limit, resolve_tolerance};
use super::{Calculation, DoseRequest, Finding, FindingCode, Rounding, Severity, Verdict};
use crate::error::{Error, Result};
use crate::refusal::Refusal;
use crate::regimen::{Protocol, Tolerance};
use crate::units::{CellCount, CellsPerKg, Concentration, ExactCells, Percent, Volume};

/// Figures derived by division (per kg, percent) are shown to this many places.
const SHOWN_PLACES: u32 = 2;
/// The unrounded volume is a quotient; it is shown to the nanolitre.
const EXACT_VOLUME_PLACES: u32 = 6;

/// A cell product as its certificate describes it.
///
/// ```
/// use celldose::Product;
/// let product = Product::new("2.5e6/mL".parse()?, "95%".parse()?, None, "68mL".parse()?)?;
/// assert_eq!(product.active_cells_per_ml().to_string(), "2375000");
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Product {
    concentration: Concentration,
    viability: Percent,
    positive: Percent,
    available: Volume,
    active_per_ml: Decimal,
    viable_stated: bool,
}

impl Product {
    /// A product with its concentration, the percentage of cells alive, the percentage carrying
    /// the active marker (all of them, where `positive` is `None`), and the volume available.
    ///
    /// # Errors
    /// When the viability or the positive fraction is 0 %: a product with no active cells cannot
    /// deliver a dose.
    ///
    /// ```
    /// use celldose::Product;
    /// let error = Product::new("2.5e6/mL".parse()?, "0%".parse()?, None, "68mL".parse()?).unwrap_err();
    /// assert_eq!(error.to_string(), "viability 0% is not above 0%; accepted: above 0% and at most 100%");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn new(
        concentration: Concentration,
        viability: Percent,
        positive: Option<Percent>,
        available: Volume,
    ) -> Result<Self> {
        let positive = positive.unwrap_or(Percent::MAX);
        for (what, value) in [("viability", viability), ("positive fraction", positive)] {
            if value.get().is_zero() {
                return Err(Error::OutOfRange {
                    what,
                    value: value.to_string(),
                    problem: "not above 0%".into(),
                    accepted: "above 0% and at most 100%".into(),
                });
            }
        }
        Self::made(concentration, viability, positive, available, false)
    }

    /// A product whose certificate states viable cells per mL: the viability is in that figure
    /// already, so it is reported and not applied again.
    ///
    /// # Errors
    /// As [`Product::new`].
    ///
    /// ```
    /// use celldose::Product;
    /// // The certificate's 3 × 10⁶ viable cells/mL at 75 % viability: 3 × 10⁶ active cells/mL.
    /// let product = Product::viable("3e6/mL".parse()?, "75%".parse()?, None, "68mL".parse()?)?;
    /// assert_eq!(product.active_cells_per_ml().to_string(), "3000000");
    /// assert!(product.viable_stated());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn viable(
        viable_concentration: Concentration,
        viability: Percent,
        positive: Option<Percent>,
        available: Volume,
    ) -> Result<Self> {
        let positive = positive.unwrap_or(Percent::MAX);
        for (what, value) in [("viability", viability), ("positive fraction", positive)] {
            if value.get().is_zero() {
                return Err(Error::OutOfRange {
                    what,
                    value: value.to_string(),
                    problem: "not above 0%".into(),
                    accepted: "above 0% and at most 100%".into(),
                });
            }
        }
        Self::made(viable_concentration, viability, positive, available, true)
    }

    #[allow(clippy::arithmetic_side_effects)] // a product of big fractions cannot overflow
    fn made(
        concentration: Concentration,
        viability: Percent,
        positive: Percent,
        available: Volume,
        viable_stated: bool,
    ) -> Result<Self> {
        use crate::units::fraction::{fraction, percent, to_decimal};
        let mut active = fraction(concentration.get()) * percent(positive);
        if !viable_stated {
            active *= percent(viability);
        }
        let active_per_ml = to_decimal(&active).ok_or_else(|| Error::Overflow {
            operation: "active cells per mL",
            detail: format!(
                "{concentration} × {viability} × {positive} has more digits than celldose keeps exactly"
            ),
        })?;
        Ok(Self {
            concentration,
            viability,
            positive,
            available,
            active_per_ml,
            viable_stated,
        })
    }

    /// Whether the concentration is of viable cells (the viability is then reported only).
    ///
    /// See [`Product::viable`].
    pub fn viable_stated(&self) -> bool {
        self.viable_stated
    }

    /// Cells per mL that count towards the dose: concentration × viability × positive fraction
    /// (the viability left out where the concentration is of viable cells).
    ///
    /// ```
    /// use celldose::Product;
    /// let product = Product::new("2e6/mL".parse()?, "90%".parse()?, Some("40%".parse()?), "50mL".parse()?)?;
    /// assert_eq!(product.active_cells_per_ml().to_string(), "720000");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn active_cells_per_ml(&self) -> Decimal {
        self.active_per_ml
    }

    /// The concentration on the certificate.
    ///
    /// See [`Product::new`].
    pub fn concentration(&self) -> Concentration {
        self.concentration
    }

    /// The percentage of cells alive.
    ///
    /// See [`Product::new`].
    pub fn viability(&self) -> Percent {
        self.viability
    }

    /// The percentage of cells carrying the active marker (100 % where not stated).
    ///
    /// See [`Product::new`].
    pub fn positive(&self) -> Percent {
        self.positive
    }

    /// The volume of product available.
    ///
    /// See [`Product::new`].
    pub fn available(&self) -> Volume {
        self.available
    }
}

/// The volume to draw for one patient, and a check of the dose it delivers.
///
/// ```
/// use celldose::{Catalogue, DoseChoice, DoseRequest, Product, Rounding, Verdict};
/// let catalogue = Catalogue::builtin()?;
/// let request = DoseRequest::new("70kg".parse()?, DoseChoice::ArmDose, Rounding::HalfAwayFromZero).with_arm("low-dose");
/// let product = Product::new("2.5e6/mL".parse()?, "96%".parse()?, None, "50mL".parse()?)?;
/// let prepared = catalogue.find("NCT06167473")?.prepare(&request, &product, "0.1mL".parse()?, Some("5%".parse()?))?;
/// // 70,000,000 cells ÷ 2,400,000 active cells/mL = 29.1666… mL, drawn as 29.2 mL.
/// assert_eq!(prepared.volume().to_string(), "29.2 mL");
/// assert_eq!(prepared.delivered_exact().to_string(), "70080000");
/// assert_eq!(prepared.verdict(), Verdict::Within);
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preparation {
    calculation: Calculation,
    product: Product,
    step: Volume,
    exact_volume_ml: Decimal,
    exact_volume_is_exact: bool,
    volume: Volume,
    delivered_exact: ExactCells,
    delivered_per_kg: CellsPerKg,
    deviation_percent: Option<Decimal>,
    tolerance: Option<Tolerance>,
    findings: Vec<Finding>,
}

/// One volume that could be drawn, with what it delivers and what that would mean.
struct Candidate {
    volume: Decimal,
    delivered: ExactCells,
    findings: Vec<Finding>,
    deviation: Option<Decimal>,
}

impl Choice for Candidate {
    fn findings(&self) -> &[Finding] {
        &self.findings
    }
    fn findings_mut(&mut self) -> &mut Vec<Finding> {
        &mut self.findings
    }
    fn amount(&self) -> ExactCells {
        self.delivered
    }
    fn words(&self) -> String {
        format!("{} mL", self.volume)
    }
}

/// A way of giving a dose that can be judged and compared: a volume, or a choice of bags.
pub(crate) trait Choice {
    /// What the judgement found.
    fn findings(&self) -> &[Finding];
    /// The same, to add to.
    fn findings_mut(&mut self) -> &mut Vec<Finding>;
    /// The cells it gives.
    fn amount(&self) -> ExactCells;
    /// What it is, in words: `29.2 mL`.
    fn words(&self) -> String;
    /// 0 when nothing is wrong, 1 with a soft finding, 2 with a hard one.
    fn rank(&self) -> u8 {
        let mut rank = 0;
        for finding in self.findings() {
            rank = rank.max(match finding.severity() {
                Severity::Hard => 2,
                Severity::Soft => 1,
                _ => 0,
            });
        }
        rank
    }
}

/// Of the nearest way to give a dose and its other neighbour, the one to take: the nearest,
/// unless the other passes a check the nearest fails (a finding says so); where both fail, the
/// nearest, with a hard finding that no neighbour passes.
pub(crate) fn choose<C: Choice>(nearest: C, other: Option<C>, step: Volume, clause: &str) -> C {
    let Some(other) = other else {
        return nearest;
    };
    if other.rank() < nearest.rank() {
        let mut other = other;
        let (taken, instead) = (other.words(), nearest.words());
        // The first of the gravest findings: `max_by_key` keeps the last of equals, so the
        // findings are read from the end.
        let worst = nearest
            .findings()
            .iter()
            .rev()
            .filter(|f| f.severity() != Severity::Info)
            .max_by_key(|f| f.severity())
            .cloned();
        other.findings_mut().push(Finding::new(
            Severity::Info,
            FindingCode::VolumeRoundedInside,
            clause,
            |n| {
                let why = worst.as_ref().map_or_else(String::new, |f| format!(" ({})", f.message(n)));
                format!("the nearest {step} step, {instead}, would fail a check{why}, so {taken} was taken")
            },
        ));
        other
    } else if nearest.rank() == 2 && other.rank() == 2 {
        let mut nearest = nearest;
        let (low, high) = if nearest.amount() < other.amount() {
            (nearest.words(), other.words())
        } else {
            (other.words(), nearest.words())
        };
        nearest.findings_mut().push(Finding::new(
            Severity::Hard,
            FindingCode::NoVolumeInside,
            clause,
            |_| {
                format!(
                    "neither {low} nor {high}, the two {step} steps around the exact volume, delivers a dose that passes every check"
                )
            },
        ));
        nearest
    } else {
        nearest
    }
}

impl Protocol {
    /// The volume of `product` to draw for the patient of `request`.
    ///
    /// The exact volume (target ÷ active cells per mL) is rounded to the nearest multiple of
    /// `step`, a tie going to the larger. The dose that volume delivers is computed again and
    /// checked against the protocol's limits, the tolerance (the protocol's own, or `tolerance`
    /// as a hard band), and the volume available. When the nearest multiple fails a check that
    /// the other neighbour passes, the other is taken and a finding says so; when neither passes,
    /// the verdict is `outside` and the findings say why.
    ///
    /// # Errors
    /// The errors of [`Protocol::calculate`]; a protocol that gives only a range and no dose; a
    /// placebo arm; a single target with no tolerance; a volume beyond what can be represented.
    ///
    /// ```
    /// use celldose::{Catalogue, DoseChoice, DoseRequest, Product, Rounding};
    /// let catalogue = Catalogue::builtin()?;
    /// let request = DoseRequest::new("60kg".parse()?, DoseChoice::ArmDose, Rounding::HalfEven).with_arm("msc");
    /// let product = Product::new("2.5e6/mL".parse()?, "95%".parse()?, None, "68mL".parse()?)?;
    /// let error = catalogue.find("NCT01218464")?.prepare(&request, &product, "0.1mL".parse()?, None).unwrap_err();
    /// assert!(error.to_string().contains("gives a range and no single dose"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn prepare(
        &self,
        request: &DoseRequest,
        product: &Product,
        step: Volume,
        tolerance: Option<Percent>,
    ) -> Result<Preparation> {
        let mut options = PrepareOptions::new().step_of(step);
        if let Some(tolerance) = tolerance {
            options = options.with_tolerance(tolerance);
        }
        self.calculate(request)?.prepare_volume(product, &options)
    }
}

impl Calculation {
    /// The volume of `product` to draw for this calculation as it stands (see
    /// [`Protocol::prepare`]): the step and the tolerance from `options`.
    pub(super) fn prepare_volume(
        &self,
        product: &Product,
        options: &PrepareOptions,
    ) -> Result<Preparation> {
        let calculation = self.clone();
        let step = options.step();
        let tolerance = options.check().given_tolerance(&calculation);
        let Some(target) = calculation.exact_cells() else {
            return Err(Refusal::NoDoseToPrepare {
                protocol: calculation.protocol().to_owned(),
                place: calculation.place(),
                what: "a volume",
            }
            .into());
        };
        if target.get().is_zero() {
            return Err(Refusal::PlaceboArm {
                protocol: calculation.protocol().to_owned(),
                arm: calculation
                    .arm()
                    .unwrap_or(calculation.regimen())
                    .to_owned(),
                verb: "draw",
            }
            .into());
        }
        // The volume is worked out from the target, so what it delivers is within one step of
        // it; with no tolerance, a protocol range with both ends is the limit for that step.
        let limit = resolve_tolerance(&calculation, tolerance, "preparing a volume", true)?;
        let tolerance = limit.tolerance();
        let active = product.active_cells_per_ml();
        let overflow = || Error::Overflow {
            operation: "volume to draw",
            detail: format!(
                "{} cells at {} active cells/mL in steps of {step}",
                target.get(),
                active
            ),
        };
        let cells_per_step = active.checked_mul(step.ml()).ok_or_else(overflow)?;

        // The whole number of steps at or below the target, found by division and confirmed by
        // exact multiplication so that no rounding inside the division can misplace it.
        let mut steps = target
            .get()
            .checked_div(cells_per_step)
            .ok_or_else(overflow)?
            .floor();
        // Each count is an exact product, never a rounded one (big fractions cannot overflow).
        #[allow(clippy::arithmetic_side_effects)]
        let cells_at = |n: Decimal| {
            use crate::units::fraction::{fraction, to_decimal};
            to_decimal(&(fraction(n) * fraction(active) * fraction(step.ml()))).ok_or_else(overflow)
        };
        let next = |n: Decimal| n.checked_add(Decimal::ONE).ok_or_else(overflow);
        while steps > Decimal::ZERO && cells_at(steps)? > target.get() {
            steps = steps.checked_sub(Decimal::ONE).ok_or_else(overflow)?;
        }
        while cells_at(next(steps)?)? <= target.get() {
            steps = next(steps)?;
        }
        let below = cells_at(steps)?;
        let above = cells_at(next(steps)?)?;
        // Nothing can be drawn in zero steps, so the only neighbour then is one step.
        let single = below == target.get() || steps.is_zero();
        let (nearest, other) = if steps.is_zero() {
            (Decimal::ONE, Decimal::ONE)
        } else if below == target.get()
            || target.get().checked_sub(below) < above.checked_sub(target.get())
        {
            (steps, next(steps)?)
        } else {
            (next(steps)?, steps)
        };

        let candidate = |n: Decimal| -> Result<Candidate> {
            let volume = n.checked_mul(step.ml()).ok_or_else(overflow)?.normalize();
            let delivered = ExactCells::new(cells_at(n)?)?;
            let (mut findings, deviation) = judge_delivery(&calculation, delivered, tolerance)?;
            if volume > product.available().ml() {
                findings.push(Finding::new(
                    Severity::Hard,
                    FindingCode::VolumeAboveAvailable,
                    calculation.clause("product available"),
                    |_| {
                        format!(
                            "{volume} mL is more than the {} available",
                            product.available()
                        )
                    },
                ));
            }
            Ok(Candidate {
                volume,
                delivered,
                findings,
                deviation,
            })
        };
        let first = candidate(nearest)?;
        let second = if single {
            None
        } else {
            Some(candidate(other)?)
        };
        let chosen = choose(first, second, step, &calculation.clause("volume rounding"));

        let volume = Volume::from_ml(chosen.volume).map_err(|_| {
            Error::from(Refusal::VolumeBeyond {
                ml: chosen.volume.to_string(),
                max: Volume::MAX.to_string(),
                available: product.available().to_string(),
            })
        })?;
        let weight = calculation.weight().weight();
        let delivered_per_kg = CellsPerKg::rounded_from(chosen.delivered, weight, SHOWN_PLACES)?;
        let exact_volume_ml = Rounding::HalfAwayFromZero.to_places(
            target.get().checked_div(active).ok_or_else(overflow)?,
            EXACT_VOLUME_PLACES,
        );
        #[allow(clippy::arithmetic_side_effects)] // a product of big fractions
        let exact_volume_is_exact = {
            use crate::units::fraction::fraction;
            fraction(exact_volume_ml) * fraction(active) == fraction(target.get())
        };
        let mut findings = chosen.findings;
        if limit == TargetLimit::Range {
            findings.insert(0, range_is_the_limit(&calculation));
        }
        Ok(Preparation {
            calculation,
            product: *product,
            step,
            exact_volume_ml,
            exact_volume_is_exact,
            volume,
            delivered_exact: chosen.delivered,
            delivered_per_kg,
            deviation_percent: chosen.deviation,
            tolerance,
            findings,
        })
    }
}

impl Preparation {
    /// The calculation the volume was prepared for.
    ///
    /// See [`Preparation`] for an example.
    pub fn calculation(&self) -> &Calculation {
        &self.calculation
    }

    /// The product it is drawn from.
    ///
    /// See [`Preparation`] for an example.
    pub fn product(&self) -> &Product {
        &self.product
    }

    /// The measuring step the volume was rounded to.
    ///
    /// See [`Preparation`] for an example.
    pub fn step(&self) -> Volume {
        self.step
    }

    /// The volume the target needs before rounding to a step: target ÷ active cells per mL,
    /// to 0.000001 mL (rounded half away from zero). Only shown; never used for a check.
    ///
    /// See [`Preparation`] for an example.
    pub fn exact_volume_ml(&self) -> Decimal {
        self.exact_volume_ml
    }

    /// Whether [`Preparation::exact_volume_ml`] is the exact quotient (`false`: it is rounded to
    /// 0.000001 mL).
    ///
    /// See [`Preparation`] for an example.
    pub fn exact_volume_is_exact(&self) -> bool {
        self.exact_volume_is_exact
    }

    /// The volume to draw, a whole number of steps.
    ///
    /// See [`Preparation`] for an example.
    pub fn volume(&self) -> Volume {
        self.volume
    }

    /// The exact number of active cells that volume delivers.
    ///
    /// See [`Preparation`] for an example.
    pub fn delivered_exact(&self) -> ExactCells {
        self.delivered_exact
    }

    /// The delivered count in whole cells, rounded half away from zero (checks use the exact
    /// amount).
    ///
    /// See [`Preparation`] for an example.
    pub fn delivered_cells(&self) -> Option<CellCount> {
        self.delivered_exact.round(Rounding::HalfAwayFromZero).ok()
    }

    /// The delivered dose per kg, rounded half away from zero to 0.01 cells/kg.
    ///
    /// See [`Preparation`] for an example.
    pub fn delivered_per_kg(&self) -> CellsPerKg {
        self.delivered_per_kg
    }

    /// (delivered − target) ÷ target × 100, rounded half away from zero to 0.01 %.
    ///
    /// See [`Preparation`] for an example.
    pub fn deviation_percent(&self) -> Option<Decimal> {
        self.deviation_percent
    }

    /// The tolerance applied: the protocol's own, or the caller's as a hard band.
    ///
    /// See [`Preparation`] for an example.
    pub fn tolerance(&self) -> Option<Tolerance> {
        self.tolerance
    }

    /// The calculation's findings followed by the preparation's own.
    ///
    /// See [`Preparation`] for an example.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> + Clone {
        self.calculation.findings().iter().chain(&self.findings)
    }

    /// `outside` if any finding is hard; else `review` if any is soft and not acknowledged; else
    /// `within`.
    ///
    /// See [`Preparation`] for an example.
    pub fn verdict(&self) -> Verdict {
        Verdict::from_findings(
            self.findings(),
            self.calculation.acknowledgement().is_some(),
        )
    }
}
