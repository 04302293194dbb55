//! From bag to patient, on the clock: the chain of identity (the product was made for this
//! patient; the labels scanned are this product's bags) and of custody (nothing given past its
//! expiry, or later after thaw than the protocol or the product allows).
//!
//! Judged for a product's bags: by `check --product` and by `prepare --product`, where the bags
//! are chosen. The findings join the check's, so a wrong patient, a wrong product, an expired bag
//! or a thaw window exceeded is a hard finding and the verdict is `outside`, whatever the count.

use crate::certificate::{Certificate, ProductCode, Recipient, Scan};
use crate::error::{Error, Result};
use crate::units::{Expiry, Handling, Minutes, Moment, ThawClock};

use super::{Finding, FindingCode, Severity};

/// What the chain of custody is checked with: the labels scanned (as typed) and the times of the
/// thaw and of the infusion's start. The patient is the request's.
///
/// ```
/// use celldose::calculation::Custody;
/// let custody = Custody::default()
///     .with_scan("=W12342600041700")?
///     .with_thawed_at("2026-12-05T14:30:00+01:00".parse()?)
///     .with_infusion_start("2026-12-05T14:50:00+01:00".parse()?);
/// assert_eq!(custody.scans().len(), 1);
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Custody {
    scans: Vec<(String, Scan)>,
    thawed_at: Option<Moment>,
    thaw_started_at: Option<Moment>,
    infusion_start: Option<Moment>,
}

impl Custody {
    /// The same, with one more label scanned.
    ///
    /// # Errors
    /// A scan that is not an ISBT 128 data structure celldose reads (see [`Scan`]).
    pub fn with_scan(mut self, typed: &str) -> Result<Self> {
        let scan = Scan::parse(typed)?;
        self.scans.push((typed.trim_matches(' ').to_owned(), scan));
        Ok(self)
    }

    /// The same, with the moment thawing was complete.
    #[must_use]
    pub fn with_thawed_at(mut self, at: Moment) -> Self {
        self.thawed_at = Some(at);
        self
    }

    /// The same, with the moment thawing started.
    #[must_use]
    pub fn with_thaw_started_at(mut self, at: Moment) -> Self {
        self.thaw_started_at = Some(at);
        self
    }

    /// The same, with the moment the infusion starts (now, where not given).
    #[must_use]
    pub fn with_infusion_start(mut self, at: Moment) -> Self {
        self.infusion_start = Some(at);
        self
    }

    /// The scans, as typed and as read.
    pub fn scans(&self) -> &[(String, Scan)] {
        &self.scans
    }

    /// Whether nothing but the request's patient is given.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// What the chain of identity and custody came to, for the worksheet and the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodyCheck {
    pub(crate) recipient: Option<Recipient>,
    pub(crate) patient: Option<String>,
    pub(crate) scans: Vec<(String, Scan)>,
    pub(crate) expires: Vec<(String, Expiry)>,
    pub(crate) thawed_at: Option<Moment>,
    pub(crate) thaw_started_at: Option<Moment>,
    pub(crate) infusion_start: Moment,
    pub(crate) limit: Option<ThawLimit>,
}

/// The thaw limit that binds: its length, the moment it counts from, who states it, and the
/// latest start of the infusion where that moment is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThawLimit {
    pub(crate) max: Minutes,
    pub(crate) clock: ThawClock,
    pub(crate) stated_by: &'static str,
    pub(crate) infuse_by: Option<Moment>,
    pub(crate) minutes_since: Option<i64>,
}

impl ThawLimit {
    /// The longest wait.
    pub fn max(&self) -> Minutes {
        self.max
    }
    /// The moment of the thaw it counts from.
    pub fn clock(&self) -> ThawClock {
        self.clock
    }
    /// `protocol` or `product`.
    pub fn stated_by(&self) -> &'static str {
        self.stated_by
    }
    /// The latest the infusion may start, where the thaw time is known.
    pub fn infuse_by(&self) -> Option<Moment> {
        self.infuse_by
    }
    /// Whole minutes from that moment of the thaw to the infusion's start, where known.
    pub fn minutes_since(&self) -> Option<i64> {
        self.minutes_since
    }
}

impl CustodyCheck {
    /// Who the product was made for, as its file says.
    pub fn recipient(&self) -> Option<&Recipient> {
        self.recipient.as_ref()
    }
    /// The patient being dosed, where given.
    pub fn patient(&self) -> Option<&str> {
        self.patient.as_deref()
    }
    /// The labels scanned, as typed and as read.
    pub fn scans(&self) -> &[(String, Scan)] {
        &self.scans
    }
    /// The expiries that apply: the product's and each bag given's, by what states them.
    pub fn expires(&self) -> &[(String, Expiry)] {
        &self.expires
    }
    /// When thawing was complete, where given.
    pub fn thawed_at(&self) -> Option<Moment> {
        self.thawed_at
    }
    /// When thawing started, where given.
    pub fn thaw_started_at(&self) -> Option<Moment> {
        self.thaw_started_at
    }
    /// When the infusion starts.
    pub fn infusion_start(&self) -> Moment {
        self.infusion_start
    }
    /// The thaw limit that binds, where one is stated.
    pub fn limit(&self) -> Option<&ThawLimit> {
        self.limit.as_ref()
    }
}

fn finding(severity: Severity, code: FindingCode, clause: &str, message: String) -> Finding {
    Finding::new(severity, code, clause, move |_| message.clone())
}

/// Judges the chain of identity and custody of `bags` (ids) of `product`, given to `patient`
/// under a protocol that handles its product as `handling` says.
///
/// # Errors
/// A product made for one patient with no patient given; a thaw after the infusion's start, or
/// a thaw started after it was complete.
pub(crate) fn judge(
    custody: &Custody,
    product: &Certificate,
    bags: &[&str],
    patient: Option<&str>,
    handling: &Handling,
) -> Result<(CustodyCheck, Vec<Finding>)> {
    let identity = product.identity();
    let mut findings = Vec::new();
    let clause = format!("product {}", identity.id());

    // Chain of identity: made for this patient.
    match (identity.recipient(), patient) {
        (Some(Recipient::Patient(recipient)), None) => {
            return Err(Error::Request(format!(
                "patient: product {} was made for one patient ({recipient}); give the patient being dosed, which must be theirs",
                identity.id()
            )));
        }
        (Some(Recipient::Patient(recipient)), Some(patient)) if recipient != patient => {
            findings.push(finding(
                Severity::Hard,
                FindingCode::WrongRecipient,
                &format!("{clause}: recipient"),
                format!(
                    "WRONG PATIENT: product {} was made for patient {recipient}, and this is patient {patient}; do not infuse",
                    identity.id()
                ),
            ));
        }
        (None, _) => findings.push(finding(
            Severity::Soft,
            FindingCode::RecipientNotStated,
            &format!("{clause}: recipient"),
            format!(
                "the product file of {} does not say who the product was made for (recipient), so it cannot be matched to the patient; check the certificate and the labels against the patient's identifiers",
                identity.id()
            ),
        )),
        _ => {}
    }

    // The labels scanned: this product's DIN, a code of a bag of it, every bag given scanned.
    let chosen: Vec<&crate::certificate::Bag> = product
        .bags()
        .iter()
        .filter(|bag| bags.contains(&bag.id()))
        .collect();
    let code_of = |bag: &crate::certificate::Bag| -> Option<ProductCode> {
        bag.product_code().or(identity.product_code()).cloned()
    };
    let mut label_expiries: Vec<(String, Expiry)> = Vec::new();
    if !custody.scans.is_empty() {
        let mut dins = 0usize;
        for (typed, scan) in &custody.scans {
            match scan {
                Scan::Din(din) => {
                    dins = dins.saturating_add(1);
                    if identity.din() != Some(din) {
                        let expected = identity.din().map_or_else(
                            || "states no DIN to match".to_owned(),
                            |d| format!("is DIN {d}"),
                        );
                        findings.push(finding(
                            Severity::Hard,
                            FindingCode::WrongProduct,
                            &format!("{clause}: donation identification number"),
                            format!(
                                "WRONG PRODUCT: the label scanned ({}) is DIN {din}, and product {} {expected}; do not infuse",
                                crate::text::Shown(typed),
                                identity.id()
                            ),
                        ));
                    }
                }
                Scan::ProductCode(code) => {
                    if !product
                        .bags()
                        .iter()
                        .any(|bag| code_of(bag).as_ref() == Some(code))
                    {
                        let known: Vec<String> = product
                            .bags()
                            .iter()
                            .map(|bag| {
                                code_of(bag).map_or_else(
                                    || format!("bag {}: no code", bag.id()),
                                    |c| format!("bag {}: {c}", bag.id()),
                                )
                            })
                            .collect();
                        findings.push(finding(
                            Severity::Hard,
                            FindingCode::BagNotInProduct,
                            &format!("{clause}: product code"),
                            format!(
                                "the label scanned has product code {code}, which is no bag of product {} ({}); do not infuse a bag that is not this product's",
                                identity.id(),
                                known.join(", ")
                            ),
                        ));
                    }
                }
                Scan::Expires(expiry) => label_expiries.push((format!("label {typed}"), *expiry)),
            }
        }
        let mut not_scanned: Vec<String> = Vec::new();
        if dins == 0 {
            not_scanned.push("no DIN was scanned".to_owned());
        }
        // Each bag given needs a scan of its code; bags that share a code need a scan each.
        let mut used: Vec<usize> = Vec::new();
        for bag in &chosen {
            let code = code_of(bag);
            let found = custody.scans.iter().enumerate().position(|(index, (_, scan))| {
                !used.contains(&index)
                    && matches!(scan, Scan::ProductCode(scanned) if Some(scanned) == code.as_ref())
            });
            match found {
                Some(index) => used.push(index),
                None => not_scanned.push(format!("bag {} was not scanned", bag.id())),
            }
        }
        if !not_scanned.is_empty() {
            findings.push(finding(
                Severity::Soft,
                FindingCode::BagNotScanned,
                &format!("{clause}: labels"),
                format!(
                    "{}; scan the DIN and the product code of every bag given",
                    not_scanned.join("; ")
                ),
            ));
        }
    }

    // Expiry: the product's, each bag given's, each label's.
    let start = custody.infusion_start.unwrap_or_else(Moment::now);
    let mut expires: Vec<(String, Expiry)> = Vec::new();
    if let Some(expiry) = identity.expires() {
        expires.push((format!("product {}", identity.id()), expiry));
    }
    for bag in &chosen {
        if let Some(expiry) = bag.expires() {
            expires.push((format!("bag {}", bag.id()), expiry));
        }
    }
    expires.extend(label_expiries);
    for (what, expiry) in &expires {
        if expiry.expired_at(&start) {
            findings.push(finding(
                Severity::Hard,
                FindingCode::ProductExpired,
                &format!("{clause}: expiry"),
                format!(
                    "EXPIRED: {what} expired {expiry}, and the infusion starts {start}; do not infuse"
                ),
            ));
        }
    }

    // The thaw clock: the protocol's limit and the product's.
    let (binding, clock_findings) = thaw_clock(
        custody,
        start,
        &[(handling, "protocol"), (identity.handling(), "product")],
    )?;
    findings.extend(clock_findings);
    Ok((
        CustodyCheck {
            recipient: identity.recipient().cloned(),
            patient: patient.map(str::to_owned),
            scans: custody.scans.clone(),
            expires,
            thawed_at: custody.thawed_at,
            thaw_started_at: custody.thaw_started_at,
            infusion_start: start,
            limit: binding,
        },
        findings,
    ))
}

/// Judges the thaw clock of `limits` (each with who states it) at `start`: the binding limit and
/// the findings.
///
/// # Errors
/// A thaw after the infusion's start, or a thaw started after it was complete.
fn thaw_clock(
    custody: &Custody,
    start: Moment,
    limits: &[(&Handling, &'static str)],
) -> Result<(Option<ThawLimit>, Vec<Finding>)> {
    if let (Some(thawed), Some(started)) = (custody.thawed_at, custody.thaw_started_at)
        && started.timestamp() > thawed.timestamp()
    {
        return Err(Error::Request(format!(
            "thaw-started-at: thawing started {started}, after it was complete ({thawed}); give the two times of this thaw"
        )));
    }
    for (name, moment) in [
        ("thawed-at", custody.thawed_at),
        ("thaw-started-at", custody.thaw_started_at),
    ] {
        if let Some(moment) = moment
            && moment.timestamp() > start.timestamp()
        {
            return Err(Error::Request(format!(
                "{name}: {moment} is after the infusion's start ({start}); the infusion starts after the thaw: give the times as they were"
            )));
        }
    }
    let mut candidates: Vec<ThawLimit> = Vec::new();
    let mut findings = Vec::new();
    for (handling, stated_by) in limits {
        let Some((max, clock)) = handling.thaw_limit() else {
            continue;
        };
        let from = match clock {
            ThawClock::Start => custody.thaw_started_at,
            _ => custody.thawed_at,
        };
        let infuse_by = from.map(|from| from.plus_minutes(max.get())).transpose()?;
        let minutes_since = from.map(|from| start.minutes_since(&from));
        candidates.push(ThawLimit {
            max,
            clock,
            stated_by,
            infuse_by,
            minutes_since,
        });
        let counted_from = match clock {
            ThawClock::Start => "the start of thawing",
            _ => "the completion of thawing",
        };
        match (from, infuse_by, minutes_since) {
            (Some(_), Some(by), Some(since)) if start.timestamp() > by.timestamp() => {
                // Minutes past the limit, a part of a minute counted as one.
                let over = start
                    .timestamp()
                    .as_second()
                    .saturating_sub(by.timestamp().as_second())
                    .saturating_add(59)
                    .checked_div(60)
                    .unwrap_or(0);
                findings.push(finding(
                    Severity::Hard,
                    FindingCode::ThawWindowExceeded,
                    &format!("{stated_by}: thaw to infusion at most {max} from {counted_from}"),
                    format!(
                        "THAW WINDOW EXCEEDED: the infusion starts {since} min after {counted_from}, {over} min past the {max} limit (infuse by {by}); do not infuse"
                    ),
                ));
            }
            (Some(_), Some(by), _) => findings.push(finding(
                Severity::Info,
                FindingCode::InfuseBy,
                &format!("{stated_by}: thaw to infusion at most {max} from {counted_from}"),
                format!("start the infusion by {by} ({max} from {counted_from})"),
            )),
            _ => findings.push(finding(
                Severity::Soft,
                FindingCode::ThawTimeNotStated,
                &format!("{stated_by}: thaw to infusion at most {max} from {counted_from}"),
                format!(
                    "the {stated_by} limits thaw to infusion to {max} from {counted_from}, and that time was not given; give it"
                ),
            )),
        }
    }

    // The limit that ends first binds; where no end is known, the shortest.
    let binding = candidates
        .iter()
        .filter(|limit| limit.infuse_by.is_some())
        .min_by_key(|limit| limit.infuse_by.map(|by| by.timestamp()))
        .or_else(|| candidates.iter().min_by_key(|limit| limit.max))
        .copied();
    Ok((binding, findings))
}

/// Judges the thaw clock alone, for a count given without its product, under a protocol that
/// limits the time from thaw to infusion: where no limit is stated, nothing.
///
/// # Errors
/// As [`judge`].
pub(crate) fn judge_clock(
    custody: &Custody,
    handling: &Handling,
) -> Result<Option<(CustodyCheck, Vec<Finding>)>> {
    if handling.thaw_limit().is_none() {
        return Ok(None);
    }
    let start = custody.infusion_start.unwrap_or_else(Moment::now);
    let (limit, findings) = thaw_clock(custody, start, &[(handling, "protocol")])?;
    Ok(Some((
        CustodyCheck {
            recipient: None,
            patient: None,
            scans: Vec::new(),
            expires: Vec::new(),
            thawed_at: custody.thawed_at,
            thaw_started_at: custody.thaw_started_at,
            infusion_start: start,
            limit,
        },
        findings,
    )))
}
