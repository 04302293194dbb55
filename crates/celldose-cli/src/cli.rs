//! The command line: every flag, with its help text beside its definition.
//!
//! Values arrive as the strings the user typed; `request.rs` turns them into the library's typed
//! request, so every refusal comes from the same parsers a library caller uses.
//!
//! Longer than most files (some 640 lines) because clap derives the whole command line from these
//! types, and each flag's help sits beside its definition; the long help each command ends with
//! is in `help.rs`.

use crate::deferred::Deferred;
use crate::help::{
    BATCH_HELP, CHECK_HELP, DOSE_HELP, ESCALATION_HELP, GENERATE_HELP, LISTING_HELP, PREPARE_HELP,
    SERVE_HELP, TOP_HELP, VALIDATE_HELP, VERIFY_HELP,
};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Compute a patient's cell-therapy dose and check it against the trial protocol.
#[derive(Debug, Parser)]
#[command(name = "celldose", version, after_help = TOP_HELP, arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Add the protocols in this file (TOML, see docs/protocol-format.md) to the built-in ones.
    /// May be repeated. An id already defined, built in or in another file, is an error.
    #[arg(long = "protocol-file", value_name = "PATH", global = true)]
    pub protocol_files: Vec<std::path::PathBuf>,

    /// The site's trial state (TOML, see docs/trial-state.md): which escalation steps are open,
    /// each with the decision that opened it. Without it, a dose above an escalation start needs
    /// --acknowledge; with it, a dose above the highest open step is outside the protocol.
    #[arg(long = "trial-state", value_name = "PATH", global = true)]
    pub trial_state: Option<std::path::PathBuf>,

    /// Load every `*.toml` file in this directory, in name order, as a protocol file: a site's
    /// own vetted library. Also read from the environment variable CELLDOSE_PROTOCOL_DIR.
    #[arg(
        long = "protocol-dir",
        value_name = "DIR",
        env = "CELLDOSE_PROTOCOL_DIR",
        global = true
    )]
    pub protocol_dir: Option<std::path::PathBuf>,

    /// Leave out the five built-in protocols: run on the site's own files only (from
    /// --protocol-dir or --protocol-file), amended versions of the built-in ones included.
    #[arg(long = "no-builtin", global = true)]
    pub no_builtin: bool,

    /// The site's audit key (written by `celldose audit keygen`): every record appended to an
    /// audit log carries an HMAC-SHA256 under it, and --given-from-log checks every HMAC before
    /// it trusts the log.
    #[arg(long = "audit-key", value_name = "FILE", global = true)]
    pub audit_key: Option<std::path::PathBuf>,

    /// The user this command's audit records name, recorded as claimed: the command line cannot
    /// check it (the page checks a password where it serves --users). Default: the account the
    /// command runs as.
    #[arg(long, value_name = "NAME", global = true)]
    pub user: Option<String>,
}

/// What celldose is asked to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the protocols, built in and loaded with --protocol-file: id, title, arms and levels.
    #[command(after_help = LISTING_HELP)]
    Protocols(Deferred<OutputArgs>),
    /// Show one protocol in full: arms, levels, windows, and the source record's dose sentence.
    #[command(after_help = LISTING_HELP)]
    Show(Deferred<ShowArgs>),
    /// Compute a patient's dose and whether it is inside the protocol.
    #[command(after_help = DOSE_HELP)]
    Dose(Deferred<DoseArgs>),
    /// Check a delivered cell count against the patient's dose and the protocol.
    #[command(after_help = CHECK_HELP)]
    Check(Deferred<CheckArgs>),
    /// Turn the patient's dose into a volume of product to draw, and check what that volume
    /// delivers.
    #[command(after_help = PREPARE_HELP)]
    Prepare(Deferred<PrepareArgs>),
    /// Check a whole dispensing log in one pass: one output record per CSV row, in order.
    #[command(after_help = BATCH_HELP)]
    Batch(Deferred<BatchArgs>),
    /// What the protocol's escalation rule (3+3 or BOIN) recommends for the next cohort, from
    /// the cohort outcomes in the trial state file; never opens a level.
    #[command(after_help = ESCALATION_HELP)]
    Escalation(Deferred<EscalationArgs>),
    /// Independently double-check a recorded check or preparation: work it out again from the
    /// sources, with the same options as the original command, and compare every figure.
    #[command(after_help = VERIFY_HELP)]
    Verify(Deferred<VerifyArgs>),
    /// Work with audit logs.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The people who prepare and check doses: add, list, remove, set a password.
    #[command(subcommand)]
    User(crate::user_args::UserCommand),
    /// Check protocol files strictly, without using them: exit 0 if every file is valid, 2 if not.
    #[command(after_help = VALIDATE_HELP)]
    Validate(Deferred<ValidateArgs>),
    /// Serve a local web page for the pharmacy counter: forms for dose, check and prepare, the
    /// results with a printable worksheet, every protocol in full, and a JSON API.
    #[command(after_help = SERVE_HELP)]
    Serve(Deferred<ServeArgs>),
    /// Print a shell completion script: bash, zsh, fish, powershell or elvish.
    #[command(after_help = GENERATE_HELP)]
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), for `man -l` or a man directory.
    #[command(after_help = GENERATE_HELP)]
    Man,
}

/// `celldose verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The sequence number of the check or prepare record to verify.
    #[arg(long, value_name = "SEQ")]
    pub record: u64,

    /// Check the verifier's password against this users file (asked for on the terminal, or
    /// read from standard input): the record then names them as signed in, with their role,
    /// which must be pharmacist. Without it, the verifier is --user (or this account), as
    /// claimed.
    #[arg(long, value_name = "FILE")]
    pub users: Option<std::path::PathBuf>,

    /// The options of the original check or prepare, as given there (--protocol, --weight,
    /// --cells or --product, …, and --audit-log FILE, the log that holds the record).
    #[arg(
        value_name = "OPTIONS",
        trailing_var_arg = true,
        allow_hyphen_values = true,
        num_args = 1..
    )]
    pub original: Vec<String>,
}

/// `celldose prepare`.
#[derive(Debug, Args)]
pub struct PrepareArgs {
    #[command(flatten)]
    pub dose: DoseArgs,

    /// Nucleated-cell concentration from the product certificate: 2.5e6/mL, 2.5e9/L.
    #[arg(
        long,
        value_name = "CONC",
        allow_hyphen_values = true,
        required_unless_present_any = ["product", "viable_concentration"],
        conflicts_with_all = ["product", "viable_concentration"]
    )]
    pub concentration: Option<String>,

    /// Viable-cell concentration, where the certificate states viable cells per mL: the
    /// viability (still required, and reported) is then not applied again.
    #[arg(
        long = "viable-concentration",
        value_name = "CONC",
        allow_hyphen_values = true,
        conflicts_with = "product"
    )]
    pub viable_concentration: Option<String>,

    /// Percentage of cells alive, from the certificate: 95%.
    #[arg(
        long,
        value_name = "PCT",
        allow_hyphen_values = true,
        required_unless_present = "product",
        conflicts_with = "product"
    )]
    pub viability: Option<String>,

    /// Percentage of cells carrying the active marker (CAR-positive, CD34-positive), where the
    /// certificate states one. Default: all of them.
    #[arg(
        long,
        value_name = "PCT",
        allow_hyphen_values = true,
        conflicts_with = "product"
    )]
    pub positive: Option<String>,

    /// Volume of product available: 68mL, 0.068L.
    #[arg(
        long,
        value_name = "VOLUME",
        allow_hyphen_values = true,
        required_unless_present = "product",
        conflicts_with = "product"
    )]
    pub available: Option<String>,

    #[command(flatten)]
    pub from: ProductArgs,

    /// The smallest volume that can be measured; the volume is a whole number of these.
    #[arg(
        long,
        value_name = "VOLUME",
        default_value = "0.1mL",
        allow_hyphen_values = true
    )]
    pub step: String,

    /// The allowed deviation of the delivered dose from a single target dose, e.g. 10%.
    /// Required where there is one target and the protocol states no tolerance of its own.
    #[arg(long, value_name = "PCT", allow_hyphen_values = true)]
    pub tolerance: Option<String>,
}

/// How `celldose batch` writes its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BatchOutput {
    /// One JSON object per line.
    Jsonl,
    /// CSV with a fixed header.
    Csv,
    /// One FHIR R4B resource per line (NDJSON): MedicationRequest for a dose row,
    /// MedicationAdministration for a check row, OperationOutcome for a refused row.
    Fhir,
}

/// `celldose batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The log to read, or `-` for standard input.
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub input: std::path::PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = BatchOutput::Jsonl)]
    pub format: BatchOutput,

    /// Write every byte of every record and message in ASCII: exponents as `10^9`, `×` as `x`.
    #[arg(long)]
    pub ascii: bool,

    /// Append one audit record per row to this tamper-evident log (the rows are then computed
    /// on one thread, each record appended in order).
    #[arg(long = "audit-log", value_name = "FILE")]
    pub audit_log: Option<std::path::PathBuf>,

    /// How many threads compute rows: 1 to 256. Default: one per core. The output is the same,
    /// byte for byte and in input order, whatever the number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,

    /// With --format fhir: when the checked rows' cells were given, as an instant with its
    /// offset or a date; the time of the run by default.
    #[arg(long = "administered-at", value_name = "TIME")]
    pub administered_at: Option<String>,
}

/// `celldose escalation`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct EscalationArgs {
    #[command(subcommand)]
    pub table: Option<EscalationTable>,

    /// The protocol whose escalation rule and levels are used; its outcomes come from the
    /// trial state file (--trial-state).
    #[arg(long, value_name = "ID", conflicts_with = "levels")]
    pub protocol: Option<String>,

    /// The arm whose regimen escalates, where the protocol has more than one.
    #[arg(long, value_name = "ARM", requires = "protocol")]
    pub arm: Option<String>,

    /// The rule: 3+3 or boin. Taken from the protocol where it names one.
    #[arg(long, value_name = "DESIGN")]
    pub design: Option<String>,

    /// The 3+3 variant: standard (stop and recommend the level below once a level has 2 DLTs)
    /// or deescalate (expand the level below to 6 before declaring it the maximum tolerated
    /// dose). Taken from the protocol where it names one.
    #[arg(long, value_name = "VARIANT")]
    pub variant: Option<String>,

    /// BOIN's target DLT rate, e.g. 0.3.
    #[arg(long, value_name = "RATE")]
    pub target: Option<String>,

    /// BOIN's cohort size (3 by default).
    #[arg(long = "cohort-size", value_name = "N")]
    pub cohort_size: Option<u32>,

    /// BOIN's maximum sample size: the trial stops when it is reached.
    #[arg(long = "max-n", value_name = "N")]
    pub max_n: Option<u32>,

    /// Without a protocol: how many levels the ladder has.
    #[arg(long, value_name = "N", requires = "outcomes")]
    pub levels: Option<u32>,

    /// Without a protocol: the outcomes, as in '1NNN 2NTN' (level, then N or T per patient).
    #[arg(
        long,
        value_name = "COHORTS",
        requires = "levels",
        allow_hyphen_values = true
    )]
    pub outcomes: Option<String>,

    /// The dose selected at the end of the trial (BOIN: the isotonic estimate closest to the
    /// target) instead of the next cohort's.
    #[arg(long = "final")]
    pub final_selection: bool,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `celldose escalation boundaries`.
#[derive(Debug, Subcommand)]
pub enum EscalationTable {
    /// BOIN's count table: for each number treated, the DLT counts that escalate,
    /// de-escalate and eliminate.
    Boundaries {
        /// The rule: boin.
        #[arg(long, value_name = "DESIGN")]
        design: String,
        /// The target DLT rate, e.g. 0.3.
        #[arg(long, value_name = "RATE")]
        target: String,
        /// The cohort size.
        #[arg(long = "cohort-size", value_name = "N", default_value_t = 3)]
        cohort_size: u32,
        /// The largest number treated in the table.
        #[arg(long = "max-n", value_name = "N", default_value_t = 30)]
        max_n: u32,
        #[command(flatten)]
        output: OutputArgs,
    },
}

/// `celldose audit`.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check an audit log's hash chain: exit 0 when intact, 1 naming the first line that was
    /// altered, removed or reordered (or, with --key, whose HMAC is missing or wrong), 2 when it
    /// cannot be read.
    Verify {
        /// The audit log to check.
        #[arg(value_name = "FILE")]
        file: std::path::PathBuf,

        /// The site's audit key file: every record must carry a matching HMAC. Without it the
        /// chain proves integrity against accident, not against someone who can rewrite the file.
        #[arg(long, value_name = "KEY")]
        key: Option<std::path::PathBuf>,

        /// Write every byte of the output in ASCII.
        #[arg(long)]
        ascii: bool,
    },
    /// Write a new site audit key (32 random bytes from the operating system, as hex) to a new
    /// file readable by its owner only; an existing file is never overwritten.
    Keygen {
        /// The key file to create.
        #[arg(value_name = "FILE")]
        file: std::path::PathBuf,
    },
}

/// `celldose validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The protocol files and product files to check (a product file is told by its [[bag]]
    /// tables); with --trial-state, the trial state file is checked too, against these protocols
    /// and the built-in ones.
    #[arg(value_name = "FILE")]
    pub files: Vec<std::path::PathBuf>,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// How results are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Words and grouped digits for a person.
    Text,
    /// One JSON object; every exact number is a string.
    Json,
    /// One HL7 FHIR R4B resource (dose: MedicationRequest; check: MedicationAdministration;
    /// prepare: MedicationDispense), counts in UCUM `10*6{cells}`; docs/fhir.md.
    Fhir,
}

/// Flags every command takes.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Write every byte in ASCII, quotes and messages included: exponents as `1.16 x 10^9`
    /// instead of `1.16 × 10⁹` (never `109`), `×` as `x`, `≤` as `<=`, for systems that may lose
    /// non-ASCII characters. The grouped digits are always written too.
    #[arg(long)]
    pub ascii: bool,
}

impl Cli {
    /// Where the protocols and the trial state come from.
    pub fn library(&self) -> celldose::regimen::Library {
        let mut library = if self.no_builtin {
            celldose::regimen::Library::empty()
        } else {
            celldose::regimen::Library::builtin()
        };
        if let Some(dir) = &self.protocol_dir {
            library = library.with_dir(dir);
        }
        for file in &self.protocol_files {
            library = library.with_file(file);
        }
        if let Some(state) = &self.trial_state {
            library = library.with_trial_state(state);
        }
        library
    }

    /// The output flags of a command that writes a result or a listing.
    fn output(&self) -> Option<&OutputArgs> {
        match &self.command {
            Command::Protocols(Deferred(output))
            | Command::Validate(Deferred(ValidateArgs { output, .. })) => Some(output),
            Command::Show(args) => Some(&args.output),
            Command::Dose(args) => Some(&args.output),
            Command::Check(args) => Some(&args.dose.output),
            Command::Prepare(args) => Some(&args.dose.output),
            Command::Escalation(args) => match &args.table {
                Some(EscalationTable::Boundaries { output, .. }) => Some(output),
                None => Some(&args.output),
            },
            Command::Batch(_)
            | Command::Audit(_)
            | Command::User(_)
            | Command::Verify(_)
            | Command::Completions { .. }
            | Command::Man
            | Command::Serve(_) => None,
        }
    }

    /// Whether `--ascii` was given to the command.
    pub fn ascii(&self) -> bool {
        match &self.command {
            Command::Batch(args) => args.ascii,
            Command::Audit(AuditCommand::Verify { ascii, .. }) => *ascii,
            Command::Audit(AuditCommand::Keygen { .. }) | Command::User(_) => false,
            _ => self.output().is_some_and(|output| output.ascii),
        }
    }

    /// Whether the command writes JSON.
    pub fn json(&self) -> bool {
        self.output()
            .is_some_and(|output| matches!(output.format, Format::Json | Format::Fhir))
    }
}

/// `celldose serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port to listen on.
    #[arg(long, value_name = "PORT", default_value_t = 8080)]
    pub port: u16,

    /// The address to listen on: 127.0.0.1, this machine only, unless another is named here. An
    /// address other machines can reach needs --users, --tls-cert and --tls-key.
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    pub listen: std::net::IpAddr,

    /// Serve the users in this file only (made with celldose user add): every page needs a
    /// signed-in user, every API call HTTP Basic credentials, and every record names the user.
    #[arg(long, value_name = "FILE")]
    pub users: Option<std::path::PathBuf>,

    /// Serve over TLS with the certificate chain in this PEM file (with --tls-key).
    #[arg(long = "tls-cert", value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,

    /// The private key of --tls-cert, in a PEM file.
    #[arg(long = "tls-key", value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,

    /// Append every calculation made on the page to this tamper-evident audit log.
    #[arg(long = "audit-log", value_name = "FILE")]
    pub audit_log: Option<std::path::PathBuf>,

    /// Another host name the page answers to (as typed in the browser's address bar), beside
    /// the listen address, localhost, 127.0.0.1 and [::1]; may be repeated. A request addressed
    /// to any other host is refused, so a page on another site cannot reach this one by DNS
    /// rebinding.
    #[arg(long = "allowed-host", value_name = "NAME")]
    pub allowed_hosts: Vec<String>,
}

/// `celldose show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The protocol id, e.g. NCT07276568 (any case).
    #[arg(
        value_name = "PROTOCOL",
        required_unless_present = "protocol_flag",
        conflicts_with = "protocol_flag"
    )]
    pub protocol: Option<String>,

    /// The protocol id, as a flag (the same as the positional PROTOCOL).
    #[arg(long = "protocol", id = "protocol_flag", value_name = "ID")]
    pub protocol_flag: Option<String>,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// The patient and the dose asked for: shared by `dose` and `check`.
#[derive(Debug, Args)]
pub struct DoseArgs {
    /// The protocol id, e.g. NCT07276568 (any case).
    #[arg(long, value_name = "ID")]
    pub protocol: String,

    /// The arm. May be left out where every arm of the protocol follows one regimen.
    #[arg(long, value_name = "ARM")]
    pub arm: Option<String>,

    /// A numbered dose level, from 1.
    #[arg(
        long,
        value_name = "N",
        allow_hyphen_values = true,
        conflicts_with = "dose"
    )]
    pub level: Option<String>,

    /// An explicit dose, checked against the protocol: a count (1.5e9, 1.5x10^9) or a dose
    /// per kg (5e7/kg).
    #[arg(long, value_name = "DOSE", allow_hyphen_values = true)]
    pub dose: Option<String>,

    /// Body weight with its unit: 72.5kg, 72500g or 160lb. A bare number is refused. Where the
    /// protocol names the weight that doses (apheresis, screening, ...), it is that weight.
    #[arg(long, value_name = "MASS", allow_hyphen_values = true)]
    pub weight: String,

    /// The patient's (trial subject's) identifier, carried into the result and the audit log,
    /// where --given-from-log finds the earlier infusions of a split dose by it.
    #[arg(long, value_name = "ID")]
    pub patient: Option<String>,

    /// Today's weight, compared with --weight where the protocol names a dosing weight and the
    /// largest change it allows.
    #[arg(
        long = "current-weight",
        value_name = "MASS",
        allow_hyphen_values = true
    )]
    pub current_weight: Option<String>,

    /// Age in years, checked against the protocol's age window in completed years.
    #[arg(
        long,
        value_name = "YEARS",
        allow_hyphen_values = true,
        conflicts_with = "born"
    )]
    pub age: Option<String>,

    /// Date of birth, YYYY-MM-DD: the age is computed in completed years on --on.
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub born: Option<String>,

    /// The dosing date, YYYY-MM-DD: an age from --born is computed on it, and an escalation step
    /// is open only if the trial state records it opened on or before it. Default: today (UTC).
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub on: Option<String>,

    /// Accept the soft findings (past a caution threshold, inside the protocol) for this reason,
    /// which the output records. Hard findings cannot be acknowledged.
    #[arg(long, value_name = "REASON")]
    pub acknowledge: Option<String>,

    /// Append one record of this calculation to a tamper-evident audit log (JSON lines, each with
    /// the SHA-256 of the line before it). Check it with `celldose audit verify`.
    #[arg(long = "audit-log", value_name = "FILE")]
    pub audit_log: Option<std::path::PathBuf>,

    /// How the exact target is rounded to whole cells: one of half-away-from-zero (the
    /// default), half-even, down, up. Whatever the choice, a rounded count is never moved across
    /// a protocol limit.
    #[arg(long, value_name = "RULE", default_value = "half-away-from-zero")]
    pub rounding: String,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// A product file, the bags used from it, and, for a split dose, which infusion this is.
#[derive(Debug, Args)]
pub struct ProductArgs {
    /// A product file (docs/product-format.md): its bags give the count, and the protocol's
    /// limits on viability, volume, DMSO and endotoxin are checked.
    #[arg(long, value_name = "FILE")]
    pub product: Option<std::path::PathBuf>,

    /// The bags used, by id, in order: 1,2 (all of them by default). For check, a bag may
    /// name the volume drawn from it: 1,2=69.6mL.
    #[arg(
        long,
        value_name = "IDS",
        requires = "product",
        allow_hyphen_values = true
    )]
    pub bags: Option<String>,

    /// Which infusion of a split dose this is, from 1.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub infusion: Option<String>,

    /// The counted cells given in the infusions of a split dose before this one.
    #[arg(
        long,
        value_name = "COUNT",
        requires = "infusion",
        allow_hyphen_values = true
    )]
    pub given: Option<String>,

    /// Read what was given before from --audit-log instead: for each earlier infusion, the last
    /// check of it for this --patient under this protocol, which must be within the protocol (a
    /// later outside or refused check is never passed over). The log's whole chain is verified
    /// first, with --audit-key every HMAC too.
    #[arg(
        long = "given-from-log",
        requires = "infusion",
        conflicts_with = "given"
    )]
    pub given_from_log: bool,

    /// DMSO already given to the patient on the day of this infusion (another infusion that
    /// day): 7.7g or 7mL. It is added to the product's against the protocol's daily limit.
    #[arg(
        long = "given-dmso",
        value_name = "AMOUNT",
        requires = "product",
        allow_hyphen_values = true
    )]
    pub given_dmso: Option<String>,

    /// With --format fhir: when the cells were given (check) or are to be given (prepare), as
    /// an instant with its offset (2026-11-30T09:15:00+01:00) or a date (2026-11-30); now by
    /// default.
    #[arg(long = "administered-at", value_name = "TIME")]
    pub administered_at: Option<String>,

    /// An ISBT 128 label scanned from a bag given, as the barcode scanner types it: the DIN
    /// (=W12342600041700), the product code (=<S1234V01), the expiry (=>cyyjjj or
    /// &>cyyjjjhhmm). May be repeated; then the DIN and every bag given must be scanned.
    #[arg(
        long,
        value_name = "SCAN",
        requires = "product",
        allow_hyphen_values = true
    )]
    pub scan: Vec<String>,

    /// When thawing was complete, RFC 3339 with its UTC offset (2026-12-05T14:30:00+01:00).
    #[arg(long = "thawed-at", value_name = "TIME")]
    pub thawed_at: Option<String>,

    /// When thawing started, where the protocol's thaw clock counts from the start.
    #[arg(long = "thaw-started-at", value_name = "TIME")]
    pub thaw_started_at: Option<String>,

    /// When the infusion starts, RFC 3339 with its UTC offset; now by default. Expiry and the
    /// thaw window are judged at it.
    #[arg(long = "infusion-start", value_name = "TIME")]
    pub infusion_start: Option<String>,
}

impl ProductArgs {
    /// The scans, one a line, as the library reads them.
    pub fn scans(&self) -> String {
        self.scan.join("\n")
    }
}

/// `celldose check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub dose: DoseArgs,

    /// The number of cells delivered: 1.2e9, 1.2x10^9 or 1200000000.
    #[arg(
        long,
        value_name = "COUNT",
        allow_hyphen_values = true,
        required_unless_present = "product",
        conflicts_with = "product"
    )]
    pub cells: Option<String>,

    #[command(flatten)]
    pub from: ProductArgs,

    /// The allowed deviation from a single target dose, e.g. 10%. Required where there is one
    /// target; the source records state none.
    #[arg(long, value_name = "PCT", allow_hyphen_values = true)]
    pub tolerance: Option<String>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Well formed with every command's flags described at once (completions, the manual page)
    /// and with each described only when it runs (reading a command line).
    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
        crate::deferred::defer_each_command(true);
        super::Cli::command().debug_assert();
        crate::deferred::defer_each_command(false);
    }
}
