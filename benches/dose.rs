//! Benchmarks of the library's hot path: parsing an order's inputs, computing a dose, checking a
//! delivered count, and loading the built-in protocols.
//!
//! Run with `cargo bench -p benches`; `cargo bench -p benches -- --test` runs each once.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use celldose::{
    Catalogue, CellCount, Dose, DoseChoice, DoseRequest, EnteredWeight, Percent, Rounding,
};
use criterion::{criterion_group, criterion_main, Criterion};

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

criterion_group!(benches, parsing, calculation);
criterion_main!(benches);
