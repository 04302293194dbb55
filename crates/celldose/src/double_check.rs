//! The independent double check: a second pharmacist works a preparation out again from the
//! sources, and every input and result figure of the two reports is compared.
//!
//! The comparison is of the reports as recorded, field by field (a nested field as `split.day`,
//! a list's item as `bags[0].volume_ml`; findings by severity and code, their wording being made of
//! figures already compared). How a figure was typed is not compared (`weight_entered`: 72.5 kg
//! and 72500 g are one weight); what it is, is.

use serde::Serialize;

use crate::audit::{Identified, Preparation, Signer, Stage, Verifies};
use crate::calculation::{Finding, FindingCode, Severity};
use crate::error::Result;
use crate::refusal::Refusal;

/// The role whose users verify (`users::Role::Pharmacist`, as written).
const VERIFYING_ROLE: &str = "pharmacist";

/// One figure on which the preparation and its verification differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    field: String,
    prepared: String,
    verified: String,
}

impl Difference {
    /// The report field, as `weight_kg` or `bags[0].volume_ml`.
    #[must_use]
    pub fn field(&self) -> &str {
        &self.field
    }

    /// Its value in the preparation (empty where it has none).
    #[must_use]
    pub fn prepared(&self) -> &str {
        &self.prepared
    }

    /// Its value in the verification (empty where it has none).
    #[must_use]
    pub fn verified(&self) -> &str {
        &self.verified
    }
}

impl core::fmt::Display for Difference {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let shown = |value: &str| {
            if value.is_empty() {
                "none".to_owned()
            } else {
                crate::text::inert(value).into_owned()
            }
        };
        write!(
            f,
            "{}: prepared {}, verified {}",
            self.field,
            shown(&self.prepared),
            shown(&self.verified)
        )
    }
}

/// A preparation compared with its verification.
///
/// ```
/// use celldose::audit::{AuditLog, Preparation, Signer, Stage};
/// use celldose::double_check::DoubleCheck;
/// let path = std::env::temp_dir().join(format!("celldose-double-check-doc-{}.jsonl", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let mut log = AuditLog::open(&path)?;
/// log.sign_as(Some(Signer::signed_in("alice", "pharmacist")?));
/// log.at_stage(Some(Stage::Prepared));
/// let prepared = serde_json::json!({"weight_kg": "72.5", "cells": "1160000000", "verdict": "within", "findings": []});
/// log.append("check", &[], &prepared)?;
/// drop(log);
/// let preparation = Preparation::read(&path, 1, None)?;
/// let bob = Signer::signed_in("bob", "pharmacist")?;
/// assert!(DoubleCheck::compare(&preparation, &bob, "check", &prepared)?.agrees());
/// let other = serde_json::json!({"weight_kg": "70", "cells": "1120000000", "verdict": "within", "findings": []});
/// let differs = DoubleCheck::compare(&preparation, &bob, "check", &other)?;
/// // The figure read from the chart comes first.
/// assert_eq!(differs.differences()[0].to_string(), "weight_kg: prepared 72.5, verified 70");
/// assert_eq!(differs.differences()[1].to_string(), "cells: prepared 1160000000, verified 1120000000");
/// // Alice cannot verify her own preparation.
/// let alice = Signer::signed_in("alice", "pharmacist")?;
/// assert!(DoubleCheck::compare(&preparation, &alice, "check", &prepared).is_err());
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoubleCheck {
    of: Verifies,
    prepared_at: String,
    prepared_by: Signer,
    verifier: Signer,
    differences: Vec<Difference>,
}

impl DoubleCheck {
    /// Compares `preparation` with `verified`, the report of the same command (`check`,
    /// `prepare`) worked out again by `verifier`.
    ///
    /// # Errors
    /// [`Refusal::SelfVerification`] when the verifier prepared it; [`Refusal::VerifierRole`]
    /// when a signed-in verifier is not a pharmacist; [`Refusal::NotAPreparation`] when the
    /// preparation names no user, so that its independence cannot be shown.
    pub fn compare(
        preparation: &Preparation,
        verifier: &Signer,
        command: &str,
        verified: &serde_json::Value,
    ) -> Result<Self> {
        let prepared_by = Self::may_verify(preparation, verifier)?;
        let record = preparation.record();
        let mut differences = Vec::new();
        if command != record.command() {
            differences.push(Difference {
                field: "command".to_owned(),
                prepared: record.command().to_owned(),
                verified: command.to_owned(),
            });
        }
        differences.extend(compare(record.result(), verified));
        Ok(Self {
            of: Verifies::new(
                record.seq(),
                record.sha256(),
                prepared_by.name(),
                prepared_by.role(),
            ),
            prepared_at: record.time().to_owned(),
            prepared_by: prepared_by.clone(),
            verifier: verifier.clone(),
            differences,
        })
    }

    /// Whether `verifier` may verify `preparation`, before any figure is entered; who prepared
    /// it.
    ///
    /// # Errors
    /// As [`DoubleCheck::compare`].
    pub fn may_verify<'p>(preparation: &'p Preparation, verifier: &Signer) -> Result<&'p Signer> {
        let record = preparation.record();
        let Some(prepared_by) = record.signer() else {
            return Err(Refusal::NotAPreparation {
                seq: record.seq(),
                command: format!("{}, naming no user", record.command()),
            }
            .into());
        };
        if prepared_by.name() == verifier.name() {
            return Err(Refusal::SelfVerification {
                name: verifier.name().to_owned(),
                seq: record.seq(),
            }
            .into());
        }
        if verifier.identified() == Identified::SignedIn && verifier.role() != Some(VERIFYING_ROLE)
        {
            return Err(Refusal::VerifierRole {
                name: verifier.name().to_owned(),
                role: verifier.role().unwrap_or("user without a role").to_owned(),
            }
            .into());
        }
        Ok(prepared_by)
    }

    /// Whether every figure agreed.
    #[must_use]
    pub fn agrees(&self) -> bool {
        self.differences.is_empty()
    }

    /// Every figure that differed: those read from the sources (weight, counts, certificate,
    /// bags) first, then what was computed from them.
    #[must_use]
    pub fn differences(&self) -> &[Difference] {
        &self.differences
    }

    /// The preparation verified.
    #[must_use]
    pub fn of(&self) -> &Verifies {
        &self.of
    }

    /// Who prepared it, as its record says.
    #[must_use]
    pub fn prepared_by(&self) -> &Signer {
        &self.prepared_by
    }

    /// When it was prepared, as its record says.
    #[must_use]
    pub fn prepared_at(&self) -> &str {
        &self.prepared_at
    }

    /// Who verified it.
    #[must_use]
    pub fn verifier(&self) -> &Signer {
        &self.verifier
    }

    /// The verification record's stage.
    #[must_use]
    pub fn stage(&self) -> Stage {
        if self.agrees() {
            Stage::Verified(self.of.clone())
        } else {
            Stage::VerificationFailed(self.of.clone())
        }
    }

    /// The hard finding `double-check-mismatch` when a figure differed.
    #[must_use]
    pub fn finding(&self) -> Option<Finding> {
        if self.agrees() {
            return None;
        }
        let listed: Vec<String> = self.differences.iter().map(ToString::to_string).collect();
        let message = format!(
            "the double check does not agree with record {} (prepared by {}): {}; nothing is released until the two agree",
            self.of.seq(),
            self.of.user(),
            listed.join("; ")
        );
        Some(Finding::new(
            Severity::Hard,
            FindingCode::DoubleCheckMismatch,
            "independent double check: every figure worked out again must agree",
            |_| message.clone(),
        ))
    }

    /// The verification as a report: the stage, the preparation and both users, the
    /// differences, the finding, and the verifier's own report under `report`.
    #[must_use]
    pub fn report(&self, verified: &serde_json::Value) -> serde_json::Value {
        let findings: Vec<serde_json::Value> = self
            .finding()
            .iter()
            .map(|finding| {
                serde_json::json!({
                    "severity": finding.severity().as_str(),
                    "code": finding.code().as_str(),
                    "message": finding.message(crate::human::Notation::Unicode),
                    "clause": finding.clause(),
                })
            })
            .collect();
        let verdict = if self.agrees() {
            verified
                .get("verdict")
                .cloned()
                .unwrap_or(serde_json::Value::Null)
        } else {
            serde_json::Value::from("outside")
        };
        serde_json::json!({
            "stage": self.stage().as_str(),
            "agrees": self.agrees(),
            "verdict": verdict,
            "verifies": self.of,
            "prepared_at": self.prepared_at,
            "prepared_by": self.prepared_by,
            "verified_by": self.verifier,
            "differences": self.differences,
            "findings": findings,
            "report": verified,
        })
    }
}

/// The fields of two reports that differ.
fn compare(prepared: &serde_json::Value, verified: &serde_json::Value) -> Vec<Difference> {
    let (mut left, mut right) = (Vec::new(), Vec::new());
    flatten("", prepared, &mut left);
    flatten("", verified, &mut right);
    let mut fields: Vec<&str> = left.iter().map(|(field, _)| field.as_str()).collect();
    for (field, _) in &right {
        if !fields.contains(&field.as_str()) {
            fields.push(field);
        }
    }
    let value = |side: &[(String, String)], field: &str| {
        side.iter()
            .find(|(name, _)| name == field)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    let mut differences: Vec<Difference> = fields
        .into_iter()
        .filter_map(|field| {
            let (prepared, verified) = (value(&left, field), value(&right, field));
            (prepared != verified).then(|| Difference {
                field: field.to_owned(),
                prepared,
                verified,
            })
        })
        .collect();
    // What was read from the sources first: a wrong figure there explains the rest.
    differences.sort_by_key(|difference| {
        let root = difference
            .field
            .split(['.', '['])
            .next()
            .unwrap_or_default();
        SOURCES
            .iter()
            .position(|source| *source == root)
            .unwrap_or(SOURCES.len())
    });
    differences
}

/// The report fields read from the sources (the order, the chart, the certificate, the bag
/// labels), listed first among the differences.
const SOURCES: &[&str] = &[
    "protocol",
    "protocol_sha256",
    "arm",
    "level",
    "dose",
    "patient",
    "weight_kg",
    "current_weight_kg",
    "age_years",
    "born",
    "actual_cells",
    "product",
    "bags",
    "concentration_per_ml",
    "viability_percent",
    "positive_percent",
    "available_ml",
    "step_ml",
    "infusion",
    "split",
    "given_before",
    "tolerance_percent",
    "acknowledgement",
    "trial_state_sha256",
];

/// Every leaf of `value` as `(path, text)`; how a figure was typed (`*_entered`) is left out,
/// and findings are compared by severity and code.
fn flatten(path: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        serde_json::Value::Object(members) => {
            for (key, member) in members {
                // How a figure was typed, and the clock at the moment each worked it out (an
                // infusion start left to "now"), are not figures from the sources.
                if key.ends_with("_entered") || MOMENTS.contains(&key.as_str()) {
                    continue;
                }
                if key == "findings" {
                    out.push((join(key), findings(member)));
                    continue;
                }
                flatten(&join(key), member, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                flatten(&format!("{path}[{index}]"), item, out);
            }
        }
        serde_json::Value::Null => out.push((path.to_owned(), String::new())),
        serde_json::Value::String(text) => out.push((path.to_owned(), text.clone())),
        other => out.push((path.to_owned(), other.to_string())),
    }
}

/// Report fields that hold the moment a result was worked out rather than a figure read from the
/// sources: an infusion start left to "now" differs between any two workings. What it decides
/// (an expiry passed, a thaw window exceeded) is still compared, as findings.
const MOMENTS: [&str; 2] = ["infusion_start", "minutes_since_thaw"];

/// A list of findings as `severity code, …`.
fn findings(list: &serde_json::Value) -> String {
    let field = |finding: &serde_json::Value, key: &str| {
        finding
            .get(key)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    list.as_array()
        .map(|items| {
            items
                .iter()
                .map(|f| format!("{} {}", field(f, "severity"), field(f, "code")))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn nested_fields_lists_and_findings_are_compared_but_not_how_a_weight_was_typed() {
        let a = serde_json::json!({
            "weight_kg": "72.5", "weight_entered": "72.5 kg",
            "split": {"day": 1, "share": "50"},
            "bags": [{"id": "1", "volume_ml": "69.6"}],
            "findings": [{"severity": "info", "code": "split-infusion", "message": "a"}],
        });
        let mut b = a.clone();
        b["weight_entered"] = "72500 g".into();
        b["findings"][0]["message"] = "b".into();
        assert!(compare(&a, &b).is_empty());
        b["custody"] = serde_json::json!({"infusion_start": "later", "minutes_since_thaw": 12});
        let mut a_timed = a.clone();
        a_timed["custody"] = serde_json::json!({"infusion_start": "now", "minutes_since_thaw": 3});
        assert!(
            compare(&a_timed, &b).is_empty(),
            "the moment of working is not a figure"
        );
        b["split"]["day"] = 2.into();
        b["bags"][0]["volume_ml"] = "60".into();
        b["findings"] =
            serde_json::json!([{"severity": "hard", "code": "delivered-outside-tolerance"}]);
        b["extra"] = "new".into();
        let fields: Vec<String> = compare(&a, &b).iter().map(ToString::to_string).collect();
        assert_eq!(
            fields,
            [
                "bags[0].volume_ml: prepared 69.6, verified 60",
                "split.day: prepared 1, verified 2",
                "findings: prepared info split-infusion, verified hard delivered-outside-tolerance",
                "extra: prepared none, verified new",
            ]
        );
    }
}
