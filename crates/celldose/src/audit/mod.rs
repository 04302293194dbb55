//! A tamper-evident audit log: one JSON line per calculation, each carrying the SHA-256 of the
//! line before it, its own SHA-256, and a sequence number, so that a changed byte, a removed line
//! or two swapped lines are found, at the right line.
//!
//! Appending locks the file for the whole read-last-line-then-write, so two processes appending
//! at once each see the other's last line; nothing already written is ever rewritten.
//!
//! Before appending, the tail of the chain is checked: the last record must match its own SHA-256,
//! and the record before it must be the one the last names, one sequence number lower. A log whose
//! tail does not hold is refused and left untouched. What only a full [`verify`] finds is an
//! alteration further back, in a line that is neither of the last two.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The `previous_sha256` of a log's first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The suffix every line ends with: `,"sha256":"<64 hex digits>"}`.
const SELF_HASH_KEY: &str = ",\"sha256\":\"";
const SELF_HASH_SUFFIX_LEN: usize = SELF_HASH_KEY.len() + 64 + 2;

/// The longest audit record read back, in bytes (1 MiB): a record holds one request's inputs
/// (a batch row is at most 64 KiB) and its result.
pub const RECORD_MAX_BYTES: usize = 1 << 20;

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

/// What a record holds in place of a result when the request was refused:
/// `{"refused": "<the refusal>"}`. The command line, `celldose batch` and the web page record
/// refusals with it, so a refused request reads the same in every log.
///
/// ```
/// let json = serde_json::to_string(&celldose::audit::Refused("weight: it is required"))?;
/// assert_eq!(json, r#"{"refused":"weight: it is required"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused<'a>(pub &'a str);

impl Serialize for Refused<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> core::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut record = serializer.serialize_struct("Refused", 1)?;
        record.serialize_field("refused", self.0)?;
        record.end()
    }
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

/// The raw input strings, as typed, in the order given; a value longer than
/// [`INPUT_MAX_BYTES`] is kept to that length and marked with its full length, so that no input
/// can make a record longer than [`RECORD_MAX_BYTES`].
struct Input<'a>(&'a [(&'a str, &'a str)]);

/// The most bytes of one input value kept in a record (8 KiB).
pub const INPUT_MAX_BYTES: usize = 8 << 10;

impl Serialize for Input<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> core::result::Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(key, value)| {
            if value.len() <= INPUT_MAX_BYTES {
                return (*key, std::borrow::Cow::Borrowed(*value));
            }
            let mut end = INPUT_MAX_BYTES;
            while !value.is_char_boundary(end) {
                end = end.saturating_sub(1);
            }
            let kept = value.get(..end).unwrap_or_default();
            let marked = format!("{kept}…({} bytes in all)", value.len());
            (*key, std::borrow::Cow::Owned(marked))
        }))
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
        // A device, a pipe or a directory keeps nothing: the record would go nowhere.
        if let Ok(metadata) = std::fs::metadata(&path)
            && !metadata.is_file()
        {
            return Err(audit_error(
                &path,
                "is not a regular file, so nothing appended to it would be kept; give a file, or a new file in an existing directory",
            ));
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| audit_error(&path, format!("cannot be opened: {e}")))?;
        file.lock()
            .map_err(|e| audit_error(&path, format!("cannot be locked: {e}")))?;
        let (before, last) = last_two_lines(&mut file)
            .map_err(|e| audit_error(&path, format!("cannot be read: {e}")))?;
        let (previous, next_seq) = match last {
            None => (GENESIS.to_owned(), 1),
            Some(line) => {
                let refuse = |reason: String| {
                    audit_error(
                        &path,
                        format!(
                            "{reason}; nothing was appended; run celldose audit verify to find what changed"
                        ),
                    )
                };
                let (seq, names) = check_record(&line)
                    .map_err(|reason| refuse(format!("its last record is broken ({reason})")))?;
                match before {
                    Some(before) => {
                        let (before_seq, _) = check_record(&before).map_err(|reason| {
                            refuse(format!("the record before its last is broken ({reason})"))
                        })?;
                        if names != sha256_hex(&before) || before_seq.checked_add(1) != Some(seq) {
                            return Err(refuse(
                                "its last record does not follow the record before it".into(),
                            ));
                        }
                    }
                    None if seq != 1 || names != GENESIS => {
                        return Err(refuse("its only record is not the first of a chain".into()));
                    }
                    None => {}
                }
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

/// The last two lines of `file`, without their line breaks, read backwards from the end: at
/// most [`RECORD_MAX_BYTES`] each.
type Tail = (Option<Vec<u8>>, Option<Vec<u8>>);

fn last_two_lines(file: &mut File) -> std::io::Result<Tail> {
    let length = file.seek(SeekFrom::End(0))?;
    let window = u64::try_from(RECORD_MAX_BYTES.saturating_mul(2).saturating_add(2))
        .unwrap_or(u64::MAX)
        .min(length);
    let start = length.saturating_sub(window);
    file.seek(SeekFrom::Start(start))?;
    let mut tail = Vec::new();
    Read::by_ref(file).take(window).read_to_end(&mut tail)?;
    let body = tail.strip_suffix(b"\n").unwrap_or(&tail);
    if body.is_empty() {
        return Ok((None, None));
    }
    let mut lines = body.rsplit(|byte| *byte == b'\n');
    let last = lines.next().map(<[u8]>::to_vec);
    // A line that starts before the window is incomplete; it is read only when the file starts.
    let before = lines
        .next()
        .filter(|_| start == 0 || body.iter().filter(|byte| **byte == b'\n').count() >= 2);
    Ok((before.map(<[u8]>::to_vec), last))
}

/// A line checked as one record on its own: its self-hash, and its sequence number and the
/// SHA-256 it names for the line before it. The reason it fails, in words.
fn check_record(line: &[u8]) -> core::result::Result<(u64, String), String> {
    let text = core::str::from_utf8(line)
        .map_err(|_| "it is not valid UTF-8: it was altered".to_owned())?;
    let split = text
        .len()
        .checked_sub(SELF_HASH_SUFFIX_LEN)
        .filter(|at| text.is_char_boundary(*at));
    let (body, suffix) = match split.map(|at| text.split_at(at)) {
        Some((body, suffix)) if suffix.starts_with(SELF_HASH_KEY) && suffix.ends_with("\"}") => {
            (body, suffix)
        }
        _ => {
            return Err(
                "it does not end with its own SHA-256: it was altered or is not an audit record"
                    .into(),
            );
        }
    };
    let own = suffix
        .get(SELF_HASH_KEY.len()..SELF_HASH_KEY.len().saturating_add(64))
        .unwrap_or_default();
    if sha256_hex(format!("{body}}}").as_bytes()) != own {
        return Err("its content does not match its own SHA-256: it was altered".into());
    }
    let record: serde_json::Value = serde_json::from_str(text)
        .map_err(|_| "it is not a JSON record: it was altered".to_owned())?;
    let seq = record
        .get("seq")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| "it has no sequence number: it was altered".to_owned())?;
    let names = record
        .get("previous_sha256")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Ok((seq, names))
}

/// Checks a whole log: every line a record, each in sequence from 1, each matching its own
/// SHA-256, each naming the SHA-256 of the line before it. Returns the number of records.
///
/// # Errors
/// [`Error::AuditChain`] naming the first line that was altered, removed, added or reordered;
/// [`Error::Request`] when the log cannot be read, or is binary data.
///
/// See [`AuditLog`] for an example.
pub fn verify(log: impl Read) -> Result<u64> {
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
        let (seq, names) = check_record(&line).map_err(broken)?;
        let expected = count.saturating_add(1);
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
        if names != previous {
            return Err(broken("it does not name the SHA-256 of the line before it: a line was altered, removed or reordered".into()));
        }
        previous = sha256_hex(&line);
        count = expected;
    }
    Ok(count)
}

/// The counted cells given in the earlier infusions of a split dose, read from an audit log: for
/// each infusion before `infusion`, the last `check` record of this patient under this protocol
/// (and arm) whose verdict was `within`. The whole chain is verified first: a log that does not
/// hold cannot say what was given.
///
/// Returns each earlier infusion's number, the sequence number of its record, and its count.
///
/// # Errors
/// A log that cannot be read or whose chain is broken; an earlier infusion with no such record
/// (the message names it, and says to give the count instead).
///
/// ```
/// use celldose::audit::{self, AuditLog};
/// let path = std::env::temp_dir().join(format!("celldose-given-doc-{}.jsonl", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let mut log = AuditLog::open(&path)?;
/// let result = serde_json::json!({"patient": "S-014", "protocol": "DEMO-SPLIT", "arm": "all", "verdict": "within",
///     "actual_cells_exact": "60000000", "infusion": {"infusion": 1}});
/// log.append("check", &[], &result)?;
/// drop(log);
/// let earlier = audit::given_before(&path, "S-014", "DEMO-SPLIT", Some("all"), 2)?;
/// assert_eq!(earlier, vec![(1, 1, "60000000".parse()?)]);
/// assert!(audit::given_before(&path, "S-014", "DEMO-SPLIT", Some("all"), 3).unwrap_err().to_string().contains("no record of infusion 2"));
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), celldose::Error>(())
/// ```
pub fn given_before(
    path: &Path,
    patient: &str,
    protocol: &str,
    arm: Option<&str>,
    infusion: u32,
) -> Result<Vec<(u32, u64, crate::ExactCells)>> {
    #[derive(serde::Deserialize)]
    struct Earlier {
        seq: u64,
        command: String,
        result: EarlierResult,
    }
    #[derive(serde::Deserialize)]
    struct EarlierResult {
        patient: Option<String>,
        protocol: Option<String>,
        arm: Option<String>,
        verdict: Option<String>,
        actual_cells_exact: Option<String>,
        infusion: Option<EarlierInfusion>,
    }
    #[derive(serde::Deserialize)]
    struct EarlierInfusion {
        infusion: u32,
    }
    let open = || {
        if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
            return Err(audit_error(path, "is not a regular file that can be read"));
        }
        File::open(path).map_err(|e| audit_error(path, e))
    };
    verify(open()?).map_err(|e| {
        audit_error(
            path,
            format!("its chain does not hold, so it cannot say what was given: {e}"),
        )
    })?;
    let mut found: Vec<(u32, u64, crate::ExactCells)> = Vec::new();
    let mut lines = crate::lines::BoundedLines::new(
        std::io::BufReader::with_capacity(1 << 16, open()?),
        RECORD_MAX_BYTES,
    );
    let mut line = Vec::new();
    while lines
        .read(&mut line)
        .map_err(|e| audit_error(path, e))?
        .is_some()
    {
        let Ok(record) = serde_json::from_slice::<Earlier>(&line) else {
            continue;
        };
        let r = &record.result;
        let matches = record.command == "check"
            && r.patient.as_deref() == Some(patient)
            && r.protocol.as_deref() == Some(protocol)
            && r.arm.as_deref() == arm
            && r.verdict.as_deref() == Some("within");
        let (Some(earlier), Some(cells)) = (r.infusion.as_ref(), r.actual_cells_exact.as_deref())
        else {
            continue;
        };
        if !matches || earlier.infusion >= infusion || earlier.infusion == 0 {
            continue;
        }
        let cells: crate::ExactCells = cells.parse()?;
        // A later check of the same infusion replaces an earlier one.
        found.retain(|(n, _, _)| *n != earlier.infusion);
        found.push((earlier.infusion, record.seq, cells));
    }
    found.sort_by_key(|(n, _, _)| *n);
    let missing: Vec<String> = (1..infusion)
        .filter(|n| !found.iter().any(|(m, _, _)| m == n))
        .map(|n| n.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(audit_error(
            path,
            format!(
                "it holds no record of infusion{} {} of patient {patient} under protocol {protocol} checked within the protocol; give what was given before as a count instead",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            ),
        ));
    }
    Ok(found)
}
