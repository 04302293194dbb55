//! The users file: names, roles and argon2id hashes, written atomically and readable by its
//! owner only, and every refusal of a name, a password or a file.

use celldose::users::{PASSWORD_MIN_CHARS, Role, Users};
use celldose::{Error, Refusal};

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("celldose-users-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn users_round_trip_through_a_file_written_whole_and_private() {
    let dir = scratch("round-trip");
    let path = dir.join("users.toml");
    let mut users = Users::from_path(&path).unwrap();
    assert!(users.users().is_empty(), "a file not yet there is no users");
    users
        .add("alice", Role::Pharmacist, "alice's long passphrase")
        .unwrap();
    users
        .add("bob.t", Role::Technician, "bob's long passphrase")
        .unwrap();
    users.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("$argon2id$"), "{text}");
    assert!(!text.contains("passphrase"), "a password is never kept");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // Nothing is left beside the file.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["users.toml"]);
    let mut again = Users::from_path(&path).unwrap();
    assert_eq!(again, users);
    assert_eq!(
        again
            .verify("alice", "alice's long passphrase")
            .map(|u| u.role()),
        Some(Role::Pharmacist)
    );
    assert!(again.verify("alice", "bob's long passphrase").is_none());
    assert!(again.verify("carol", "alice's long passphrase").is_none());
    again
        .set_password("bob.t", "bob's new long passphrase")
        .unwrap();
    again.remove("alice").unwrap();
    again.save(&path).unwrap();
    let last = Users::from_path(&path).unwrap();
    assert!(last.find("alice").is_none());
    assert!(last.verify("bob.t", "bob's new long passphrase").is_some());
    assert!(last.verify("bob.t", "bob's long passphrase").is_none());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_short_password_a_taken_or_bad_name_and_a_missing_user_are_refused() {
    let mut users = Users::default();
    let short = "x".repeat(PASSWORD_MIN_CHARS - 1);
    assert!(matches!(
        users.add("alice", Role::Pharmacist, &short).unwrap_err(),
        Error::Refused(Refusal::PasswordTooShort { chars: 11, min: 12 })
    ));
    users
        .add("alice", Role::Pharmacist, "alice's long passphrase")
        .unwrap();
    assert!(matches!(
        users
            .add("alice", Role::Technician, "another long passphrase")
            .unwrap_err(),
        Error::Refused(Refusal::UserExists { .. })
    ));
    for bad in ["", "al ice", "alice/..", "a\u{1b}[2K", &"a".repeat(65)] {
        assert!(
            matches!(
                users.add(bad, Role::Pharmacist, "a long enough passphrase"),
                Err(Error::Refused(Refusal::UserName { .. }))
            ),
            "{bad:?}"
        );
    }
    assert!(matches!(
        users.remove("carol").unwrap_err(),
        Error::Refused(Refusal::NoSuchUser { .. })
    ));
    assert!(
        users
            .set_password("carol", "a long enough passphrase")
            .is_err()
    );
    assert_eq!(
        "nurse".parse::<Role>().unwrap_err().to_string(),
        "role \"nurse\" is not known; accepted: pharmacist, technician"
    );
}

#[test]
fn a_users_file_that_is_not_one_is_refused_with_the_reason() {
    let good = "format = 1\n[[user]]\nname = \"alice\"\nrole = \"pharmacist\"\npassword_hash = \"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$ZXhhbXBsZWhhc2hleGFtcGxlaGFzaGV4YW1wbGU\"\n";
    assert_eq!(Users::from_toml("u.toml", good).unwrap().users().len(), 1);
    for (text, words) in [
        (
            good.replace("format = 1", "format = 2"),
            "format 2 is not supported",
        ),
        (
            good.replace("alice", "al ice"),
            "user name \"al ice\" is not accepted",
        ),
        (good.replace("$argon2id$", "$argon2i$"), "not argon2id"),
        (good.replace("$argon2id$v=19", "plain"), "not a PHC string"),
        (
            good.replace("pharmacist", "nurse"),
            "role \"nurse\" is not known",
        ),
        (format!("{good}colour = \"red\"\n"), "unknown field"),
        (
            format!("{good}{}", &good["format = 1\n".len()..]),
            "listed twice",
        ),
    ] {
        let error = Users::from_toml("u.toml", &text).unwrap_err().to_string();
        assert!(error.starts_with("users file u.toml: "), "{error}");
        assert!(error.contains(words), "{words}: {error}");
    }
    let error = Users::from_path(std::path::Path::new("/dev/zero")).unwrap_err();
    assert!(error.to_string().contains("not a regular file"), "{error}");
}
