//! `celldose verify`: the independent double check of a recorded check or preparation, from the
//! command line.

use crate::run;

fn log(name: &str) -> String {
    let path = std::env::temp_dir().join(format!(
        "celldose-verify-{name}-{}.jsonl",
        std::process::id()
    ));
    std::fs::remove_file(&path).ok();
    path.to_str().unwrap().to_owned()
}

fn records(path: &str) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The options of a check, with `weight` and the log.
fn check<'a>(weight: &'a str, log: &'a str) -> Vec<&'a str> {
    vec![
        "--protocol",
        "NCT07276568",
        "--arm",
        "alf",
        "--level",
        "1",
        "--weight",
        weight,
        "--cells",
        "1.2e9",
        "--tolerance",
        "10%",
        "--audit-log",
        log,
    ]
}

fn with<'a>(first: &[&'a str], rest: &[&'a str]) -> Vec<&'a str> {
    first.iter().chain(rest).copied().collect()
}

#[test]
fn a_second_user_verifies_a_check_with_the_same_figures() {
    let log = log("agree");
    let (code, stdout, _) = run(&with(&["--user", "alice", "check"], &check("72.5kg", &log)));
    assert_eq!(code, 0);
    assert!(stdout.contains("NOT YET INDEPENDENTLY CHECKED: another pharmacist verifies it with celldose verify --record 1"), "{stdout}");
    // Bob types the weight as the chart gives it, in grams: the same weight.
    let (code, stdout, stderr) = run(&with(
        &["--user", "bob", "verify", "--record", "1"],
        &check("72500g", &log),
    ));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("VERIFIED: the independent double check agrees with record 1\n"),
        "{stdout}"
    );
    assert!(stdout.contains("  Prepared by:      alice (claimed) at "));
    assert!(stdout.contains("  Checked by:       bob (claimed) at "));
    assert!(stdout.contains("record 2 (independent double check: agrees)"));
    let records = records(&log);
    assert_eq!(records[0]["stage"], "prepared");
    assert_eq!(records[0]["user"], "alice");
    let verified = &records[1];
    assert_eq!(verified["command"], "verify");
    assert_eq!(verified["stage"], "verified");
    assert_eq!(verified["user"], "bob");
    assert_eq!(verified["verifies"]["seq"], 1);
    assert_eq!(verified["verifies"]["user"], "alice");
    assert_eq!(
        verified["verifies"]["sha256"],
        records[0]["sha256"]
            .as_str()
            .map(|_| {
                // The SHA-256 a record names is of its whole line.
                use sha2::Digest;
                let line = std::fs::read_to_string(&log)
                    .unwrap()
                    .lines()
                    .next()
                    .unwrap()
                    .to_owned();
                sha2::Sha256::digest(line.as_bytes())
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            })
            .unwrap()
    );
    assert_eq!(verified["input"]["record"], "1");
    assert_eq!(verified["result"]["agrees"], true);
    assert_eq!(verified["result"]["verdict"], "within");
    std::fs::remove_file(&log).ok();
}

#[test]
fn another_weight_is_a_mismatch_and_the_same_user_is_refused() {
    let log = log("mismatch");
    assert_eq!(
        run(&with(&["--user", "alice", "check"], &check("72.5kg", &log))).0,
        0
    );
    let (code, stdout, _) = run(&with(
        &[
            "--user", "bob", "verify", "--record", "1", "--format", "json",
        ],
        &check("70kg", &log),
    ));
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["stage"], "verification-failed");
    assert_eq!(report["recorded"]["seq"], 2);
    assert_eq!(report["recorded"]["user"], "bob");
    assert_eq!(report["recorded"]["stage"], "verification-failed");
    assert_eq!(report["recorded"]["verifies"]["seq"], 1);
    assert_eq!(report["agrees"], false);
    assert_eq!(report["verdict"], "outside");
    assert_eq!(report["findings"][0]["severity"], "hard");
    assert_eq!(report["findings"][0]["code"], "double-check-mismatch");
    // The weight read from the chart comes first, with both values.
    assert_eq!(report["differences"][0]["field"], "weight_kg");
    assert_eq!(report["differences"][0]["prepared"], "72.5");
    assert_eq!(report["differences"][0]["verified"], "70");
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("the double check does not agree with record 1 (prepared by alice): weight_kg: prepared 72.5, verified 70; "), "{message}");
    // In text, the banner and each field.
    let (code, text, _) = run(&with(
        &["--user", "bob", "verify", "--record", "1"],
        &check("70kg", &log),
    ));
    assert_eq!(code, 1);
    assert!(text.starts_with("DOUBLE-CHECK MISMATCH: nothing is released (hard double-check-mismatch)\n  weight_kg: prepared 72.5, verified 70\n"), "{text}");
    // Alice cannot verify her own check; a verification is not itself verified.
    let (code, stdout, stderr) = run(&with(
        &["--user", "alice", "verify", "--record", "1"],
        &check("72.5kg", &log),
    ));
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(stderr.contains("\"alice\" prepared record 1, so cannot verify it: an independent double check is made by another pharmacist"), "{stderr}");
    let (code, _, stderr) = run(&with(
        &["--user", "carol", "verify", "--record", "2"],
        &check("72.5kg", &log),
    ));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("record 2 is not a preparation to verify (it records \"verify\")"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&with(
        &["--user", "carol", "verify", "--record", "9"],
        &check("72.5kg", &log),
    ));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("record 9 is not in the audit log; its records are numbered 1 to 5"),
        "{stderr}"
    );
    let stages: Vec<String> = records(&log)
        .iter()
        .map(|r| r["stage"].as_str().unwrap_or_default().to_owned())
        .collect();
    // Every attempt is recorded, the refused ones as refusals.
    assert_eq!(
        stages,
        [
            "prepared",
            "verification-failed",
            "verification-failed",
            "",
            "",
            ""
        ]
    );
    let last = records(&log).pop().unwrap();
    assert!(
        last["result"]["refused"]
            .as_str()
            .unwrap()
            .contains("record 9 is not in the audit log")
    );
    assert_eq!(last["input"]["record"], "9");
    std::fs::remove_file(&log).ok();
}

#[test]
fn a_signed_in_verifier_must_be_a_pharmacist() {
    let dir = std::env::temp_dir().join(format!("celldose-verify-users-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let users = dir.join("users.toml");
    let mut list = celldose::users::Users::default();
    list.add(
        "bob",
        celldose::users::Role::Pharmacist,
        "bob's long password!",
    )
    .unwrap();
    list.add(
        "tess",
        celldose::users::Role::Technician,
        "tess's long password",
    )
    .unwrap();
    list.save(&users).unwrap();
    let users = users.to_str().unwrap();
    let log = log("signed");
    assert_eq!(
        run(&with(&["--user", "alice", "check"], &check("72.5kg", &log))).0,
        0
    );
    let verify = |name: &str, password: &str| {
        let output = assert_cmd::Command::cargo_bin("celldose")
            .unwrap()
            .args(with(
                &["--user", name, "verify", "--record", "1", "--users", users],
                &check("72.5kg", &log),
            ))
            .write_stdin(format!("{password}\n"))
            .output()
            .unwrap();
        (
            output.status.code().unwrap(),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let (code, _, stderr) = verify("tess", "tess's long password");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("\"tess\" is a technician, and only a pharmacist verifies a preparation"),
        "{stderr}"
    );
    let (code, _, stderr) = verify("bob", "not his password");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("the name or the password is not right; nothing was verified"),
        "{stderr}"
    );
    let (code, stdout, stderr) = verify("bob", "bob's long password!");
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("  Checked by:       bob (pharmacist, signed in) at "),
        "{stdout}"
    );
    let last = records(&log).pop().unwrap();
    assert_eq!(
        (
            last["user"].as_str(),
            last["identified"].as_str(),
            last["role"].as_str()
        ),
        (Some("bob"), Some("signed-in"), Some("pharmacist"))
    );
    std::fs::remove_file(&log).ok();
    std::fs::remove_dir_all(&dir).ok();
}
