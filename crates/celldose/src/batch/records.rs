//! Each row's record, as bytes: a JSON line, a CSV row or a FHIR resource, made ASCII where
//! asked, and written out in blocks only once their audit records are synced.

use std::io::Write;

use csv::WriterBuilder;
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::error::{Error, Result};
use crate::human::Notation;
use crate::report::{CheckReport, DoseReport, Fields, JsonLine, Provenances, key};

use super::rows::Outcome;

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

/// A JSON line: `row`, then the result's fields.
pub(super) struct JsonRow<'a> {
    pub(super) row: u64,
    pub(super) outcome: &'a Result<Outcome>,
    pub(super) notation: Notation,
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
pub(super) fn json_row(
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
            line.field(key!("row"), &row)?;
            line.field(key!("error"), &error.to_string())
        }),
    }
    .map_err(write_error)
}

/// Writes one row's FHIR resource into `out` as one line of JSON.
pub(super) fn fhir_row(
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

/// Records as bytes: JSON lines, or CSV rows (the header only where asked for). The one
/// encoding both the single-threaded run and each worker of a parallel run use, so their output
/// is the same byte for byte.
pub(super) struct Encoder {
    pub(super) format: BatchFormat,
    pub(super) notation: Notation,
    pub(super) csv: Option<Box<csv::Writer<Vec<u8>>>>,
    pub(super) json: Vec<u8>,
    /// A record on its way to ASCII.
    pub(super) scratch: Vec<u8>,
    pub(super) provenances: Provenances,
    /// A CSV row's finding codes, joined.
    pub(super) findings: String,
}

impl Encoder {
    pub(super) fn new(format: BatchFormat, notation: Notation) -> Self {
        Self {
            format,
            notation,
            csv: (format == BatchFormat::Csv)
                .then(|| Box::new(WriterBuilder::new().from_writer(Vec::new()))),
            json: Vec::new(),
            scratch: Vec::new(),
            provenances: Provenances::default(),
            findings: String::new(),
        }
    }

    /// The CSV header, where the format is CSV.
    pub(super) fn header(&mut self) -> Result<()> {
        if let Some(csv) = &mut self.csv {
            csv.write_record(CSV_HEADER).map_err(write_error)?;
        }
        Ok(())
    }

    pub(super) fn encode(&mut self, row: u64, outcome: &Result<Outcome>) -> Result<()> {
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
            Some(csv) => csv_row(csv, &mut self.findings, row, outcome, notation),
        }
    }

    /// The bytes encoded so far, taken out.
    pub(super) fn take(&mut self) -> Result<Vec<u8>> {
        self.take_into(Vec::new())
    }

    /// The bytes encoded so far, taken out, with `spare` (emptied) to encode into next: a buffer
    /// passed round instead of a new one for every block keeps a long run's memory flat.
    pub(super) fn take_into(&mut self, mut spare: Vec<u8>) -> Result<Vec<u8>> {
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
    pub(super) fn pending(&self) -> usize {
        match &self.csv {
            None => self.json.len(),
            // The CSV writer keeps up to its own buffer before its Vec grows.
            Some(csv) => csv.get_ref().len(),
        }
    }
}

/// Where output records go: encoded, then written in blocks. Whatever was encoded is written
/// even when the run stops early, as the rows before a failure were read and computed.
pub(super) struct Sink<W: Write> {
    pub(super) out: W,
    pub(super) encoder: Encoder,
    /// Whether records are held until the caller writes them (after their audit records are
    /// synced): nothing is written on the encoder's own account, not even when dropped.
    pub(super) hold: bool,
    /// The block written last, emptied and handed back to the encoder, so a run reuses two
    /// buffers instead of growing a new one for every block.
    pub(super) spare: Vec<u8>,
}

/// The size of a block written to the output.
pub(super) const WRITE_BLOCK: usize = 1 << 16;

impl<W: Write> Sink<W> {
    pub(super) fn new(output: W, format: BatchFormat, notation: Notation) -> Result<Self> {
        let mut encoder = Encoder::new(format, notation);
        encoder.header()?;
        Ok(Self {
            out: output,
            encoder,
            hold: false,
            spare: Vec::new(),
        })
    }

    pub(super) fn write(&mut self, row: u64, outcome: &Result<Outcome>) -> Result<()> {
        self.encoder.encode(row, outcome)?;
        if !self.hold && self.encoder.pending() >= WRITE_BLOCK {
            self.write_pending()?;
        }
        Ok(())
    }

    /// Writes what the encoder holds, and keeps its buffer for the next block.
    pub(super) fn write_pending(&mut self) -> Result<()> {
        let bytes = self.encoder.take_into(std::mem::take(&mut self.spare))?;
        let written = self.out.write_all(&bytes).map_err(write_error);
        self.spare = bytes;
        written
    }

    /// Bytes another encoder made, after everything encoded here.
    pub(super) fn write_encoded(&mut self, bytes: &[u8]) -> Result<()> {
        self.write_pending()?;
        self.out.write_all(bytes).map_err(write_error)
    }

    pub(super) fn finish(&mut self) -> Result<()> {
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

pub(super) fn write_error(error: impl core::fmt::Display) -> Error {
    Error::Request(format!("the batch output cannot be written: {error}"))
}

/// The text of a number that may be absent (an empty cell).
fn shown(text: &Option<crate::digits::DecimalText>) -> &str {
    text.as_ref().map_or("", crate::digits::DecimalText::as_str)
}

/// Writes one row's CSV record (the columns of [`CSV_HEADER`]) field by field, each number
/// through the digit writer from the stack: no text is made on the heap for a row but an error's
/// message. A number is written as its type displays it: counts without trailing zeros, the
/// weight, cells per kg and deviation with the places their decimal holds.
fn csv_row(
    csv: &mut csv::Writer<Vec<u8>>,
    findings: &mut String,
    row: u64,
    outcome: &Result<Outcome>,
    notation: Notation,
) -> Result<()> {
    use crate::digits::DecimalText;
    use rust_decimal::Decimal;
    let mut cell = |text: &str| {
        let text = match notation {
            Notation::Ascii if !text.is_ascii() => {
                crate::text::to_ascii(text, crate::text::AsciiTarget::Text)
            }
            _ => std::borrow::Cow::Borrowed(text),
        };
        csv.write_field(text.as_bytes()).map_err(write_error)
    };
    let whole = |n: u64| DecimalText::new(Decimal::from(n));
    let count = |n: Option<crate::units::CellCount>| n.map(|n| DecimalText::new(n.get()));
    cell(whole(row).as_str())?;
    match outcome {
        Err(error) => {
            for _ in 1..14 {
                cell("")?;
            }
            cell(&error.to_string())?;
        }
        Ok(outcome) => {
            findings.clear();
            let (c, actual, deviation, verdict) = match outcome {
                Outcome::Dose(c) => {
                    for (index, finding) in c.findings().iter().enumerate() {
                        if index > 0 {
                            findings.push(';');
                        }
                        findings.push_str(finding.code().as_str());
                    }
                    (c, None, None, c.verdict())
                }
                Outcome::Check(check) => {
                    for (index, finding) in check.findings().enumerate() {
                        if index > 0 {
                            findings.push(';');
                        }
                        findings.push_str(finding.code().as_str());
                    }
                    (
                        check.calculation(),
                        Some(DecimalText::new(check.actual_cells().get())),
                        check.deviation_percent().map(DecimalText::displayed),
                        check.verdict(),
                    )
                }
            };
            cell(c.protocol())?;
            cell(c.arm().unwrap_or(""))?;
            cell(shown(&c.level().map(|l| whole(u64::from(l)))))?;
            cell(DecimalText::displayed(c.weight().weight().kg()).as_str())?;
            cell(shown(&count(c.cells())))?;
            cell(shown(
                &c.cells_per_kg().map(|p| DecimalText::displayed(p.get())),
            ))?;
            cell(shown(&count(c.min_cells())))?;
            cell(shown(&count(c.max_cells())))?;
            cell(shown(&actual))?;
            cell(shown(&deviation))?;
            cell(verdict.as_str())?;
            cell(findings)?;
            cell(c.protocol_sha256())?;
            cell("")?;
        }
    }
    csv.write_record(None::<&[u8]>).map_err(write_error)
}
