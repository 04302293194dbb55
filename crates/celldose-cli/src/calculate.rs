//! `celldose dose`, `check` and `prepare`: the fields typed handed to the library's one request
//! path, the result recorded in the audit log before it is printed, then printed as text, JSON or
//! FHIR.

use celldose::audit::AuditKey;
use celldose::entry::Prepared;
use celldose::human::Notation;
use celldose::report::{CheckReport, DoseReport, PrepareReport};
use celldose::{Catalogue, FieldNames};

use crate::cli::{CheckArgs, DoseArgs, Format, OutputArgs, PrepareArgs, ProductArgs};
use crate::exit::exit_code;
use crate::refusal::Refusal;
use crate::{fhir, json, request, text};

/// How this command's records are made: signed with the site's key, and naming the user.
#[derive(Debug, Clone, Copy, Default)]
pub struct Recording<'a> {
    /// The site's audit key (`--audit-key`).
    pub key: Option<&'a AuditKey>,
    /// The user the records name (`--user`, or the account the command runs as).
    pub by: Option<&'a celldose::audit::Signer>,
}

/// `celldose dose`.
pub fn dose(
    catalogue: Result<Catalogue, Refusal>,
    args: &DoseArgs,
    recording: Recording<'_>,
) -> Result<(String, u8), Refusal> {
    logged(args, recording, "dose", &[], || {
        let catalogue = catalogue?;
        let fields = request::dose(args);
        let (protocol, request) = fields.to_request(&catalogue, FieldNames::Flags)?;
        let calculation = protocol.calculate(&request)?;
        let n = notation(&args.output);
        let report = DoseReport::new(&calculation, n);
        let record = audit(args, recording, "dose", &[], &report, None)?;
        let text = match args.output.format {
            Format::Text => {
                text::with_record(text::dose(&calculation, n), record.as_ref(), recording.by)
            }
            Format::Json => json::recorded(&report, record.as_ref(), recording.by, None),
            Format::Fhir => fhir::dose(&calculation)?,
        };
        Ok((text, exit_code(calculation.verdict())))
    })
}

/// `celldose check`.
pub fn check(
    catalogue: Result<Catalogue, Refusal>,
    args: &CheckArgs,
    recording: Recording<'_>,
) -> Result<(String, u8), Refusal> {
    let product = args.from.product.as_ref().map(|p| p.display().to_string());
    let scans = args.from.scans();
    let extra = check_inputs(args, product.as_deref(), &scans);
    logged(&args.dose, recording, "check", &extra, || {
        let catalogue = catalogue?;
        let when = administered_at(&args.dose.output, &args.from)?;
        let check = delivery_check(&catalogue, args, recording.key)?;
        let n = notation(&args.dose.output);
        let report = CheckReport::new(&check, n);
        let stage = awaiting_check();
        let record = audit(
            &args.dose,
            recording,
            "check",
            &extra,
            &report,
            stage.clone(),
        )?;
        let text = match args.dose.output.format {
            Format::Text => text::awaiting_check(
                text::with_record(text::check(&check, n), record.as_ref(), recording.by),
                record.as_ref(),
            ),
            Format::Json => json::recorded(&report, record.as_ref(), recording.by, stage.as_ref()),
            Format::Fhir => fhir::check(&check, when)?,
        };
        Ok((text, exit_code(check.verdict())))
    })
}

/// The product flags of `check` and `prepare` as typed, for the audit record (`product` is the
/// file's path as shown).
fn product_inputs<'a>(
    from: &'a ProductArgs,
    product: Option<&'a str>,
) -> [(&'static str, Option<&'a str>); 9] {
    [
        ("product", product),
        ("bags", from.bags.as_deref()),
        ("infusion", from.infusion.as_deref()),
        ("given", from.given.as_deref()),
        ("given-from-log", from.given_from_log.then_some("yes")),
        ("given-dmso", from.given_dmso.as_deref()),
        ("thawed-at", from.thawed_at.as_deref()),
        ("thaw-started-at", from.thaw_started_at.as_deref()),
        ("infusion-start", from.infusion_start.as_deref()),
    ]
}

/// `celldose prepare`.
pub fn prepare(
    catalogue: Result<Catalogue, Refusal>,
    args: &PrepareArgs,
    recording: Recording<'_>,
) -> Result<(String, u8), Refusal> {
    let product = args.from.product.as_ref().map(|p| p.display().to_string());
    let scans = args.from.scans();
    let extra = prepare_inputs(args, product.as_deref(), &scans);
    logged(&args.dose, recording, "prepare", &extra, || {
        let catalogue = catalogue?;
        let when = administered_at(&args.dose.output, &args.from)?;
        let prepared = preparation(&catalogue, args, recording.key)?;
        let n = notation(&args.dose.output);
        let format = args.dose.output.format;
        let stage = awaiting_check();
        let (text, verdict) = match prepared {
            Prepared::Volume(prepared) => {
                let report = PrepareReport::new(&prepared, n);
                let record = audit(
                    &args.dose,
                    recording,
                    "prepare",
                    &extra,
                    &report,
                    stage.clone(),
                )?;
                let text = match format {
                    Format::Text => text::awaiting_check(
                        text::with_record(
                            text::prepare(&prepared, n),
                            record.as_ref(),
                            recording.by,
                        ),
                        record.as_ref(),
                    ),
                    Format::Json => {
                        json::recorded(&report, record.as_ref(), recording.by, stage.as_ref())
                    }
                    Format::Fhir => fhir::prepare(&prepared, when)?,
                };
                (text, prepared.verdict())
            }
            // From a product file's bags: what is chosen is checked as given.
            Prepared::Bags(given) => {
                let report = CheckReport::new(&given, n);
                let record = audit(
                    &args.dose,
                    recording,
                    "prepare",
                    &extra,
                    &report,
                    stage.clone(),
                )?;
                let text = match format {
                    Format::Text => text::awaiting_check(
                        text::with_record(text::check(&given, n), record.as_ref(), recording.by),
                        record.as_ref(),
                    ),
                    Format::Json => {
                        json::recorded(&report, record.as_ref(), recording.by, stage.as_ref())
                    }
                    Format::Fhir => fhir::prepared_bags(&given, when)?,
                };
                (text, given.verdict())
            }
        };
        Ok((text, exit_code(verdict)))
    })
}

/// A check or preparation worked out and not recorded: for `celldose verify`, which compares it
/// with the record of the first.
pub struct Worked {
    /// The report, as a record holds it.
    pub report: serde_json::Value,
    /// The text a person reads.
    pub text: String,
    /// Its verdict.
    pub verdict: celldose::Verdict,
}

fn worked<R: serde::Serialize>(
    report: &R,
    text: String,
    verdict: celldose::Verdict,
) -> Result<Worked, Refusal> {
    let report = serde_json::to_value(report)
        .map_err(|e| Refusal(format!("the result cannot be written as JSON: {e}")))?;
    Ok(Worked {
        report,
        text,
        verdict,
    })
}

/// The delivery `args` describe, checked: the one computation of `check` and `verify`.
fn delivery_check(
    catalogue: &Catalogue,
    args: &CheckArgs,
    key: Option<&AuditKey>,
) -> Result<celldose::DeliveryCheck, Refusal> {
    let scans = args.from.scans();
    let fields = request::check(args, &scans);
    let (protocol, request) = fields.to_request(catalogue, FieldNames::Flags)?;
    let product = request::product(&args.from)?;
    let log = request::log_in_use(&args.dose, key);
    Ok(fields.check(protocol, &request, FieldNames::Flags, product.as_ref(), log)?)
}

/// The preparation `args` describe: the one computation of `prepare` and `verify`.
fn preparation(
    catalogue: &Catalogue,
    args: &PrepareArgs,
    key: Option<&AuditKey>,
) -> Result<Prepared, Refusal> {
    let scans = args.from.scans();
    let fields = request::prepare(args, &scans);
    let (protocol, request) = fields.to_request(catalogue, FieldNames::Flags)?;
    let product = request::product(&args.from)?;
    let log = request::log_in_use(&args.dose, key);
    Ok(fields.prepare(protocol, &request, FieldNames::Flags, product.as_ref(), log)?)
}

/// `check`'s result for `args`, without recording or printing it.
pub fn work_check(
    catalogue: &Catalogue,
    args: &CheckArgs,
    key: Option<&AuditKey>,
) -> Result<Worked, Refusal> {
    let check = delivery_check(catalogue, args, key)?;
    let n = notation(&args.dose.output);
    worked(
        &CheckReport::new(&check, n),
        text::check(&check, n),
        check.verdict(),
    )
}

/// `prepare`'s result for `args`, without recording or printing it.
pub fn work_prepare(
    catalogue: &Catalogue,
    args: &PrepareArgs,
    key: Option<&AuditKey>,
) -> Result<Worked, Refusal> {
    let n = notation(&args.dose.output);
    match preparation(catalogue, args, key)? {
        Prepared::Volume(prepared) => worked(
            &PrepareReport::new(&prepared, n),
            text::prepare(&prepared, n),
            prepared.verdict(),
        ),
        Prepared::Bags(given) => worked(
            &CheckReport::new(&given, n),
            text::check(&given, n),
            given.verdict(),
        ),
    }
}

/// The inputs of `check` as typed, for its audit record.
pub fn check_inputs<'a>(
    args: &'a CheckArgs,
    product: Option<&'a str>,
    scans: &'a str,
) -> Vec<(&'static str, Option<&'a str>)> {
    [
        ("cells", args.cells.as_deref()),
        ("tolerance", args.tolerance.as_deref()),
    ]
    .into_iter()
    .chain(product_inputs(&args.from, product))
    .chain([("scan", (!scans.is_empty()).then_some(scans))])
    .collect()
}

/// The inputs of `prepare` as typed, for its audit record.
pub fn prepare_inputs<'a>(
    args: &'a PrepareArgs,
    product: Option<&'a str>,
    scans: &'a str,
) -> Vec<(&'static str, Option<&'a str>)> {
    [
        ("concentration", args.concentration.as_deref()),
        ("viable-concentration", args.viable_concentration.as_deref()),
        ("viability", args.viability.as_deref()),
        ("positive", args.positive.as_deref()),
        ("available", args.available.as_deref()),
        ("step", Some(args.step.as_str())),
        ("tolerance", args.tolerance.as_deref()),
    ]
    .into_iter()
    .chain(product_inputs(&args.from, product))
    .chain([("scan", (!scans.is_empty()).then_some(scans))])
    .collect()
}

/// When the cells were or will be given, for `--format fhir`; `--administered-at` is refused
/// with another format, where it would say nothing.
fn administered_at(
    output: &OutputArgs,
    from: &ProductArgs,
) -> Result<celldose::fhir::When, Refusal> {
    if output.format != Format::Fhir && from.administered_at.is_some() {
        return Err(Refusal(
            "--administered-at applies with --format fhir, the only output that records when cells are given".into(),
        ));
    }
    fhir::when(from.administered_at.as_deref())
}

/// How numbers are written: `--ascii` or not.
pub fn notation(output: &OutputArgs) -> Notation {
    if output.ascii {
        Notation::Ascii
    } else {
        Notation::Unicode
    }
}

/// The stage of a check or preparation that gave a result: it awaits its independent double
/// check (`celldose verify`).
fn awaiting_check() -> Option<celldose::audit::Stage> {
    Some(celldose::audit::Stage::Prepared)
}

/// Appends the calculation to `--audit-log`, if given, before anything is printed: a result that
/// could not be recorded is not shown as if it were.
pub fn audit<R: serde::Serialize>(
    args: &DoseArgs,
    recording: Recording<'_>,
    command: &str,
    extra: &[(&str, Option<&str>)],
    report: &R,
    stage: Option<celldose::audit::Stage>,
) -> Result<Option<celldose::audit::RecordId>, Refusal> {
    let Some(path) = &args.audit_log else {
        return Ok(None);
    };
    let typed = [
        ("protocol", Some(args.protocol.as_str())),
        ("arm", args.arm.as_deref()),
        ("level", args.level.as_deref()),
        ("dose", args.dose.as_deref()),
        ("weight", Some(args.weight.as_str())),
        ("age", args.age.as_deref()),
        ("born", args.born.as_deref()),
        ("on", args.on.as_deref()),
        ("acknowledge", args.acknowledge.as_deref()),
        ("rounding", Some(args.rounding.as_str())),
        ("current-weight", args.current_weight.as_deref()),
        ("patient", args.patient.as_deref()),
    ];
    let input: Vec<(&str, &str)> = typed
        .iter()
        .chain(extra)
        .filter_map(|(flag, value)| value.map(|value| (*flag, value)))
        .collect();
    let how = celldose::audit::Appending::default().key(recording.key.cloned());
    let mut log = celldose::audit::AuditLog::open_with(path, &how)?;
    log.sign_as(recording.by.cloned());
    log.at_stage(stage);
    Ok(Some(log.append(command, &input, report)?))
}

/// Runs a calculation and, when it is refused and `--audit-log` is given, records the refusal
/// with the raw inputs, so that the log holds every request, answered or not. A log that cannot
/// take the record leaves the refusal as it was.
fn logged(
    args: &DoseArgs,
    recording: Recording<'_>,
    command: &str,
    extra: &[(&str, Option<&str>)],
    calculate: impl FnOnce() -> Result<(String, u8), Refusal>,
) -> Result<(String, u8), Refusal> {
    let result = calculate();
    if let Err(Refusal(message)) = &result {
        let _ = audit(
            args,
            recording,
            command,
            extra,
            &celldose::audit::Refused(message),
            None,
        );
    }
    result
}
