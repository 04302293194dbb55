//! One row of a log: its line split into fields, the header's columns, the product files named,
//! and the row computed through the library's request path into a dose or a check.

use crate::calculation::{Calculation, DeliveryCheck, Verdict};
use crate::certificate::Certificate;
use crate::entry::{FieldNames, RequestText};
use crate::error::{Error, Result};
use crate::lines::{BoundedLines, LineEnd};
use crate::regimen::Catalogue;
use crate::text::{Shown, char_name, forbidden_char};

/// The columns a log may have; each is named after the `dose`/`check` flag it stands for.
pub const COLUMNS: [&str; 23] = [
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
    "scan",
    "thawed_at",
    "thaw_started_at",
    "infusion_start",
];

/// The longest row read, in bytes (64 KiB); a longer row becomes an error record.
pub const ROW_MAX_BYTES: usize = BoundedLines::<&[u8]>::DEFAULT_MAX;

/// One line split into fields, through reused buffers.
#[derive(Debug, Default)]
pub(super) struct Row {
    /// The fields, one after another, as read.
    pub(super) bytes: Vec<u8>,
    /// The same fields as text, where the row is UTF-8 (`utf8`).
    text: String,
    pub(super) ends: Vec<usize>,
    /// Whether `text` holds the row.
    utf8: bool,
    /// Whether every byte of the row is printable ASCII (and so no field needs a search for
    /// control or bidirectional characters).
    printable: bool,
}

impl Row {
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Where field `index` lies in `bytes` (and `text`).
    fn span(&self, index: usize) -> Option<(usize, usize)> {
        let end = *self.ends.get(index)?;
        let start = match index.checked_sub(1) {
            Some(before) => *self.ends.get(before)?,
            None => 0,
        };
        Some((start, end))
    }

    pub(super) fn get(&self, index: usize) -> Option<&[u8]> {
        let (start, end) = self.span(index)?;
        self.bytes.get(start..end)
    }

    /// Field `index` as text, where the row is UTF-8 and the field whole characters; `None`
    /// where it is not (or there is no such field).
    pub(super) fn text(&self, index: usize) -> Option<&str> {
        if !self.utf8 {
            return None;
        }
        let (start, end) = self.span(index)?;
        self.text.get(start..end)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len()).filter_map(|index| self.get(index))
    }

    /// Splits one line as CSV. A quote that is not closed on the line is refused here, where
    /// a CSV reader would read on into the following lines.
    pub(super) fn split(&mut self, reader: &mut csv_core::Reader, line: &[u8]) -> Result<()> {
        // One pass: whether the row has a quote or a line break, and whether it is all
        // printable ASCII.
        let (mut special, mut printable) = (false, true);
        for byte in line {
            special |= matches!(byte, b'"' | b'\r' | b'\n');
            printable &= (0x20..0x7f).contains(byte);
        }
        if special && line.iter().filter(|byte| **byte == b'"').count() % 2 == 1 {
            return Err(Error::Request(
                "a quote in this row is not closed on its line; a field may not span lines, so the row was not read".into(),
            ));
        }
        self.printable = printable;
        // A row with no quote and no line break, as nearly every row of a log is, is its
        // fields between commas: split here, with the same fields csv-core would give (a
        // property test holds the two to each other). Anything else goes through csv-core.
        if !line.is_empty() && !special {
            self.bytes.clear();
            self.ends.clear();
            for field in line.split(|b| *b == b',') {
                self.bytes.extend_from_slice(field);
                self.ends.push(self.bytes.len());
            }
        } else {
            self.split_quoted(reader, line)?;
        }
        // The row is checked for UTF-8 once, here, and its fields then read as text.
        self.text.clear();
        self.utf8 = match std::str::from_utf8(&self.bytes) {
            Ok(text) => {
                self.text.push_str(text);
                true
            }
            Err(_) => false,
        };
        Ok(())
    }

    /// [`Row::split`] through csv-core, for rows with quotes or line breaks.
    fn split_quoted(&mut self, reader: &mut csv_core::Reader, line: &[u8]) -> Result<()> {
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

/// Which column holds which flag.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Columns {
    pub(super) protocol: Option<usize>,
    pub(super) arm: Option<usize>,
    pub(super) level: Option<usize>,
    pub(super) dose: Option<usize>,
    pub(super) weight: Option<usize>,
    pub(super) age: Option<usize>,
    pub(super) born: Option<usize>,
    pub(super) on: Option<usize>,
    pub(super) cells: Option<usize>,
    pub(super) tolerance: Option<usize>,
    pub(super) acknowledge: Option<usize>,
    pub(super) rounding: Option<usize>,
    pub(super) current_weight: Option<usize>,
    pub(super) product: Option<usize>,
    pub(super) bags: Option<usize>,
    pub(super) infusion: Option<usize>,
    pub(super) given: Option<usize>,
    pub(super) patient: Option<usize>,
    pub(super) given_dmso: Option<usize>,
    pub(super) scan: Option<usize>,
    pub(super) thawed_at: Option<usize>,
    pub(super) thaw_started_at: Option<usize>,
    pub(super) infusion_start: Option<usize>,
    pub(super) count: usize,
}

impl Columns {
    pub(super) fn from_header(header: &Row) -> Result<Self> {
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
                "scan" => &mut columns.scan,
                "thawed_at" => &mut columns.thawed_at,
                "thaw_started_at" => &mut columns.thaw_started_at,
                "infusion_start" => &mut columns.infusion_start,
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

pub(super) fn input_error(message: String) -> Error {
    Error::Request(format!("the batch input cannot be read: {message}"))
}

/// One computed row.
pub(super) enum Outcome {
    Dose(Calculation),
    Check(DeliveryCheck),
}

impl Outcome {
    pub(super) fn verdict(&self) -> Verdict {
        match self {
            Self::Dose(calculation) => calculation.verdict(),
            Self::Check(check) => check.verdict(),
        }
    }
}

/// The text of one field, or `None` when the column is absent or the cell empty.
pub(super) fn field<'r>(
    record: &'r Row,
    column: Option<usize>,
    name: &str,
) -> Result<Option<&'r str>> {
    let Some(index) = column else {
        return Ok(None);
    };
    let text = match record.text(index) {
        Some(text) => text,
        // Not read as text: a row that is not UTF-8, or a field that is not whole characters
        // (checked alone, to be refused by name), or no such field.
        None => match record.get(index) {
            Some(raw) => std::str::from_utf8(raw)
                .map_err(|_| Error::Request(format!("column {name} is not valid UTF-8")))?,
            None => return Ok(None),
        },
    };
    // Spaces around a value are forgiven (any other blank is refused below, by name).
    let text = trim_spaces(text);
    // Printable ASCII, as nearly every value is, holds no forbidden character.
    let printable = record.printable || text.bytes().all(|b| (0x20..0x7f).contains(&b));
    if !printable && let Some((offset, c)) = forbidden_char(text) {
        let position = crate::text::char_position(text, offset);
        return Err(Error::Request(format!(
            "column {name} holds {} at character {position}; control and bidirectional characters are not accepted in a row",
            char_name(c)
        )));
    }
    Ok((!text.is_empty()).then_some(text))
}

/// `text` without the spaces around it, found byte by byte (a space is one byte, so the ends
/// are character boundaries): `str::trim_matches` decodes every character to compare it.
fn trim_spaces(text: &str) -> &str {
    let bytes = text.as_bytes();
    let start = bytes.iter().position(|b| *b != b' ').unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| *b != b' ')
        .map_or(start, |i| i.saturating_add(1));
    text.get(start..end).unwrap_or_default()
}

/// Product files named in a log, each read once per run (a log names few products many times).
#[derive(Default)]
pub(super) struct Products {
    pub(super) read: Vec<(String, std::sync::Arc<Certificate>)>,
}

/// The most product files one run keeps; past it, the oldest is read again when named.
pub(super) const PRODUCTS_KEPT: usize = 64;

impl Products {
    pub(super) fn get(&mut self, path: &str) -> Result<std::sync::Arc<Certificate>> {
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
pub(super) fn compute(
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
        scan: field(record, columns.scan, "scan")?,
        thawed_at: field(record, columns.thawed_at, "thawed_at")?,
        thaw_started_at: field(record, columns.thaw_started_at, "thaw_started_at")?,
        infusion_start: field(record, columns.infusion_start, "infusion_start")?,
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
            ("scan", text.scan.is_some()),
            ("thawed_at", text.thawed_at.is_some()),
            ("thaw_started_at", text.thaw_started_at.is_some()),
            ("infusion_start", text.infusion_start.is_some()),
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

/// One row's outcome, exactly as `celldose dose` or `celldose check` would give it, and whether
/// the line was split into fields.
pub(super) fn row_outcome(
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    proptest::proptest! {
        /// Split by commas or through csv-core, a row gives the same fields, or the same refusal.
        #[test]
        fn a_row_splits_the_same_with_or_without_csv_core(line in "[a,\" \r\n\u{e9}]{0,16}") {
            let mut reader = csv_core::ReaderBuilder::new().build();
            let (mut fast, mut quoted) = (Row::default(), Row::default());
            let by_commas = fast.split(&mut reader, line.as_bytes()).map_err(|e| e.to_string());
            let by_csv_core = if line.bytes().filter(|b| *b == b'"').count() % 2 == 1 {
                by_commas.clone()
            } else {
                quoted.split_quoted(&mut reader, line.as_bytes()).map_err(|e| e.to_string())
            };
            proptest::prop_assert_eq!(&by_commas, &by_csv_core);
            if by_commas.is_ok() {
                proptest::prop_assert_eq!(fast.iter().collect::<Vec<_>>(), quoted.iter().collect::<Vec<_>>());
            }
        }

        /// Spaces trimmed byte by byte are the spaces `trim_matches` trims, whatever the text.
        #[test]
        fn spaces_trim_the_same_byte_by_byte(text in "[ a\u{e9}\u{3000}\t]{0,12}") {
            proptest::prop_assert_eq!(trim_spaces(&text), text.trim_matches(' '));
        }

        /// Each field reads as the text of its bytes, whether the row is checked for UTF-8 once
        /// or the field alone: the same text, or the same refusal, and the same search for
        /// forbidden characters.
        #[test]
        fn a_field_reads_the_same_from_the_row_checked_once(
            line in proptest::collection::vec(proptest::prop_oneof![
                proptest::sample::select(b"a1 ,\"\t.".to_vec()),
                proptest::sample::select(vec![0xC3u8, 0xA9, 0xE2, 0x80, 0xAE, 0xFF]),
            ], 0..16),
        ) {
            let mut reader = csv_core::ReaderBuilder::new().build();
            let mut row = Row::default();
            if row.split(&mut reader, &line).is_ok() {
                for index in 0..row.len() {
                    let by_row = field(&row, Some(index), "c").map_err(|e| e.to_string());
                    let alone = std::str::from_utf8(row.get(index).unwrap())
                        .map_err(|_| "column c is not valid UTF-8".to_owned())
                        .and_then(|text| {
                            let text = text.trim_matches(' ');
                            match forbidden_char(text) {
                                Some(_) => Err("forbidden".to_owned()),
                                None => Ok((!text.is_empty()).then_some(text)),
                            }
                        });
                    match (&by_row, &alone) {
                        (Err(a), Err(b)) if b == "forbidden" => proptest::prop_assert!(a.contains("holds"), "{a}"),
                        _ => proptest::prop_assert_eq!(&by_row, &alone),
                    }
                }
            }
        }
    }

    /// A row that is UTF-8 is read as text once: each field is a slice of it, not a check of
    /// its own (the fast path; a row that is not UTF-8 takes the slow one).
    #[test]
    fn a_utf8_row_is_read_as_text_once() {
        let mut reader = csv_core::ReaderBuilder::new().build();
        let mut row = Row::default();
        row.split(&mut reader, "NCT07276568,,72.5 kg,µ".as_bytes())
            .unwrap();
        assert_eq!(row.text(0), Some("NCT07276568"));
        assert_eq!(row.text(1), Some(""));
        assert_eq!(row.text(3), Some("µ"));
        assert_eq!(row.text(4), None);
        assert!(!row.printable);
        assert_eq!(field(&row, Some(4), "tolerance").unwrap(), None);
        row.split(&mut reader, b"NCT07276568,\xFF").unwrap();
        assert_eq!(row.text(0), None);
        assert_eq!(
            field(&row, Some(0), "protocol").unwrap(),
            Some("NCT07276568")
        );
        assert!(field(&row, Some(1), "weight").is_err());
    }

    /// A character split between two fields (possible only through csv-core's quoted path,
    /// from bytes that are not UTF-8) is refused, though the two fields joined are UTF-8.
    #[test]
    fn a_character_split_between_fields_is_refused() {
        let mut reader = csv_core::ReaderBuilder::new().build();
        let mut row = Row::default();
        row.split(&mut reader, b"\"\xC3\",\xA9").unwrap();
        assert_eq!(row.len(), 2);
        assert_eq!(row.text(0), None);
        assert_eq!(
            field(&row, Some(0), "weight").unwrap_err().to_string(),
            "column weight is not valid UTF-8"
        );
    }
}
