//! The rules a protocol file as a whole must keep: its format, id, arms and their regimens,
//! eligibility windows, and each dose rule's keys.

use super::key_groups::check_window;
use super::regimens::{Eligible, check_regimen};
use super::schema::ProtocolFile;
use super::{FORMAT_VERSION, Located};
use crate::error::Result;
use std::sync::Arc;

use crate::regimen::Protocol;
use crate::regimen::Provenance;
use crate::regimen::product_rules::ProductRules;
use crate::regimen::{Arm, CohortSize, Regimen, Source};

impl ProtocolFile {
    pub(super) fn check(self, at: &Located<'_>, sha256: String) -> Result<Protocol> {
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
            provenance: Arc::new(Provenance {
                id: id.into(),
                version: self.version.into(),
                sha256: sha256.into(),
            }),
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
                handling: self.handling,
            },
            origin: at.source_name.into(),
        })
    }
}
