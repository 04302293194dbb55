//! What the user typed, checked into the library's typed request.

use celldose::calculation::{Course, Delivery};
use celldose::{
    Catalogue, Certificate, DoseRequest, FieldNames, Percent, Protocol, RequestText, TrialState,
};

use crate::cli::{CheckArgs, DoseArgs, PrepareArgs};

/// A refused request: one line naming the flag, the value and what would be accepted.
#[derive(Debug)]
pub struct Refusal(pub String);

impl Refusal {
    fn flag(flag: &str, error: impl std::fmt::Display) -> Self {
        Self(format!("{flag}: {error}"))
    }
}

/// The value of a required flag, read by the library's own parser.
fn required<T: std::str::FromStr<Err = celldose::Error>>(
    flag: &str,
    text: &str,
) -> Result<T, Refusal> {
    text.parse().map_err(|e| Refusal::flag(flag, e))
}

/// The value of an optional flag, read by the library's own parser.
fn optional<T: std::str::FromStr<Err = celldose::Error>>(
    flag: &str,
    text: Option<&str>,
) -> Result<Option<T>, Refusal> {
    text.map(|text| required(flag, text)).transpose()
}

impl From<celldose::Error> for Refusal {
    fn from(error: celldose::Error) -> Self {
        Self(error.to_string())
    }
}

impl From<celldose::escalation::Error> for Refusal {
    fn from(error: celldose::escalation::Error) -> Self {
        Self(error.to_string())
    }
}

/// The protocols and trial state the command line names, read through the library's loader.
pub fn catalogue(library: &celldose::regimen::Library) -> Result<Catalogue, Refusal> {
    Ok(library.load()?)
}

/// Reads and checks a trial state file.
pub fn load_trial_state(path: &std::path::Path) -> Result<TrialState, Refusal> {
    Ok(celldose::regimen::load_trial_state_file(path)?)
}

/// Reads and checks one protocol file.
pub fn load(path: &std::path::Path) -> Result<Protocol, Refusal> {
    Ok(celldose::regimen::load_protocol_file(path)?)
}

/// The fields of `dose`, `check` and `prepare` as typed.
fn text<'a>(args: &'a DoseArgs) -> RequestText<'a> {
    RequestText {
        protocol: &args.protocol,
        arm: args.arm.as_deref(),
        level: args.level.as_deref(),
        dose: args.dose.as_deref(),
        weight: &args.weight,
        age: args.age.as_deref(),
        born: args.born.as_deref(),
        on: args.on.as_deref(),
        rounding: Some(&args.rounding),
        acknowledge: args.acknowledge.as_deref(),
        cells: None,
        tolerance: None,
        current_weight: args.current_weight.as_deref(),
        patient: args.patient.as_deref(),
        infusion: None,
        given: None,
        bags: None,
        given_dmso: None,
    }
}

/// The request with the DMSO given earlier that day, where `--given-dmso` states it.
pub fn with_dmso_today(
    request: DoseRequest,
    from: &crate::cli::ProductArgs,
) -> Result<DoseRequest, Refusal> {
    Ok(match &from.given_dmso {
        Some(text) => request.with_dmso_given_today(required("--given-dmso", text)?),
        None => request,
    })
}

/// The protocol and typed request for `dose`, `check` and `prepare`, converted by the same
/// library function `celldose batch` uses.
pub fn dose_request<'c>(
    catalogue: &'c Catalogue,
    args: &DoseArgs,
) -> Result<(&'c Protocol, DoseRequest), Refusal> {
    Ok(text(args).to_request(catalogue, FieldNames::Flags)?)
}

/// What was delivered, the tolerance and the infusion of a split dose, for `check`: a count, or
/// the bags of a product file, read by the same library functions `celldose batch` uses.
pub fn delivered(
    args: &CheckArgs,
    protocol: &Protocol,
    request: &DoseRequest,
    key: Option<&celldose::audit::AuditKey>,
) -> Result<(Delivery, Option<Percent>, Option<Course>), Refusal> {
    let fields = RequestText {
        cells: args.cells.as_deref(),
        tolerance: args.tolerance.as_deref(),
        bags: args.from.bags.as_deref(),
        infusion: args.from.infusion.as_deref(),
        given: args.from.given.as_deref(),
        ..text(&args.dose)
    };
    let course = fields.course(FieldNames::Flags)?;
    let course = from_log(&args.from, &args.dose, protocol, request, course, key)?;
    let (cells, tolerance) = fields.delivery(FieldNames::Flags)?;
    let delivery = match (cells, &args.from.product) {
        (Some(cells), _) => Delivery::count(cells),
        (None, Some(path)) => fields.delivery_from(&load_product(path)?, FieldNames::Flags)?,
        (None, None) => return Err(Refusal("--cells or --product is required".into())),
    };
    Ok((delivery, tolerance, course))
}

/// Whether `path` holds a product file rather than a protocol file: a line that is exactly
/// `[[bag]]`, the table only product files have. Only the first bytes a file may have are read.
pub fn is_product_file(path: &std::path::Path) -> bool {
    use std::io::Read as _;
    let regular = std::fs::metadata(path).is_ok_and(|m| m.is_file());
    let Some(file) = regular.then(|| std::fs::File::open(path).ok()).flatten() else {
        return false;
    };
    let most = u64::try_from(celldose::certificate::PRODUCT_MAX_BYTES).unwrap_or(u64::MAX);
    let mut bytes = Vec::new();
    if file.take(most).read_to_end(&mut bytes).is_err() {
        return false;
    }
    bytes
        .split(|b| *b == b'\n')
        .any(|line| line.trim_ascii() == b"[[bag]]")
}

/// The course with what was given before read from the audit log, where --given-from-log asks.
fn from_log(
    from: &crate::cli::ProductArgs,
    dose: &DoseArgs,
    protocol: &Protocol,
    request: &DoseRequest,
    course: Option<Course>,
    key: Option<&celldose::audit::AuditKey>,
) -> Result<Option<Course>, Refusal> {
    let Some(course) = course.clone().filter(|_| from.given_from_log) else {
        return Ok(course);
    };
    let (Some(log), Some(patient)) = (&dose.audit_log, request.patient()) else {
        return Err(Refusal(
            "--given-from-log reads the earlier infusions from --audit-log by --patient; give both"
                .into(),
        ));
    };
    let arm = protocol.calculate(request)?.arm().map(str::to_owned);
    let earlier = celldose::audit::given_before(
        log,
        patient,
        protocol.id(),
        arm.as_deref(),
        course.number(),
        key,
    )?;
    Ok(Some(course.with_given_from_log(earlier)?))
}

/// Reads and checks a product file.
pub fn load_product(path: &std::path::Path) -> Result<Certificate, Refusal> {
    Ok(Certificate::from_path(path)?)
}

/// What `prepare` draws from: one product described by flags, or the bags of a product file.
pub enum Source {
    /// A concentration, viability and volume typed as flags.
    Flags(celldose::Product),
    /// A product file, the bags chosen from it, and the infusion of a split dose.
    Bags(Certificate, Vec<String>, Option<Course>),
}

/// The product, step and tolerance for `prepare`, read by the same library functions the web
/// page and `celldose batch` use.
pub fn product(
    args: &PrepareArgs,
    protocol: &Protocol,
    request: &DoseRequest,
    key: Option<&celldose::audit::AuditKey>,
) -> Result<(Source, celldose::Volume, Option<Percent>), Refusal> {
    let tolerance = optional("--tolerance", args.tolerance.as_deref())?;
    if let Some(path) = &args.from.product {
        let fields = RequestText {
            bags: args.from.bags.as_deref(),
            infusion: args.from.infusion.as_deref(),
            given: args.from.given.as_deref(),
            ..text(&args.dose)
        };
        let certificate = load_product(path)?;
        let ids = fields
            .bag_selection(&certificate, FieldNames::Flags)?
            .iter()
            .map(|b| b.id().to_owned())
            .collect();
        let course = fields.course(FieldNames::Flags)?;
        let course = from_log(&args.from, &args.dose, protocol, request, course, key)?;
        let step = required("--step", &args.step)?;
        return Ok((Source::Bags(certificate, ids, course), step, tolerance));
    }
    let text = celldose::ProductText {
        concentration: args.concentration.as_deref().unwrap_or_default(),
        viable_concentration: args.viable_concentration.as_deref(),
        viability: args.viability.as_deref().unwrap_or_default(),
        positive: args.positive.as_deref(),
        available: args.available.as_deref().unwrap_or_default(),
        step: Some(&args.step),
    };
    let (product, step) = text.to_product(FieldNames::Flags)?;
    Ok((Source::Flags(product), step, tolerance))
}
