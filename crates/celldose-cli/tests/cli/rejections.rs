//! The rejection table: every malformed request exits 2 with one line on stderr and nothing on
//! stdout.

use crate::run;

#[test]
fn malformed_requests_exit_2_with_one_line_naming_the_input() {
    let dose = |extra: &[&'static str]| {
        let mut args = vec![
            "dose",
            "--protocol",
            "NCT07276568",
            "--arm",
            "alf",
            "--level",
            "1",
        ];
        args.extend_from_slice(extra);
        args
    };
    let table: Vec<(Vec<&str>, &str)> = vec![
        (
            dose(&["--weight", "72.5"]),
            "celldose: --weight: body weight \"72.5\" has no unit; write it with one of: kg, g or lb (as in 72.5kg, 72500g, 160lb)",
        ),
        (
            dose(&["--weight", "-70kg"]),
            "celldose: --weight: body weight -70 kg is not above 0 kg; accepted: from 0.2 kg to 700 kg",
        ),
        (
            dose(&["--weight", "0kg"]),
            "celldose: --weight: body weight 0 kg is not above 0 kg; accepted: from 0.2 kg to 700 kg",
        ),
        (
            dose(&["--weight", "NaN"]),
            "celldose: --weight: body weight \"NaN\" is not a valid number: it is not a finite number; write a plain decimal such as 72.5, 1.6e7 or 1.6x10^7",
        ),
        (
            dose(&["--weight", "1e30kg"]),
            "celldose: --weight: body weight \"1e30kg\" is far above any plausible body weight; accepted: from 0.2 kg to 700 kg",
        ),
        (
            dose(&["--weight", "7000kg"]),
            "celldose: --weight: body weight 7000 kg is above the plausible maximum of 700 kg; accepted: from 0.2 kg to 700 kg",
        ),
        (
            dose(&["--weight", "70kgs"]),
            "celldose: --weight: body weight \"70kgs\" has unit \"kgs\", which is not accepted; write it with one of: kg, g or lb (as in 72.5kg, 72500g, 160lb)",
        ),
        (
            dose(&["--weight", "72,5kg"]),
            "celldose: --weight: body weight \"72,5kg\" is not a valid number: commas are not accepted (write 1.5 for one and a half, 1500 for fifteen hundred)",
        ),
        (
            dose(&["--weight", "70kg", "--age", "200"]),
            "celldose: --age: age 200 years is above 130 years; accepted: from 0 years to 130 years",
        ),
        (
            dose(&["--weight", "70kg", "--rounding", "banker"]),
            "celldose: --rounding: rounding \"banker\" is not known; accepted: half-even, half-away-from-zero, down, up",
        ),
        (
            vec!["dose", "--protocol", "NCT00000000", "--weight", "70kg"],
            "celldose: --protocol: unknown protocol \"NCT00000000\"; known protocols: NCT07276568, NCT05727722, NCT01218464, NCT05227846, NCT06167473",
        ),
        (
            vec![
                "dose",
                "--protocol",
                "NCT07276568",
                "--arm",
                "hcc",
                "--weight",
                "70kg",
            ],
            "celldose: protocol NCT07276568 has no arm \"hcc\"; its arms: alf, aclf, clf, sfss",
        ),
        (
            vec!["dose", "--protocol", "NCT01218464", "--weight", "70kg"],
            "celldose: protocol NCT01218464 needs an arm, because its arms follow different regimens; choose one of: msc, placebo",
        ),
        (
            vec![
                "dose",
                "--protocol",
                "NCT05727722",
                "--level",
                "5",
                "--weight",
                "70kg",
            ],
            "celldose: protocol NCT05727722 regimen cohorts has no dose level 5; choose a level (its levels are 1, 2, 3 and 4) or give one of those doses",
        ),
        (
            vec![
                "dose",
                "--protocol",
                "NCT05727722",
                "--arm",
                "clf",
                "--level",
                "0",
                "--weight",
                "70kg",
            ],
            "celldose: --level: dose level \"0\" is not accepted; write a whole number from 1, as in --level 2",
        ),
        (
            vec![
                "dose",
                "--protocol",
                "NCT05727722",
                "--arm",
                "clf",
                "--level",
                "two",
                "--weight",
                "70kg",
            ],
            "celldose: --level: dose level \"two\" is not accepted; write a whole number from 1, as in --level 2",
        ),
        (
            dose(&["--weight", "70kg", "--dose", "1e9"]),
            "celldose: the argument '--level <N>' cannot be used with '--dose <DOSE>'; see celldose --help",
        ),
        (
            vec![
                "dose",
                "--protocol",
                "NCT07276568",
                "--dose",
                ".5e7/kg",
                "--weight",
                "70kg",
            ],
            "celldose: --dose: dose per kg \".5e7/kg\" is not a valid number: a decimal point needs a digit before it (write 0.5, not .5)",
        ),
        (
            vec![
                "dose",
                "--protocol",
                "NCT07276568",
                "--dose",
                "2 x 106/kg",
                "--weight",
                "70kg",
            ],
            "celldose: --dose: dose per kg \"2 x 106/kg\" is not a valid number: \"106\" looks like 10^6 with its superscript lost; write the exponent after ^, as in 1.6x10^7",
        ),
        (
            vec![
                "check",
                "--protocol",
                "NCT07276568",
                "--level",
                "1",
                "--weight",
                "70kg",
                "--cells",
                "-5e8",
                "--tolerance",
                "10%",
            ],
            "celldose: --cells: cell count -500,000,000 cells (-5 × 10⁸ cells) is negative; accepted: from 0 cells to 1,000,000,000,000,000 cells (1 × 10¹⁵ cells)",
        ),
        (
            vec![
                "check",
                "--protocol",
                "NCT07276568",
                "--level",
                "1",
                "--weight",
                "70kg",
                "--cells",
                "1.2e9/kg",
                "--tolerance",
                "10%",
            ],
            "celldose: --cells: cell count \"1.2e9/kg\" has unit \"/kg\", which is not accepted; write it with one of: a total number of cells, without /kg (a per-kg dose is not a count)",
        ),
        (
            vec![
                "check",
                "--protocol",
                "NCT07276568",
                "--level",
                "1",
                "--weight",
                "70kg",
                "--cells",
                "1.2e9",
                "--tolerance",
                "10",
            ],
            "celldose: --tolerance: percentage \"10\" has no unit; write it with one of: a % sign after the number, as in 10%",
        ),
        (
            vec!["show", "NCT1"],
            "celldose: unknown protocol \"NCT1\"; known protocols: NCT07276568, NCT05727722, NCT01218464, NCT05227846, NCT06167473",
        ),
        (
            vec![
                "dose",
                "--protocol",
                "NCT07276568",
                "--weight",
                "70kg",
                "--format",
                "xml",
            ],
            "celldose: invalid value 'xml' for '--format <FORMAT>' [possible values: text, json, fhir]; see celldose --help",
        ),
        (
            vec!["dosage"],
            "celldose: unrecognized subcommand 'dosage'; tip: a similar subcommand exists: 'dose'; see celldose --help",
        ),
    ];
    let mut mismatches = Vec::new();
    for (args, message) in table {
        for format in ["text", "json"] {
            let mut all = args.clone();
            if !all.contains(&"--format") && all.len() > 1 {
                all.extend(["--format", format]);
            }
            let (code, stdout, stderr) = run(&all);
            assert_eq!(code, 2, "{all:?}");
            assert!(stdout.is_empty(), "{all:?} wrote {stdout}");
            assert_eq!(stderr.lines().count(), 1, "{all:?}: {stderr}");
            if stderr.trim_end() != message {
                mismatches.push(format!(
                    "{all:?}\n  got:      {}\n  expected: {message}",
                    stderr.trim_end()
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
