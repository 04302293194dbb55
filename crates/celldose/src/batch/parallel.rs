//! Rows computed on several threads: read in blocks, computed in parallel, written back in input
//! order, with a bounded number of blocks in flight.

use std::io::{BufRead, Write};

use crate::error::{Error, Result};
use crate::lines::{BoundedLines, LineEnd};
use crate::regimen::Catalogue;

use super::records::{Encoder, Sink};
use super::rows::{Columns, Products, Row, input_error, row_outcome};
use super::summary::Summary;

/// The most rows in a block handed to a worker.
pub(super) const BLOCK_ROWS: usize = 128;
/// Room for a block's records: about 1 KiB a record, twice over.
pub(super) const RECORDS_CAPACITY: usize = BLOCK_ROWS * 2048;
/// A block is handed over once its rows reach this many bytes.
pub(super) const BLOCK_BYTES: usize = 1 << 16;

/// Rows read but not yet computed, as one block: the lines end to end, and where each ends.
pub(super) struct Block {
    pub(super) index: u64,
    pub(super) first_row: u64,
    pub(super) bytes: Vec<u8>,
    pub(super) lines: Vec<(usize, LineEnd)>,
}

/// A block computed: its records as bytes (or why they could not be encoded), and its counts.
pub(super) struct Done {
    pub(super) index: u64,
    pub(super) records: Result<Vec<u8>>,
    pub(super) summary: Summary,
}

/// The rows after the header, computed on `workers` threads and written in input order. The
/// calling thread reads blocks of rows and writes finished blocks; at most a few blocks per worker
/// are read ahead, so memory does not grow with the log.
pub(super) fn in_parallel<R: BufRead, W: Write>(
    catalogue: &Catalogue,
    columns: &Columns,
    lines: &mut BoundedLines<R>,
    sink: &mut Sink<W>,
    workers: usize,
) -> Result<Summary> {
    use std::sync::{Mutex, mpsc};
    let (format, notation) = (sink.encoder.format, sink.encoder.notation);
    let in_flight = u64::try_from(workers.saturating_mul(2)).unwrap_or(u64::MAX);
    let (work, to_work) = mpsc::channel::<Block>();
    let to_work = Mutex::new(to_work);
    let (done, finished) = mpsc::channel::<Done>();
    // Buffers passed round: written record buffers back to the workers, read blocks back to the
    // reader, so that after the first blocks nothing more is allocated for them.
    let (spare_records, to_reuse) = mpsc::channel::<Vec<u8>>();
    let to_reuse = Mutex::new(to_reuse);
    let (spare_blocks, blocks_back) = mpsc::channel::<Block>();
    std::thread::scope(|scope| {
        // Owned here, so that however this returns, the workers see the end of their work.
        let (work, done, finished) = (work, done, finished);
        for _ in 0..workers {
            let (done, to_work, to_reuse, spare_blocks) =
                (done.clone(), &to_work, &to_reuse, spare_blocks.clone());
            scope.spawn(move || {
                let mut splitter = csv_core::ReaderBuilder::new()
                    .terminator(csv_core::Terminator::Any(b'\n'))
                    .build();
                let mut record = Row::default();
                let mut products = Products::default();
                let mut encoder = Encoder::new(format, notation);
                loop {
                    let next = match to_work.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    let Ok(block) = next else { return };
                    let mut summary = Summary::default();
                    let mut encoded = Ok(());
                    let mut start = 0;
                    for (end_at, end) in &block.lines {
                        let line = block.bytes.get(start..*end_at).unwrap_or_default();
                        start = *end_at;
                        summary.rows = summary.rows.saturating_add(1);
                        let (outcome, _) = row_outcome(
                            *end,
                            line,
                            &mut splitter,
                            &mut record,
                            catalogue,
                            columns,
                            &mut products,
                        );
                        summary.count(&outcome);
                        let row = block
                            .first_row
                            .saturating_add(summary.rows)
                            .saturating_sub(1);
                        encoded = encoder.encode(row, &outcome);
                        if encoded.is_err() {
                            break;
                        }
                    }
                    // Sized for a block's records at once, so that a buffer does not grow (and
                    // leave its old pages behind) as it passes round.
                    let spare = to_reuse
                        .lock()
                        .ok()
                        .and_then(|spares| spares.try_recv().ok())
                        .unwrap_or_else(|| Vec::with_capacity(RECORDS_CAPACITY));
                    let records = encoded.and_then(|()| encoder.take_into(spare));
                    let finished = Done {
                        index: block.index,
                        records,
                        summary,
                    };
                    if done.send(finished).is_err() {
                        return;
                    }
                    // The block goes back to be read into again; a reader gone needs none.
                    let _ = spare_blocks.send(block);
                }
            });
        }
        drop(done);

        let mut summary = Summary::default();
        let mut waiting: std::collections::BTreeMap<u64, Done> = std::collections::BTreeMap::new();
        let (mut sent, mut written, mut rows) = (0u64, 0u64, 0u64);
        let mut stopped: Option<Error> = None;
        let mut line = Vec::new();
        drop(spare_blocks);
        loop {
            let mut block = blocks_back.try_recv().unwrap_or_else(|_| Block {
                index: 0,
                first_row: 0,
                bytes: Vec::new(),
                lines: Vec::new(),
            });
            block.index = sent;
            block.first_row = rows.saturating_add(1);
            block.bytes.clear();
            block.lines.clear();
            let mut ended = false;
            while block.lines.len() < BLOCK_ROWS && block.bytes.len() < BLOCK_BYTES {
                match lines.read(&mut line) {
                    Ok(Some(end)) => {
                        block.bytes.extend_from_slice(&line);
                        block.lines.push((block.bytes.len(), end));
                        rows = rows.saturating_add(1);
                    }
                    Ok(None) => {
                        ended = true;
                        break;
                    }
                    Err(error) => {
                        stopped = Some(input_error(error.to_string()));
                        ended = true;
                        break;
                    }
                }
            }
            if !block.lines.is_empty() {
                if work.send(block).is_err() {
                    break;
                }
                sent = sent.saturating_add(1);
            }
            // Write what is finished, in order; wait while too many blocks are out, and at the
            // end until every block is back.
            while sent.saturating_sub(written) >= in_flight || (ended && written < sent) {
                let Ok(finished) = finished.recv() else {
                    return Err(Error::Request(
                        "the batch stopped: a worker ended before its rows were written".into(),
                    ));
                };
                waiting.insert(finished.index, finished);
                while let Some(next) = waiting.remove(&written) {
                    summary.add(next.summary);
                    let records = next.records?;
                    sink.write_encoded(&records)?;
                    // A worker gone needs no buffer back.
                    let _ = spare_records.send(records);
                    written = written.saturating_add(1);
                }
            }
            if ended {
                break;
            }
        }
        drop(work);
        match stopped {
            Some(error) => Err(error),
            None => Ok(summary),
        }
    })
}
