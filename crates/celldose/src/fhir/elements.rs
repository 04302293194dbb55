//! The few FHIR R4B data types the resources use, written by hand: a quantity in UCUM, a coded
//! concept, a reference, a note and an extension. Every decimal is written as a JSON number made
//! from its exact digits, never through a binary float.

use rust_decimal::Decimal;
use serde::Serialize;
use serde::ser::{Error as _, Serializer};

/// UCUM, the system of every quantity's unit code.
pub const UCUM: &str = "http://unitsofmeasure.org";
/// Where this project's extensions are defined (docs/fhir.md describes each).
pub const EXTENSION_BASE: &str = "https://celldose.github.io/fhir/StructureDefinition/";

/// A million cells, the unit counts are written in: `10*6{cells}` (the braces are an annotation).
pub const MILLION_CELLS: &str = "10*6{cells}";
/// A million cells per kilogram of body weight.
pub const MILLION_CELLS_PER_KG: &str = "10*6{cells}/kg";
/// Kilograms.
pub const KILOGRAMS: &str = "kg";
/// Millilitres.
pub const MILLILITRES: &str = "mL";
/// Percent.
pub const PERCENT: &str = "%";

/// A decimal written as a JSON number with exactly its digits: `1160`, `72.5`, `0.015`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Number(pub Decimal);

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let digits = crate::digits::DecimalText::new(self.0);
        let raw = serde_json::value::RawValue::from_string(digits.as_str().to_owned())
            .map_err(S::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// A measured amount with its UCUM unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quantity {
    /// The amount, exactly.
    pub value: Number,
    /// The unit for a person: here the UCUM code itself.
    pub unit: &'static str,
    /// Always [`UCUM`].
    pub system: &'static str,
    /// The UCUM code: [`MILLION_CELLS`], [`MILLION_CELLS_PER_KG`], [`KILOGRAMS`], ...
    pub code: &'static str,
}

impl Quantity {
    /// `value` in the UCUM unit `code`, written as it is.
    pub fn new(value: Decimal, code: &'static str) -> Self {
        Self {
            value: Number(value),
            unit: code,
            system: UCUM,
            code,
        }
    }

    /// A count of cells in millions: 1,160,000,000 cells is `1160` `10*6{cells}`. Exact: a
    /// division by 10⁶ only moves the decimal point.
    ///
    /// ```
    /// use celldose::fhir::Quantity;
    /// use rust_decimal::Decimal;
    /// assert_eq!(Quantity::million_cells(Decimal::new(725_747_792, 1)).value.0, Decimal::new(725_747_792, 7));
    /// assert_eq!(Quantity::million_cells(Decimal::from(1_160_000_000)).value.0, Decimal::from(1160));
    /// ```
    pub fn million_cells(cells: Decimal) -> Self {
        Self::new(per_million(cells), MILLION_CELLS)
    }

    /// Cells per kilogram in millions: 16,000,000 cells/kg is `16` `10*6{cells}/kg`.
    pub fn million_cells_per_kg(cells_per_kg: Decimal) -> Self {
        Self::new(per_million(cells_per_kg), MILLION_CELLS_PER_KG)
    }
}

/// `value` ÷ 10⁶, exactly, without trailing zeros: moving the decimal point six places. A
/// decimal holds at most 28 places, so a value with more than 22 (never a count, a per-kg dose or
/// anything the calculation makes, which have at most a handful) is first rounded to 22 places,
/// a billionth of a billionth of a cell; the magnitude is never wrong.
fn per_million(value: Decimal) -> Decimal {
    let value = value.normalize();
    let value = if value.scale() > 22 {
        value.round_dp(22)
    } else {
        value
    };
    let mut scaled = value;
    match scaled.set_scale(value.scale().saturating_add(6)) {
        Ok(()) => scaled.normalize(),
        // Not reached: the scale is at most 28 here. Division gives the same magnitude.
        Err(_) => value
            .checked_div(Decimal::from(1_000_000))
            .unwrap_or_default()
            .normalize(),
    }
}

/// A range of quantities; a dose "at least" a value has no high end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Range {
    /// The lower end, inclusive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub low: Option<Quantity>,
    /// The upper end, inclusive; none for a dose of "at least".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub high: Option<Quantity>,
}

/// A code in a code system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coding {
    /// The code system.
    pub system: &'static str,
    /// The code in it.
    pub code: &'static str,
    /// The code's own display text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<&'static str>,
}

/// Codes, or only a text, for one concept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeableConcept {
    /// The codes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coding: Vec<Coding>,
    /// The concept in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// An identifier in a namespace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identifier {
    /// The namespace, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The identifier.
    pub value: String,
}

/// A reference: to a contained resource (`#weight`), or to a patient by identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// A literal reference: `#weight` for a contained resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// A logical reference by identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Identifier>,
    /// Words for a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

/// When a dose is given: here the day of a split course, in words, given once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timing {
    /// How often: once.
    pub repeat: TimingRepeat,
    /// The day, in words: `day 1 of the course (the first infusion is day 0)`.
    pub code: CodeableConcept,
}

/// A timing's repetition: how many times in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimingRepeat {
    /// The number of times: 1.
    pub count: u32,
}

/// A note in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Annotation {
    /// The note.
    pub text: String,
}

/// An extension of this project's: a value, or parts that are extensions themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    /// The extension's URL, or a part's bare name.
    pub url: String,
    /// The value, for a simple extension.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// The parts, for a complex one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<Extension>,
}

/// An extension's value, named by its type as FHIR JSON does (`valueString`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Value {
    /// Text.
    #[serde(rename = "valueString")]
    String(String),
    /// A code of this project's: a verdict, a severity, a finding code.
    #[serde(rename = "valueCode")]
    Code(&'static str),
    /// An exact number.
    #[serde(rename = "valueDecimal")]
    Decimal(Number),
    /// An amount with its unit.
    #[serde(rename = "valueQuantity")]
    Quantity(Quantity),
    /// A level number, an infusion number.
    #[serde(rename = "valuePositiveInt")]
    PositiveInt(u32),
    /// A count from 0: a day of a course.
    #[serde(rename = "valueUnsignedInt")]
    UnsignedInt(u32),
}

impl Extension {
    /// A top-level extension of this project's, named `name` under [`EXTENSION_BASE`].
    pub fn new(name: &str, value: Value) -> Self {
        Self {
            url: format!("{EXTENSION_BASE}{name}"),
            value: Some(value),
            extension: Vec::new(),
        }
    }

    /// A top-level extension made of parts.
    pub fn complex(name: &str, parts: Vec<Extension>) -> Self {
        Self {
            url: format!("{EXTENSION_BASE}{name}"),
            value: None,
            extension: parts,
        }
    }

    /// A part of a complex extension: its url is the part's bare name.
    pub fn part(name: &str, value: Value) -> Self {
        Self {
            url: name.to_owned(),
            value: Some(value),
            extension: Vec::new(),
        }
    }
}

/// The code system of `doseAndRate.type`.
pub const DOSE_RATE_TYPE: &str = "http://terminology.hl7.org/CodeSystem/dose-rate-type";
/// LOINC, the code system of the body weight observation.
pub const LOINC: &str = "http://loinc.org";
/// The code system of an observation's category (`vital-signs`).
pub const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
/// The namespace of a batch row's identifier: its row number in the log.
pub const BATCH_ROW: &str = "https://celldose.github.io/fhir/batch-row";
