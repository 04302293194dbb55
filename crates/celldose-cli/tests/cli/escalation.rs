//! `celldose escalation`: decisions from flags and from a trial state file, BOIN's count table,
//! and the refusals.

use crate::run;

fn example(path: &str) -> String {
    format!("{}/../../examples/{path}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_boin_count_table_prints_as_protocols_print_it() {
    let (code, stdout, stderr) = run(&[
        "escalation",
        "boundaries",
        "--design",
        "boin",
        "--target",
        "0.3",
        "--cohort-size",
        "3",
        "--max-n",
        "30",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "BOIN, target DLT rate 0.3 (φ1 0.18, φ2 0.42), cohorts of 3: λe = 0.2365, λd = 0.3585\n\
         Number of patients treated       3  6  9 12 15 18 21 24 27 30\n\
         Escalate if # of DLT <=          0  1  2  2  3  4  4  5  6  7\n\
         De-escalate if # of DLT >=       2  3  4  5  6  7  8  9 10 11\n\
         Eliminate if # of DLT >=         3  4  5  7  8  9 10 11 12 14\n\
         NA: no count up to that number treated. Counts compared exactly; see docs/escalation.md.\n"
    );
    let (code, stdout, _) = run(&[
        "escalation",
        "boundaries",
        "--design",
        "boin",
        "--target",
        "0.3",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["lambda_e"], "0.2365");
    assert_eq!(json["eliminate_at_least"][3], 7);
    assert_eq!(json["n"].as_array().unwrap().len(), 10);
}

#[test]
fn a_quick_look_decides_from_the_flags() {
    let (code, stdout, stderr) = run(&[
        "escalation",
        "--design",
        "3+3",
        "--levels",
        "4",
        "--outcomes",
        "1NNN 2NTN 2NNT",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["decision"], "stop");
    assert_eq!(json["next_level"], serde_json::Value::Null);
    assert_eq!(json["recommended_level"], 1);
    assert_eq!(json["eliminated_levels"], serde_json::json!([2, 3, 4]));
    let (code, stdout, _) = run(&[
        "escalation",
        "--design",
        "boin",
        "--target",
        "0.3",
        "--levels",
        "4",
        "--outcomes",
        "1NNN 2NTT",
    ]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("DE-ESCALATE: treat the next cohort at level 1"),
        "{stdout}"
    );
    let (_, stdout, _) = run(&[
        "escalation",
        "--design",
        "boin",
        "--target",
        "0.3",
        "--levels",
        "4",
        "--outcomes",
        "1NNN 2NTN 2NNN 3TNT 3TNN 4NTN",
        "--final",
    ]);
    assert!(stdout.contains("Recommended:     level 2"), "{stdout}");
}

#[test]
fn the_trial_state_file_gives_the_outcomes_and_is_never_written() {
    let state = example("trial-state-with-outcomes.toml");
    let before = std::fs::read(&state).unwrap();
    let (code, stdout, stderr) = run(&[
        "--trial-state",
        &state,
        "escalation",
        "--protocol",
        "NCT05227846",
        "--design",
        "3+3",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("Outcomes:        1NNN 2NTN 2NNN"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ESCALATE: treat the next cohort at level 3, 150,000,000 cells"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("Trial state:     level 3 is NOT opened yet (the highest opened is level 2)"),
        "{stdout}"
    );
    let (_, stdout, _) = run(&[
        "--trial-state",
        &state,
        "escalation",
        "--protocol",
        "NCT05227846",
        "--design",
        "3+3",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["next_level_opened"], false);
    assert_eq!(json["decision"], "escalate");
    assert_eq!(std::fs::read(&state).unwrap(), before);
}

#[test]
fn escalation_refuses_what_it_cannot_decide() {
    for (args, words) in [
        (
            vec!["escalation", "--protocol", "NCT05227846", "--design", "3+3"],
            "give --trial-state FILE",
        ),
        (
            vec![
                "escalation",
                "--design",
                "boin",
                "--levels",
                "4",
                "--outcomes",
                "1NNN",
            ],
            "needs --target",
        ),
        (
            vec![
                "escalation",
                "--design",
                "4+4",
                "--levels",
                "4",
                "--outcomes",
                "1NNN",
            ],
            "accepted: 3+3 or boin",
        ),
        (
            vec![
                "escalation",
                "--design",
                "3+3",
                "--levels",
                "2",
                "--outcomes",
                "1NNN 3NNN",
            ],
            "the ladder has 2 levels",
        ),
        (
            vec![
                "escalation",
                "--design",
                "3+3",
                "--levels",
                "4",
                "--outcomes",
                "1NXN",
            ],
            "cohort outcomes",
        ),
        (
            vec![
                "escalation",
                "boundaries",
                "--design",
                "boin",
                "--target",
                "0.9",
            ],
            "0.05 to 0.6",
        ),
        (
            vec![
                "escalation",
                "--design",
                "3+3",
                "--levels",
                "4",
                "--outcomes",
                "1NNN 2TNN 2NNNN",
            ],
            "at most 6 patients",
        ),
        (
            vec![
                "escalation",
                "--design",
                "boin",
                "--target",
                "0.3",
                "--variant",
                "deescalate",
                "--levels",
                "4",
                "--outcomes",
                "1NNN",
            ],
            "--variant applies to --design 3+3",
        ),
    ] {
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, 2, "{args:?}: {stdout}");
        assert!(stdout.is_empty());
        assert!(stderr.contains(words), "{args:?}: {stderr}");
    }
    let (code, _, stderr) = run(&[
        "--trial-state",
        &example("trial-state-with-outcomes.toml"),
        "escalation",
        "--protocol",
        "NCT05227846",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("names no escalation design"), "{stderr}");
}
