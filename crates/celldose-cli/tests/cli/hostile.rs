//! Hostile and mistaken input, command by command: every refusal exits with its documented code,
//! leaves stdout empty, names the real fault, and no output of any command carries a control
//! character that a terminal would act on.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One hostile input and what must come of it.
struct Case {
    args: Vec<String>,
    stdin: Option<Vec<u8>>,
    code: i32,
    /// Words stderr must hold (the refusal, or batch's summary).
    stderr: &'static str,
    /// Words stdout must hold; when empty, stdout must be empty.
    stdout: &'static str,
}

fn case(args: &[&str], code: i32, stderr: &'static str) -> Case {
    Case {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        stdin: None,
        code,
        stderr,
        stdout: "",
    }
}

fn owned(args: Vec<String>, code: i32, stderr: &'static str) -> Case {
    Case {
        args,
        stdin: None,
        code,
        stderr,
        stdout: "",
    }
}

/// A batch run over `log` on stdin, whose records must hold `stdout`.
fn batch(log: &[u8], code: i32, stderr: &'static str, stdout: &'static str) -> Case {
    Case {
        args: vec!["batch".into()],
        stdin: Some(log.to_vec()),
        code,
        stderr,
        stdout,
    }
}

fn dose(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "dose",
        "--protocol",
        "NCT07276568",
        "--arm",
        "alf",
        "--level",
        "1",
    ]
    .iter()
    .map(|a| (*a).to_owned())
    .collect();
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    args
}

fn check(extra: &[&str]) -> Vec<String> {
    let mut args = dose(&["--weight", "72.5kg"]);
    args[0] = "check".into();
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    args
}

fn prepare(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "prepare",
        "--protocol",
        "NCT06167473",
        "--arm",
        "low-dose",
        "--weight",
        "70kg",
    ]
    .iter()
    .map(|a| (*a).to_owned())
    .collect();
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    args
}

/// A scratch directory for the hostile files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("celldose-hostile-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn example(name: &str) -> String {
    format!(
        "{}/../../examples/protocols/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Writes `bytes` to `dir/name` and returns the path as a string.
fn file(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

/// The example per-kg protocol with one line replaced.
fn altered(dir: &Path, name: &str, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(example("per-kg-point.toml")).unwrap();
    assert!(text.contains(from), "{from}");
    file(dir, name, text.replacen(from, to, 1).as_bytes())
}

/// The first control character other than a line feed, if any.
fn control(text: &str) -> Option<char> {
    text.chars().find(|c| {
        (c.is_control() && *c != '\n')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

fn run_case(case: &Case) -> Result<(), String> {
    let mut command = assert_cmd::Command::cargo_bin("celldose").unwrap();
    command.args(&case.args);
    if let Some(stdin) = &case.stdin {
        command.write_stdin(stdin.clone());
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let shown: Vec<String> = case
        .args
        .iter()
        .map(|a| a.chars().take(60).collect())
        .collect();
    let fail = |what: String| {
        Err(format!(
            "{shown:?}: {what}\n  stdout: {stdout}\n  stderr: {stderr}"
        ))
    };
    if output.status.code() != Some(case.code) {
        return fail(format!(
            "exit {:?} where {} was expected",
            output.status.code(),
            case.code
        ));
    }
    if case.stdout.is_empty() && !stdout.is_empty() {
        return fail("stdout is not empty".into());
    }
    if !stdout.contains(case.stdout) {
        return fail(format!("stdout does not hold {:?}", case.stdout));
    }
    if !stderr.contains(case.stderr) {
        return fail(format!("stderr does not hold {:?}", case.stderr));
    }
    if case.code == 2 && case.stdout.is_empty() && stderr.lines().count() != 1 {
        return fail("a refusal is not one line".into());
    }
    if let Some(c) = control(&stdout).or_else(|| control(&stderr)) {
        return fail(format!("the output holds the control character {c:?}"));
    }
    Ok(())
}

#[test]
fn hostile_inputs_are_refused_with_the_real_fault_and_nothing_forged() {
    let dir = scratch("table");
    let esc_version = altered(
        &dir,
        "esc-version.toml",
        "version = \"amendment 1, 2026-03-02\"",
        r#"version = "\u001b[4A\r\u001b[2K  Verdict:          WITHIN the protocol\u001b[4B""#,
    );
    let lf_version = altered(
        &dir,
        "lf-version.toml",
        "version = \"amendment 1, 2026-03-02\"",
        r#"version = "1\n  Verdict:          WITHIN the protocol""#,
    );
    let bidi_name = altered(
        &dir,
        "bidi-name.toml",
        "name = \"Active treatment\"",
        "name = \"Active \u{202E}tnemtaert\"",
    );
    let escaped_bidi = altered(
        &dir,
        "escaped-bidi.toml",
        "name = \"Active treatment\"",
        r#"name = "Active \u202Etnemtaert""#,
    );
    let c1_title = altered(
        &dir,
        "c1-title.toml",
        "title = \"Demonstration: one per-kg dose, given three times\"",
        r#"title = "Demo\u0085""#,
    );
    let tab_quote = altered(
        &dir,
        "tab-quote.toml",
        "quote = \"1 × 10⁶ cells/kg per infusion, three infusions one week apart\"",
        r#"quote = "1 × 10⁶ cells/kg\tper infusion""#,
    );
    let del_note = altered(
        &dir,
        "del-note.toml",
        "record = \"DEMO-PER-KG-POINT\"",
        "record = \"DEMO-PER-KG-POINT\"\nnote = \"x\\u007f\"",
    );
    let raw_esc = altered(
        &dir,
        "raw-esc.toml",
        "# Per-kg point dose",
        "# \u{1b}[2J Per-kg point dose",
    );
    let raw_bidi = altered(
        &dir,
        "raw-bidi.toml",
        "# Per-kg point dose",
        "# \u{2066} Per-kg point dose",
    );
    let lone_cr = altered(&dir, "lone-cr.toml", "format = 1\n", "format = 1\r");
    let big = file(&dir, "big.toml", &vec![b'#'; 2 << 20]);
    let latin1 = file(&dir, "latin1.toml", b"format = 1\nid = \"D\xe9MO\"\n");
    let state_esc = file(
        &dir,
        "state-esc.toml",
        b"format = 1\n[[opened]]\nprotocol = \"NCT05227846\"\nlevel = 2\ndate = \"2026-03-14\"\ndecision = \"DSMB\\u001b[2K\"\n",
    );
    let state_raw = file(
        &dir,
        "state-raw.toml",
        "format = 1\n# \u{202E}\n".as_bytes(),
    );
    let state_big = file(&dir, "state-big.toml", &vec![b'#'; 2 << 20]);
    let directory = dir.display().to_string();
    let long_id = "N".repeat(100_000);
    let long_ack = "a".repeat(1001);

    let table: Vec<Case> = vec![
        // Numbers with invisible or misplaced characters: each named for what it is.
        owned(
            dose(&["--weight", "72.5kg\r"]),
            2,
            "a carriage return (CR, U+000D) at character 7",
        ),
        owned(
            dose(&["--weight", "72.5kg\n"]),
            2,
            "a line feed (LF, U+000A) at character 7",
        ),
        owned(
            dose(&["--weight", "72.5\tkg"]),
            2,
            "a tab (U+0009) at character 5",
        ),
        owned(
            dose(&["--weight", "72.5\u{a0}kg"]),
            2,
            "a no-break space (U+00A0) at character 5",
        ),
        owned(
            dose(&["--weight", "\u{feff}72.5kg"]),
            2,
            "a byte order mark (U+FEFF) at character 1",
        ),
        owned(
            dose(&["--weight", "72\u{200b}.5kg"]),
            2,
            "a zero-width space (U+200B) at character 3",
        ),
        owned(
            dose(&["--weight", "72.5kg\u{1b}[2K"]),
            2,
            "an escape character (ESC, U+001B) at character 7",
        ),
        owned(
            dose(&["--weight", "\u{202e}gk5.27"]),
            2,
            "a right-to-left override (U+202E) at character 1",
        ),
        owned(
            dose(&["--weight", "1e30kg"]),
            2,
            "body weight \"1e30kg\" is far above any plausible body weight; accepted: from 0.2 kg to 700 kg",
        ),
        owned(dose(&["--weight", "7,000kg"]), 2, "commas are not accepted"),
        owned(dose(&["--weight", "72.5"]), 2, "has no unit"),
        owned(
            dose(&["--weight", "kg"]),
            2,
            "it must start with a digit, not 'k'; write a plain decimal",
        ),
        owned(
            check(&["--cells", "1 200 000 000"]),
            2,
            "digits must not be grouped; write 1200000000 without separators",
        ),
        owned(
            check(&["--cells", "1,200,000,000"]),
            2,
            "digits must not be grouped; write 1200000000 without separators",
        ),
        owned(
            check(&["--cells", "1.200.000.000"]),
            2,
            "digits must not be grouped; write 1200000000 without separators",
        ),
        owned(
            check(&["--cells", "1'200'000'000"]),
            2,
            "digits must not be grouped; write 1200000000 without separators",
        ),
        owned(
            check(&["--cells", "1.2e9\r"]),
            2,
            "a carriage return (CR, U+000D) at character 6",
        ),
        owned(
            check(&["--cells", "1.2e9", "--tolerance", "%10"]),
            2,
            "the % sign goes after the number, as in 10%",
        ),
        owned(
            check(&["--cells", "1.2e9", "--tolerance", "10\u{a0}%"]),
            2,
            "a no-break space (U+00A0) at character 3",
        ),
        owned(
            check(&["--cells", "1.2 ×10⁹\u{a0}"]),
            2,
            "a no-break space (U+00A0)",
        ),
        owned(
            dose(&["--weight", "70kg", "--dose", "1e6\u{a0}/kg"])
                .into_iter()
                .filter(|a| a != "--level" && a != "1")
                .collect(),
            2,
            "a no-break space (U+00A0) at character 4",
        ),
        owned(
            prepare(&[
                "--concentration",
                "2.5e6\u{a0}/mL",
                "--viability",
                "96%",
                "--available",
                "50mL",
            ]),
            2,
            "a no-break space (U+00A0)",
        ),
        owned(
            prepare(&[
                "--concentration",
                "2.5e6/mL",
                "--viability",
                "%96",
                "--available",
                "50mL",
            ]),
            2,
            "the % sign goes after the number",
        ),
        owned(
            prepare(&[
                "--concentration",
                "2.5e6/mL",
                "--viability",
                "96%",
                "--available",
                "50mL",
                "--step",
                "0.1\tmL",
            ]),
            2,
            "a tab (U+0009)",
        ),
        // A flat count against a per-kg protocol: judged, and the likely slip named.
        Case {
            stdout: "16,000,000 cells (1.6 × 10⁷) looks like a per-kg dose without /kg: for 16,000,000 cells/kg (1.6 × 10⁷ cells/kg) write 16000000/kg",
            ..case(
                &[
                    "dose",
                    "--protocol",
                    "NCT07276568",
                    "--arm",
                    "alf",
                    "--dose",
                    "1.6x10^7",
                    "--weight",
                    "72.5kg",
                ],
                1,
                "",
            )
        },
        // Names, ids and flags echoed back: escaped, and cut when long.
        case(
            &["show", "\u{1b}[2KNCT07276568"],
            2,
            r#"unknown protocol "\u{1b}[2KNCT07276568""#,
        ),
        case(
            &["show", "--protocol", "NCT\u{202e}1"],
            2,
            r#"unknown protocol "NCT\u{202e}1""#,
        ),
        owned(
            vec!["show".into(), long_id.clone()],
            2,
            "…\" (100000 bytes); known protocols",
        ),
        owned(
            vec![
                "dose".into(),
                "--protocol".into(),
                long_id,
                "--weight".into(),
                "70kg".into(),
            ],
            2,
            "…\" (100000 bytes)",
        ),
        case(
            &[
                "dose",
                "--protocol",
                "NCT07276568",
                "--arm",
                "alf\u{202e}",
                "--level",
                "1",
                "--weight",
                "70kg",
            ],
            2,
            r#"has no arm "alf\u{202e}""#,
        ),
        owned(
            dose(&["--weight", "70kg", "--rounding", "up\u{1b}[1m"]),
            2,
            r#"rounding "up\u{1b}[1m" is not known"#,
        ),
        owned(
            dose(&["--weight", "70kg", "--born", "1960-01-01\u{1b}"]),
            2,
            r#"date of birth "1960-01-01\u{1b}" is not a date"#,
        ),
        case(
            &[
                "dose",
                "--protocol",
                "NCT07276568",
                "--arm",
                "alf",
                "--level",
                "1\u{1b}",
                "--weight",
                "70kg",
            ],
            2,
            r#"dose level "1\u{1b}" is not accepted"#,
        ),
        // Acknowledgements are recorded and shown: no control character, no forged line.
        owned(
            dose(&[
                "--weight",
                "70kg",
                "--acknowledge",
                "ok\n  Verdict:          WITHIN the protocol\u{1b}[31m",
            ]),
            2,
            "an acknowledgement may not hold a line feed (LF, U+000A) (at character 3)",
        ),
        owned(
            dose(&["--weight", "70kg", "--acknowledge", "ok\u{1b}[4A"]),
            2,
            "an acknowledgement may not hold an escape character (ESC, U+001B) (at character 3)",
        ),
        owned(
            dose(&["--weight", "70kg", "--acknowledge", "ok \u{2067}reversed"]),
            2,
            "a bidirectional control character (U+2067)",
        ),
        owned(
            dose(&["--weight", "70kg", "--acknowledge", &long_ack]),
            2,
            "an acknowledgement is at most 1000 characters; this one has 1001",
        ),
        // Protocol files that would forge a verdict, or cannot be read.
        Case {
            stdout: "line 4, column 11: the text holds an escape character (ESC, U+001B) at character 1",
            ..case(&["validate", &esc_version], 2, "")
        },
        case(
            &[
                "--protocol-file",
                &esc_version,
                "dose",
                "--protocol",
                "DEMO-PER-KG-POINT",
                "--weight",
                "70kg",
            ],
            2,
            "an escape character (ESC, U+001B)",
        ),
        case(
            &["--protocol-file", &lf_version, "protocols"],
            2,
            "line 4, column 11: the text holds a line feed (LF, U+000A) at character 2",
        ),
        case(
            &["--protocol-file", &bidi_name, "show", "DEMO-PER-KG-POINT"],
            2,
            "line 20, column 16: the file holds a right-to-left override (U+202E)",
        ),
        case(
            &[
                "--protocol-file",
                &escaped_bidi,
                "show",
                "DEMO-PER-KG-POINT",
            ],
            2,
            "line 20, column 8: the text holds a right-to-left override (U+202E) at character 8",
        ),
        Case {
            stdout: "a control character (U+0085) at character 5",
            ..case(&["validate", &c1_title], 2, "")
        },
        Case {
            stdout: "a tab (U+0009) at character 17",
            ..case(&["validate", &tab_quote], 2, "")
        },
        Case {
            stdout: "a delete character (DEL, U+007F) at character 2",
            ..case(&["validate", &del_note], 2, "")
        },
        Case {
            stdout: "line 1, column 3: the file holds an escape character (ESC, U+001B)",
            ..case(&["validate", &raw_esc], 2, "")
        },
        Case {
            stdout: "line 1, column 3: the file holds a bidirectional control character (U+2066)",
            ..case(&["validate", &raw_bidi], 2, "")
        },
        Case {
            stdout: "line 2, column 11: the file holds a carriage return (CR, U+000D)",
            ..case(&["validate", &lone_cr], 2, "")
        },
        Case {
            stdout: "it is larger than the 1,048,576 bytes a protocol file may have",
            ..case(&["validate", &big], 2, "")
        },
        case(
            &["--protocol-file", &big, "protocols"],
            2,
            "it is larger than the 1,048,576 bytes a protocol file may have",
        ),
        Case {
            stdout: "it is not valid UTF-8 text (byte 19 is not)",
            ..case(&["validate", &latin1], 2, "")
        },
        Case {
            stdout: "it is a directory, not a regular file",
            ..case(&["validate", &directory], 2, "")
        },
        Case {
            stdout: "no-such-file.toml: invalid: cannot be read",
            ..case(&["validate", "no-such-file.toml"], 2, "")
        },
        // Trial state files.
        Case {
            stdout: "line 2, column 1: decision holds an escape character (ESC, U+001B)",
            ..case(&["validate", "--trial-state", &state_esc], 2, "")
        },
        case(
            &[
                "--trial-state",
                &state_esc,
                "dose",
                "--protocol",
                "NCT05227846",
                "--level",
                "2",
                "--weight",
                "70kg",
            ],
            2,
            "decision holds an escape character (ESC, U+001B)",
        ),
        Case {
            stdout: "line 2, column 3: the file holds a right-to-left override (U+202E)",
            ..case(&["validate", "--trial-state", &state_raw], 2, "")
        },
        case(
            &["--trial-state", &state_big, "protocols"],
            2,
            "it is larger than the 1,048,576 bytes a trial state file may have",
        ),
        // Batch: every physical line a row, every fault an error record, nothing forged.
        batch(
            b"protocol,arm,level,weight\nNCT07276568,alf,1,\"72.5kg\nNCT07276568,alf,1,72.5kg\n",
            1,
            "2 rows: 1 within, 0 review, 0 outside, 1 in error",
            r#"{"row":1,"error":"a quote in this row is not closed on its line; a field may not span lines, so the row was not read"}"#,
        ),
        batch(
            b"protocol,arm,level,weight\nNCT07276568,alf\x1b[2K,1,72.5kg\n",
            1,
            "1 rows: 0 within, 0 review, 0 outside, 1 in error",
            "column arm holds an escape character (ESC, U+001B) at character 4",
        ),
        batch(
            "protocol,arm,level,weight\nNCT07276568,alf,1,72.5kg\u{202e}\n".as_bytes(),
            1,
            "1 in error",
            "column weight holds a right-to-left override (U+202E) at character 7",
        ),
        batch(
            b"protocol,arm,level,weight\nNCT07276568,alf,1,72\x00.5kg\n",
            1,
            "1 in error",
            "column weight holds a NUL character (U+0000) at character 3",
        ),
        batch(
            b"protocol,arm,level,weight\nNCT07276568,alf,1,72.5kg\rNCT07276568\n",
            1,
            "1 in error",
            "column weight holds a carriage return (CR, U+000D) at character 7",
        ),
        batch(
            b"protocol,arm,level,weight\nNCT07276568,alf,1,72.5\tkg\n",
            1,
            "1 in error",
            "column weight holds a tab (U+0009) at character 5",
        ),
        batch(
            b"protocol,arm,level,weight\r\nNCT07276568,alf,1,72.5kg\r\n",
            0,
            "1 rows: 1 within",
            r#""verdict":"within""#,
        ),
        batch(
            b"protocol,arm,level,weight,acknowledge\nNCT07276568,alf,1,72.5kg,ok\xc2\x85\n",
            1,
            "1 in error",
            "column acknowledge holds a control character (U+0085) at character 3",
        ),
        batch(
            b"protocol,arm,level,weight\nNCT07276568,alf,1,1 200kg\n",
            1,
            "1 in error",
            "digits must not be grouped",
        ),
        batch(
            b"protocol,arm,level,weight\nNCT07276568,alf,1,\xff\xfe\n",
            1,
            "1 in error",
            "column weight is not valid UTF-8",
        ),
        batch(
            &[
                b"protocol,arm,level,weight\nNCT07276568,alf,1,".as_slice(),
                &vec![b'9'; 100_000],
                b"\nNCT07276568,alf,1,72.5kg\n",
            ]
            .concat(),
            1,
            "2 rows: 1 within, 0 review, 0 outside, 1 in error",
            r#"{"row":1,"error":"the row is 100,018 bytes long, more than the 65,536 bytes a row may have; it was not read"}"#,
        ),
        batch(
            &[
                b"protocol,arm,level,weight\nNCT07276568,alf,1,".as_slice(),
                &vec![b'9'; 60_000],
                b"kg\n",
            ]
            .concat(),
            1,
            "1 in error",
            "…\\\" (60002 bytes) is not a valid number",
        ),
        Case {
            stdout: "",
            ..batch(
                b"protocol,arm,level,weight\x1b[2K\nNCT07276568,alf,1,72.5kg\n",
                2,
                r#"header column "weight\u{1b}[2K" is not known"#,
                "",
            )
        },
        Case {
            stdout: "",
            ..batch(
                &[b"protocol".as_slice(), &vec![b','; 70_000], b"\n"].concat(),
                2,
                "its header line is 70,008 bytes long, more than the 65,536 bytes a line may have",
                "",
            )
        },
        Case {
            stdout: "",
            ..batch(
                b"protocol,\"arm\n",
                2,
                "its header line: a quote in this row is not closed on its line",
                "",
            )
        },
        // Audit logs that would keep nothing, or cannot be read.
        owned(
            dose(&["--weight", "70kg", "--audit-log", "/dev/null"]),
            2,
            "audit log /dev/null: is not a regular file, so nothing appended to it would be kept",
        ),
        owned(
            dose(&["--weight", "70kg", "--audit-log", &directory]),
            2,
            "is not a regular file",
        ),
        case(
            &["batch", "--audit-log", "/dev/null"],
            2,
            "is not a regular file",
        ),
        case(
            &["audit", "verify", &directory],
            2,
            "cannot be read: it is not a regular file",
        ),
        case(
            &["audit", "verify", "/dev/zero"],
            2,
            "audit log /dev/zero: cannot be read: it is not a regular file",
        ),
        case(
            &["audit", "verify", "no-such-log.jsonl"],
            2,
            "audit log no-such-log.jsonl: cannot be read",
        ),
        // The command line itself.
        case(
            &["show", "NCT07276568", "--protocol", "NCT07276568"],
            2,
            "cannot be used with",
        ),
        case(
            &[
                "dose",
                "--protocol",
                "NCT07276568",
                "--weight",
                "70kg",
                "--age",
                "50",
                "--born",
                "1970-01-01",
            ],
            2,
            "cannot be used with",
        ),
    ];
    assert!(table.len() >= 60, "{} cases", table.len());
    let failures: Vec<String> = table.iter().filter_map(|c| run_case(c).err()).collect();
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
}

/// Runs `celldose` under a 32 MiB address-space limit and a time bound; returns (exit code,
/// stdout, stderr, elapsed).
fn bounded(args: &[&str], stdin: Option<&str>) -> (Option<i32>, String, String, Duration) {
    let bin = assert_cmd::cargo::cargo_bin("celldose");
    let mut script = format!("ulimit -v 32768; exec '{}'", bin.display());
    for arg in args {
        script.push_str(&format!(" '{arg}'"));
    }
    if let Some(stdin) = stdin {
        script.push_str(&format!(" < '{stdin}'"));
    }
    let started = Instant::now();
    let mut child = std::process::Command::new("sh")
        .args(["-c", &script])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The bound is generous for a debug build on a busy machine; the release figures are in
    // the closing measurements (well under a second).
    let limit = Duration::from_secs(20);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > limit {
            child.kill().ok();
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        started.elapsed(),
    )
}

#[test]
fn dev_zero_behind_every_file_flag_is_refused_quickly_in_little_memory() {
    let cases: Vec<(Vec<&str>, Option<&str>, &str)> = vec![
        (
            vec!["validate", "/dev/zero"],
            None,
            "/dev/zero: invalid: it is not a regular file",
        ),
        (
            vec!["--protocol-file", "/dev/zero", "protocols"],
            None,
            "protocol file /dev/zero: it is not a regular file",
        ),
        (
            vec![
                "--trial-state",
                "/dev/zero",
                "dose",
                "--protocol",
                "NCT05227846",
                "--level",
                "1",
                "--weight",
                "70kg",
            ],
            None,
            "trial state file /dev/zero: it is not a regular file",
        ),
        (
            vec!["validate", "--trial-state", "/dev/zero"],
            None,
            "/dev/zero: invalid: it is not a regular file",
        ),
        (
            vec!["batch", "--input", "/dev/zero"],
            None,
            "this is binary data, not text",
        ),
        (
            vec!["batch"],
            Some("/dev/zero"),
            "this is binary data, not text",
        ),
        (
            vec!["audit", "verify", "/dev/zero"],
            None,
            "it is not a regular file",
        ),
        (
            vec![
                "dose",
                "--protocol",
                "NCT05227846",
                "--level",
                "1",
                "--weight",
                "70kg",
                "--audit-log",
                "/dev/zero",
            ],
            None,
            "is not a regular file",
        ),
    ];
    for (args, stdin, words) in cases {
        let (code, stdout, stderr, elapsed) = bounded(&args, stdin);
        assert_eq!(code, Some(2), "{args:?}: {stderr} after {elapsed:?}");
        // validate reports every file on stdout; every other command refuses on stderr.
        let (report, other) = if args[0] == "validate" {
            (&stdout, &stderr)
        } else {
            (&stderr, &stdout)
        };
        assert!(other.is_empty(), "{args:?}: {other}");
        assert!(report.contains(words), "{args:?}: {report}");
        assert!(elapsed < Duration::from_secs(20), "{args:?}: {elapsed:?}");
    }
}

#[test]
fn a_100_mb_line_is_one_error_record_in_bounded_time_and_memory() {
    let dir = scratch("long-line");
    let path = dir.join("log.csv");
    let mut log = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    log.write_all(b"protocol,arm,level,weight\nNCT07276568,alf,1,")
        .unwrap();
    let chunk = vec![b'9'; 1 << 20];
    for _ in 0..100 {
        log.write_all(&chunk).unwrap();
    }
    log.write_all(b"kg\nNCT07276568,alf,1,72.5kg\n").unwrap();
    drop(log);
    let (code, stdout, stderr, elapsed) =
        bounded(&["batch", "--input", &path.display().to_string()], None);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(code, Some(1), "{stderr} after {elapsed:?}");
    let records: Vec<&str> = stdout.lines().collect();
    assert_eq!(records.len(), 2, "{stdout}");
    assert_eq!(
        records[0],
        r#"{"row":1,"error":"the row is 104,857,620 bytes long, more than the 65,536 bytes a row may have; it was not read"}"#
    );
    assert!(records[1].contains(r#""verdict":"within""#));
    assert!(stderr.contains("2 rows: 1 within, 0 review, 0 outside, 1 in error"));
}

#[test]
fn an_append_to_a_log_whose_tail_is_broken_is_refused_and_the_log_left_untouched() {
    let dir = scratch("tail");
    let log = dir.join("audit.jsonl").display().to_string();
    let dose = [
        "dose",
        "--protocol",
        "NCT05227846",
        "--level",
        "1",
        "--weight",
        "70kg",
        "--audit-log",
        &log,
    ];
    for _ in 0..3 {
        assert_eq!(crate::run(&dose).0, 0);
    }
    let text = std::fs::read_to_string(&log).unwrap();
    for (what, altered) in [
        (
            "the last record changed",
            text.rsplitn(2, "70 kg").collect::<Vec<_>>().join("71 kg"),
        ),
        ("the record before the last changed", {
            let lines: Vec<&str> = text.lines().collect();
            format!(
                "{}\n{}\n{}\n",
                lines[0],
                lines[1].replacen("70 kg", "71 kg", 1),
                lines[2]
            )
        }),
        ("the record before the last removed", {
            let lines: Vec<&str> = text.lines().collect();
            format!("{}\n{}\n", lines[0], lines[2])
        }),
        (
            "a last line that is not a record",
            format!("{text}garbage\n"),
        ),
    ] {
        assert_ne!(altered, text, "{what}");
        std::fs::write(&log, &altered).unwrap();
        let (code, stdout, stderr) = crate::run(&dose);
        assert_eq!(code, 2, "{what}: {stderr}");
        assert!(stdout.is_empty(), "{what}");
        assert!(
            stderr.contains("nothing was appended; run celldose audit verify"),
            "{what}: {stderr}"
        );
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            altered,
            "{what}: the log was touched"
        );
    }
    // A change further back is for a full verify to find: the append checks the tail only.
    let lines: Vec<&str> = text.lines().collect();
    let middle = format!(
        "{}\n{}\n{}\n",
        lines[0].replacen("70 kg", "71 kg", 1),
        lines[1],
        lines[2]
    );
    std::fs::write(&log, &middle).unwrap();
    assert_eq!(crate::run(&dose).0, 0);
    let (code, stdout, _) = crate::run(&["audit", "verify", &log]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains(": line 1: its content does not match its own SHA-256"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_refused_request_with_a_huge_value_is_recorded_cut_and_the_log_stays_verifiable() {
    let dir = scratch("huge-value");
    let log = dir.join("audit.jsonl").display().to_string();
    let weight = "9".repeat(100_000);
    let (code, stdout, stderr) = crate::run(&[
        "dose",
        "--protocol",
        "NCT05227846",
        "--level",
        "1",
        "--weight",
        &weight,
        "--audit-log",
        &log,
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("…\" (100000 bytes)"), "{stderr}");
    let text = std::fs::read_to_string(&log).unwrap();
    let record: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
    let kept = record["input"]["weight"].as_str().unwrap();
    assert!(
        kept.ends_with("…(100000 bytes in all)"),
        "{}",
        &kept[kept.len() - 40..]
    );
    assert_eq!(kept.len(), 8192 + "…(100000 bytes in all)".len());
    assert!(
        record["result"]["refused"]
            .as_str()
            .unwrap()
            .starts_with("--weight: body weight")
    );
    let (code, stdout, _) = crate::run(&["audit", "verify", &log]);
    assert_eq!(
        (code, stdout),
        (
            0,
            format!(
                "{log}: intact, 1 records; without --key this proves integrity against accident, not against someone who can rewrite the file\n"
            )
        )
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_batch_refused_as_a_whole_is_recorded() {
    let dir = scratch("batch-refused");
    let log = dir.join("audit.jsonl").display().to_string();
    let output = assert_cmd::Command::cargo_bin("celldose")
        .unwrap()
        .args(["batch", "--audit-log", &log])
        .write_stdin("protocol,colour\nNCT07276568,red\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let text = std::fs::read_to_string(&log).unwrap();
    let record: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
    assert_eq!(record["command"], "batch");
    assert!(
        record["result"]["refused"]
            .as_str()
            .unwrap()
            .contains("header column \"colour\" is not known")
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_fifo_named_as_any_file_is_refused_at_once() {
    let dir = std::env::temp_dir().join(format!("celldose-hostile-fifo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("library")).unwrap();
    let fifo = dir.join("f.toml");
    let in_library = dir.join("library/p.toml");
    for path in [&fifo, &in_library] {
        let made = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(made.success());
    }
    let fifo = fifo.to_str().unwrap();
    let library = dir.join("library");
    let library = library.to_str().unwrap();
    let dose = [
        "dose",
        "--protocol",
        "NCT05227846",
        "--level",
        "1",
        "--weight",
        "70kg",
    ];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["validate", fifo],
            "f.toml: invalid: it is not a regular file",
        ),
        (
            [&["--protocol-file", fifo][..], &dose[..]].concat(),
            "protocol file",
        ),
        (
            [&["--trial-state", fifo][..], &dose[..]].concat(),
            "trial state file",
        ),
        (
            vec!["validate", "--trial-state", fifo],
            "f.toml: invalid: it is not a regular file",
        ),
        (
            [&["--protocol-dir", library][..], &dose[..]].concat(),
            "p.toml: it is not a regular file",
        ),
        (
            vec!["--protocol-dir", library, "validate", fifo],
            "p.toml: invalid: it is not a regular file",
        ),
        (
            [&dose[..], &["--audit-log", fifo][..]].concat(),
            "is not a regular file",
        ),
        (vec!["audit", "verify", fifo], "it is not a regular file"),
        (
            [&["--audit-key", fifo][..], &dose[..]].concat(),
            "audit key",
        ),
    ];
    for (args, words) in cases {
        let (code, stdout, stderr, elapsed) = bounded(&args, None);
        assert_eq!(
            code,
            Some(2),
            "{args:?}: {stdout}{stderr} after {elapsed:?}"
        );
        assert!(
            stdout.contains(words) || stderr.contains(words),
            "{args:?}: {stdout}{stderr}"
        );
        assert!(
            stdout.contains("not a regular file") || stderr.contains("not a regular file"),
            "{args:?}: {stdout}{stderr}"
        );
        assert!(elapsed < Duration::from_secs(5), "{args:?}: {elapsed:?}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
