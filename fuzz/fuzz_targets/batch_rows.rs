//! Fuzz target: `celldose::invariants::batch_rows`. A violated invariant is a crash.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(violation) = celldose::invariants::batch_rows(data) {
        panic!("{violation}");
    }
});
