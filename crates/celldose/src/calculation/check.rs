//! A check of the number of cells actually delivered, against the protocol and a tolerance.

use rust_decimal::Decimal;

use super::calculate::rule_clause;
use super::tolerance::{percent_of, resolve_tolerance, tolerance_finding, tolerance_words};
use super::{Calculation, DoseRequest, Finding, FindingCode, Rounding, Severity, Verdict};
use crate::error::{Error, Result};
use crate::human;
use crate::regimen::{Protocol, Tolerance};
use crate::units::{CellCount, CellsPerKg, ExactCells, Percent};

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
    actual_cells_per_kg: CellsPerKg,
    deviation_percent: Option<Decimal>,
    tolerance: Option<Tolerance>,
    findings: Vec<Finding>,
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
        let calculation = self.calculate(request)?;
        // A delivered count is held to its target even inside a range: a 1 × 10⁶/kg order
        // delivered at 2 × 10⁶/kg must not pass because the range reaches that far.
        let tolerance =
            resolve_tolerance(&calculation, tolerance, "checking a delivered count", false)?
                .tolerance();
        let weight = calculation.weight().weight();
        let actual = actual_cells.exact();
        let actual_cells_per_kg = CellsPerKg::new(Rounding::HalfAwayFromZero.to_places(
            CellsPerKg::checked_from(actual, weight)?.get(),
            DEVIATION_PLACES,
        ))?;
        let (findings, deviation_percent) = judge_delivery(&calculation, actual, tolerance)?;
        Ok(DeliveryCheck {
            calculation,
            actual_cells,
            actual_cells_per_kg,
            deviation_percent,
            tolerance,
            findings,
        })
    }
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
            let deviation =
                percent_of(difference, target.get()).ok_or_else(|| overflow("deviation"))?;
            Some(Rounding::HalfAwayFromZero.to_places(deviation, DEVIATION_PLACES))
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
    let conflict = |n| {
        match (limits.cap_below_min(), limits.uncapped_min) {
        (true, Some(min)) => format!(
            "; the protocol's minimum for this weight, {}, is above its maximum total (cap-below-minimum)",
            human::cells(min.get(), n)
        ),
        _ => String::new(),
    }
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
