//! A request as text, field by field, exactly as it was typed, and each field's conversion into
//! the library's typed values: the request, the infusion of a split dose, the delivered count,
//! the bags of a product, a product described by its figures. A value is refused in the same
//! words wherever it was typed, named as the place it was typed names it.

use core::str::FromStr;

use crate::calculation::{Course, Delivery, DoseChoice, DoseRequest, Product};
use crate::certificate::{Bag, Certificate};
use crate::error::{Error, Result};
use crate::regimen::{Catalogue, Protocol};
use crate::units::{AgeFromBirth, CellCount, Percent, Rounding, Volume, parse_date, today_utc};

/// How fields are named in messages: as command-line flags (`--weight`), as log columns
/// (`weight`), or as the fields of the page's forms and its JSON API (`weight`, with the product
/// file's text pasted, not a path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldNames {
    /// `--weight`, as the command line takes it.
    Flags,
    /// `weight`, as a log's header names it.
    Columns,
    /// `weight`, as the page's forms and its JSON API name it.
    Form,
}

impl FieldNames {
    pub(super) fn name(self, field: &str) -> String {
        match self {
            Self::Flags => format!("--{field}"),
            Self::Columns | Self::Form => field.replace('-', "_"),
        }
    }

    /// `error`, named by the field it was typed in.
    pub(super) fn field(self, field: &str, error: Error) -> Error {
        Error::Field {
            field: self.name(field),
            error: Box::new(error),
        }
    }

    /// Two fields given together where only one may be.
    fn not_both(self, first: &str, second: &str) -> Error {
        Error::Request(match (self, first) {
            (Self::Form, "level") => "dose: give a level or a dose, not both".to_owned(),
            (Self::Form, "age") => "age: give an age or a date of birth, not both".to_owned(),
            _ => format!(
                "{} and {} cannot be used together; give one",
                self.name(first),
                self.name(second)
            ),
        })
    }
}

/// The text of one request; `None` is a field not given.
///
/// ```
/// use celldose::{Catalogue, FieldNames, RequestText};
/// let text = RequestText { protocol: "NCT07276568", arm: Some("alf"), level: Some("1"), weight: "72.5", ..RequestText::default() };
/// let error = text.to_request(&Catalogue::builtin()?, FieldNames::Flags).unwrap_err();
/// assert!(error.to_string().starts_with("--weight: body weight \"72.5\" has no unit"));
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestText<'a> {
    /// The protocol id.
    pub protocol: &'a str,
    /// The arm.
    pub arm: Option<&'a str>,
    /// A dose level number.
    pub level: Option<&'a str>,
    /// An explicit dose.
    pub dose: Option<&'a str>,
    /// The body weight with its unit.
    pub weight: &'a str,
    /// The age in years.
    pub age: Option<&'a str>,
    /// The date of birth, `YYYY-MM-DD`: the age is then computed in completed years.
    pub born: Option<&'a str>,
    /// The dosing date, `YYYY-MM-DD`: the date an age from `born` is computed on, and the date an
    /// escalation step must be open on; today's date in UTC when not given.
    pub on: Option<&'a str>,
    /// The rounding rule's name; half away from zero when not given.
    pub rounding: Option<&'a str>,
    /// The reason acknowledging soft findings.
    pub acknowledge: Option<&'a str>,
    /// A delivered count, for a check.
    pub cells: Option<&'a str>,
    /// A tolerance, for a check.
    pub tolerance: Option<&'a str>,
    /// The current weight, compared with the dosing weight where the protocol names one.
    pub current_weight: Option<&'a str>,
    /// Which infusion of a split dose, from 1.
    pub infusion: Option<&'a str>,
    /// The counted cells given in the infusions before this one.
    pub given: Option<&'a str>,
    /// The patient's (trial subject's) identifier.
    pub patient: Option<&'a str>,
    /// The bags of a product used: ids separated by commas, each optionally with the volume
    /// drawn from it (`1,2=69.6mL`); all of them, whole, when not given.
    pub bags: Option<&'a str>,
    /// DMSO already given on the day of this infusion (`7.7g`, `7mL`), summed with the
    /// product's against the protocol's daily limit.
    pub given_dmso: Option<&'a str>,
    /// Whether what earlier infusions gave is to be read from the audit log in use (by the
    /// patient), instead of `given`.
    pub given_from_log: bool,
    /// For `prepare` without a product file: nucleated cells per volume, from the certificate;
    /// not given where the certificate's viable concentration is.
    pub concentration: Option<&'a str>,
    /// Viable cells per volume, where the certificate states those: the viability is then
    /// reported, not applied again.
    pub viable_concentration: Option<&'a str>,
    /// The percentage of cells alive.
    pub viability: Option<&'a str>,
    /// The percentage carrying the counted marker; all of them when not given.
    pub positive: Option<&'a str>,
    /// The volume of product at hand.
    pub available: Option<&'a str>,
    /// The smallest volume step that can be measured; 0.1 mL when not given.
    pub step: Option<&'a str>,
    /// The ISBT 128 labels scanned from the bags given, as the scanner typed them, one a line
    /// (or separated by `;`).
    pub scan: Option<&'a str>,
    /// When thawing was complete (RFC 3339, with its UTC offset).
    pub thawed_at: Option<&'a str>,
    /// When thawing started (RFC 3339), where the protocol's thaw clock counts from the start.
    pub thaw_started_at: Option<&'a str>,
    /// When the infusion starts (RFC 3339); now, where not given.
    pub infusion_start: Option<&'a str>,
}

pub(super) fn read<T: FromStr<Err = Error>>(
    names: FieldNames,
    field: &str,
    text: &str,
) -> Result<T> {
    text.parse().map_err(|e| names.field(field, e))
}

pub(super) fn read_optional<T: FromStr<Err = Error>>(
    names: FieldNames,
    field: &str,
    text: Option<&str>,
) -> Result<Option<T>> {
    text.map(|text| read(names, field, text)).transpose()
}

impl RequestText<'_> {
    /// The labels scanned and the thaw and infusion times these fields give, read.
    ///
    /// # Errors
    /// A scan that is not an ISBT 128 data structure celldose reads, or a time that is not RFC
    /// 3339 with its offset; named by its field.
    pub(crate) fn custody(&self, names: FieldNames) -> Result<crate::calculation::Custody> {
        let mut custody = crate::calculation::Custody::default();
        for typed in self
            .scan
            .into_iter()
            .flat_map(|text| text.split(['\n', ';']))
            .map(|scan| scan.trim_matches([' ', '\r']))
            .filter(|scan| !scan.is_empty())
        {
            custody = custody
                .with_scan(typed)
                .map_err(|e| names.field("scan", e))?;
        }
        if let Some(at) = read_optional(names, "thawed-at", self.thawed_at)? {
            custody = custody.with_thawed_at(at);
        }
        if let Some(at) = read_optional(names, "thaw-started-at", self.thaw_started_at)? {
            custody = custody.with_thaw_started_at(at);
        }
        if let Some(at) = read_optional(names, "infusion-start", self.infusion_start)? {
            custody = custody.with_infusion_start(at);
        }
        Ok(custody)
    }

    /// The protocol and the typed request these fields describe. The request carries the
    /// catalogue's trial state, where it has one.
    ///
    /// # Errors
    /// When the protocol is unknown, or a field does not parse; the message starts with the
    /// field's name as `names` writes it, then the parser's own words.
    ///
    /// See [`RequestText`].
    pub fn to_request<'c>(
        &self,
        catalogue: &'c Catalogue,
        names: FieldNames,
    ) -> Result<(&'c Protocol, DoseRequest)> {
        let name = |field: &str| names.name(field);
        let protocol = catalogue
            .find(self.protocol)
            .map_err(|e| names.field("protocol", e))?;
        let choice = match (self.level, self.dose) {
            (Some(_), Some(_)) => return Err(names.not_both("level", "dose")),
            (Some(level), None) => match level.trim_matches(' ').parse::<u32>() {
                Ok(number)
                    if number >= 1
                        && level.trim_matches(' ').chars().all(|c| c.is_ascii_digit()) =>
                {
                    DoseChoice::Level(number)
                }
                _ => {
                    let field = name("level");
                    return Err(Error::Request(format!(
                        "{field}: dose level {} is not accepted; write a whole number from 1, as in {field} 2",
                        crate::text::Shown(level)
                    )));
                }
            },
            (None, Some(dose)) => DoseChoice::Explicit(read(names, "dose", dose)?),
            (None, None) => DoseChoice::ArmDose,
        };
        let weight = read(names, "weight", self.weight)?;
        let rounding =
            read_optional(names, "rounding", self.rounding)?.unwrap_or(Rounding::HalfAwayFromZero);
        let mut request = DoseRequest::new(weight, choice, rounding);
        if let Some(arm) = self.arm {
            request = request.with_arm(arm);
        }
        let at = |field: &'static str| move |e: Error| names.field(field, e);
        let on = self
            .on
            .map(|on| parse_date("dosing date", on).map_err(at("on")))
            .transpose()?;
        if let Some(on) = on {
            request = request.with_dosing_date(on);
        }
        match (self.age, self.born) {
            (Some(_), Some(_)) => return Err(names.not_both("age", "born")),
            (Some(age), None) => request = request.with_age(read(names, "age", age)?),
            (None, Some(born)) => {
                let born = parse_date("date of birth", born).map_err(at("born"))?;
                let age = AgeFromBirth::from_dates(born, on.unwrap_or_else(today_utc))
                    .map_err(at("born"))?;
                request = request.with_birth(age);
            }
            (None, None) => {}
        }
        if let Some(patient) = self.patient {
            request = request
                .with_patient(patient)
                .map_err(|e| names.field("patient", e))?;
        }
        if let Some(current) = self.current_weight {
            request = request.with_current_weight(read(names, "current-weight", current)?);
        }
        if let Some(dmso) = self.given_dmso {
            request = request.with_dmso_given_today(read(names, "given-dmso", dmso)?);
        }
        if let Some(state) = catalogue.trial_state() {
            request = request.with_trial_state(std::sync::Arc::clone(state));
        }
        if let Some(reason) = self.acknowledge {
            request = request
                .with_acknowledgement(reason)
                .map_err(|e| names.field("acknowledge", e))?;
        }
        Ok((protocol, request))
    }

    /// The delivered count and the tolerance, for a check.
    ///
    /// # Errors
    /// When either does not parse.
    ///
    /// ```
    /// use celldose::{FieldNames, RequestText};
    /// let text = RequestText { cells: Some("1.2e9"), tolerance: Some("10%"), ..RequestText::default() };
    /// let (cells, tolerance) = text.delivery(FieldNames::Columns)?;
    /// assert_eq!((cells.map(|c| c.to_string()), tolerance.map(|t| t.to_string())), (Some("1200000000".into()), Some("10%".into())));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn delivery(&self, names: FieldNames) -> Result<(Option<CellCount>, Option<Percent>)> {
        Ok((
            read_optional(names, "cells", self.cells)?,
            read_optional(names, "tolerance", self.tolerance)?,
        ))
    }
}

impl RequestText<'_> {
    /// Which infusion of a split dose this is and what was given before, where given.
    ///
    /// # Errors
    /// An infusion number that is not a whole number from 1; a count that does not parse;
    /// what was given before without an infusion number.
    ///
    /// ```
    /// use celldose::{FieldNames, RequestText};
    /// let text = RequestText { infusion: Some("2"), given: Some("6e7"), ..RequestText::default() };
    /// let course = text.course(FieldNames::Flags)?.unwrap();
    /// assert_eq!((course.number(), course.given_before().map(|g| g.to_string())), (2, Some("60000000".into())));
    /// let bad = RequestText { infusion: Some("0"), ..RequestText::default() };
    /// assert!(bad.course(FieldNames::Flags).unwrap_err().to_string().starts_with("--infusion: "));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn course(&self, names: FieldNames) -> Result<Option<Course>> {
        let name = |field: &str| names.name(field);
        let number = match self.infusion {
            None => None,
            Some(text) => match text.trim_matches(' ').parse::<u32>() {
                Ok(n) if n >= 1 && text.trim_matches(' ').chars().all(|c| c.is_ascii_digit()) => {
                    Some(n)
                }
                _ => {
                    return Err(Error::Request(format!(
                        "{}: infusion {} is not accepted; write a whole number from 1, the infusion of the split dose this is",
                        name("infusion"),
                        crate::text::Shown(text)
                    )));
                }
            },
        };
        let given: Option<CellCount> = read_optional(names, "given", self.given)?;
        match (number, given) {
            (None, None) => Ok(None),
            (None, Some(_)) => Err(Error::Request(format!(
                "{} is what was given before an infusion of a split dose; give {} too",
                name("given"),
                name("infusion")
            ))),
            (Some(n), given) => {
                let course = Course::infusion(n);
                Ok(Some(match given {
                    Some(given) => course.with_given_before(given),
                    None => course,
                }))
            }
        }
    }

    /// The bags of `product` named by the bags field, each with the volume drawn where one is
    /// written (`1,2=69.6mL`); every bag, whole, where the field is not given.
    ///
    /// # Errors
    /// A bag the product does not have, or named twice; a volume that does not parse or is more
    /// than the bag holds; a part of a bag whose count per mL is not exact.
    ///
    /// ```
    /// use celldose::{Certificate, FieldNames, RequestText};
    /// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/products/car-t-two-bags.toml"))?;
    /// let product = Certificate::from_toml("p.toml", &text)?;
    /// let fields = RequestText { bags: Some("1, 2=69.6mL"), ..RequestText::default() };
    /// assert_eq!(fields.delivery_from(&product, FieldNames::Flags)?.cells().to_string(), "199974000");
    /// let wrong = RequestText { bags: Some("2=71mL"), ..RequestText::default() };
    /// assert!(wrong.delivery_from(&product, FieldNames::Flags).unwrap_err().to_string().starts_with("--bags: bag \"2\": 71 mL is more than the 70 mL in it"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn delivery_from(&self, product: &Certificate, names: FieldNames) -> Result<Delivery> {
        let at = |e: Error| names.field("bags", e);
        let items = self.bag_items(names)?;
        let ids: Vec<&str> = items.iter().map(|(id, _)| *id).collect();
        let bags = product.select(&ids).map_err(at)?;
        let mut parts = Vec::with_capacity(bags.len());
        for (index, bag) in bags.iter().enumerate() {
            let volume = match items.get(index).and_then(|(_, volume)| *volume) {
                Some(text) => read::<Volume>(names, "bags", text)?,
                None => bag.volume(),
            };
            parts.push((*bag, volume));
        }
        Delivery::drawn_from(product, &parts).map_err(at)
    }

    /// The bags of `product` named by the bags field, in that order (all of them where the
    /// field is not given), for choosing what to give: no volumes.
    ///
    /// # Errors
    /// A bag the product does not have, or named twice; a volume written (prepare chooses it).
    pub fn bag_selection<'p>(
        &self,
        product: &'p Certificate,
        names: FieldNames,
    ) -> Result<Vec<&'p Bag>> {
        let items = self.bag_items(names)?;
        if items.iter().any(|(_, volume)| volume.is_some()) {
            return Err(Error::Request(format!(
                "{}: give the bag ids only; the volume to draw is what prepare works out",
                names.name("bags")
            )));
        }
        let ids: Vec<&str> = items.iter().map(|(id, _)| *id).collect();
        product.select(&ids).map_err(|e| names.field("bags", e))
    }

    /// The bags field as (id, volume) items; empty where not given.
    fn bag_items(&self, names: FieldNames) -> Result<Vec<(&str, Option<&str>)>> {
        let Some(text) = self.bags else {
            return Ok(Vec::new());
        };
        let mut items = Vec::new();
        for item in text.split(',') {
            let (id, volume) = match item.split_once('=') {
                Some((id, volume)) => (id.trim_matches(' '), Some(volume.trim_matches(' '))),
                None => (item.trim_matches(' '), None),
            };
            if id.is_empty() {
                return Err(Error::Request(format!(
                    "{}: {} names no bag; write bag ids separated by commas, each optionally with the volume drawn, as in 1,2=69.6mL",
                    names.name("bags"),
                    crate::text::Shown(text)
                )));
            }
            items.push((id, volume));
        }
        Ok(items)
    }
}

/// A field that must be given, and not blank.
fn required<'t>(names: FieldNames, field: &str, text: Option<&'t str>) -> Result<&'t str> {
    text.filter(|text| !text.trim().is_empty())
        .ok_or_else(|| Error::Request(format!("{}: it is required", names.name(field))))
}

impl RequestText<'_> {
    /// A product described by its certificate's figures (for `prepare` without a product file),
    /// and the measurable step.
    ///
    /// # Errors
    /// When a field is missing or does not parse, or the product is impossible (no viable or
    /// counted cells); the message starts with the field's name as `names` writes it.
    ///
    /// ```
    /// use celldose::{FieldNames, RequestText};
    /// let text = RequestText { concentration: Some("2.5e6/mL"), viability: Some("96%"), available: Some("50mL"), ..RequestText::default() };
    /// let (_, step) = text.to_product(FieldNames::Flags)?;
    /// assert_eq!(step.to_string(), "0.1 mL");
    /// let bad = RequestText { viability: Some("%96"), ..text };
    /// assert!(bad.to_product(FieldNames::Flags).unwrap_err().to_string().starts_with("--viability: "));
    /// let missing = RequestText { viability: None, ..text };
    /// assert_eq!(missing.to_product(FieldNames::Form).unwrap_err().to_string(), "viability: it is required");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn to_product(&self, names: FieldNames) -> Result<(Product, Volume)> {
        let required = |field, text| required(names, field, text);
        let concentration = match self.viable_concentration {
            Some(_) => self.concentration.filter(|text| !text.trim().is_empty()),
            None => Some(required("concentration", self.concentration)?),
        };
        let viability = required("viability", self.viability)?;
        let available = required("available", self.available)?;
        let viability = read(names, "viability", viability)?;
        let positive = read_optional(names, "positive", self.positive)?;
        let available = read(names, "available", available)?;
        let step = read(names, "step", self.step.unwrap_or("0.1mL"))?;
        let made = match (concentration, self.viable_concentration) {
            (None, Some(viable)) => Product::viable(
                read(names, "viable-concentration", viable)?,
                viability,
                positive,
                available,
            ),
            (Some(_), Some(_)) => {
                return Err(Error::Request(format!(
                    "{} and {} cannot be used together; give the one the certificate states",
                    names.name("concentration"),
                    names.name("viable-concentration")
                )));
            }
            (Some(concentration), None) => Product::new(
                read(names, "concentration", concentration)?,
                viability,
                positive,
                available,
            ),
            (None, None) => {
                return Err(Error::Request(format!(
                    "{}: it is required",
                    names.name("concentration")
                )));
            }
        };
        let product = made.map_err(|e| {
            let field = if e.to_string().starts_with("viability") {
                "viability"
            } else {
                "positive"
            };
            names.field(field, e)
        })?;
        Ok((product, step))
    }
}
