//! Hostile and mistaken input, command by command: every refusal exits with its documented code,
//! leaves stdout empty, names the real fault, and no output of any command carries a control
//! character that a terminal would act on. `table.rs` holds the inputs side by side with what
//! must come of each; `bounds.rs` the inputs that would exhaust memory or time, or damage a log.

mod bounds;
mod table;

use std::path::{Path, PathBuf};

/// One hostile input and what must come of it.
pub(super) struct Case {
    pub(super) args: Vec<String>,
    pub(super) stdin: Option<Vec<u8>>,
    pub(super) code: i32,
    /// Words stderr must hold (the refusal, or batch's summary).
    pub(super) stderr: &'static str,
    /// Words stdout must hold; when empty, stdout must be empty.
    pub(super) stdout: &'static str,
}

pub(super) fn case(args: &[&str], code: i32, stderr: &'static str) -> Case {
    Case {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        stdin: None,
        code,
        stderr,
        stdout: "",
    }
}

pub(super) fn owned(args: Vec<String>, code: i32, stderr: &'static str) -> Case {
    Case {
        args,
        stdin: None,
        code,
        stderr,
        stdout: "",
    }
}

/// A batch run over `log` on stdin, whose records must hold `stdout`.
pub(super) fn batch(log: &[u8], code: i32, stderr: &'static str, stdout: &'static str) -> Case {
    Case {
        args: vec!["batch".into()],
        stdin: Some(log.to_vec()),
        code,
        stderr,
        stdout,
    }
}

pub(super) fn dose(extra: &[&str]) -> Vec<String> {
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

pub(super) fn check(extra: &[&str]) -> Vec<String> {
    let mut args = dose(&["--weight", "72.5kg"]);
    args[0] = "check".into();
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    args
}

pub(super) fn prepare(extra: &[&str]) -> Vec<String> {
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
pub(super) fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("celldose-hostile-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(super) fn example(name: &str) -> String {
    format!(
        "{}/../../examples/protocols/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Writes `bytes` to `dir/name` and returns the path as a string.
pub(super) fn file(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

/// The example per-kg protocol with one line replaced.
pub(super) fn altered(dir: &Path, name: &str, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(example("per-kg-point.toml")).unwrap();
    assert!(text.contains(from), "{from}");
    file(dir, name, text.replacen(from, to, 1).as_bytes())
}

/// The first control character other than a line feed, if any.
pub(super) fn control(text: &str) -> Option<char> {
    text.chars().find(|c| {
        (c.is_control() && *c != '\n')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

pub(super) fn run_case(case: &Case) -> Result<(), String> {
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
