//! A check of the number of cells actually delivered, against the protocol and a tolerance.

use rust_decimal::Decimal;

use super::calculate::{RANGE_ONLY_CHECK, RANGE_ONLY_DOSE};
use super::delivery::{Course, Delivery, Excipients, ProductUse, SplitCheck};
use super::options::CheckOptions;
use super::product_limits::judge_product;
use super::tolerance::resolve_tolerance;
use super::{Calculation, DoseRequest, Finding, FindingCode, Rounding, Verdict};
use crate::error::Result;
use crate::regimen::{Protocol, Tolerance};
use crate::units::{CellCount, CellsPerKg, ExactCells, Percent, Volume};

use super::course::judge_course;
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
    pub(crate) custody: Option<Box<super::CustodyCheck>>,
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
        let mut options = CheckOptions::new();
        if let Some(tolerance) = tolerance {
            options = options.with_tolerance(tolerance);
        }
        if let Some(course) = course {
            options = options.course(course);
        }
        // The calculation is made here for this check alone, so it is moved into it, not copied.
        self.calculate(request)?.into_check(delivery, &options)
    }
}

impl Calculation {
    /// Judges what was given (a count, or bags of a product: [`Delivery`]) against this
    /// calculation as it stands, as logged or signed, without computing the dose again: the
    /// count within the tolerance of the target (or inside the protocol's range), for a split
    /// dose this infusion's share or the running total, and a product against the protocol's
    /// limits on phenotype, viability, volume, DMSO and endotoxin.
    ///
    /// # Errors
    /// A single target with no tolerance (the protocol's, one given, or the site's default); a
    /// tolerance given where the protocol states its own; a split dose with no infusion, or an
    /// infusion of a dose that is not split.
    ///
    /// ```
    /// use celldose::calculation::{CheckOptions, Delivery};
    /// use celldose::{Catalogue, DoseChoice, DoseRequest, Rounding, Verdict};
    /// let catalogue = Catalogue::builtin()?;
    /// let request = DoseRequest::new("70kg".parse()?, DoseChoice::ArmDose, Rounding::HalfEven).with_arm("low-dose");
    /// let stored = catalogue.find("NCT06167473")?.calculate(&request)?;
    /// // The protocol states no tolerance, so the site's default applies.
    /// let options = CheckOptions::new().site_default("10%".parse()?);
    /// let check = stored.check(&Delivery::count("6.9e7".parse()?), &options)?;
    /// assert_eq!(check.verdict(), Verdict::Within);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn check(&self, delivery: &Delivery, options: &CheckOptions) -> Result<DeliveryCheck> {
        self.clone().into_check(delivery, options)
    }

    /// [`Calculation::check`], consuming the calculation (the check holds it).
    pub(crate) fn into_check(
        self,
        delivery: &Delivery,
        options: &CheckOptions,
    ) -> Result<DeliveryCheck> {
        // A delivered count is held to its target even inside a range: a 1 × 10⁶/kg order
        // delivered at 2 × 10⁶/kg must not pass because the range reaches that far.
        let tolerance = resolve_tolerance(
            &self,
            options.given_tolerance(&self),
            "checking a delivered count",
            false,
        )?
        .tolerance();
        let course = options.infusion().cloned();
        match self.parts.dmso_given_today {
            None if delivery.dmso_given_today.is_none() => self.judge(delivery, tolerance, course),
            dmso => self.judge(
                &delivery.clone().with_dmso_given_today(dmso),
                tolerance,
                course,
            ),
        }
    }

    /// Judges `delivery` under this calculation: the count (for this infusion of a split dose
    /// where there is one) and the product's limits.
    pub(crate) fn judge(
        mut self,
        delivery: &Delivery,
        tolerance: Option<Tolerance>,
        course: Option<Course>,
    ) -> Result<DeliveryCheck> {
        // A check's verdict is on what was given, so a range-only protocol says that, not that
        // a dose must be chosen.
        for finding in &mut self.parts.findings {
            if finding.code() == FindingCode::RangeOnly {
                finding.reword(RANGE_ONLY_DOSE, RANGE_ONLY_CHECK);
            }
        }
        let actual = delivery.cells();
        let weight = self.weight().weight();
        let actual_cells_per_kg = CellsPerKg::rounded_from(actual, weight, DEVIATION_PLACES)?;
        let same_day = same_day(&self, course.as_ref());
        let (mut findings, deviation_percent, split) =
            judge_course(&self, actual, tolerance, course)?;
        let (product_findings, excipients) =
            judge_product(&self.parts.product_rules, &self, delivery, &same_day)?;
        findings.extend(product_findings);
        Ok(DeliveryCheck {
            calculation: self,
            actual_cells: actual.round(Rounding::HalfAwayFromZero)?,
            actual_exact: actual,
            actual_cells_per_kg,
            deviation_percent,
            tolerance,
            product: delivery.product().cloned().map(Box::new),
            excipients: excipients.map(Box::new),
            split: split.map(Box::new),
            drawing: None,
            custody: None,
            findings,
        })
    }
}

/// The infusions of a split dose given earlier on this infusion's day.
fn same_day(calculation: &Calculation, course: Option<&Course>) -> Vec<u32> {
    match (calculation.split(), course) {
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

    /// The same check with the protocol's thaw-to-infusion limit judged for a count given
    /// without its product: the time since thaw decides too (see [`super::Custody`]). Nothing
    /// changes where the protocol states no limit.
    ///
    /// # Errors
    /// Thaw times out of order.
    pub fn with_thaw_clock(
        mut self,
        custody: &super::Custody,
        handling: &crate::units::Handling,
    ) -> Result<Self> {
        if let Some((check, findings)) = super::custody::judge_clock(custody, handling)? {
            self.findings.extend(findings);
            self.custody = Some(Box::new(check));
        }
        Ok(self)
    }

    /// The chain of identity and custody of the product's bags, where a product was given.
    pub fn custody(&self) -> Option<&super::CustodyCheck> {
        self.custody.as_deref()
    }

    /// The same check with the chain of identity and custody of its product judged (see
    /// [`super::Custody`]): its findings join the check's.
    ///
    /// # Errors
    /// A check of no product; and those of the judgement: a product made for one patient with
    /// none given, or thaw times out of order.
    pub fn with_custody(
        mut self,
        custody: &super::Custody,
        product: &crate::Certificate,
        handling: &crate::regimen::Handling,
    ) -> Result<Self> {
        let Some(used) = &self.product else {
            return Err(crate::Error::Request(
                "labels and thaw times apply to a product's bags; give the product file".into(),
            ));
        };
        let bags: Vec<&str> = used.bags().iter().map(super::BagShare::id).collect();
        let (check, findings) = super::custody::judge(
            custody,
            product,
            &bags,
            self.calculation.patient(),
            handling,
        )?;
        self.findings.extend(findings);
        // Kept where it says something: a recipient to match, labels, expiries, a thaw limit or
        // times given. A product for anyone, with none of those, has no chain to show.
        let informative = matches!(
            check.recipient(),
            Some(crate::certificate::Recipient::Patient(_))
        ) || !check.scans().is_empty()
            || !check.expires().is_empty()
            || check.limit().is_some()
            || !custody.is_empty();
        if informative {
            self.custody = Some(Box::new(check));
        }
        Ok(self)
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
