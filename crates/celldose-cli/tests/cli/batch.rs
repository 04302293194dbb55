//! `celldose batch`: rows in = records out, order, summary and exit codes.

use assert_cmd::Command;

fn batch(args: &[&str], input: &[u8]) -> (i32, String, String) {
    let output = Command::cargo_bin("celldose")
        .unwrap()
        .arg("batch")
        .args(args)
        .write_stdin(input)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

const MIXED: &[u8] = b"protocol,arm,level,dose,weight,age,cells,tolerance\n\
NCT07276568,alf,1,,72.5kg,,,\n\
NCT05727722,clf,1,,40kg,30,,\n\
\n\
NCT07276568,alf,1,,72.5,,,\n\
NCT07276568,alf,1,,72.5kg,,1.2e9,10%,extra\n\
NCT0\xff,alf,1,,72.5kg,,,\n\
NCT06167473,low-dose,,,70kg,50,6.2e7,10%\n";

#[test]
fn a_mixed_log_from_stdin_gives_one_record_per_row_and_exit_1() {
    let (code, stdout, stderr) = batch(&[], MIXED);
    assert_eq!(code, 1);
    let rows: Vec<u64> = stdout
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["row"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(rows, [1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(
        stderr,
        "celldose batch: 7 rows: 1 within, 0 review, 2 outside, 4 in error\n"
    );
}

#[test]
fn csv_output_from_a_file() {
    let dir = std::env::temp_dir().join(format!("celldose-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("log.csv");
    std::fs::write(&path, MIXED).unwrap();
    let (code, stdout, _) = batch(
        &["--input", &path.display().to_string(), "--format", "csv"],
        b"",
    );
    assert_eq!(code, 1);
    assert_eq!(stdout.lines().count(), 8, "a header and seven records");
    assert!(stdout.starts_with("row,protocol,arm,level,weight_kg,cells,"));
}

#[test]
fn exit_0_when_every_row_is_within_and_3_when_one_needs_review() {
    let (code, _, stderr) = batch(
        &[],
        b"protocol,arm,level,weight\nNCT07276568,alf,1,72.5kg\nNCT05227846,,1,70kg\n",
    );
    assert_eq!(
        (code, stderr.as_str()),
        (
            0,
            "celldose batch: 2 rows: 2 within, 0 review, 0 outside, 0 in error\n"
        )
    );
    // Level 2 of NCT05227846 waits for its safety review: review, exit 3.
    let (code, _, stderr) = batch(
        &[],
        b"protocol,level,weight,born,on\nNCT05227846,2,70kg,1960-12-01,2026-11-29\n",
    );
    assert_eq!(
        (code, stderr.as_str()),
        (
            3,
            "celldose batch: 1 rows: 0 within, 1 review, 0 outside, 0 in error\n"
        )
    );
    // A range with no dose chosen has no verdict on a dose: exit 4.
    let (code, _, stderr) = batch(&[], b"protocol,arm,weight\nNCT01218464,msc,60kg\n");
    assert_eq!(
        (code, stderr.as_str()),
        (
            4,
            "celldose batch: 1 rows: 0 within, 0 review, 0 outside, 0 in error, 1 with no dose chosen\n"
        )
    );
    let tolerance = format!(
        "{}/../../examples/protocols/tolerance.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let log = b"protocol,weight,cells,acknowledge\nDEMO-TOLERANCE,70kg,6e7,\nDEMO-TOLERANCE,70kg,6e7,investigator approved\n";
    let (code, stdout, _) = batch(&["--protocol-file", &tolerance], log);
    assert_eq!(code, 3);
    let verdicts: Vec<String> = stdout
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["verdict"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(verdicts, ["review", "within"]);
}

#[test]
fn an_unreadable_input_is_exit_2_with_nothing_on_stdout() {
    for (args, input, message) in [
        (
            vec!["--input", "no-such-log.csv"],
            &b""[..],
            "celldose: --input no-such-log.csv: cannot be read: No such file or directory (os error 2)\n",
        ),
        (
            vec![],
            b"protocol,weight,colour\n",
            "celldose: the batch input cannot be read: header column \"colour\" is not known; accepted columns: protocol, arm, level, dose, weight, age, born, on, cells, tolerance, acknowledge, rounding, current_weight, product, bags, infusion, given, patient, given_dmso, scan, thawed_at, thaw_started_at, infusion_start\n",
        ),
        (
            vec![],
            b"",
            "celldose: the batch input cannot be read: it is empty; the first line must be a header naming the columns\n",
        ),
    ] {
        let (code, stdout, stderr) = batch(&args, input);
        assert_eq!((code, stdout.as_str(), stderr.as_str()), (2, "", message));
    }
}
