//! Checking a whole log: every line a record, in sequence from 1, each matching its own SHA-256,
//! each naming the SHA-256 of the line before it, and under a key each carrying a matching HMAC.

use std::io::Read;

use super::key::AuditKey;
use super::{GENESIS, RECORD_MAX_BYTES, record};
use crate::error::{Error, Result};

/// Checks a whole log: every line a record, each in sequence from 1, each matching its own
/// SHA-256, each naming the SHA-256 of the line before it. Returns the number of records.
///
/// This proves integrity against accident, not against someone who can rewrite the file: such a
/// person can drop a record and recompute every hash after it. [`verify_keyed`] checks the
/// records' HMACs too.
///
/// # Errors
/// [`Error::AuditChain`] naming the first line that was altered, removed, added or reordered;
/// [`Error::Request`] when the log cannot be read, or is binary data.
///
/// See [`super::AuditLog`] for an example.
pub fn verify(log: impl Read) -> Result<u64> {
    check_chain(log, None)
}

/// [`verify`], and every record must carry an HMAC of its own SHA-256 under `key`: a record
/// without one, or with one that does not match, was not written by a holder of the key.
///
/// # Errors
/// As [`verify`]; [`Error::AuditChain`] naming the first record whose HMAC is missing or wrong.
///
/// ```
/// use celldose::audit::{self, Appending, AuditKey, AuditLog};
/// let path = std::env::temp_dir().join(format!("celldose-keyed-doc-{}.jsonl", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let key = AuditKey::generate()?;
/// let mut log = AuditLog::open_with(&path, &Appending::default().key(Some(key.clone())))?;
/// log.append("dose", &[], &serde_json::json!({"verdict": "within"}))?;
/// drop(log);
/// let read = || std::fs::File::open(&path).map_err(|e| celldose::Error::Request(e.to_string()));
/// assert_eq!(audit::verify_keyed(read()?, &key)?, 1);
/// assert!(audit::verify_keyed(read()?, &AuditKey::generate()?).is_err());
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), celldose::Error>(())
/// ```
pub fn verify_keyed(log: impl Read, key: &AuditKey) -> Result<u64> {
    check_chain(log, Some(key))
}

pub(super) fn check_chain(log: impl Read, key: Option<&AuditKey>) -> Result<u64> {
    let mut previous = GENESIS.to_owned();
    let mut count = 0u64;
    let mut lines = crate::lines::BoundedLines::new(
        std::io::BufReader::with_capacity(1 << 16, log),
        RECORD_MAX_BYTES,
    );
    let mut line = Vec::new();
    let mut number = 0u64;
    while let Some(end) = lines
        .read(&mut line)
        .map_err(|e| Error::Request(format!("the log cannot be read: {e}")))?
    {
        number = number.saturating_add(1);
        let broken = |reason: String| Error::AuditChain {
            line: number,
            reason,
        };
        if let crate::lines::LineEnd::TooLong { bytes } = end {
            return Err(broken(format!(
                "it is {} bytes long, more than an audit record may be: it was altered or is not an audit record",
                crate::human::grouped(bytes.into())
            )));
        }
        let checked = record::check(&line).map_err(broken)?;
        let expected = count.saturating_add(1);
        let seq = checked.seq;
        if seq != expected {
            return Err(broken(if seq > expected {
                format!(
                    "its sequence number is {seq} where {expected} was expected: a line before it was removed, or lines were reordered"
                )
            } else {
                format!(
                    "its sequence number is {seq} where {expected} was expected: lines were reordered or repeated"
                )
            }));
        }
        if checked.previous != previous {
            return Err(broken("it does not name the SHA-256 of the line before it: a line was altered, removed or reordered".into()));
        }
        if let Some(key) = key {
            match &checked.hmac {
                None => {
                    return Err(broken(
                        "it carries no HMAC, though the log is checked with a key: it was written without the key, perhaps by someone who rewrote the log".into(),
                    ));
                }
                Some(hmac) if !key.verifies(&checked.own, hmac) => {
                    return Err(broken(
                        "its HMAC does not match the key: it was rewritten by someone without the key, or the key is another log's".into(),
                    ));
                }
                Some(_) => {}
            }
        }
        previous = record::sha256_hex(&line);
        count = expected;
    }
    Ok(count)
}
