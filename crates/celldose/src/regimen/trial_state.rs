//! The trial state file: a site's record of which escalation steps have been opened, each with
//! the date and reference of the decision that opened it (docs/trial-state.md).
//!
//! celldose reads it and never writes it: opening a level stays a recorded human decision.

use core::ops::Range;
use std::sync::Arc;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::{Protocol, Regimen};
use crate::error::{Error, Result};
use crate::file_text::line_column;
use crate::units::{BodyWeight, Dose, ExactCells, parse_date};

/// The format version this build reads.
pub const TRIAL_STATE_FORMAT: u32 = 1;
/// The largest trial state file read, in bytes.
pub const TRIAL_STATE_MAX_BYTES: usize = 1 << 20;
/// The longest decision reference or site name, in characters.
const MAX_TEXT_CHARS: usize = 500;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrialStateFile {
    format: Spanned<u32>,
    #[serde(default)]
    site: Option<Spanned<String>>,
    #[serde(rename = "opened", default)]
    openings: Vec<Spanned<OpeningFile>>,
    #[serde(default)]
    outcomes: Vec<Spanned<OutcomeFile>>,
}

/// Cohort outcomes of one protocol: the compact notation, or one cohort by its counts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomeFile {
    protocol: String,
    #[serde(default)]
    cohorts: Option<String>,
    #[serde(default)]
    level: Option<u32>,
    #[serde(default)]
    treated: Option<u32>,
    #[serde(default)]
    dlt: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OpeningFile {
    protocol: String,
    #[serde(default)]
    level: Option<u32>,
    #[serde(default)]
    dose: Option<Dose>,
    date: String,
    decision: String,
}

/// Which escalation step a decision opened: a numbered level, or a dose (for a per-kg ladder
/// whose record states no intermediate levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Step {
    /// A dose level by its number.
    Level(u32),
    /// A dose, per kg or a total.
    Dose(Dose),
}

impl core::fmt::Display for Step {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Level(number) => write!(f, "level {number}"),
            Self::Dose(dose) => write!(f, "dose {dose}"),
        }
    }
}

/// One recorded decision that opened an escalation step.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Opening {
    protocol: String,
    step: Step,
    date: jiff::civil::Date,
    decision: String,
    line: usize,
    column: usize,
}

impl Opening {
    /// The protocol id the decision is for.
    ///
    /// See [`TrialState`].
    pub fn protocol(&self) -> &str {
        &self.protocol
    }

    /// The step opened.
    ///
    /// See [`TrialState`].
    pub fn step(&self) -> Step {
        self.step
    }

    /// The date of the decision.
    ///
    /// See [`TrialState`].
    pub fn date(&self) -> jiff::civil::Date {
        self.date
    }

    /// The decision's reference, such as the minutes of a safety review.
    ///
    /// See [`TrialState`].
    pub fn decision(&self) -> &str {
        &self.decision
    }

    /// The step's dose in `regimen`, where the regimen has it.
    pub(crate) fn dose_in(&self, regimen: &Regimen) -> Option<Dose> {
        match self.step {
            Step::Level(number) => regimen.level(number).map(|level| level.dose()),
            Step::Dose(dose) => Some(dose),
        }
    }
}

/// A site's trial state: which escalation steps are open, and by what decision. Loaded from a
/// trial state file, whose SHA-256 every result that used it names.
///
/// ```
/// let text = r#"
/// format = 1
/// [[opened]]
/// protocol = "NCT05227846"
/// level = 2
/// date = "2026-03-14"
/// decision = "safety review committee minutes SRC-2026-03"
/// "#;
/// let state = celldose::TrialState::from_toml("state.toml", text)?;
/// assert_eq!(state.openings().len(), 1);
/// assert_eq!(state.openings()[0].step(), celldose::Step::Level(2));
/// assert_eq!(state.sha256().len(), 64);
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrialState {
    site: Option<String>,
    openings: Vec<Opening>,
    /// Each cohort with its protocol, and the line and column it was given at, in file order.
    outcomes: Vec<(String, celldose_escalation::Cohort, usize, usize)>,
    sha256: Arc<str>,
    origin: Arc<str>,
}

impl TrialState {
    /// Reads and checks a trial state file. `source_name` names the file in messages.
    ///
    /// # Errors
    /// When the file is larger than [`TRIAL_STATE_MAX_BYTES`], is not valid TOML, has a key the
    /// format does not define, or breaks a rule of the format (docs/trial-state.md); the message
    /// names the file, the line and column, and what would be accepted.
    ///
    /// ```
    /// let error = celldose::TrialState::from_toml("s.toml", "format = 1\n[[opened]]\nprotocol = \"X\"\nlevel = 2\ndose = \"1e8\"\ndate = \"2026-03-14\"\ndecision = \"minutes\"\n").unwrap_err();
    /// assert_eq!(error.to_string(), "trial state file s.toml: line 2, column 1: give one of level and dose for each opened step, not both");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn from_toml(source_name: &str, text: &str) -> Result<Self> {
        let fail = |span: Option<Range<usize>>, message: String| {
            let message = match span {
                Some(span) => {
                    let (line, column) = line_column(text, span.start);
                    format!("line {line}, column {column}: {message}")
                }
                None => message,
            };
            Error::TrialStateFile {
                source_name: source_name.to_owned(),
                message,
                cause: None,
            }
        };
        if text.len() > TRIAL_STATE_MAX_BYTES {
            return Err(fail(
                None,
                format!(
                    "it is larger than the {} bytes a trial state file may have",
                    crate::human::grouped(TRIAL_STATE_MAX_BYTES.into())
                ),
            ));
        }
        if let Some((offset, message)) = crate::file_text::raw_refusal(text) {
            return Err(fail(Some(offset..offset), message));
        }
        let file: TrialStateFile = toml::from_str(text).map_err(|e| {
            let mut refused = fail(e.span(), e.message().trim().to_owned());
            if let Error::TrialStateFile { cause, .. } = &mut refused {
                *cause = Some(crate::error::Cause::new(e));
            }
            refused
        })?;
        if *file.format.get_ref() != TRIAL_STATE_FORMAT {
            return Err(fail(
                Some(file.format.span()),
                format!(
                    "format {} is not supported; this celldose reads trial state format {TRIAL_STATE_FORMAT}",
                    file.format.get_ref()
                ),
            ));
        }
        let check_text = |what: &str, value: &str, span: &Range<usize>| -> Result<()> {
            if value.trim().is_empty() {
                return Err(fail(Some(span.clone()), format!("{what} is empty")));
            }
            if let Some((_, c)) = crate::text::forbidden_char(value) {
                return Err(fail(
                    Some(span.clone()),
                    format!(
                        "{what} holds {}; control and bidirectional characters are not accepted in a file's text, because they change what a terminal or page shows",
                        crate::text::char_name(c)
                    ),
                ));
            }
            if value.chars().count() > MAX_TEXT_CHARS {
                return Err(fail(
                    Some(span.clone()),
                    format!("{what} is longer than {MAX_TEXT_CHARS} characters"),
                ));
            }
            Ok(())
        };
        if let Some(site) = &file.site {
            check_text("site", site.get_ref(), &site.span())?;
        }
        let mut openings: Vec<Opening> = Vec::with_capacity(file.openings.len());
        for spanned in &file.openings {
            let span = spanned.span();
            let opening = spanned.get_ref();
            check_text("protocol", &opening.protocol, &span)?;
            check_text("decision", &opening.decision, &span)?;
            let step = match (opening.level, opening.dose) {
                (Some(0), None) => {
                    return Err(fail(Some(span), "levels are numbered from 1".into()));
                }
                (Some(level), None) => Step::Level(level),
                (None, Some(dose)) if !dose.is_zero() => Step::Dose(dose),
                (None, Some(_)) => {
                    return Err(fail(Some(span), "an opened dose cannot be zero".into()));
                }
                (Some(_), Some(_)) => {
                    return Err(fail(
                        Some(span),
                        "give one of level and dose for each opened step, not both".into(),
                    ));
                }
                (None, None) => {
                    return Err(fail(
                        Some(span),
                        "give the step opened: level = N, or dose = \"...\"".into(),
                    ));
                }
            };
            let date = parse_date("decision date", &opening.date)
                .map_err(|e| fail(Some(span.clone()), e.to_string()))?;
            let protocol = opening.protocol.trim().to_owned();
            if openings
                .iter()
                .any(|o| o.protocol.eq_ignore_ascii_case(&protocol) && o.step == step)
            {
                return Err(fail(
                    Some(span),
                    format!(
                        "{step} of protocol {protocol} is opened twice; record each decision once"
                    ),
                ));
            }
            let (line, column) = line_column(text, span.start);
            openings.push(Opening {
                protocol,
                step,
                date,
                decision: opening.decision.trim().to_owned(),
                line,
                column,
            });
        }
        let mut outcomes = Vec::new();
        for spanned in &file.outcomes {
            let span = spanned.span();
            let entry = spanned.get_ref();
            check_text("protocol", &entry.protocol, &span)?;
            let cohorts: Vec<celldose_escalation::Cohort> = match (
                &entry.cohorts,
                entry.level,
                entry.treated,
                entry.dlt,
            ) {
                (Some(text), None, None, None) => {
                    check_text("cohorts", text, &span)?;
                    text.parse::<celldose_escalation::Outcomes>()
                        .map_err(|e| fail(Some(span.clone()), e.to_string()))?
                        .cohorts()
                        .to_vec()
                }
                (None, Some(level), Some(treated), Some(dlt)) => {
                    vec![
                        celldose_escalation::Cohort::counted(level, treated, dlt)
                            .map_err(|e| fail(Some(span.clone()), e.to_string()))?,
                    ]
                }
                _ => {
                    return Err(fail(
                            Some(span),
                            "give the outcomes as cohorts = \"1NNN 2NTN\", or one cohort as level, treated and dlt".into(),
                        ));
                }
            };
            let (line, column) = line_column(text, span.start);
            let protocol = entry.protocol.trim().to_owned();
            outcomes.extend(
                cohorts
                    .into_iter()
                    .map(|c| (protocol.clone(), c, line, column)),
            );
        }
        celldose_escalation::Outcomes::new(outcomes.iter().map(|(_, c, _, _)| c.clone()).collect())
            .map_err(|e| fail(None, e.to_string()))?;
        let sha256 = Sha256::digest(text.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>();
        Ok(Self {
            site: file.site.map(|s| s.into_inner().trim().to_owned()),
            openings,
            outcomes,
            sha256: sha256.into(),
            origin: source_name.into(),
        })
    }

    /// Checks every opening and outcome against the protocols `find` returns by id (the
    /// catalogue's, through [`TrialState::check_against`]).
    pub(super) fn check_with<'c>(&self, find: &dyn Fn(&str) -> Result<&'c Protocol>) -> Result<()> {
        for opening in &self.openings {
            let fail = |message: String| Error::TrialStateFile {
                source_name: self.origin.to_string(),
                message: format!(
                    "line {}, column {}: {message}",
                    opening.line, opening.column
                ),
                cause: None,
            };
            let protocol = find(&opening.protocol).map_err(|e| fail(e.to_string()))?;
            let ladders: Vec<&Regimen> = escalating_regimens(protocol);
            if ladders.is_empty() {
                return Err(fail(format!(
                    "protocol {} has no escalation, so no step can be opened",
                    protocol.id()
                )));
            }
            let fits = ladders.iter().any(|regimen| {
                let (Some(escalation), Some(dose)) =
                    (regimen.escalation(), opening.dose_in(regimen))
                else {
                    return false;
                };
                same_kind_between(dose, escalation.start_dose(), escalation.ceiling())
            });
            if !fits {
                return Err(fail(match opening.step {
                    Step::Level(number) => format!(
                        "protocol {} has no escalation level {number}",
                        protocol.id()
                    ),
                    Step::Dose(dose) => format!(
                        "dose {dose} is not on protocol {}'s escalation ladder (the same kind of dose as its start and ceiling, and between them)",
                        protocol.id()
                    ),
                }));
            }
        }
        for (protocol_id, cohort, line, column) in &self.outcomes {
            let fail = |message: String| Error::TrialStateFile {
                source_name: self.origin.to_string(),
                message: format!("line {line}, column {column}: {message}"),
                cause: None,
            };
            let protocol = find(protocol_id).map_err(|e| fail(e.to_string()))?;
            let ladders = escalating_regimens(protocol);
            if ladders.is_empty() {
                return Err(fail(format!(
                    "protocol {} has no escalation, so it has no cohort outcomes",
                    protocol.id()
                )));
            }
            if !ladders.iter().any(|r| r.level(cohort.level()).is_some()) {
                return Err(fail(format!(
                    "protocol {} has no escalation level {}",
                    protocol.id(),
                    cohort.level()
                )));
            }
        }
        Ok(())
    }

    /// The cohort outcomes recorded for `protocol` (any case), in file order.
    ///
    /// ```
    /// let text = "format = 1\n[[outcomes]]\nprotocol = \"NCT05227846\"\ncohorts = \"1NNN 2NTN\"\n\n[[outcomes]]\nprotocol = \"NCT05227846\"\nlevel = 2\ntreated = 3\ndlt = 0\n";
    /// let state = celldose::TrialState::from_toml("s.toml", text)?;
    /// assert_eq!(state.outcomes_for("nct05227846")?.to_string(), "1NNN 2NTN 2NNN");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    ///
    /// # Errors
    /// Never for a file that loaded (its outcomes were checked then).
    pub fn outcomes_for(&self, protocol: &str) -> Result<celldose_escalation::Outcomes> {
        Ok(celldose_escalation::Outcomes::new(
            self.outcomes
                .iter()
                .filter(|(p, _, _, _)| p.eq_ignore_ascii_case(protocol))
                .map(|(_, c, _, _)| c.clone())
                .collect(),
        )?)
    }

    /// The site, where the file names it.
    ///
    /// See [`TrialState`].
    pub fn site(&self) -> Option<&str> {
        self.site.as_deref()
    }

    /// Every recorded opening, in file order.
    ///
    /// See [`TrialState`].
    pub fn openings(&self) -> &[Opening] {
        &self.openings
    }

    /// The openings for one protocol id, compared without regard to case.
    ///
    /// See [`TrialState`].
    pub fn openings_for<'a>(&'a self, protocol: &'a str) -> impl Iterator<Item = &'a Opening> {
        self.openings
            .iter()
            .filter(move |o| o.protocol.eq_ignore_ascii_case(protocol))
    }

    /// The SHA-256 of the file's exact bytes, in lower-case hex.
    ///
    /// See [`TrialState`].
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Where the state was loaded from.
    ///
    /// See [`TrialState`].
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The most open step for `regimen` of `protocol` at this weight on the dosing date `on`:
    /// the opening dated on or before it whose dose is largest, with that dose in cells; `None`
    /// where nothing is recorded for the protocol by then.
    pub(crate) fn highest_open<'a>(
        &'a self,
        protocol: &'a str,
        regimen: &Regimen,
        weight: BodyWeight,
        on: jiff::civil::Date,
    ) -> Result<Option<(&'a Opening, ExactCells)>> {
        let mut best: Option<(&Opening, ExactCells)> = None;
        for opening in self.openings_for(protocol).filter(|o| o.date <= on) {
            let Some(dose) = opening.dose_in(regimen) else {
                continue;
            };
            let cells = dose.cells_for(weight)?;
            if best.is_none_or(|(_, most)| cells > most) {
                best = Some((opening, cells));
            }
        }
        Ok(best)
    }

    /// The opening that covers `requested` cells on the dosing date `on`: the smallest step at
    /// or above it opened on or before that date.
    pub(crate) fn covering<'a>(
        &'a self,
        protocol: &'a str,
        regimen: &Regimen,
        weight: BodyWeight,
        requested: ExactCells,
        on: jiff::civil::Date,
    ) -> Result<Option<&'a Opening>> {
        let mut best: Option<(&Opening, ExactCells)> = None;
        for opening in self.openings_for(protocol).filter(|o| o.date <= on) {
            let Some(dose) = opening.dose_in(regimen) else {
                continue;
            };
            let cells = dose.cells_for(weight)?;
            if cells >= requested && best.is_none_or(|(_, least)| cells < least) {
                best = Some((opening, cells));
            }
        }
        Ok(best.map(|(opening, _)| opening))
    }

    /// The first opening dated after `on` that covers `requested` cells: the decision that will
    /// open the step, but has not yet on the dosing date.
    pub(crate) fn covering_later<'a>(
        &'a self,
        protocol: &'a str,
        regimen: &Regimen,
        weight: BodyWeight,
        requested: ExactCells,
        on: jiff::civil::Date,
    ) -> Result<Option<&'a Opening>> {
        let mut first: Option<&Opening> = None;
        for opening in self.openings_for(protocol).filter(|o| o.date > on) {
            let Some(dose) = opening.dose_in(regimen) else {
                continue;
            };
            if dose.cells_for(weight)? >= requested && first.is_none_or(|f| opening.date < f.date) {
                first = Some(opening);
            }
        }
        Ok(first)
    }
}

fn escalating_regimens(protocol: &Protocol) -> Vec<&Regimen> {
    let mut regimens: Vec<&Regimen> = Vec::new();
    for arm in protocol.arms() {
        let regimen = arm.regimen();
        if regimen.escalation().is_some() && !regimens.iter().any(|r| r.id() == regimen.id()) {
            regimens.push(regimen);
        }
    }
    regimens
}

/// Whether `dose` is of the same kind as `start` and `ceiling` and lies between them.
fn same_kind_between(dose: Dose, start: Dose, ceiling: Dose) -> bool {
    match (dose, start, ceiling) {
        (Dose::PerKg(d), Dose::PerKg(lo), Dose::PerKg(hi)) => lo <= d && d <= hi,
        (Dose::Total(d), Dose::Total(lo), Dose::Total(hi)) => lo <= d && d <= hi,
        _ => false,
    }
}
