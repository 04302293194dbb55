//! A request as text, field by field, exactly as it was typed on a command line or in a log, and
//! its conversion into a typed [`DoseRequest`]. The command line and `celldose batch` both go
//! through here, so a value is refused the same way wherever it was typed.

use core::str::FromStr;

use super::{DoseChoice, DoseRequest, Product, Rounding};
use crate::error::{Error, Result};
use crate::regimen::{Catalogue, Protocol};
use crate::units::{parse_date, today_utc, AgeFromBirth, CellCount, Percent, Volume};

/// How fields are named in messages: as command-line flags (`--weight`) or as log columns
/// (`weight`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldNames {
    /// `--weight`, as the command line takes it.
    Flags,
    /// `weight`, as a log's header names it.
    Columns,
}

impl FieldNames {
    fn name(self, field: &str) -> String {
        match self {
            Self::Flags => format!("--{field}"),
            Self::Columns => field.to_owned(),
        }
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
    /// The dosing date the age from `born` is computed on, `YYYY-MM-DD`; today's date in UTC
    /// when not given.
    pub on: Option<&'a str>,
    /// The rounding rule's name; half away from zero when not given.
    pub rounding: Option<&'a str>,
    /// The reason acknowledging soft findings.
    pub acknowledge: Option<&'a str>,
    /// A delivered count, for a check.
    pub cells: Option<&'a str>,
    /// A tolerance, for a check.
    pub tolerance: Option<&'a str>,
}

fn read<T: FromStr<Err = Error>>(names: FieldNames, field: &str, text: &str) -> Result<T> {
    text.parse()
        .map_err(|e| Error::Request(format!("{}: {e}", names.name(field))))
}

fn read_optional<T: FromStr<Err = Error>>(
    names: FieldNames,
    field: &str,
    text: Option<&str>,
) -> Result<Option<T>> {
    text.map(|text| read(names, field, text)).transpose()
}

impl RequestText<'_> {
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
            .map_err(|e| Error::Request(format!("{}: {e}", name("protocol"))))?;
        let choice = match (self.level, self.dose) {
            (Some(_), Some(_)) => {
                return Err(Error::Request(format!(
                    "{} and {} cannot be used together; give one",
                    name("level"),
                    name("dose")
                )))
            }
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
        match (self.age, self.born, self.on) {
            (Some(_), Some(_), _) => {
                return Err(Error::Request(format!(
                    "{} and {} cannot be used together; give one",
                    name("age"),
                    name("born")
                )))
            }
            (None, None, Some(_)) => {
                return Err(Error::Request(format!(
                    "{} is the date an age from {} is computed on; give {} too, or leave {} out",
                    name("on"),
                    name("born"),
                    name("born"),
                    name("on")
                )))
            }
            (Some(age), None, _) => request = request.with_age(read(names, "age", age)?),
            (None, Some(born), on) => {
                let at = |field: &str| {
                    let field = name(field);
                    move |e: Error| Error::Request(format!("{field}: {e}"))
                };
                let born = parse_date("date of birth", born).map_err(at("born"))?;
                let on = match on {
                    Some(on) => parse_date("dosing date", on).map_err(at("on"))?,
                    None => today_utc(),
                };
                let age = AgeFromBirth::from_dates(born, on).map_err(at("born"))?;
                request = request.with_birth(age);
            }
            (None, None, None) => {}
        }
        if let Some(state) = catalogue.trial_state() {
            request = request.with_trial_state(std::sync::Arc::clone(state));
        }
        if let Some(reason) = self.acknowledge {
            request = request
                .with_acknowledgement(reason)
                .map_err(|e| Error::Request(format!("{}: {e}", name("acknowledge"))))?;
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

/// A product as text, as typed for `celldose prepare`: the certificate's concentration and
/// viability, the fraction that counts, the volume at hand and the measurable step.
///
/// ```
/// use celldose::{FieldNames, ProductText};
/// let text = ProductText { concentration: "2.5e6/mL", viability: "96%", available: "50mL", ..ProductText::default() };
/// let (_, step) = text.to_product(FieldNames::Flags)?;
/// assert_eq!(step.to_string(), "0.1 mL");
/// let bad = ProductText { viability: "%96", ..text };
/// assert!(bad.to_product(FieldNames::Flags).unwrap_err().to_string().starts_with("--viability: "));
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProductText<'a> {
    /// Cells per volume, from the certificate.
    pub concentration: &'a str,
    /// The percentage of cells alive.
    pub viability: &'a str,
    /// The percentage carrying the counted marker; all of them when not given.
    pub positive: Option<&'a str>,
    /// The volume of product at hand.
    pub available: &'a str,
    /// The smallest volume step that can be measured; 0.1 mL when not given.
    pub step: Option<&'a str>,
}

impl ProductText<'_> {
    /// The product and the measurable step.
    ///
    /// # Errors
    /// When a field does not parse, or the product is impossible (no viable or counted cells);
    /// the message starts with the field's name as `names` writes it.
    ///
    /// See [`ProductText`].
    pub fn to_product(&self, names: FieldNames) -> Result<(Product, Volume)> {
        let concentration = read(names, "concentration", self.concentration)?;
        let viability = read(names, "viability", self.viability)?;
        let positive = read_optional(names, "positive", self.positive)?;
        let available = read(names, "available", self.available)?;
        let step = read(names, "step", self.step.unwrap_or("0.1mL"))?;
        let product = Product::new(concentration, viability, positive, available).map_err(|e| {
            let field = if e.to_string().starts_with("viability") {
                "viability"
            } else {
                "positive"
            };
            Error::Request(format!("{}: {e}", names.name(field)))
        })?;
        Ok((product, step))
    }
}
