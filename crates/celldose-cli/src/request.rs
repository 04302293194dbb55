//! What the user typed, handed to the library as its request fields: every flag of `dose`,
//! `check` and `prepare` under the name the library's [`RequestText`] gives it, so reading each
//! value, computing the result and every refusal are the library's, as for the page and a log.

use celldose::entry::LogInUse;
use celldose::{Catalogue, Certificate, RequestText};

use crate::cli::{CheckArgs, DoseArgs, PrepareArgs, ProductArgs};
use crate::refusal::Refusal;

/// The protocols and trial state the command line names, read through the library's loader.
pub fn catalogue(library: &celldose::regimen::Library) -> Result<Catalogue, Refusal> {
    Ok(library.load()?)
}

/// The fields of `dose`.
pub fn dose(args: &DoseArgs) -> RequestText<'_> {
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
        current_weight: args.current_weight.as_deref(),
        patient: args.patient.as_deref(),
        ..RequestText::default()
    }
}

/// The fields of a product file's use, for `check` and `prepare`; `scans` are the `--scan`s, one
/// a line.
fn from_product<'a>(
    dose: RequestText<'a>,
    from: &'a ProductArgs,
    scans: &'a str,
) -> RequestText<'a> {
    RequestText {
        scan: (!scans.is_empty()).then_some(scans),
        thawed_at: from.thawed_at.as_deref(),
        thaw_started_at: from.thaw_started_at.as_deref(),
        infusion_start: from.infusion_start.as_deref(),
        bags: from.bags.as_deref(),
        infusion: from.infusion.as_deref(),
        given: from.given.as_deref(),
        given_from_log: from.given_from_log,
        given_dmso: from.given_dmso.as_deref(),
        ..dose
    }
}

/// The fields of `check`.
pub fn check<'a>(args: &'a CheckArgs, scans: &'a str) -> RequestText<'a> {
    RequestText {
        cells: args.cells.as_deref(),
        tolerance: args.tolerance.as_deref(),
        ..from_product(dose(&args.dose), &args.from, scans)
    }
}

/// The fields of `prepare`.
pub fn prepare<'a>(args: &'a PrepareArgs, scans: &'a str) -> RequestText<'a> {
    RequestText {
        concentration: args.concentration.as_deref(),
        viable_concentration: args.viable_concentration.as_deref(),
        viability: args.viability.as_deref(),
        positive: args.positive.as_deref(),
        available: args.available.as_deref(),
        step: Some(&args.step),
        tolerance: args.tolerance.as_deref(),
        ..from_product(dose(&args.dose), &args.from, scans)
    }
}

/// The product file `--product` names, read and checked.
pub fn product(from: &ProductArgs) -> Result<Option<Certificate>, Refusal> {
    Ok(from
        .product
        .as_deref()
        .map(Certificate::from_path)
        .transpose()?)
}

/// The audit log `--audit-log` names, where `--given-from-log` reads the earlier infusions.
pub fn log_in_use<'a>(
    args: &'a DoseArgs,
    key: Option<&'a celldose::audit::AuditKey>,
) -> Option<LogInUse<'a>> {
    args.audit_log.as_deref().map(|path| LogInUse { path, key })
}
