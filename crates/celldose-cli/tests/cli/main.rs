//! End-to-end tests of the built `celldose` binary, and the README's examples run as written.

// Tests may unwrap, index and count freely: a failure there is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::as_conversions
)]

mod ascii;
mod audit;
mod batch;
mod commands;
mod custody;
mod docs;
mod escalation;
mod fhir;
mod hostile;
mod prepare;
mod products;
mod protocol_files;
mod record;
mod rejections;
mod site;
mod users;
mod verify;
mod web;

use assert_cmd::Command;

/// Runs `celldose` with `args`; returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let output = Command::cargo_bin("celldose")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Runs `celldose` with `--format json` appended; returns (exit code, parsed stdout).
pub fn run_json(args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let (code, stdout, stderr) = run(&all);
    let value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {stdout} {stderr}"));
    (code, value)
}
