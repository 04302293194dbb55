//! The protocol file's shape: every key it may have, as plain serde structs read with no unknown
//! key, and the design keys of an escalation read into a design.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use toml::Spanned;

use crate::file_text;
use crate::regimen::Stated;
use crate::regimen::product_rules::{DosingWeight, InfusionLimits, SplitLimits, SplitPart};
use crate::units::Handling;
use crate::units::{AgeYears, BodyWeight, CellCount, Counted, Dose, Percent};

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProtocolFile {
    pub(super) format: Spanned<u32>,
    pub(super) id: Spanned<String>,
    #[serde(deserialize_with = "file_text::text")]
    pub(super) version: String,
    #[serde(deserialize_with = "file_text::text")]
    pub(super) title: String,
    #[serde(deserialize_with = "file_text::text")]
    pub(super) product: String,
    #[serde(deserialize_with = "file_text::text")]
    pub(super) route: String,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "file_text::text_list"
    )]
    pub(super) follow_up: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) cohort_size: Option<Spanned<CohortSizeFile>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) counts: Option<Counted>,
    pub(super) source: SourceFile,
    #[serde(default, skip_serializing_if = "InfusionLimits::is_empty")]
    pub(super) infusion_limits: InfusionLimits,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) dosing_weight: Option<DosingWeight>,
    #[serde(default, skip_serializing_if = "Handling::is_empty")]
    pub(super) handling: Handling,
    #[serde(default, skip_serializing_if = "EligibilityFile::is_empty")]
    pub(super) eligibility: EligibilityFile,
    #[serde(rename = "arm", default)]
    pub(super) arms: Vec<Spanned<ArmFile>>,
    #[serde(rename = "regimen", default)]
    pub(super) regimens: Vec<Spanned<RegimenFile>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SourceFile {
    #[serde(deserialize_with = "file_text::text")]
    pub(super) registry: String,
    #[serde(deserialize_with = "file_text::text")]
    pub(super) record: String,
    #[serde(deserialize_with = "file_text::text")]
    pub(super) quote: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "file_text::optional_text"
    )]
    pub(super) note: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CohortSizeFile {
    pub(super) min: u32,
    pub(super) max: u32,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EligibilityFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) weight: Option<Spanned<WindowFile<BodyWeight>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) age: Option<Spanned<WindowFile<AgeYears>>>,
}

impl EligibilityFile {
    fn is_empty(&self) -> bool {
        self.weight.is_none() && self.age.is_none()
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WindowFile<T> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) above: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) at_least: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) below: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) at_most: Option<T>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ArmFile {
    #[serde(deserialize_with = "file_text::text")]
    pub(super) id: String,
    #[serde(deserialize_with = "file_text::text")]
    pub(super) name: String,
    #[serde(deserialize_with = "file_text::text")]
    pub(super) regimen: String,
}

/// The keys that state a dose, shared by a regimen and a weight band.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize)]
pub(super) struct DoseKeys {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) dose: Option<Dose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) min_dose: Option<Dose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) max_dose: Option<Dose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) max_total: Option<CellCount>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RegimenFile {
    #[serde(deserialize_with = "file_text::text")]
    pub(super) id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) dose: Option<Dose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) min_dose: Option<Dose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) max_dose: Option<Dose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) max_total: Option<CellCount>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub(super) placebo: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) tolerance: Option<Spanned<ToleranceFile>>,
    pub(super) infusions: StatedCount,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) per_infusion: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) escalation: Option<Spanned<EscalationFile>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) levels: Vec<Spanned<LevelFile>>,
    #[serde(rename = "band", default, skip_serializing_if = "Vec::is_empty")]
    pub(super) bands: Vec<Spanned<BandFile>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) split_limits: Option<SplitLimits>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) split: Vec<Spanned<SplitPart>>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BandFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) above: Option<BodyWeight>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) at_least: Option<BodyWeight>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) below: Option<BodyWeight>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) at_most: Option<BodyWeight>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) dose: Option<Dose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) min_dose: Option<Dose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) max_dose: Option<Dose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) max_total: Option<CellCount>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ToleranceFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) soft: Option<Percent>,
    pub(super) hard: Percent,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LevelFile {
    pub(super) number: u32,
    pub(super) dose: Dose,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EscalationFile {
    pub(super) start_level: u32,
    pub(super) ceiling: Dose,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "file_text::optional_text"
    )]
    pub(super) condition: Option<String>,
    /// The escalation rule: `3+3` or `boin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) design: Option<String>,
    /// BOIN's target DLT rate, as a string: `"0.3"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) phi1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) phi2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) cohort_size: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) max_n: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) cutoff: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) extra_safe: Option<bool>,
    /// The 3+3 variant: `standard` (the default) or `deescalate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) variant: Option<String>,
}

impl EscalationFile {
    /// The design these keys name, checked.
    pub(super) fn design(
        &self,
    ) -> core::result::Result<Option<celldose_escalation::Design>, String> {
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

pub(super) fn is_false(value: &bool) -> bool {
    !*value
}

/// `infusions = 2` or `infusions = "not stated"`.
#[derive(Debug, Clone, Copy)]
pub(super) struct StatedCount(pub(super) Stated<u32>);

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
