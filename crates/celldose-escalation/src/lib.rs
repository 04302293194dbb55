//! Escalation decisions from cohort outcomes: what a dose-escalation rule (3+3 or BOIN)
//! recommends for the next cohort, from the dose-limiting toxicities (DLTs) seen so far.
//!
//! This crate knows nothing of cells, weights or protocols: a ladder is its number of levels,
//! the outcomes are counts. The `celldose` library reads a protocol file's design and a trial
//! state's outcomes into it, and keeps the gate that says whether a step is opened.
//!
//! celldose only recommends: it never opens a level. Opening a level stays a decision a person
//! records in the trial state file (docs/trial-state.md).
//!
//! Every decision is made with whole counts and exact rational arithmetic: BOIN's boundaries
//! are compared as powers of rationals and its posterior tail as a finite binomial sum, so no
//! rounding can move a patient across a boundary (docs/escalation.md says how).
//!
//! ```
//! use celldose_escalation::{Design, Outcomes, Step};
//! // 3+3: level 1 clean, then two of six with a DLT at level 2: stop, recommend level 1.
//! let outcomes: Outcomes = "1NNN 2NTN 2NNT".parse()?;
//! let decision = Design::ThreePlusThree(Default::default()).decide(4, &outcomes)?;
//! assert_eq!(decision.step(), Step::Stop);
//! assert_eq!(decision.recommended_level(), Some(1));
//! # Ok::<(), celldose_escalation::Error>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod boin;
mod error;
mod outcomes;
mod three_plus_three;

pub use boin::{Boin, BoundaryRow};
pub use error::{Error, Result};
pub use outcomes::{Cohort, Outcomes};
pub use three_plus_three::Variant;

/// An escalation rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Design {
    /// The 3+3 rule: cohorts of three, expanded to six after one DLT; in its standard variant,
    /// or expanding the level below to six before declaring it the maximum tolerated dose.
    ThreePlusThree(Variant),
    /// The Bayesian optimal interval design (Liu & Yuan, 2015).
    Boin(Boin),
}

/// What the rule says to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Step {
    /// Treat the next cohort one level up.
    Escalate,
    /// Treat the next cohort at the same level.
    Stay,
    /// Treat the next cohort one level down.
    DeEscalate,
    /// Stop the trial.
    Stop,
}

impl Step {
    /// As written in output: `escalate`, `stay`, `de-escalate`, `stop`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Escalate => "escalate",
            Self::Stay => "stay",
            Self::DeEscalate => "de-escalate",
            Self::Stop => "stop",
        }
    }
}

/// A recommendation, with the figures and the rule's own words behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub(crate) step: Step,
    pub(crate) current_level: Option<u32>,
    pub(crate) next_level: Option<u32>,
    pub(crate) recommended_level: Option<u32>,
    pub(crate) eliminated: Vec<u32>,
    pub(crate) rule: String,
    pub(crate) figures: Vec<String>,
}

impl Decision {
    /// Escalate, stay, de-escalate or stop.
    pub fn step(&self) -> Step {
        self.step
    }

    /// The level of the last cohort treated; none before the first.
    pub fn current_level(&self) -> Option<u32> {
        self.current_level
    }

    /// The level to treat the next cohort at; none when the trial stops.
    pub fn next_level(&self) -> Option<u32> {
        self.next_level
    }

    /// The level the rule recommends: the next cohort's while the trial goes on, the dose it
    /// selects when it stops; none when no level is safe enough.
    pub fn recommended_level(&self) -> Option<u32> {
        self.recommended_level
    }

    /// Levels the rule has closed for good, lowest first.
    pub fn eliminated_levels(&self) -> &[u32] {
        &self.eliminated
    }

    /// The rule that decided, in its own words.
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// The counts and figures the decision rests on, one line each.
    pub fn figures(&self) -> &[String] {
        &self.figures
    }
}

impl Design {
    /// The recommendation for the next cohort, for a ladder of `levels` levels (numbered from 1)
    /// and the outcomes so far.
    ///
    /// # Errors
    /// When an outcome names a level the ladder does not have; for 3+3, a level with more than
    /// six patients.
    pub fn decide(&self, levels: u32, outcomes: &Outcomes) -> Result<Decision> {
        outcomes.check_levels(levels)?;
        match self {
            Self::ThreePlusThree(variant) => three_plus_three::decide(levels, outcomes, *variant),
            Self::Boin(boin) => boin.decide(levels, outcomes),
        }
    }

    /// The dose selected at the end of the trial: BOIN's isotonic estimate closest to the
    /// target; for 3+3, the level its rule recommends.
    ///
    /// # Errors
    /// As [`Design::decide`].
    pub fn select(&self, levels: u32, outcomes: &Outcomes) -> Result<Decision> {
        outcomes.check_levels(levels)?;
        match self {
            Self::ThreePlusThree(variant) => {
                let mut decision = three_plus_three::decide(levels, outcomes, *variant)?;
                decision.rule = format!(
                    "3+3 selects the level its rule recommends: {}",
                    decision.rule
                );
                Ok(decision)
            }
            Self::Boin(boin) => boin.select(levels, outcomes),
        }
    }

    /// The design's name: `3+3` or `boin`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::ThreePlusThree(_) => "3+3",
            Self::Boin(_) => "boin",
        }
    }

    /// The 3+3 variant, for a 3+3 design.
    pub fn variant(&self) -> Option<Variant> {
        match self {
            Self::ThreePlusThree(variant) => Some(*variant),
            Self::Boin(_) => None,
        }
    }
}

/// The refusal of a design's parameter.
pub(crate) fn bad_parameter(what: &'static str, input: String, accepted: &str) -> Error {
    Error::OutOfRange {
        what,
        value: input,
        problem: "not accepted".into(),
        accepted: accepted.to_owned(),
    }
}

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
