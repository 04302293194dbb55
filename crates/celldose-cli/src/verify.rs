//! `celldose verify`: the independent double check of a recorded check or preparation. The
//! verifier gives the original command's options again, worked out from the sources; celldose
//! computes again, compares every figure with the record, and records the verification.

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::process::ExitCode;

use celldose::audit::{Preparation, Signer};
use celldose::double_check::DoubleCheck;
use celldose::text::{AsciiTarget, to_ascii};
use clap::Parser as _;

use crate::calculate::{self, Recording, Worked};
use crate::cli::{Cli, Command, Format, VerifyArgs};
use crate::exit::{EXIT_OUTSIDE, exit_code, refuse};
use crate::refusal::Refusal;

/// Runs `celldose verify`: prints the verifier's result and the comparison, or one line on
/// stderr when refused.
pub fn run(outer: &Cli, args: &VerifyArgs) -> ExitCode {
    let ascii = args.original.iter().any(|arg| arg == "--ascii");
    match verify(outer, args) {
        Ok((text, code, json)) => {
            let text = match (ascii, json) {
                (false, _) => text.into(),
                (true, false) => to_ascii(&text, AsciiTarget::Text),
                (true, true) => to_ascii(&text, AsciiTarget::Json),
            };
            match io::stdout().lock().write_all(text.as_bytes()) {
                Ok(()) => ExitCode::from(code),
                Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(code),
                Err(error) => refuse(&format!("cannot write the result: {error}"), ascii),
            }
        }
        Err(Refusal(message)) => refuse(&message, ascii),
    }
}

/// The original command's options read as that command, with the global options given before
/// `verify` added to any given among them.
fn original(outer: &Cli, command: &str, options: &[String]) -> Result<Cli, Refusal> {
    let argv = ["celldose", command]
        .into_iter()
        .map(str::to_owned)
        .chain(options.iter().cloned());
    let mut inner = Cli::try_parse_from(argv).map_err(|error| {
        let rendered = error.render().to_string();
        let first = rendered.lines().next().unwrap_or_default();
        Refusal(format!(
            "the options of the original {command}: {}",
            first.strip_prefix("error: ").unwrap_or(first)
        ))
    })?;
    inner
        .protocol_files
        .extend(outer.protocol_files.iter().cloned());
    inner.no_builtin |= outer.no_builtin;
    inner.protocol_dir = inner
        .protocol_dir
        .take()
        .or_else(|| outer.protocol_dir.clone());
    inner.trial_state = inner
        .trial_state
        .take()
        .or_else(|| outer.trial_state.clone());
    inner.audit_key = inner.audit_key.take().or_else(|| outer.audit_key.clone());
    inner.user = inner.user.take().or_else(|| outer.user.clone());
    Ok(inner)
}

/// The log the record is in: `--audit-log` among the original options.
fn log_named(options: &[String]) -> Result<std::path::PathBuf, Refusal> {
    let mut named = None;
    for (index, option) in options.iter().enumerate() {
        let value = match option.strip_prefix("--audit-log") {
            Some("") => options.get(index.saturating_add(1)).cloned(),
            Some(rest) => rest.strip_prefix('=').map(str::to_owned),
            None => None,
        };
        if let Some(value) = value {
            named = Some(std::path::PathBuf::from(value));
        }
    }
    named.ok_or_else(|| {
        Refusal(
            "--audit-log FILE is needed: the record to verify is read from that log, and the verification is appended to it".into(),
        )
    })
}

/// Who verifies: with `--users`, the user (`--user`) whose password is checked; else `--user`
/// or this account, as claimed.
fn verifier(user: Option<&str>, users: Option<&std::path::Path>) -> Result<Signer, Refusal> {
    let Some(file) = users else {
        return crate::audit::recorded_user(user)?.ok_or_else(|| {
            Refusal(
                "name the verifier with --user NAME: this account has no name a user may have"
                    .into(),
            )
        });
    };
    let name = user.ok_or_else(|| {
        Refusal(
            "--users: name the verifier with --user NAME, whose password is then asked for".into(),
        )
    })?;
    let listed = celldose::users::Users::from_path(file)?;
    let password = crate::users::password_once()?;
    let found = listed.verify(name, &password).ok_or_else(|| {
        Refusal(format!(
            "--user {}: the name or the password is not right; nothing was verified",
            celldose::text::Shown(name)
        ))
    })?;
    Ok(Signer::signed_in(found.name(), found.role().as_str())?)
}

/// The verification, or its refusal recorded in the log where the log is known: the log holds
/// every attempt to verify, answered or not.
fn verify(outer: &Cli, args: &VerifyArgs) -> Result<(String, u8, bool), Refusal> {
    let path = log_named(&args.original)?;
    let result = verify_in(outer, args, &path);
    if let Err(Refusal(message)) = &result {
        let key = crate::audit::audit_key(outer.audit_key.as_deref())
            .ok()
            .flatten();
        let how = celldose::audit::Appending::default().key(key);
        if let Ok(mut log) = celldose::audit::AuditLog::open_with(&path, &how) {
            log.sign_as(
                crate::audit::recorded_user(outer.user.as_deref())
                    .ok()
                    .flatten(),
            );
            let record = args.record.to_string();
            let options = args.original.join(" ");
            let input = [("record", record.as_str()), ("options", options.as_str())];
            let _ = log.append("verify", &input, &celldose::audit::Refused(message));
        }
    }
    result
}

/// The verification: its output, exit code, and whether the output is JSON.
fn verify_in(
    outer: &Cli,
    args: &VerifyArgs,
    path: &std::path::Path,
) -> Result<(String, u8, bool), Refusal> {
    let key = crate::audit::audit_key(outer.audit_key.as_deref())?;
    let preparation = Preparation::read(path, args.record, key.as_ref())
        .map_err(|e| Refusal(format!("--record {}: {e}", args.record)))?;
    let command = preparation.record().command().to_owned();
    let inner = original(outer, &command, &args.original)?;
    let key = crate::audit::audit_key(inner.audit_key.as_deref())?;
    let verifier = verifier(inner.user.as_deref(), args.users.as_deref())?;
    let catalogue = crate::request::catalogue(&inner.library())?;
    let (worked, dose_args, inputs): (Worked, _, Vec<(&str, Option<String>)>) = match &inner.command
    {
        Command::Check(check) => {
            let product = check.from.product.as_ref().map(|p| p.display().to_string());
            let scans = check.from.scans();
            let inputs = calculate::check_inputs(check, product.as_deref(), &scans)
                .into_iter()
                .map(|(name, value)| (name, value.map(str::to_owned)))
                .collect();
            (
                calculate::work_check(&catalogue, check, key.as_ref())?,
                &check.dose,
                inputs,
            )
        }
        Command::Prepare(prepare) => {
            let product = prepare
                .from
                .product
                .as_ref()
                .map(|p| p.display().to_string());
            let scans = prepare.from.scans();
            let inputs = calculate::prepare_inputs(prepare, product.as_deref(), &scans)
                .into_iter()
                .map(|(name, value)| (name, value.map(str::to_owned)))
                .collect();
            (
                calculate::work_prepare(&catalogue, prepare, key.as_ref())?,
                &prepare.dose,
                inputs,
            )
        }
        _ => {
            return Err(Refusal(format!(
                "--record {}: it records {command}, which is not verified",
                args.record
            )));
        }
    };
    if dose_args.output.format == Format::Fhir {
        return Err(Refusal(
            "--format fhir: a verification is written as text or JSON".into(),
        ));
    }
    let check = DoubleCheck::compare(&preparation, &verifier, &command, &worked.report)?;
    let report = check.report(&worked.report);
    let record_seq = args.record.to_string();
    let mut extra: Vec<(&str, Option<&str>)> = vec![("record", Some(record_seq.as_str()))];
    extra.extend(inputs.iter().map(|(name, value)| (*name, value.as_deref())));
    let recording = Recording {
        key: key.as_ref(),
        by: Some(&verifier),
    };
    let record = calculate::audit(
        dose_args,
        recording,
        "verify",
        &extra,
        &report,
        Some(check.stage()),
    )?;
    let code = if check.agrees() {
        exit_code(worked.verdict)
    } else {
        EXIT_OUTSIDE
    };
    if dose_args.output.format == Format::Json {
        let stage = check.stage();
        let text = crate::json::recorded(&report, record.as_ref(), Some(&verifier), Some(&stage));
        return Ok((text, code, true));
    }
    let mut text = String::new();
    if check.agrees() {
        let _ = writeln!(
            text,
            "VERIFIED: the independent double check agrees with record {}",
            check.of().seq()
        );
    } else {
        let _ = writeln!(
            text,
            "DOUBLE-CHECK MISMATCH: nothing is released (hard double-check-mismatch)"
        );
        for difference in check.differences() {
            let _ = writeln!(text, "  {difference}");
        }
    }
    let _ = writeln!(
        text,
        "  Prepared by:      {} at {}, record {}",
        check.prepared_by(),
        check.prepared_at(),
        check.of().seq()
    );
    if let Some(record) = &record {
        let _ = writeln!(
            text,
            "  Checked by:       {} at {}, record {}{}",
            check.verifier(),
            record.time(),
            record.seq(),
            if check.agrees() {
                " (independent double check: agrees)"
            } else {
                " (independent double check: DOES NOT AGREE)"
            }
        );
    }
    text.push('\n');
    text.push_str(&crate::text::with_record(
        worked.text,
        record.as_ref(),
        None,
    ));
    Ok((text, code, false))
}
