//! Every escalation input celldose accepts is answered in under 100 ms: the worst accepted cases
//! (a count table of 1,000 rows, a thousand patients at one level, rates with the most decimal
//! places accepted) each timed, the fastest of three runs. Run in release by `.ci/run`
//! (`cargo test --release -p celldose-escalation --test cost -- --ignored`); the medians are in
//! benches/README.md (`cargo bench -p benches -- escalation`).

// Tests may unwrap, index and count freely: a failure there is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::time::{Duration, Instant};

use celldose_escalation::{Boin, Cohort, Design, Outcomes};

/// The fastest of three runs of `work`.
fn fastest(work: impl Fn()) -> Duration {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .min()
        .unwrap()
}

/// The worst cases accepted: each target with the most places, the extremes of the range, cohorts
/// of 1 up to 1,000 treated.
fn designs() -> Vec<Boin> {
    ["0.05", "0.0501", "0.3", "0.3333", "0.5999", "0.6"]
        .into_iter()
        .map(|target| {
            Boin::with(
                target.parse().unwrap(),
                None,
                None,
                1,
                Some(1000),
                Some("0.9999".parse().unwrap()),
                true,
            )
            .unwrap()
        })
        .collect()
}

#[test]
#[ignore = "timed: run in release by .ci/run"]
fn every_accepted_escalation_input_is_answered_in_under_100_ms() {
    let bound = Duration::from_millis(100);
    for boin in designs() {
        let table = fastest(|| {
            assert_eq!(boin.boundaries(1000).len(), 1000);
        });
        assert!(
            table < bound,
            "target {}: table of 1,000 rows in {table:?}",
            boin.target()
        );
        // A thousand patients at one level, with DLTs at the elimination edge and around it.
        for dlt in [0, 100, 300, 600, 1000] {
            let outcomes = Outcomes::new(vec![Cohort::counted(1, 1000, dlt).unwrap()]).unwrap();
            let design = Design::Boin(boin.clone());
            let decided = fastest(|| {
                design.decide(4, &outcomes).unwrap();
                design.select(4, &outcomes).unwrap();
            });
            assert!(
                decided < bound,
                "target {}: {dlt} DLT in 1,000 decided and selected in {decided:?}",
                boin.target()
            );
        }
    }
}
