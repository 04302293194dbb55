//! Results as JSON for programs: every exact number is a string, absent values are `null`, and
//! the field names are a contract that scripts rely on.
//!
//! Each report borrows the result it describes and writes it field by field, so a batch of a
//! million rows allocates nothing per field. The fields are listed once, for any `Fields`: a
//! serde struct (any format, pretty or compact), or `JsonLine`, which writes a compact JSON
//! record with its keys and each protocol's provenance as ready-made bytes and hands only the
//! values to `serde_json`, the same bytes as `serde_json::to_writer` gives.
//!
//! `fields.rs` holds where fields go, `json_line.rs` a batch's compact record, `parts.rs` the
//! fields the reports share, `findings.rs` how findings are listed; this file the three reports.

mod fields;
mod findings;
#[cfg(feature = "batch")]
mod json_line;
mod parts;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::calculation::{Calculation, DeliveryCheck, Preparation};
use crate::human::Notation;

use fields::{Exact, Struct};
use parts::{DOSE_FIELDS, delivery_fields, dose_fields};

pub(crate) use fields::{Fields, Key, key};
#[cfg(feature = "batch")]
pub(crate) use json_line::{JsonLine, Provenances};

/// A `dose` result as JSON.
///
/// ```
/// use celldose::{report::DoseReport, human::Notation, Catalogue, DoseChoice, DoseRequest, Rounding};
/// let catalogue = Catalogue::builtin()?;
/// let request = DoseRequest::new("72.5kg".parse()?, DoseChoice::Level(1), Rounding::HalfAwayFromZero).with_arm("alf");
/// let calculation = catalogue.find("NCT07276568")?.calculate(&request)?;
/// let json = serde_json::to_value(DoseReport::new(&calculation, Notation::Ascii)).unwrap_or_default();
/// assert_eq!(json["cells"], "1160000000");
/// assert_eq!(json["cells_per_kg"], "16000000");
/// assert_eq!(json["verdict"], "within");
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct DoseReport<'a> {
    calculation: &'a Calculation,
    notation: Notation,
    row: Option<u64>,
}

/// A `check` result as JSON: the `dose` fields, then the delivered count and its deviation.
///
/// ```
/// use celldose::{report::CheckReport, human::Notation, Catalogue, DoseChoice, DoseRequest, Rounding};
/// let catalogue = Catalogue::builtin()?;
/// let request = DoseRequest::new("72.5kg".parse()?, DoseChoice::Level(1), Rounding::HalfAwayFromZero).with_arm("alf");
/// let check = catalogue.find("NCT07276568")?.check(&request, "1.2e9".parse()?, Some("10%".parse()?))?;
/// let json = serde_json::to_value(CheckReport::new(&check, Notation::Ascii)).unwrap_or_default();
/// assert_eq!(json["actual_cells"], "1200000000");
/// assert_eq!(json["deviation_percent"], "3.45");
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CheckReport<'a> {
    check: &'a DeliveryCheck,
    notation: Notation,
    row: Option<u64>,
}

/// A `prepare` result as JSON: the `dose` fields, then the product, the volume and what it
/// delivers.
///
/// ```
/// use celldose::{report::PrepareReport, human::Notation, Catalogue, DoseChoice, DoseRequest, Product, Rounding};
/// let catalogue = Catalogue::builtin()?;
/// let request = DoseRequest::new("70kg".parse()?, DoseChoice::ArmDose, Rounding::HalfAwayFromZero).with_arm("low-dose");
/// let product = Product::new("2.5e6/mL".parse()?, "96%".parse()?, None, "50mL".parse()?)?;
/// let prepared = catalogue.find("NCT06167473")?.prepare(&request, &product, "0.1mL".parse()?, Some("5%".parse()?))?;
/// let json = serde_json::to_value(PrepareReport::new(&prepared, Notation::Ascii)).unwrap_or_default();
/// assert_eq!(json["volume_ml"], "29.2");
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PrepareReport<'a> {
    prepared: &'a Preparation,
    notation: Notation,
    row: Option<u64>,
}

impl<'a> DoseReport<'a> {
    /// The report of `calculation`, finding messages written in `notation`.
    ///
    /// See [`DoseReport`].
    pub fn new(calculation: &'a Calculation, notation: Notation) -> Self {
        Self {
            calculation,
            notation,
            row: None,
        }
    }

    /// The same report with a leading `row` field, as `celldose batch` writes it.
    ///
    /// See [`DoseReport`].
    #[must_use]
    pub fn with_row(self, row: u64) -> Self {
        Self {
            row: Some(row),
            ..self
        }
    }
}

impl<'a> CheckReport<'a> {
    /// The report of `check`, finding messages written in `notation`.
    ///
    /// See [`CheckReport`].
    pub fn new(check: &'a DeliveryCheck, notation: Notation) -> Self {
        Self {
            check,
            notation,
            row: None,
        }
    }

    /// The same report with a leading `row` field, as `celldose batch` writes it.
    ///
    /// See [`CheckReport`].
    #[must_use]
    pub fn with_row(self, row: u64) -> Self {
        Self {
            row: Some(row),
            ..self
        }
    }
}

impl<'a> PrepareReport<'a> {
    /// The report of `prepared`, finding messages written in `notation`.
    ///
    /// See [`PrepareReport`].
    pub fn new(prepared: &'a Preparation, notation: Notation) -> Self {
        Self {
            prepared,
            notation,
            row: None,
        }
    }
}

impl Serialize for DoseReport<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = Struct(serializer.serialize_struct("Dose", DOSE_FIELDS)?);
        self.fields(&mut state)?;
        state.0.end()
    }
}

impl DoseReport<'_> {
    /// The report's fields, in their contract order.
    fn fields<F: Fields>(&self, state: &mut F) -> Result<(), F::Error> {
        let c = self.calculation;
        if let Some(row) = self.row {
            state.field(key!("row"), &row)?;
        }
        dose_fields(state, c, c.verdict().as_str())?;
        state.findings(key!("findings"), c.findings().iter(), self.notation)?;
        Ok(())
    }
}

impl Serialize for CheckReport<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = Struct(serializer.serialize_struct("Check", DOSE_FIELDS + 10)?);
        self.fields(&mut state)?;
        state.0.end()
    }
}

impl CheckReport<'_> {
    /// The report's fields, in their contract order.
    fn fields<F: Fields>(&self, state: &mut F) -> Result<(), F::Error> {
        let check = self.check;
        if let Some(row) = self.row {
            state.field(key!("row"), &row)?;
        }
        dose_fields(state, check.calculation(), check.verdict().as_str())?;
        state.decimal(key!("actual_cells"), Some(check.actual_cells()))?;
        state.decimal(
            key!("actual_cells_per_kg"),
            Some(Exact(check.actual_cells_per_kg().get())),
        )?;
        state.decimal(
            key!("deviation_percent"),
            check.deviation_percent().map(Exact),
        )?;
        state.decimal(
            key!("tolerance_percent"),
            check.tolerance().map(|t| Exact(t.hard().get())),
        )?;
        state.decimal(
            key!("soft_tolerance_percent"),
            check
                .tolerance()
                .and_then(|t| t.soft())
                .map(|s| Exact(s.get())),
        )?;
        delivery_fields(state, check)?;
        state.findings(key!("findings"), check.findings(), self.notation)?;
        Ok(())
    }
}

impl Serialize for PrepareReport<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = Struct(serializer.serialize_struct("Prepare", DOSE_FIELDS + 17)?);
        self.fields(&mut state)?;
        state.0.end()
    }
}

impl PrepareReport<'_> {
    /// The report's fields, in their contract order.
    fn fields<F: Fields>(&self, state: &mut F) -> Result<(), F::Error> {
        let prepared = self.prepared;
        let product = prepared.product();
        if let Some(row) = self.row {
            state.field(key!("row"), &row)?;
        }
        dose_fields(state, prepared.calculation(), prepared.verdict().as_str())?;
        state.decimal(
            key!("concentration_per_ml"),
            Some(Exact(product.concentration().get())),
        )?;
        state.field(key!("concentration_is_viable"), &product.viable_stated())?;
        state.decimal(
            key!("viability_percent"),
            Some(Exact(product.viability().get())),
        )?;
        state.decimal(
            key!("positive_percent"),
            Some(Exact(product.positive().get())),
        )?;
        state.decimal(key!("available_ml"), Some(Exact(product.available().ml())))?;
        state.decimal(key!("step_ml"), Some(Exact(prepared.step().ml())))?;
        state.decimal(
            key!("active_cells_per_ml"),
            Some(Exact(product.active_cells_per_ml())),
        )?;
        state.decimal(
            key!("exact_volume_ml"),
            Some(Exact(prepared.exact_volume_ml())),
        )?;
        state.field(
            key!("exact_volume_rounded"),
            &!prepared.exact_volume_is_exact(),
        )?;
        state.decimal(key!("volume_ml"), Some(Exact(prepared.volume().ml())))?;
        state.decimal(key!("delivered_cells"), prepared.delivered_cells())?;
        state.decimal(
            key!("delivered_cells_exact"),
            Some(prepared.delivered_exact()),
        )?;
        state.decimal(
            key!("delivered_cells_per_kg"),
            Some(Exact(prepared.delivered_per_kg().get())),
        )?;
        state.decimal(
            key!("deviation_percent"),
            prepared.deviation_percent().map(Exact),
        )?;
        state.decimal(
            key!("tolerance_percent"),
            prepared.tolerance().map(|t| Exact(t.hard().get())),
        )?;
        state.decimal(
            key!("soft_tolerance_percent"),
            prepared
                .tolerance()
                .and_then(|t| t.soft())
                .map(|s| Exact(s.get())),
        )?;
        state.findings(key!("findings"), prepared.findings(), self.notation)?;
        Ok(())
    }
}

#[cfg(feature = "batch")]
impl DoseReport<'_> {
    /// The report's fields for a batch record ([`JsonLine::record`]).
    pub(crate) fn json_fields(&self, line: &mut JsonLine<'_>) -> Result<(), serde_json::Error> {
        self.fields(line)
    }
}

#[cfg(feature = "batch")]
impl CheckReport<'_> {
    /// The report's fields for a batch record ([`JsonLine::record`]).
    pub(crate) fn json_fields(&self, line: &mut JsonLine<'_>) -> Result<(), serde_json::Error> {
        self.fields(line)
    }
}
