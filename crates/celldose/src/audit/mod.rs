//! A tamper-evident audit log: one JSON line per calculation, each carrying the SHA-256 of the
//! line before it, its own SHA-256, and a sequence number, so that a changed byte, a removed line
//! or two swapped lines are found, at the right line.
//!
//! **What it proves.** Without a key, the chain proves integrity against accident: a line
//! damaged, lost or reordered by a crash, a copy or an editor. It does not prove integrity
//! against someone who can rewrite the file, who can drop a record and recompute every hash after
//! it. Under a site key ([`AuditKey`]), each record also carries an HMAC-SHA256 of its own hash,
//! so a rewritten chain no longer verifies ([`verify_keyed`]) unless the rewriter holds the key.
//! Records removed from the end leave a shorter chain that still verifies; the printed worksheet
//! names each record's sequence number and SHA-256, so a paper copy anchors the log.
//!
//! **Durable before shown.** [`AuditLog::append`] writes a record and syncs it to disk
//! (`fdatasync`) before it returns, so a result shown after it cannot be lost with the power.
//! Many records can be written with [`AuditLog::append_unsynced`] and made durable together with
//! one [`AuditLog::sync`] (a group commit).
//!
//! Appending locks the file for the whole read-last-line-then-write, so two processes appending
//! at once each see the other's last line; nothing already written is ever rewritten. Before
//! appending, the tail of the chain is checked: the last record must match its own SHA-256, and
//! the record before it must be the one the last names, one sequence number lower. A log whose
//! tail does not hold is refused and left untouched. What only a full [`verify`] finds is an
//! alteration further back, in a line that is neither of the last two.

mod given;
mod key;
mod record;
mod signer;
mod stage;
mod stored;
mod verify;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

pub use given::given_before;
pub use key::{AuditKey, KEY_BYTES};
pub use signer::{Identified, Signer};
pub use stage::{Stage, Verifies};
pub use stored::{Preparation, StoredRecord};

pub use verify::{verify, verify_keyed};

use crate::error::{Error, Result};

/// The `previous_sha256` of a log's first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The longest audit record read back, in bytes (1 MiB): a record holds one request's inputs
/// (a batch row is at most 64 KiB) and its result.
pub const RECORD_MAX_BYTES: usize = 1 << 20;

/// A record in a log: its sequence number and its SHA-256 (the hash the record after it names),
/// which a printed worksheet carries so that the paper anchors the log.
#[derive(Debug, Clone)]
pub struct RecordId {
    seq: u64,
    sha256: String,
    time: String,
}

impl RecordId {
    /// The record's sequence number, from 1.
    ///
    /// See [`AuditLog`].
    #[must_use]
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The SHA-256 of the record's line, which the next record names as `previous_sha256`.
    ///
    /// See [`AuditLog`].
    #[must_use]
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// When the record was made (UTC, as written in it); empty for a record read back from a
    /// log's tail, whose time is not kept here.
    ///
    /// See [`AuditLog`].
    #[must_use]
    pub fn time(&self) -> &str {
        &self.time
    }
}

/// Two ids are of the same record when their sequence numbers and hashes agree; the time is
/// not part of the identity (a record read back from a tail does not carry it here).
impl PartialEq for RecordId {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq && self.sha256 == other.sha256
    }
}
impl Eq for RecordId {}
impl core::hash::Hash for RecordId {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.seq.hash(state);
        self.sha256.hash(state);
    }
}

impl core::fmt::Display for RecordId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "record {} (sha256 {})", self.seq, self.sha256)
    }
}

/// How a log is opened for appending: how long to wait for another process's lock, the site key
/// records are signed with, and the record this program last wrote, which must still be the
/// log's last.
///
/// ```
/// use std::time::Duration;
/// use celldose::audit::{Appending, AuditLog};
/// let path = std::env::temp_dir().join(format!("celldose-appending-doc-{}.jsonl", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let mut log = AuditLog::open(&path)?;
/// let first = log.append("dose", &[], &serde_json::json!({"verdict": "within"}))?;
/// drop(log);
/// let then = Appending::default().wait_at_most(Duration::from_secs(5)).after(Some(first.clone()));
/// let mut log = AuditLog::open_with(&path, &then)?;
/// assert_eq!(log.append("dose", &[], &serde_json::json!({}))?.seq(), 2);
/// drop(log);
/// // The log was replaced: the record written last is no longer its last.
/// std::fs::remove_file(&path).ok();
/// assert!(AuditLog::open_with(&path, &then).unwrap_err().to_string().contains("is gone"));
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Appending {
    wait: Option<Duration>,
    key: Option<AuditKey>,
    after: Option<RecordId>,
}

impl Appending {
    /// Waits at most `wait` for another process's lock, then gives up with an error, instead of
    /// waiting as long as the lock is held.
    #[must_use]
    pub fn wait_at_most(mut self, wait: Duration) -> Self {
        self.wait = Some(wait);
        self
    }

    /// Signs every record appended with `key`; the log's last record, where signed, must verify
    /// under it.
    #[must_use]
    pub fn key(mut self, key: Option<AuditKey>) -> Self {
        self.key = key;
        self
    }

    /// Requires `last` (the record this program last wrote or saw last) to be the log's last
    /// record still; a log replaced, truncated or deleted since is refused, never restarted.
    #[must_use]
    pub fn after(mut self, last: Option<RecordId>) -> Self {
        self.after = last;
        self
    }
}

/// An audit log opened for appending. It holds an exclusive lock on the file until dropped.
///
/// ```
/// use celldose::audit::{self, AuditLog};
/// let path = std::env::temp_dir().join(format!("celldose-audit-doc-{}.jsonl", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let mut log = AuditLog::open(&path)?;
/// log.append("dose", &[("weight", "72.5kg")], &serde_json::json!({"cells": "1160000000"}))?;
/// let second = log.append("dose", &[("weight", "160lb")], &serde_json::json!({"cells": "1161196468"}))?;
/// assert_eq!(second.seq(), 2);
/// drop(log);
/// assert_eq!(audit::verify(std::fs::File::open(&path).map_err(|e| celldose::Error::Request(e.to_string()))?)?, 2);
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug)]
pub struct AuditLog {
    file: File,
    path: PathBuf,
    last: Option<RecordId>,
    key: Option<AuditKey>,
    unsynced: bool,
    signer: Option<Signer>,
    stage: Option<Stage>,
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

/// A report with the audit record that holds it, as `--format json` and the API print it: the
/// report's own fields, then `recorded` with the record's sequence number, SHA-256 and time, its
/// user (`user`, `role`, `identified`) and stage, where it has them.
///
/// ```
/// use celldose::audit::{AuditLog, Signer, Stage, WithRecord};
/// let path = std::env::temp_dir().join(format!("celldose-with-record-doc-{}.jsonl", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let report = serde_json::json!({"verdict": "within"});
/// let alice = Signer::claimed("alice")?;
/// let record = AuditLog::open(&path)?.append("check", &[], &report)?;
/// let shown = serde_json::to_value(WithRecord::new(&report, &record, Some(&alice), Some(&Stage::Prepared)))
///     .map_err(|e| celldose::Error::Request(e.to_string()))?;
/// assert_eq!(shown["verdict"], "within");
/// assert_eq!(shown["recorded"]["seq"], 1);
/// assert_eq!(shown["recorded"]["user"], "alice");
/// assert_eq!(shown["recorded"]["identified"], "claimed");
/// assert_eq!(shown["recorded"]["stage"], "prepared");
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Serialize)]
pub struct WithRecord<'a, R: Serialize> {
    #[serde(flatten)]
    report: &'a R,
    recorded: RecordSummary<'a>,
}

#[derive(Debug, Serialize)]
struct RecordSummary<'a> {
    seq: u64,
    sha256: &'a str,
    time: &'a str,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    by: Option<&'a Signer>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    stage: Option<stage::StageFields<'a>>,
}

impl<'a, R: Serialize> WithRecord<'a, R> {
    /// `report` with `record`, made by `by` at `stage`.
    pub fn new(
        report: &'a R,
        record: &'a RecordId,
        by: Option<&'a Signer>,
        stage: Option<&'a Stage>,
    ) -> Self {
        Self {
            report,
            recorded: RecordSummary {
                seq: record.seq,
                sha256: &record.sha256,
                time: &record.time,
                by,
                stage: stage.map(stage::StageFields::from),
            },
        }
    }
}

/// One record, in the order its fields are written.
#[derive(Serialize)]
struct Record<'a, R: Serialize> {
    seq: u64,
    time: String,
    celldose_version: &'static str,
    command: &'a str,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    by: Option<&'a Signer>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    stage: Option<stage::StageFields<'a>>,
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

fn audit_error(path: &Path, message: impl core::fmt::Display) -> Error {
    Error::AuditLog {
        path: crate::named_file::shown(path),
        message: message.to_string(),
        cause: None,
    }
}

/// How often a bounded wait tries the lock again.
const LOCK_RETRY: Duration = Duration::from_millis(10);

/// Takes the exclusive lock on `file`, waiting as long as it is held, or at most `wait`.
fn lock(file: &File, path: &Path, wait: Option<Duration>) -> Result<()> {
    let Some(wait) = wait else {
        return file
            .lock()
            .map_err(|e| audit_error(path, format!("cannot be locked: {e}")));
    };
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < wait => {
                std::thread::sleep(LOCK_RETRY);
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(audit_error(
                    path,
                    format!(
                        "it is locked by another process (waited {} ms for it); nothing was recorded",
                        wait.as_millis()
                    ),
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(audit_error(path, format!("cannot be locked: {e}")));
            }
        }
    }
}

impl AuditLog {
    /// Opens (or creates) the log at `path` for appending, waiting for any other writer's lock.
    ///
    /// # Errors
    /// When the file cannot be opened, locked or read, or its last line is not a record.
    ///
    /// See [`AuditLog`] for an example.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, &Appending::default())
    }

    /// Opens the log at `path` for appending as `how` says (see [`Appending`]).
    ///
    /// # Errors
    /// As [`AuditLog::open`]; and when the lock is not had within the wait, the last record's
    /// HMAC does not verify under the key, or the record `how` names as last is not the log's
    /// last (the log was replaced, truncated or deleted).
    pub fn open_with(path: impl AsRef<Path>, how: &Appending) -> Result<Self> {
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
        let file = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            // A log that had records when this program last wrote to it is never made anew.
            .create(how.after.is_none())
            .open(&path)
            .map_err(|e| match (&how.after, e.kind()) {
                (Some(last), std::io::ErrorKind::NotFound) => audit_error(
                    &path,
                    format!(
                        "it is gone: it was deleted or moved after {last} was written; nothing was recorded, and a new chain is not started in its place"
                    ),
                ),
                _ => audit_error(&path, format!("cannot be opened: {e}")),
            })?;
        lock(&file, &path, how.wait)?;
        let mut log = Self {
            file,
            path,
            last: None,
            key: how.key.clone(),
            unsynced: false,
            signer: None,
            stage: None,
        };
        log.last = log.read_last()?;
        if let Some(expected) = &how.after
            && log.last.as_ref() != Some(expected)
        {
            let found = match &log.last {
                Some(last) => format!("its last record is now {last}"),
                None => "it is now empty".to_owned(),
            };
            return Err(audit_error(
                &log.path,
                format!(
                    "it was replaced or truncated: the last record written to it was {expected}, but {found}; nothing was recorded, and the chain is not continued from a log that changed under it"
                ),
            ));
        }
        Ok(log)
    }

    /// The log's last record, checked: its own hash, its link to the record before it, and its
    /// HMAC where it has one and a key is given.
    fn read_last(&mut self) -> Result<Option<RecordId>> {
        let path = self.path.clone();
        let (before, last) = last_two_lines(&mut self.file)
            .map_err(|e| audit_error(&path, format!("cannot be read: {e}")))?;
        let Some(line) = last else {
            return Ok(None);
        };
        let refuse = |reason: String| {
            audit_error(
                &path,
                format!(
                    "{reason}; nothing was appended; run celldose audit verify to find what changed"
                ),
            )
        };
        let checked = record::check(&line)
            .map_err(|reason| refuse(format!("its last record is broken ({reason})")))?;
        match before {
            Some(before) => {
                let earlier = record::check(&before).map_err(|reason| {
                    refuse(format!("the record before its last is broken ({reason})"))
                })?;
                if checked.previous != record::sha256_hex(&before)
                    || earlier.seq.checked_add(1) != Some(checked.seq)
                {
                    return Err(refuse(
                        "its last record does not follow the record before it".into(),
                    ));
                }
            }
            None if checked.seq != 1 || checked.previous != GENESIS => {
                return Err(refuse("its only record is not the first of a chain".into()));
            }
            None => {}
        }
        if let (Some(key), Some(hmac)) = (&self.key, &checked.hmac)
            && !key.verifies(&checked.own, hmac)
        {
            return Err(refuse(
                "its last record's HMAC does not match the key: the log was rewritten, or the key is another log's".into(),
            ));
        }
        Ok(Some(RecordId {
            seq: checked.seq,
            sha256: record::sha256_hex(&line),
            time: String::new(),
        }))
    }

    /// Names `signer` as the user of every record appended from now on (none: records name no
    /// user).
    pub fn sign_as(&mut self, signer: Option<Signer>) {
        self.signer = signer;
    }

    /// Marks every record appended from now on as at `stage` (none: records have no stage).
    pub fn at_stage(&mut self, stage: Option<Stage>) {
        self.stage = stage;
    }

    /// The log's last record: the one read when it was opened, or the one appended last.
    ///
    /// See [`Appending`].
    #[must_use]
    pub fn last(&self) -> Option<&RecordId> {
        self.last.as_ref()
    }

    /// Appends one record and syncs it to disk before returning: the command, the raw input
    /// strings as typed, and the result (any serialisable report: the parsed values, findings,
    /// verdict and acknowledgement are in it). Returns the record's sequence number and hash.
    ///
    /// # Errors
    /// When the record cannot be written or synced.
    ///
    /// See [`AuditLog`] for an example.
    pub fn append<R: Serialize>(
        &mut self,
        command: &str,
        input: &[(&str, &str)],
        result: &R,
    ) -> Result<RecordId> {
        let id = self.append_unsynced(command, input, result)?;
        self.sync()?;
        Ok(id)
    }

    /// Appends one record without syncing it: nothing may be shown of it until [`AuditLog::sync`]
    /// has returned.
    ///
    /// # Errors
    /// When the record cannot be written.
    pub fn append_unsynced<R: Serialize>(
        &mut self,
        command: &str,
        input: &[(&str, &str)],
        result: &R,
    ) -> Result<RecordId> {
        let seq = self
            .last
            .as_ref()
            .map_or(1, |last| last.seq.saturating_add(1));
        let time = jiff::Timestamp::now().to_string();
        let record = Record {
            seq,
            time: time.clone(),
            celldose_version: env!("CARGO_PKG_VERSION"),
            command,
            by: self.signer.as_ref(),
            stage: self.stage.as_ref().map(stage::StageFields::from),
            input: Input(input),
            result,
            previous_sha256: self.last.as_ref().map_or(GENESIS, |last| &last.sha256),
        };
        let body = serde_json::to_string(&record).map_err(|e| audit_error(&self.path, e))?;
        let (mut bytes, sha256) = record::seal(body, self.key.as_ref())?;
        bytes.push(b'\n');
        self.unsynced = true;
        self.file
            .write_all(&bytes)
            .map_err(|e| audit_error(&self.path, format!("cannot be written: {e}")))?;
        let id = RecordId { seq, sha256, time };
        self.last = Some(id.clone());
        Ok(id)
    }

    /// Syncs every record appended so far to disk (`fdatasync`).
    ///
    /// # Errors
    /// When the disk does not confirm the write.
    pub fn sync(&mut self) -> Result<()> {
        if self.unsynced {
            self.file.sync_data().map_err(|e| {
                audit_error(
                    &self.path,
                    format!("its records could not be synced to disk: {e}"),
                )
            })?;
            self.unsynced = false;
        }
        Ok(())
    }
}

/// The last two lines of `file`, without their line breaks, read backwards from the end in small
/// chunks: at most [`RECORD_MAX_BYTES`] each.
type Tail = (Option<Vec<u8>>, Option<Vec<u8>>);

fn last_two_lines(file: &mut File) -> std::io::Result<Tail> {
    const CHUNK: u64 = 1 << 13;
    let length = file.seek(SeekFrom::End(0))?;
    let window = u64::try_from(RECORD_MAX_BYTES.saturating_mul(2).saturating_add(2))
        .unwrap_or(u64::MAX)
        .min(length);
    let floor = length.saturating_sub(window);
    // Chunks read from the end, last first; enough once three line breaks are in them (the one
    // ending the last line, and the ones before each of the last two), or the window is read.
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let (mut start, mut breaks) = (length, 0usize);
    while start > floor && breaks < 3 {
        let from = start.saturating_sub(CHUNK).max(floor);
        file.seek(SeekFrom::Start(from))?;
        let mut chunk = Vec::new();
        Read::by_ref(file)
            .take(start.saturating_sub(from))
            .read_to_end(&mut chunk)?;
        breaks = breaks.saturating_add(chunk.iter().filter(|b| **b == b'\n').count());
        chunks.push(chunk);
        start = from;
    }
    let tail: Vec<u8> = chunks.into_iter().rev().flatten().collect();
    let body = tail.strip_suffix(b"\n").unwrap_or(&tail);
    if body.is_empty() {
        return Ok((None, None));
    }
    let mut lines = body.rsplit(|byte| *byte == b'\n');
    let last = lines.next().map(<[u8]>::to_vec);
    // A line that starts before what was read is incomplete; it is taken only when the read
    // reached the start of the file.
    let before = lines
        .next()
        .filter(|_| start == 0 || body.iter().filter(|byte| **byte == b'\n').count() >= 2);
    Ok((before.map(<[u8]>::to_vec), last))
}
