//! The protocol file: TOML read into plain serde structs, then checked into a [`Protocol`].
//!
//! Two stages, so that nothing half-checked is ever used: the file must parse with no unknown
//! keys, and then every rule below must hold, or the whole file is refused with the line and
//! column of what is wrong. The same structs write a protocol back out, so a file round-trips.

use core::ops::Range;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::product_rules::{
    DosingWeight, InfusionLimits, ProductRules, Split, SplitLimits, SplitPart,
};
use super::protocol::{
    Arm, CohortSize, DoseLevel, Escalation, Regimen, Source, Stated, Tolerance, WeightBand,
};
use super::{DoseRule, Edge, Protocol, Window};
use crate::error::{Error, Result};
use crate::file_text::{self, line_column};
use crate::human::Notation;
use crate::units::Counted;
use crate::units::{AgeYears, BodyWeight, CellCount, Dose, Percent};

/// The format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// The largest protocol file read, in bytes (1 MiB; the largest built-in file is under 4 KiB).
pub const PROTOCOL_MAX_BYTES: usize = 1 << 20;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ProtocolFile {
    format: Spanned<u32>,
    id: Spanned<String>,
    #[serde(deserialize_with = "file_text::text")]
    version: String,
    #[serde(deserialize_with = "file_text::text")]
    title: String,
    #[serde(deserialize_with = "file_text::text")]
    product: String,
    #[serde(deserialize_with = "file_text::text")]
    route: String,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "file_text::text_list"
    )]
    follow_up: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cohort_size: Option<Spanned<CohortSizeFile>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counts: Option<Counted>,
    source: SourceFile,
    #[serde(default, skip_serializing_if = "InfusionLimits::is_empty")]
    infusion_limits: InfusionLimits,
    #[serde(skip_serializing_if = "Option::is_none")]
    dosing_weight: Option<DosingWeight>,
    #[serde(default, skip_serializing_if = "EligibilityFile::is_empty")]
    eligibility: EligibilityFile,
    #[serde(rename = "arm", default)]
    arms: Vec<Spanned<ArmFile>>,
    #[serde(rename = "regimen", default)]
    regimens: Vec<Spanned<RegimenFile>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct SourceFile {
    #[serde(deserialize_with = "file_text::text")]
    registry: String,
    #[serde(deserialize_with = "file_text::text")]
    record: String,
    #[serde(deserialize_with = "file_text::text")]
    quote: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "file_text::optional_text"
    )]
    note: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CohortSizeFile {
    min: u32,
    max: u32,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct EligibilityFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    weight: Option<Spanned<WindowFile<BodyWeight>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    age: Option<Spanned<WindowFile<AgeYears>>>,
}

impl EligibilityFile {
    fn is_empty(&self) -> bool {
        self.weight.is_none() && self.age.is_none()
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct WindowFile<T> {
    #[serde(skip_serializing_if = "Option::is_none")]
    above: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    at_least: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    below: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    at_most: Option<T>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ArmFile {
    #[serde(deserialize_with = "file_text::text")]
    id: String,
    #[serde(deserialize_with = "file_text::text")]
    name: String,
    #[serde(deserialize_with = "file_text::text")]
    regimen: String,
}

/// The keys that state a dose, shared by a regimen and a weight band.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize)]
struct DoseKeys {
    #[serde(skip_serializing_if = "Option::is_none")]
    dose: Option<Dose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_dose: Option<Dose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_dose: Option<Dose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_total: Option<CellCount>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RegimenFile {
    #[serde(deserialize_with = "file_text::text")]
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    dose: Option<Dose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_dose: Option<Dose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_dose: Option<Dose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_total: Option<CellCount>,
    #[serde(default, skip_serializing_if = "is_false")]
    placebo: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    tolerance: Option<Spanned<ToleranceFile>>,
    infusions: StatedCount,
    #[serde(skip_serializing_if = "Option::is_none")]
    per_infusion: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    escalation: Option<Spanned<EscalationFile>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    levels: Vec<Spanned<LevelFile>>,
    #[serde(rename = "band", default, skip_serializing_if = "Vec::is_empty")]
    bands: Vec<Spanned<BandFile>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    split_limits: Option<SplitLimits>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    split: Vec<Spanned<SplitPart>>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct BandFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    above: Option<BodyWeight>,
    #[serde(skip_serializing_if = "Option::is_none")]
    at_least: Option<BodyWeight>,
    #[serde(skip_serializing_if = "Option::is_none")]
    below: Option<BodyWeight>,
    #[serde(skip_serializing_if = "Option::is_none")]
    at_most: Option<BodyWeight>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dose: Option<Dose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_dose: Option<Dose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_dose: Option<Dose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_total: Option<CellCount>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ToleranceFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    soft: Option<Percent>,
    hard: Percent,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct LevelFile {
    number: u32,
    dose: Dose,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct EscalationFile {
    start_level: u32,
    ceiling: Dose,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "file_text::optional_text"
    )]
    condition: Option<String>,
    /// The escalation rule: `3+3` or `boin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    design: Option<String>,
    /// BOIN's target DLT rate, as a string: `"0.3"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    phi1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    phi2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cohort_size: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_n: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cutoff: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    extra_safe: Option<bool>,
    /// The 3+3 variant: `standard` (the default) or `deescalate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    variant: Option<String>,
}

/// The keys that write a design back into a protocol file.
fn design_keys(design: Option<&celldose_escalation::Design>) -> EscalationFile {
    use celldose_escalation::Design;
    let mut keys = EscalationFile {
        start_level: 1,
        ceiling: Dose::Total(crate::units::CellCount::ZERO),
        condition: None,
        design: None,
        target: None,
        phi1: None,
        phi2: None,
        cohort_size: None,
        max_n: None,
        cutoff: None,
        extra_safe: None,
        variant: None,
    };
    match design {
        Some(Design::Boin(boin)) => {
            keys.design = Some("boin".into());
            keys.target = Some(boin.target().to_string());
            keys.phi1 = Some(boin.phi1().to_string());
            keys.phi2 = Some(boin.phi2().to_string());
            keys.cohort_size = Some(boin.cohort_size());
            keys.max_n = boin.max_n();
            keys.cutoff = Some(boin.cutoff().to_string());
            keys.extra_safe = Some(boin.extra_safe());
        }
        Some(design) => {
            keys.design = Some("3+3".into());
            keys.variant = design
                .variant()
                .filter(|v| *v != celldose_escalation::Variant::Standard)
                .map(|v| v.as_str().to_owned());
        }
        None => {}
    }
    keys
}

impl EscalationFile {
    /// The design these keys name, checked.
    fn design(&self) -> core::result::Result<Option<celldose_escalation::Design>, String> {
        use celldose_escalation::{Boin, Design};
        let rate = |what: &str,
                    value: &Option<String>|
         -> core::result::Result<Option<rust_decimal::Decimal>, String> {
            value
                .as_deref()
                .map(|text| {
                    text.trim().parse::<rust_decimal::Decimal>().map_err(|_| {
                        format!("{what} {text:?} is not a decimal rate; write it as a string, as in \"0.3\"")
                    })
                })
                .transpose()
        };
        let boin_keys = self.target.is_some()
            || self.phi1.is_some()
            || self.phi2.is_some()
            || self.max_n.is_some()
            || self.cutoff.is_some()
            || self.extra_safe.is_some();
        match self.design.as_deref().map(str::trim) {
            None if boin_keys || self.cohort_size.is_some() || self.variant.is_some() => {
                Err("design parameters are given without design = \"3+3\" or \"boin\"".into())
            }
            None => Ok(None),
            Some("3+3") if boin_keys || self.cohort_size.is_some_and(|c| c != 3) => Err(
                "3+3 takes no target, phi1, phi2, max_n, cutoff or extra_safe, and cohorts of 3"
                    .into(),
            ),
            Some("3+3") => {
                let variant = match self.variant.as_deref() {
                    Some(text) => {
                        celldose_escalation::Variant::parse(text).map_err(|e| e.to_string())?
                    }
                    None => celldose_escalation::Variant::Standard,
                };
                Ok(Some(Design::ThreePlusThree(variant)))
            }
            Some("boin") if self.variant.is_some() => {
                Err("variant applies to design \"3+3\"; BOIN has none".into())
            }
            Some("boin") => {
                let Some(target) = rate("target", &self.target)? else {
                    return Err(
                        "design \"boin\" needs its target DLT rate: target = \"0.3\"".into(),
                    );
                };
                Boin::with(
                    target,
                    rate("phi1", &self.phi1)?,
                    rate("phi2", &self.phi2)?,
                    self.cohort_size.unwrap_or(3),
                    self.max_n,
                    rate("cutoff", &self.cutoff)?,
                    self.extra_safe.unwrap_or(false),
                )
                .map(|boin| Some(Design::Boin(boin)))
                .map_err(|e| e.to_string())
            }
            Some(other) => Err(format!(
                "design {other:?} is not known; accepted: \"3+3\" or \"boin\""
            )),
        }
    }
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// `infusions = 2` or `infusions = "not stated"`.
#[derive(Debug, Clone, Copy)]
struct StatedCount(Stated<u32>);

impl Serialize for StatedCount {
    fn serialize<S: Serializer>(&self, serializer: S) -> core::result::Result<S::Ok, S::Error> {
        match self.0 {
            Stated::Value(count) => serializer.serialize_u32(count),
            Stated::NotStated => serializer.serialize_str("not stated"),
        }
    }
}

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
                        "infusions {} is not accepted; write a whole number from 1, or \"not stated\"",
                        crate::text::Shown(value)
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
        line_column(self.text, offset)
    }
}

impl Protocol {
    /// Reads and checks a protocol file. `source_name` names the file in error messages.
    ///
    /// The protocol keeps the SHA-256 of `text`, so that every result can name the exact
    /// definition it came from.
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
        if text.len() > PROTOCOL_MAX_BYTES {
            return Err(at.error(
                None,
                format!(
                    "it is larger than the {} bytes a protocol file may have",
                    crate::human::grouped(PROTOCOL_MAX_BYTES.into())
                ),
            ));
        }
        if let Some((offset, message)) = file_text::raw_refusal(text) {
            return Err(at.error(Some(offset..offset), message));
        }
        let file: ProtocolFile =
            toml::from_str(text).map_err(|error| at.error(error.span(), error.message().trim()))?;
        let sha256 = Sha256::digest(text.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        file.check(&at, sha256)
    }

    /// Writes the protocol as a protocol file that [`Protocol::from_toml`] reads back to the same
    /// rules.
    ///
    /// # Errors
    /// Only if the TOML writer fails, which the round-trip tests rule out.
    ///
    /// ```
    /// let catalogue = celldose::Catalogue::builtin()?;
    /// let protocol = catalogue.find("NCT05727722")?;
    /// let again = celldose::Protocol::from_toml("again.toml", &protocol.to_toml()?)?;
    /// assert_eq!(again.arms(), protocol.arms());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn to_toml(&self) -> Result<String> {
        let file = ProtocolFile::from(self);
        toml::to_string(&file).map_err(|error| Error::ProtocolFile {
            source_name: self.id.to_string(),
            message: format!("cannot be written as TOML: {error}"),
        })
    }
}

fn unspanned<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

fn window_file<T: Copy + PartialOrd>(window: &Window<T>) -> WindowFile<T> {
    let (mut file, lower, upper) = (
        WindowFile {
            above: None,
            at_least: None,
            below: None,
            at_most: None,
        },
        window.lower(),
        window.upper(),
    );
    match lower {
        Some(edge) if edge.is_inclusive() => file.at_least = Some(*edge.value()),
        Some(edge) => file.above = Some(*edge.value()),
        None => {}
    }
    match upper {
        Some(edge) if edge.is_inclusive() => file.at_most = Some(*edge.value()),
        Some(edge) => file.below = Some(*edge.value()),
        None => {}
    }
    file
}

fn dose_keys(rule: Option<DoseRule>, cap: Option<CellCount>) -> (DoseKeys, bool) {
    let mut keys = DoseKeys {
        max_total: cap,
        ..DoseKeys::default()
    };
    let mut placebo = false;
    match rule {
        Some(DoseRule::NoCells) => placebo = true,
        Some(rule) => match (rule.point(), rule.bounds()) {
            (Some(point), _) => keys.dose = Some(point),
            (None, Some((min, max))) => {
                keys.min_dose = Some(min);
                keys.max_dose = max;
            }
            (None, None) => {}
        },
        None => {}
    }
    (keys, placebo)
}

impl From<&Protocol> for ProtocolFile {
    fn from(protocol: &Protocol) -> Self {
        let mut regimens: Vec<&Regimen> = Vec::new();
        for arm in &protocol.arms {
            if !regimens.iter().any(|r| r.id == arm.regimen.id) {
                regimens.push(&arm.regimen);
            }
        }
        Self {
            format: unspanned(FORMAT_VERSION),
            id: unspanned(protocol.id.to_string()),
            version: protocol.version.to_string(),
            title: protocol.title.clone(),
            product: protocol.product.clone(),
            route: protocol.route.clone(),
            follow_up: protocol.follow_up.clone(),
            cohort_size: protocol.cohort_size.map(|c| {
                unspanned(CohortSizeFile {
                    min: c.min,
                    max: c.max,
                })
            }),
            counts: protocol.product_rules.counts,
            infusion_limits: protocol.product_rules.limits,
            dosing_weight: protocol.product_rules.dosing_weight,
            source: SourceFile {
                registry: protocol.source.registry.clone(),
                record: protocol.source.record.clone(),
                quote: protocol.source.quote.clone(),
                note: protocol.source.note.clone(),
            },
            eligibility: EligibilityFile {
                weight: protocol
                    .weight_window
                    .as_ref()
                    .map(|w| unspanned(window_file(w))),
                age: protocol
                    .age_window
                    .as_ref()
                    .map(|w| unspanned(window_file(w))),
            },
            arms: protocol
                .arms
                .iter()
                .map(|arm| {
                    unspanned(ArmFile {
                        id: arm.id.to_string(),
                        name: arm.name.clone(),
                        regimen: arm.regimen.id.to_string(),
                    })
                })
                .collect(),
            regimens: regimens
                .into_iter()
                .map(|regimen| {
                    let (keys, placebo) = dose_keys(regimen.rule, regimen.cap);
                    unspanned(RegimenFile {
                        id: regimen.id.to_string(),
                        dose: keys.dose,
                        min_dose: keys.min_dose,
                        max_dose: keys.max_dose,
                        max_total: keys.max_total,
                        placebo,
                        tolerance: regimen.tolerance.map(|t| {
                            unspanned(ToleranceFile {
                                soft: t.soft,
                                hard: t.hard,
                            })
                        }),
                        infusions: StatedCount(regimen.infusions),
                        per_infusion: regimen.per_infusion.value(),
                        escalation: regimen.escalation.as_ref().map(|e| {
                            unspanned(EscalationFile {
                                start_level: e.start_level,
                                ceiling: e.ceiling,
                                condition: e.condition.as_deref().map(str::to_owned),
                                ..design_keys(e.design.as_ref())
                            })
                        }),
                        levels: regimen
                            .levels
                            .iter()
                            .map(|l| {
                                unspanned(LevelFile {
                                    number: l.number,
                                    dose: l.dose,
                                })
                            })
                            .collect(),
                        bands: regimen
                            .bands
                            .iter()
                            .map(|band| {
                                let window = window_file(&band.window);
                                let (keys, _) = dose_keys(Some(band.rule), band.cap);
                                unspanned(BandFile {
                                    above: window.above,
                                    at_least: window.at_least,
                                    below: window.below,
                                    at_most: window.at_most,
                                    dose: keys.dose,
                                    min_dose: keys.min_dose,
                                    max_dose: keys.max_dose,
                                    max_total: keys.max_total,
                                })
                            })
                            .collect(),
                        split_limits: regimen.split.as_ref().map(|s| s.limits),
                        split: regimen
                            .split
                            .as_ref()
                            .map(|s| s.parts.iter().copied().map(unspanned).collect())
                            .unwrap_or_default(),
                    })
                })
                .collect(),
        }
    }
}

impl ProtocolFile {
    fn check(self, at: &Located<'_>, sha256: String) -> Result<Protocol> {
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
        let weight_window = self
            .eligibility
            .weight
            .as_ref()
            .map(|window| check_window("weight", window.span(), *window.get_ref(), at))
            .transpose()?;
        let age_window = self
            .eligibility
            .age
            .as_ref()
            .map(|window| check_window("age", window.span(), *window.get_ref(), at))
            .transpose()?;
        let eligible = Eligible {
            weight: weight_window,
            quote: &self.source.quote,
        };
        let mut regimens = Vec::with_capacity(self.regimens.len());
        for regimen in &self.regimens {
            let checked = check_regimen(regimen, &eligible, at)?;
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
            return Err(at.error(
                Some(0..0),
                "the protocol has no [[arm]]; it needs at least one",
            ));
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
            if arms.iter().any(|a| *a.id == *arm.id) {
                return Err(at.error(span, format!("arm id {:?} is used twice", arm.id)));
            }
            let regimen = regimens
                .iter()
                .find(|r| *r.id == *arm.regimen)
                .ok_or_else(|| {
                    let known: Vec<&str> = regimens.iter().map(|r| &*r.id).collect();
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
                id: arm.id.as_str().into(),
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
            id: id.into(),
            version: self.version.into(),
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
            weight_window,
            age_window,
            follow_up: self.follow_up,
            cohort_size,
            product_rules: ProductRules {
                counts: self.counts,
                limits: self.infusion_limits,
                dosing_weight: self.dosing_weight,
            },
            sha256: sha256.into(),
            origin: at.source_name.into(),
        })
    }
}

fn check_window<T: PartialOrd + Copy + core::fmt::Display>(
    name: &str,
    span: Range<usize>,
    window: WindowFile<T>,
    at: &Located<'_>,
) -> Result<Window<T>> {
    let span = Some(span);
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

/// The dose rule that `dose`, `min_dose`, `max_dose` and `placebo` state together.
fn dose_rule(
    keys: DoseKeys,
    placebo: bool,
    fail: &dyn Fn(String) -> Error,
) -> Result<Option<DoseRule>> {
    let positive = |dose: Dose, key: &str| {
        if dose.is_zero() {
            Err(fail(format!(
                "{key} is zero; a regimen without cells is written placebo = true"
            )))
        } else {
            Ok(dose)
        }
    };
    Ok(match (keys.dose, keys.min_dose, keys.max_dose, placebo) {
        (None, None, None, false) => None,
        (None, None, None, true) => Some(DoseRule::NoCells),
        (Some(dose), None, None, false) => Some(match positive(dose, "dose")? {
            Dose::Total(count) => DoseRule::Flat(count),
            Dose::PerKg(per_kg) => DoseRule::PerKg(per_kg),
        }),
        (None, Some(min), None, false) => Some(match positive(min, "min_dose")? {
            Dose::Total(count) => DoseRule::FlatAtLeast(count),
            Dose::PerKg(per_kg) => DoseRule::PerKgAtLeast(per_kg),
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
                        "min_dose {} is not below max_dose {}; a single dose is written dose = \"...\"",
                        words(min),
                        words(max)
                    )));
                }
                _ => {
                    return Err(fail(format!(
                        "min_dose {} and max_dose {} mix a per-kg dose and a total; write both with /kg or both without",
                        words(min),
                        words(max)
                    )));
                }
            }
        }
        (None, None, Some(_), false) => {
            return Err(fail(
                "max_dose needs a min_dose; a limit on the total alone is written max_total".into(),
            ));
        }
        _ => {
            return Err(fail(
                "give exactly one of: dose, min_dose (with or without max_dose), or placebo = true"
                    .into(),
            ));
        }
    })
}

/// What a regimen is checked against: the protocol's weight window and its source quote.
struct Eligible<'a> {
    weight: Option<Window<BodyWeight>>,
    quote: &'a str,
}

impl Eligible<'_> {
    /// The lightest weight the protocol admits, and whether that weight itself is admitted: the
    /// weight window's lower edge, else the plausible minimum body weight.
    fn lightest(&self) -> Edge<BodyWeight> {
        self.weight
            .and_then(|window| window.lower())
            .unwrap_or(Edge::inclusive(BodyWeight::MIN))
    }
}

/// Checks that a cap sits on a per-kg dose and can be met: at the lightest weight admitted
/// (`lightest`), the smallest dose the regimen gives must not be above the cap, or every patient
/// would meet a cap below the minimum.
fn check_cap(
    rule: Option<DoseRule>,
    levels: &[DoseLevel],
    cap: Option<CellCount>,
    lightest: Edge<BodyWeight>,
    fail: &dyn Fn(String) -> Error,
) -> Result<()> {
    let Some(cap) = cap else { return Ok(()) };
    if cap.get().is_zero() {
        return Err(fail(
            "max_total is zero; a regimen without cells is written placebo = true".into(),
        ));
    }
    let per_kg = rule.is_some_and(DoseRule::is_per_kg) || levels.iter().any(|l| l.dose.is_per_kg());
    if !per_kg {
        return Err(fail(format!(
            "max_total {} caps a total that weight × dose per kg could exceed, but this dose is not per kg",
            count_words(cap.get())
        )));
    }
    let smallest_dose = rule
        .and_then(|rule| rule.bounds().map(|(min, _)| min).or_else(|| rule.point()))
        .or_else(|| levels.first().map(|level| level.dose));
    let Some(smallest_dose) = smallest_dose else {
        return Ok(());
    };
    let weight = *lightest.value();
    let smallest = smallest_dose.cells_for(weight)?;
    let never_met = cap.exact() < smallest || (cap.exact() == smallest && !lightest.is_inclusive());
    if never_met {
        let edge = if lightest.is_inclusive() {
            "at"
        } else {
            "just above"
        };
        return Err(fail(format!(
            "max_total {} is below the smallest dose the regimen gives, {}, which {edge} the lightest weight the protocol admits ({weight}) comes to {}; no patient could receive both, so the cap must be at least that",
            count_words(cap.get()),
            words(smallest_dose),
            count_words(smallest.get())
        )));
    }
    Ok(())
}

/// Checks that a per-kg range holds at least one whole cell at every weight admitted: at the
/// lightest, (max − min) × weight must reach one cell.
fn check_range_width(
    rule: Option<DoseRule>,
    lightest: Edge<BodyWeight>,
    fail: &dyn Fn(String) -> Error,
) -> Result<()> {
    if let Some(DoseRule::PerKgRange { min, max }) = rule {
        let weight = *lightest.value();
        let low = min.checked_for(weight)?;
        let high = max.checked_for(weight)?;
        let width = high.get().checked_sub(low.get()).unwrap_or_default();
        if width < rust_decimal::Decimal::ONE {
            return Err(fail(format!(
                "the range {} to {} comes to {} to {} at the lightest weight the protocol admits ({weight}), which may hold no whole cell; widen it or raise the lightest weight",
                words(Dose::PerKg(min)),
                words(Dose::PerKg(max)),
                count_words(low.get()),
                count_words(high.get())
            )));
        }
    }
    Ok(())
}

/// Whether two windows on the same quantity share at least one value.
fn overlaps<T: PartialOrd + Copy>(a: &Window<T>, b: &Window<T>) -> bool {
    let lower = match (a.lower(), b.lower()) {
        (Some(x), Some(y)) if x.value() > y.value() => Some(x),
        (Some(x), Some(y)) if y.value() > x.value() => Some(y),
        (Some(x), Some(y)) => Some(if x.is_inclusive() { y } else { x }),
        (Some(x), None) | (None, Some(x)) => Some(x),
        (None, None) => None,
    };
    let upper = match (a.upper(), b.upper()) {
        (Some(x), Some(y)) if x.value() < y.value() => Some(x),
        (Some(x), Some(y)) if y.value() < x.value() => Some(y),
        (Some(x), Some(y)) => Some(if x.is_inclusive() { y } else { x }),
        (Some(x), None) | (None, Some(x)) => Some(x),
        (None, None) => None,
    };
    match (lower, upper) {
        (Some(low), Some(high)) => {
            low.value() < high.value()
                || (low.value() == high.value() && low.is_inclusive() && high.is_inclusive())
        }
        _ => true,
    }
}

fn check_bands(
    spanned: &[Spanned<BandFile>],
    name: &str,
    eligible: &Eligible<'_>,
    at: &Located<'_>,
) -> Result<Vec<WeightBand>> {
    if spanned.len() == 1 {
        return Err(at.error(
            spanned.first().map(Spanned::span),
            format!("regimen {name:?} has one weight band; one rule for every weight is written without [[regimen.band]], and bands need at least two"),
        ));
    }
    let mut bands: Vec<WeightBand> = Vec::with_capacity(spanned.len());
    for band in spanned {
        let span = band.span();
        let file = *band.get_ref();
        let fail = |message: String| {
            at.error(
                Some(span.clone()),
                format!("regimen {name:?} weight band: {message}"),
            )
        };
        let window_file = WindowFile {
            above: file.above,
            at_least: file.at_least,
            below: file.below,
            at_most: file.at_most,
        };
        let window = check_window("band weight", span.clone(), window_file, at)?;
        let keys = DoseKeys {
            dose: file.dose,
            min_dose: file.min_dose,
            max_dose: file.max_dose,
            max_total: file.max_total,
        };
        let rule = dose_rule(keys, false, &fail)?.ok_or_else(|| {
            fail("it states no dose; give dose, or min_dose with or without max_dose".into())
        })?;
        if let Some(eligibility) = eligible.weight.filter(|e| !overlaps(e, &window)) {
            return Err(fail(format!(
                "the band {window} admits no weight the protocol's eligibility allows ({eligibility})"
            )));
        }
        // The lightest weight in the band that the protocol also admits.
        let protocol_lightest = eligible.lightest();
        let lightest = match window.lower() {
            Some(edge) if edge.value() > protocol_lightest.value() => edge,
            Some(edge)
                if edge.value() == protocol_lightest.value()
                    && !protocol_lightest.is_inclusive() =>
            {
                protocol_lightest
            }
            Some(edge) if edge.value() == protocol_lightest.value() => edge,
            _ => protocol_lightest,
        };
        check_cap(Some(rule), &[], file.max_total, lightest, &fail)?;
        check_range_width(Some(rule), lightest, &fail)?;
        if let Some(previous) = bands.last() {
            let meets = match (previous.window.upper(), window.lower()) {
                (Some(upper), Some(lower)) => {
                    upper.value() == lower.value() && upper.is_inclusive() != lower.is_inclusive()
                }
                _ => false,
            };
            if !meets {
                let before = previous.window.upper().map_or_else(
                    || "no upper edge".to_owned(),
                    |e| {
                        format!(
                            "{} {}",
                            if e.is_inclusive() { "at_most" } else { "below" },
                            e.value()
                        )
                    },
                );
                let after = window.lower().map_or_else(
                    || "no lower edge".to_owned(),
                    |e| {
                        format!(
                            "{} {}",
                            if e.is_inclusive() {
                                "at_least"
                            } else {
                                "above"
                            },
                            e.value()
                        )
                    },
                );
                return Err(fail(format!(
                    "it does not meet the band before it without a gap or an overlap (that band ends {before}, this one starts {after}); the edges must be the same weight, one inclusive and one not, such as at_most = \"40 kg\" then above = \"40 kg\""
                )));
            }
        }
        bands.push(WeightBand {
            window,
            rule,
            cap: file.max_total,
        });
    }
    Ok(bands)
}

fn check_regimen(
    spanned: &Spanned<RegimenFile>,
    eligible: &Eligible<'_>,
    at: &Located<'_>,
) -> Result<Regimen> {
    let span = Some(spanned.span());
    let file = spanned.get_ref();
    let name = &file.id;
    let fail = |message: String| at.error(span.clone(), format!("regimen {name:?}: {message}"));
    let keys = DoseKeys {
        dose: file.dose,
        min_dose: file.min_dose,
        max_dose: file.max_dose,
        max_total: file.max_total,
    };
    let rule = dose_rule(keys, file.placebo, &fail)?;
    let bands = check_bands(&file.bands, name, eligible, at)?;
    if !bands.is_empty() && (rule.is_some() || file.max_total.is_some() || !file.levels.is_empty())
    {
        return Err(fail(
            "weight bands state the dose for each weight; give no dose, max_total or levels beside them".into(),
        ));
    }
    if rule == Some(DoseRule::NoCells) && !file.levels.is_empty() {
        return Err(fail("a placebo regimen has no dose levels".into()));
    }
    if rule.is_none() && file.levels.is_empty() && bands.is_empty() {
        return Err(fail(
            "it states no dose; give dose, min_dose (with or without max_dose), placebo = true, levels or weight bands".into(),
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
        if dose.is_zero() {
            return Err(fail_level(
                "its dose is zero; a regimen without cells is written placebo = true".into(),
            ));
        }
        if let Some(previous) = levels.last() {
            if levels.iter().any(|l| l.number == number) {
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
                        "its dose {} is not above level {}'s dose {}; an escalation ladder rises level by level",
                        words(dose),
                        previous.number,
                        words(previous.dose)
                    )));
                }
                _ => {
                    return Err(fail_level(
                        "it mixes per-kg and total doses with the levels before it".into(),
                    ));
                }
            }
        }
        if let Some(bounds) = rule.and_then(DoseRule::bounds)
            && !within(dose, bounds)
        {
            return Err(fail_level(format!(
                "its dose {} is outside the regimen's range {}",
                words(dose),
                rule.map(|r| r.describe(Notation::Unicode))
                    .unwrap_or_default()
            )));
        }
        levels.push(DoseLevel { number, dose });
    }
    check_cap(rule, &levels, file.max_total, eligible.lightest(), &fail)?;
    check_range_width(rule, eligible.lightest(), &fail)?;

    let escalation = file
        .escalation
        .as_ref()
        .map(|escalation| {
            let file_keys = escalation.get_ref();
            let EscalationFile {
                start_level,
                ceiling,
                ref condition,
                ..
            } = *file_keys;
            let esc_fail = |message: String| {
                at.error(
                    Some(escalation.span()),
                    format!("regimen {name:?} escalation: {message}"),
                )
            };
            let Some(start) = levels.iter().find(|level| level.number == start_level) else {
                return Err(esc_fail(format!(
                    "start_level {start_level} is not one of the regimen's levels"
                )));
            };
            if let Some(condition) = condition
                && (condition.trim().is_empty() || !eligible.quote.contains(condition.as_str())) {
                    return Err(esc_fail(format!(
                        "condition {condition:?} is not quoted verbatim from [source] quote; the condition for escalating is the record's own words"
                    )));
                }
            for level in &levels {
                if !within(level.dose, (level.dose, Some(ceiling))) {
                    return Err(esc_fail(format!(
                        "ceiling {ceiling} is below level {}'s dose {}, or of another kind",
                        level.number, level.dose
                    )));
                }
            }
            if let Some(bounds) = rule.and_then(DoseRule::bounds)
                && !within(ceiling, bounds) {
                    return Err(esc_fail(format!(
                        "ceiling {ceiling} is outside the regimen's range {}",
                        rule.map(|r| r.to_string()).unwrap_or_default()
                    )));
                }
            let design = file_keys.design().map_err(&esc_fail)?;
            Ok(Escalation {
                start_level,
                start_dose: start.dose,
                ceiling,
                condition: condition.as_deref().map(Into::into),
                design,
            })
        })
        .transpose()?;

    let tolerance = file
        .tolerance
        .as_ref()
        .map(|tolerance| {
            let ToleranceFile { soft, hard } = *tolerance.get_ref();
            let tol_fail = |message: String| {
                at.error(
                    Some(tolerance.span()),
                    format!("regimen {name:?} tolerance: {message}"),
                )
            };
            if soft.is_some_and(|soft| soft > hard) {
                return Err(tol_fail(format!(
                    "soft {} is wider than hard {hard}; the soft band must lie inside the hard one",
                    soft.map(|s| s.to_string()).unwrap_or_default()
                )));
            }
            let has_point = rule.and_then(DoseRule::point).is_some()
                || !levels.is_empty()
                || bands.iter().any(|b| b.rule.point().is_some());
            if !has_point || rule == Some(DoseRule::NoCells) {
                return Err(tol_fail(
                    "a tolerance applies around a single dose, and this regimen states only ranges"
                        .into(),
                ));
            }
            Ok(Tolerance { soft, hard })
        })
        .transpose()?;

    let split = check_split(file, &fail)?;
    // A split divides the whole dose: it is the total, not an amount per infusion.
    let per_infusion = match (file.per_infusion, &split) {
        (Some(value), _) => Stated::Value(value),
        (None, Some(_)) => Stated::Value(false),
        (None, None) => Stated::NotStated,
    };
    Ok(Regimen {
        id: file.id.as_str().into(),
        rule,
        cap: file.max_total,
        bands,
        tolerance,
        levels,
        escalation,
        infusions: match (&split, file.infusions.0) {
            (Some(split), Stated::NotStated) => {
                Stated::Value(u32::try_from(split.parts.len()).unwrap_or(u32::MAX))
            }
            (_, stated) => stated,
        },
        split,
        // A split divides the whole dose: it is the total, not an amount per infusion.
        per_infusion,
    })
}

/// A regimen's split over infusions: shares above 0 % adding up to exactly 100 %, days in order,
/// as many parts as infusions, and a statement of how limits apply.
fn check_split(file: &RegimenFile, fail: &dyn Fn(String) -> Error) -> Result<Option<Split>> {
    let limits = match (file.split.is_empty(), file.split_limits) {
        (true, None) => return Ok(None),
        (true, Some(_)) => {
            return Err(fail(
                "split_limits is given but there is no [[regimen.split]]".into(),
            ))
        }
        (false, None) => {
            return Err(fail(
                "a split dose needs split_limits = \"per-infusion\" or \"cumulative\": whether the limits apply to each infusion or to the running total".into(),
            ))
        }
        (false, Some(limits)) => limits,
    };
    if file.split.len() < 2 {
        return Err(fail("a split has at least two infusions".into()));
    }
    if file.placebo {
        return Err(fail("a placebo regimen has no split".into()));
    }
    if file.per_infusion == Some(true) {
        return Err(fail(
            "a split divides the whole dose, so the dose cannot also be per infusion (per_infusion = true)".into(),
        ));
    }
    let parts: Vec<SplitPart> = file.split.iter().map(|p| *p.get_ref()).collect();
    if let Some(part) = parts.iter().find(|p| p.fraction.get().is_zero()) {
        return Err(fail(format!(
            "the split on day {} has a share of 0%",
            part.day
        )));
    }
    if parts
        .windows(2)
        .any(|w| matches!(w, [a, b] if b.day < a.day))
    {
        return Err(fail("the split's days must be in order".into()));
    }
    let sum: rust_decimal::Decimal = parts.iter().map(|p| p.fraction.get()).sum();
    if sum != rust_decimal::Decimal::ONE_HUNDRED {
        return Err(fail(format!(
            "the split's shares add up to {}%, not 100%",
            sum.normalize()
        )));
    }
    if let Stated::Value(n) = file.infusions.0
        && usize::try_from(n).ok() != Some(parts.len())
    {
        return Err(fail(format!(
            "infusions = {n}, but the split has {} infusions",
            parts.len()
        )));
    }
    Ok(Some(Split { parts, limits }))
}

/// Whether `dose` lies in the inclusive bounds `(min, max)` of the same kind.
fn within(dose: Dose, (min, max): (Dose, Option<Dose>)) -> bool {
    match (dose, min, max) {
        (Dose::PerKg(d), Dose::PerKg(lo), Some(Dose::PerKg(hi))) => lo <= d && d <= hi,
        (Dose::PerKg(d), Dose::PerKg(lo), None) => lo <= d,
        (Dose::Total(d), Dose::Total(lo), Some(Dose::Total(hi))) => lo <= d && d <= hi,
        (Dose::Total(d), Dose::Total(lo), None) => lo <= d,
        _ => false,
    }
}

/// A dose for a message: grouped digits with the exponent form beside them.
fn words(dose: Dose) -> String {
    super::describe_dose(dose, Notation::Unicode)
}

/// A number of cells for a message, as [`words`].
fn count_words(cells: rust_decimal::Decimal) -> String {
    crate::human::cells(cells, Notation::Unicode)
}
