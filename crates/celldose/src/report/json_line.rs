//! A batch record as one compact JSON line: keys and each protocol's provenance copied as
//! ready-made bytes, values through `serde_json`, the same bytes `serde_json::to_writer` gives.

use serde::Serialize;

use super::fields::{AsDecimal, Fields, Key};
use crate::calculation::Finding;
use crate::human::Notation;

/// One compact JSON record written into a buffer: the keys are the reports' own identifiers,
/// which need no escaping, so they are copied as they are; each protocol's provenance is
/// serialised once per run and copied after that ([`Provenances`]); every value goes through
/// `serde_json`. The bytes are those `serde_json::to_writer` writes for the same report.
pub(crate) struct JsonLine<'o> {
    pub(super) out: &'o mut Vec<u8>,
    pub(super) provenances: &'o mut Provenances,
    pub(super) started: bool,
}

impl<'o> JsonLine<'o> {
    pub(crate) fn new(out: &'o mut Vec<u8>, provenances: &'o mut Provenances) -> Self {
        Self {
            out,
            provenances,
            started: false,
        }
    }

    pub(super) fn separator(&mut self) {
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

/// Whether `serde_json` writes `byte` of a string escaped: a control character, a quote or a
/// backslash. Every other byte, UTF-8 beyond ASCII included, it copies as it is.
fn escaped(byte: &u8) -> bool {
    *byte < 0x20 || *byte == b'"' || *byte == b'\\'
}

/// Whether any byte of `text` is [`escaped`]: every byte is looked at, with no early exit, so
/// the compiler checks sixteen at a time.
fn any_escaped(text: &[u8]) -> bool {
    let mut found = false;
    for byte in text {
        found |= escaped(byte);
    }
    found
}

impl JsonLine<'_> {
    /// The separator and key, as one copy: `,"name":`, or `{"name":` for the first field.
    fn key(&mut self, key: Key) {
        self.whole(key.json);
    }

    /// `text` as a JSON string: copied between quotes where no byte of it needs escaping (as
    /// in nearly every text a report holds), else through serde_json.
    fn string(&mut self, text: &str) -> Result<(), serde_json::Error> {
        if any_escaped(text.as_bytes()) {
            return serde_json::to_writer(&mut *self.out, text);
        }
        self.out.reserve(text.len().saturating_add(2));
        self.out.push(b'"');
        self.out.extend_from_slice(text.as_bytes());
        self.out.push(b'"');
        Ok(())
    }

    /// `text`, which starts with the separator, written as the next part of the record.
    fn whole(&mut self, text: &'static str) {
        if self.started {
            self.out.extend_from_slice(text.as_bytes());
        } else {
            self.out.push(b'{');
            self.out
                .extend_from_slice(text.as_bytes().get(1..).unwrap_or_default());
            self.started = true;
        }
    }
}

impl Fields for JsonLine<'_> {
    type Error = serde_json::Error;

    fn field<T: ?Sized + Serialize>(
        &mut self,
        key: Key,
        value: &T,
    ) -> Result<(), serde_json::Error> {
        self.key(key);
        serde_json::to_writer(&mut *self.out, value)
    }

    fn optional<T: Serialize>(
        &mut self,
        key: Key,
        value: Option<&T>,
    ) -> Result<(), serde_json::Error> {
        match value {
            Some(value) => self.field(key, value),
            None => {
                self.whole(key.json_null);
                Ok(())
            }
        }
    }

    fn text(&mut self, key: Key, value: Option<&str>) -> Result<(), serde_json::Error> {
        match value {
            Some(text) => {
                self.key(key);
                self.string(text)
            }
            None => {
                self.whole(key.json_null);
                Ok(())
            }
        }
    }

    fn findings<'a, I: Iterator<Item = &'a Finding> + Clone>(
        &mut self,
        key: Key,
        findings: I,
        notation: Notation,
    ) -> Result<(), serde_json::Error> {
        self.key(key);
        self.out.push(b'[');
        for (index, finding) in findings.enumerate() {
            if index > 0 {
                self.out.push(b',');
            }
            self.out.extend_from_slice(b"{\"severity\":");
            self.string(finding.severity().as_str())?;
            self.out.extend_from_slice(b",\"code\":");
            self.string(finding.code().as_str())?;
            self.out.extend_from_slice(b",\"message\":");
            self.string(&finding.message(notation))?;
            self.out.extend_from_slice(b",\"clause\":");
            self.string(finding.clause())?;
            self.out.push(b'}');
        }
        self.out.push(b']');
        Ok(())
    }

    fn shown<T: core::fmt::Display>(
        &mut self,
        key: Key,
        value: Option<T>,
    ) -> Result<(), serde_json::Error> {
        use std::io::Write as _;
        let Some(value) = value else {
            self.whole(key.json_null);
            return Ok(());
        };
        self.key(key);
        // Written straight into the record; where the text turns out to need escaping, it is
        // taken back and written through serde_json instead.
        let start = self.out.len();
        self.out.push(b'"');
        write!(self.out, "{value}").map_err(serde_json::Error::io)?;
        if self
            .out
            .get(start.saturating_add(1)..)
            .is_some_and(any_escaped)
        {
            self.out.truncate(start);
            return serde_json::to_writer(&mut *self.out, &super::fields::Shown(value));
        }
        self.out.push(b'"');
        Ok(())
    }

    fn decimal<T: AsDecimal>(
        &mut self,
        key: Key,
        value: Option<T>,
    ) -> Result<(), serde_json::Error> {
        match value {
            // Digits, a point and a sign: nothing in it needs escaping.
            Some(value) => {
                self.key(key);
                self.out.push(b'"');
                self.out
                    .extend_from_slice(crate::digits::DecimalText::new(value.decimal()).as_bytes());
                self.out.push(b'"');
            }
            None => self.whole(key.json_null),
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
    pub(super) id: String,
    pub(super) version: String,
    pub(super) sha256: String,
    pub(super) bytes: Vec<u8>,
}

impl Provenances {
    /// How many protocols' provenance is kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.known.len()
    }

    pub(super) fn bytes(
        &mut self,
        id: &str,
        version: &str,
        sha256: &str,
    ) -> Result<&[u8], serde_json::Error> {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::report::fields::{Shown, key};

    /// One field written by `write` into a record, as text.
    fn record(write: impl FnOnce(&mut JsonLine<'_>) -> Result<(), serde_json::Error>) -> String {
        let mut out = Vec::new();
        let mut provenances = Provenances::default();
        JsonLine::record(&mut out, &mut provenances, write).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Plain text is copied, not handed to serde_json: a text needs escaping only for a
    /// quote, a backslash or a control character, wherever it stands.
    #[test]
    fn only_a_quote_a_backslash_or_a_control_needs_escaping() {
        let plain = "NCT06167473 arm low-dose: infusions not stated (1.6 × 10⁷/kg)";
        assert!(!any_escaped(plain.as_bytes()));
        for bad in ["\"", "\\", "\n", "\u{1f}"] {
            for at in [0, 17, plain.len()] {
                let mut text = plain.to_owned();
                text.insert_str(at, bad);
                assert!(any_escaped(text.as_bytes()), "{text:?}");
            }
        }
    }

    proptest::proptest! {
        /// A `Display` written straight into the record gives the bytes serde_json gives for it,
        /// whatever its text holds (quotes, backslashes, controls, any script), and so does a
        /// value that may be absent.
        #[test]
        fn a_shown_value_is_the_bytes_serde_json_writes(
            text in "(\\PC|[\"\\\\\u{0}-\u{1f}\u{7f}])*",
            absent in proptest::bool::ANY,
        ) {
            let value = (!absent).then_some(text.as_str());
            let expected = format!("{{\"k\":{}}}", serde_json::to_string(&value.map(Shown)).unwrap());
            proptest::prop_assert_eq!(record(|line| line.shown(key!("k"), value)), expected.clone());
            proptest::prop_assert_eq!(record(|line| line.optional(key!("k"), value.as_ref())), expected.clone());
            let as_text = format!("{{\"k\":{}}}", serde_json::to_string(&value).unwrap());
            proptest::prop_assert_eq!(record(|line| line.text(key!("k"), value)), as_text);
        }
    }
}
