//! What an audit record proves and when it exists: a keyed chain that a rewrite without the key
//! cannot pass, records synced to disk before any result is shown (watched with strace), and
//! `--given-from-log` that reads the last record of each infusion, never an earlier one.

use std::path::{Path, PathBuf};

use crate::run;

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("celldose-cli-record-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn example(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(path)
        .display()
        .to_string()
}

/// A check of infusion `infusion` of DEMO-SPLIT for patient S-014 at 60 kg; its target for
/// infusion 1 is 6 × 10⁷ (±10 %).
fn split_check<'a>(
    split: &'a str,
    log: &'a str,
    infusion: &'a str,
    cells: &'a str,
) -> Vec<&'a str> {
    vec![
        "--protocol-file",
        split,
        "check",
        "--protocol",
        "DEMO-SPLIT",
        "--weight",
        "60kg",
        "--patient",
        "S-014",
        "--infusion",
        infusion,
        "--cells",
        cells,
        "--audit-log",
        log,
    ]
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Rewrites a log as someone who can write the file but has no key would: `keep` picks the
/// lines kept, which are renumbered and re-hashed so that the plain chain holds again.
fn rewrite_without_key(log: &Path, keep: impl Fn(&serde_json::Value) -> bool) {
    let text = std::fs::read_to_string(log).unwrap();
    let mut previous = "0".repeat(64);
    let mut out = String::new();
    let mut seq = 0;
    for line in text.lines() {
        let mut record: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(line).unwrap();
        if !keep(&serde_json::Value::Object(record.clone())) {
            continue;
        }
        seq += 1;
        let hmac = record.remove("hmac_sha256");
        record.remove("sha256");
        record.insert("seq".into(), seq.into());
        record.insert("previous_sha256".into(), previous.clone().into());
        // Fields in the order celldose writes them: serde_json's map keeps insertion order only
        // with its preserve_order feature, so the line is written by hand.
        let order = [
            "seq",
            "time",
            "celldose_version",
            "command",
            "input",
            "result",
            "previous_sha256",
        ];
        let body: Vec<String> = order
            .iter()
            .map(|key| format!("{}:{}", serde_json::to_string(key).unwrap(), record[*key]))
            .collect();
        let body = format!("{{{}}}", body.join(","));
        let own = sha256_hex(body.as_bytes());
        let mut line = format!("{},\"sha256\":\"{own}\"", &body[..body.len() - 1]);
        // The old HMAC is kept: without the key no new one can be made.
        if let Some(hmac) = hmac {
            line.push_str(&format!(",\"hmac_sha256\":{hmac}"));
        }
        line.push('}');
        previous = sha256_hex(line.as_bytes());
        out.push_str(&line);
        out.push('\n');
    }
    std::fs::write(log, out).unwrap();
}

#[test]
fn a_keyed_log_rewritten_without_the_key_fails_verify_and_is_not_trusted() {
    let dir = scratch("keyed");
    let key = dir.join("site.key");
    let key_arg = key.display().to_string();
    let log = dir.join("audit.jsonl");
    let log_arg = log.display().to_string();
    let (code, stdout, stderr) = run(&["audit", "keygen", &key_arg]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("a new audit key"), "{stdout}");
    let text = std::fs::read_to_string(&key).unwrap();
    assert_eq!(text.trim_end().len(), 64);
    assert!(text.trim_end().chars().all(|c| c.is_ascii_hexdigit()));
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
    }
    // A key is never overwritten.
    let (code, _, stderr) = run(&["audit", "keygen", &key_arg]);
    assert_eq!(code, 2);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&key).unwrap(), text);
    // Infusion 1 checked within, then again outside: two keyed records.
    let split = example("protocols/split-dose.toml");
    let keyed = |infusion: &'static str, cells: &'static str| {
        let mut args = vec!["--audit-key", key_arg.as_str()];
        args.extend(split_check(&split, &log_arg, infusion, cells));
        run(&args).0
    };
    assert_eq!(keyed("1", "6e7"), 0);
    assert_eq!(keyed("1", "9e7"), 1);
    let (code, stdout, _) = run(&["audit", "verify", &log_arg, "--key", &key_arg]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("intact, 2 records, each with an HMAC that matches the key"),
        "{stdout}"
    );
    // Someone drops the outside record and recomputes every hash.
    rewrite_without_key(&log, |record| record["result"]["verdict"] != "outside");
    let (code, stdout, _) = run(&["audit", "verify", &log_arg]);
    assert_eq!(code, 0, "the plain chain holds again: {stdout}");
    assert!(
        stdout.contains(
            "proves integrity against accident, not against someone who can rewrite the file"
        ),
        "{stdout}"
    );
    let (code, stdout, _) = run(&["audit", "verify", &log_arg, "--key", &key_arg]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("line 1: its HMAC does not match the key"),
        "{stdout}"
    );
    // With the key, --given-from-log does not trust the rewrite.
    let mut args = vec!["--audit-key", key_arg.as_str()];
    args.extend(split_check(&split, &log_arg, "2", "1.8e8"));
    args.push("--given-from-log");
    let (code, stdout, stderr) = run(&args);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(stderr.contains("its chain does not hold"), "{stderr}");
    // A record added without the key is found too.
    let unkeyed = split_check(&split, &log_arg, "1", "6e7");
    std::fs::remove_file(&log).unwrap();
    let mut args = vec!["--audit-key", key_arg.as_str()];
    args.extend(unkeyed.iter().copied());
    assert_eq!(run(&args).0, 0);
    assert_eq!(run(&unkeyed).0, 0);
    let (code, stdout, _) = run(&["audit", "verify", &log_arg, "--key", &key_arg]);
    assert_eq!(code, 1);
    assert!(stdout.contains("line 2: it carries no HMAC"), "{stdout}");
    // A key file that is not one is refused.
    std::fs::write(dir.join("bad.key"), "not a key\n").unwrap();
    let (code, _, stderr) = run(&[
        "audit",
        "verify",
        &log_arg,
        "--key",
        dir.join("bad.key").to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("does not hold a key"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_later_check_of_an_infusion_is_never_hidden_behind_an_earlier_one() {
    let dir = scratch("later");
    let log = dir.join("audit.jsonl").display().to_string();
    let split = example("protocols/split-dose.toml");
    // Infusion 1 within at 6 × 10⁷, then checked again at 9 × 10⁷: outside.
    assert_eq!(run(&split_check(&split, &log, "1", "6e7")).0, 0);
    assert_eq!(run(&split_check(&split, &log, "1", "9e7")).0, 1);
    let mut second = split_check(&split, &log, "2", "1.8e8");
    second.push("--given-from-log");
    let (code, stdout, stderr) = run(&second);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(
        stderr.contains("the last record of infusion 1 (record 2) is outside the protocol"),
        "{stderr}"
    );
    assert!(
        stderr.contains("give what was given before as a count instead"),
        "{stderr}"
    );
    // A refused check of the infusion is its last record too. (Record 3 is the refused request
    // above: every request is recorded, refused or not.)
    assert_eq!(run(&split_check(&split, &log, "1", "6e7")).0, 0);
    assert_eq!(run(&split_check(&split, &log, "1", "six")).0, 2);
    let (code, _, stderr) = run(&second);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("the last record of infusion 1 (record 5) was refused"),
        "{stderr}"
    );
    // A batch row that checks infusion 1 again is read like a check.
    let rows = dir.join("rows.csv");
    std::fs::write(
        &rows,
        "protocol,patient,weight,infusion,cells\nDEMO-SPLIT,S-014,60kg,1,6.1e7\n",
    )
    .unwrap();
    let (code, _, stderr) = run(&[
        "--protocol-file",
        &split,
        "batch",
        "--input",
        rows.to_str().unwrap(),
        "--audit-log",
        &log,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let mut json = second.clone();
    json.extend(["--format", "json"]);
    let (code, stdout, stderr) = run(&json);
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["infusion"]["given_before_cells_exact"], "61000000");
    assert!(
        report["findings"].to_string().contains("(audit record 7)"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Runs `celldose args` under strace, tracing `calls`; returns the trace and the exit code.
fn traced(args: &[&str], calls: &str, stdin: Option<&str>) -> (String, i32) {
    let trace = std::env::temp_dir().join(format!(
        "celldose-strace-{}-{}.txt",
        std::process::id(),
        args.len()
    ));
    let mut command = std::process::Command::new("strace");
    command
        .args(["-f", "-e", &format!("trace={calls}"), "-o"])
        .arg(&trace)
        .arg(assert_cmd::cargo::cargo_bin("celldose"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if stdin.is_some() {
        command.stdin(std::process::Stdio::piped());
    }
    let mut child = command.spawn().unwrap();
    if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
        use std::io::Write;
        input.write_all(text.as_bytes()).unwrap();
    }
    let code = child.wait().unwrap().code().unwrap_or(-1);
    let text = std::fs::read_to_string(&trace).unwrap();
    std::fs::remove_file(&trace).ok();
    (text, code)
}

/// Whether strace can run here; without it the test fails where `.ci/run` asks for it.
fn strace_present() -> bool {
    let present = std::process::Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        assert!(
            std::env::var_os("CELLDOSE_REQUIRE_STRACE").is_none(),
            "strace is required here: apt-get install strace"
        );
        eprintln!("durability test not run: strace is missing (apt-get install strace)");
    }
    present
}

/// The index of the first line of `trace` that holds all of `words`.
fn first(trace: &str, words: &[&str]) -> Option<usize> {
    trace
        .lines()
        .position(|line| words.iter().all(|w| line.contains(w)))
}

#[test]
fn a_record_is_synced_to_disk_before_its_result_is_written() {
    if !strace_present() {
        return;
    }
    let dir = scratch("synced");
    let log = dir.join("audit.jsonl").display().to_string();
    let (trace, code) = traced(
        &[
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
        ],
        "fdatasync,fsync,write",
        None,
    );
    assert_eq!(code, 0, "{trace}");
    let synced = first(&trace, &["fdatasync("]).expect("the record is synced");
    let shown = first(&trace, &["write(1,"]).expect("the result is written");
    assert!(
        synced < shown,
        "synced at line {synced}, shown at {shown}:\n{trace}"
    );
    // A batch syncs its block's records before it writes the block's output.
    let (trace, code) = traced(
        &["batch", "--audit-log", &log],
        "fdatasync,fsync,write",
        Some("protocol,arm,level,weight\nNCT07276568,alf,1,72.5kg\nNCT07276568,alf,1,80kg\n"),
    );
    assert_eq!(code, 0, "{trace}");
    let synced = first(&trace, &["fdatasync("]).expect("the records are synced");
    let shown = first(&trace, &["write(1,"]).expect("the records are written");
    assert!(
        synced < shown,
        "synced at line {synced}, shown at {shown}:\n{trace}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_page_syncs_a_record_before_it_sends_the_result() {
    use std::io::{BufRead, Read, Write};
    if !strace_present() {
        return;
    }
    let dir = scratch("page");
    let log = dir.join("audit.jsonl");
    let trace = dir.join("trace.txt");
    let mut server = std::process::Command::new("strace")
        .args([
            "-f",
            "-e",
            "trace=fdatasync,fsync,write,writev,sendto,sendmsg",
            "-o",
        ])
        .arg(&trace)
        .arg(assert_cmd::cargo::cargo_bin("celldose"))
        .args(["serve", "--port", "0", "--audit-log"])
        .arg(&log)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(server.stderr.take().unwrap()).lines();
    let line = lines.next().unwrap().unwrap();
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    let body = r#"{"protocol":"NCT07276568","arm":"alf","level":"1","weight":"72.5kg"}"#;
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "POST /api/dose HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    server.kill().ok();
    server.wait().ok();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("celldose-audit-record: 1 "), "{answer}");
    let text = std::fs::read_to_string(&trace).unwrap();
    let synced = first(&text, &["fdatasync("]).expect("the record is synced");
    let sent = first(&text, &["HTTP/1.1 200"]).expect("the answer is sent");
    assert!(
        synced < sent,
        "synced at line {synced}, sent at {sent}:\n{text}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
