//! A batch keeps its memory flat: the peak resident memory of a process that runs 100,000 rows
//! and of one that runs 1,000,000 (the lowest of three runs each) differ by less than 10 %, and
//! every run stays under 16 MiB. Run in release
//! by `.ci/run` (`cargo test --release -p celldose --test memory -- --ignored`). Its own test
//! binary, each run in a process of its own; Linux only (it reads the peak from
//! `/proc/self/status`).

// Tests may unwrap, index and count freely: a failure there is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::as_conversions
)]

use celldose::batch::{self, BatchFormat};
use celldose::human::Notation;

/// A log of `rows` rows, made as it is read, so the input itself takes no memory.
struct Log {
    rows: usize,
    at: usize,
    pending: Vec<u8>,
}

impl std::io::Read for Log {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        const ROWS: [&str; 4] = [
            "NCT07276568,alf,1,,72.5kg,45,,\n",
            "NCT05727722,clf,3,,70kg,52,,\n",
            "NCT06167473,low-dose,,,160lb,60,7.2e7,10%\n",
            "NCT01218464,msc,,0.75e6/kg,60kg,40,4.5e7,5%\n",
        ];
        while self.pending.len() < out.len() && self.at <= self.rows {
            if self.at == 0 {
                self.pending
                    .extend_from_slice(b"protocol,arm,level,dose,weight,age,cells,tolerance\n");
            } else {
                self.pending.extend_from_slice(ROWS[self.at % 4].as_bytes());
            }
            self.at += 1;
        }
        let n = self.pending.len().min(out.len());
        out[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn run(rows: usize) -> u64 {
    let catalogue = celldose::Catalogue::builtin().unwrap();
    let log = std::io::BufReader::new(Log {
        rows,
        at: 0,
        pending: Vec::new(),
    });
    let summary = batch::run_with_workers(
        &catalogue,
        log,
        std::io::sink(),
        BatchFormat::Jsonl,
        Notation::Unicode,
        None,
        2,
    )
    .unwrap();
    assert_eq!(summary.rows, rows as u64);
    summary.rows
}

/// One run in a process of its own: the rows come from `CELLDOSE_MEMORY_ROWS`, and the peak is
/// printed for the parent test to read. Does nothing when the variable is not set.
#[test]
#[ignore = "run by the test below, in a process of its own"]
fn one_run_in_its_own_process() {
    let Some(rows) = std::env::var("CELLDOSE_MEMORY_ROWS")
        .ok()
        .and_then(|r| r.parse::<usize>().ok())
    else {
        return;
    };
    run(rows);
    println!("PEAK {}", peak_kib().unwrap());
}

/// The peak of a fresh process that runs `rows` rows.
fn peak_of(rows: usize) -> u64 {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "one_run_in_its_own_process",
            "--ignored",
            "--nocapture",
        ])
        .env("CELLDOSE_MEMORY_ROWS", rows.to_string())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .find_map(|line| line.strip_prefix("PEAK "))
        .and_then(|kib| kib.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak reported: {stdout}"))
}

#[test]
#[ignore = "a million rows take over a minute in a debug build: .ci/run runs it in release"]
fn peak_memory_is_the_same_for_100_000_rows_and_for_1_000_000() {
    if peak_kib().is_none() {
        eprintln!("no /proc/self/status here: the peak cannot be read");
        return;
    }
    // A process's peak varies from run to run by a few hundred KiB (which pages the allocator's
    // per-thread arenas happen to touch), as much as the 10 % margin itself. Each size is run
    // three times and the lowest peaks are compared: growth with the rows would raise every run,
    // noise only some. The highest peak of all is held to the 16 MiB bound.
    let runs_100k: Vec<u64> = (0..3).map(|_| peak_of(100_000)).collect();
    let runs_1m: Vec<u64> = (0..3).map(|_| peak_of(1_000_000)).collect();
    eprintln!(
        "peak resident memory: {runs_100k:?} KiB for 100,000 rows, {runs_1m:?} KiB for 1,000,000"
    );
    let after_100k = *runs_100k.iter().min().unwrap();
    let after_1m = *runs_1m.iter().min().unwrap();
    assert!(
        after_1m * 10 <= after_100k * 11,
        "the lowest peak grew from {after_100k} KiB to {after_1m} KiB, more than 10 %"
    );
    let highest = *runs_100k.iter().chain(&runs_1m).max().unwrap();
    assert!(
        highest <= 16 * 1024,
        "the peak is {highest} KiB, above 16 MiB"
    );
}
