//! The protocol file: TOML read into plain serde structs, then checked into a [`Protocol`].
//!
//! Two stages, so that nothing half-checked is ever used: the file must parse with no unknown
//! keys (`schema.rs`, the file's shape), and then every rule must hold (`checking.rs` for the
//! file as a whole, `regimens.rs` for each regimen and its bands, caps and split,
//! `key_groups.rs` for the windows and dose keys both use), or the whole
//! file is refused with the line and column of what is wrong. The same structs write a protocol
//! back out (`writing.rs`), so a file round-trips.

mod checking;
mod key_groups;
mod regimens;
mod schema;
mod words;
mod writing;

use core::ops::Range;

use sha2::{Digest, Sha256};

use super::Protocol;
use crate::error::{Error, Result};
use crate::file_text::{self, line_column};
use schema::ProtocolFile;

/// The format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// The largest protocol file read, in bytes (1 MiB; the largest built-in file is under 4 KiB).
pub const PROTOCOL_MAX_BYTES: usize = 1 << 20;

/// Turns byte offsets into `line L, column C` for messages.
struct Located<'a> {
    source_name: &'a str,
    text: &'a str,
}

impl Located<'_> {
    fn error(&self, span: Option<Range<usize>>, message: impl Into<String>) -> Error {
        let message = message.into();
        let message = match span {
            Some(span) => {
                let (line, column) = self.line_column(span.start);
                format!("line {line}, column {column}: {message}")
            }
            None => message,
        };
        Error::ProtocolFile {
            source_name: self.source_name.to_owned(),
            message,
            cause: None,
        }
    }

    fn line_column(&self, offset: usize) -> (usize, usize) {
        line_column(self.text, offset)
    }
}

impl Protocol {
    /// Reads and checks a protocol file. `source_name` names the file in error messages.
    ///
    /// The protocol keeps the SHA-256 of `text`, so that every result can name the exact
    /// definition it came from.
    ///
    /// # Errors
    /// When the text is not valid TOML, has a key the format does not define, or breaks a rule
    /// of the format (see `docs/protocol-format.md`); the message names the file, the line and
    /// column, and what would be accepted.
    ///
    /// ```
    /// let text = r#"
    /// format = 1
    /// id = "DEMO-1"
    /// version = "amendment 2"
    /// title = "Demo"
    /// product = "cells"
    /// route = "intravenous"
    /// [source]
    /// registry = "none"
    /// record = "DEMO-1"
    /// quote = "1 × 10⁶ cells/kg"
    /// [[arm]]
    /// id = "all"
    /// name = "All patients"
    /// regimen = "main"
    /// [[regimen]]
    /// id = "main"
    /// dose = "1e6/kg"
    /// infusions = 1
    /// "#;
    /// let protocol = celldose::Protocol::from_toml("demo.toml", text)?;
    /// assert_eq!(protocol.id(), "DEMO-1");
    /// let error = celldose::Protocol::from_toml("bad.toml", &text.replace("dose =", "dosis =")).unwrap_err();
    /// assert!(error.to_string().starts_with("protocol file bad.toml: line 18, column 1: unknown field `dosis`"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn from_toml(source_name: &str, text: &str) -> Result<Self> {
        let at = Located { source_name, text };
        if text.len() > PROTOCOL_MAX_BYTES {
            return Err(at.error(
                None,
                format!(
                    "it is larger than the {} bytes a protocol file may have",
                    crate::human::grouped(PROTOCOL_MAX_BYTES.into())
                ),
            ));
        }
        if let Some((offset, message)) = file_text::raw_refusal(text) {
            return Err(at.error(Some(offset..offset), message));
        }
        let sha256 = Sha256::digest(text.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Self::parsed(&at, sha256)
    }

    /// A built-in protocol file, embedded in the binary, whose SHA-256 the build worked out: read
    /// as [`Protocol::from_toml`] reads a user's, without hashing it again or screening its raw
    /// text (a test holds every built-in file to both).
    pub(crate) fn from_builtin(source_name: &str, text: &str, sha256: &str) -> Result<Self> {
        let at = Located { source_name, text };
        Self::parsed(&at, sha256.to_owned())
    }

    /// The file at `at`, parsed and checked, with its SHA-256.
    fn parsed(at: &Located<'_>, sha256: String) -> Result<Self> {
        let file: ProtocolFile = toml::from_str(at.text).map_err(|error| {
            let mut refused = at.error(error.span(), error.message().trim());
            if let Error::ProtocolFile { cause, .. } = &mut refused {
                *cause = Some(crate::error::Cause::new(error));
            }
            refused
        })?;
        file.check(at, sha256)
    }

    /// Writes the protocol as a protocol file that [`Protocol::from_toml`] reads back to the same
    /// rules.
    ///
    /// # Errors
    /// Only if the TOML writer fails, which the round-trip tests rule out.
    ///
    /// ```
    /// let catalogue = celldose::Catalogue::builtin()?;
    /// let protocol = catalogue.find("NCT05727722")?;
    /// let again = celldose::Protocol::from_toml("again.toml", &protocol.to_toml()?)?;
    /// assert_eq!(again.arms(), protocol.arms());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn to_toml(&self) -> Result<String> {
        let file = ProtocolFile::from(self);
        toml::to_string(&file).map_err(|error| Error::ProtocolFile {
            source_name: self.id().to_owned(),
            message: format!("cannot be written as TOML: {error}"),
            cause: Some(crate::error::Cause::new(error)),
        })
    }
}
