//! `celldose batch`: a whole dispensing log, streamed from its input to stdout, with a summary on
//! stderr.

use std::io::{self, Write};
use std::process::ExitCode;

use celldose::human::Notation;

use crate::audit::{audit_key, recorded_user};
use crate::cli::{BatchArgs, BatchOutput};
use crate::exit::{EXIT_NO_DOSE, EXIT_OUTSIDE, EXIT_REVIEW, EXIT_WITHIN, refuse};
use crate::refusal::{Refusal, display_name};
use crate::{fhir, request};

/// `celldose batch`: streams records to stdout as rows are read, and a summary to stderr.
pub fn run(
    args: &BatchArgs,
    library: &celldose::regimen::Library,
    key: Option<&std::path::Path>,
    user: Option<&str>,
) -> ExitCode {
    use celldose::batch::{self, BatchFormat};
    let catalogue = match request::catalogue(library) {
        Ok(catalogue) => catalogue,
        Err(Refusal(message)) => return refuse(&message, args.ascii),
    };
    let input: Box<dyn io::Read> = if args.input.as_os_str() == "-" {
        if io::IsTerminal::is_terminal(&io::stdin()) {
            let _ = writeln!(
                io::stderr().lock(),
                "celldose batch: reading the log from standard input (end it with Ctrl-D); give --input FILE to read a file"
            );
        }
        Box::new(io::stdin().lock())
    } else {
        match std::fs::File::open(&args.input) {
            Ok(file) => Box::new(file),
            Err(error) => {
                return refuse(
                    &format!(
                        "--input {}: cannot be read: {error}",
                        display_name(&args.input)
                    ),
                    args.ascii,
                );
            }
        }
    };
    if args.format != BatchOutput::Fhir && args.administered_at.is_some() {
        return refuse(
            "--administered-at applies with --format fhir, the only output that records when cells are given",
            args.ascii,
        );
    }
    let format = match args.format {
        BatchOutput::Jsonl => BatchFormat::Jsonl,
        BatchOutput::Csv => BatchFormat::Csv,
        BatchOutput::Fhir => match fhir::when(args.administered_at.as_deref()) {
            Ok(when) => BatchFormat::Fhir(when),
            Err(Refusal(message)) => return refuse(&message, args.ascii),
        },
    };
    let notation = if args.ascii {
        Notation::Ascii
    } else {
        Notation::Unicode
    };
    let key = match audit_key(key) {
        Ok(key) => key,
        Err(Refusal(message)) => return refuse(&message, args.ascii),
    };
    let how = celldose::audit::Appending::default().key(key);
    let mut audit = match args
        .audit_log
        .as_ref()
        .map(|path| celldose::audit::AuditLog::open_with(path, &how))
        .transpose()
    {
        Ok(audit) => audit,
        Err(error) => return refuse(&error.to_string(), args.ascii),
    };
    if let Some(log) = audit.as_mut() {
        match recorded_user(user) {
            Ok(by) => log.sign_as(by),
            Err(Refusal(message)) => return refuse(&message, args.ascii),
        }
    }
    let workers = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        usize::from,
    );
    match batch::run_with_workers(
        &catalogue,
        io::BufReader::with_capacity(1 << 16, input),
        io::stdout().lock(),
        format,
        notation,
        audit.as_mut(),
        workers,
    ) {
        Ok(summary) => {
            let _ = writeln!(io::stderr().lock(), "celldose batch: {summary}");
            let code = if summary.outside > 0 || summary.errors > 0 {
                EXIT_OUTSIDE
            } else if summary.review > 0 {
                EXIT_REVIEW
            } else if summary.no_dose > 0 {
                EXIT_NO_DOSE
            } else {
                EXIT_WITHIN
            };
            ExitCode::from(code)
        }
        // A reader that stops early (`celldose batch | head`) is not an error.
        Err(error) if error.to_string().contains("Broken pipe") => ExitCode::from(EXIT_WITHIN),
        Err(error) => refuse(&error.to_string(), args.ascii),
    }
}
