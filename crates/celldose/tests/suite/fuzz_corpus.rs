//! Replays the committed fuzz corpus and every crash ever found, through the same invariant
//! checks the fuzz targets run, so an ordinary `cargo test` exercises them without a fuzzer.

use celldose::invariants;

type Check = fn(&[u8]) -> Result<(), String>;

fn replay(folder: &str, check: Check) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz")
        .join(folder);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut count = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        if let Err(violation) = check(&data) {
            panic!("{}: {violation}", path.display());
        }
        count += 1;
    }
    count
}

#[test]
fn the_fuzz_corpus_replays() {
    let targets: [(&str, Check); 6] = [
        ("numbers", invariants::numbers),
        ("protocol_file", invariants::protocol_file),
        ("request", invariants::request),
        ("trial_state", invariants::trial_state),
        ("batch_rows", invariants::batch_rows),
        ("product_file", invariants::product_file),
    ];
    for (target, check) in targets {
        let inputs = replay(&format!("corpus/{target}"), check);
        assert!(inputs > 0, "the {target} corpus is missing");
        replay(&format!("regressions/{target}"), check);
    }
}
