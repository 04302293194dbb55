//! A check of the number of cells actually delivered, against the protocol and a tolerance.

use rust_decimal::Decimal;

use super::calculate::percent_of;
use super::{Calculation, DoseRequest, Finding, FindingCode, Rounding, Severity, Verdict};
use crate::error::{Error, Result};
use crate::human;
use crate::regimen::{describe_dose, Protocol};
use crate::units::{CellCount, CellsPerKg, Percent};

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
    tolerance: Option<Percent>,
    findings: Vec<Finding>,
}

impl Protocol {
    /// Checks a delivered count for the patient of `request`.
    ///
    /// Where the request has a single target (a level, an explicit dose, or an arm's one dose),
    /// the delivered count must lie within `tolerance` of it: the records state no tolerance,
    /// so the caller gives one. Where the protocol gives a range, the count must lie inside it.
    /// Every edge is inclusive and every comparison exact.
    ///
    /// # Errors
    /// The errors of [`Protocol::calculate`], and a missing tolerance where there is a single
    /// target to apply it to.
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
        let weight = calculation.weight_kg();
        let actual = actual_cells.exact();
        let actual_cells_per_kg = CellsPerKg::new(Rounding::HalfAwayFromZero.to_places(
            CellsPerKg::checked_from(actual, weight)?.get(),
            DEVIATION_PLACES,
        ))?;
        let mut findings = Vec::new();

        if calculation.is_placebo() && actual_cells > CellCount::ZERO {
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
        let deviation_percent = match target {
            Some(target) => {
                let Some(tolerance) = tolerance else {
                    let dose = calculation.dose().map_or_else(String::new, |d| {
                        format!(" of {}", describe_dose(d, human::Notation::Ascii))
                    });
                    return Err(Error::Request(format!(
                        "checking a delivered count against the single dose{dose} needs a tolerance; the protocol states none, so give one such as 10%"
                    )));
                };
                let difference = actual
                    .get()
                    .checked_sub(target.get())
                    .ok_or_else(|| overflow("difference"))?;
                // |actual − target| × 100 ≤ tolerance × target, compared without division.
                let allowed = tolerance
                    .get()
                    .checked_mul(target.get())
                    .ok_or_else(|| overflow("tolerance"))?;
                let scaled = difference
                    .abs()
                    .checked_mul(Decimal::ONE_HUNDRED)
                    .ok_or_else(|| overflow("deviation"))?;
                if scaled > allowed {
                    let direction = if difference.is_sign_negative() {
                        "below"
                    } else {
                        "above"
                    };
                    let deviation = percent_of(difference, target.get()).unwrap_or_default();
                    let deviation =
                        Rounding::HalfAwayFromZero.to_places(deviation, DEVIATION_PLACES);
                    findings.push(Finding::new(
                        Severity::Hard,
                        FindingCode::DeliveredOutsideTolerance,
                        calculation.clause(&format!("tolerance {tolerance} (given by the caller)")),
                        |n| {
                            format!(
                                "delivered {} is {}% {direction} the target {}, outside the tolerance of {tolerance} either way",
                                human::cells(actual.get(), n),
                                human::grouped(deviation.abs()),
                                human::cells(target.get(), n)
                            )
                        },
                    ));
                }
                let deviation =
                    percent_of(difference, target.get()).ok_or_else(|| overflow("deviation"))?;
                Some(Rounding::HalfAwayFromZero.to_places(deviation, DEVIATION_PLACES))
            }
            None => {
                if let Some(tolerance) = tolerance {
                    if !calculation.is_placebo() {
                        findings.push(Finding::new(
                            Severity::Info,
                            FindingCode::ToleranceNotUsed,
                            calculation.clause("dose range"),
                            |_| format!("the tolerance {tolerance} was not used: there is no single target, only the protocol range"),
                        ));
                    }
                }
                None
            }
        };

        if let Some((min, max)) = calculation.exact_limits() {
            let clause = || {
                calculation.clause(&format!(
                    "dose range {}",
                    calculation
                        .range()
                        .map(|r| r.to_string())
                        .unwrap_or_default()
                ))
            };
            if actual < min {
                findings.push(Finding::new(
                    Severity::Hard,
                    FindingCode::DeliveredBelowProtocolMinimum,
                    clause(),
                    |n| {
                        format!(
                            "delivered {} is below the protocol minimum of {} for this patient",
                            human::cells(actual.get(), n),
                            human::cells(min.get(), n)
                        )
                    },
                ));
            } else if actual > max {
                findings.push(Finding::new(
                    Severity::Hard,
                    FindingCode::DeliveredAboveProtocolMaximum,
                    clause(),
                    |n| {
                        format!(
                            "delivered {} is above the protocol maximum of {} for this patient",
                            human::cells(actual.get(), n),
                            human::cells(max.get(), n)
                        )
                    },
                ));
            }
        }

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

    /// The tolerance the caller gave.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("70kg".parse()?, celldose::DoseChoice::ArmDose, celldose::Rounding::HalfAwayFromZero).with_arm("low-dose");
    /// # let check = catalogue.find("NCT06167473")?.check(&request, "6.2e7".parse()?, Some("10%".parse()?))?;
    /// assert_eq!(check.tolerance().map(|t| t.to_string()).as_deref(), Some("10%"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn tolerance(&self) -> Option<Percent> {
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
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.calculation.findings().iter().chain(&self.findings)
    }

    /// `outside` if any finding, of the calculation or the check, is hard.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("70kg".parse()?, celldose::DoseChoice::ArmDose, celldose::Rounding::HalfAwayFromZero).with_arm("low-dose");
    /// # let check = catalogue.find("NCT06167473")?.check(&request, "6.2e7".parse()?, Some("10%".parse()?))?;
    /// assert_eq!(check.verdict(), celldose::Verdict::Outside);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn verdict(&self) -> Verdict {
        Verdict::from_findings(self.findings())
    }
}
