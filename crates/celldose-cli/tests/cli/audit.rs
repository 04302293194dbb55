//! `--audit-log` and `celldose audit verify`, with two processes writing at once.

use crate::run;

fn scratch(name: &str) -> String {
    let path = std::env::temp_dir().join(format!(
        "celldose-cli-audit-{name}-{}.jsonl",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    path.display().to_string()
}

#[test]
fn every_computing_command_appends_and_verify_checks_the_chain() {
    let log = scratch("commands");
    let dose = [
        "dose",
        "--protocol",
        "NCT07276568",
        "--arm",
        "alf",
        "--level",
        "1",
        "--weight",
        "72.5kg",
        "--audit-log",
        &log,
    ];
    assert_eq!(run(&dose).0, 0);
    let check = [
        "check",
        "--protocol",
        "NCT07276568",
        "--arm",
        "alf",
        "--level",
        "1",
        "--weight",
        "72.5kg",
        "--cells",
        "1.5e9",
        "--tolerance",
        "10%",
        "--audit-log",
        &log,
    ];
    assert_eq!(run(&check).0, 1, "an outside check is recorded too");
    let prepare = [
        "prepare",
        "--protocol",
        "NCT06167473",
        "--arm",
        "low-dose",
        "--weight",
        "70kg",
        "--concentration",
        "2.5e6/mL",
        "--viability",
        "96%",
        "--available",
        "50mL",
        "--tolerance",
        "5%",
        "--audit-log",
        &log,
    ];
    assert_eq!(run(&prepare).0, 0);
    let output = assert_cmd::Command::cargo_bin("celldose")
        .unwrap()
        .args(["batch", "--audit-log", &log])
        .write_stdin("protocol,weight,level\nNCT05227846,70kg,2\nNCT05227846,70,2\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    // A refused request is recorded too: the command, the raw inputs and the refusal.
    assert_eq!(
        run(&[
            "dose",
            "--protocol",
            "NCT07276568",
            "--weight",
            "72.5",
            "--audit-log",
            &log
        ])
        .0,
        2
    );

    let (code, stdout, _) = run(&["audit", "verify", &log]);
    assert_eq!(
        (code, stdout),
        (
            0,
            format!(
                "{log}: intact, 6 records; without --key this proves integrity against accident, not against someone who can rewrite the file\n"
            )
        )
    );
    let text = std::fs::read_to_string(&log).unwrap();
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let commands: Vec<&str> = records
        .iter()
        .map(|r| r["command"].as_str().unwrap())
        .collect();
    assert_eq!(
        commands,
        ["dose", "check", "prepare", "batch", "batch", "dose"]
    );
    assert_eq!(records[5]["input"]["weight"], "72.5");
    assert!(
        records[5]["result"]["refused"]
            .as_str()
            .unwrap()
            .starts_with("--weight: body weight \"72.5\" has no unit")
    );
    assert_eq!(records[1]["input"]["cells"], "1.5e9");
    assert_eq!(records[1]["result"]["verdict"], "outside");
    assert_eq!(
        records[1]["result"]["findings"][0]["code"],
        "delivered-outside-tolerance"
    );

    // One byte changed in the second record's result.
    let tampered = text.replacen(
        "\"actual_cells\":\"1500000000\"",
        "\"actual_cells\":\"1500000001\"",
        1,
    );
    assert_ne!(tampered, text);
    std::fs::write(&log, tampered).unwrap();
    let (code, stdout, _) = run(&["audit", "verify", &log]);
    assert_eq!(
        (code, stdout),
        (
            1,
            format!("{log}: line 2: its content does not match its own SHA-256: it was altered\n")
        )
    );
    let (code, _, stderr) = run(&["audit", "verify", "no-such-audit.jsonl"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("celldose: audit log no-such-audit.jsonl: cannot be read"),
        "{stderr}"
    );
}

#[test]
fn two_processes_appending_at_once_keep_every_record() {
    let log = scratch("processes");
    let bin = assert_cmd::cargo::cargo_bin("celldose");
    let writers: Vec<_> = (0..2)
        .map(|_| {
            let (bin, log) = (bin.clone(), log.clone());
            std::thread::spawn(move || {
                for _ in 0..15 {
                    let status = std::process::Command::new(&bin)
                        .args([
                            "dose",
                            "--protocol",
                            "NCT05227846",
                            "--level",
                            "1",
                            "--weight",
                            "70kg",
                            "--audit-log",
                            &log,
                        ])
                        .stdout(std::process::Stdio::null())
                        .status()
                        .unwrap();
                    assert_eq!(status.code(), Some(0));
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let (code, stdout, _) = run(&["audit", "verify", &log]);
    assert_eq!(
        (code, stdout),
        (
            0,
            format!(
                "{log}: intact, 30 records; without --key this proves integrity against accident, not against someone who can rewrite the file\n"
            )
        )
    );
}
