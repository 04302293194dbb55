//! From protocol, arm, dose choice and patient to a target count, its limits and a verdict.

use rust_decimal::Decimal;

use super::{DoseChoice, DoseRequest, Finding, FindingCode, Rounding, Severity, Verdict};
use crate::error::{Error, Result};
use crate::human::{self, Notation};
use crate::regimen::{describe_dose, Arm, DoseRule, Miss, Protocol, Regimen, Stated};
use crate::units::{AgeYears, BodyWeight, CellCount, CellsPerKg, Dose, EnteredWeight, ExactCells};

/// Derived per-kg figures (a flat dose divided by the weight) are shown to this many places.
const PER_KG_PLACES: u32 = 2;

/// A dose the prescriber stated, with what it comes to for this patient.
#[derive(Clone, Copy)]
struct Explicit {
    dose: Dose,
    exact: ExactCells,
    level: Option<u32>,
    weight: BodyWeight,
}

/// One patient's dose under one protocol: the target, the limits, and what was found.
///
/// ```
/// use celldose::{Catalogue, DoseChoice, DoseRequest, Rounding, Verdict};
/// let catalogue = Catalogue::builtin()?;
/// let request = DoseRequest::new("72.5kg".parse()?, DoseChoice::Level(1), Rounding::HalfAwayFromZero)
///     .with_arm("alf");
/// let calculation = catalogue.find("NCT07276568")?.calculate(&request)?;
/// assert_eq!(calculation.cells().map(|c| c.to_string()).as_deref(), Some("1160000000"));
/// assert_eq!(calculation.min_cells().map(|c| c.to_string()).as_deref(), Some("1160000000"));
/// assert_eq!(calculation.max_cells().map(|c| c.to_string()).as_deref(), Some("12325000000"));
/// assert_eq!(calculation.verdict(), Verdict::Within);
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calculation {
    protocol: String,
    protocol_version: String,
    arm: Option<String>,
    regimen: String,
    level: Option<u32>,
    dose: Option<Dose>,
    range: Option<DoseRule>,
    weight: EnteredWeight,
    age: Option<AgeYears>,
    rounding: Rounding,
    exact_cells: Option<ExactCells>,
    cells: Option<CellCount>,
    cells_per_kg: Option<CellsPerKg>,
    exact_min: Option<ExactCells>,
    exact_max: Option<ExactCells>,
    infusions: Stated<u32>,
    per_infusion: bool,
    total_cells: Option<CellCount>,
    findings: Vec<Finding>,
}

impl Protocol {
    /// Computes one patient's dose.
    ///
    /// The exact product (weight × dose per kg) is kept; it is rounded to whole cells once, at
    /// the end, with the request's [`Rounding`]. Where that rounding would cross a protocol
    /// limit, the whole count just inside the limit is taken and an info finding says so.
    /// The allowed range in whole cells is the smallest whole count at or above the exact
    /// minimum, to the largest at or below the exact maximum.
    ///
    /// # Errors
    /// When the arm is unknown, or must be named and is not; when the level is not one the
    /// protocol states; when the arm is dosed by level only and no level or dose is given; or
    /// when a product overflows. A dose outside the protocol is not an error: it is a
    /// calculation with a hard finding and the verdict `outside`.
    ///
    /// ```
    /// use celldose::{Catalogue, DoseChoice, DoseRequest, Rounding, Verdict};
    /// let catalogue = Catalogue::builtin()?;
    /// let request = DoseRequest::new("72.5kg".parse()?, DoseChoice::Explicit("1.8e8/kg".parse()?), Rounding::HalfEven);
    /// let calculation = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(calculation.verdict(), Verdict::Outside);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn calculate(&self, request: &DoseRequest) -> Result<Calculation> {
        let (arm_id, regimen) = self.resolve_arm(request.arm())?;
        let weight = request.weight().weight();
        let mut findings = self.eligibility_findings(weight, request.age());

        let clause = |what: &str| match &arm_id {
            Some(arm) => format!("{} arm {arm}: {what}", self.id()),
            None => format!("{} regimen {}: {what}", self.id(), regimen.id()),
        };
        let range = regimen.rule().filter(|rule| rule.range().is_some());
        let limits = range
            .map(|rule| rule.limits_for(weight))
            .transpose()?
            .flatten();
        let range_clause =
            || range.map_or_else(String::new, |rule| clause(&format!("dose range {rule}")));

        let (level, dose) = match request.choice() {
            DoseChoice::Level(number) => {
                let level = regimen.level(number).ok_or_else(|| Error::UnknownLevel {
                    protocol: self.id().to_owned(),
                    arm: arm_id.as_ref().map_or_else(
                        || format!("regimen {}", regimen.id()),
                        |arm| format!("arm {arm}"),
                    ),
                    input: number.to_string(),
                    accepted: accepted_choices(regimen),
                })?;
                (Some(level.number()), Some(level.dose()))
            }
            DoseChoice::Explicit(dose) => {
                let exact = dose.cells_for(weight)?;
                let mut level = None;
                for candidate in regimen.levels() {
                    if candidate.dose().cells_for(weight)? == exact {
                        level = Some(candidate.number());
                    }
                }
                let request = Explicit {
                    dose,
                    exact,
                    level,
                    weight,
                };
                if let Some(finding) =
                    self.explicit_dose_finding(regimen, &request, limits, &clause)?
                {
                    findings.push(finding);
                }
                (level, Some(dose))
            }
            DoseChoice::ArmDose => match regimen.rule() {
                Some(rule) => (None, rule.point()),
                None => {
                    return Err(Error::Request(format!(
                        "protocol {} {} is dosed by numbered level; {}",
                        self.id(),
                        arm_id.as_ref().map_or_else(
                            || format!("regimen {}", regimen.id()),
                            |a| format!("arm {a}")
                        ),
                        accepted_choices(regimen)
                    )))
                }
            },
        };

        let exact_cells = dose.map(|dose| dose.cells_for(weight)).transpose()?;
        let rounding = request.rounding();
        let cells = match exact_cells {
            Some(exact) => {
                Some(self.round_inside(exact, limits, rounding, &range_clause, &mut findings)?)
            }
            None => None,
        };
        let cells_per_kg = match dose {
            Some(Dose::PerKg(per_kg)) => Some(per_kg),
            Some(Dose::Total(count)) => {
                Some(CellsPerKg::new(Rounding::HalfAwayFromZero.to_places(
                    CellsPerKg::checked_from(count.exact(), weight)?.get(),
                    PER_KG_PLACES,
                ))?)
            }
            None => None,
        };

        if regimen.rule() == Some(DoseRule::NoCells) {
            findings.push(Finding::new(
                Severity::Info,
                FindingCode::PlaceboArm,
                clause("placebo, no cells"),
                |_| "placebo arm: no cells are given".to_owned(),
            ));
        }
        if dose.is_none() {
            if let Some(rule) = range {
                findings.push(Finding::new(Severity::Info, FindingCode::RangeOnly, range_clause(), |n| {
                    format!(
                        "the protocol gives a range, {}, and no single dose; give a dose to compute a target",
                        rule.describe(n)
                    )
                }));
            }
        }
        let infusions = regimen.infusions();
        if regimen.per_infusion() && infusions == Stated::NotStated {
            findings.push(Finding::new(
                Severity::Info,
                FindingCode::InfusionCountNotStated,
                clause("infusions not stated"),
                |_| "this is the amount for one infusion; the protocol does not state how many infusions".to_owned(),
            ));
        }
        let total_cells = match (cells, infusions.value()) {
            (Some(cells), Some(count)) => Some(cells.checked_mul(count)?),
            _ => None,
        };

        Ok(Calculation {
            protocol: self.id().to_owned(),
            protocol_version: self.version().to_owned(),
            arm: arm_id,
            regimen: regimen.id().to_owned(),
            level,
            dose,
            range,
            weight: request.weight(),
            age: request.age(),
            rounding,
            exact_cells,
            cells,
            cells_per_kg,
            exact_min: limits.map(|(min, _)| min),
            exact_max: limits.map(|(_, max)| max),
            infusions,
            per_infusion: regimen.per_infusion(),
            total_cells,
            findings,
        })
    }

    /// The arm to use and its id; `None` as the id where the arms share one regimen and none
    /// was named.
    fn resolve_arm(&self, requested: Option<&str>) -> Result<(Option<String>, &Regimen)> {
        let known = || {
            self.arms()
                .iter()
                .map(Arm::id)
                .collect::<Vec<_>>()
                .join(", ")
        };
        match (requested, self.arms()) {
            (Some(id), _) => self
                .arm(id)
                .map(|arm| (Some(arm.id().to_owned()), arm.regimen()))
                .ok_or_else(|| Error::UnknownArm {
                    protocol: self.id().to_owned(),
                    input: id.to_owned(),
                    known: known(),
                }),
            (None, [only]) => Ok((Some(only.id().to_owned()), only.regimen())),
            (None, [first, ..]) if self.arms_share_one_regimen() => Ok((None, first.regimen())),
            (None, _) => Err(Error::ArmRequired {
                protocol: self.id().to_owned(),
                known: known(),
            }),
        }
    }

    fn eligibility_findings(&self, weight: BodyWeight, age: Option<AgeYears>) -> Vec<Finding> {
        let mut findings = Vec::new();
        if let Some(window) = self.weight_window() {
            if let Err(miss) = window.check(weight) {
                let clause = format!("{} eligibility: body weight {window}", self.id());
                findings.push(Finding::new(
                    Severity::Hard,
                    FindingCode::WeightOutsideWindow,
                    clause,
                    |_| {
                        format!(
                            "body weight {} is {}",
                            human::kg(weight.kg()),
                            miss_words(&miss)
                        )
                    },
                ));
            }
        }
        if let Some(window) = self.age_window() {
            let clause = format!("{} eligibility: age {window}", self.id());
            match age {
                None => findings.push(Finding::new(
                    Severity::Info,
                    FindingCode::AgeNotChecked,
                    clause,
                    |_| format!("no age was given, so the age window ({window}) was not checked"),
                )),
                Some(age) => {
                    if let Err(miss) = window.check(age) {
                        findings.push(Finding::new(
                            Severity::Hard,
                            FindingCode::AgeOutsideWindow,
                            clause,
                            |_| format!("age {age} is {}", miss_words(&miss)),
                        ));
                    }
                }
            }
        }
        findings
    }

    /// The finding, if any, on a dose the prescriber stated.
    fn explicit_dose_finding(
        &self,
        regimen: &Regimen,
        request: &Explicit,
        limits: Option<(ExactCells, ExactCells)>,
        clause: &dyn Fn(&str) -> String,
    ) -> Result<Option<Finding>> {
        let Explicit {
            dose,
            exact,
            level,
            weight,
        } = *request;
        let rule = regimen.rule();
        if rule == Some(DoseRule::NoCells) {
            return Ok((exact > ExactCells::ZERO).then(|| {
                Finding::new(
                    Severity::Hard,
                    FindingCode::CellsInPlaceboArm,
                    clause("placebo, no cells"),
                    |n| {
                        format!(
                            "requested dose {} in a placebo arm, which gives no cells",
                            describe_dose(dose, n)
                        )
                    },
                )
            }));
        }
        if let (Some((low, high)), Some((min, max))) = (rule.and_then(DoseRule::range), limits) {
            if exact >= min && exact <= max {
                return Ok(None);
            }
            let (code, word, bound, limit) = if exact < min {
                (
                    FindingCode::DoseBelowProtocolMinimum,
                    "below the protocol minimum",
                    low,
                    min,
                )
            } else {
                (
                    FindingCode::DoseAboveProtocolMaximum,
                    "above the protocol maximum",
                    high,
                    max,
                )
            };
            let range_words = rule.map(|r| r.to_string()).unwrap_or_default();
            return Ok(Some(Finding::new(
                Severity::Hard,
                code,
                clause(&format!("dose range {range_words}")),
                |n| {
                    format!(
                    "requested dose {} is {word} of {}: {} for this patient, against a limit of {}",
                    describe_dose(dose, n),
                    describe_dose(bound, n),
                    human::cells(exact.get(), n),
                    human::cells(limit.get(), n),
                )
                },
            )));
        }
        let point = rule.and_then(DoseRule::point);
        if level.is_some() || point.map(|p| p.cells_for(weight)).transpose()? == Some(exact) {
            return Ok(None);
        }
        let mut allowed: Vec<(String, Dose, ExactCells)> = Vec::new();
        if let Some(point) = point {
            allowed.push(("the arm's dose".to_owned(), point, point.cells_for(weight)?));
        }
        for level in regimen.levels() {
            allowed.push((
                format!("level {}", level.number()),
                level.dose(),
                level.dose().cells_for(weight)?,
            ));
        }
        let direction = if allowed.iter().all(|(_, _, cells)| exact < *cells) {
            "below every dose the protocol states"
        } else if allowed.iter().all(|(_, _, cells)| exact > *cells) {
            "above every dose the protocol states"
        } else {
            "between the doses the protocol states"
        };
        let list = |n: Notation| {
            allowed
                .iter()
                .map(|(name, dose, _)| format!("{name} {}", describe_dose(*dose, n)))
                .collect::<Vec<_>>()
                .join("; ")
        };
        Ok(Some(Finding::new(
            Severity::Hard,
            FindingCode::DoseNotAProtocolDose,
            clause("stated doses"),
            |n| {
                format!(
                "requested dose {} is not a dose the protocol states ({direction}); it states: {}",
                describe_dose(dose, n),
                list(n)
            )
            },
        )))
    }

    fn round_inside(
        &self,
        exact: ExactCells,
        limits: Option<(ExactCells, ExactCells)>,
        rounding: Rounding,
        clause: &dyn Fn() -> String,
        findings: &mut Vec<Finding>,
    ) -> Result<CellCount> {
        let rounded = exact.round(rounding)?;
        let Some((min, max)) = limits else {
            return Ok(rounded);
        };
        // Only a target inside the limits is kept inside them; a target already outside is
        // reported as such and left where the request put it.
        if exact < min || exact > max {
            return Ok(rounded);
        }
        let inside = if rounded.exact() < min {
            min.round(Rounding::Up)?
        } else if rounded.exact() > max {
            max.round(Rounding::Down)?
        } else {
            return Ok(rounded);
        };
        findings.push(Finding::new(
            Severity::Info,
            FindingCode::RoundedInsideLimit,
            clause(),
            |n| {
                format!(
                    "rounding {} {} would cross the protocol limit, so {} was taken",
                    human::cells(exact.get(), n),
                    rounding.name(),
                    human::cells(inside.get(), n)
                )
            },
        ));
        Ok(inside)
    }
}

fn miss_words<T: core::fmt::Display>(miss: &Miss<T>) -> String {
    match miss {
        Miss::Below(edge) if edge.is_inclusive() => format!("below {edge}"),
        Miss::Below(edge) => format!("not above {edge}"),
        Miss::Above(edge) if edge.is_inclusive() => format!("above {edge}"),
        Miss::Above(edge) => format!("not below {edge}"),
    }
}

/// What a request for this regimen may choose, in words.
fn accepted_choices(regimen: &Regimen) -> String {
    let numbers: Vec<String> = regimen
        .levels()
        .iter()
        .map(|l| l.number().to_string())
        .collect();
    let levels = match numbers.as_slice() {
        [] => "it has no numbered levels".to_owned(),
        [one] => format!("its only stated level is {one}"),
        [rest @ .., last] => format!("its levels are {} and {last}", rest.join(", ")),
    };
    match regimen.rule() {
        Some(DoseRule::NoCells) => format!("{levels}; it is a placebo arm and gives no cells"),
        Some(rule) if rule.range().is_some() => format!(
            "{levels}, or give an explicit dose from {}",
            rule.describe(Notation::Ascii)
        ),
        Some(rule) => format!("{levels}; its dose is {}", rule.describe(Notation::Ascii)),
        None => format!("choose a level ({levels}) or give one of those doses"),
    }
}

impl Calculation {
    /// The protocol id.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.protocol(), "NCT07276568");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn protocol(&self) -> &str {
        &self.protocol
    }

    /// The protocol's version or amendment.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.protocol_version(), "registry record last updated 2025-12-11");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn protocol_version(&self) -> &str {
        &self.protocol_version
    }

    /// The arm, or `None` where the arms share one regimen and none was named.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.arm(), Some("alf"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn arm(&self) -> Option<&str> {
        self.arm.as_deref()
    }

    /// The regimen the dose comes from.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.regimen(), "escalation");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn regimen(&self) -> &str {
        &self.regimen
    }

    /// The dose level, where one was asked for or the explicit dose equals one.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.level(), Some(1));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn level(&self) -> Option<u32> {
        self.level
    }

    /// The dose that applies, as the protocol or the prescriber states it; `None` where the
    /// protocol gives only a range.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.dose().map(|d| d.to_string()).as_deref(), Some("16000000/kg"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn dose(&self) -> Option<Dose> {
        self.dose
    }

    /// The protocol's range for this arm, where it states one.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.range().map(|r| r.to_string()).as_deref(), Some("16000000/kg to 170000000/kg"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn range(&self) -> Option<DoseRule> {
        self.range
    }

    /// The weight used, as entered.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.weight().to_string(), "160 lb");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn weight(&self) -> EnteredWeight {
        self.weight
    }

    /// The age used, if one was given.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.age(), None);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn age(&self) -> Option<AgeYears> {
        self.age
    }

    /// The rounding used for whole cells.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.rounding(), celldose::Rounding::HalfAwayFromZero);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn rounding(&self) -> Rounding {
        self.rounding
    }

    /// The exact target before rounding.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.exact_cells().map(|e| e.to_string()).as_deref(), Some("1161196467.2"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn exact_cells(&self) -> Option<ExactCells> {
        self.exact_cells
    }

    /// The target for this patient in whole cells; `None` where the protocol gives only a range.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// // The exact minimum, 1,161,196,467.2, is rounded to the whole count inside the range.
    /// assert_eq!(c.cells().map(|n| n.to_string()).as_deref(), Some("1161196468"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn cells(&self) -> Option<CellCount> {
        self.cells
    }

    /// The dose per kg: as stated for a per-kg dose, or a flat dose divided by the weight and
    /// rounded half away from zero to 0.01 cells/kg.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.cells_per_kg().map(|d| d.to_string()).as_deref(), Some("16000000/kg"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn cells_per_kg(&self) -> Option<CellsPerKg> {
        self.cells_per_kg
    }

    /// The smallest whole count the protocol allows this patient (the exact minimum, rounded up).
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.min_cells().map(|n| n.to_string()).as_deref(), Some("1161196468"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn min_cells(&self) -> Option<CellCount> {
        self.exact_min.and_then(|min| min.round(Rounding::Up).ok())
    }

    /// The largest whole count the protocol allows this patient (the exact maximum, rounded down).
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.max_cells().map(|n| n.to_string()).as_deref(), Some("12337712464"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn max_cells(&self) -> Option<CellCount> {
        self.exact_max
            .and_then(|max| max.round(Rounding::Down).ok())
    }

    /// The exact smallest amount the protocol allows this patient.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.exact_min().map(|n| n.to_string()).as_deref(), Some("1161196467.2"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn exact_min(&self) -> Option<ExactCells> {
        self.exact_min
    }

    /// The exact largest amount the protocol allows this patient.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.exact_max().map(|n| n.to_string()).as_deref(), Some("12337712464"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn exact_max(&self) -> Option<ExactCells> {
        self.exact_max
    }

    /// How many infusions the protocol states.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.infusions(), celldose::Stated::NotStated);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn infusions(&self) -> Stated<u32> {
        self.infusions
    }

    /// Whether the dose is per infusion.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert!(!c.per_infusion());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn per_infusion(&self) -> bool {
        self.per_infusion
    }

    /// The cumulative count over all infusions, where their number is stated.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.total_cells(), None); // the number of infusions is not stated
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn total_cells(&self) -> Option<CellCount> {
        self.total_cells
    }

    /// Everything the calculation noticed.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.findings()[0].code(), celldose::FindingCode::RoundedInsideLimit);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// `outside` if any finding is hard, else `within`.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.verdict(), celldose::Verdict::Within);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn verdict(&self) -> Verdict {
        Verdict::from_findings(&self.findings)
    }

    /// The exact limits for a check of a delivered amount.
    pub(crate) fn exact_limits(&self) -> Option<(ExactCells, ExactCells)> {
        self.exact_min.zip(self.exact_max)
    }

    /// Whether the arm is a placebo arm.
    pub(crate) fn is_placebo(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.code() == FindingCode::PlaceboArm)
    }

    pub(crate) fn clause(&self, what: &str) -> String {
        match &self.arm {
            Some(arm) => format!("{} arm {arm}: {what}", self.protocol),
            None => format!("{} regimen {}: {what}", self.protocol, self.regimen),
        }
    }

    /// The weight in kilograms.
    pub(crate) fn weight_kg(&self) -> BodyWeight {
        self.weight.weight()
    }
}

/// `part` as a percentage of `whole`.
pub(crate) fn percent_of(part: Decimal, whole: Decimal) -> Option<Decimal> {
    part.checked_mul(Decimal::ONE_HUNDRED)?.checked_div(whole)
}
