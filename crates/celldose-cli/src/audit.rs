//! `celldose audit`: a new site key, and a log's chain (and keys) verified; and the site key the
//! other commands sign their records with.

use std::io::{self, Write};
use std::process::ExitCode;

use celldose::text::{AsciiTarget, to_ascii};

use crate::exit::{EXIT_OUTSIDE, EXIT_WITHIN, refuse};
use crate::refusal::{Refusal, display_name};

/// The user records name: `--user`, else the account the command runs as (`$USER`, or
/// `$LOGNAME`), each as claimed; none where the account has no name a user may have.
///
/// # Errors
/// A `--user` that is not a user's name.
pub fn recorded_user(user: Option<&str>) -> Result<Option<celldose::audit::Signer>, Refusal> {
    if let Some(name) = user {
        return celldose::audit::Signer::claimed(name)
            .map(Some)
            .map_err(|e| Refusal(format!("--user: {e}")));
    }
    let account = ["USER", "LOGNAME"]
        .into_iter()
        .find_map(|name| std::env::var(name).ok());
    Ok(account.and_then(|name| celldose::audit::Signer::claimed(&name).ok()))
}

/// The site's audit key, where `--audit-key` names one.
pub fn audit_key(
    path: Option<&std::path::Path>,
) -> Result<Option<celldose::audit::AuditKey>, Refusal> {
    Ok(path.map(celldose::audit::AuditKey::from_file).transpose()?)
}

/// `celldose audit keygen`: a new key in a new file; exit 0, or 2 when the file exists or
/// cannot be written.
pub fn keygen(file: &std::path::Path) -> ExitCode {
    match celldose::audit::AuditKey::create(file) {
        Ok(_) => {
            let _ = writeln!(
                io::stdout().lock(),
                "{}: a new audit key, readable by its owner only; keep it apart from the log, and give it with --audit-key when recording and --key when verifying",
                display_name(file)
            );
            ExitCode::from(EXIT_WITHIN)
        }
        Err(error) => refuse(&error.to_string(), false),
    }
}

/// `celldose audit verify`: exit 0 and a line on stdout when the chain holds; 1 and the first
/// broken line on stdout when it does not; 2 and a message on stderr when the log cannot be read.
pub fn verify(file: &std::path::Path, key: Option<&std::path::Path>, ascii: bool) -> ExitCode {
    let name = display_name(file);
    let print = |line: String| {
        let line = if ascii {
            to_ascii(&line, AsciiTarget::Text).into_owned()
        } else {
            line
        };
        let _ = writeln!(io::stdout().lock(), "{line}");
    };
    let key = match audit_key(key) {
        Ok(key) => key,
        Err(Refusal(message)) => return refuse(&message, ascii),
    };
    match std::fs::metadata(file) {
        Ok(metadata) if metadata.is_file() => {}
        Ok(_) => {
            return refuse(
                &format!("audit log {name}: cannot be read: it is not a regular file"),
                ascii,
            );
        }
        Err(error) => return refuse(&format!("audit log {name}: cannot be read: {error}"), ascii),
    }
    let log = match std::fs::File::open(file) {
        Ok(log) => log,
        Err(error) => return refuse(&format!("audit log {name}: cannot be read: {error}"), ascii),
    };
    let checked = match &key {
        Some(key) => celldose::audit::verify_keyed(log, key),
        None => celldose::audit::verify(log),
    };
    match checked {
        Ok(lines) if key.is_some() => {
            print(format!(
                "{name}: intact, {lines} records, each with an HMAC that matches the key: no one without the key rewrote them (records cut from the end are found only against a printed worksheet's record number and SHA-256)"
            ));
            ExitCode::from(EXIT_WITHIN)
        }
        Ok(lines) => {
            print(format!(
                "{name}: intact, {lines} records; without --key this proves integrity against accident, not against someone who can rewrite the file"
            ));
            ExitCode::from(EXIT_WITHIN)
        }
        Err(error @ celldose::Error::AuditChain { .. }) => {
            print(format!("{name}: {error}"));
            ExitCode::from(EXIT_OUTSIDE)
        }
        Err(error) => refuse(&format!("audit log {name}: {error}"), ascii),
    }
}
