//! The page's audit writer: one thread that appends every record and syncs it to disk before its
//! request is answered, off the server's async threads.
//!
//! Records that arrive while a sync is under way wait for the next one, and are then written
//! together and made durable by a single `fdatasync` (a group commit): many requests at once cost
//! about one sync, not one each. The lock is taken for each group and given up after it, so other
//! processes can append in between; another process holding it for longer than
//! [`LOCK_WAIT`] makes the group's requests fail with 503, never hangs the page. Before each group
//! the writer checks that the log's last record is still the one it last wrote: a log replaced,
//! truncated or deleted under a running page refuses further records instead of starting a chain
//! anew.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use celldose::audit::{Appending, AuditKey, AuditLog, RecordId};
use serde_json::value::RawValue;
use tokio::sync::oneshot;

/// The longest the writer waits for another process's lock on the log.
pub const LOCK_WAIT: Duration = Duration::from_secs(5);
/// The longest a request waits for its record: the lock wait, and time to write and sync.
const ANSWER_WAIT: Duration = Duration::from_secs(15);
/// The most records written with one sync.
const GROUP_MAX: usize = 1024;

/// One record to append, and where to say how it went.
struct Job {
    command: &'static str,
    by: Option<celldose::audit::Signer>,
    stage: Option<celldose::audit::Stage>,
    input: Vec<(String, String)>,
    result: Box<RawValue>,
    done: oneshot::Sender<Result<RecordId, String>>,
}

/// The handle requests send their records through.
#[derive(Debug, Clone)]
pub(crate) struct Recorder {
    jobs: mpsc::Sender<Job>,
    path: PathBuf,
    key: Option<AuditKey>,
}

impl core::fmt::Debug for Job {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Job")
            .field("command", &self.command)
            .finish()
    }
}

impl Recorder {
    /// Starts the writer for the log at `path`, continuing after `last` (the log's last record
    /// when the page started, if it had one), signing with `key`.
    pub(crate) fn start(path: PathBuf, key: Option<AuditKey>, last: Option<RecordId>) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let writer_path = path.clone();
        let reader_key = key.clone();
        // The thread ends when the last handle is dropped, with the site. Were it not to start,
        // its queue would be dropped with it and every record refused as "the writer has stopped".
        let _ = std::thread::Builder::new()
            .name("celldose-audit".into())
            .spawn(move || write_groups(&writer_path, key, last, &queue));
        Self {
            jobs,
            path,
            key: reader_key,
        }
    }

    /// The key its records are signed with, which records read back must carry.
    pub(crate) fn key(&self) -> Option<&AuditKey> {
        self.key.as_ref()
    }

    /// The log's path, as shown in messages.
    pub(crate) fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Appends one record and waits, without holding a server thread, until it is on disk.
    ///
    /// # Errors
    /// Why the record could not be made durable, in words.
    pub(crate) async fn record(
        &self,
        command: &'static str,
        by: Option<celldose::audit::Signer>,
        stage: Option<celldose::audit::Stage>,
        input: Vec<(String, String)>,
        result: Box<RawValue>,
    ) -> Result<RecordId, String> {
        let (done, answer) = oneshot::channel();
        let job = Job {
            command,
            by,
            stage,
            input,
            result,
            done,
        };
        let stopped = || {
            format!(
                "audit log {}: the writer has stopped; nothing was recorded",
                celldose::text::inert(&self.path.display().to_string())
            )
        };
        self.jobs.send(job).map_err(|_| stopped())?;
        match tokio::time::timeout(ANSWER_WAIT, answer).await {
            Ok(Ok(done)) => done,
            Ok(Err(_)) => Err(stopped()),
            Err(_) => Err(format!(
                "audit log {}: the record was not confirmed on disk within {} s; it may yet be written, but no result is shown",
                celldose::text::inert(&self.path.display().to_string()),
                ANSWER_WAIT.as_secs()
            )),
        }
    }
}

/// The writer's loop: each group is every job waiting when the last group was done.
fn write_groups(
    path: &std::path::Path,
    key: Option<AuditKey>,
    mut last: Option<RecordId>,
    queue: &mpsc::Receiver<Job>,
) {
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        while group.len() < GROUP_MAX {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let how = Appending::default()
            .wait_at_most(LOCK_WAIT)
            .key(key.clone())
            .after(last.clone());
        let (written, now_last) = commit(path, &how, &group);
        if now_last.is_some() {
            last = now_last;
        }
        match written {
            Ok(ids) => {
                for (job, id) in group.into_iter().zip(ids) {
                    let _ = job.done.send(Ok(id));
                }
            }
            Err(reason) => {
                for job in group {
                    let _ = job.done.send(Err(reason.clone()));
                }
            }
        }
    }
}

/// Appends `group` and syncs it once. Returns each record's id (or why none can be trusted), and
/// the log's last record afterwards where it was opened.
fn commit(
    path: &std::path::Path,
    how: &Appending,
    group: &[Job],
) -> (Result<Vec<RecordId>, String>, Option<RecordId>) {
    let mut log = match AuditLog::open_with(path, how) {
        Ok(log) => log,
        Err(error) => return (Err(error.to_string()), None),
    };
    let mut ids = Vec::with_capacity(group.len());
    for job in group {
        let input: Vec<(&str, &str)> = job
            .input
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        log.sign_as(job.by.clone());
        log.at_stage(job.stage.clone());
        match log.append_unsynced(job.command, &input, &job.result) {
            Ok(id) => ids.push(id),
            Err(error) => return (Err(error.to_string()), log.last().cloned()),
        }
    }
    let synced = log.sync().map(|()| ids).map_err(|e| e.to_string());
    (synced, log.last().cloned())
}
