//! A batch record as one compact JSON line: keys and each protocol's provenance copied as
//! ready-made bytes, values through `serde_json`, the same bytes `serde_json::to_writer` gives.

use serde::Serialize;

use super::fields::{AsDecimal, Fields};

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
