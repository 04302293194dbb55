//! `--ascii` means ASCII: every byte of every command's output and message, for every built-in
//! and example protocol, quotes and notes included, with no exponent lost.

use crate::run;

fn examples() -> Vec<String> {
    let dir = format!("{}/../../examples/protocols", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path().display().to_string())
        .filter(|path| path.ends_with(".toml"))
        .collect();
    files.sort();
    files
}

/// Every protocol id with its arms, from `protocols --format json`.
fn protocols(files: &[String]) -> Vec<(String, Vec<String>)> {
    let mut args: Vec<&str> = Vec::new();
    for file in files {
        args.extend(["--protocol-file", file]);
    }
    args.extend(["protocols", "--format", "json"]);
    let (code, stdout, _) = run(&args);
    assert_eq!(code, 0);
    let list: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    list["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let arms = p["arms"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_str().unwrap().to_owned())
                .collect();
            (p["id"].as_str().unwrap().to_owned(), arms)
        })
        .collect()
}

fn assert_ascii(args: &[String], stdout: &str, stderr: &str) {
    for (name, text) in [("stdout", stdout), ("stderr", stderr)] {
        if let Some(c) = text.chars().find(|c| !c.is_ascii()) {
            panic!("{args:?}: {name} holds {c:?}:\n{text}");
        }
        if let Some(c) = text.chars().find(|c| c.is_control() && *c != '\n') {
            panic!("{args:?}: {name} holds the control character {c:?}");
        }
    }
}

#[test]
fn every_command_writes_only_ascii_under_ascii() {
    let files = examples();
    let mut prefix: Vec<String> = Vec::new();
    for file in &files {
        prefix.extend(["--protocol-file".to_owned(), file.clone()]);
    }
    let mut commands: Vec<Vec<String>> = Vec::new();
    let words = |list: &[&str]| list.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
    for format in ["text", "json"] {
        commands.push(words(&["protocols", "--ascii", "--format", format]));
    }
    for (id, arms) in protocols(&files) {
        for format in ["text", "json"] {
            commands.push(words(&["show", &id, "--ascii", "--format", format]));
            for arm in &arms {
                let patient = [
                    "--protocol",
                    &id,
                    "--arm",
                    arm,
                    "--weight",
                    "70kg",
                    "--age",
                    "50",
                    "--ascii",
                    "--format",
                    format,
                ];
                let mut dose = words(&["dose"]);
                dose.extend(words(&patient));
                commands.push(dose.clone());
                dose.extend(words(&["--level", "1"]));
                commands.push(dose);
                let mut check = words(&["check"]);
                check.extend(words(&patient));
                check.extend(words(&["--cells", "1.2e8", "--tolerance", "10%"]));
                commands.push(check);
                let mut prepare = words(&["prepare"]);
                prepare.extend(words(&patient));
                prepare.extend(words(&[
                    "--concentration",
                    "2.5e6/mL",
                    "--viability",
                    "96%",
                    "--available",
                    "500mL",
                ]));
                commands.push(prepare);
            }
        }
    }
    for file in &files {
        commands.push(words(&["validate", file, "--ascii"]));
    }
    // Refusals are ASCII too, the untrusted text in them included.
    commands.push(words(&[
        "dose",
        "--protocol",
        "NCT01218464",
        "--arm",
        "msc",
        "--dose",
        "0.5×10⁶\u{a0}/kg",
        "--weight",
        "70kg",
        "--ascii",
    ]));
    commands.push(words(&["show", "NCT×10⁶–≤", "--ascii"]));
    commands.push(words(&[
        "dose",
        "--protocol",
        "NCT07276568",
        "--weight",
        "70",
        "--ascii",
    ]));
    commands.push(words(&["dosage", "×", "--ascii"]));
    commands.push(words(&["--help", "--ascii"]));
    for command in ["dose", "check", "prepare", "batch", "validate", "show"] {
        commands.push(words(&[command, "--help", "--ascii"]));
    }

    let mut checked = 0;
    for command in &commands {
        let mut args = prefix.clone();
        args.extend(command.iter().cloned());
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = run(&refs);
        assert!((0..=4).contains(&code), "{args:?}: exit {code}: {stderr}");
        assert_ascii(&args, &stdout, &stderr);
        checked += 1;
    }
    assert!(checked > 100, "{checked} commands");
}

#[test]
fn the_lost_superscript_in_a_quote_stays_an_exponent_in_ascii() {
    let (code, stdout, _) = run(&["show", "NCT05227846", "--ascii", "--format", "json"]);
    assert_eq!(code, 0);
    let show: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let text = show.to_string();
    assert!(text.is_ascii());
    assert!(!text.contains('×'));
    // Every superscript became ^ and its digits: no `10⁸` can read as `108`.
    let (_, text, _) = run(&["show", "NCT06167473", "--ascii"]);
    assert!(text.contains("x 10^"), "{text}");
    assert!(
        !text.contains("x 106 ") && !text.contains("x 108 "),
        "{text}"
    );
}

#[test]
fn batch_and_audit_write_only_ascii_under_ascii() {
    let dir = std::env::temp_dir().join(format!("celldose-ascii-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("audit.jsonl").display().to_string();
    let input = "protocol,arm,level,dose,weight,age,cells,tolerance\n\
                 NCT07276568,alf,1,,72.5kg,,,\n\
                 NCT05727722,clf,2,,40kg,50,,\n\
                 NCT01218464,msc,,0.75e6/kg,60kg,40,,\n\
                 NCT05227846,,2,,70kg,50,,\n\
                 NCT06167473,low-dose,,,70kg,50,6.2e7,10%\n\
                 NCT07276568,alf,1,,72.5\u{a0}kg,,,\n";
    for format in ["jsonl", "csv"] {
        let output = assert_cmd::Command::cargo_bin("celldose")
            .unwrap()
            .args(["batch", "--ascii", "--format", format, "--audit-log", &log])
            .write_stdin(input)
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stdout.lines().count(), if format == "csv" { 7 } else { 6 });
        assert_ascii(&[format.to_owned()], &stdout, &stderr);
    }
    let (code, stdout, stderr) = run(&["audit", "verify", &log, "--ascii"]);
    assert_eq!(code, 0, "{stderr}");
    assert_ascii(&["audit".to_owned()], &stdout, &stderr);
    std::fs::remove_dir_all(&dir).ok();
}
