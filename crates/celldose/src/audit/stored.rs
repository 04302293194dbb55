//! Records read back from a log: a preparation by its sequence number, with every verification
//! of it, after the whole chain has been checked.

use std::fs::File;
use std::path::Path;

use serde::Deserialize;

use super::key::AuditKey;
use super::verify::check_chain;
use super::{RECORD_MAX_BYTES, Signer, audit_error, record};
use crate::error::Result;
use crate::refusal::Refusal;

/// One record as the log holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    seq: u64,
    sha256: String,
    time: String,
    command: String,
    signer: Option<Signer>,
    stage: Option<String>,
    verifies: Option<u64>,
    input: Vec<(String, String)>,
    result: serde_json::Value,
}

#[derive(Deserialize)]
struct Line {
    seq: u64,
    #[serde(default)]
    time: String,
    #[serde(default)]
    command: String,
    user: Option<String>,
    role: Option<String>,
    identified: Option<String>,
    stage: Option<String>,
    verifies: Option<VerifiesLine>,
    #[serde(default)]
    input: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    result: serde_json::Value,
}

#[derive(Deserialize)]
struct VerifiesLine {
    seq: u64,
}

impl StoredRecord {
    fn from_line(bytes: &[u8]) -> Option<Self> {
        let line: Line = serde_json::from_slice(bytes).ok()?;
        let signer = match (line.user.as_deref(), line.identified.as_deref()) {
            (Some(name), Some("signed-in")) => {
                Signer::signed_in(name, line.role.as_deref().unwrap_or_default()).ok()
            }
            (Some(name), _) => Signer::claimed(name).ok(),
            (None, _) => None,
        };
        Some(Self {
            seq: line.seq,
            sha256: record::sha256_hex(bytes),
            // Text read back from a log reaches pages and terminals only made inert.
            time: crate::text::inert(&line.time).into_owned(),
            command: line.command,
            signer,
            stage: line.stage,
            verifies: line.verifies.map(|v| v.seq),
            input: line
                .input
                .into_iter()
                .map(|(name, value)| (name, value.as_str().unwrap_or_default().to_owned()))
                .collect(),
            result: line.result,
        })
    }

    /// Its sequence number.
    #[must_use]
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The SHA-256 of its line.
    #[must_use]
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// When it was made (UTC, RFC 3339).
    #[must_use]
    pub fn time(&self) -> &str {
        &self.time
    }

    /// What it records: `check`, `prepare`, `verify`, `sign-in`…
    #[must_use]
    pub fn command(&self) -> &str {
        &self.command
    }

    /// Who made it, where it names a user.
    #[must_use]
    pub fn signer(&self) -> Option<&Signer> {
        self.signer.as_ref()
    }

    /// Its stage (`prepared`, `verified`, `verification-failed`), where it has one.
    #[must_use]
    pub fn stage(&self) -> Option<&str> {
        self.stage.as_deref()
    }

    /// The inputs as typed, by name, in the order recorded.
    #[must_use]
    pub fn input(&self) -> &[(String, String)] {
        &self.input
    }

    /// One input as typed.
    #[must_use]
    pub fn input_named(&self, name: &str) -> Option<&str> {
        self.input
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }

    /// The result it holds (the report, or `{"refused": …}`).
    #[must_use]
    pub fn result(&self) -> &serde_json::Value {
        &self.result
    }
}

/// A preparation read back from a log, with every verification of it made since, oldest first.
///
/// ```
/// use celldose::audit::{AuditLog, Preparation, Signer, Stage};
/// let path = std::env::temp_dir().join(format!("celldose-preparation-doc-{}.jsonl", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let mut log = AuditLog::open(&path)?;
/// log.sign_as(Some(Signer::signed_in("alice", "pharmacist")?));
/// log.at_stage(Some(Stage::Prepared));
/// log.append("check", &[("weight", "72.5kg")], &serde_json::json!({"verdict": "within"}))?;
/// drop(log);
/// let read = Preparation::read(&path, 1, None)?;
/// assert_eq!(read.record().signer().map(|s| s.name()), Some("alice"));
/// assert!(read.verifications().is_empty());
/// assert!(Preparation::read(&path, 2, None).unwrap_err().to_string().contains("record 2 is not in the audit log"));
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Preparation {
    record: StoredRecord,
    verifications: Vec<StoredRecord>,
}

impl Preparation {
    /// Reads record `seq` of the log at `path` (whose whole chain must hold, and, under `key`,
    /// every HMAC) and the verifications of it after it.
    ///
    /// # Errors
    /// A log that cannot be read or whose chain does not hold; [`Refusal::NoSuchRecord`]; or
    /// [`Refusal::NotAPreparation`] for a record that is not a `check` or `prepare` at the
    /// `prepared` stage.
    pub fn read(path: &Path, seq: u64, key: Option<&AuditKey>) -> Result<Self> {
        let open = || {
            crate::named_file::check_regular(path).map_err(|reason| audit_error(path, reason))?;
            File::open(path).map_err(|e| audit_error(path, format!("cannot be read: {e}")))
        };
        let last = check_chain(open()?, key).map_err(|e| {
            audit_error(
                path,
                format!("its chain does not hold, so no record of it can be trusted: {e}"),
            )
        })?;
        let mut lines = crate::lines::BoundedLines::new(
            std::io::BufReader::with_capacity(1 << 16, open()?),
            RECORD_MAX_BYTES,
        );
        let mut line = Vec::new();
        let (mut found, mut verifications) = (None, Vec::new());
        while lines
            .read(&mut line)
            .map_err(|e| audit_error(path, e))?
            .is_some()
        {
            let Some(record) = StoredRecord::from_line(&line) else {
                continue;
            };
            if record.seq == seq {
                found = Some(record);
            } else if found.is_some() && record.verifies == Some(seq) {
                verifications.push(record);
            }
        }
        let record = found.ok_or(Refusal::NoSuchRecord { seq, last })?;
        let prepared = matches!(record.command.as_str(), "check" | "prepare")
            && record.stage.as_deref() == Some("prepared")
            && record.result.get("refused").is_none();
        if !prepared {
            return Err(Refusal::NotAPreparation {
                seq,
                command: record.command,
            }
            .into());
        }
        Ok(Self {
            record,
            verifications,
        })
    }

    /// The preparation's record.
    #[must_use]
    pub fn record(&self) -> &StoredRecord {
        &self.record
    }

    /// Every verification of it, oldest first: agreed (`verified`) or not
    /// (`verification-failed`).
    #[must_use]
    pub fn verifications(&self) -> &[StoredRecord] {
        &self.verifications
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn text_read_back_from_a_log_is_made_inert_or_dropped() {
        let line = br#"{"seq":1,"time":"2026-12-05T09:00:00Z\u001b[2J","command":"check","user":"alice","role":"pharmacist\u001b[31m","identified":"signed-in","input":{},"result":{}}"#;
        let record = StoredRecord::from_line(line).unwrap();
        assert!(!record.time().contains('\u{1b}'), "{}", record.time());
        // A role that is not a word of the users file names no signed-in user.
        assert_eq!(record.signer(), None);
        let claimed = br#"{"seq":2,"command":"check","user":"bob","identified":"claimed"}"#;
        let record = StoredRecord::from_line(claimed).unwrap();
        assert_eq!(record.signer().map(Signer::name), Some("bob"));
    }
}
