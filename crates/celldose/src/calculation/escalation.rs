//! How escalation is gated: a dose above the ladder's start is given only after the decision the
//! record requires. Without a trial state the gate is a soft finding that needs an
//! acknowledgement; with one, a dose at or below the highest opened step is within and names the
//! decision, and a dose above it is a hard finding.

use super::{Finding, FindingCode, Severity};
use crate::error::Result;
use crate::human::Notation;
use crate::regimen::{Escalation, Regimen, Step, TrialState, describe_dose};
use crate::units::{BodyWeight, Dose};

/// What the gate needs to know about one request.
pub(crate) struct Gate<'a> {
    pub(crate) protocol: &'a str,
    pub(crate) regimen: &'a Regimen,
    pub(crate) weight: BodyWeight,
    pub(crate) state: Option<&'a TrialState>,
    /// The dosing date (today's, UTC, when not given): a step opened by a decision dated after
    /// it is not open.
    pub(crate) on: Option<jiff::civil::Date>,
}

impl Gate<'_> {
    /// The finding on `dose`, if it is above the escalation start; none for a regimen without
    /// escalation or a dose at or below the start.
    pub(crate) fn finding(
        &self,
        dose: Dose,
        clause: &dyn Fn(&str) -> String,
    ) -> Result<Option<Finding>> {
        let Some(escalation) = self.regimen.escalation() else {
            return Ok(None);
        };
        // A weight is above zero, so doses of one kind compare as they stand; only a per-kg
        // dose against a total needs the products.
        let above_start = match (dose, escalation.start_dose()) {
            (Dose::PerKg(requested), Dose::PerKg(start)) => requested > start,
            (Dose::Total(requested), Dose::Total(start)) => requested > start,
            (requested, start) => {
                requested.cells_for(self.weight)? > start.cells_for(self.weight)?
            }
        };
        if !above_start {
            return Ok(None);
        }
        let requested = dose.cells_for(self.weight)?;
        let start_words = |n: Notation| {
            format!(
                "level {} ({})",
                escalation.start_level(),
                describe_dose(escalation.start_dose(), n)
            )
        };
        let clause = clause(&clause_words(escalation));
        let Some(state) = self.state else {
            return Ok(Some(Finding::new(
                Severity::Soft,
                FindingCode::EscalationNotConfirmed,
                clause,
                |n| {
                    format!(
                        "requested dose {} is above the escalation start, {}; {}; no trial state shows this step opened, so confirm the decision and acknowledge it with a reason, or give the trial state file that records it",
                        describe_dose(dose, n),
                        start_words(n),
                        condition_words(escalation)
                    )
                },
            )));
        };
        let on = self.on.unwrap_or_else(crate::units::today_utc);
        let highest = state.highest_open(self.protocol, self.regimen, self.weight, on)?;
        if highest.is_some_and(|(_, cells)| requested <= cells) {
            let covering =
                state.covering(self.protocol, self.regimen, self.weight, requested, on)?;
            if let Some(opening) = covering {
                return Ok(Some(Finding::new(
                    Severity::Info,
                    FindingCode::LevelOpened,
                    clause,
                    |n| {
                        format!(
                            "requested dose {} is above the escalation start, {}; the trial state (sha256 {}) records {} opened on {} by decision \"{}\"",
                            describe_dose(dose, n),
                            start_words(n),
                            state.sha256(),
                            step_words(opening.step(), self.regimen, n),
                            opening.date(),
                            opening.decision()
                        )
                    },
                )));
            }
        }
        let later =
            state.covering_later(self.protocol, self.regimen, self.weight, requested, on)?;
        let open_words = |n: Notation| {
            let open = match highest {
                Some((opening, _)) => format!(
                    "on the dosing date {} the highest step it records as opened is {}, on {} by decision \"{}\"",
                    on,
                    step_words(opening.step(), self.regimen, n),
                    opening.date(),
                    opening.decision()
                ),
                None => format!(
                    "it records no step opened for {} on or before the dosing date {}, so only the start is open",
                    self.protocol, on
                ),
            };
            match later {
                Some(opening) => format!(
                    "{open}; it records {} opened by decision \"{}\" dated {}, after the dosing date, so that step is open only from {}",
                    step_words(opening.step(), self.regimen, n),
                    opening.decision(),
                    opening.date(),
                    opening.date()
                ),
                None => open,
            }
        };
        Ok(Some(Finding::new(
            Severity::Hard,
            FindingCode::LevelNotOpen,
            clause,
            |n| {
                format!(
                    "requested dose {} is above what the trial state (sha256 {}) shows as open: {}; opening a step is a recorded decision ({}), so it must be in the trial state file first",
                    describe_dose(dose, n),
                    state.sha256(),
                    open_words(n),
                    condition_words(escalation)
                )
            },
        )))
    }
}

/// The gate's clause: `escalation from level 1`.
fn clause_words(escalation: &Escalation) -> String {
    format!(
        "escalation from level {} to ceiling {}",
        escalation.start_level(),
        escalation.ceiling()
    )
}

/// The record's condition, quoted, or a plain statement where the file quotes none.
fn condition_words(escalation: &Escalation) -> String {
    match escalation.condition() {
        Some(condition) => format!("the record's condition for escalating is \"{condition}\""),
        None => "the protocol escalates only by a recorded decision".to_owned(),
    }
}

/// A step in words, with its dose: `level 2 (100,000,000 cells (1 × 10⁸))`.
fn step_words(step: Step, regimen: &Regimen, n: Notation) -> String {
    match step {
        Step::Level(number) => match regimen.level(number) {
            Some(level) => format!("level {number} ({})", describe_dose(level.dose(), n)),
            None => format!("level {number}"),
        },
        Step::Dose(dose) => format!("the dose {}", describe_dose(dose, n)),
    }
}
