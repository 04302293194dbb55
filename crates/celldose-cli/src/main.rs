//! `celldose`: the command-line shell over the celldose library.
//!
//! This crate holds only the argument definitions (`cli.rs`, with the long help in `help.rs`, and
//! each command's flags described to clap only when it runs: `deferred.rs`),
//! the typed flags handed to the library's request fields (`request.rs`), one module per command
//! (`calculate.rs` for dose, check and prepare; `batch.rs`, `validate.rs`, `escalation.rs`,
//! `audit.rs`, `users.rs`, `serve.rs`, with `user_args.rs` the flags of `user`), printing (`text.rs`, `json.rs`, `fhir.rs`) and how a run ends
//! (`exit.rs`, `refusal.rs`). Every number is parsed, computed and checked by the library.
//!
//! Each module imports only from those listed before it here, so there are no loops:
//! `deferred`, `cli`/`help`, `refusal`, `exit`, `request`, `text`/`json`/`fhir`, then the commands, then this
//! file, which dispatches.

mod audit;
mod batch;
mod calculate;
mod cli;
mod deferred;
mod escalation;
mod exit;
mod fhir;
mod help;
mod json;
mod refusal;
mod request;
mod serve;
mod text;
mod user_args;
mod users;
mod validate;
mod verify;

use std::io::{self, Write};
use std::process::ExitCode;

use celldose::text::{AsciiTarget, to_ascii};

use crate::cli::{Cli, Command, Format};
use crate::exit::{EXIT_REFUSED, EXIT_WITHIN, refuse};
use crate::refusal::Refusal;

/// The command line, read as `Cli::try_parse` reads it. The parser's description of every command
/// (some thousands of allocations) is not freed here but left to the process's exit, which frees
/// it whole: a command is read once, and freeing it piece by piece cost a tenth of a dose
/// command's instructions.
fn read_command_line() -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    deferred::defer_each_command(true);
    let mut command = Cli::command();
    let cli = match command.try_get_matches_from_mut(std::env::args_os()) {
        Ok(mut matches) => {
            let cli =
                Cli::from_arg_matches_mut(&mut matches).map_err(|error| error.format(&mut command));
            std::mem::forget(matches);
            cli
        }
        Err(error) => Err(error),
    };
    std::mem::forget(command);
    deferred::defer_each_command(false);
    cli
}

fn main() -> ExitCode {
    let cli = match read_command_line() {
        Ok(cli) => cli,
        Err(error) => {
            // The command line could not be read, so `--ascii` is looked for as typed.
            let ascii = std::env::args_os().any(|arg| arg == "--ascii");
            return clap_error(&error, ascii);
        }
    };
    let ascii = cli.ascii();
    if let Command::Batch(args) = &cli.command {
        return batch::run(
            args,
            &cli.library(),
            cli.audit_key.as_deref(),
            cli.user.as_deref(),
        );
    }
    if let Command::Serve(args) = &cli.command {
        return serve::serve(
            args,
            &cli.library(),
            cli.audit_key.as_deref(),
            cli.user.as_deref(),
        );
    }
    match &cli.command {
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut command, "celldose", &mut io::stdout().lock());
            return ExitCode::from(EXIT_WITHIN);
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            let mut page = Vec::new();
            return match clap_mangen::Man::new(command).render(&mut page) {
                Ok(()) => match io::stdout().lock().write_all(&page) {
                    Ok(()) => ExitCode::from(EXIT_WITHIN),
                    Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                        ExitCode::from(EXIT_WITHIN)
                    }
                    Err(error) => refuse(&format!("cannot write the manual page: {error}"), ascii),
                },
                Err(error) => refuse(&format!("cannot render the manual page: {error}"), ascii),
            };
        }
        _ => {}
    }
    if let Command::Audit(cli::AuditCommand::Verify { file, key, ascii }) = &cli.command {
        return audit::verify(file, key.as_deref(), *ascii);
    }
    if let Command::User(command) = &cli.command {
        return users::run(command);
    }
    if let Command::Verify(args) = &cli.command {
        return verify::run(&cli, args);
    }
    if let Command::Audit(cli::AuditCommand::Keygen { file }) = &cli.command {
        return audit::keygen(file);
    }
    let json = cli.json();
    match run(cli) {
        Ok((output, code)) => {
            let output = match (ascii, json) {
                (false, _) => output.into(),
                (true, false) => to_ascii(&output, AsciiTarget::Text),
                (true, true) => to_ascii(&output, AsciiTarget::Json),
            };
            match io::stdout().lock().write_all(output.as_bytes()) {
                Ok(()) => ExitCode::from(code),
                // A reader that stops early (`celldose protocols | head`) is not an error.
                Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(code),
                Err(error) => refuse(&format!("cannot write the result: {error}"), ascii),
            }
        }
        Err(Refusal(message)) => refuse(&message, ascii),
    }
}

/// Help and version go to stdout as usual; every other clap error becomes one line.
fn clap_error(error: &clap::Error, ascii: bool) -> ExitCode {
    use clap::error::ErrorKind;
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion if ascii => {
            let help = error.render().to_string();
            let _ = write!(
                io::stdout().lock(),
                "{}",
                to_ascii(&help, AsciiTarget::Text)
            );
            ExitCode::from(EXIT_WITHIN)
        }
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            ExitCode::from(EXIT_WITHIN)
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            ExitCode::from(EXIT_REFUSED)
        }
        _ => {
            // clap's first paragraph names the problem; its usage lines follow a blank line.
            let rendered = error.render().to_string();
            let paragraph: Vec<&str> = rendered
                .lines()
                .take_while(|line| !line.trim().is_empty())
                .map(str::trim)
                .collect();
            let message = paragraph.join(" ");
            let message = message.strip_prefix("error: ").unwrap_or(&message);
            let tips: Vec<&str> = rendered
                .lines()
                .map(str::trim)
                .filter(|line| line.starts_with("tip:"))
                .collect();
            let tips: String = tips.iter().map(|tip| format!("; {tip}")).collect();
            refuse(&format!("{message}{tips}; see celldose --help"), ascii)
        }
    }
}

/// Runs one command to its full output, so that a refusal leaves stdout empty.
fn run(cli: Cli) -> Result<(String, u8), Refusal> {
    if let Command::Validate(args) = &cli.command {
        return validate::validate(args, &cli.library());
    }
    let catalogue = request::catalogue(&cli.library());
    let key = audit::audit_key(cli.audit_key.as_deref())?;
    let by = audit::recorded_user(cli.user.as_deref())?;
    let recording = calculate::Recording {
        key: key.as_ref(),
        by: by.as_ref(),
    };
    match cli.command {
        Command::Protocols(output) => {
            let catalogue = catalogue?;
            let text = match output.format {
                Format::Text => text::protocols(&catalogue, calculate::notation(&output)),
                Format::Json => json::protocols(&catalogue),
                Format::Fhir => return Err(fhir::not_here("protocols")),
            };
            Ok((text, EXIT_WITHIN))
        }
        Command::Show(args) => {
            let catalogue = catalogue?;
            let id = args
                .protocol
                .as_deref()
                .or(args.protocol_flag.as_deref())
                .unwrap_or_default();
            let protocol = catalogue.find(id)?;
            let text = match args.output.format {
                Format::Text => text::show(protocol, calculate::notation(&args.output)),
                Format::Json => json::show(protocol),
                Format::Fhir => return Err(fhir::not_here("show")),
            };
            Ok((text, EXIT_WITHIN))
        }
        Command::Dose(args) => calculate::dose(catalogue, &args, recording),
        Command::Check(args) => calculate::check(catalogue, &args, recording),
        Command::Prepare(args) => calculate::prepare(catalogue, &args, recording),
        Command::Escalation(args) => {
            let catalogue = match args.protocol {
                Some(_) => Some(catalogue?),
                None => None,
            };
            Ok((escalation::run(&args, catalogue.as_ref())?, EXIT_WITHIN))
        }
        Command::Validate(_)
        | Command::Batch(_)
        | Command::Audit(_)
        | Command::User(_)
        | Command::Verify(_)
        | Command::Completions { .. }
        | Command::Man
        | Command::Serve(_) => Ok((String::new(), EXIT_WITHIN)),
    }
}
