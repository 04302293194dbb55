//! Fuzz target: `celldose::invariants::request`. A violated invariant is a crash.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(violation) = celldose::invariants::request(data) {
        panic!("{violation}");
    }
});
