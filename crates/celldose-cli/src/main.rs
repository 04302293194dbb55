//! `celldose`: the command-line shell over the celldose library.
//!
//! This crate holds only the argument definitions (`cli.rs`), the conversion of what was typed
//! into the library's typed request (`request.rs`), and printing (`text.rs`, `json.rs`). Every
//! number is parsed, computed and checked by the library.

mod cli;
mod escalation;
mod fhir;
mod json;
mod request;
mod text;

use std::io::{self, Write};
use std::process::ExitCode;

use celldose::human::Notation;
use celldose::text::{AsciiTarget, to_ascii};
use celldose::{Catalogue, Verdict};
use clap::Parser;

use crate::cli::{Cli, Command, Format, OutputArgs};
use crate::request::Refusal;

/// The verdict `within`, or a listing that succeeded.
const EXIT_WITHIN: u8 = 0;
/// The verdict `outside`.
const EXIT_OUTSIDE: u8 = 1;
/// The request itself is wrong.
const EXIT_REFUSED: u8 = 2;
/// The verdict `review`: a soft finding not acknowledged.
const EXIT_REVIEW: u8 = 3;
/// No dose was chosen on a range protocol: the result shows the range, and no verdict on a dose.
const EXIT_NO_DOSE: u8 = 4;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // The command line could not be read, so `--ascii` is looked for as typed.
            let ascii = std::env::args_os().any(|arg| arg == "--ascii");
            return clap_error(&error, ascii);
        }
    };
    let ascii = cli.ascii();
    if let Command::Batch(args) = &cli.command {
        return batch(args, &cli.library(), cli.audit_key.as_deref());
    }
    if let Command::Serve(args) = &cli.command {
        return serve(args, &cli.library(), cli.audit_key.as_deref());
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
        return verify(file, key.as_deref(), *ascii);
    }
    if let Command::Audit(cli::AuditCommand::Keygen { file }) = &cli.command {
        return keygen(file);
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

/// Writes one line on stderr and nothing on stdout. The message may quote untrusted text: every
/// library message shows it escaped, and this escapes anything left, so no control character
/// reaches the terminal.
fn refuse(message: &str, ascii: bool) -> ExitCode {
    let message = celldose::text::inert(message);
    let message = if ascii {
        to_ascii(&message, AsciiTarget::Text)
    } else {
        message
    };
    let _ = writeln!(io::stderr().lock(), "celldose: {message}");
    ExitCode::from(EXIT_REFUSED)
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

/// When the cells were or will be given, for `--format fhir`; `--administered-at` is refused
/// with another format, where it would say nothing.
fn administered_at(
    output: &OutputArgs,
    from: &cli::ProductArgs,
) -> Result<celldose::fhir::When, Refusal> {
    if output.format != Format::Fhir && from.administered_at.is_some() {
        return Err(Refusal(
            "--administered-at applies with --format fhir, the only output that records when cells are given".into(),
        ));
    }
    fhir::when(from.administered_at.as_deref())
}

fn notation(output: &OutputArgs) -> Notation {
    if output.ascii {
        Notation::Ascii
    } else {
        Notation::Unicode
    }
}

fn exit_code(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::Within => EXIT_WITHIN,
        Verdict::Review => EXIT_REVIEW,
        Verdict::NoDoseChosen => EXIT_NO_DOSE,
        _ => EXIT_OUTSIDE,
    }
}

/// Runs one command to its full output, so that a refusal leaves stdout empty.
fn run(cli: Cli) -> Result<(String, u8), Refusal> {
    if let Command::Validate(args) = &cli.command {
        return validate(args, &cli.library());
    }
    let catalogue = request::catalogue(&cli.library());
    let key = audit_key(cli.audit_key.as_deref())?;
    let key = key.as_ref();
    match cli.command {
        Command::Protocols(output) => {
            let catalogue = catalogue?;
            let text = match output.format {
                Format::Text => text::protocols(&catalogue, notation(&output)),
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
                Format::Text => text::show(protocol, notation(&args.output)),
                Format::Json => json::show(protocol),
                Format::Fhir => return Err(fhir::not_here("show")),
            };
            Ok((text, EXIT_WITHIN))
        }
        Command::Dose(args) => logged(&args, key, "dose", &[], || {
            let catalogue = catalogue?;
            let (protocol, request) = request::dose_request(&catalogue, &args)?;
            let calculation = protocol.calculate(&request)?;
            let n = notation(&args.output);
            let record = audit(
                &args,
                key,
                "dose",
                &[],
                &celldose::report::DoseReport::new(&calculation, n),
            )?;
            let text = match args.output.format {
                Format::Text => text::with_record(text::dose(&calculation, n), record.as_ref()),
                Format::Json => json::dose(&calculation, n),
                Format::Fhir => fhir::dose(&calculation)?,
            };
            Ok((text, exit_code(calculation.verdict())))
        }),
        Command::Check(args) => {
            let product = args.from.product.as_ref().map(|p| p.display().to_string());
            let extra = [
                ("cells", args.cells.as_deref()),
                ("tolerance", args.tolerance.as_deref()),
                ("product", product.as_deref()),
                ("bags", args.from.bags.as_deref()),
                ("infusion", args.from.infusion.as_deref()),
                ("given", args.from.given.as_deref()),
                ("given-from-log", args.from.given_from_log.then_some("yes")),
                ("given-dmso", args.from.given_dmso.as_deref()),
            ];
            logged(&args.dose, key, "check", &extra, || {
                let catalogue = catalogue?;
                let (protocol, request) = request::dose_request(&catalogue, &args.dose)?;
                let request = request::with_dmso_today(request, &args.from)?;
                let when = administered_at(&args.dose.output, &args.from)?;
                let (delivery, tolerance, course) =
                    request::delivered(&args, protocol, &request, key)?;
                let check = protocol.check_delivery(&request, &delivery, tolerance, course)?;
                let n = notation(&args.dose.output);
                let record = audit(
                    &args.dose,
                    key,
                    "check",
                    &extra,
                    &celldose::report::CheckReport::new(&check, n),
                )?;
                let text = match args.dose.output.format {
                    Format::Text => text::with_record(text::check(&check, n), record.as_ref()),
                    Format::Json => json::check(&check, n),
                    Format::Fhir => fhir::check(&check, when)?,
                };
                Ok((text, exit_code(check.verdict())))
            })
        }
        Command::Prepare(args) => {
            let product = args.from.product.as_ref().map(|p| p.display().to_string());
            let extra = [
                ("concentration", args.concentration.as_deref()),
                ("viable-concentration", args.viable_concentration.as_deref()),
                ("viability", args.viability.as_deref()),
                ("positive", args.positive.as_deref()),
                ("available", args.available.as_deref()),
                ("step", Some(args.step.as_str())),
                ("tolerance", args.tolerance.as_deref()),
                ("product", product.as_deref()),
                ("bags", args.from.bags.as_deref()),
                ("infusion", args.from.infusion.as_deref()),
                ("given", args.from.given.as_deref()),
                ("given-from-log", args.from.given_from_log.then_some("yes")),
                ("given-dmso", args.from.given_dmso.as_deref()),
            ];
            logged(&args.dose, key, "prepare", &extra, || {
                let catalogue = catalogue?;
                let (protocol, request) = request::dose_request(&catalogue, &args.dose)?;
                let request = request::with_dmso_today(request, &args.from)?;
                let when = administered_at(&args.dose.output, &args.from)?;
                let (source, step, tolerance) = request::product(&args, protocol, &request, key)?;
                let n = notation(&args.dose.output);
                match source {
                    request::Source::Flags(product) => {
                        if args.from.infusion.is_some() {
                            return Err(request::Refusal(
                                "--infusion applies to a product file (--product); with --concentration, prepare the volume for this infusion's share as its own dose".into(),
                            ));
                        }
                        let prepared = protocol.prepare(&request, &product, step, tolerance)?;
                        let record = audit(
                            &args.dose,
                            key,
                            "prepare",
                            &extra,
                            &celldose::report::PrepareReport::new(&prepared, n),
                        )?;
                        let text = match args.dose.output.format {
                            Format::Text => {
                                text::with_record(text::prepare(&prepared, n), record.as_ref())
                            }
                            Format::Json => json::prepare(&prepared, n),
                            Format::Fhir => fhir::prepare(&prepared, when)?,
                        };
                        Ok((text, exit_code(prepared.verdict())))
                    }
                    request::Source::Bags(certificate, ids, course) => {
                        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                        let bags = certificate.select(&ids)?;
                        let given = protocol.prepare_from_bags(
                            &request,
                            &certificate,
                            &bags,
                            step,
                            tolerance,
                            course,
                        )?;
                        let record = audit(
                            &args.dose,
                            key,
                            "prepare",
                            &extra,
                            &celldose::report::CheckReport::new(&given, n),
                        )?;
                        let text = match args.dose.output.format {
                            Format::Text => {
                                text::with_record(text::check(&given, n), record.as_ref())
                            }
                            Format::Json => json::check(&given, n),
                            Format::Fhir => fhir::prepared_bags(&given, when)?,
                        };
                        Ok((text, exit_code(given.verdict())))
                    }
                }
            })
        }
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
        | Command::Completions { .. }
        | Command::Man
        | Command::Serve(_) => Ok((String::new(), EXIT_WITHIN)),
    }
}

/// A file `celldose validate` accepted.
pub enum Validated {
    /// A protocol file, with a note where its id is also a built-in protocol's.
    Protocol(Box<celldose::Protocol>, Option<String>),
    /// A trial state file.
    TrialState(celldose::TrialState),
    /// A product file.
    Product(celldose::Certificate),
}

/// `celldose validate`: every file is checked on its own, and against the other files given;
/// all are reported; any invalid one means exit 2. A file whose id is a built-in protocol's is
/// valid, with a note that it needs `--no-builtin` to be used.
fn validate(
    args: &cli::ValidateArgs,
    library: &celldose::regimen::Library,
) -> Result<(String, u8), Refusal> {
    let trial_state = library.trial_state_file();
    if args.files.is_empty() && trial_state.is_none() {
        return Err(Refusal(
            "validate needs a protocol or product file to check, or --trial-state FILE; see celldose validate --help".into(),
        ));
    }
    let builtin = Catalogue::builtin()?;
    let mut loaded = Catalogue::default();
    let mut results = Vec::new();
    let library_files = library.protocol_files()?;
    for path in library_files.iter().chain(&args.files) {
        if request::is_product_file(path) {
            let result = request::load_product(path).map(Validated::Product);
            results.push((display_name(path), result));
            continue;
        }
        let result = request::load(path).and_then(|protocol| {
            loaded
                .add(protocol.clone())
                .map_err(|e| Refusal(format!("protocol file {}: {e}", display_name(path))))?;
            let note = (library.has_builtin() && builtin.find(protocol.id()).is_ok()).then(|| {
                format!(
                    "its id {} is also a built-in protocol's; beside the built-ins it would collide, so use it with --no-builtin",
                    protocol.id()
                )
            });
            Ok(Validated::Protocol(Box::new(protocol), note))
        });
        results.push((display_name(path), result));
    }
    // A trial state is checked against the files above and the built-ins they leave in place.
    if let Some(path) = trial_state {
        let mut against = loaded.clone();
        if library.has_builtin() {
            for protocol in builtin.protocols() {
                if against.find(protocol.id()).is_err() {
                    against.add(protocol.clone())?;
                }
            }
        }
        let result = request::load_trial_state(path).and_then(|state| {
            against.set_trial_state(state.clone())?;
            Ok(Validated::TrialState(state))
        });
        results.push((display_name(path), result));
    }
    let failed = results.iter().any(|(_, result)| result.is_err());
    let text = match args.output.format {
        Format::Text => text::validate(&results),
        Format::Json => json::validate(&results),
        Format::Fhir => return Err(fhir::not_here("validate")),
    };
    Ok((text, if failed { EXIT_REFUSED } else { EXIT_WITHIN }))
}

/// `celldose serve`: the web page, until Ctrl-C.
fn serve(
    args: &cli::ServeArgs,
    library: &celldose::regimen::Library,
    key: Option<&std::path::Path>,
) -> ExitCode {
    // The files are checked now, and read again at every request.
    let live = match library.clone().live() {
        Ok(live) => live,
        Err(error) => return refuse(&error.to_string(), false),
    };
    let mut site = celldose_web::Site::live(live);
    for name in &args.allowed_hosts {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        {
            return refuse(
                &format!(
                    "--allowed-host {}: write a host name as the browser shows it, with an optional port, as in pharmacy.example or pharmacy.example:8080",
                    celldose::text::Shown(name)
                ),
                false,
            );
        }
        site = site.with_allowed_host(name);
    }
    // An audit log that cannot take records is refused now, not at the first calculation.
    if let Some(path) = &args.audit_log {
        let key = match audit_key(key) {
            Ok(key) => key,
            Err(Refusal(message)) => return refuse(&message, false),
        };
        site = match site.with_audit_log(path.clone(), key) {
            Ok(site) => site,
            Err(error) => return refuse(&error.to_string(), false),
        };
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return refuse(&format!("cannot start the server: {error}"), false),
    };
    let address = std::net::SocketAddr::new(args.listen, args.port);
    runtime.block_on(async {
        let listener = match tokio::net::TcpListener::bind(address).await {
            Ok(listener) => listener,
            Err(error) => return refuse(&format!("--listen {address}: cannot be bound: {error}"), false),
        };
        let bound = listener.local_addr().unwrap_or(address);
        let mut err = io::stderr().lock();
        if !args.listen.is_loopback() {
            let _ = writeln!(
                err,
                "celldose serve: warning: listening on {bound}, which other machines can reach; the page has no login, so anyone who can reach it can use it; it answers only requests addressed to this address, the loopback names and --allowed-host names"
            );
        }
        let _ = writeln!(err, "celldose serve: serving http://{bound}/ (Ctrl-C to stop)");
        drop(err);
        let stop = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        match celldose_web::serve(listener, site, stop).await {
            Ok(()) => ExitCode::from(EXIT_WITHIN),
            Err(error) => refuse(&format!("the server stopped: {error}"), false),
        }
    })
}

/// A path as shown in messages: any control character in it escaped.
fn display_name(path: &std::path::Path) -> String {
    celldose::text::inert(&path.display().to_string()).into_owned()
}

/// `celldose batch`: streams records to stdout as rows are read, and a summary to stderr.
fn batch(
    args: &cli::BatchArgs,
    library: &celldose::regimen::Library,
    key: Option<&std::path::Path>,
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
    if args.format != cli::BatchOutput::Fhir && args.administered_at.is_some() {
        return refuse(
            "--administered-at applies with --format fhir, the only output that records when cells are given",
            args.ascii,
        );
    }
    let format = match args.format {
        cli::BatchOutput::Jsonl => BatchFormat::Jsonl,
        cli::BatchOutput::Csv => BatchFormat::Csv,
        cli::BatchOutput::Fhir => match fhir::when(args.administered_at.as_deref()) {
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

/// Appends the calculation to `--audit-log`, if given, before anything is printed: a result that
/// could not be recorded is not shown as if it were.
fn audit<R: serde::Serialize>(
    args: &cli::DoseArgs,
    key: Option<&celldose::audit::AuditKey>,
    command: &str,
    extra: &[(&str, Option<&str>)],
    report: &R,
) -> Result<Option<celldose::audit::RecordId>, Refusal> {
    let Some(path) = &args.audit_log else {
        return Ok(None);
    };
    let typed = [
        ("protocol", Some(args.protocol.as_str())),
        ("arm", args.arm.as_deref()),
        ("level", args.level.as_deref()),
        ("dose", args.dose.as_deref()),
        ("weight", Some(args.weight.as_str())),
        ("age", args.age.as_deref()),
        ("born", args.born.as_deref()),
        ("on", args.on.as_deref()),
        ("acknowledge", args.acknowledge.as_deref()),
        ("rounding", Some(args.rounding.as_str())),
        ("current-weight", args.current_weight.as_deref()),
        ("patient", args.patient.as_deref()),
    ];
    let input: Vec<(&str, &str)> = typed
        .iter()
        .chain(extra)
        .filter_map(|(flag, value)| value.map(|value| (*flag, value)))
        .collect();
    let how = celldose::audit::Appending::default().key(key.cloned());
    let mut log = celldose::audit::AuditLog::open_with(path, &how)?;
    Ok(Some(log.append(command, &input, report)?))
}

/// Runs a calculation and, when it is refused and `--audit-log` is given, records the refusal
/// with the raw inputs, so that the log holds every request, answered or not. A log that cannot
/// take the record leaves the refusal as it was.
fn logged(
    args: &cli::DoseArgs,
    key: Option<&celldose::audit::AuditKey>,
    command: &str,
    extra: &[(&str, Option<&str>)],
    calculate: impl FnOnce() -> Result<(String, u8), Refusal>,
) -> Result<(String, u8), Refusal> {
    let result = calculate();
    if let Err(Refusal(message)) = &result {
        let _ = audit(
            args,
            key,
            command,
            extra,
            &celldose::audit::Refused(message),
        );
    }
    result
}

/// The site's audit key, where `--audit-key` names one.
fn audit_key(path: Option<&std::path::Path>) -> Result<Option<celldose::audit::AuditKey>, Refusal> {
    Ok(path.map(celldose::audit::AuditKey::from_file).transpose()?)
}

/// `celldose audit keygen`: a new key in a new file; exit 0, or 2 when the file exists or
/// cannot be written.
fn keygen(file: &std::path::Path) -> ExitCode {
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
fn verify(file: &std::path::Path, key: Option<&std::path::Path>, ascii: bool) -> ExitCode {
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
