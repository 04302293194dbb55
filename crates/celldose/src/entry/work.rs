//! What a request asks for (a dose, a check, a preparation) computed from its fields: the one
//! path from typed text to a result that the command line, the page, its API and a log's rows all
//! take, so a request gives the same result, or is refused in the same words, wherever it came
//! from.

use std::path::Path;

use super::fields::{read, read_optional};
use super::{FieldNames, RequestText};
#[cfg(feature = "audit")]
use crate::audit::AuditKey;
use crate::calculation::{
    Calculation, Course, Delivery, DeliveryCheck, DoseRequest, Preparation, Prepared, Verdict,
};
use crate::certificate::Certificate;
use crate::error::{Error, Result};
use crate::regimen::Protocol;

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Job {
    /// The patient's dose and whether it is inside the protocol.
    Dose,
    /// What was given (a count, or the bags of a product file) against the dose and the protocol.
    Check,
    /// What to give: the volume to draw, or which bags and how much of the last.
    Prepare,
}

impl Job {
    /// The command's name, as on the command line and in the audit log: `dose`, `check`,
    /// `prepare`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Dose => "dose",
            Self::Check => "check",
            Self::Prepare => "prepare",
        }
    }
}

/// What a request comes to. Not `non_exhaustive`: a caller that prints or records outcomes is
/// told by the compiler when a new kind appears.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// A dose.
    Dose(Calculation),
    /// A check of what was given; also what `prepare` chooses from a product file's bags, which
    /// is checked as given.
    Check(DeliveryCheck),
    /// The volume to draw from a product described by its figures.
    Prepare(Preparation),
}

impl Outcome {
    /// The verdict.
    pub fn verdict(&self) -> Verdict {
        match self {
            Self::Dose(c) => c.verdict(),
            Self::Check(c) => c.verdict(),
            Self::Prepare(p) => p.verdict(),
        }
    }

    /// The patient's dose the result rests on.
    pub fn calculation(&self) -> &Calculation {
        match self {
            Self::Dose(c) => c,
            Self::Check(c) => c.calculation(),
            Self::Prepare(p) => p.calculation(),
        }
    }
}

/// The audit log a request is recorded in, where what earlier infusions gave can be read from
/// (`given_from_log`), and the site key its records are checked with.
#[cfg(feature = "audit")]
#[derive(Debug, Clone, Copy)]
pub struct LogInUse<'a> {
    /// The audit log's path.
    pub path: &'a Path,
    /// The site's audit key, where records are keyed.
    pub key: Option<&'a AuditKey>,
}

/// Without the `audit` feature there is no audit log to read earlier infusions from: this type
/// has no value, and `None` is the only log a request can name.
#[cfg(not(feature = "audit"))]
#[derive(Debug, Clone, Copy)]
pub enum LogInUse<'a> {
    #[doc(hidden)]
    Never(
        core::convert::Infallible,
        core::marker::PhantomData<&'a Path>,
    ),
}

impl RequestText<'_> {
    /// Computes what `job` asks for, for the protocol and request these fields gave
    /// ([`RequestText::to_request`]). `product` is the product file the fields name (read by the
    /// caller from a path, a cache or pasted text), `log` the audit log in use.
    ///
    /// # Errors
    /// A field that does not parse or does not apply to `job`; a count and a product both given,
    /// or neither for a check; a request the protocol cannot answer. Each message starts with the
    /// field's name as `names` writes it where one field is at fault.
    ///
    /// ```
    /// use celldose::entry::{Job, Outcome};
    /// use celldose::{Catalogue, FieldNames, RequestText, Verdict};
    /// let catalogue = Catalogue::builtin()?;
    /// let text = RequestText { protocol: "NCT07276568", arm: Some("alf"), level: Some("1"), weight: "72.5kg", cells: Some("1.2e9"), tolerance: Some("10%"), ..RequestText::default() };
    /// let (protocol, request) = text.to_request(&catalogue, FieldNames::Columns)?;
    /// let outcome = text.compute(Job::Check, protocol, &request, FieldNames::Columns, None, None)?;
    /// assert!(matches!(outcome, Outcome::Check(_)));
    /// assert_eq!(outcome.verdict(), Verdict::Within);
    /// let neither = RequestText { cells: None, ..text };
    /// let refused = neither.compute(Job::Check, protocol, &request, FieldNames::Flags, None, None);
    /// assert_eq!(refused.unwrap_err().to_string(), "--cells or --product is required");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn compute(
        &self,
        job: Job,
        protocol: &Protocol,
        request: &DoseRequest,
        names: FieldNames,
        product: Option<&Certificate>,
        log: Option<LogInUse<'_>>,
    ) -> Result<Outcome> {
        match job {
            Job::Dose => Ok(Outcome::Dose(protocol.calculate(request)?)),
            Job::Check => self
                .check(protocol, request, names, product, log)
                .map(Outcome::Check),
            Job::Prepare => Ok(
                match self.prepare(protocol, request, names, product, log)? {
                    Prepared::Volume(preparation) => Outcome::Prepare(preparation),
                    Prepared::Bags(given) => Outcome::Check(given),
                },
            ),
        }
    }

    /// What was given (the count, or the bags of `product`) checked against the request: the
    /// [`Job::Check`] of [`RequestText::compute`].
    ///
    /// # Errors
    /// As [`RequestText::compute`].
    pub fn check(
        &self,
        protocol: &Protocol,
        request: &DoseRequest,
        names: FieldNames,
        product: Option<&Certificate>,
        log: Option<LogInUse<'_>>,
    ) -> Result<DeliveryCheck> {
        let course = self.course(names)?;
        let course = self.with_log(course, protocol, request, names, log)?;
        let (cells, tolerance) = self.delivery(names)?;
        let delivery = match (cells, product) {
            (Some(_), Some(_)) => return Err(both_given(names)),
            (Some(cells), None) => Delivery::count(cells),
            (None, Some(product)) => self.delivery_from(product, names)?,
            (None, None) => return Err(neither_given(names)),
        };
        if self.bags.is_some() && product.is_none() {
            return Err(bags_without_product(names));
        }
        let custody = self.custody(names)?;
        let check = protocol.check_delivery(request, &delivery, tolerance, course)?;
        match product {
            Some(product) => self.with_custody(check, &custody, product, protocol, names),
            // Labels are matched against a product file; without one, only the protocol's thaw
            // clock can be judged, and where it states a limit it is.
            None if !custody.scans().is_empty() => Err(custody_without_product(names)),
            None => {
                let handling = &protocol.product_rules().handling;
                if handling.thaw_limit().is_none() && !custody.is_empty() {
                    return Err(custody_without_product(names));
                }
                check
                    .with_thaw_clock(&custody, handling)
                    .map_err(|error| times_named(error, names))
            }
        }
    }

    /// `check` with the chain of identity and custody of `product`'s bags judged; a refusal
    /// about the patient is named by the patient's field.
    fn with_custody(
        &self,
        check: DeliveryCheck,
        custody: &crate::calculation::Custody,
        product: &Certificate,
        protocol: &Protocol,
        names: FieldNames,
    ) -> Result<DeliveryCheck> {
        check
            .with_custody(custody, product, &protocol.product_rules().handling)
            .map_err(|error| times_named(error, names))
    }

    /// What to give: from `product`'s bags (checked as given), or the volume to draw from a
    /// product described by its figures: the [`Job::Prepare`] of [`RequestText::compute`].
    ///
    /// # Errors
    /// As [`RequestText::compute`].
    pub fn prepare(
        &self,
        protocol: &Protocol,
        request: &DoseRequest,
        names: FieldNames,
        product: Option<&Certificate>,
        log: Option<LogInUse<'_>>,
    ) -> Result<Prepared> {
        let tolerance = read_optional(names, "tolerance", self.tolerance)?;
        if let Some(product) = product {
            let bags = self.bag_selection(product, names)?;
            let course = self.course(names)?;
            let course = self.with_log(course, protocol, request, names, log)?;
            let step = read(names, "step", self.step.unwrap_or("0.1mL"))?;
            let custody = self.custody(names)?;
            let given =
                protocol.prepare_from_bags(request, product, &bags, step, tolerance, course)?;
            return Ok(Prepared::Bags(
                self.with_custody(given, &custody, product, protocol, names)?,
            ));
        }
        if !self.custody(names)?.is_empty() {
            return Err(custody_without_product(names));
        }
        if self.infusion.is_some() {
            return Err(Error::Request(format!(
                "{} applies to a product file ({}); with {}, prepare the volume for this infusion's share as its own dose",
                names.name("infusion"),
                names.name(product_field(names)),
                names.name("concentration"),
            )));
        }
        if self.bags.is_some() {
            return Err(bags_without_product(names));
        }
        let (figures, step) = self.to_product(names)?;
        Ok(Prepared::Volume(
            protocol.prepare(request, &figures, step, tolerance)?,
        ))
    }

    /// The infusion, with what earlier infusions gave read from the audit log where the fields
    /// ask for it.
    #[cfg(feature = "audit")]
    fn with_log(
        &self,
        course: Option<Course>,
        protocol: &Protocol,
        request: &DoseRequest,
        names: FieldNames,
        log: Option<LogInUse<'_>>,
    ) -> Result<Option<Course>> {
        let Some(course) = course.clone().filter(|_| self.given_from_log) else {
            return Ok(course);
        };
        let (Some(log), Some(patient)) = (log, request.patient()) else {
            return Err(Error::Request(format!(
                "{} reads the earlier infusions from {} by {}; give both",
                names.name("given-from-log"),
                names.name("audit-log"),
                names.name("patient")
            )));
        };
        let arm = protocol.calculate(request)?.arm().map(str::to_owned);
        let earlier = crate::audit::given_before(
            log.path,
            patient,
            protocol.id(),
            arm.as_deref(),
            course.number(),
            log.key,
        )?;
        course.with_given_from_log(earlier).map(Some)
    }

    /// Without the `audit` feature no log can be read: a request that asks to read what earlier
    /// infusions gave from one is refused.
    #[cfg(not(feature = "audit"))]
    fn with_log(
        &self,
        course: Option<Course>,
        _protocol: &Protocol,
        _request: &DoseRequest,
        names: FieldNames,
        log: Option<LogInUse<'_>>,
    ) -> Result<Option<Course>> {
        if let Some(LogInUse::Never(never, _)) = log {
            match never {}
        }
        if self.given_from_log && course.is_some() {
            return Err(Error::Request(format!(
                "{} reads the earlier infusions from an audit log, and this build of celldose has none (the audit feature)",
                names.name("given-from-log")
            )));
        }
        Ok(course)
    }
}

/// The field that names a product file: a path on the command line and in a log, the file's
/// text on the page.
fn product_field(names: FieldNames) -> &'static str {
    match names {
        FieldNames::Form => "product_file",
        FieldNames::Flags | FieldNames::Columns => "product",
    }
}

fn both_given(names: FieldNames) -> Error {
    Error::Request(match names {
        FieldNames::Flags => "--cells and --product cannot be used together; give one: a product's bags give the count".to_owned(),
        FieldNames::Columns => "cells and product are both given; give one: a product's bags give the count".to_owned(),
        FieldNames::Form => "cells: give the delivered count or the product file, not both: the product's bags give the count".to_owned(),
    })
}

fn neither_given(names: FieldNames) -> Error {
    Error::Request(match names {
        FieldNames::Flags => "--cells or --product is required".to_owned(),
        FieldNames::Columns => {
            "cells or product is required: the count that was delivered, or a product file's path"
                .to_owned()
        }
        FieldNames::Form => {
            "cells: it is required: the count that was delivered, or paste the product file below"
                .to_owned()
        }
    })
}

/// A refusal of the chain of custody named by the field it is about.
fn times_named(error: Error, names: FieldNames) -> Error {
    match error {
        Error::Request(message) => match message.split_once(": ") {
            Some((field, rest)) if ["patient", "thawed-at", "thaw-started-at"].contains(&field) => {
                names.field(field, Error::Request(rest.to_owned()))
            }
            _ => Error::Request(message),
        },
        other => other,
    }
}

/// Labels or thaw times given without a product file.
fn custody_without_product(names: FieldNames) -> Error {
    Error::Request(format!(
        "{}, {} and {} apply to the bags of a product file ({}); give the product file, or leave them out",
        names.name("scan"),
        names.name("thawed-at"),
        names.name("infusion-start"),
        names.name(product_field(names)),
    ))
}

fn bags_without_product(names: FieldNames) -> Error {
    Error::Request(match names {
        FieldNames::Columns => {
            "bags is given but product is empty; bags name bags of a product file".to_owned()
        }
        FieldNames::Flags | FieldNames::Form => format!(
            "{} names bags of a product file; give {} too",
            names.name("bags"),
            names.name(product_field(names))
        ),
    })
}
