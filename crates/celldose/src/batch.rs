//! A whole dispensing log in one pass: one output record per input row, in input order, and no
//! row ever lost.
//!
//! The input is CSV whose header names columns after the `dose`/`check` flags. A row with `cells`
//! is a check; otherwise it is a dose. A row that cannot be computed becomes a record with its
//! error; it never stops the run. Rows are read, computed and written one at a time through
//! reused buffers, so memory does not grow with the length of the log.

use std::io::{Read, Write};

use csv::{ByteRecord, ReaderBuilder, WriterBuilder};
use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;

use crate::audit::AuditLog;
use crate::error::{Error, Result};
use crate::human::Notation;
use crate::report::{CheckReport, DoseReport};
use crate::{Calculation, Catalogue, DeliveryCheck, FieldNames, RequestText, Verdict};

/// The columns a log may have; each is named after the `dose`/`check` flag it stands for.
pub const COLUMNS: [&str; 12] = [
    "protocol",
    "arm",
    "level",
    "dose",
    "weight",
    "age",
    "born",
    "on",
    "cells",
    "tolerance",
    "acknowledge",
    "rounding",
];

/// How each output record is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BatchFormat {
    /// One JSON object per line: `row`, then the `dose` or `check` fields, or `error`.
    Jsonl,
    /// CSV with a fixed header (see [`CSV_HEADER`]).
    Csv,
}

/// The header of CSV output.
pub const CSV_HEADER: [&str; 15] = [
    "row",
    "protocol",
    "arm",
    "level",
    "weight_kg",
    "cells",
    "cells_per_kg",
    "min_cells",
    "max_cells",
    "actual_cells",
    "deviation_percent",
    "verdict",
    "findings",
    "protocol_sha256",
    "error",
];

/// What a batch found, row by row, added up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Data rows read (each gave exactly one output record).
    pub rows: u64,
    /// Rows whose verdict is `within`.
    pub within: u64,
    /// Rows whose verdict is `review`.
    pub review: u64,
    /// Rows whose verdict is `outside`.
    pub outside: u64,
    /// Dose rows on a range protocol that chose no dose (verdict `no-dose-chosen`).
    pub no_dose: u64,
    /// Rows that could not be computed.
    pub errors: u64,
}

impl core::fmt::Display for Summary {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{} rows: {} within, {} review, {} outside, {} in error",
            self.rows, self.within, self.review, self.outside, self.errors
        )?;
        if self.no_dose > 0 {
            write!(f, ", {} with no dose chosen", self.no_dose)?;
        }
        Ok(())
    }
}

/// Which column holds which flag.
#[derive(Debug, Default, Clone, Copy)]
struct Columns {
    protocol: Option<usize>,
    arm: Option<usize>,
    level: Option<usize>,
    dose: Option<usize>,
    weight: Option<usize>,
    age: Option<usize>,
    born: Option<usize>,
    on: Option<usize>,
    cells: Option<usize>,
    tolerance: Option<usize>,
    acknowledge: Option<usize>,
    rounding: Option<usize>,
    count: usize,
}

impl Columns {
    fn from_header(header: &ByteRecord) -> Result<Self> {
        let mut columns = Self {
            count: header.len(),
            ..Self::default()
        };
        for (index, raw) in header.iter().enumerate() {
            let name = std::str::from_utf8(raw)
                .map_err(|_| {
                    input_error(format!(
                        "header column {} is not valid UTF-8",
                        index.saturating_add(1)
                    ))
                })?
                .trim();
            let slot = match name {
                "protocol" => &mut columns.protocol,
                "arm" => &mut columns.arm,
                "level" => &mut columns.level,
                "dose" => &mut columns.dose,
                "weight" => &mut columns.weight,
                "age" => &mut columns.age,
                "born" => &mut columns.born,
                "on" => &mut columns.on,
                "cells" => &mut columns.cells,
                "tolerance" => &mut columns.tolerance,
                "acknowledge" => &mut columns.acknowledge,
                "rounding" => &mut columns.rounding,
                other => {
                    return Err(input_error(format!(
                        "header column {:?} is not known; accepted columns: {}",
                        other,
                        COLUMNS.join(", ")
                    )))
                }
            };
            if slot.replace(index).is_some() {
                return Err(input_error(format!("header column {name:?} appears twice")));
            }
        }
        for (name, slot) in [("protocol", columns.protocol), ("weight", columns.weight)] {
            if slot.is_none() {
                return Err(input_error(format!(
                    "the header has no {name:?} column, which every row needs; accepted columns: {}",
                    COLUMNS.join(", ")
                )));
            }
        }
        Ok(columns)
    }
}

fn input_error(message: String) -> Error {
    Error::Request(format!("the batch input cannot be read: {message}"))
}

/// One computed row.
enum Outcome {
    Dose(Calculation),
    Check(DeliveryCheck),
}

impl Outcome {
    fn verdict(&self) -> Verdict {
        match self {
            Self::Dose(calculation) => calculation.verdict(),
            Self::Check(check) => check.verdict(),
        }
    }
}

/// The text of one field, or `None` when the column is absent or the cell empty.
fn field<'r>(record: &'r ByteRecord, column: Option<usize>, name: &str) -> Result<Option<&'r str>> {
    let Some(raw) = column.and_then(|index| record.get(index)) else {
        return Ok(None);
    };
    let text = std::str::from_utf8(raw)
        .map_err(|_| Error::Request(format!("column {name} is not valid UTF-8")))?
        .trim_ascii();
    Ok((!text.is_empty()).then_some(text))
}

/// Computes one row exactly as `celldose dose` or `celldose check` would.
fn compute(catalogue: &Catalogue, columns: &Columns, record: &ByteRecord) -> Result<Outcome> {
    if record.len() == 1 && record.get(0) == Some(&[EMPTY_LINE][..]) {
        return Err(Error::Request("the row is empty".into()));
    }
    if record.len() != columns.count {
        return Err(Error::Request(format!(
            "the row has {} fields where the header has {}",
            record.len(),
            columns.count
        )));
    }
    let text = RequestText {
        protocol: field(record, columns.protocol, "protocol")?
            .ok_or_else(|| Error::Request("protocol is empty; every row needs one".into()))?,
        arm: field(record, columns.arm, "arm")?,
        level: field(record, columns.level, "level")?,
        dose: field(record, columns.dose, "dose")?,
        weight: field(record, columns.weight, "weight")?.ok_or_else(|| {
            Error::Request("weight is empty; every row needs one, with its unit".into())
        })?,
        age: field(record, columns.age, "age")?,
        born: field(record, columns.born, "born")?,
        on: field(record, columns.on, "on")?,
        rounding: field(record, columns.rounding, "rounding")?,
        acknowledge: field(record, columns.acknowledge, "acknowledge")?,
        cells: field(record, columns.cells, "cells")?,
        tolerance: field(record, columns.tolerance, "tolerance")?,
    };
    let (protocol, request) = text.to_request(catalogue, FieldNames::Columns)?;
    match text.delivery(FieldNames::Columns)? {
        (Some(cells), tolerance) => Ok(Outcome::Check(protocol.check(&request, cells, tolerance)?)),
        (None, Some(_)) => Err(Error::Request(
            "tolerance is given but cells is empty; a tolerance applies to a delivered count"
                .into(),
        )),
        (None, None) => Ok(Outcome::Dose(protocol.calculate(&request)?)),
    }
}

/// A JSON line: `row`, then the result's fields.
struct JsonRow<'a> {
    row: u64,
    outcome: &'a Result<Outcome>,
    notation: Notation,
}

impl Serialize for JsonRow<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> core::result::Result<S::Ok, S::Error> {
        match self.outcome {
            Ok(Outcome::Dose(c)) => DoseReport::new(c, self.notation)
                .with_row(self.row)
                .serialize(serializer),
            Ok(Outcome::Check(c)) => CheckReport::new(c, self.notation)
                .with_row(self.row)
                .serialize(serializer),
            Err(error) => {
                let mut state = serializer.serialize_struct("Row", 2)?;
                state.serialize_field("row", &self.row)?;
                state.serialize_field("error", &error.to_string())?;
                state.end()
            }
        }
    }
}

/// Reads a log from `input`, writes one record per row to `output` (and, when `audit` is given,
/// one audit record per row, under the log's lock for the whole run), and returns the summary.
///
/// # Errors
/// Only when the input cannot be read at all (no header, an unknown or missing column, an I/O
/// failure) or the output cannot be written. A bad row is never an error here: it becomes an
/// output record with its message.
///
/// ```
/// use celldose::batch::{self, BatchFormat};
/// let log = "protocol,arm,level,weight,cells,tolerance\n\
///            NCT07276568,alf,1,72.5kg,,\n\
///            NCT07276568,alf,1,72.5kg,1.2e9,10%\n\
///            NCT07276568,alf,1,72.5,,\n";
/// let mut out = Vec::new();
/// let summary = batch::run(&celldose::Catalogue::builtin()?, log.as_bytes(), &mut out, BatchFormat::Jsonl, celldose::human::Notation::Ascii, None)?;
/// assert_eq!((summary.rows, summary.within, summary.errors), (3, 2, 1));
/// let text = String::from_utf8(out).unwrap_or_default();
/// assert_eq!(text.lines().count(), 3);
/// assert!(text.lines().nth(2).unwrap_or_default().starts_with(r#"{"row":3,"error":"weight: body weight \"72.5\" has no unit"#));
/// # Ok::<(), celldose::Error>(())
/// ```
pub fn run<R: Read, W: Write>(
    catalogue: &Catalogue,
    input: R,
    output: W,
    format: BatchFormat,
    notation: Notation,
    mut audit: Option<&mut AuditLog>,
) -> Result<Summary> {
    let mut reader = ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(MarkEmptyLines::new(input));
    let mut record = ByteRecord::new();
    let read_error = |e: csv::Error| input_error(e.to_string());
    if !reader.read_byte_record(&mut record).map_err(read_error)? {
        return Err(input_error(
            "it is empty; the first line must be a header naming the columns".into(),
        ));
    }
    let columns = Columns::from_header(&record)?;
    let header: Vec<String> = record
        .iter()
        .map(|name| String::from_utf8_lossy(name).trim().to_owned())
        .collect();
    let mut summary = Summary::default();
    let mut sink = Sink::new(output, format)?;

    loop {
        let more = match reader.read_byte_record(&mut record) {
            Ok(more) => more,
            Err(error) if error.is_io_error() => return Err(read_error(error)),
            Err(error) => {
                // A malformed record is a row with an error, never the end of the run.
                summary.rows = summary.rows.saturating_add(1);
                summary.errors = summary.errors.saturating_add(1);
                let outcome = Err(Error::Request(format!(
                    "the row cannot be read as CSV: {error}"
                )));
                if let Some(log) = audit.as_deref_mut() {
                    let row = JsonRow {
                        row: summary.rows,
                        outcome: &outcome,
                        notation,
                    };
                    log.append("batch", &[], &row)?;
                }
                sink.write(summary.rows, &outcome, notation)?;
                continue;
            }
        };
        if !more {
            break;
        }
        summary.rows = summary.rows.saturating_add(1);
        let outcome = compute(catalogue, &columns, &record);
        match outcome.as_ref().map(Outcome::verdict) {
            Ok(Verdict::Within) => summary.within = summary.within.saturating_add(1),
            Ok(Verdict::Review) => summary.review = summary.review.saturating_add(1),
            Ok(Verdict::NoDoseChosen) => summary.no_dose = summary.no_dose.saturating_add(1),
            Ok(_) => summary.outside = summary.outside.saturating_add(1),
            Err(_) => summary.errors = summary.errors.saturating_add(1),
        }
        if let Some(log) = audit.as_deref_mut() {
            let raw: Vec<(&str, String)> = header
                .iter()
                .zip(record.iter())
                .map(|(name, value)| (name.as_str(), String::from_utf8_lossy(value).into_owned()))
                .collect();
            let input: Vec<(&str, &str)> = raw
                .iter()
                .map(|(name, value)| (*name, value.as_str()))
                .collect();
            let row = JsonRow {
                row: summary.rows,
                outcome: &outcome,
                notation,
            };
            log.append("batch", &input, &row)?;
        }
        sink.write(summary.rows, &outcome, notation)?;
    }
    sink.finish()?;
    Ok(summary)
}

/// Stands in for an empty line, which the CSV reader would otherwise skip without a trace.
const EMPTY_LINE: u8 = 0;

/// Passes the input through unchanged, except that each empty line outside a quoted field gets
/// one [`EMPTY_LINE`] byte, so that it reaches the CSV reader as a row of its own and is reported
/// instead of vanishing. Quotes are tracked by toggling: an escaped `""` toggles twice.
struct MarkEmptyLines<R> {
    inner: R,
    buffer: Box<[u8]>,
    start: usize,
    end: usize,
    in_quotes: bool,
    at_line_start: bool,
    after_cr: bool,
    pending: Option<u8>,
}

impl<R: Read> MarkEmptyLines<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            buffer: vec![0; 1 << 16].into_boxed_slice(),
            start: 0,
            end: 0,
            in_quotes: false,
            at_line_start: false,
            after_cr: false,
            pending: None,
        }
    }
}

impl<R: Read> Read for MarkEmptyLines<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut written: usize = 0;
        for slot in out.iter_mut() {
            let byte = match self.pending.take() {
                Some(byte) => byte,
                None => {
                    if self.start == self.end {
                        if written > 0 {
                            break;
                        }
                        self.end = self.inner.read(&mut self.buffer)?;
                        self.start = 0;
                        if self.end == 0 {
                            break;
                        }
                    }
                    let Some(&byte) = self.buffer.get(self.start) else {
                        break;
                    };
                    self.start = self.start.saturating_add(1);
                    match byte {
                        b'"' => {
                            self.in_quotes = !self.in_quotes;
                            self.at_line_start = false;
                            self.after_cr = false;
                            byte
                        }
                        b'\n' | b'\r' if !self.in_quotes => {
                            // "\r\n" is one line end: its "\n" does not start another line.
                            let empty = self.at_line_start && !(byte == b'\n' && self.after_cr);
                            self.after_cr = byte == b'\r';
                            self.at_line_start = true;
                            if empty {
                                self.pending = Some(byte);
                                EMPTY_LINE
                            } else {
                                byte
                            }
                        }
                        _ => {
                            self.at_line_start = false;
                            self.after_cr = false;
                            byte
                        }
                    }
                }
            };
            *slot = byte;
            written = written.saturating_add(1);
        }
        Ok(written)
    }
}

/// Where output records go.
enum Sink<W: Write> {
    Jsonl(std::io::BufWriter<W>),
    Csv(Box<csv::Writer<W>>),
}

impl<W: Write> Sink<W> {
    fn new(output: W, format: BatchFormat) -> Result<Self> {
        Ok(match format {
            BatchFormat::Jsonl => Self::Jsonl(std::io::BufWriter::with_capacity(1 << 16, output)),
            BatchFormat::Csv => {
                let mut writer = WriterBuilder::new().from_writer(output);
                writer.write_record(CSV_HEADER).map_err(write_error)?;
                Self::Csv(Box::new(writer))
            }
        })
    }

    fn write(&mut self, row: u64, outcome: &Result<Outcome>, notation: Notation) -> Result<()> {
        match self {
            Self::Jsonl(out) => {
                serde_json::to_writer(
                    &mut *out,
                    &JsonRow {
                        row,
                        outcome,
                        notation,
                    },
                )
                .map_err(write_error)?;
                out.write_all(b"\n").map_err(write_error)
            }
            Self::Csv(out) => {
                let cells = csv_row(row, outcome);
                out.write_record(&cells).map_err(write_error)
            }
        }
    }

    fn finish(self) -> Result<()> {
        match self {
            Self::Jsonl(mut out) => out.flush().map_err(write_error),
            Self::Csv(mut out) => out.flush().map_err(write_error),
        }
    }
}

fn write_error(error: impl core::fmt::Display) -> Error {
    Error::Request(format!("the batch output cannot be written: {error}"))
}

fn csv_row(row: u64, outcome: &Result<Outcome>) -> [String; 15] {
    let text = |value: Option<String>| value.unwrap_or_default();
    match outcome {
        Err(error) => {
            let mut cells: [String; 15] = Default::default();
            cells[0] = row.to_string();
            cells[14] = error.to_string();
            cells
        }
        Ok(outcome) => {
            let (c, actual, deviation, verdict, findings) = match outcome {
                Outcome::Dose(c) => (
                    c,
                    None,
                    None,
                    c.verdict(),
                    c.findings()
                        .iter()
                        .map(|f| f.code().as_str())
                        .collect::<Vec<_>>(),
                ),
                Outcome::Check(check) => (
                    check.calculation(),
                    Some(check.actual_cells().to_string()),
                    check.deviation_percent().map(|d| d.to_string()),
                    check.verdict(),
                    check.findings().map(|f| f.code().as_str()).collect(),
                ),
            };
            [
                row.to_string(),
                c.protocol().to_owned(),
                text(c.arm().map(str::to_owned)),
                text(c.level().map(|l| l.to_string())),
                c.weight().weight().kg().to_string(),
                text(c.cells().map(|n| n.to_string())),
                text(c.cells_per_kg().map(|p| p.get().to_string())),
                text(c.min_cells().map(|n| n.to_string())),
                text(c.max_cells().map(|n| n.to_string())),
                text(actual),
                text(deviation),
                verdict.as_str().to_owned(),
                findings.join(";"),
                c.protocol_sha256().to_owned(),
                String::new(),
            ]
        }
    }
}
