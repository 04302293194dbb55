//! Fuzz target: `celldose::invariants::numbers`. A violated invariant is a crash.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(violation) = celldose::invariants::numbers(data) {
        panic!("{violation}");
    }
});
