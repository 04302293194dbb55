//! A tamper-evident audit log: one JSON line per calculation, each carrying the SHA-256 of the
//! line before it, its own SHA-256, and a sequence number, so that a changed byte, a removed line
//! or two swapped lines are found, at the right line.
//!
//! Appending locks the file for the whole read-last-line-then-write, so two processes appending
//! at once each see the other's last line; nothing already written is ever rewritten.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The `previous_sha256` of a log's first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The suffix every line ends with: `,"sha256":"<64 hex digits>"}`.
const SELF_HASH_KEY: &str = ",\"sha256\":\"";
const SELF_HASH_SUFFIX_LEN: usize = SELF_HASH_KEY.len() + 64 + 2;

/// An audit log opened for appending. It holds an exclusive lock on the file until dropped.
///
/// ```
/// use celldose::audit::{self, AuditLog};
/// let path = std::env::temp_dir().join(format!("celldose-audit-doc-{}.jsonl", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let mut log = AuditLog::open(&path)?;
/// log.append("dose", &[("weight", "72.5kg")], &serde_json::json!({"cells": "1160000000"}))?;
/// log.append("dose", &[("weight", "160lb")], &serde_json::json!({"cells": "1161196468"}))?;
/// drop(log);
/// assert_eq!(audit::verify(std::fs::File::open(&path).map_err(|e| celldose::Error::Request(e.to_string()))?)?, 2);
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug)]
pub struct AuditLog {
    file: File,
    path: PathBuf,
    previous: String,
    next_seq: u64,
}

/// One record, in the order its fields are written.
#[derive(Serialize)]
struct Record<'a, R: Serialize> {
    seq: u64,
    time: String,
    celldose_version: &'static str,
    command: &'a str,
    input: Input<'a>,
    result: &'a R,
    previous_sha256: &'a str,
}

/// The raw input strings, as typed, in the order given.
struct Input<'a>(&'a [(&'a str, &'a str)]);

impl Serialize for Input<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> core::result::Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(key, value)| (*key, *value)))
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn audit_error(path: &Path, message: impl core::fmt::Display) -> Error {
    Error::Request(format!("audit log {}: {message}", path.display()))
}

impl AuditLog {
    /// Opens (or creates) the log at `path` for appending, waiting for any other writer's lock.
    ///
    /// # Errors
    /// When the file cannot be opened, locked or read, or its last line is not a record.
    ///
    /// See [`AuditLog`] for an example.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| audit_error(&path, format!("cannot be opened: {e}")))?;
        file.lock()
            .map_err(|e| audit_error(&path, format!("cannot be locked: {e}")))?;
        let (previous, next_seq) = match last_line(&mut file)
            .map_err(|e| audit_error(&path, format!("cannot be read: {e}")))?
        {
            None => (GENESIS.to_owned(), 1),
            Some(line) => {
                let seq = serde_json::from_slice::<serde_json::Value>(&line)
                    .ok()
                    .and_then(|record| record.get("seq").and_then(serde_json::Value::as_u64))
                    .ok_or_else(|| {
                        audit_error(
                            &path,
                            "its last line is not an audit record; run celldose audit verify",
                        )
                    })?;
                (sha256_hex(&line), seq.saturating_add(1))
            }
        };
        Ok(Self {
            file,
            path,
            previous,
            next_seq,
        })
    }

    /// Appends one record: the command, the raw input strings as typed, and the result (any
    /// serialisable report: the parsed values, findings, verdict and acknowledgement are in it).
    ///
    /// # Errors
    /// When the record cannot be written.
    ///
    /// See [`AuditLog`] for an example.
    pub fn append<R: Serialize>(
        &mut self,
        command: &str,
        input: &[(&str, &str)],
        result: &R,
    ) -> Result<()> {
        let record = Record {
            seq: self.next_seq,
            time: jiff::Timestamp::now().to_string(),
            celldose_version: env!("CARGO_PKG_VERSION"),
            command,
            input: Input(input),
            result,
            previous_sha256: &self.previous,
        };
        let body = serde_json::to_string(&record).map_err(|e| audit_error(&self.path, e))?;
        // The line's own hash covers the line as it would read without that field.
        let own = sha256_hex(body.as_bytes());
        let mut line = body;
        line.pop();
        line.push_str(SELF_HASH_KEY);
        line.push_str(&own);
        line.push_str("\"}");
        let mut bytes = line.into_bytes();
        let previous = sha256_hex(&bytes);
        bytes.push(b'\n');
        self.file
            .write_all(&bytes)
            .and_then(|()| self.file.flush())
            .map_err(|e| audit_error(&self.path, format!("cannot be written: {e}")))?;
        self.previous = previous;
        self.next_seq = self.next_seq.saturating_add(1);
        Ok(())
    }
}

/// The last line of `file`, without its line break, read backwards from the end.
fn last_line(file: &mut File) -> std::io::Result<Option<Vec<u8>>> {
    let length = file.seek(SeekFrom::End(0))?;
    let mut end = length;
    let mut tail: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 4096];
    // Skip the final line break, then read back to the one before it.
    loop {
        if end == 0 {
            break;
        }
        let size = end.min(4096);
        let start = end.saturating_sub(size);
        file.seek(SeekFrom::Start(start))?;
        let buffer = chunk
            .get_mut(..usize::try_from(size).unwrap_or(0))
            .unwrap_or_default();
        file.read_exact(buffer)?;
        let mut combined = buffer.to_vec();
        combined.extend_from_slice(&tail);
        tail = combined;
        end = start;
        let body = tail.strip_suffix(b"\n").unwrap_or(&tail);
        if let Some(position) = body.iter().rposition(|byte| *byte == b'\n') {
            let line = body
                .get(position.saturating_add(1)..)
                .unwrap_or_default()
                .to_vec();
            return Ok(Some(line));
        }
    }
    let body = tail.strip_suffix(b"\n").unwrap_or(&tail);
    Ok((!body.is_empty()).then(|| body.to_vec()))
}

/// Checks a whole log: every line a record, each in sequence from 1, each matching its own
/// SHA-256, each naming the SHA-256 of the line before it. Returns the number of records.
///
/// # Errors
/// An error naming the first line that was altered, removed,
/// added or reordered, or the read failure.
///
/// See [`AuditLog`] for an example.
pub fn verify(log: impl Read) -> Result<u64> {
    let mut previous = GENESIS.to_owned();
    let mut count = 0u64;
    for (index, line) in std::io::BufReader::new(log).split(b'\n').enumerate() {
        let number = index.saturating_add(1);
        let broken = |reason: String| Error::Request(format!("line {number}: {reason}"));
        let line = line.map_err(|e| Error::Request(format!("the log cannot be read: {e}")))?;
        let text = core::str::from_utf8(&line)
            .map_err(|_| broken("it is not valid UTF-8: it was altered".into()))?;
        let split = text
            .len()
            .checked_sub(SELF_HASH_SUFFIX_LEN)
            .filter(|at| text.is_char_boundary(*at));
        let (body, suffix) = match split.map(|at| text.split_at(at)) {
            Some((body, suffix))
                if suffix.starts_with(SELF_HASH_KEY) && suffix.ends_with("\"}") =>
            {
                (body, suffix)
            }
            _ => return Err(broken(
                "it does not end with its own SHA-256: it was altered or is not an audit record"
                    .into(),
            )),
        };
        let own = suffix
            .get(SELF_HASH_KEY.len()..SELF_HASH_KEY.len().saturating_add(64))
            .unwrap_or_default();
        if sha256_hex(format!("{body}}}").as_bytes()) != own {
            return Err(broken(
                "its content does not match its own SHA-256: it was altered".into(),
            ));
        }
        let record: serde_json::Value = serde_json::from_str(text)
            .map_err(|_| broken("it is not a JSON record: it was altered".into()))?;
        let seq = record
            .get("seq")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        let expected = count.saturating_add(1);
        if seq != expected {
            return Err(broken(if seq > expected {
                format!("its sequence number is {seq} where {expected} was expected: a line before it was removed, or lines were reordered")
            } else {
                format!("its sequence number is {seq} where {expected} was expected: lines were reordered or repeated")
            }));
        }
        if record
            .get("previous_sha256")
            .and_then(serde_json::Value::as_str)
            != Some(previous.as_str())
        {
            return Err(broken("it does not name the SHA-256 of the line before it: a line was altered, removed or reordered".into()));
        }
        previous = sha256_hex(&line);
        count = expected;
    }
    Ok(count)
}
