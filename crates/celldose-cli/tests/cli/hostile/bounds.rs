//! Input that would exhaust memory or time, or damage a log: `/dev/zero` behind every file flag,
//! a 100 MB line, a log whose tail is broken, a huge value, a batch refused as a whole, a FIFO.

use std::io::Write as _;
use std::time::{Duration, Instant};

use super::scratch;

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
