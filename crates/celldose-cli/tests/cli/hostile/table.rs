//! Every hostile input side by side with what must come of it, in one table run as one test, so a
//! reader sees each refusal next to its input and the cases cannot drift apart. The table is long
//! (some 600 lines) because it is one list of cases; its helpers are in `mod.rs`.

use super::{Case, altered, batch, case, check, dose, file, owned, prepare, run_case, scratch};

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
