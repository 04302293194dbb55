//! From the bags of a product to one patient's dose: whole bags first, in the order given, then
//! a measured volume from the next bag, rounded to the step, taking the neighbour that passes
//! every limit where the nearest does not; and what is left over.

use rust_decimal::Decimal;

use super::check::{split_words, Drawing};
use super::delivery::{BagShare, Course, Delivery};
use super::preparation::{choose, Choice};
use super::tolerance::{range_is_the_limit, resolve_tolerance, TargetLimit};
use super::{DeliveryCheck, DoseRequest, Finding, FindingCode, Rounding, Severity};
use crate::certificate::{Bag, Certificate};
use crate::error::{Error, Result};
use crate::human;
use crate::regimen::{Protocol, SplitLimits};
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
    /// use celldose::{Catalogue, Certificate, DoseChoice, DoseRequest, Rounding};
    /// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/products/car-t-two-bags.toml"))?;
    /// let product = Certificate::from_toml("car-t-two-bags.toml", &text)?;
    /// let protocol = Catalogue::builtin()?.find("NCT06167473")?.clone();
    /// let request = DoseRequest::new("70kg".parse()?, DoseChoice::ArmDose, Rounding::HalfAwayFromZero).with_arm("high-dose");
    /// let given = protocol.prepare_from_bags(&request, &product, &product.select(&[])?, "0.1mL".parse()?, Some("10%".parse()?), None)?;
    /// // 1.4 × 10⁸ cells: bag 1 whole (99,750,000), then 40,250,000 from bag 2 at 1,440,000 per mL
    /// // = 27.951… mL, drawn as 28 mL (40,320,000).
    /// assert_eq!(given.product().map(|p| p.bags()[1].volume_ml().to_string()).as_deref(), Some("28"));
    /// assert_eq!(given.actual_exact().to_string(), "140070000");
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
        let calculation = self.calculate(request)?;
        let Some(whole_target) = calculation.exact_cells() else {
            return Err(Error::Request(format!(
                "protocol {} gives a range and no single dose; give a dose to prepare from the bags",
                calculation.protocol()
            )));
        };
        if whole_target.get().is_zero() {
            return Err(Error::Request(format!(
                "protocol {} arm {} is a placebo arm: there are no cells to give",
                calculation.protocol(),
                calculation.arm().unwrap_or(calculation.regimen())
            )));
        }
        let limit = resolve_tolerance(&calculation, tolerance, "preparing a dose", true)?;
        let tolerance = limit.tolerance();
        // This infusion's target: the whole target, or its share of a split dose.
        let target = match (calculation.split(), course) {
            (Some(split), Some(course)) => {
                let (share, so_far) = split.shares(course.number()).ok_or_else(|| {
                    Error::Request(format!(
                        "infusion {} is not one of the {} infusions of protocol {} ({})",
                        course.number(),
                        split.parts().len(),
                        calculation.protocol(),
                        split_words(split)
                    ))
                })?;
                match (split.limits(), course.given_before()) {
                    (SplitLimits::Cumulative, Some(given)) => {
                        let due = calculation.share(so_far)?.exact_cells().unwrap_or(whole_target);
                        ExactCells::new((due.get() - given.get()).max(Decimal::ZERO))?
                    }
                    _ => calculation.share(share)?.exact_cells().unwrap_or(whole_target),
                }
            }
            _ => whole_target,
        };

        // Whole bags while the running sum stays at or below the target.
        let mut whole: Vec<&Bag> = Vec::new();
        let mut sum = Decimal::ZERO;
        let mut next: Option<&Bag> = None;
        for bag in bags {
            let with = sum + bag.counted().get();
            if with <= target.get() {
                whole.push(bag);
                sum = with;
            } else {
                next = Some(bag);
                break;
            }
        }
        let shares_with = |extra: Option<(&Bag, Decimal)>| -> Result<Vec<BagShare>> {
            let mut shares = whole
                .iter()
                .map(|b| BagShare::of(b, b.volume().ml()))
                .collect::<Result<Vec<_>>>()?;
            if let Some((bag, ml)) = extra.filter(|(_, ml)| *ml > Decimal::ZERO) {
                shares.push(BagShare::of(bag, ml)?);
            }
            Ok(shares)
        };
        let judge = |shares: Vec<BagShare>| -> Result<Way> {
            let words = way_words(&shares);
            let delivery = Delivery::drawn(product, shares)?;
            let check = self.judge(calculation.clone(), &delivery, tolerance, course)?;
            Ok(Way { check, words })
        };

        let mut exact_ml = None;
        let (nearest, other) = match next {
            // Every bag fits under the target: all of them, and nothing else to choose.
            None => (judge(shares_with(None)?)?, None),
            Some(bag) => {
                let need = target.get() - sum;
                match bag.counted_per_ml() {
                    // A bag stated by a total that does not divide exactly: whole or not at all.
                    None => {
                        let without = judge(shares_with(None)?)?;
                        let with = judge(shares_with(Some((bag, bag.volume().ml())))?)?;
                        if need < bag.counted().get() - need {
                            (without, Some(with))
                        } else {
                            (with, Some(without))
                        }
                    }
                    Some(per_ml) => {
                        let overflow = || Error::Overflow {
                            operation: "volume to draw",
                            detail: format!("{need} cells at {per_ml} cells/mL"),
                        };
                        exact_ml = Some(Rounding::HalfAwayFromZero.to_places(
                            need.checked_div(per_ml).ok_or_else(overflow)?,
                            EXACT_VOLUME_PLACES,
                        ));
                        let per_step = per_ml.checked_mul(step.ml()).ok_or_else(overflow)?;
                        let mut steps = need.checked_div(per_step).ok_or_else(overflow)?.floor();
                        // Confirmed by exact multiplication, as for a single product.
                        while steps > Decimal::ZERO && steps * per_step > need {
                            steps -= Decimal::ONE;
                        }
                        while (steps + Decimal::ONE) * per_step <= need {
                            steps += Decimal::ONE;
                        }
                        let bag_ml = bag.volume().ml();
                        let ml = |n: Decimal| (n * step.ml()).min(bag_ml);
                        let below = ml(steps);
                        let above = ml(steps + Decimal::ONE);
                        let below_way = judge(shares_with(Some((bag, below)))?)?;
                        let above_way = judge(shares_with(Some((bag, above)))?)?;
                        let gap_below = need - steps * per_step;
                        let gap_above = (steps + Decimal::ONE) * per_step - need;
                        if gap_below.is_zero() || (below.is_zero() && whole.is_empty()) {
                            (if below.is_zero() && whole.is_empty() { above_way } else { below_way }, None)
                        } else if gap_below < gap_above {
                            (below_way, Some(above_way))
                        } else {
                            (above_way, Some(below_way))
                        }
                    }
                }
            }
        };
        let chosen = choose(nearest, other, step, &calculation.clause("volume rounding"));
        let mut check = chosen.check;
        if limit == TargetLimit::Range {
            check.findings.insert(0, range_is_the_limit(&calculation));
        }
        if let Some(left) = left_over(&check) {
            check.findings.push(left);
        }
        check.drawing = Some(Drawing {
            step,
            target,
            exact_ml,
        });
        Ok(check)
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
    Some(Finding::new(Severity::Info, FindingCode::ProductLeftOver, clause, |n| {
        let items: Vec<String> = parts
            .iter()
            .map(|(what, ml, cells)| {
                format!("{} mL {what} ({})", ml.normalize(), human::cells(*cells, n))
            })
            .collect();
        format!("left over: {}; label or discard it as the pharmacy's procedure says", items.join("; "))
    }))
}
