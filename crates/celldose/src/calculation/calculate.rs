//! From protocol, arm, dose choice and patient to a target count, its limits and a verdict.

use std::sync::Arc;

use rust_decimal::Decimal;

use super::{DoseChoice, DoseRequest, Finding, FindingCode, Rounding, Severity, Verdict};
use crate::error::{Error, Result};
use crate::human::{self, Notation};
use crate::regimen::{
    describe_dose, Arm, DoseRule, Miss, Protocol, Regimen, Stated, Tolerance, Window,
};
use crate::units::{AgeYears, BodyWeight, CellCount, CellsPerKg, Dose, EnteredWeight, ExactCells};

/// Derived per-kg figures (a total divided by the weight) are shown to this many places.
const PER_KG_PLACES: u32 = 2;

/// The exact lower and upper limits for one patient; either may be absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Limits {
    pub(crate) min: Option<ExactCells>,
    pub(crate) max: Option<ExactCells>,
}

impl Limits {
    fn contains(self, amount: ExactCells) -> bool {
        self.min.is_none_or(|min| amount >= min) && self.max.is_none_or(|max| amount <= max)
    }
}

/// The rule that applies to this patient: the arm's own, or that of the weight band the patient
/// falls in, with any cap on the total.
#[derive(Debug, Clone, Copy)]
struct Plan {
    rule: Option<DoseRule>,
    cap: Option<CellCount>,
    band: Option<Window<BodyWeight>>,
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
    // Shared with the protocol: a calculation copies no text.
    protocol: Arc<str>,
    protocol_version: Arc<str>,
    protocol_sha256: Arc<str>,
    arm: Option<Arc<str>>,
    regimen: Arc<str>,
    band: Option<Window<BodyWeight>>,
    level: Option<u32>,
    dose: Option<Dose>,
    rule: Option<DoseRule>,
    cap: Option<CellCount>,
    tolerance: Option<Tolerance>,
    weight: EnteredWeight,
    age: Option<AgeYears>,
    rounding: Rounding,
    exact_cells: Option<ExactCells>,
    cells: Option<CellCount>,
    cells_per_kg: Option<CellsPerKg>,
    limits: Limits,
    infusions: Stated<u32>,
    per_infusion: bool,
    total_cells: Option<CellCount>,
    acknowledgement: Option<String>,
    findings: Vec<Finding>,
}

/// A dose the prescriber stated, with what it comes to for this patient.
#[derive(Clone, Copy)]
struct Explicit {
    dose: Dose,
    exact: ExactCells,
    level: Option<u32>,
}

impl Protocol {
    /// Computes one patient's dose.
    ///
    /// The exact product (weight × dose per kg) is kept; it is rounded to whole cells once, at
    /// the end, with the request's [`Rounding`]. Where that rounding would cross a protocol
    /// limit, the whole count just inside the limit is taken and an info finding says so. The
    /// allowed range in whole cells runs from the exact minimum rounded up to the exact maximum
    /// rounded down. Where a cap on the total binds, the cap is the target and a finding says so.
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
        let clause = |what: &str| clause_for(self.id(), arm_id.as_deref(), regimen.id(), what);

        let plan = self.plan(regimen, weight, &clause, &mut findings);
        let rule_limits = plan
            .rule
            .map(|rule| rule.limits_for(weight))
            .transpose()?
            .flatten();
        let rule_limits = Limits {
            min: rule_limits.map(|(min, _)| min),
            max: rule_limits.and_then(|(_, max)| max),
        };
        // A cap lowers the maximum, and a minimum above it, to the cap.
        let limits = match plan.cap.map(CellCount::exact) {
            Some(cap) => Limits {
                min: rule_limits.min.map(|min| min.min(cap)),
                max: Some(rule_limits.max.map_or(cap, |max| max.min(cap))),
            },
            None => rule_limits,
        };
        let limits_clause = || match (plan.rule, plan.cap) {
            (Some(rule), Some(cap)) => clause(&format!("{}, max_total {cap}", rule_clause(rule))),
            (Some(rule), None) => clause(&rule_clause(rule)),
            (None, Some(cap)) => clause(&format!("max_total {cap}")),
            (None, None) => clause("dose"),
        };

        let (level, dose) = match request.choice() {
            _ if !regimen.bands().is_empty() && plan.band.is_none() => (None, None),
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
                let explicit = Explicit { dose, exact, level };
                // A per-kg request is checked against the rule; its total is then capped below.
                let against = if dose.is_per_kg() {
                    rule_limits
                } else {
                    limits
                };
                if let Some(finding) =
                    explicit_dose_finding(regimen, plan.rule, &explicit, against, weight, &clause)?
                {
                    findings.push(finding);
                }
                (level, Some(dose))
            }
            DoseChoice::ArmDose => match plan.rule {
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

        let requested = dose.map(|dose| dose.cells_for(weight)).transpose()?;
        let cap = plan.cap.filter(|_| dose.is_some_and(Dose::is_per_kg));
        let exact_cells = match (requested, cap) {
            (Some(requested), Some(cap)) if requested > cap.exact() => {
                findings.push(Finding::new(
                    Severity::Info,
                    FindingCode::CapBinds,
                    clause(&format!("max_total {cap}")),
                    |n| {
                        format!(
                            "weight × dose comes to {}, above the protocol's maximum total of {}, so the maximum total is the dose",
                            human::cells(requested.get(), n),
                            human::cells(cap.get(), n)
                        )
                    },
                ));
                Some(cap.exact())
            }
            (requested, _) => requested,
        };
        let rounding = request.rounding();
        let cells = exact_cells
            .map(|exact| round_inside(exact, limits, rounding, &limits_clause, &mut findings))
            .transpose()?;
        let cells_per_kg = match (dose, exact_cells) {
            // Uncapped, the patient receives the stated dose per kg exactly.
            (Some(Dose::PerKg(per_kg)), Some(exact)) if Some(exact) == requested => Some(per_kg),
            (Some(_), Some(exact)) => Some(CellsPerKg::new(Rounding::HalfAwayFromZero.to_places(
                CellsPerKg::checked_from(exact, weight)?.get(),
                PER_KG_PLACES,
            ))?),
            _ => None,
        };

        if plan.rule == Some(DoseRule::NoCells) {
            findings.push(Finding::new(
                Severity::Info,
                FindingCode::PlaceboArm,
                clause("placebo, no cells"),
                |_| "placebo arm: no cells are given".to_owned(),
            ));
        }
        if let (None, Some(rule)) = (dose, plan.rule.filter(|r| r.bounds().is_some())) {
            findings.push(Finding::new(Severity::Info, FindingCode::RangeOnly, limits_clause(), |n| {
                format!(
                    "the protocol gives a range, {}, and no single dose; give a dose to compute a target",
                    rule.describe(n)
                )
            }));
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
            protocol: Arc::clone(&self.id),
            protocol_version: Arc::clone(&self.version),
            protocol_sha256: Arc::clone(&self.sha256),
            arm: arm_id,
            regimen: Arc::clone(&regimen.id),
            band: plan.band,
            level,
            dose,
            rule: plan.rule,
            cap: plan.cap,
            tolerance: regimen.tolerance().copied(),
            weight: request.weight(),
            age: request.age(),
            rounding,
            exact_cells,
            cells,
            cells_per_kg,
            limits,
            infusions,
            per_infusion: regimen.per_infusion(),
            total_cells,
            acknowledgement: request.acknowledgement().map(str::to_owned),
            findings,
        })
    }

    /// The rule for this patient: the regimen's own, or its weight band's.
    fn plan(
        &self,
        regimen: &Regimen,
        weight: BodyWeight,
        clause: &dyn Fn(&str) -> String,
        findings: &mut Vec<Finding>,
    ) -> Plan {
        if regimen.bands().is_empty() {
            return Plan {
                rule: regimen.rule(),
                cap: regimen.cap(),
                band: None,
            };
        }
        match regimen
            .bands()
            .iter()
            .find(|band| band.window().check(weight).is_ok())
        {
            Some(band) => Plan {
                rule: Some(band.rule()),
                cap: band.cap(),
                band: Some(*band.window()),
            },
            None => {
                let bands: Vec<String> = regimen
                    .bands()
                    .iter()
                    .map(|b| b.window().to_string())
                    .collect();
                findings.push(Finding::new(
                    Severity::Hard,
                    FindingCode::WeightOutsideBands,
                    clause(&format!("weight bands {}", bands.join("; "))),
                    |_| {
                        format!(
                            "body weight {} falls in none of the protocol's weight bands ({})",
                            human::kg(weight.kg()),
                            bands.join("; ")
                        )
                    },
                ));
                Plan {
                    rule: None,
                    cap: None,
                    band: None,
                }
            }
        }
    }

    /// The arm to use and its id; `None` as the id where the arms share one regimen and none
    /// was named.
    fn resolve_arm(&self, requested: Option<&str>) -> Result<(Option<Arc<str>>, &Regimen)> {
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
                .map(|arm| (Some(Arc::clone(&arm.id)), arm.regimen()))
                .ok_or_else(|| Error::UnknownArm {
                    protocol: self.id().to_owned(),
                    input: id.to_owned(),
                    known: known(),
                }),
            (None, [only]) => Ok((Some(Arc::clone(&only.id)), only.regimen())),
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
}

/// The finding, if any, on a dose the prescriber stated.
fn explicit_dose_finding(
    regimen: &Regimen,
    rule: Option<DoseRule>,
    request: &Explicit,
    limits: Limits,
    weight: BodyWeight,
    clause: &dyn Fn(&str) -> String,
) -> Result<Option<Finding>> {
    let Explicit { dose, exact, level } = *request;
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
    if let Some((low, high)) = rule.and_then(DoseRule::bounds) {
        let rule_words = rule.map(rule_clause).unwrap_or_default();
        if let Some(min) = limits.min.filter(|min| exact < *min) {
            return Ok(Some(Finding::new(
                Severity::Hard,
                FindingCode::DoseBelowProtocolMinimum,
                clause(&rule_words),
                |n| {
                    format!(
                        "requested dose {} is below the protocol minimum of {}: {} for this patient, against a limit of {}",
                        describe_dose(dose, n),
                        describe_dose(low, n),
                        human::cells(exact.get(), n),
                        human::cells(min.get(), n),
                    )
                },
            )));
        }
        if let Some(max) = limits.max.filter(|max| exact > *max) {
            let bound = high.map_or_else(
                || "the maximum total".to_owned(),
                |high| describe_dose(high, Notation::Ascii),
            );
            return Ok(Some(Finding::new(
                Severity::Hard,
                FindingCode::DoseAboveProtocolMaximum,
                clause(&rule_words),
                |n| {
                    let bound = high.map_or_else(|| bound.clone(), |high| describe_dose(high, n));
                    format!(
                        "requested dose {} is above the protocol maximum of {bound}: {} for this patient, against a limit of {}",
                        describe_dose(dose, n),
                        human::cells(exact.get(), n),
                        human::cells(max.get(), n),
                    )
                },
            )));
        }
        return Ok(None);
    }
    if let Some(max) = limits.max.filter(|max| exact > *max) {
        return Ok(Some(Finding::new(
            Severity::Hard,
            FindingCode::DoseAboveProtocolMaximum,
            clause("max_total"),
            |n| {
                format!(
                    "requested dose {} is above the protocol's maximum total of {}",
                    describe_dose(dose, n),
                    human::cells(max.get(), n)
                )
            },
        )));
    }
    let point = rule.and_then(DoseRule::point);
    let point_cells = point.map(|p| p.cells_for(weight)).transpose()?;
    if level.is_some() || point_cells == Some(exact) {
        return Ok(None);
    }
    if let (Some(point), Some(target), Some(tolerance)) = (point, point_cells, regimen.tolerance())
    {
        return Ok(tolerance_finding(
            exact,
            target,
            tolerance,
            |n| format!("requested dose {}", describe_dose(dose, n)),
            &|n| describe_dose(point, n),
            (
                FindingCode::DosePastSoftTolerance,
                FindingCode::DoseNotAProtocolDose,
            ),
            &|| clause(&format!("tolerance {}", tolerance_words(tolerance))),
        ));
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

/// A rule in the words of a clause: `dose range 500000/kg to 1000000/kg`, `dose 1000000/kg`.
pub(crate) fn rule_clause(rule: DoseRule) -> String {
    if rule.bounds().is_some() {
        format!("dose range {rule}")
    } else {
        format!("dose {rule}")
    }
}

/// The tolerance in the words of a clause: `soft 10%, hard 20%`.
pub(crate) fn tolerance_words(tolerance: &Tolerance) -> String {
    match tolerance.soft() {
        Some(soft) => format!("soft {soft}, hard {}", tolerance.hard()),
        None => format!("hard {}", tolerance.hard()),
    }
}

/// Compares `amount` with `target` under a tolerance: nothing inside the soft band, a soft
/// finding between the bands, a hard finding past the hard band. Compared exactly:
/// |amount − target| × 100 against percent × target.
pub(crate) fn tolerance_finding(
    amount: ExactCells,
    target: ExactCells,
    tolerance: &Tolerance,
    what: impl Fn(Notation) -> String,
    target_words: &dyn Fn(Notation) -> String,
    (soft_code, hard_code): (FindingCode, FindingCode),
    clause: &dyn Fn() -> String,
) -> Option<Finding> {
    let difference = amount.get().checked_sub(target.get())?;
    let scaled = difference.abs().checked_mul(Decimal::ONE_HUNDRED)?;
    let past = |percent: crate::units::Percent| {
        percent
            .get()
            .checked_mul(target.get())
            .is_none_or(|allowed| scaled > allowed)
    };
    let direction = if difference.is_sign_negative() {
        "below"
    } else {
        "above"
    };
    let deviation = percent_of(difference.abs(), target.get())
        .map(|d| Rounding::HalfAwayFromZero.to_places(d, 2))
        .unwrap_or_default();
    let (severity, code, band, limit) = if past(tolerance.hard()) {
        (Severity::Hard, hard_code, "hard", tolerance.hard())
    } else if let Some(soft) = tolerance.soft().filter(|soft| past(*soft)) {
        (Severity::Soft, soft_code, "soft", soft)
    } else {
        return None;
    };
    let consequence = if severity == Severity::Hard {
        "it is refused"
    } else {
        "it needs an acknowledgement with a reason"
    };
    Some(Finding::new(severity, code, clause(), |n| {
        format!(
            "{} is {}% {direction} {}, past the {band} tolerance of {limit}: {consequence}",
            what(n),
            human::grouped(deviation),
            target_words(n)
        )
    }))
}

fn round_inside(
    exact: ExactCells,
    limits: Limits,
    rounding: Rounding,
    clause: &dyn Fn() -> String,
    findings: &mut Vec<Finding>,
) -> Result<CellCount> {
    let rounded = exact.round(rounding)?;
    // Only a target inside the limits is kept inside them; a target already outside is
    // reported as such and left where the request put it.
    if !limits.contains(exact) || limits.contains(rounded.exact()) {
        return Ok(rounded);
    }
    let inside = match (limits.min, limits.max) {
        (Some(min), _) if rounded.exact() < min => min.round(Rounding::Up)?,
        (_, Some(max)) if rounded.exact() > max => max.round(Rounding::Down)?,
        _ => return Ok(rounded),
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
        Some(rule) if rule.bounds().is_some() => format!(
            "{levels}, or give an explicit dose from {}",
            rule.describe(Notation::Ascii)
        ),
        Some(rule) => format!("{levels}; its dose is {}", rule.describe(Notation::Ascii)),
        None if !regimen.bands().is_empty() => {
            format!("{levels}; its dose follows the weight bands")
        }
        None => format!("choose a level ({levels}) or give one of those doses"),
    }
}

/// `part` as a percentage of `whole`.
pub(crate) fn percent_of(part: Decimal, whole: Decimal) -> Option<Decimal> {
    part.checked_mul(Decimal::ONE_HUNDRED)?.checked_div(whole)
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

    /// The SHA-256 of the protocol definition the numbers came from.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.protocol_sha256(), catalogue.find("NCT07276568")?.sha256());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn protocol_sha256(&self) -> &str {
        &self.protocol_sha256
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

    /// The weight band the patient fell in, where the regimen has bands.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert!(c.band().is_none());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn band(&self) -> Option<&Window<BodyWeight>> {
        self.band.as_ref()
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

    /// The protocol's rule for this patient: the arm's, or the weight band's.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.rule().map(|r| r.to_string()).as_deref(), Some("16000000/kg to 170000000/kg"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn rule(&self) -> Option<DoseRule> {
        self.rule
    }

    /// The protocol's maximum total for this patient, where it sets one.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.cap(), None);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn cap(&self) -> Option<CellCount> {
        self.cap
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

    /// The exact target before rounding (after any cap).
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

    /// The dose per kg the patient receives: as stated for a per-kg dose, or the target divided by
    /// the weight and rounded half away from zero to 0.01 cells/kg for a total or a capped dose.
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
        self.limits.min.and_then(|min| min.round(Rounding::Up).ok())
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
        self.limits
            .max
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
        self.limits.min
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
        self.limits.max
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

    /// The reason given to acknowledge soft findings, if any.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.acknowledgement(), None);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn acknowledgement(&self) -> Option<&str> {
        self.acknowledgement.as_deref()
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

    /// `outside` if any finding is hard; else `review` if any is soft and not acknowledged; else
    /// `within`.
    ///
    /// ```
    /// # let catalogue = celldose::Catalogue::builtin()?;
    /// # let request = celldose::DoseRequest::new("160lb".parse()?, celldose::DoseChoice::Level(1), celldose::Rounding::HalfAwayFromZero).with_arm("alf");
    /// # let c = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// assert_eq!(c.verdict(), celldose::Verdict::Within);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn verdict(&self) -> Verdict {
        Verdict::from_findings(&self.findings, self.acknowledgement.is_some())
    }

    /// The exact limits, for a check of a delivered amount.
    pub(crate) fn limits(&self) -> Limits {
        self.limits
    }

    /// The protocol's own tolerance for this regimen.
    pub(crate) fn protocol_tolerance(&self) -> Option<&Tolerance> {
        self.tolerance.as_ref()
    }

    /// Whether the arm is a placebo arm.
    pub(crate) fn is_placebo(&self) -> bool {
        self.rule == Some(DoseRule::NoCells)
    }

    pub(crate) fn clause(&self, what: &str) -> String {
        clause_for(&self.protocol, self.arm.as_deref(), &self.regimen, what)
    }
}

/// A clause names where in the protocol a finding rests: the arm, or the shared regimen where
/// no arm was named.
fn clause_for(protocol: &str, arm: Option<&str>, regimen: &str, what: &str) -> String {
    match arm {
        Some(arm) => format!("{protocol} arm {arm}: {what}"),
        None => format!("{protocol} regimen {regimen}: {what}"),
    }
}
