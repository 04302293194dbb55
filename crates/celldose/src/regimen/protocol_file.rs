//! The protocol file: TOML read into plain serde structs, then checked into a [`Protocol`].
//!
//! Two stages, so that nothing half-checked is ever used: the file must parse with no unknown
//! keys, and then every rule below must hold, or the whole file is refused with the line and
//! column of what is wrong.

use core::ops::Range;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use toml::Spanned;

use super::protocol::{Arm, CohortSize, DoseLevel, Escalation, Regimen, Source, Stated};
use super::{DoseRule, Edge, Protocol, Window};
use crate::error::{Error, Result};
use crate::units::{AgeYears, BodyWeight, Dose};

/// The format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProtocolFile {
    format: Spanned<u32>,
    id: Spanned<String>,
    version: String,
    title: String,
    product: String,
    route: String,
    #[serde(default)]
    follow_up: Vec<String>,
    cohort_size: Option<Spanned<CohortSizeFile>>,
    source: SourceFile,
    #[serde(default)]
    eligibility: EligibilityFile,
    #[serde(rename = "arm", default)]
    arms: Vec<Spanned<ArmFile>>,
    #[serde(rename = "regimen", default)]
    regimens: Vec<Spanned<RegimenFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceFile {
    registry: String,
    record: String,
    quote: String,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CohortSizeFile {
    min: u32,
    max: u32,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EligibilityFile {
    weight: Option<Spanned<WindowFile<BodyWeight>>>,
    age: Option<Spanned<WindowFile<AgeYears>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WindowFile<T> {
    above: Option<T>,
    at_least: Option<T>,
    below: Option<T>,
    at_most: Option<T>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArmFile {
    id: String,
    name: String,
    regimen: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegimenFile {
    id: String,
    dose: Option<Dose>,
    min_dose: Option<Dose>,
    max_dose: Option<Dose>,
    #[serde(default)]
    placebo: bool,
    #[serde(default)]
    levels: Vec<Spanned<LevelFile>>,
    escalation: Option<Spanned<EscalationFile>>,
    infusions: StatedCount,
    #[serde(default)]
    per_infusion: bool,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelFile {
    number: u32,
    dose: Dose,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
struct EscalationFile {
    start_level: u32,
    ceiling: Dose,
}

/// `infusions = 2` or `infusions = "not stated"`.
#[derive(Debug)]
struct StatedCount(Stated<u32>);

impl<'de> Deserialize<'de> for StatedCount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> core::result::Result<Self, D::Error> {
        struct CountVisitor;
        impl Visitor<'_> for CountVisitor {
            type Value = StatedCount;

            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a whole number of infusions from 1, or \"not stated\"")
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> core::result::Result<Self::Value, E> {
                match u32::try_from(value) {
                    Ok(count) if count >= 1 => Ok(StatedCount(Stated::Value(count))),
                    _ => Err(E::custom(format!(
                        "infusions {value} is not accepted; write a whole number from 1, or \"not stated\""
                    ))),
                }
            }

            fn visit_str<E: de::Error>(self, value: &str) -> core::result::Result<Self::Value, E> {
                if value == "not stated" {
                    Ok(StatedCount(Stated::NotStated))
                } else {
                    Err(E::custom(format!(
                        "infusions {value:?} is not accepted; write a whole number from 1, or \"not stated\""
                    )))
                }
            }
        }
        deserializer.deserialize_any(CountVisitor)
    }
}

/// Turns byte offsets into `line L, column C` for messages.
struct Located<'a> {
    source_name: &'a str,
    text: &'a str,
}

impl Located<'_> {
    fn error(&self, span: Option<Range<usize>>, message: impl Into<String>) -> Error {
        let message = message.into();
        let message = match span {
            Some(span) => {
                let (line, column) = self.line_column(span.start);
                format!("line {line}, column {column}: {message}")
            }
            None => message,
        };
        Error::ProtocolFile {
            source_name: self.source_name.to_owned(),
            message,
        }
    }

    fn line_column(&self, offset: usize) -> (usize, usize) {
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line = before.matches('\n').count().saturating_add(1);
        let line_start = before
            .rfind('\n')
            .map_or(0, |index| index.saturating_add(1));
        let column = before
            .get(line_start..)
            .map_or(0, |text| text.chars().count())
            .saturating_add(1);
        (line, column)
    }
}

impl Protocol {
    /// Reads and checks a protocol file. `source_name` names the file in error messages.
    ///
    /// # Errors
    /// When the text is not valid TOML, has a key the format does not define, or breaks a rule
    /// of the format (see `docs/protocol-format.md`); the message names the file, the line and
    /// column, and what would be accepted.
    ///
    /// ```
    /// let text = r#"
    /// format = 1
    /// id = "DEMO-1"
    /// version = "amendment 2"
    /// title = "Demo"
    /// product = "cells"
    /// route = "intravenous"
    /// [source]
    /// registry = "none"
    /// record = "DEMO-1"
    /// quote = "1 × 10⁶ cells/kg"
    /// [[arm]]
    /// id = "all"
    /// name = "All patients"
    /// regimen = "main"
    /// [[regimen]]
    /// id = "main"
    /// dose = "1e6/kg"
    /// infusions = 1
    /// "#;
    /// let protocol = celldose::Protocol::from_toml("demo.toml", text)?;
    /// assert_eq!(protocol.id(), "DEMO-1");
    /// let error = celldose::Protocol::from_toml("bad.toml", &text.replace("dose =", "dosis =")).unwrap_err();
    /// assert!(error.to_string().starts_with("protocol file bad.toml: line 18, column 1: unknown field `dosis`"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn from_toml(source_name: &str, text: &str) -> Result<Self> {
        let at = Located { source_name, text };
        let file: ProtocolFile =
            toml::from_str(text).map_err(|error| at.error(error.span(), error.message().trim()))?;
        file.check(&at)
    }
}

impl ProtocolFile {
    fn check(self, at: &Located<'_>) -> Result<Protocol> {
        if *self.format.get_ref() != FORMAT_VERSION {
            return Err(at.error(
                Some(self.format.span()),
                format!(
                    "format {} is not supported; this celldose reads format {FORMAT_VERSION}",
                    self.format.get_ref()
                ),
            ));
        }
        let id = self.id.get_ref().trim();
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(at.error(
                Some(self.id.span()),
                format!("id {id:?} is not accepted; use letters, digits, '-', '_' or '.'"),
            ));
        }
        let mut regimens = Vec::with_capacity(self.regimens.len());
        for regimen in &self.regimens {
            let checked = check_regimen(regimen, at)?;
            if regimens.iter().any(|r: &Regimen| r.id == checked.id) {
                return Err(at.error(
                    Some(regimen.span()),
                    format!(
                        "regimen id {:?} is used twice; each regimen needs its own id",
                        checked.id
                    ),
                ));
            }
            regimens.push(checked);
        }
        if self.arms.is_empty() {
            return Err(at.error(None, "the protocol has no [[arm]]; it needs at least one"));
        }
        let mut arms: Vec<Arm> = Vec::with_capacity(self.arms.len());
        for arm in &self.arms {
            let span = Some(arm.span());
            let arm = arm.get_ref();
            let valid_id = !arm.id.is_empty()
                && arm
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !valid_id {
                return Err(at.error(
                    span,
                    format!(
                        "arm id {:?} is not accepted; use lower-case letters, digits and '-'",
                        arm.id
                    ),
                ));
            }
            if arms.iter().any(|a| a.id == arm.id) {
                return Err(at.error(span, format!("arm id {:?} is used twice", arm.id)));
            }
            let regimen = regimens
                .iter()
                .find(|r| r.id == arm.regimen)
                .ok_or_else(|| {
                    let known: Vec<&str> = regimens.iter().map(|r| r.id.as_str()).collect();
                    at.error(
                        span,
                        format!(
                            "arm {:?} follows regimen {:?}, which is not defined; defined regimens: {}",
                            arm.id,
                            arm.regimen,
                            known.join(", ")
                        ),
                    )
                })?;
            arms.push(Arm {
                id: arm.id.clone(),
                name: arm.name.clone(),
                regimen: regimen.clone(),
            });
        }
        for (regimen, file) in regimens.iter().zip(&self.regimens) {
            if !arms.iter().any(|arm| arm.regimen.id == regimen.id) {
                return Err(at.error(
                    Some(file.span()),
                    format!("regimen {:?} is not followed by any arm", regimen.id),
                ));
            }
        }
        let cohort_size = self
            .cohort_size
            .map(|size| {
                let span = size.span();
                let size = size.into_inner();
                if size.min == 0 || size.min > size.max {
                    Err(at.error(
                        Some(span),
                        format!(
                            "cohort_size min {} and max {} are not accepted; min must be at least 1 and at most max",
                            size.min, size.max
                        ),
                    ))
                } else {
                    Ok(CohortSize { min: size.min, max: size.max })
                }
            })
            .transpose()?;
        Ok(Protocol {
            id: id.to_owned(),
            version: self.version,
            title: self.title,
            product: self.product,
            route: self.route,
            source: Source {
                registry: self.source.registry,
                record: self.source.record,
                quote: self.source.quote,
                note: self.source.note,
            },
            arms,
            weight_window: self
                .eligibility
                .weight
                .map(|window| check_window("weight", window, at))
                .transpose()?,
            age_window: self
                .eligibility
                .age
                .map(|window| check_window("age", window, at))
                .transpose()?,
            follow_up: self.follow_up,
            cohort_size,
        })
    }
}

fn check_window<T: PartialOrd + Copy + core::fmt::Display>(
    name: &str,
    window: Spanned<WindowFile<T>>,
    at: &Located<'_>,
) -> Result<Window<T>> {
    let span = Some(window.span());
    let window = window.into_inner();
    let edge = |inclusive: Option<T>, exclusive: Option<T>, keys: &str| match (inclusive, exclusive)
    {
        (Some(_), Some(_)) => Err(at.error(
            span.clone(),
            format!("the {name} window has both {keys}; give one of them"),
        )),
        (Some(value), None) => Ok(Some(Edge::inclusive(value))),
        (None, Some(value)) => Ok(Some(Edge::exclusive(value))),
        (None, None) => Ok(None),
    };
    let lower = edge(window.at_least, window.above, "at_least and above")?;
    let upper = edge(window.at_most, window.below, "at_most and below")?;
    if lower.is_none() && upper.is_none() {
        return Err(at.error(
            span,
            format!("the {name} window has no edge; give above or at_least, below or at_most"),
        ));
    }
    if let (Some(low), Some(high)) = (lower, upper) {
        let empty = low.value() > high.value()
            || (low.value() == high.value() && !(low.is_inclusive() && high.is_inclusive()));
        if empty {
            return Err(at.error(
                span,
                format!(
                    "the {name} window from {} to {} admits no value",
                    low.value(),
                    high.value()
                ),
            ));
        }
    }
    Ok(Window::new(lower, upper))
}

fn check_regimen(spanned: &Spanned<RegimenFile>, at: &Located<'_>) -> Result<Regimen> {
    let span = Some(spanned.span());
    let file = spanned.get_ref();
    let name = &file.id;
    let fail = |message: String| at.error(span.clone(), format!("regimen {name:?}: {message}"));
    let positive = |dose: Dose, key: &str| match dose {
        Dose::Total(count) if count.get().is_zero() => Err(fail(format!(
            "{key} is zero; a regimen without cells is written placebo = true"
        ))),
        Dose::PerKg(per_kg) if per_kg.get().is_zero() => Err(fail(format!(
            "{key} is zero; a regimen without cells is written placebo = true"
        ))),
        _ => Ok(dose),
    };
    let rule = match (file.dose, file.min_dose, file.max_dose, file.placebo) {
        (None, None, None, false) => None,
        (None, None, None, true) => Some(DoseRule::NoCells),
        (Some(dose), None, None, false) => Some(match positive(dose, "dose")? {
            Dose::Total(count) => DoseRule::Flat(count),
            Dose::PerKg(per_kg) => DoseRule::PerKg(per_kg),
        }),
        (None, Some(min), Some(max), false) => {
            let (min, max) = (positive(min, "min_dose")?, positive(max, "max_dose")?);
            match (min, max) {
                (Dose::PerKg(min), Dose::PerKg(max)) if min < max => {
                    Some(DoseRule::PerKgRange { min, max })
                }
                (Dose::Total(min), Dose::Total(max)) if min < max => {
                    Some(DoseRule::FlatRange { min, max })
                }
                (Dose::PerKg(_), Dose::PerKg(_)) | (Dose::Total(_), Dose::Total(_)) => {
                    return Err(fail(format!(
                        "min_dose {min} is not below max_dose {max}; a single dose is written dose = \"...\""
                    )))
                }
                _ => {
                    return Err(fail(format!(
                        "min_dose {min} and max_dose {max} mix a per-kg dose and a total; write both with /kg or both without"
                    )))
                }
            }
        }
        (None, Some(_), None, false) | (None, None, Some(_), false) => {
            return Err(fail("a range needs both min_dose and max_dose".into()))
        }
        _ => {
            return Err(fail(
                "give exactly one of: dose, min_dose with max_dose, or placebo = true".into(),
            ))
        }
    };
    if rule == Some(DoseRule::NoCells) && !file.levels.is_empty() {
        return Err(fail("a placebo regimen has no dose levels".into()));
    }
    if rule.is_none() && file.levels.is_empty() {
        return Err(fail(
            "it states no dose; give dose, min_dose with max_dose, placebo = true, or levels"
                .into(),
        ));
    }

    let mut levels: Vec<DoseLevel> = Vec::with_capacity(file.levels.len());
    for level in &file.levels {
        let level_span = Some(level.span());
        let LevelFile { number, dose } = *level.get_ref();
        let fail_level = |message: String| {
            at.error(
                level_span.clone(),
                format!("regimen {name:?} level {number}: {message}"),
            )
        };
        if number == 0 {
            return Err(fail_level("levels are numbered from 1".into()));
        }
        let dose = positive(dose, "its dose")?;
        if let Some(previous) = levels.last() {
            if number == previous.number || levels.iter().any(|l| l.number == number) {
                return Err(fail_level("this level number is used twice".into()));
            }
            if number < previous.number {
                return Err(fail_level(format!(
                    "levels must be listed in ascending order, and {number} follows {}",
                    previous.number
                )));
            }
            match (previous.dose, dose) {
                (Dose::PerKg(a), Dose::PerKg(b)) if a < b => {}
                (Dose::Total(a), Dose::Total(b)) if a < b => {}
                (Dose::PerKg(_), Dose::PerKg(_)) | (Dose::Total(_), Dose::Total(_)) => {
                    return Err(fail_level(format!(
                        "its dose {dose} is not above level {}'s dose {}; an escalation ladder rises level by level",
                        previous.number, previous.dose
                    )))
                }
                _ => {
                    return Err(fail_level(
                        "it mixes per-kg and total doses with the levels before it".into(),
                    ))
                }
            }
        }
        if let Some(range) = rule.and_then(DoseRule::range) {
            if !within(dose, range) {
                return Err(fail_level(format!(
                    "its dose {dose} is outside the regimen's range {} to {}",
                    range.0, range.1
                )));
            }
        }
        levels.push(DoseLevel { number, dose });
    }

    let escalation = file
        .escalation
        .as_ref()
        .map(|escalation| {
            let EscalationFile {
                start_level,
                ceiling,
            } = *escalation.get_ref();
            let esc_fail = |message: String| {
                at.error(
                    Some(escalation.span()),
                    format!("regimen {name:?} escalation: {message}"),
                )
            };
            if !levels.iter().any(|level| level.number == start_level) {
                return Err(esc_fail(format!(
                    "start_level {start_level} is not one of the regimen's levels"
                )));
            }
            for level in &levels {
                if !within(level.dose, (level.dose, ceiling)) {
                    return Err(esc_fail(format!(
                        "ceiling {ceiling} is below level {}'s dose {}, or of another kind",
                        level.number, level.dose
                    )));
                }
            }
            if let Some(range) = rule.and_then(DoseRule::range) {
                if !within(ceiling, range) {
                    return Err(esc_fail(format!(
                        "ceiling {ceiling} is outside the regimen's range {} to {}",
                        range.0, range.1
                    )));
                }
            }
            Ok(Escalation {
                start_level,
                ceiling,
            })
        })
        .transpose()?;

    Ok(Regimen {
        id: file.id.clone(),
        rule,
        levels,
        escalation,
        infusions: file.infusions.0,
        per_infusion: file.per_infusion,
    })
}

/// Whether `dose` lies in the inclusive range `(min, max)` of the same kind.
fn within(dose: Dose, (min, max): (Dose, Dose)) -> bool {
    match (dose, min, max) {
        (Dose::PerKg(d), Dose::PerKg(lo), Dose::PerKg(hi)) => lo <= d && d <= hi,
        (Dose::Total(d), Dose::Total(lo), Dose::Total(hi)) => lo <= d && d <= hi,
        _ => false,
    }
}
