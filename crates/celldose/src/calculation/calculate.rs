//! From protocol, arm, dose choice and patient to a target count, its limits and a verdict.
//!
//! The steps each live in a file of their own: eligibility (`eligibility.rs`), the limits for this
//! weight (`limits.rs`) and what a cap did to them (`cap.rs`), a prescriber's explicit dose
//! (`explicit.rs`), the escalation gate (`escalation.rs`), and rounding inside the limits.

use std::sync::Arc;

use super::cap;
use super::clause::{clause_for, rule_clause};
use super::escalation::Gate;
use super::explicit::{Explicit, explicit_dose_finding};
use super::limits::{Limits, round_inside};
use super::{Calculation, DoseChoice, DoseRequest, Finding, FindingCode, Severity};
use crate::error::{Error, Result};
use crate::human::{self, Notation};
use crate::refusal::Refusal;
use crate::regimen::{Arm, DoseRule, Protocol, Regimen, Stated, Window};
use crate::units::{BodyWeight, CellCount, CellsPerKg, Dose};

/// How a range-only finding ends for a dose: no verdict on a dose without a chosen dose.
pub(crate) const RANGE_ONLY_DOSE: &str =
    ", and no dose was chosen; give a level or a dose to compute a target and a verdict";
/// How it ends for a check, whose verdict is on what was given.
pub(crate) const RANGE_ONLY_CHECK: &str =
    "; what was given is judged against that range, and no target or tolerance applies";

/// Derived per-kg figures (a total divided by the weight) are shown to this many places.
const PER_KG_PLACES: u32 = 2;

/// The rule that applies to this patient: the arm's own, or that of the weight band the patient
/// falls in, with any cap on the total.
#[derive(Debug, Clone, Copy)]
struct Plan {
    rule: Option<DoseRule>,
    cap: Option<CellCount>,
    band: Option<Window<BodyWeight>>,
}

impl Protocol {
    /// Computes one patient's dose.
    ///
    /// The exact product (weight × dose per kg) is kept; it is rounded to whole cells once, at
    /// the end, with the request's [`Rounding`](crate::units::Rounding). Where that rounding would cross a protocol
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

        findings.extend(super::dosing_weight::findings(
            self.product_rules.dosing_weight,
            request.weight(),
            request.current_weight(),
            &|what| clause_for(self.id(), None, regimen.id(), what),
        ));
        let plan = self.plan(regimen, weight, &clause, &mut findings);
        let limits = Limits::derive(plan.rule, plan.cap, weight)?;
        let limits_clause = || match (plan.rule, plan.cap) {
            (Some(rule), Some(cap)) => clause(&format!("{}, max_total {cap}", rule_clause(rule))),
            (Some(rule), None) => clause(&rule_clause(rule)),
            (None, Some(cap)) => clause(&format!("max_total {cap}")),
            (None, None) => clause("dose"),
        };
        findings.extend(cap::limit_findings(limits, &limits_clause));

        let mut dose_refused = false;
        let (level, dose) = match request.choice() {
            _ if !regimen.bands().is_empty() && plan.band.is_none() => (None, None),
            DoseChoice::Level(number) => {
                let level = regimen.level(number).ok_or_else(|| Error::UnknownLevel {
                    protocol: self.id().to_owned(),
                    arm: arm_words(arm_id.as_deref(), regimen),
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
                    limits.uncapped()
                } else {
                    limits
                };
                if let Some(finding) =
                    explicit_dose_finding(regimen, plan.rule, &explicit, against, weight, &clause)?
                {
                    dose_refused = finding.severity() == Severity::Hard;
                    findings.push(finding);
                }
                (level, Some(dose))
            }
            DoseChoice::ArmDose => match plan.rule {
                Some(rule) => (None, rule.point()),
                None => {
                    return Err(Refusal::LevelRequired {
                        protocol: self.id().to_owned(),
                        place: arm_words(arm_id.as_deref(), regimen),
                        accepted: format!("{}{}", accepted_choices(regimen), start_words(regimen)),
                    }
                    .into());
                }
            },
        };

        if let (Some(dose), false) = (dose, dose_refused) {
            let gate = Gate {
                protocol: self.id(),
                regimen,
                weight,
                state: request.trial_state(),
                on: request.dosing_date(),
            };
            findings.extend(gate.finding(dose, &clause)?);
        }

        let requested = dose.map(|dose| dose.cells_for(weight)).transpose()?;
        let cap = plan.cap.filter(|_| dose.is_some_and(Dose::is_per_kg));
        let cap_clause = || {
            clause(&format!(
                "max_total {}",
                cap.map(|c| c.to_string()).unwrap_or_default()
            ))
        };
        let exact_cells = requested
            .map(|requested| cap::capped_target(requested, cap, &cap_clause, &mut findings));
        let rounding = request.rounding();
        let cells = exact_cells
            .map(|exact| round_inside(exact, limits, rounding, &limits_clause, &mut findings))
            .transpose()?;
        let cells_per_kg = match (dose, exact_cells) {
            // Uncapped, the patient receives the stated dose per kg exactly.
            (Some(Dose::PerKg(per_kg)), Some(exact)) if Some(exact) == requested => Some(per_kg),
            (Some(_), Some(exact)) => Some(CellsPerKg::rounded_from(exact, weight, PER_KG_PLACES)?),
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
            let start = start_words(regimen);
            findings.push(Finding::new(Severity::Info, FindingCode::RangeOnly, limits_clause(), |n| {
                format!(
                    "the protocol gives a range, {}, and no single dose{RANGE_ONLY_DOSE}{start}",
                    rule.describe(n)
                )
            }));
        }
        let infusions = regimen.infusions();
        if regimen.per_infusion() == Stated::Value(true) && infusions == Stated::NotStated {
            findings.push(Finding::new(
                Severity::Info,
                FindingCode::InfusionCountNotStated,
                clause("infusions not stated"),
                |_| "this is the amount for one infusion; the protocol does not state how many infusions".to_owned(),
            ));
        }
        // The total over the course: the dose times the infusions only where the dose is per
        // infusion; the dose itself where it is the total (a split divides it); unknown where the
        // record does not say which and there is more than one infusion.
        let total_cells = match (cells, infusions.value(), regimen.per_infusion()) {
            (Some(cells), Some(count), Stated::Value(true)) => Some(cells.checked_mul(count)?),
            (Some(cells), Some(_), Stated::Value(false)) | (Some(cells), Some(1), _) => Some(cells),
            _ => None,
        };

        Ok(Calculation {
            parts: Box::new(super::result::Parts {
                provenance: Arc::clone(&self.provenance),
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
                patient: request.patient().map(str::to_owned),
                trial_state_sha256: request.trial_state().map(|s| Arc::from(s.sha256())),
                age_from_birth: request.age_from_birth(),
                dosing_date: request.dosing_date(),
                current_weight: request.current_weight(),
                dosing_weight: self.product_rules.dosing_weight,
                product_rules: self.product_rules,
                dmso_given_today: request.dmso_given_today(),
                split: regimen.split.clone(),
                findings,
            }),
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
}

/// The arm in words for a message: `arm alf`, or `regimen escalation` where none was named.
fn arm_words(arm: Option<&str>, regimen: &Regimen) -> String {
    arm.map_or_else(
        || format!("regimen {}", regimen.id()),
        |arm| format!("arm {arm}"),
    )
}

/// Where an escalating regimen starts, for a message that asks for a dose: `; escalation starts
/// at level 1, 16,000,000 cells/kg (1.6 x 10^7 cells/kg)`; empty for other regimens.
fn start_words(regimen: &Regimen) -> String {
    regimen.escalation().map_or_else(String::new, |escalation| {
        format!(
            "; escalation starts at level {}, {}",
            escalation.start_level(),
            crate::regimen::describe_dose(escalation.start_dose(), Notation::Ascii)
        )
    })
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
