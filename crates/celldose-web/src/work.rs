//! One calculation asked for by a form or the API: the fields as typed, converted by the same
//! library functions the command line uses, computed against the protocols on disk now, and
//! recorded in the audit log before it is shown.

use std::collections::BTreeMap;

use celldose::entry::Job;
use celldose::human::Notation;
use celldose::report::{CheckReport, DoseReport, PrepareReport};
use celldose::{Catalogue, FieldNames, RequestText};

use crate::Site;

/// The fields as typed, by name; an empty field is an absent one.
pub(crate) type Fields = BTreeMap<String, String>;

/// Which calculation is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Dose,
    Check,
    Prepare,
}

/// The fields of a dose, named as the batch columns and the command-line flags.
const DOSE_FIELDS: [&str; 12] = [
    "protocol",
    "patient",
    "arm",
    "level",
    "dose",
    "weight",
    "current_weight",
    "age",
    "born",
    "on",
    "acknowledge",
    "rounding",
];
const CHECK_FIELDS: [&str; 11] = [
    "cells",
    "product_file",
    "bags",
    "scan",
    "thawed_at",
    "thaw_started_at",
    "infusion_start",
    "infusion",
    "given",
    "given_dmso",
    "tolerance",
];
const PREPARE_FIELDS: [&str; 16] = [
    "product_file",
    "bags",
    "scan",
    "thawed_at",
    "thaw_started_at",
    "infusion_start",
    "infusion",
    "given",
    "given_dmso",
    "concentration",
    "viable_concentration",
    "viability",
    "positive",
    "available",
    "step",
    "tolerance",
];

impl Kind {
    /// What the library is asked for.
    pub(crate) fn job(self) -> Job {
        match self {
            Self::Dose => Job::Dose,
            Self::Check => Job::Check,
            Self::Prepare => Job::Prepare,
        }
    }

    /// The stage its record is at: a check or preparation awaits its independent double check.
    pub(crate) fn stage(self) -> Option<celldose::audit::Stage> {
        (self != Self::Dose).then_some(celldose::audit::Stage::Prepared)
    }

    /// The command's name, as on the command line and in the audit log.
    pub(crate) fn name(self) -> &'static str {
        self.job().name()
    }

    /// Every field this calculation takes, in the order a form shows them.
    pub(crate) fn fields(self) -> Vec<&'static str> {
        let extra: &[&'static str] = match self {
            Self::Dose => &[],
            Self::Check => &CHECK_FIELDS,
            Self::Prepare => &PREPARE_FIELDS,
        };
        DOSE_FIELDS.iter().chain(extra).copied().collect()
    }
}

/// A request refused: the message, the field it is about where one is named first, and whether
/// the request itself was wrong (422) or the page could not answer it now (503: a file on disk
/// that cannot be used, an audit log that cannot take the record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) field: Option<&'static str>,
    pub(crate) message: String,
    pub(crate) unavailable: bool,
}

impl Refusal {
    fn new(kind: Kind, message: String) -> Self {
        let field = kind
            .fields()
            .into_iter()
            .find(|field| message.starts_with(&format!("{field}: ")));
        Self {
            field,
            message,
            unavailable: false,
        }
    }

    /// A refusal about no single field.
    pub(crate) fn general(message: String) -> Self {
        Self {
            field: None,
            message,
            unavailable: false,
        }
    }

    /// The page cannot answer now, whatever was asked.
    pub(crate) fn unavailable(message: String) -> Self {
        Self {
            field: None,
            message,
            unavailable: true,
        }
    }

    /// The HTTP status the refusal is answered with.
    pub(crate) fn status(&self) -> axum::http::StatusCode {
        if self.unavailable {
            axum::http::StatusCode::SERVICE_UNAVAILABLE
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}

/// A computed result: the library's, whichever way it was asked for.
pub(crate) use celldose::entry::Outcome;

/// The text `celldose` prints for this result.
pub(crate) fn printout(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Dose(c) => celldose::printout::dose(c, Notation::Unicode),
        Outcome::Check(c) => celldose::printout::check(c, Notation::Unicode),
        Outcome::Prepare(p) => celldose::printout::prepare(p, Notation::Unicode),
    }
}

/// The JSON `celldose --format json` prints for this result, byte for byte: the report, and the
/// record that holds it where there is one.
pub(crate) fn json(
    outcome: &Outcome,
    record: Option<&celldose::audit::RecordId>,
    by: Option<&celldose::audit::Signer>,
    stage: Option<&celldose::audit::Stage>,
) -> String {
    fn pretty<R: serde::Serialize>(
        report: &R,
        record: Option<&celldose::audit::RecordId>,
        by: Option<&celldose::audit::Signer>,
        stage: Option<&celldose::audit::Stage>,
    ) -> serde_json::Result<String> {
        match record {
            Some(record) => serde_json::to_string_pretty(&celldose::audit::WithRecord::new(
                report, record, by, stage,
            )),
            None => serde_json::to_string_pretty(report),
        }
    }
    let value = match outcome {
        Outcome::Dose(c) => pretty(&DoseReport::new(c, Notation::Unicode), record, by, None),
        Outcome::Check(c) => pretty(&CheckReport::new(c, Notation::Unicode), record, by, stage),
        Outcome::Prepare(p) => pretty(&PrepareReport::new(p, Notation::Unicode), record, by, stage),
    };
    let mut text = value.unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

/// The report a record holds, as JSON.
pub(crate) fn report(outcome: &Outcome) -> serde_json::Result<Box<serde_json::value::RawValue>> {
    use serde_json::value::to_raw_value;
    match outcome {
        Outcome::Dose(c) => to_raw_value(&DoseReport::new(c, Notation::Unicode)),
        Outcome::Check(c) => to_raw_value(&CheckReport::new(c, Notation::Unicode)),
        Outcome::Prepare(p) => to_raw_value(&PrepareReport::new(p, Notation::Unicode)),
    }
}

/// A result, with the audit record that holds it where the page keeps a log.
pub(crate) struct Done {
    pub(crate) outcome: Outcome,
    pub(crate) record: Option<celldose::audit::RecordId>,
}

/// Computes the calculation `fields` ask for against `catalogue` (the protocols on disk now)
/// and, with an audit log, records it (or its refusal) and waits until the record is on disk before it is
/// shown: a result that could not be recorded is not shown.
pub(crate) async fn run(
    site: &Site,
    by: Option<celldose::audit::Signer>,
    catalogue: &Catalogue,
    kind: Kind,
    fields: &Fields,
) -> Result<Done, Refusal> {
    let result = compute(catalogue, kind, fields);
    let Some(recorder) = &site.recorder else {
        return result.map(|outcome| Done {
            outcome,
            record: None,
        });
    };
    let input = typed(kind, fields);
    let report = match &result {
        Ok(outcome) => report(outcome),
        Err(refusal) => {
            serde_json::value::to_raw_value(&celldose::audit::Refused(&refusal.message))
        }
    };
    let recorded = match report {
        Ok(report) => {
            recorder
                .record(kind.name(), by, kind.stage(), input, report)
                .await
        }
        Err(error) => Err(format!(
            "audit log {}: the record could not be written: {error}",
            celldose::text::inert(&recorder.path().display().to_string())
        )),
    };
    match (recorded, result) {
        (Ok(record), Ok(outcome)) => Ok(Done {
            outcome,
            record: Some(record),
        }),
        (Ok(_), Err(refusal)) => Err(refusal),
        (Err(error), Err(refusal)) => Err(Refusal::unavailable(format!(
            "{}; and it could not be recorded: {error}",
            refusal.message
        ))),
        (Err(error), Ok(_)) => Err(Refusal::unavailable(format!(
            "{error}; no result is shown, because it could not be recorded"
        ))),
    }
}

/// The fields of `kind` as typed, in form order, for a record.
pub(crate) fn typed(kind: Kind, fields: &Fields) -> Vec<(String, String)> {
    kind.fields()
        .into_iter()
        .filter_map(|name| value(fields, name).map(|value| (name.to_owned(), value.to_owned())))
        .collect()
}

/// The product file pasted into the form, checked as the command line checks a file.
fn product(fields: &Fields) -> Result<Option<celldose::Certificate>, Refusal> {
    value(fields, "product_file")
        .map(|text| {
            // A browser sends a textarea's line breaks as CR LF; the file rules allow those.
            celldose::Certificate::from_toml("pasted", text)
                .map_err(|e| Refusal::new(Kind::Check, format!("product_file: {e}")))
        })
        .transpose()
}

/// The protocols on disk now, or why the page cannot calculate with them.
pub(crate) fn catalogue(site: &Site) -> Result<std::sync::Arc<Catalogue>, Refusal> {
    site.catalogue().map_err(|reason| {
        Refusal::unavailable(format!(
            "{reason}; nothing was calculated: the protocols or trial state on disk cannot be used now"
        ))
    })
}

/// A field's text, `None` when absent or blank.
pub(crate) fn value<'f>(fields: &'f Fields, name: &str) -> Option<&'f str> {
    fields
        .get(name)
        .map(|text| text.trim_matches(' '))
        .filter(|text| !text.is_empty())
}

/// Computes what `fields` ask for, recording nothing.
pub(crate) fn compute(
    catalogue: &Catalogue,
    kind: Kind,
    fields: &Fields,
) -> Result<Outcome, Refusal> {
    let refuse = |error: celldose::Error| Refusal::new(kind, error.to_string());
    let given = |name: &str| value(fields, name);
    if let Some(unknown) = fields
        .keys()
        .find(|name| !kind.fields().contains(&name.as_str()))
    {
        return Err(Refusal::general(format!(
            "field {} is not known for {}; accepted fields: {}",
            celldose::text::Shown(unknown),
            kind.name(),
            kind.fields().join(", ")
        )));
    }
    let required = |name: &'static str| {
        given(name).ok_or_else(|| Refusal::new(kind, format!("{name}: it is required")))
    };
    let text = RequestText {
        protocol: required("protocol")?,
        arm: given("arm"),
        level: given("level"),
        dose: given("dose"),
        weight: required("weight")?,
        age: given("age"),
        born: given("born"),
        on: given("on"),
        rounding: given("rounding"),
        acknowledge: given("acknowledge"),
        cells: given("cells"),
        tolerance: given("tolerance"),
        current_weight: given("current_weight"),
        infusion: given("infusion"),
        given: given("given"),
        bags: given("bags"),
        given_dmso: given("given_dmso"),
        patient: given("patient"),
        given_from_log: false,
        concentration: given("concentration"),
        viable_concentration: given("viable_concentration"),
        viability: given("viability"),
        positive: given("positive"),
        available: given("available"),
        step: given("step"),
        scan: given("scan"),
        thawed_at: given("thawed_at"),
        thaw_started_at: given("thaw_started_at"),
        infusion_start: given("infusion_start"),
    };
    let (protocol, request) = text
        .to_request(catalogue, FieldNames::Form)
        .map_err(refuse)?;
    let certificate = product(fields)?;
    text.compute(
        kind.job(),
        protocol,
        &request,
        FieldNames::Form,
        certificate.as_ref(),
        None,
    )
    .map_err(refuse)
}
