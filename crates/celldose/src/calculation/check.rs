//! A check of the number of cells actually delivered, against the protocol and a tolerance.

use rust_decimal::Decimal;

use super::calculate::{RANGE_ONLY_CHECK, RANGE_ONLY_DOSE};
use super::clause::rule_clause;
use super::delivery::{Course, Delivery, Excipients, ProductUse, SplitCheck};
use super::product_limits::judge_product;
use super::tolerance::{deviation_percent, resolve_tolerance, tolerance_finding, tolerance_words};
use super::{Calculation, DoseRequest, Finding, FindingCode, Rounding, Severity, Verdict};
use crate::error::{Error, Result};
use crate::human;
use crate::regimen::{Protocol, Split, SplitLimits, Tolerance};
use crate::units::{CellCount, CellsPerKg, ExactCells, Percent, Volume};

/// Deviations are reported to this many decimal places of a percent; limits are compared exactly.
const DEVIATION_PLACES: u32 = 2;

/// A delivered count checked against one patient's dose.
///
/// ```
/// use celldose::{Catalogue, DoseChoice, DoseRequest, Rounding, Verdict};
/// let catalogue = Catalogue::builtin()?;
/// let request = DoseRequest::new("72.5kg".parse()?, DoseChoice::Level(1), Rounding::HalfAwayFromZero).with_arm("alf");
/// let check = catalogue.find("NCT07276568")?.check(&request, "1.2e9".parse()?, Some("10%".parse()?))?;
/// assert_eq!(check.deviation_percent().map(|d| d.to_string()).as_deref(), Some("3.45"));
/// assert_eq!(check.verdict(), Verdict::Within);
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryCheck {
    calculation: Calculation,
    actual_cells: CellCount,
    actual_exact: ExactCells,
    actual_cells_per_kg: CellsPerKg,
    deviation_percent: Option<Decimal>,
    tolerance: Option<Tolerance>,
    // Boxed: most checks are of a bare count, and a batch row should not carry their room.
    product: Option<Box<ProductUse>>,
    excipients: Option<Box<Excipients>>,
    split: Option<Box<SplitCheck>>,
    pub(crate) drawing: Option<Box<Drawing>>,
    pub(crate) findings: Vec<Finding>,
}

/// How a dose was drawn from the bags of a product: the measuring step, the exact volume the
/// last bag needed before rounding, and the target of this infusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drawing {
    pub(crate) step: Volume,
    pub(crate) target: ExactCells,
    /// The volume, and whether it is exact (`false`: rounded to 0.000001 mL).
    pub(crate) exact_ml: Option<(Decimal, bool)>,
}

impl Drawing {
    /// The measuring step a part of a bag is drawn in.
    pub fn step(&self) -> Volume {
        self.step
    }
    /// The target this infusion's bags were chosen for.
    pub fn target(&self) -> ExactCells {
        self.target
    }
    /// The volume the last bag used would need to give the target exactly, before rounding to
    /// the step, shown to 0.000001 mL (see [`Drawing::exact_ml_is_exact`]); `None` where only
    /// whole bags were considered.
    pub fn exact_ml(&self) -> Option<Decimal> {
        self.exact_ml.map(|(ml, _)| ml)
    }
    /// Whether [`Drawing::exact_ml`] is the exact volume (`false`: it has more places, or does
    /// not terminate, and is shown rounded half away from zero to 0.000001 mL).
    pub fn exact_ml_is_exact(&self) -> bool {
        self.exact_ml.is_some_and(|(_, exact)| exact)
    }
}

impl Protocol {
    /// Checks a delivered count for the patient of `request`.
    ///
    /// Where the request has a single target (a level, an explicit dose, or an arm's one dose),
    /// the delivered count must lie within a tolerance of it: the protocol's own, where it
    /// states one (soft and hard bands), or else `tolerance`, given by the caller, as a hard
    /// band. Where the protocol gives a range, the count must lie inside it. Every edge is
    /// inclusive and every comparison exact.
    ///
    /// # Errors
    /// The errors of [`Protocol::calculate`]; a missing tolerance where there is a single target
    /// and the protocol states none; a caller's tolerance where the protocol states its own.
    ///
    /// ```
    /// use celldose::{Catalogue, DoseChoice, DoseRequest, Rounding};
    /// let catalogue = Catalogue::builtin()?;
    /// let request = DoseRequest::new("70kg".parse()?, DoseChoice::ArmDose, Rounding::HalfEven).with_arm("low-dose");
    /// let error = catalogue.find("NCT06167473")?.check(&request, "7e7".parse()?, None).unwrap_err();
    /// assert!(error.to_string().contains("needs a tolerance"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn check(
        &self,
        request: &DoseRequest,
        actual_cells: CellCount,
        tolerance: Option<Percent>,
    ) -> Result<DeliveryCheck> {
        self.check_delivery(request, &Delivery::count(actual_cells), tolerance, None)
    }

    /// Checks what was given in one infusion: a count, or bags of a product (see
    /// [`Delivery`]); for a split dose, `course` says which infusion it is and what was given
    /// before. The count is judged as [`Protocol::check`] judges it (for a split dose, against
    /// this infusion's share, or the running total's, as the protocol says), and a product
    /// against the protocol's limits on phenotype, viability, volume, DMSO and endotoxin.
    ///
    /// # Errors
    /// Those of [`Protocol::check`]; a split dose with no `course`, or a `course` for a dose that
    /// is not split; an infusion number the split does not have.
    ///
    /// ```
    /// use celldose::calculation::Delivery;
    /// use celldose::{Catalogue, DoseChoice, DoseRequest, Rounding};
    /// let catalogue = Catalogue::builtin()?;
    /// let request = DoseRequest::new("72.5kg".parse()?, DoseChoice::Level(1), Rounding::HalfAwayFromZero).with_arm("alf");
    /// let protocol = catalogue.find("NCT07276568")?;
    /// let by_count = protocol.check(&request, "1.2e9".parse()?, Some("10%".parse()?))?;
    /// let by_delivery = protocol.check_delivery(&request, &Delivery::count("1.2e9".parse()?), Some("10%".parse()?), None)?;
    /// assert_eq!(by_count, by_delivery);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_delivery(
        &self,
        request: &DoseRequest,
        delivery: &Delivery,
        tolerance: Option<Percent>,
        course: Option<Course>,
    ) -> Result<DeliveryCheck> {
        let calculation = self.calculate(request)?;
        // A delivered count is held to its target even inside a range: a 1 × 10⁶/kg order
        // delivered at 2 × 10⁶/kg must not pass because the range reaches that far.
        let tolerance =
            resolve_tolerance(&calculation, tolerance, "checking a delivered count", false)?
                .tolerance();
        self.judge(
            calculation,
            &delivery
                .clone()
                .with_dmso_given_today(request.dmso_given_today()),
            tolerance,
            course,
        )
    }

    /// Judges `delivery` under `calculation`: the count (for this infusion of a split dose where
    /// there is one) and the product's limits.
    pub(crate) fn judge(
        &self,
        calculation: Calculation,
        delivery: &Delivery,
        tolerance: Option<Tolerance>,
        course: Option<Course>,
    ) -> Result<DeliveryCheck> {
        let actual = delivery.cells();
        let weight = calculation.weight().weight();
        let actual_cells_per_kg = CellsPerKg::rounded_from(actual, weight, DEVIATION_PLACES)?;
        // The infusions of a split dose given earlier on this infusion's day.
        let same_day: Vec<u32> = match (calculation.split(), &course) {
            (Some(split), Some(course)) => {
                let day = split
                    .parts()
                    .get(
                        usize::try_from(course.number())
                            .unwrap_or(usize::MAX)
                            .saturating_sub(1),
                    )
                    .map(|part| part.day);
                (1..course.number())
                    .filter(|n| {
                        let part = usize::try_from(*n).unwrap_or(usize::MAX).saturating_sub(1);
                        day.is_some() && split.parts().get(part).map(|p| p.day) == day
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        // A check's verdict is on what was given, so a range-only protocol says that, not that
        // a dose must be chosen.
        let mut calculation = calculation;
        calculation.findings = core::mem::take(&mut calculation.findings)
            .into_iter()
            .map(|f| {
                if f.code() == FindingCode::RangeOnly {
                    f.reworded(RANGE_ONLY_DOSE, RANGE_ONLY_CHECK)
                } else {
                    f
                }
            })
            .collect();
        let (mut findings, deviation_percent, split) =
            judge_course(&calculation, actual, tolerance, course)?;
        let (product_findings, excipients) =
            judge_product(&self.product_rules, &calculation, delivery, &same_day)?;
        findings.extend(product_findings);
        Ok(DeliveryCheck {
            calculation,
            actual_cells: actual.round(Rounding::HalfAwayFromZero)?,
            actual_exact: actual,
            actual_cells_per_kg,
            deviation_percent,
            tolerance,
            product: delivery.product().cloned().map(Box::new),
            excipients: excipients.map(Box::new),
            split: split.map(Box::new),
            drawing: None,
            findings,
        })
    }
}

/// The findings on one infusion's count: against the whole target, or, for a split dose,
/// against this infusion's share (per infusion) or the running total's (cumulative).
fn judge_course(
    calculation: &Calculation,
    actual: ExactCells,
    tolerance: Option<Tolerance>,
    course: Option<Course>,
) -> Result<(Vec<Finding>, Option<Decimal>, Option<SplitCheck>)> {
    let where_ = || {
        calculation.arm().map_or_else(
            || format!("regimen {}", calculation.regimen()),
            |a| format!("arm {a}"),
        )
    };
    let (split, course) = match (calculation.split(), course) {
        (None, None) => {
            let (findings, deviation) = judge_delivery(calculation, actual, tolerance)?;
            return Ok((findings, deviation, None));
        }
        (None, Some(_)) => {
            return Err(Error::Request(format!(
                "protocol {} {} does not split its dose over infusions, so an infusion number and what was given before do not apply",
                calculation.protocol(),
                where_()
            )));
        }
        (Some(split), None) => {
            return Err(Error::Request(format!(
                "protocol {} {} splits the dose over {} infusions ({}); say which infusion this is (1 to {})",
                calculation.protocol(),
                where_(),
                split.parts().len(),
                split_words(split),
                split.parts().len()
            )));
        }
        (Some(split), Some(course)) => (split, course),
    };
    let count = u32::try_from(split.parts().len()).unwrap_or(u32::MAX);
    let (Some((share, so_far)), Some(part)) = (
        split.shares(course.infusion),
        usize::try_from(course.infusion)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| split.parts().get(i)),
    ) else {
        return Err(Error::Request(format!(
            "infusion {} is not one of the {count} infusions of protocol {} {} ({}); accepted: 1 to {count}",
            course.infusion,
            calculation.protocol(),
            where_(),
            split_words(split)
        )));
    };
    let from_log = (!course.from_log.is_empty()).then(|| {
        let earlier = course.from_log.clone();
        Finding::new(
            Severity::Info,
            FindingCode::GivenFromLog,
            calculation.clause("split, audit log"),
            |n| {
                let items: Vec<String> = earlier
                    .iter()
                    .map(|(infusion, seq, cells)| {
                        format!(
                            "infusion {infusion}: {} (audit record {seq})",
                            human::cells(cells.get(), n)
                        )
                    })
                    .collect();
                format!(
                    "given before, from the audit log's checks of this patient: {}",
                    items.join("; ")
                )
            },
        )
    });
    let given = match (course.infusion, course.given_before) {
        (1, Some(given)) if given > ExactCells::ZERO => {
            return Err(Error::Request(format!(
                "infusion 1 is the first; nothing can have been given before it, yet {} was stated",
                given.get()
            )));
        }
        (1, _) => Some(ExactCells::ZERO),
        (_, given) => given,
    };
    let cumulative = given
        .map(|g| {
            g.get()
                .checked_add(actual.get())
                .ok_or_else(|| Error::Overflow {
                    operation: "running total",
                    detail: format!("{} + {}", g.get(), actual.get()),
                })
                .and_then(ExactCells::new)
        })
        .transpose()?;
    let this_share = calculation.share(share)?;
    let so_far_share = calculation.share(so_far)?;
    let percent = |f: Decimal| {
        f.checked_mul(Decimal::ONE_HUNDRED)
            .unwrap_or_default()
            .normalize()
    };
    let this_words = format!(
        "infusion {} of {count} ({}% of the dose, day {})",
        course.infusion,
        percent(share),
        part.day
    );
    let total_words = format!(
        "running total after infusion {} of {count} ({}% of the dose so far)",
        course.infusion,
        percent(so_far)
    );
    let mut findings = vec![Finding::new(
        Severity::Info,
        FindingCode::SplitInfusion,
        calculation.clause(&format!("split, split_limits {}", split.limits().as_str())),
        |n| {
            let target = this_share.exact_cells().map_or_else(
                || "no single target".to_owned(),
                |t| format!("target {}", human::cells(t.get(), n)),
            );
            format!(
                "{this_words}: {target}; the limits apply {}",
                match split.limits() {
                    SplitLimits::PerInfusion => "to each infusion",
                    SplitLimits::Cumulative => "to the running total",
                }
            )
        },
    )];
    findings.extend(from_log);
    let deviation = match (split.limits(), cumulative) {
        (SplitLimits::PerInfusion, _) => {
            let (found, deviation) = judge_delivery(&this_share, actual, tolerance)?;
            findings.extend(found.into_iter().map(|f| f.with_prefix(&this_words)));
            // Whatever came before, the running total never passes the whole dose's maximum;
            // where there is one and what came before is not known, that cannot be seen.
            match (cumulative, calculation.limits().max) {
                (Some(total), _) => {
                    let (found, _) = judge_delivery(calculation, total, None)?;
                    findings.extend(
                        found
                            .into_iter()
                            .filter(|f| f.code() == FindingCode::DeliveredAboveProtocolMaximum)
                            .map(|f| f.with_prefix(&total_words)),
                    );
                }
                (None, Some(max)) => findings.push(Finding::new(
                    Severity::Soft,
                    FindingCode::GivenNotStated,
                    calculation.clause("split_limits per-infusion"),
                    |n| {
                        format!(
                            "what was given before {this_words} was not stated, so the running total cannot be checked against the protocol maximum of {} for this patient; give what was given before",
                            human::cells(max.get(), n)
                        )
                    },
                )),
                (None, None) => {}
            }
            deviation
        }
        (SplitLimits::Cumulative, Some(total)) => {
            let (found, deviation) = judge_delivery(&so_far_share, total, tolerance)?;
            findings.extend(found.into_iter().map(|f| f.with_prefix(&total_words)));
            deviation
        }
        (SplitLimits::Cumulative, None) => {
            findings.push(Finding::new(
                Severity::Soft,
                FindingCode::GivenNotStated,
                calculation.clause("split_limits cumulative"),
                |_| {
                    format!(
                        "the limits apply to the running total, and what was given before {this_words} was not stated, so the total cannot be checked; give what was given before"
                    )
                },
            ));
            None
        }
    };
    Ok((
        findings,
        deviation,
        Some(SplitCheck {
            infusion: course.infusion,
            infusions: count,
            day: part.day,
            share: part.fraction,
            share_so_far: percent(so_far),
            limits: split.limits(),
            target: this_share.exact_cells(),
            given_before: given,
            cumulative,
            cumulative_target: so_far_share.exact_cells(),
        }),
    ))
}

/// A split in words: `10% on day 0, 30% on day 1, 60% on day 2`.
pub(crate) fn split_words(split: &Split) -> String {
    split
        .parts()
        .iter()
        .map(|p| format!("{} on day {}", p.fraction, p.day))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The findings on an amount delivered under `calculation`, and its deviation from the target.
pub(crate) fn judge_delivery(
    calculation: &Calculation,
    actual: ExactCells,
    tolerance: Option<Tolerance>,
) -> Result<(Vec<Finding>, Option<Decimal>)> {
    let mut findings = Vec::new();
    if calculation.is_placebo() && actual > ExactCells::ZERO {
        findings.push(Finding::new(
            Severity::Hard,
            FindingCode::CellsInPlaceboArm,
            calculation.clause("placebo, no cells"),
            |n| {
                format!(
                    "{} delivered in a placebo arm, which gives no cells",
                    human::cells(actual.get(), n)
                )
            },
        ));
    }
    let target = calculation
        .exact_cells()
        .filter(|target| target.get() > Decimal::ZERO);
    let deviation_percent = match (target, tolerance) {
        (Some(target), tolerance) => {
            if let Some(tolerance) = tolerance {
                let given = if calculation.protocol_tolerance().is_some() {
                    ""
                } else {
                    " (given by the caller)"
                };
                let clause = || {
                    calculation.clause(&format!("tolerance {}{given}", tolerance_words(&tolerance)))
                };
                findings.extend(tolerance_finding(
                    actual,
                    target,
                    &tolerance,
                    |n| format!("delivered {}", human::cells(actual.get(), n)),
                    &|n| format!("the target {}", human::cells(target.get(), n)),
                    (
                        FindingCode::DeliveredPastSoftTolerance,
                        FindingCode::DeliveredOutsideTolerance,
                    ),
                    &clause,
                ));
            }
            let difference = actual
                .get()
                .checked_sub(target.get())
                .ok_or_else(|| overflow("difference"))?;
            Some(deviation_percent(difference, target.get()).ok_or_else(|| overflow("deviation"))?)
        }
        (None, Some(tolerance)) => {
            if !calculation.is_placebo() {
                findings.push(Finding::new(
                    Severity::Info,
                    FindingCode::ToleranceNotUsed,
                    calculation.clause("dose range"),
                    |_| {
                        format!(
                            "the tolerance ({}) was not used: there is no single target, only the protocol range",
                            tolerance_words(&tolerance)
                        )
                    },
                ));
            }
            None
        }
        (None, None) => None,
    };

    let limits = calculation.limits();
    let clause = || calculation.clause(&calculation.rule().map(rule_clause).unwrap_or_default());
    // Where the cap is below the rule's minimum, say so beside any limit that is crossed.
    let conflict = |n| match (limits.cap_below_min(), limits.uncapped_min) {
        (true, Some(min)) => format!(
            "; the protocol's minimum for this weight, {}, is above its maximum total (cap-below-minimum)",
            human::cells(min.get(), n)
        ),
        _ => String::new(),
    };
    if let Some(min) = limits.min.filter(|min| actual < *min) {
        findings.push(Finding::new(
            Severity::Hard,
            FindingCode::DeliveredBelowProtocolMinimum,
            clause(),
            |n| {
                format!(
                    "delivered {} is below the protocol minimum of {} for this patient{}",
                    human::cells(actual.get(), n),
                    human::cells(min.get(), n),
                    conflict(n)
                )
            },
        ));
    }
    if let Some(max) = limits.max.filter(|max| actual > *max) {
        let which = if limits.max_is_cap() {
            "the protocol's maximum total of"
        } else {
            "the protocol maximum of"
        };
        findings.push(Finding::new(
            Severity::Hard,
            FindingCode::DeliveredAboveProtocolMaximum,
            clause(),
            |n| {
                format!(
                    "delivered {} is above {which} {} for this patient{}",
                    human::cells(actual.get(), n),
                    human::cells(max.get(), n),
                    conflict(n)
                )
            },
        ));
    }
    Ok((findings, deviation_percent))
}

fn overflow(operation: &'static str) -> Error {
    Error::Overflow {
        operation,
        detail: "the delivered count and target are too large to compare".into(),
    }
}

impl DeliveryCheck {
    /// The calculation the delivered count was checked against.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("70kg".parse()?, celldose::DoseChoice::ArmDose, celldose::Rounding::HalfAwayFromZero).with_arm("low-dose");
    /// # let check = catalogue.find("NCT06167473")?.check(&request, "6.2e7".parse()?, Some("10%".parse()?))?;
    /// assert_eq!(check.calculation().cells().map(|n| n.to_string()).as_deref(), Some("70000000"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn calculation(&self) -> &Calculation {
        &self.calculation
    }

    /// The delivered count.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("70kg".parse()?, celldose::DoseChoice::ArmDose, celldose::Rounding::HalfAwayFromZero).with_arm("low-dose");
    /// # let check = catalogue.find("NCT06167473")?.check(&request, "6.2e7".parse()?, Some("10%".parse()?))?;
    /// assert_eq!(check.actual_cells().to_string(), "62000000");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn actual_cells(&self) -> CellCount {
        self.actual_cells
    }

    /// The delivered amount exactly: a count as given, or the counted cells of the bags (which
    /// may hold a fraction of a cell where percentages multiply).
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("70kg".parse()?, celldose::DoseChoice::ArmDose, celldose::Rounding::HalfAwayFromZero).with_arm("low-dose");
    /// # let check = catalogue.find("NCT06167473")?.check(&request, "6.2e7".parse()?, Some("10%".parse()?))?;
    /// assert_eq!(check.actual_exact().to_string(), "62000000");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn actual_exact(&self) -> ExactCells {
        self.actual_exact
    }

    /// The product and bags the delivery came from, where it came from a product file.
    pub fn product(&self) -> Option<&ProductUse> {
        self.product.as_deref()
    }

    /// What went in with the cells (volume, DMSO, endotoxin), where the delivery came from a
    /// product file.
    pub fn excipients(&self) -> Option<&Excipients> {
        self.excipients.as_deref()
    }

    /// How this infusion of a split dose was judged, where the dose is split.
    pub fn split(&self) -> Option<&SplitCheck> {
        self.split.as_deref()
    }

    /// How the bags were chosen, where the delivery was prepared from a product file.
    pub fn drawing(&self) -> Option<&Drawing> {
        self.drawing.as_deref()
    }

    /// The delivered count per kg, rounded half away from zero to 0.01 cells/kg.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("70kg".parse()?, celldose::DoseChoice::ArmDose, celldose::Rounding::HalfAwayFromZero).with_arm("low-dose");
    /// # let check = catalogue.find("NCT06167473")?.check(&request, "6.2e7".parse()?, Some("10%".parse()?))?;
    /// assert_eq!(check.actual_cells_per_kg().to_string(), "885714.29/kg");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn actual_cells_per_kg(&self) -> CellsPerKg {
        self.actual_cells_per_kg
    }

    /// (delivered − target) ÷ target × 100, rounded half away from zero to 0.01 %; `None`
    /// where there is no single target.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("70kg".parse()?, celldose::DoseChoice::ArmDose, celldose::Rounding::HalfAwayFromZero).with_arm("low-dose");
    /// # let check = catalogue.find("NCT06167473")?.check(&request, "6.2e7".parse()?, Some("10%".parse()?))?;
    /// assert_eq!(check.deviation_percent().map(|d| d.to_string()).as_deref(), Some("-11.43"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn deviation_percent(&self) -> Option<Decimal> {
        self.deviation_percent
    }

    /// The tolerance applied: the protocol's own, or the caller's as a hard band.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("70kg".parse()?, celldose::DoseChoice::ArmDose, celldose::Rounding::HalfAwayFromZero).with_arm("low-dose");
    /// # let check = catalogue.find("NCT06167473")?.check(&request, "6.2e7".parse()?, Some("10%".parse()?))?;
    /// assert_eq!(check.tolerance().map(|t| t.hard().to_string()).as_deref(), Some("10%"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn tolerance(&self) -> Option<Tolerance> {
        self.tolerance
    }

    /// The calculation's findings followed by the check's own.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("70kg".parse()?, celldose::DoseChoice::ArmDose, celldose::Rounding::HalfAwayFromZero).with_arm("low-dose");
    /// # let check = catalogue.find("NCT06167473")?.check(&request, "6.2e7".parse()?, Some("10%".parse()?))?;
    /// assert!(check.findings().any(|f| f.code() == celldose::FindingCode::DeliveredOutsideTolerance));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn findings(&self) -> impl Iterator<Item = &Finding> + Clone {
        self.calculation.findings().iter().chain(&self.findings)
    }

    /// `outside` if any finding is hard; else `review` if any is soft and not acknowledged; else
    /// `within`.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("70kg".parse()?, celldose::DoseChoice::ArmDose, celldose::Rounding::HalfAwayFromZero).with_arm("low-dose");
    /// # let check = catalogue.find("NCT06167473")?.check(&request, "6.2e7".parse()?, Some("10%".parse()?))?;
    /// assert_eq!(check.verdict(), celldose::Verdict::Outside);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn verdict(&self) -> Verdict {
        Verdict::from_findings(
            self.findings(),
            self.calculation.acknowledgement().is_some(),
        )
    }
}
