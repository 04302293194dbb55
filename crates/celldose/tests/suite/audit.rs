//! The audit log: one line per calculation, a chain that finds any change at the right line,
//! and concurrent writers that never break it.

use std::path::PathBuf;

use celldose::audit::{self, AuditLog};
use celldose::batch::{self, BatchFormat};
use celldose::human::Notation;
use celldose::report::DoseReport;

use crate::{calc, catalogue};

fn scratch(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "celldose-audit-{name}-{}.jsonl",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    path
}

fn verify(bytes: &[u8]) -> Result<u64, String> {
    audit::verify(bytes).map_err(|e| e.to_string())
}

/// A log of three dose records.
fn three(name: &str) -> Vec<u8> {
    let path = scratch(name);
    let mut log = AuditLog::open(&path).unwrap();
    for weight in ["72.5kg", "160lb", "50kg"] {
        let c = calc("NCT07276568", Some("alf"), "level 1", weight, None);
        log.append(
            "dose",
            &[("protocol", "NCT07276568"), ("weight", weight)],
            &DoseReport::new(&c, Notation::Unicode),
        )
        .unwrap();
    }
    drop(log);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    bytes
}

fn line_of(bytes: &[u8], index: usize) -> usize {
    bytes[..index].iter().filter(|b| **b == b'\n').count() + 1
}

#[test]
fn one_line_per_calculation_and_the_chain_verifies() {
    let bytes = three("three");
    assert_eq!(bytes.iter().filter(|b| **b == b'\n').count(), 3);
    assert_eq!(verify(&bytes), Ok(3));
    let first: serde_json::Value =
        serde_json::from_slice(bytes.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(first["seq"], 1);
    assert_eq!(first["previous_sha256"], audit::GENESIS);
    assert_eq!(first["input"]["weight"], "72.5kg");
    assert_eq!(first["result"]["cells"], "1160000000");
    assert_eq!(
        first["result"]["protocol_sha256"],
        catalogue().find("NCT07276568").unwrap().sha256()
    );
    assert!(first["time"].as_str().unwrap().ends_with('Z'), "UTC");
    assert_eq!(first["celldose_version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn changing_any_byte_is_found_at_its_line() {
    let bytes = three("bytes");
    for index in 0..bytes.len() {
        let mut changed = bytes.clone();
        changed[index] ^= 0x01;
        let error = verify(&changed).expect_err(&format!("byte {index} changed unnoticed"));
        let line = line_of(&bytes, index);
        assert!(
            error.starts_with(&format!("line {line}: ")),
            "byte {index} (line {line}): {error}"
        );
    }
}

#[test]
fn removing_or_swapping_lines_is_found_at_the_right_line() {
    let bytes = three("lines");
    let lines: Vec<&[u8]> = bytes.split_inclusive(|b| *b == b'\n').collect();
    let join = |order: &[usize]| {
        order
            .iter()
            .flat_map(|i| lines[*i].to_vec())
            .collect::<Vec<u8>>()
    };
    for (order, line, words) in [
        (
            vec![1, 2],
            1,
            "its sequence number is 2 where 1 was expected",
        ),
        (
            vec![0, 2],
            2,
            "its sequence number is 3 where 2 was expected",
        ),
        (
            vec![1, 0, 2],
            1,
            "its sequence number is 2 where 1 was expected",
        ),
        (
            vec![0, 2, 1],
            2,
            "its sequence number is 3 where 2 was expected",
        ),
        (
            vec![0, 1, 1, 2],
            3,
            "its sequence number is 2 where 3 was expected",
        ),
    ] {
        let error = verify(&join(&order)).unwrap_err();
        assert!(
            error.starts_with(&format!("line {line}: {words}")),
            "{order:?}: {error}"
        );
    }
    // The last line's removal leaves a shorter chain that is still whole; only a copy of the
    // count kept elsewhere can show it. Everything before the end is covered.
    assert_eq!(verify(&join(&[0, 1])), Ok(2));
}

#[test]
fn concurrent_writers_in_threads_keep_every_record_and_the_chain() {
    let path = scratch("threads");
    let threads: Vec<_> = (0..4)
        .map(|writer| {
            let path = path.clone();
            std::thread::spawn(move || {
                for n in 0..25 {
                    let mut log = AuditLog::open(&path).unwrap();
                    let tag = format!("{writer}-{n}");
                    log.append(
                        "test",
                        &[("writer", tag.as_str())],
                        &serde_json::json!({ "n": n }),
                    )
                    .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(verify(&bytes), Ok(100));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_batch_appends_one_record_per_row() {
    let path = scratch("batch");
    let mut log = AuditLog::open(&path).unwrap();
    let input = b"protocol,arm,level,weight\nNCT07276568,alf,1,72.5kg\n\nNCT07276568,alf,1,72.5\n";
    let summary = batch::run(
        &catalogue(),
        &input[..],
        std::io::sink(),
        BatchFormat::Jsonl,
        Notation::Ascii,
        Some(&mut log),
    )
    .unwrap();
    drop(log);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(verify(&bytes), Ok(summary.rows));
    assert_eq!(summary.rows, 3);
    let third: serde_json::Value =
        serde_json::from_slice(bytes.split(|b| *b == b'\n').nth(2).unwrap()).unwrap();
    assert_eq!(third["input"]["weight"], "72.5");
    assert!(
        third["result"]["error"]
            .as_str()
            .unwrap()
            .starts_with("weight: body weight \"72.5\" has no unit")
    );
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn records_name_their_user_how_they_are_known_and_still_chain() {
    use celldose::audit::Signer;
    let path = scratch("signed");
    let mut log = AuditLog::open(&path).unwrap();
    log.append("dose", &[], &serde_json::json!({"n": 1}))
        .unwrap();
    log.sign_as(Some(Signer::claimed("bob").unwrap()));
    log.append("dose", &[], &serde_json::json!({"n": 2}))
        .unwrap();
    log.sign_as(Some(Signer::signed_in("alice", "pharmacist").unwrap()));
    log.append("check", &[], &serde_json::json!({"n": 3}))
        .unwrap();
    drop(log);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(verify(&bytes), Ok(3));
    let lines: Vec<serde_json::Value> = String::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines[0].get("user").is_none());
    assert_eq!(lines[1]["user"], "bob");
    assert_eq!(lines[1]["identified"], "claimed");
    assert!(lines[1].get("role").is_none());
    assert_eq!(lines[2]["user"], "alice");
    assert_eq!(lines[2]["role"], "pharmacist");
    assert_eq!(lines[2]["identified"], "signed-in");
    // A name that could forge a field or a terminal line is not a user's.
    for bad in ["alice\",\"role\":\"pharmacist", "a\u{1b}[2K", "", "a b"] {
        assert!(Signer::claimed(bad).is_err(), "{bad:?}");
    }
    std::fs::remove_file(&path).ok();
}
