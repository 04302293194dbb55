//! Fuzz target: `celldose::invariants::product_file`. A violated invariant is a crash.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(violation) = celldose::invariants::product_file(data) {
        panic!("{violation}");
    }
});
