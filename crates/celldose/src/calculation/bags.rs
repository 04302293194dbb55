//! From the bags of a product to one patient's dose: whole bags first, in the order given, then
//! a measured volume from the next bag, rounded to the step, taking the neighbour that passes
//! every limit where the nearest does not; and what is left over.

use num_rational::BigRational;
use rust_decimal::Decimal;

use super::check::Drawing;
use super::course::split_words;
use super::delivery::{BagShare, Course, Delivery};
use super::options::PrepareOptions;
use super::preparation::{Choice, choose};
use super::tolerance::{TargetLimit, range_is_the_limit, resolve_tolerance};
use super::{Calculation, DeliveryCheck, DoseRequest, Finding, FindingCode, Severity};
use crate::certificate::{Bag, Certificate};
use crate::error::{Error, Result};
use crate::human;
use crate::refusal::Refusal;
use crate::regimen::{Protocol, SplitLimits};
use crate::units::fraction::{divide, fraction, rounded};
use crate::units::{ExactCells, Percent, Volume};

/// The exact volume is shown to the nanolitre.
const EXACT_VOLUME_PLACES: u32 = 6;

/// One way of giving the dose from the bags, judged.
struct Way {
    check: DeliveryCheck,
    words: String,
}

impl Choice for Way {
    fn findings(&self) -> &[Finding] {
        &self.check.findings
    }
    fn findings_mut(&mut self) -> &mut Vec<Finding> {
        &mut self.check.findings
    }
    fn amount(&self) -> ExactCells {
        self.check.actual_exact()
    }
    fn words(&self) -> String {
        self.words.clone()
    }
}

/// What a choice of bags gives, in words: `bag 1 whole and 69.6 mL of bag 2`.
fn way_words(shares: &[BagShare]) -> String {
    if shares.is_empty() {
        return "nothing".into();
    }
    shares
        .iter()
        .map(|s| {
            if s.whole() {
                format!("bag {} whole", s.id())
            } else {
                format!("{} mL of bag {}", s.volume_ml(), s.id())
            }
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

impl Protocol {
    /// What to give the patient of `request` from `bags` of `product` (in the order given):
    /// whole bags while they stay at or below the target, then a whole number of `step`s from
    /// the next bag. The dose each neighbouring choice gives is judged as
    /// [`Protocol::check_delivery`] judges it; the nearest is taken unless the other passes a
    /// check it fails, and a finding says what is left over.
    ///
    /// For a split dose, `course` says which infusion; the target is this infusion's share
    /// (per-infusion limits) or what the running total still needs (cumulative limits).
    ///
    /// # Errors
    /// Those of [`Protocol::prepare`]; a part of a bag whose total does not divide exactly by
    /// its volume (give its concentration instead).
    ///
    /// ```
    /// use celldose::{Certificate, DoseChoice, DoseRequest, Protocol, Rounding};
    /// let root = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    /// let product = Certificate::from_toml("p.toml", &std::fs::read_to_string(format!("{root}/products/car-t-two-bags.toml"))?)?;
    /// let protocol = Protocol::from_toml("c.toml", &std::fs::read_to_string(format!("{root}/protocols/car-t-product-limits.toml"))?)?;
    /// let request = DoseRequest::new("120kg".parse()?, DoseChoice::ArmDose, Rounding::HalfAwayFromZero)
    ///     .with_current_weight("118kg".parse()?);
    /// let given = protocol.prepare_from_bags(&request, &product, &product.select(&[])?, "0.1mL".parse()?, None, None)?;
    /// // The cap makes the target 2 × 10⁸: bag 1 whole (99,750,000), then 100,250,000 from bag 2
    /// // at 1,440,000 per mL = 69.618… mL, drawn as 69.6 mL (100,224,000).
    /// assert_eq!(given.product().map(|p| p.bags()[1].volume_ml().to_string()).as_deref(), Some("69.6"));
    /// assert_eq!(given.actual_exact().to_string(), "199974000");
    /// assert_eq!(given.verdict(), celldose::Verdict::Within);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prepare_from_bags(
        &self,
        request: &DoseRequest,
        product: &Certificate,
        bags: &[&Bag],
        step: Volume,
        tolerance: Option<Percent>,
        course: Option<Course>,
    ) -> Result<DeliveryCheck> {
        let mut options = PrepareOptions::new().step_of(step);
        if let Some(tolerance) = tolerance {
            options = options.with_tolerance(tolerance);
        }
        if let Some(course) = course {
            options = options.course(course);
        }
        self.calculate(request)?
            .prepare_bags(product, bags, &options)
    }
}

impl Calculation {
    /// What to give from `bags` of `product` for this calculation as it stands (see
    /// [`Protocol::prepare_from_bags`]): the step, tolerance and infusion from `options`.
    pub(super) fn prepare_bags(
        &self,
        product: &Certificate,
        bags: &[&Bag],
        options: &PrepareOptions,
    ) -> Result<DeliveryCheck> {
        let calculation = self.clone();
        let step = options.step();
        let tolerance = options.check().given_tolerance(&calculation);
        let course = options.check().infusion().cloned();
        let Some(whole_target) = calculation.exact_cells() else {
            return Err(Refusal::NoDoseToPrepare {
                protocol: calculation.protocol().to_owned(),
                place: calculation.place(),
                what: "from the bags",
            }
            .into());
        };
        if whole_target.get().is_zero() {
            return Err(Refusal::PlaceboArm {
                protocol: calculation.protocol().to_owned(),
                arm: calculation
                    .arm()
                    .unwrap_or(calculation.regimen())
                    .to_owned(),
                verb: "give",
            }
            .into());
        }
        let limit = resolve_tolerance(&calculation, tolerance, "preparing a dose", true)?;
        let tolerance = limit.tolerance();
        // This infusion's target: the whole target, or its share of a split dose.
        let target = match (calculation.split(), &course) {
            (Some(split), Some(course)) => {
                let (share, so_far) = split.shares(course.number()).ok_or_else(|| {
                    Error::from(Refusal::NoSuchInfusion {
                        infusion: course.number(),
                        infusions: split.parts().len(),
                        protocol: calculation.protocol().to_owned(),
                        place: None,
                        split: split_words(split),
                    })
                })?;
                match (split.limits(), course.given_before()) {
                    (SplitLimits::Cumulative, Some(given)) => {
                        let due = calculation
                            .share(so_far)?
                            .exact_cells()
                            .unwrap_or(whole_target);
                        ExactCells::new(
                            due.get()
                                .checked_sub(given.get())
                                .unwrap_or(Decimal::ZERO)
                                .max(Decimal::ZERO),
                        )?
                    }
                    _ => calculation
                        .share(share)?
                        .exact_cells()
                        .unwrap_or(whole_target),
                }
            }
            _ => whole_target,
        };

        let path = Path::new(bags, step);
        let judge = |index: u64| -> Result<Way> {
            let shares = path.shares(index)?;
            let words = way_words(&shares);
            let delivery = Delivery::drawn(product, shares)?
                .with_dmso_given_today(calculation.parts.dmso_given_today);
            let check = calculation
                .clone()
                .judge(&delivery, tolerance, course.clone())?;
            Ok(Way { check, words })
        };
        // The last position at or below the target, found by bisection on the cells (which
        // only grow along the path), each position's count an exact fraction; then the
        // positions around it that can be given (whose counts are exact decimals).
        let wanted = fraction(target.get());
        let (mut low, mut high) = (0u64, path.last());
        while low < high {
            let middle = low.saturating_add(high.saturating_sub(low).div_ceil(2));
            if path.fraction(middle) <= wanted {
                low = middle;
            } else {
                high = middle.saturating_sub(1);
            }
        }
        let below = path.usable_at_or_before(low);
        let below_cells = path.cells(below)?;
        let above = path.usable_after(low);
        let exact_ml = match above {
            Some(index) => path.exact_ml(index, target.get()),
            None => None,
        };
        let (nearest, other) = match above {
            // Every bag is at or below the target: all of them, nothing else to choose.
            None => (judge(below)?, None),
            // Nothing is not a dose; and a position exactly at the target needs no neighbour.
            Some(above) if below == 0 => (judge(above)?, None),
            Some(_) if below_cells == target.get() => (judge(below)?, None),
            Some(above) => {
                let above_cells = path.cells(above)?;
                let gap = |a: Decimal, b: Decimal| a.checked_sub(b).unwrap_or(Decimal::MAX);
                if gap(target.get(), below_cells) < gap(above_cells, target.get()) {
                    (judge(below)?, Some(judge(above)?))
                } else {
                    (judge(above)?, Some(judge(below)?))
                }
            }
        };
        let mut chosen = choose(nearest, other, step, &calculation.clause("volume rounding"));
        // Why the preparation stops short of the target, where something other than the step did.
        let mut limited_by: Option<String> = None;
        // Where both neighbours fail, a limit that grows with what is given (volume, DMSO,
        // endotoxin, a bag's viability) may still be met further down the path: the last
        // position that meets all of them is found by bisection, since each only fails more as
        // the path goes on, and taken if it passes.
        if chosen.rank() == 2 && below > 0 {
            let (mut low, mut high) = (0u64, below);
            while low < high {
                let middle = low.saturating_add(high.saturating_sub(low).div_ceil(2));
                if grows_ok(&judge(path.usable_at_or_before(middle))?) {
                    low = middle;
                } else {
                    high = middle.saturating_sub(1);
                }
            }
            let low = path.usable_at_or_before(low);
            if low > 0 && low < below {
                let mut fallback = judge(low)?;
                if fallback.rank() < 2 {
                    let instead = chosen.words();
                    let taken = fallback.words();
                    let why: Vec<String> = chosen
                        .findings()
                        .iter()
                        .filter(|f| f.severity() == Severity::Hard && grows(f.code()))
                        .map(|f| f.message(crate::human::Notation::Unicode).into_owned())
                        .collect();
                    fallback.check.findings.push(Finding::new(
                        Severity::Info,
                        FindingCode::VolumeRoundedInside,
                        calculation.clause("volume rounding"),
                        |_| {
                            format!(
                                "{instead}, nearest the target, would fail a check ({}), so {taken} was taken, the most that meets every limit on what is given",
                                why.join("; ")
                            )
                        },
                    ));
                    chosen = fallback;
                    limited_by = Some(format!(
                        "a limit on what goes in with the cells ({})",
                        why.join("; ")
                    ));
                }
            }
        }
        if above.is_none() && below_cells < target.get() {
            limited_by = Some("the bags chosen hold no more".to_owned());
        }
        if let Some(reason) = limited_by {
            chosen.check.findings.extend(short_of_target(
                &chosen.check,
                target,
                tolerance,
                &reason,
                calculation.clause("volume rounding"),
            ));
        }

        let mut check = chosen.check;
        if limit == TargetLimit::Range {
            check.findings.insert(0, range_is_the_limit(&calculation));
        }
        if let Some(left) = left_over(&check) {
            check.findings.push(left);
        }
        check.drawing = Some(Box::new(Drawing {
            step,
            target,
            exact_ml,
        }));
        Ok(check)
    }
}

/// A review where what is given falls short of this infusion's target by more than its
/// tolerance (10 % where none applies) because of `reason`, and nothing harder says so already.
#[allow(clippy::arithmetic_side_effects)] // big fractions; the one division is by a target above 0
fn short_of_target(
    check: &DeliveryCheck,
    target: ExactCells,
    tolerance: Option<crate::regimen::Tolerance>,
    reason: &str,
    clause: String,
) -> Option<Finding> {
    if check
        .findings
        .iter()
        .any(|f| f.severity() == Severity::Hard)
        || target.get().is_zero()
    {
        return None;
    }
    let allowed = tolerance.map_or(Decimal::TEN, |t| t.hard().get());
    let delivered = check.actual_exact();
    let short = fraction(target.get()) - fraction(delivered.get());
    let hundred = fraction(Decimal::ONE_HUNDRED);
    if &short * &hundred <= fraction(allowed) * fraction(target.get()) {
        return None;
    }
    let percent = divide(short * hundred, &fraction(target.get()))
        .and_then(|p| rounded(&p, 2))
        .unwrap_or_default();
    let basis = match tolerance {
        Some(t) => format!("its tolerance of {}", t.hard()),
        None => "10 % (no tolerance applies)".to_owned(),
    };
    Some(Finding::new(
        Severity::Soft,
        FindingCode::ShortOfChosenDose,
        clause,
        |n| {
            format!(
                "what is given, {}, is {}% below the target of {}, more than {basis}, because {reason}; a review must accept the lower dose, or another product or day be chosen",
                human::cells(delivered.get(), n),
                percent.normalize(),
                human::cells(target.get(), n)
            )
        },
    ))
}

/// Whether a finding's limit grows with what is given along the path.
fn grows(code: FindingCode) -> bool {
    matches!(
        code,
        FindingCode::VolumeAboveLimit
            | FindingCode::DmsoAboveLimit
            | FindingCode::EndotoxinAboveLimit
            | FindingCode::ViabilityBelowMinimum
    )
}

/// Whether a way meets every limit that grows with what is given.
fn grows_ok(way: &Way) -> bool {
    !way.check
        .findings
        .iter()
        .any(|f| f.severity() == Severity::Hard && grows(f.code()))
}

/// The ways to give a dose from bags in order, numbered: 0 is nothing; then each step of the
/// first bag, its last position being the whole bag; then each step of the next bag, and so on.
/// A position whose count is not a decimal celldose keeps exactly (a part of a bag stated by a
/// total that does not divide evenly) cannot be given; the positions around it are taken instead.
struct Path<'a> {
    bags: &'a [&'a Bag],
    /// Positions per bag.
    positions: Vec<u64>,
    step: Volume,
}

impl<'a> Path<'a> {
    fn new(bags: &'a [&'a Bag], step: Volume) -> Self {
        let positions = bags
            .iter()
            .map(|bag| {
                let steps = bag
                    .volume()
                    .ml()
                    .checked_div(step.ml())
                    .map_or(Decimal::ONE, |n| n.ceil());
                u64::try_from(steps).unwrap_or(u64::MAX).max(1)
            })
            .collect();
        Self {
            bags,
            positions,
            step,
        }
    }

    /// The last position: every bag whole.
    fn last(&self) -> u64 {
        self.positions
            .iter()
            .fold(0u64, |sum, n| sum.saturating_add(*n))
    }

    /// The bag a position falls in, the positions before that bag, and its steps in it.
    fn locate(&self, index: u64) -> Option<(usize, u64)> {
        let mut before = 0u64;
        for (k, n) in self.positions.iter().enumerate() {
            if index <= before.saturating_add(*n) {
                return Some((k, index.saturating_sub(before)));
            }
            before = before.saturating_add(*n);
        }
        None
    }

    /// How many bags are given whole at `index`, and the bag drawn from with its volume in mL.
    fn parts(&self, index: u64) -> (usize, Option<(&'a Bag, Decimal)>) {
        let Some((k, n)) = self.locate(index).filter(|_| index > 0) else {
            return (0, None);
        };
        let drawn = match (self.bags.get(k), self.positions.get(k)) {
            (Some(bag), Some(positions)) => {
                let ml = if n >= *positions {
                    bag.volume().ml()
                } else {
                    Decimal::from(n)
                        .checked_mul(self.step.ml())
                        .unwrap_or(Decimal::MAX)
                        .min(bag.volume().ml())
                };
                (ml > Decimal::ZERO).then_some((*bag, ml))
            }
            _ => None,
        };
        (k, drawn)
    }

    /// What is given at `index`.
    fn shares(&self, index: u64) -> Result<Vec<BagShare>> {
        let (whole, drawn) = self.parts(index);
        let mut shares = Vec::with_capacity(whole.saturating_add(1));
        for bag in self.bags.iter().take(whole) {
            shares.push(BagShare::of(bag, bag.volume().ml())?);
        }
        if let Some((bag, ml)) = drawn {
            shares.push(BagShare::of(bag, ml)?);
        }
        Ok(shares)
    }

    /// The counted cells given at `index`, as an exact fraction, whether or not it can be given.
    #[allow(clippy::arithmetic_side_effects)] // a sum of big fractions cannot overflow
    fn fraction(&self, index: u64) -> BigRational {
        let (whole, drawn) = self.parts(index);
        let mut sum: BigRational = self
            .bags
            .iter()
            .take(whole)
            .map(|b| fraction(b.counted().get()))
            .sum();
        if let Some(part) = drawn.and_then(|(bag, ml)| bag.counted_fraction(ml)) {
            sum += part;
        }
        sum
    }

    /// Whether `index` can be given: its count is a decimal celldose keeps exactly.
    fn usable(&self, index: u64) -> bool {
        match self.parts(index).1 {
            Some((bag, ml)) => bag.counted_in(ml).is_ok(),
            None => true,
        }
    }

    /// The last position at or before `index` that can be given (nothing always can).
    fn usable_at_or_before(&self, index: u64) -> u64 {
        (0..=index).rev().find(|i| self.usable(*i)).unwrap_or(0)
    }

    /// The first position after `index` that can be given, where there is one.
    fn usable_after(&self, index: u64) -> Option<u64> {
        (index.saturating_add(1)..=self.last()).find(|i| self.usable(*i))
    }

    /// The counted cells given at `index`, which can be given.
    fn cells(&self, index: u64) -> Result<Decimal> {
        Ok(self.shares(index)?.iter().map(|s| s.counted().get()).sum())
    }

    /// The volume the bag of `index` would need to bring the whole bags before it to `target`,
    /// and whether that is exact: shown to 0.000001 mL, rounded half away from zero where the
    /// exact volume has more places (or does not terminate).
    #[allow(clippy::arithmetic_side_effects)] // big fractions; the division is checked
    fn exact_ml(&self, index: u64, target: Decimal) -> Option<(Decimal, bool)> {
        let (whole, _) = self.parts(index);
        let bag = self.bags.get(whole)?;
        let before: BigRational = self
            .bags
            .iter()
            .take(whole)
            .map(|b| fraction(b.counted().get()))
            .sum();
        let counted = fraction(bag.counted().get());
        let ml = divide(
            (fraction(target) - before) * fraction(bag.volume().ml()),
            &counted,
        )?;
        let shown = rounded(&ml, EXACT_VOLUME_PLACES)?;
        let exact = fraction(shown) == ml;
        Some((shown.normalize(), exact))
    }
}

/// What is left of the product once the chosen bags are given, as an info finding.
fn left_over(check: &DeliveryCheck) -> Option<Finding> {
    let product = check.product()?;
    let mut parts: Vec<(String, Decimal, Decimal)> = product
        .bags()
        .iter()
        .filter(|b| !b.whole())
        .map(|b| (format!("of bag {}", b.id()), b.left_ml(), b.left_counted()))
        .collect();
    parts.extend(
        product
            .untouched()
            .iter()
            .map(|(id, ml, cells)| (format!("bag {id}, untouched"), *ml, cells.get())),
    );
    if parts.is_empty() {
        return None;
    }
    let clause = check.calculation().clause("product left over");
    Some(Finding::new(
        Severity::Info,
        FindingCode::ProductLeftOver,
        clause,
        |n| {
            let items: Vec<String> = parts
                .iter()
                .map(|(what, ml, cells)| {
                    format!("{} mL {what}, {}", ml.normalize(), human::cells(*cells, n))
                })
                .collect();
            format!(
                "left over: {}; label or discard it as the pharmacy's procedure says",
                items.join("; ")
            )
        },
    ))
}
