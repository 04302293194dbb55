//! The README's examples, run as written: each `$ celldose …` line in a `console` block must
//! print exactly what the block shows and exit as it says.

#[test]
fn readme_examples_run_as_written() {
    trycmd::TestCases::new()
        .register_bin("celldose", trycmd::cargo::cargo_bin("celldose"))
        .case("../../README.md");
}
