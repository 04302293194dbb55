//! Benchmarks of the library's hot path: parsing an order's inputs, computing a dose, checking a
//! delivered count, and loading the built-in protocols; and the cost of durable audit records.
//!
//! Run with `cargo bench -p benches`; `cargo bench -p benches -- --test` runs each once.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::hint::black_box;

use celldose::{
    Catalogue, CellCount, Dose, DoseChoice, DoseRequest, EnteredWeight, Percent, Rounding,
};
use criterion::{Criterion, criterion_group, criterion_main};

fn parsing(c: &mut Criterion) {
    c.bench_function("parse a weight (160lb)", |b| {
        b.iter(|| black_box("160lb").parse::<EnteredWeight>())
    });
    c.bench_function(
        "parse an order's inputs (weight, dose, count, tolerance)",
        |b| {
            b.iter(|| {
                (
                    black_box("72.5kg").parse::<EnteredWeight>(),
                    black_box("1.6x10^7/kg").parse::<Dose>(),
                    black_box("1.2e9").parse::<CellCount>(),
                    black_box("10%").parse::<Percent>(),
                )
            })
        },
    );
}

fn calculation(c: &mut Criterion) {
    let catalogue = Catalogue::builtin().expect("built-in protocols load");
    let protocol = catalogue.find("NCT07276568").expect("built-in protocol");
    let request = DoseRequest::new(
        "72.5kg".parse().unwrap(),
        DoseChoice::Level(1),
        Rounding::HalfAwayFromZero,
    )
    .with_arm("alf");
    let delivered: CellCount = "1.2e9".parse().unwrap();
    let tolerance: Percent = "10%".parse().unwrap();
    c.bench_function("compute a dose (NCT07276568 level 1)", |b| {
        b.iter(|| protocol.calculate(black_box(&request)))
    });
    c.bench_function("check a delivered count (NCT07276568 level 1, 10%)", |b| {
        b.iter(|| protocol.check(black_box(&request), black_box(delivered), Some(tolerance)))
    });
    c.bench_function("load the built-in protocols", |b| {
        b.iter(Catalogue::builtin)
    });
}

/// A log of `rows` rows cycling through doses and checks of every kind of protocol.
pub fn log(rows: usize) -> Vec<u8> {
    const KINDS: [&str; 4] = [
        "NCT07276568,alf,1,,72.5kg,45,,\n",
        "NCT05727722,clf,3,,70kg,52,,\n",
        "NCT06167473,low-dose,,,160lb,60,7.2e7,10%\n",
        "NCT01218464,msc,,0.75e6/kg,60kg,40,4.5e7,5%\n",
    ];
    let mut log = b"protocol,arm,level,dose,weight,age,cells,tolerance\n".to_vec();
    for row in 0..rows {
        log.extend_from_slice(KINDS[row % KINDS.len()].as_bytes());
    }
    log
}

fn batch(c: &mut Criterion) {
    let catalogue = Catalogue::builtin().expect("built-in protocols load");
    let log = log(100_000);
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    group.throughput(criterion::Throughput::Elements(100_000));
    group.bench_function("100,000 rows through the library (JSON lines)", |b| {
        b.iter(|| {
            celldose::batch::run(
                &catalogue,
                black_box(&log[..]),
                std::io::sink(),
                celldose::batch::BatchFormat::Jsonl,
                celldose::human::Notation::Unicode,
                None,
            )
        })
    });
    group.finish();
}

/// 32 audit records, as 32 requests at once would make them: each synced on its own, or all
/// written and then synced once (the page's group commit). The log is on the disk the build is
/// on, where a sync costs what it costs the page.
fn audit(c: &mut Criterion) {
    use celldose::audit::AuditLog;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-audit");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("audit.jsonl");
    let _ = std::fs::remove_file(&path);
    let result =
        serde_json::json!({"protocol": "NCT07276568", "verdict": "within", "cells": "1160000000"});
    let input = [("protocol", "NCT07276568"), ("weight", "72.5kg")];
    let mut group = c.benchmark_group("audit");
    group.sample_size(10);
    group.throughput(criterion::Throughput::Elements(32));
    group.bench_function("32 records, each synced", |b| {
        b.iter(|| {
            let mut log = AuditLog::open(&path).unwrap();
            for _ in 0..32 {
                log.append("dose", &input, &result).unwrap();
            }
        })
    });
    group.bench_function("32 records, one sync (group commit)", |b| {
        b.iter(|| {
            let mut log = AuditLog::open(&path).unwrap();
            for _ in 0..32 {
                log.append_unsynced("dose", &input, &result).unwrap();
            }
            log.sync().unwrap();
        })
    });
    group.finish();
    let _ = std::fs::remove_file(&path);
}

/// The worst escalation inputs accepted: BOIN's count table of 1,000 rows (cohorts of 1) at a
/// four-place target, and a decision and selection with 1,000 patients at one level.
fn escalation(c: &mut Criterion) {
    use celldose_escalation::{Boin, Cohort, Design, Outcomes};
    let boin = Boin::with(
        "0.3333".parse().unwrap(),
        None,
        None,
        1,
        Some(1000),
        Some("0.9999".parse().unwrap()),
        true,
    )
    .unwrap();
    let mut group = c.benchmark_group("escalation");
    group.sample_size(10);
    group.bench_function("BOIN count table, 1,000 rows", |b| {
        b.iter(|| black_box(&boin).boundaries(1000))
    });
    let design = Design::Boin(boin.clone());
    let outcomes = Outcomes::new(vec![Cohort::counted(1, 1000, 333).unwrap()]).unwrap();
    group.bench_function(
        "BOIN decision and selection, 1,000 patients at a level",
        |b| {
            b.iter(|| {
                design.decide(4, black_box(&outcomes)).unwrap();
                design.select(4, black_box(&outcomes)).unwrap()
            })
        },
    );
    group.finish();
}

criterion_group!(benches, parsing, calculation, batch, audit, escalation);
criterion_main!(benches);
