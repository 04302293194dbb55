//! A site's own protocol library (`validate` on its own, `--no-builtin`, `--protocol-dir` and
//! `CELLDOSE_PROTOCOL_DIR`), and the command line's help, completions and manual page.

use std::path::PathBuf;

use crate::run;

/// A scratch directory holding an amended copy of a built-in protocol file.
fn site(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("celldose-site-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let builtin = format!(
        "{}/../celldose/protocols/nct07276568.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(builtin).unwrap();
    let amended = text.replacen(
        "version = \"registry record last updated 2025-12-11\"",
        "version = \"site amendment 1, 2026-11-30\"",
        1,
    );
    assert_ne!(amended, text);
    std::fs::write(dir.join("b-nct07276568.toml"), amended).unwrap();
    dir
}

fn example(name: &str) -> String {
    format!(
        "{}/../../examples/protocols/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn celldose() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("celldose").unwrap()
}

#[test]
fn an_amended_copy_of_a_builtin_validates_on_its_own_with_a_note() {
    let dir = site("validate");
    let file = dir.join("b-nct07276568.toml").display().to_string();
    let (code, stdout, _) = run(&["validate", &file]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("valid: NCT07276568 (site amendment 1, 2026-11-30)"));
    assert!(stdout.contains(
        "note: its id NCT07276568 is also a built-in protocol's; beside the built-ins it would collide, so use it with --no-builtin"
    ));
    let (code, stdout, _) = run(&["validate", &file, "--format", "json"]);
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        report["files"][0]["note"]
            .as_str()
            .unwrap()
            .contains("--no-builtin")
    );
    // With --no-builtin there is nothing to collide with, and no note.
    let (code, stdout, _) = run(&["--no-builtin", "validate", &file]);
    assert_eq!(code, 0);
    assert!(!stdout.contains("note:"), "{stdout}");
    // Two files with one id still collide.
    let (code, stdout, _) = run(&["--no-builtin", "validate", &file, &file]);
    assert_eq!(code, 2);
    assert!(stdout.contains("is already defined by"), "{stdout}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_site_runs_on_its_own_library_from_a_directory() {
    let dir = site("library");
    std::fs::copy(example("flat-point.toml"), dir.join("a-flat-point.toml")).unwrap();
    std::fs::write(dir.join("notes.txt"), "not a protocol").unwrap();
    let dir_name = dir.display().to_string();
    // From the environment variable, in name order, with no built-in beside them.
    let output = celldose()
        .env("CELLDOSE_PROTOCOL_DIR", &dir_name)
        .args(["--no-builtin", "protocols", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let list: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let ids: Vec<&str> = list["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["DEMO-FLAT-POINT", "NCT07276568"]);
    // The amended version is the one used, and the result names it.
    let (code, stdout, _) = run(&[
        "--protocol-dir",
        &dir_name,
        "--no-builtin",
        "dose",
        "--protocol",
        "NCT07276568",
        "--arm",
        "alf",
        "--level",
        "1",
        "--weight",
        "72.5kg",
    ]);
    assert_eq!(code, 0);
    assert!(stdout.contains("Protocol:         NCT07276568 (site amendment 1, 2026-11-30)"));
    // Beside the built-ins, the same directory is a collision, refused.
    let (code, stdout, stderr) = run(&["--protocol-dir", &dir_name, "protocols"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("is already defined by built-in:NCT07276568"),
        "{stderr}"
    );
    // A directory that cannot be read is refused.
    let (code, _, stderr) = run(&["--protocol-dir", "no-such-dir", "protocols"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("protocol directory no-such-dir: cannot be read"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn every_subcommand_help_ends_with_examples_and_its_exit_codes() {
    for command in [
        "protocols",
        "show",
        "dose",
        "check",
        "prepare",
        "batch",
        "validate",
        "escalation",
        "completions",
        "man",
    ] {
        let (code, stdout, _) = run(&[command, "--help"]);
        assert_eq!(code, 0, "{command}");
        if command == "batch" {
            assert!(stdout.contains("Exit codes:"), "{command}: {stdout}");
            continue;
        }
        assert!(stdout.contains("Examples:"), "{command}: {stdout}");
        assert!(stdout.contains("Exit codes:"), "{command}: {stdout}");
    }
    let (_, stdout, _) = run(&["dose", "--help"]);
    assert!(
        stdout.contains("one of half-away-from-zero (the"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("  celldose dose --protocol NCT07276568 --arm alf --level 1 --weight 72.5kg")
    );
    // Exit code 4 only where it can occur.
    let (_, stdout, _) = run(&["check", "--help"]);
    assert!(!stdout.contains("  4  "), "{stdout}");
}

#[test]
fn completions_and_the_manual_page_are_generated() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, stdout, stderr) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {stderr}");
        assert!(stdout.contains("celldose"), "{shell}");
        assert!(stdout.contains("--protocol"), "{shell}");
        assert!(stdout.len() > 1000, "{shell}: {} bytes", stdout.len());
    }
    let (code, _, stderr) = run(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("invalid value 'tcsh'"), "{stderr}");
    let (code, stdout, _) = run(&["man"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with(".ie"), "{}", &stdout[..40]);
    assert!(stdout.contains(".TH celldose 1"));
    assert!(stdout.contains("dose"));
}

#[test]
fn the_examples_in_dose_check_prepare_and_escalation_help_run_as_written() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for command in ["dose", "check", "prepare", "escalation"] {
        let (_, help, _) = run(&[command, "--help"]);
        let examples = help
            .split("Examples:\n")
            .nth(1)
            .and_then(|rest| rest.split("\n\n").next())
            .unwrap()
            .replace("\\\n", " ");
        let mut ran = 0;
        for example in examples.lines() {
            let words: Vec<&str> = example.split_whitespace().collect();
            assert_eq!(words.first(), Some(&"celldose"), "{example}");
            let output = assert_cmd::Command::cargo_bin("celldose")
                .unwrap()
                .current_dir(&root)
                .args(&words[1..])
                .output()
                .unwrap();
            let code = output.status.code().unwrap();
            assert!(
                [0, 1, 3].contains(&code),
                "{example}: exit {code}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            ran += 1;
        }
        assert!(ran >= 2, "{command}: {examples}");
    }
}
