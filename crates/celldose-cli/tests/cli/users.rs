//! `celldose user`: add, list, remove and set a password in a users file, with the password read
//! from standard input when it is not a terminal.

use assert_cmd::Command;

fn user(args: &[&str], stdin: &str) -> (i32, String, String) {
    let output = Command::cargo_bin("celldose")
        .unwrap()
        .arg("user")
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn users_are_added_listed_removed_and_given_new_passwords() {
    let dir = std::env::temp_dir().join(format!("celldose-cli-users-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("users.toml");
    let path = file.to_str().unwrap();
    let (code, out, err) = user(
        &["add", "alice", "--role", "pharmacist", "--users", path],
        "alice's long passphrase\n",
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("user alice added, pharmacist"), "{out}");
    // Refusals: a short password, a name taken, a bad name, a role not known.
    for (args, input, words) in [
        (
            vec!["add", "bob", "--role", "technician"],
            "short\n",
            "a password needs at least 12",
        ),
        (
            vec!["add", "alice", "--role", "technician"],
            "another long passphrase\n",
            "user \"alice\" already exists",
        ),
        (
            vec!["add", "b o b", "--role", "technician"],
            "another long passphrase\n",
            "user name \"b o b\" is not accepted",
        ),
        (
            vec!["add", "bob", "--role", "nurse"],
            "another long passphrase\n",
            "--role: role \"nurse\" is not known",
        ),
        (vec!["remove", "carol"], "", "there is no user \"carol\""),
        (
            vec!["passwd", "carol"],
            "another long passphrase\n",
            "there is no user \"carol\"",
        ),
    ] {
        let mut all = args.clone();
        all.extend(["--users", path]);
        let (code, out, err) = user(&all, input);
        assert_eq!(code, 2, "{args:?}: {out}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(err.contains(words), "{args:?}: {err}");
    }
    let (code, _, _) = user(
        &["add", "bob", "--role", "technician", "--users", path],
        "bob's long passphrase\n",
    );
    assert_eq!(code, 0);
    let (code, out, _) = user(&["list", "--users", path], "");
    assert_eq!(code, 0);
    assert_eq!(out, "alice  pharmacist\nbob  technician\n2 users\n");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("passphrase") && text.contains("$argon2id$"));
    let (code, _, _) = user(
        &["passwd", "bob", "--users", path],
        "bob's new long passphrase\n",
    );
    assert_eq!(code, 0);
    let users = celldose::users::Users::from_path(&file).unwrap();
    assert!(users.verify("bob", "bob's new long passphrase").is_some());
    let (code, _, _) = user(&["remove", "alice", "--users", path], "");
    assert_eq!(code, 0);
    let (_, out, _) = user(&["list", "--users", path], "");
    assert_eq!(out, "bob  technician\n1 users\n");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn records_name_the_user_given_or_the_account_as_claimed() {
    let dir = std::env::temp_dir().join(format!("celldose-cli-by-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("log.jsonl");
    let log = log.to_str().unwrap();
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
        log,
    ];
    let run = |extra: &[&str], account: Option<&str>| {
        let mut command = Command::cargo_bin("celldose").unwrap();
        command
            .args(dose)
            .args(extra)
            .env_remove("USER")
            .env_remove("LOGNAME");
        if let Some(account) = account {
            command.env("USER", account);
        }
        let output = command.output().unwrap();
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let (code, out, _) = run(&["--user", "carol"], Some("pharmacy01"));
    assert_eq!(code, 0);
    assert!(
        out.contains("  Recorded by:      carol (claimed)\n"),
        "{out}"
    );
    let (code, out, _) = run(&[], Some("pharmacy01"));
    assert_eq!(code, 0);
    assert!(
        out.contains("  Recorded by:      pharmacy01 (claimed)\n"),
        "{out}"
    );
    let (code, out, _) = run(&[], None);
    assert_eq!(code, 0);
    assert!(!out.contains("Recorded by"), "{out}");
    let (code, out, err) = run(&["--user", "car ol"], None);
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains("--user: user name \"car ol\" is not accepted"),
        "{err}"
    );
    let records: Vec<serde_json::Value> = std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // A --user that is not a name is refused before anything is recorded, as an unreadable
    // --audit-key is: the record could not say who made it.
    assert_eq!(records.len(), 3);
    assert_eq!(records[0]["user"], "carol");
    assert_eq!(records[0]["identified"], "claimed");
    assert_eq!(records[1]["user"], "pharmacy01");
    assert!(records[2].get("user").is_none());
    std::fs::remove_dir_all(&dir).unwrap();
}
