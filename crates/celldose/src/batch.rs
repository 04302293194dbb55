//! A whole dispensing log in one pass: one output record per input row, in input order, and no
//! row ever lost.
//!
//! The input is CSV whose header names columns after the `dose`/`check` flags. A row with `cells`
//! is a check; otherwise it is a dose. A row that cannot be computed becomes a record with its
//! error; it never stops the run. Every physical line is a row: a dispensing log has no fields
//! that span lines, so a quote left open is an error for its own line only, and rows in equal
//! records out. A row is at most [`ROW_MAX_BYTES`]; a longer one is an error record and is read
//! past, not kept. Rows are read, computed and written one at a time through reused buffers, so
//! memory does not grow with the length of the log or of its lines.

use std::io::{BufRead, Write};

use csv::WriterBuilder;
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::audit::AuditLog;
use crate::error::{Error, Result};
use crate::human::Notation;
use crate::lines::{BoundedLines, LineEnd, LineError};
use crate::report::{CheckReport, DoseReport, Fields, JsonLine, Provenances};
use crate::text::{Shown, char_name, forbidden_char};
use crate::{Calculation, Catalogue, Certificate, DeliveryCheck, FieldNames, RequestText, Verdict};

/// The columns a log may have; each is named after the `dose`/`check` flag it stands for.
pub const COLUMNS: [&str; 19] = [
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
    "current_weight",
    "product",
    "bags",
    "infusion",
    "given",
    "patient",
    "given_dmso",
];

/// The longest row read, in bytes (64 KiB); a longer row becomes an error record.
pub const ROW_MAX_BYTES: usize = BoundedLines::<&[u8]>::DEFAULT_MAX;

/// One line split into fields, through reused buffers.
#[derive(Debug, Default)]
struct Row {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Row {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, index: usize) -> Option<&[u8]> {
        let end = *self.ends.get(index)?;
        let start = match index.checked_sub(1) {
            Some(before) => *self.ends.get(before)?,
            None => 0,
        };
        self.bytes.get(start..end)
    }

    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len()).filter_map(|index| self.get(index))
    }

    /// Splits one line as CSV. A quote that is not closed on the line is refused here, where
    /// a CSV reader would read on into the following lines.
    fn split(&mut self, reader: &mut csv_core::Reader, line: &[u8]) -> Result<()> {
        if line.iter().filter(|byte| **byte == b'"').count() % 2 == 1 {
            return Err(Error::Request(
                "a quote in this row is not closed on its line; a field may not span lines, so the row was not read".into(),
            ));
        }
        reader.reset();
        self.bytes.clear();
        self.bytes.resize(line.len().saturating_add(1), 0);
        self.ends.clear();
        self.ends.resize(16, 0);
        let (mut input, mut written, mut fields) = (line, 0usize, 0usize);
        loop {
            let (result, read, out, ended) = reader.read_record(
                input,
                self.bytes.get_mut(written..).unwrap_or_default(),
                self.ends.get_mut(fields..).unwrap_or_default(),
            );
            input = input.get(read..).unwrap_or_default();
            written = written.saturating_add(out);
            fields = fields.saturating_add(ended);
            match result {
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => {
                    let grown = self.bytes.len().saturating_mul(2);
                    self.bytes.resize(grown, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let grown = self.ends.len().saturating_mul(2);
                    self.ends.resize(grown, 0);
                }
                csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End => break,
            }
        }
        self.bytes.truncate(written);
        self.ends.truncate(fields);
        if input.is_empty() {
            Ok(())
        } else {
            Err(Error::Request(
                "the row holds a line break inside it, so it was not read".into(),
            ))
        }
    }
}

/// How each output record is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BatchFormat {
    /// One JSON object per line: `row`, then the `dose` or `check` fields, or `error`.
    Jsonl,
    /// CSV with a fixed header (see [`CSV_HEADER`]).
    Csv,
    /// One FHIR R4B resource per line (NDJSON): a dose row's `MedicationRequest`, a check row's
    /// `MedicationAdministration` given at this time, a refused row's `OperationOutcome`; each
    /// identified by its row number (see [`crate::fhir`]).
    Fhir(crate::fhir::When),
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
    current_weight: Option<usize>,
    product: Option<usize>,
    bags: Option<usize>,
    infusion: Option<usize>,
    given: Option<usize>,
    patient: Option<usize>,
    given_dmso: Option<usize>,
    count: usize,
}

impl Columns {
    fn from_header(header: &Row) -> Result<Self> {
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
                .trim_ascii();
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
                "current_weight" => &mut columns.current_weight,
                "product" => &mut columns.product,
                "bags" => &mut columns.bags,
                "infusion" => &mut columns.infusion,
                "given" => &mut columns.given,
                "patient" => &mut columns.patient,
                "given_dmso" => &mut columns.given_dmso,
                other => {
                    return Err(input_error(format!(
                        "header column {} is not known; accepted columns: {}",
                        Shown(other),
                        COLUMNS.join(", ")
                    )));
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
fn field<'r>(record: &'r Row, column: Option<usize>, name: &str) -> Result<Option<&'r str>> {
    let Some(raw) = column.and_then(|index| record.get(index)) else {
        return Ok(None);
    };
    // Spaces around a value are forgiven (any other blank is refused below, by name).
    let start = raw.iter().position(|b| *b != b' ').unwrap_or(raw.len());
    let end = raw
        .iter()
        .rposition(|b| *b != b' ')
        .map_or(start, |i| i.saturating_add(1));
    let text = std::str::from_utf8(raw.get(start..end).unwrap_or_default())
        .map_err(|_| Error::Request(format!("column {name} is not valid UTF-8")))?;
    if let Some((offset, c)) = forbidden_char(text) {
        let position = crate::text::char_position(text, offset);
        return Err(Error::Request(format!(
            "column {name} holds {} at character {position}; control and bidirectional characters are not accepted in a row",
            char_name(c)
        )));
    }
    Ok((!text.is_empty()).then_some(text))
}

/// Product files named in a log, each read once per run (a log names few products many times).
#[derive(Default)]
struct Products {
    read: Vec<(String, std::sync::Arc<Certificate>)>,
}

/// The most product files one run keeps; past it, the oldest is read again when named.
const PRODUCTS_KEPT: usize = 64;

impl Products {
    fn get(&mut self, path: &str) -> Result<std::sync::Arc<Certificate>> {
        if let Some((_, product)) = self.read.iter().find(|(p, _)| p == path) {
            return Ok(std::sync::Arc::clone(product));
        }
        let product = std::sync::Arc::new(Certificate::from_path(std::path::Path::new(path))?);
        if self.read.len() >= PRODUCTS_KEPT {
            self.read.remove(0);
        }
        self.read
            .push((path.to_owned(), std::sync::Arc::clone(&product)));
        Ok(product)
    }
}

/// Computes one row exactly as `celldose dose` or `celldose check` would.
fn compute(
    catalogue: &Catalogue,
    columns: &Columns,
    record: &Row,
    products: &mut Products,
) -> Result<Outcome> {
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
        current_weight: field(record, columns.current_weight, "current_weight")?,
        infusion: field(record, columns.infusion, "infusion")?,
        given: field(record, columns.given, "given")?,
        bags: field(record, columns.bags, "bags")?,
        patient: field(record, columns.patient, "patient")?,
        given_dmso: field(record, columns.given_dmso, "given_dmso")?,
        ..RequestText::default()
    };
    let product = field(record, columns.product, "product")?;
    let (protocol, request) = text.to_request(catalogue, FieldNames::Columns)?;
    if text.cells.is_none() && product.is_none() {
        // A row with neither a count nor a product is a dose; what applies only to a delivered
        // count must not be there.
        let course = text.course(FieldNames::Columns)?;
        let (_, tolerance) = text.delivery(FieldNames::Columns)?;
        let unused = [
            ("tolerance", tolerance.is_some()),
            ("infusion", course.is_some()),
            ("bags", text.bags.is_some()),
        ];
        if let Some((name, _)) = unused.iter().find(|(_, given)| *given) {
            return Err(Error::Request(format!(
                "{name} is given but cells and product are empty; it applies to a delivered count"
            )));
        }
        return Ok(Outcome::Dose(protocol.calculate(&request)?));
    }
    let product = product.map(|path| products.get(path)).transpose()?;
    Ok(Outcome::Check(text.check(
        protocol,
        &request,
        FieldNames::Columns,
        product.as_deref(),
        None,
    )?))
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

/// Writes one row's JSON record into `out`: the same bytes as `serde_json::to_writer` of its
/// [`JsonRow`], written with [`JsonLine`] so that keys and provenance are copied, not escaped.
fn json_row(
    out: &mut Vec<u8>,
    provenances: &mut Provenances,
    row: u64,
    outcome: &Result<Outcome>,
    notation: Notation,
) -> Result<()> {
    match outcome {
        Ok(Outcome::Dose(c)) => JsonLine::record(out, provenances, |line| {
            DoseReport::new(c, notation).with_row(row).json_fields(line)
        }),
        Ok(Outcome::Check(c)) => JsonLine::record(out, provenances, |line| {
            CheckReport::new(c, notation)
                .with_row(row)
                .json_fields(line)
        }),
        Err(error) => JsonLine::record(out, provenances, |line| {
            line.field("row", &row)?;
            line.field("error", &error.to_string())
        }),
    }
    .map_err(write_error)
}

/// Writes one row's FHIR resource into `out` as one line of JSON.
fn fhir_row(
    out: &mut Vec<u8>,
    row: u64,
    outcome: &Result<Outcome>,
    when: crate::fhir::When,
) -> Result<()> {
    use crate::fhir;
    match outcome {
        Ok(Outcome::Dose(c)) => {
            serde_json::to_writer(&mut *out, &fhir::medication_request(c).with_row(row))
        }
        Ok(Outcome::Check(c)) => {
            serde_json::to_writer(&mut *out, &fhir::administration(c, when).with_row(row))
        }
        Err(error) => serde_json::to_writer(
            &mut *out,
            &fhir::OperationOutcome::row_error(row, &error.to_string()),
        ),
    }
    .map_err(write_error)
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
pub fn run<R: BufRead, W: Write>(
    catalogue: &Catalogue,
    input: R,
    output: W,
    format: BatchFormat,
    notation: Notation,
    audit: Option<&mut AuditLog>,
) -> Result<Summary> {
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    run_with_workers(catalogue, input, output, format, notation, audit, workers)
}

/// [`run`], with the rows computed on `workers` threads (1: on the calling thread alone). The
/// output is the same byte for byte whatever the count: rows are read in blocks, computed in
/// parallel, and written in input order, with a bounded number of blocks in flight, so memory
/// stays flat. With an audit log the run is on the calling thread, each record appended in order.
///
/// # Errors
/// As [`run`].
///
/// ```
/// use celldose::batch::{self, BatchFormat};
/// let log = "protocol,arm,level,weight\nNCT07276568,alf,1,72.5kg\nNCT07276568,alf,1,72.5\n";
/// let catalogue = celldose::Catalogue::builtin()?;
/// let (mut one, mut two) = (Vec::new(), Vec::new());
/// batch::run_with_workers(&catalogue, log.as_bytes(), &mut one, BatchFormat::Jsonl, celldose::human::Notation::Unicode, None, 1)?;
/// batch::run_with_workers(&catalogue, log.as_bytes(), &mut two, BatchFormat::Jsonl, celldose::human::Notation::Unicode, None, 2)?;
/// assert_eq!(one, two);
/// # Ok::<(), celldose::Error>(())
/// ```
pub fn run_with_workers<R: BufRead, W: Write>(
    catalogue: &Catalogue,
    input: R,
    output: W,
    format: BatchFormat,
    notation: Notation,
    mut audit: Option<&mut AuditLog>,
    workers: usize,
) -> Result<Summary> {
    let result = run_rows(
        catalogue,
        input,
        output,
        format,
        notation,
        audit.as_deref_mut(),
        workers,
    );
    // A run refused as a whole (an unreadable header, binary data) is recorded too.
    if let (Err(error), Some(log)) = (&result, audit) {
        // The refusal is reported whether or not the log could take it.
        let _ = log.append("batch", &[], &crate::audit::Refused(&error.to_string()));
    }
    result
}

fn run_rows<R: BufRead, W: Write>(
    catalogue: &Catalogue,
    input: R,
    output: W,
    format: BatchFormat,
    notation: Notation,
    mut audit: Option<&mut AuditLog>,
    workers: usize,
) -> Result<Summary> {
    let mut lines = BoundedLines::new(input, ROW_MAX_BYTES);
    // Only a line feed ends a record: a carriage return inside a line is a character of its field
    // (and refused there), never a hidden second row.
    let mut splitter = csv_core::ReaderBuilder::new()
        .terminator(csv_core::Terminator::Any(b'\n'))
        .build();
    let mut line = Vec::new();
    let mut record = Row::default();
    let read_error = |error: LineError| input_error(error.to_string());
    match lines.read(&mut line).map_err(read_error)? {
        None => {
            return Err(input_error(
                "it is empty; the first line must be a header naming the columns".into(),
            ));
        }
        Some(LineEnd::TooLong { bytes }) => {
            return Err(input_error(format!(
                "its header line is {} bytes long, more than the {} bytes a line may have",
                crate::human::grouped(bytes.into()),
                crate::human::grouped(ROW_MAX_BYTES.into())
            )));
        }
        Some(LineEnd::Complete) => {}
    }
    record
        .split(&mut splitter, &line)
        .map_err(|e| input_error(format!("its header line: {e}")))?;
    let columns = Columns::from_header(&record)?;
    let header: Vec<String> = record
        .iter()
        .map(|name| String::from_utf8_lossy(name).trim_ascii().to_owned())
        .collect();
    let mut summary = Summary::default();
    let mut sink = Sink::new(output, format, notation)?;
    if audit.is_none() && workers > 1 {
        return in_parallel(catalogue, &columns, &mut lines, &mut sink, workers).and_then(
            |summary| {
                sink.finish()?;
                Ok(summary)
            },
        );
    }
    let mut products = Products::default();
    // With an audit log, records are shown only once theirs are on disk: a block's records are
    // held, its audit records synced with one fdatasync, and then the block is written.
    sink.hold = audit.is_some();
    let mut held = 0usize;
    let rows = (|| -> Result<()> {
        while let Some(end) = lines.read(&mut line).map_err(read_error)? {
            summary.rows = summary.rows.saturating_add(1);
            let (outcome, split) = row_outcome(
                end,
                &line,
                &mut splitter,
                &mut record,
                catalogue,
                &columns,
                &mut products,
            );
            summary.count(&outcome);
            let Some(log) = audit.as_deref_mut() else {
                sink.write(summary.rows, &outcome)?;
                continue;
            };
            // The fields as typed where the row was split, else the line as read.
            let raw: Vec<(&str, String)> = if split && record.len() == header.len() {
                header
                    .iter()
                    .zip(record.iter())
                    .map(|(name, value)| {
                        (name.as_str(), String::from_utf8_lossy(value).into_owned())
                    })
                    .collect()
            } else {
                vec![("line", String::from_utf8_lossy(&line).into_owned())]
            };
            let input: Vec<(&str, &str)> = raw
                .iter()
                .map(|(name, value)| (*name, value.as_str()))
                .collect();
            let row = JsonRow {
                row: summary.rows,
                outcome: &outcome,
                notation,
            };
            log.append_unsynced("batch", &input, &row)?;
            sink.write(summary.rows, &outcome)?;
            held = held.saturating_add(1);
            if held >= BLOCK_ROWS || sink.encoder.pending() >= WRITE_BLOCK {
                log.sync()?;
                sink.write_pending()?;
                held = 0;
            }
        }
        Ok(())
    })();
    if let Some(log) = audit {
        // Whatever stopped the run, the records of the rows read are shown only once synced.
        log.sync()?;
        sink.write_pending()?;
    }
    rows?;
    sink.finish()?;
    Ok(summary)
}

/// The most rows in a block handed to a worker.
const BLOCK_ROWS: usize = 128;
/// Room for a block's records: about 1 KiB a record, twice over.
const RECORDS_CAPACITY: usize = BLOCK_ROWS * 2048;
/// A block is handed over once its rows reach this many bytes.
const BLOCK_BYTES: usize = 1 << 16;

/// Rows read but not yet computed, as one block: the lines end to end, and where each ends.
struct Block {
    index: u64,
    first_row: u64,
    bytes: Vec<u8>,
    lines: Vec<(usize, LineEnd)>,
}

/// A block computed: its records as bytes (or why they could not be encoded), and its counts.
struct Done {
    index: u64,
    records: Result<Vec<u8>>,
    summary: Summary,
}

/// The rows after the header, computed on `workers` threads and written in input order. The
/// calling thread reads blocks of rows and writes finished blocks; at most a few blocks per worker
/// are read ahead, so memory does not grow with the log.
fn in_parallel<R: BufRead, W: Write>(
    catalogue: &Catalogue,
    columns: &Columns,
    lines: &mut BoundedLines<R>,
    sink: &mut Sink<W>,
    workers: usize,
) -> Result<Summary> {
    use std::sync::{Mutex, mpsc};
    let (format, notation) = (sink.encoder.format, sink.encoder.notation);
    let in_flight = u64::try_from(workers.saturating_mul(2)).unwrap_or(u64::MAX);
    let (work, to_work) = mpsc::channel::<Block>();
    let to_work = Mutex::new(to_work);
    let (done, finished) = mpsc::channel::<Done>();
    // Buffers passed round: written record buffers back to the workers, read blocks back to the
    // reader, so that after the first blocks nothing more is allocated for them.
    let (spare_records, to_reuse) = mpsc::channel::<Vec<u8>>();
    let to_reuse = Mutex::new(to_reuse);
    let (spare_blocks, blocks_back) = mpsc::channel::<Block>();
    std::thread::scope(|scope| {
        // Owned here, so that however this returns, the workers see the end of their work.
        let (work, done, finished) = (work, done, finished);
        for _ in 0..workers {
            let (done, to_work, to_reuse, spare_blocks) =
                (done.clone(), &to_work, &to_reuse, spare_blocks.clone());
            scope.spawn(move || {
                let mut splitter = csv_core::ReaderBuilder::new()
                    .terminator(csv_core::Terminator::Any(b'\n'))
                    .build();
                let mut record = Row::default();
                let mut products = Products::default();
                let mut encoder = Encoder::new(format, notation);
                loop {
                    let next = match to_work.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    let Ok(block) = next else { return };
                    let mut summary = Summary::default();
                    let mut encoded = Ok(());
                    let mut start = 0;
                    for (end_at, end) in &block.lines {
                        let line = block.bytes.get(start..*end_at).unwrap_or_default();
                        start = *end_at;
                        summary.rows = summary.rows.saturating_add(1);
                        let (outcome, _) = row_outcome(
                            *end,
                            line,
                            &mut splitter,
                            &mut record,
                            catalogue,
                            columns,
                            &mut products,
                        );
                        summary.count(&outcome);
                        let row = block
                            .first_row
                            .saturating_add(summary.rows)
                            .saturating_sub(1);
                        encoded = encoder.encode(row, &outcome);
                        if encoded.is_err() {
                            break;
                        }
                    }
                    // Sized for a block's records at once, so that a buffer does not grow (and
                    // leave its old pages behind) as it passes round.
                    let spare = to_reuse
                        .lock()
                        .ok()
                        .and_then(|spares| spares.try_recv().ok())
                        .unwrap_or_else(|| Vec::with_capacity(RECORDS_CAPACITY));
                    let records = encoded.and_then(|()| encoder.take_into(spare));
                    let finished = Done {
                        index: block.index,
                        records,
                        summary,
                    };
                    if done.send(finished).is_err() {
                        return;
                    }
                    // The block goes back to be read into again; a reader gone needs none.
                    let _ = spare_blocks.send(block);
                }
            });
        }
        drop(done);

        let mut summary = Summary::default();
        let mut waiting: std::collections::BTreeMap<u64, Done> = std::collections::BTreeMap::new();
        let (mut sent, mut written, mut rows) = (0u64, 0u64, 0u64);
        let mut stopped: Option<Error> = None;
        let mut line = Vec::new();
        drop(spare_blocks);
        loop {
            let mut block = blocks_back.try_recv().unwrap_or_else(|_| Block {
                index: 0,
                first_row: 0,
                bytes: Vec::new(),
                lines: Vec::new(),
            });
            block.index = sent;
            block.first_row = rows.saturating_add(1);
            block.bytes.clear();
            block.lines.clear();
            let mut ended = false;
            while block.lines.len() < BLOCK_ROWS && block.bytes.len() < BLOCK_BYTES {
                match lines.read(&mut line) {
                    Ok(Some(end)) => {
                        block.bytes.extend_from_slice(&line);
                        block.lines.push((block.bytes.len(), end));
                        rows = rows.saturating_add(1);
                    }
                    Ok(None) => {
                        ended = true;
                        break;
                    }
                    Err(error) => {
                        stopped = Some(input_error(error.to_string()));
                        ended = true;
                        break;
                    }
                }
            }
            if !block.lines.is_empty() {
                if work.send(block).is_err() {
                    break;
                }
                sent = sent.saturating_add(1);
            }
            // Write what is finished, in order; wait while too many blocks are out, and at the
            // end until every block is back.
            while sent.saturating_sub(written) >= in_flight || (ended && written < sent) {
                let Ok(finished) = finished.recv() else {
                    return Err(Error::Request(
                        "the batch stopped: a worker ended before its rows were written".into(),
                    ));
                };
                waiting.insert(finished.index, finished);
                while let Some(next) = waiting.remove(&written) {
                    summary.add(next.summary);
                    let records = next.records?;
                    sink.write_encoded(&records)?;
                    // A worker gone needs no buffer back.
                    let _ = spare_records.send(records);
                    written = written.saturating_add(1);
                }
            }
            if ended {
                break;
            }
        }
        drop(work);
        match stopped {
            Some(error) => Err(error),
            None => Ok(summary),
        }
    })
}

/// One row's outcome, exactly as `celldose dose` or `celldose check` would give it, and whether
/// the line was split into fields.
fn row_outcome(
    end: LineEnd,
    line: &[u8],
    splitter: &mut csv_core::Reader,
    record: &mut Row,
    catalogue: &Catalogue,
    columns: &Columns,
    products: &mut Products,
) -> (Result<Outcome>, bool) {
    let mut split = false;
    let outcome = match end {
        LineEnd::TooLong { bytes } => Err(Error::Request(format!(
            "the row is {} bytes long, more than the {} bytes a row may have; it was not read",
            crate::human::grouped(bytes.into()),
            crate::human::grouped(ROW_MAX_BYTES.into())
        ))),
        LineEnd::Complete if line.trim_ascii().is_empty() => {
            Err(Error::Request("the row is empty".into()))
        }
        LineEnd::Complete => record.split(splitter, line).and_then(|()| {
            split = true;
            compute(catalogue, columns, record, products)
        }),
    };
    (outcome, split)
}

impl Summary {
    /// Counts one row's outcome.
    fn count(&mut self, outcome: &Result<Outcome>) {
        match outcome.as_ref().map(Outcome::verdict) {
            Ok(Verdict::Within) => self.within = self.within.saturating_add(1),
            Ok(Verdict::Review) => self.review = self.review.saturating_add(1),
            Ok(Verdict::NoDoseChosen) => self.no_dose = self.no_dose.saturating_add(1),
            Ok(_) => self.outside = self.outside.saturating_add(1),
            Err(_) => self.errors = self.errors.saturating_add(1),
        }
    }

    /// Adds another part's counts to these.
    fn add(&mut self, other: Summary) {
        self.rows = self.rows.saturating_add(other.rows);
        self.within = self.within.saturating_add(other.within);
        self.review = self.review.saturating_add(other.review);
        self.outside = self.outside.saturating_add(other.outside);
        self.no_dose = self.no_dose.saturating_add(other.no_dose);
        self.errors = self.errors.saturating_add(other.errors);
    }
}

/// Records as bytes: JSON lines, or CSV rows (the header only where asked for). The one
/// encoding both the single-threaded run and each worker of a parallel run use, so their output
/// is the same byte for byte.
struct Encoder {
    format: BatchFormat,
    notation: Notation,
    csv: Option<Box<csv::Writer<Vec<u8>>>>,
    json: Vec<u8>,
    /// A record on its way to ASCII.
    scratch: Vec<u8>,
    provenances: Provenances,
}

impl Encoder {
    fn new(format: BatchFormat, notation: Notation) -> Self {
        Self {
            format,
            notation,
            csv: (format == BatchFormat::Csv)
                .then(|| Box::new(WriterBuilder::new().from_writer(Vec::new()))),
            json: Vec::new(),
            scratch: Vec::new(),
            provenances: Provenances::default(),
        }
    }

    /// The CSV header, where the format is CSV.
    fn header(&mut self) -> Result<()> {
        if let Some(csv) = &mut self.csv {
            csv.write_record(CSV_HEADER).map_err(write_error)?;
        }
        Ok(())
    }

    fn encode(&mut self, row: u64, outcome: &Result<Outcome>) -> Result<()> {
        let notation = self.notation;
        match &mut self.csv {
            None => {
                if let BatchFormat::Fhir(when) = self.format {
                    self.scratch.clear();
                    fhir_row(&mut self.scratch, row, outcome, when)?;
                    let json = String::from_utf8_lossy(&self.scratch);
                    let json = match notation {
                        Notation::Ascii => {
                            crate::text::to_ascii(&json, crate::text::AsciiTarget::Json)
                        }
                        _ => json,
                    };
                    self.json.extend_from_slice(json.as_bytes());
                } else if notation == Notation::Ascii {
                    // Every byte ASCII: quotes, messages and names included.
                    self.scratch.clear();
                    json_row(
                        &mut self.scratch,
                        &mut self.provenances,
                        row,
                        outcome,
                        notation,
                    )?;
                    let json = String::from_utf8_lossy(&self.scratch);
                    let json = crate::text::to_ascii(&json, crate::text::AsciiTarget::Json);
                    self.json.extend_from_slice(json.as_bytes());
                } else {
                    json_row(
                        &mut self.json,
                        &mut self.provenances,
                        row,
                        outcome,
                        notation,
                    )?;
                }
                self.json.push(b'\n');
                Ok(())
            }
            Some(csv) => {
                let mut cells = csv_row(row, outcome);
                if notation == Notation::Ascii {
                    for cell in &mut cells {
                        if !cell.is_ascii() {
                            *cell = crate::text::to_ascii(cell, crate::text::AsciiTarget::Text)
                                .into_owned();
                        }
                    }
                }
                csv.write_record(&cells).map_err(write_error)
            }
        }
    }

    /// The bytes encoded so far, taken out.
    fn take(&mut self) -> Result<Vec<u8>> {
        self.take_into(Vec::new())
    }

    /// The bytes encoded so far, taken out, with `spare` (emptied) to encode into next: a buffer
    /// passed round instead of a new one for every block keeps a long run's memory flat.
    fn take_into(&mut self, mut spare: Vec<u8>) -> Result<Vec<u8>> {
        spare.clear();
        match &mut self.csv {
            None => Ok(std::mem::replace(&mut self.json, spare)),
            Some(csv) => {
                // A CSV writer gives its bytes up only whole; a fresh one takes its place.
                let fresh = Box::new(WriterBuilder::new().from_writer(spare));
                let full = std::mem::replace(csv, fresh);
                full.into_inner().map_err(write_error)
            }
        }
    }

    /// About how many bytes wait to be taken.
    fn pending(&self) -> usize {
        match &self.csv {
            None => self.json.len(),
            // The CSV writer keeps up to its own buffer before its Vec grows.
            Some(csv) => csv.get_ref().len(),
        }
    }
}

/// Where output records go: encoded, then written in blocks. Whatever was encoded is written
/// even when the run stops early, as the rows before a failure were read and computed.
struct Sink<W: Write> {
    out: W,
    encoder: Encoder,
    /// Whether records are held until the caller writes them (after their audit records are
    /// synced): nothing is written on the encoder's own account, not even when dropped.
    hold: bool,
    /// The block written last, emptied and handed back to the encoder, so a run reuses two
    /// buffers instead of growing a new one for every block.
    spare: Vec<u8>,
}

/// The size of a block written to the output.
const WRITE_BLOCK: usize = 1 << 16;

impl<W: Write> Sink<W> {
    fn new(output: W, format: BatchFormat, notation: Notation) -> Result<Self> {
        let mut encoder = Encoder::new(format, notation);
        encoder.header()?;
        Ok(Self {
            out: output,
            encoder,
            hold: false,
            spare: Vec::new(),
        })
    }

    fn write(&mut self, row: u64, outcome: &Result<Outcome>) -> Result<()> {
        self.encoder.encode(row, outcome)?;
        if !self.hold && self.encoder.pending() >= WRITE_BLOCK {
            self.write_pending()?;
        }
        Ok(())
    }

    /// Writes what the encoder holds, and keeps its buffer for the next block.
    fn write_pending(&mut self) -> Result<()> {
        let bytes = self.encoder.take_into(std::mem::take(&mut self.spare))?;
        let written = self.out.write_all(&bytes).map_err(write_error);
        self.spare = bytes;
        written
    }

    /// Bytes another encoder made, after everything encoded here.
    fn write_encoded(&mut self, bytes: &[u8]) -> Result<()> {
        self.write_pending()?;
        self.out.write_all(bytes).map_err(write_error)
    }

    fn finish(&mut self) -> Result<()> {
        self.write_pending()?;
        self.out.flush().map_err(write_error)
    }
}

impl<W: Write> Drop for Sink<W> {
    fn drop(&mut self) {
        // A run that stopped early still writes the records of the rows it read (with an audit
        // log, only those whose audit records are on disk, which the caller has written).
        if !self.hold
            && let Ok(bytes) = self.encoder.take()
        {
            let _ = self.out.write_all(&bytes);
        }
        let _ = self.out.flush();
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;

    /// The record a batch writes for a row is byte for byte what `serde_json::to_writer` writes
    /// for the same row: keys and provenance copied as bytes change nothing, for doses, checks,
    /// products, findings with quotes and non-ASCII text, and error rows, in both notations.
    #[test]
    fn a_json_line_is_the_bytes_serde_json_writes() {
        let catalogue = Catalogue::builtin().unwrap();
        let product = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/products/one-bag-total.toml"
        );
        let rows = [
            "NCT07276568,alf,1,,72.5kg,45,,,".to_owned(),
            "NCT07276568,alf,,2e7/kg,160lb,45,1.2e9,10%,".into(),
            "NCT05727722,clf,3,,70kg,52,,,".into(),
            "NCT05727722,clf,1,,40kg,30,,,".into(),
            format!("NCT06167473,low-dose,,,92kg,60,,10%,{product}"),
            "NCT06167473,low-dose,,,160lb,60,7.2e7,10%,".into(),
            "NCT01218464,msc,,0.75e6/kg,60kg,40,4.5e7,5%,".into(),
            "NCT01218464,placebo,,,60kg,40,1e6,,".into(),
            "NCT05227846,,2,,70kg,50,,,".into(),
            "NCT05227846,,9,,70kg,50,,,".into(),
            "NCT07276568,alf,1,,72.5,45,,,".into(),
            "NCT0\"\u{e9}\\,alf,1,,72.5kg,45,,,".into(),
            "\"broken,alf,1,,72.5kg,45,,,".into(),
        ];
        let mut splitter = csv_core::ReaderBuilder::new().build();
        let mut record = Row::default();
        record
            .split(
                &mut splitter,
                b"protocol,arm,level,dose,weight,age,cells,tolerance,product",
            )
            .unwrap();
        let columns = Columns::from_header(&record).unwrap();
        let mut products = Products::default();
        let mut provenances = Provenances::default();
        let mut kinds = std::collections::BTreeSet::new();
        for (number, line) in (1u64..).zip(rows.iter()) {
            let (outcome, _) = row_outcome(
                LineEnd::Complete,
                line.as_bytes(),
                &mut splitter,
                &mut record,
                &catalogue,
                &columns,
                &mut products,
            );
            kinds.insert(match &outcome {
                Ok(Outcome::Dose(_)) => "dose",
                Ok(Outcome::Check(c)) if c.product().is_some() => "product",
                Ok(Outcome::Check(_)) => "check",
                Err(_) => "error",
            });
            for notation in [Notation::Unicode, Notation::Ascii] {
                let expected = serde_json::to_vec(&JsonRow {
                    row: number,
                    outcome: &outcome,
                    notation,
                })
                .unwrap();
                let mut written = Vec::new();
                json_row(&mut written, &mut provenances, number, &outcome, notation).unwrap();
                assert_eq!(
                    String::from_utf8(written).unwrap(),
                    String::from_utf8(expected).unwrap(),
                    "row {number}: {line}"
                );
            }
        }
        assert_eq!(kinds.len(), 4, "{kinds:?}");
        // The protocols met were each serialised once.
        assert_eq!(provenances.len(), 5);
    }
}
