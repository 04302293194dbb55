//! Fuzz target: `celldose::invariants::trial_state`. A violated invariant is a crash.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(violation) = celldose::invariants::trial_state(data) {
        panic!("{violation}");
    }
});
