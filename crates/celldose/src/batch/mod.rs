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
//!
//! `rows.rs` reads and computes one row, `records.rs` writes its record, `parallel.rs` runs blocks
//! of rows on several threads, `summary.rs` adds up the verdicts; this file runs a whole log.

mod parallel;
mod records;
mod rows;
mod summary;

use std::io::{BufRead, Write};

use crate::audit::AuditLog;
use crate::error::Result;
use crate::human::Notation;
use crate::lines::{BoundedLines, LineEnd, LineError};
use crate::regimen::Catalogue;

use parallel::{BLOCK_ROWS, in_parallel};
use records::{JsonRow, Sink, WRITE_BLOCK};
use rows::{Columns, Products, Row, input_error, row_outcome};

pub use records::{BatchFormat, CSV_HEADER};
pub use rows::{COLUMNS, ROW_MAX_BYTES};
pub use summary::Summary;

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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::records::json_row;
    use super::rows::Outcome;
    use super::*;
    use crate::report::Provenances;

    /// Each line of a log under `header`, with its outcome, read as a run reads it.
    fn outcomes_of(
        header: &str,
        lines: impl IntoIterator<Item = String>,
    ) -> Vec<(String, Result<Outcome>)> {
        let catalogue = Catalogue::builtin().unwrap();
        let mut splitter = csv_core::ReaderBuilder::new().build();
        let mut record = Row::default();
        record.split(&mut splitter, header.as_bytes()).unwrap();
        let columns = Columns::from_header(&record).unwrap();
        let mut products = Products::default();
        lines
            .into_iter()
            .map(|line| {
                let (outcome, _) = row_outcome(
                    LineEnd::Complete,
                    line.as_bytes(),
                    &mut splitter,
                    &mut record,
                    &catalogue,
                    &columns,
                    &mut products,
                );
                (line, outcome)
            })
            .collect()
    }

    /// Every kind of row: doses, checks, products, findings with quotes and non-ASCII text,
    /// error rows; each with its outcome.
    fn every_kind_of_row() -> Vec<(String, Result<Outcome>)> {
        let product = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/products/one-bag-total.toml"
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
        let outcomes = outcomes_of(
            "protocol,arm,level,dose,weight,age,cells,tolerance,product",
            rows,
        );
        let kinds: std::collections::BTreeSet<_> = outcomes
            .iter()
            .map(|(_, outcome)| match outcome {
                Ok(Outcome::Dose(_)) => "dose",
                Ok(Outcome::Check(c)) if c.product().is_some() => "product",
                Ok(Outcome::Check(_)) => "check",
                Err(_) => "error",
            })
            .collect();
        assert_eq!(kinds.len(), 4, "{kinds:?}");
        outcomes
    }

    /// The record a batch writes for a row is byte for byte what `serde_json::to_writer` writes
    /// for the same row: keys and provenance copied as bytes change nothing, for every kind of
    /// row, in both notations.
    #[test]
    fn a_json_line_is_the_bytes_serde_json_writes() {
        let mut provenances = Provenances::default();
        for (number, (line, outcome)) in (1u64..).zip(every_kind_of_row()) {
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
        // The protocols met were each serialised once.
        assert_eq!(provenances.len(), 5);
    }

    /// A row's CSV record as it was written before the digit writer: every cell made as a
    /// `String` with `to_string` (`Decimal`'s own `Display` for the weight, cells per kg and
    /// deviation) and the whole record handed to the csv crate.
    fn csv_cells_as_strings(row: u64, outcome: &Result<Outcome>) -> [String; 15] {
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

    /// The CSV records written field by field through the digit writer are byte for byte those
    /// of each row's cells made as strings, for every kind of row, in both notations, and for
    /// the rows of the benches' log (whose run `cmp` also holds to the earlier build's output).
    #[test]
    fn a_csv_record_is_the_bytes_of_its_cells_as_strings() {
        let mut rows = every_kind_of_row();
        let log = "NCT07276568,alf,1,,72.5kg,45,,\n\
            NCT05727722,clf,3,,70kg,52,,\n\
            NCT06167473,low-dose,,,160lb,60,7.2e7,10%\n\
            NCT01218464,msc,,0.75e6/kg,60kg,40,4.5e7,5%\n\
            NCT07276568,alf,1,,72.5kg,45,1.1e9,10%\n\
            NCT01218464,msc,,5e6/kg,60kg,90,,\n\
            NCT01218464,msc,,5e6/kg,60kg,90,1e6,5%\n";
        rows.extend(outcomes_of(
            "protocol,arm,level,dose,weight,age,cells,tolerance",
            log.lines().map(str::to_owned),
        ));
        // Rows of a dose and of a check with several findings, whose codes are joined.
        let mut findings_joined = false;
        for notation in [Notation::Unicode, Notation::Ascii] {
            let mut encoder = records::Encoder::new(BatchFormat::Csv, notation);
            let mut expected = csv::Writer::from_writer(Vec::new());
            for (number, (line, outcome)) in (1u64..).zip(&rows) {
                encoder.encode(number, outcome).unwrap();
                let mut cells = csv_cells_as_strings(number, outcome);
                if notation == Notation::Ascii {
                    for cell in &mut cells {
                        *cell = crate::text::to_ascii(cell, crate::text::AsciiTarget::Text)
                            .into_owned();
                    }
                }
                expected.write_record(&cells).unwrap();
                assert!(!line.is_empty());
                findings_joined |= cells[12].contains(';');
            }
            assert_eq!(
                String::from_utf8(encoder.take().unwrap()).unwrap(),
                String::from_utf8(expected.into_inner().unwrap()).unwrap(),
                "{notation:?}"
            );
        }
        assert!(findings_joined);
    }
}
