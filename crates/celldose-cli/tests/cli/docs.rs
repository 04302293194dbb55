//! The examples of the README, docs/cli.md and docs/fhir.md, run as written: each `$ celldose …` line in a `console` block must
//! print exactly what the block shows and exit as it says.

#[test]
fn readme_examples_run_as_written() {
    // The examples use paths from the repository root, where a reader runs them. Every other
    // test in this binary uses absolute paths, so changing the directory here is safe.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::env::set_current_dir(&root).unwrap();
    trycmd::TestCases::new()
        .register_bin("celldose", trycmd::cargo::cargo_bin("celldose"))
        .case("README.md")
        .case("docs/cli.md")
        .case("docs/fhir.md");
}
