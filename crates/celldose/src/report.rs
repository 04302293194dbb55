//! Results as JSON for programs: every exact number is a string, absent values are `null`, and
//! the field names are a contract that scripts rely on.
//!
//! Each report borrows the result it describes and writes it field by field, so a batch of a
//! million rows allocates nothing per field. The fields are listed once, for any [`Fields`]: a
//! serde struct (any format, pretty or compact), or [`JsonLine`], which writes a compact JSON
//! record with its keys and each protocol's provenance as ready-made bytes and hands only the
//! values to `serde_json`, the same bytes as `serde_json::to_writer` gives.

use rust_decimal::Decimal;
use serde::Serialize;
use serde::ser::{SerializeSeq, SerializeStruct, Serializer};

use crate::human::Notation;
use crate::{Calculation, DeliveryCheck, Finding, Preparation};

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

/// A decimal written as its exact string, without trailing zeros.
struct Exact(Decimal);

impl Serialize for Exact {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(crate::digits::DecimalText::new(self.0).as_str())
    }
}

/// Any value written through its `Display`.
struct Shown<T>(T);

impl<T: core::fmt::Display> Serialize for Shown<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

struct Findings<'a, I> {
    findings: I,
    notation: Notation,
    marker: core::marker::PhantomData<&'a Finding>,
}

impl<'a, I: Iterator<Item = &'a Finding> + Clone> Serialize for Findings<'a, I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for finding in self.findings.clone() {
            seq.serialize_element(&FindingReport {
                finding,
                notation: self.notation,
            })?;
        }
        seq.end()
    }
}

struct FindingReport<'a> {
    finding: &'a Finding,
    notation: Notation,
}

impl Serialize for FindingReport<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("Finding", 4)?;
        state.serialize_field("severity", self.finding.severity().as_str())?;
        state.serialize_field("code", self.finding.code().as_str())?;
        state.serialize_field("message", &*self.finding.message(self.notation))?;
        state.serialize_field("clause", self.finding.clause())?;
        state.end()
    }
}

const DOSE_FIELDS: usize = 38;

/// The fields every dose, check and prepare report starts with, in their contract order.
fn dose_fields<F: Fields>(state: &mut F, c: &Calculation, verdict: &str) -> Result<(), F::Error> {
    state.provenance(c.protocol(), c.protocol_version(), c.protocol_sha256())?;
    state.field("arm", &c.arm())?;
    state.field("regimen", c.regimen())?;
    state.field("band", &c.band().map(Shown))?;
    state.field("level", &c.level())?;
    state.field("dose", &c.dose())?;
    state.field("dose_per_kg", &c.dose_per_kg())?;
    state.decimal("max_total_cells", c.cap())?;
    state.decimal("weight_kg", Some(Exact(c.weight().weight().kg())))?;
    state.field("weight_entered", &Shown(c.weight()))?;
    state.decimal("age_years", c.age().map(|a| Exact(a.years())))?;
    state.field("born", &c.age_from_birth().map(|a| Shown(a.born())))?;
    state.field("age_on", &c.age_from_birth().map(|a| Shown(a.on())))?;
    state.decimal("cells", c.cells())?;
    state.decimal("cells_exact", c.exact_cells())?;
    state.decimal("cells_per_kg", c.cells_per_kg().map(|p| Exact(p.get())))?;
    state.decimal("min_cells", c.min_cells())?;
    state.decimal("max_cells", c.max_cells())?;
    state.decimal("min_cells_exact", c.exact_min())?;
    state.decimal("max_cells_exact", c.exact_max())?;
    state.decimal("uncapped_min_cells_exact", c.uncapped_min())?;
    state.decimal("uncapped_max_cells_exact", c.uncapped_max())?;
    state.field("infusions", &Shown(c.infusions()))?;
    state.field("per_infusion", &c.per_infusion().value())?;
    state.decimal("total_cells", c.total_cells())?;
    state.field("rounding", c.rounding().name())?;
    state.field("verdict", verdict)?;
    state.field("acknowledgement", &c.acknowledgement())?;
    state.field("trial_state_sha256", &c.trial_state_sha256())?;
    state.field("patient", &c.patient())?;
    state.decimal(
        "current_weight_kg",
        c.current_weight().map(|w| Exact(w.weight().kg())),
    )?;
    state.field("current_weight_entered", &c.current_weight().map(Shown))?;
    state.field(
        "dosing_weight",
        &c.dosing_weight().map(|d| d.weight.as_str()),
    )?;
    state.decimal(
        "max_weight_change_percent",
        c.dosing_weight()
            .and_then(|d| d.max_change)
            .map(|p| Exact(p.get())),
    )?;
    state.field("split", &Schedule(c))?;
    Ok(())
}

/// A split dose's schedule: each infusion's number, day, share and target; null where the dose
/// is not split.
struct Schedule<'a>(&'a Calculation);

impl Serialize for Schedule<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeSeq};
        let Some(split) = self.0.split() else {
            return serializer.serialize_none();
        };
        let rows = self.0.schedule().map_err(S::Error::custom)?;
        let mut seq = serializer.serialize_seq(Some(rows.len()))?;
        for (number, part, target) in rows {
            seq.serialize_element(&SplitRow {
                infusion: number,
                day: part.day,
                share_percent: Exact(part.fraction.get()),
                target_cells_exact: target,
                limits: split.limits().as_str(),
            })?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct SplitRow {
    infusion: u32,
    day: u32,
    share_percent: Exact,
    target_cells_exact: Option<crate::ExactCells>,
    limits: &'static str,
}

/// The product, bags, excipients, split judgement and drawing of a check.
fn delivery_fields<F: Fields>(state: &mut F, check: &DeliveryCheck) -> Result<(), F::Error> {
    state.decimal("actual_cells_exact", Some(check.actual_exact()))?;
    state.field(
        "product",
        &check.product().map(|p| ProductReport {
            id: p.identity().id(),
            din: p.identity().din().map(|d| d.to_string()),
            product_code: p.identity().product_code().map(|c| c.as_str()),
            counts: p.identity().counts().as_str(),
            sha256: p.identity().sha256(),
            bags: p
                .bags()
                .iter()
                .map(|b| BagReport {
                    id: b.id(),
                    whole: b.whole(),
                    volume_ml: Exact(b.volume_ml()),
                    counted_cells_exact: b.counted(),
                    viability_percent: Exact(b.viability().get()),
                    left_ml: Exact(b.left_ml()),
                    left_cells_exact: Exact(b.left_counted()),
                })
                .collect(),
            untouched_bags: p.untouched().iter().map(|(id, _, _)| id.as_str()).collect(),
        }),
    )?;
    state.field(
        "excipients",
        &check.excipients().map(|e| ExcipientReport {
            volume_ml: Exact(e.volume_ml()),
            volume_ml_per_kg: Exact(e.volume_ml_per_kg()),
            dmso_ml: e.dmso_ml().map(Exact),
            dmso_g: e.dmso_g().map(Exact),
            dmso_g_per_kg: e.dmso_g_per_kg().map(Exact),
            dmso_density_g_per_ml: Exact(e.dmso_density()),
            endotoxin_eu: e.endotoxin_eu().map(Exact),
            endotoxin_eu_per_kg: e.endotoxin_eu_per_kg().map(Exact),
        }),
    )?;
    state.field(
        "infusion",
        &check.split().map(|s| InfusionReport {
            infusion: s.infusion(),
            infusions: s.infusions(),
            day: s.day(),
            share_percent: Exact(s.share().get()),
            share_so_far_percent: Exact(s.share_so_far()),
            limits: s.limits().as_str(),
            target_cells_exact: s.target(),
            given_before_cells_exact: s.given_before(),
            cumulative_cells_exact: s.cumulative(),
            cumulative_target_cells_exact: s.cumulative_target(),
        }),
    )?;
    state.field(
        "drawing",
        &check.drawing().map(|d| DrawingReport {
            step_ml: Exact(d.step().ml()),
            target_cells_exact: d.target(),
            exact_ml: d.exact_ml().map(Exact),
            exact_ml_rounded: d.exact_ml().map(|_| !d.exact_ml_is_exact()),
        }),
    )?;
    Ok(())
}

#[derive(Serialize)]
struct ProductReport<'a> {
    id: &'a str,
    din: Option<String>,
    product_code: Option<&'a str>,
    counts: &'static str,
    sha256: &'a str,
    bags: Vec<BagReport<'a>>,
    untouched_bags: Vec<&'a str>,
}

#[derive(Serialize)]
struct BagReport<'a> {
    id: &'a str,
    whole: bool,
    volume_ml: Exact,
    counted_cells_exact: crate::ExactCells,
    viability_percent: Exact,
    left_ml: Exact,
    left_cells_exact: Exact,
}

#[derive(Serialize)]
struct ExcipientReport {
    volume_ml: Exact,
    volume_ml_per_kg: Exact,
    dmso_ml: Option<Exact>,
    dmso_g: Option<Exact>,
    dmso_g_per_kg: Option<Exact>,
    dmso_density_g_per_ml: Exact,
    endotoxin_eu: Option<Exact>,
    endotoxin_eu_per_kg: Option<Exact>,
}

#[derive(Serialize)]
struct InfusionReport {
    infusion: u32,
    infusions: u32,
    day: u32,
    share_percent: Exact,
    share_so_far_percent: Exact,
    limits: &'static str,
    target_cells_exact: Option<crate::ExactCells>,
    given_before_cells_exact: Option<crate::ExactCells>,
    cumulative_cells_exact: Option<crate::ExactCells>,
    cumulative_target_cells_exact: Option<crate::ExactCells>,
}

#[derive(Serialize)]
struct DrawingReport {
    step_ml: Exact,
    target_cells_exact: crate::ExactCells,
    exact_ml: Option<Exact>,
    /// Whether `exact_ml` is rounded to 0.000001 mL rather than exact.
    exact_ml_rounded: Option<bool>,
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
            state.field("row", &row)?;
        }
        dose_fields(state, c, c.verdict().as_str())?;
        state.field(
            "findings",
            &Findings {
                findings: c.findings().iter(),
                notation: self.notation,
                marker: core::marker::PhantomData,
            },
        )?;
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
            state.field("row", &row)?;
        }
        dose_fields(state, check.calculation(), check.verdict().as_str())?;
        state.decimal("actual_cells", Some(check.actual_cells()))?;
        state.decimal(
            "actual_cells_per_kg",
            Some(Exact(check.actual_cells_per_kg().get())),
        )?;
        state.decimal("deviation_percent", check.deviation_percent().map(Exact))?;
        state.decimal(
            "tolerance_percent",
            check.tolerance().map(|t| Exact(t.hard().get())),
        )?;
        state.decimal(
            "soft_tolerance_percent",
            check
                .tolerance()
                .and_then(|t| t.soft())
                .map(|s| Exact(s.get())),
        )?;
        delivery_fields(state, check)?;
        state.field(
            "findings",
            &Findings {
                findings: check.findings(),
                notation: self.notation,
                marker: core::marker::PhantomData,
            },
        )?;
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
            state.field("row", &row)?;
        }
        dose_fields(state, prepared.calculation(), prepared.verdict().as_str())?;
        state.decimal(
            "concentration_per_ml",
            Some(Exact(product.concentration().get())),
        )?;
        state.field("concentration_is_viable", &product.viable_stated())?;
        state.decimal("viability_percent", Some(Exact(product.viability().get())))?;
        state.decimal("positive_percent", Some(Exact(product.positive().get())))?;
        state.decimal("available_ml", Some(Exact(product.available().ml())))?;
        state.decimal("step_ml", Some(Exact(prepared.step().ml())))?;
        state.decimal(
            "active_cells_per_ml",
            Some(Exact(product.active_cells_per_ml())),
        )?;
        state.decimal("exact_volume_ml", Some(Exact(prepared.exact_volume_ml())))?;
        state.field("exact_volume_rounded", &!prepared.exact_volume_is_exact())?;
        state.decimal("volume_ml", Some(Exact(prepared.volume().ml())))?;
        state.decimal("delivered_cells", prepared.delivered_cells())?;
        state.decimal("delivered_cells_exact", Some(prepared.delivered_exact()))?;
        state.decimal(
            "delivered_cells_per_kg",
            Some(Exact(prepared.delivered_per_kg().get())),
        )?;
        state.decimal("deviation_percent", prepared.deviation_percent().map(Exact))?;
        state.decimal(
            "tolerance_percent",
            prepared.tolerance().map(|t| Exact(t.hard().get())),
        )?;
        state.decimal(
            "soft_tolerance_percent",
            prepared
                .tolerance()
                .and_then(|t| t.soft())
                .map(|s| Exact(s.get())),
        )?;
        state.field(
            "findings",
            &Findings {
                findings: prepared.findings(),
                notation: self.notation,
                marker: core::marker::PhantomData,
            },
        )?;
        Ok(())
    }
}

/// Where a report's fields go, one at a time and in order.
pub(crate) trait Fields {
    /// What writing a field can fail with.
    type Error;

    /// Writes one field.
    fn field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Self::Error>;

    /// Writes a number as its exact string without trailing zeros, or `null`: the same as
    /// [`field`](Fields::field) with the value's own `Serialize`.
    fn decimal<T: AsDecimal>(
        &mut self,
        key: &'static str,
        value: Option<T>,
    ) -> Result<(), Self::Error> {
        self.field(key, &value.map(|v| Exact(v.decimal())))
    }

    /// Writes the three fields that name the protocol a result rests on: the same for every
    /// result of that protocol.
    fn provenance(&mut self, id: &str, version: &str, sha256: &str) -> Result<(), Self::Error> {
        self.field("protocol", id)?;
        self.field("protocol_version", version)?;
        self.field("protocol_sha256", sha256)
    }
}

/// A value written as its exact decimal: the cell amounts and [`Exact`], whose `Serialize` is
/// that string.
pub(crate) trait AsDecimal {
    fn decimal(&self) -> Decimal;
}

impl AsDecimal for Exact {
    fn decimal(&self) -> Decimal {
        self.0
    }
}

impl AsDecimal for crate::CellCount {
    fn decimal(&self) -> Decimal {
        self.get()
    }
}

impl AsDecimal for crate::ExactCells {
    fn decimal(&self) -> Decimal {
        self.get()
    }
}

/// A serde struct as [`Fields`]: the route of every format and of pretty JSON.
struct Struct<S>(S);

impl<S: SerializeStruct> Fields for Struct<S> {
    type Error = S::Error;

    fn field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), S::Error> {
        self.0.serialize_field(key, value)
    }
}

/// One compact JSON record written into a buffer: the keys are the reports' own identifiers,
/// which need no escaping, so they are copied as they are; each protocol's provenance is
/// serialised once per run and copied after that ([`Provenances`]); every value goes through
/// `serde_json`. The bytes are those `serde_json::to_writer` writes for the same report.
pub(crate) struct JsonLine<'o> {
    out: &'o mut Vec<u8>,
    provenances: &'o mut Provenances,
    started: bool,
}

impl<'o> JsonLine<'o> {
    pub(crate) fn new(out: &'o mut Vec<u8>, provenances: &'o mut Provenances) -> Self {
        Self {
            out,
            provenances,
            started: false,
        }
    }

    fn separator(&mut self) {
        self.out.push(if self.started { b',' } else { b'{' });
        self.started = true;
    }

    /// Ends the record (an empty record is `{}`).
    pub(crate) fn end(mut self) {
        if !self.started {
            self.out.push(b'{');
        }
        self.out.push(b'}');
        self.started = true;
    }
}

impl Fields for JsonLine<'_> {
    type Error = serde_json::Error;

    fn field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), serde_json::Error> {
        self.separator();
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        serde_json::to_writer(&mut *self.out, value)
    }

    fn decimal<T: AsDecimal>(
        &mut self,
        key: &'static str,
        value: Option<T>,
    ) -> Result<(), serde_json::Error> {
        self.separator();
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        match value {
            // Digits, a point and a sign: nothing in it needs escaping.
            Some(value) => {
                self.out.push(b'"');
                self.out
                    .extend_from_slice(crate::digits::DecimalText::new(value.decimal()).as_bytes());
                self.out.push(b'"');
            }
            None => self.out.extend_from_slice(b"null"),
        }
        Ok(())
    }

    fn provenance(
        &mut self,
        id: &str,
        version: &str,
        sha256: &str,
    ) -> Result<(), serde_json::Error> {
        self.separator();
        let bytes = self.provenances.bytes(id, version, sha256)?;
        self.out.extend_from_slice(bytes);
        Ok(())
    }
}

/// Each protocol's `"protocol":…,"protocol_version":…,"protocol_sha256":…` as JSON bytes,
/// serialised the first time a run meets the protocol. A run meets a handful of protocols, so a
/// short list searched in order is all it takes.
#[derive(Debug, Default)]
pub(crate) struct Provenances {
    known: Vec<Provenance>,
}

#[derive(Debug)]
struct Provenance {
    id: String,
    version: String,
    sha256: String,
    bytes: Vec<u8>,
}

impl Provenances {
    /// How many protocols' provenance is kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.known.len()
    }

    fn bytes(&mut self, id: &str, version: &str, sha256: &str) -> Result<&[u8], serde_json::Error> {
        let found = self
            .known
            .iter()
            .position(|p| p.sha256 == sha256 && p.id == id && p.version == version);
        let index = match found {
            Some(index) => index,
            None => {
                let mut bytes = Vec::new();
                for (key, value) in [
                    ("protocol", id),
                    ("protocol_version", version),
                    ("protocol_sha256", sha256),
                ] {
                    if !bytes.is_empty() {
                        bytes.push(b',');
                    }
                    serde_json::to_writer(&mut bytes, key)?;
                    bytes.push(b':');
                    serde_json::to_writer(&mut bytes, value)?;
                }
                self.known.push(Provenance {
                    id: id.to_owned(),
                    version: version.to_owned(),
                    sha256: sha256.to_owned(),
                    bytes,
                });
                self.known.len().saturating_sub(1)
            }
        };
        Ok(self
            .known
            .get(index)
            .map_or(&[][..], |p| p.bytes.as_slice()))
    }
}

impl JsonLine<'_> {
    /// Writes one compact JSON record of `fields` into `out`: the same bytes as
    /// `serde_json::to_writer` writes for the report whose fields they are.
    pub(crate) fn record(
        out: &mut Vec<u8>,
        provenances: &mut Provenances,
        fields: impl FnOnce(&mut JsonLine<'_>) -> Result<(), serde_json::Error>,
    ) -> Result<(), serde_json::Error> {
        let mut line = JsonLine::new(out, provenances);
        fields(&mut line)?;
        line.end();
        Ok(())
    }
}

impl DoseReport<'_> {
    /// The report's fields for a batch record ([`JsonLine::record`]).
    pub(crate) fn json_fields(&self, line: &mut JsonLine<'_>) -> Result<(), serde_json::Error> {
        self.fields(line)
    }
}

impl CheckReport<'_> {
    /// The report's fields for a batch record ([`JsonLine::record`]).
    pub(crate) fn json_fields(&self, line: &mut JsonLine<'_>) -> Result<(), serde_json::Error> {
        self.fields(line)
    }
}
