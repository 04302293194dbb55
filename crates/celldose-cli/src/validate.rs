//! `celldose validate`: protocol, product and trial state files checked strictly, each on its own
//! and against the others, without being used; and the report, for a person or in JSON.

use std::fmt::Write as _;

use celldose::Catalogue;
use serde::Serialize;

use crate::cli::{Format, ValidateArgs};
use crate::exit::{EXIT_REFUSED, EXIT_WITHIN};
use crate::refusal::{Refusal, display_name};

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
pub fn validate(
    args: &ValidateArgs,
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
        if is_product_file(path) {
            let result = celldose::Certificate::from_path(path)
                .map_err(Refusal::from)
                .map(Validated::Product);
            results.push((display_name(path), result));
            continue;
        }
        let result = celldose::Protocol::from_path(path).map_err(Refusal::from).and_then(|protocol| {
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
        let result = celldose::TrialState::from_path(path)
            .map_err(Refusal::from)
            .and_then(|state| {
                against.set_trial_state(state.clone())?;
                Ok(Validated::TrialState(state))
            });
        results.push((display_name(path), result));
    }
    let failed = results.iter().any(|(_, result)| result.is_err());
    let text = match args.output.format {
        Format::Text => text(&results),
        Format::Json => json(&results),
        Format::Fhir => return Err(crate::fhir::not_here("validate")),
    };
    Ok((text, if failed { EXIT_REFUSED } else { EXIT_WITHIN }))
}

/// Whether `path` holds a product file rather than a protocol file: a line that is exactly
/// `[[bag]]`, the table only product files have. Only the first bytes a file may have are read.
fn is_product_file(path: &std::path::Path) -> bool {
    use std::io::Read as _;
    let regular = std::fs::metadata(path).is_ok_and(|m| m.is_file());
    let Some(file) = regular.then(|| std::fs::File::open(path).ok()).flatten() else {
        return false;
    };
    let most = u64::try_from(celldose::certificate::PRODUCT_MAX_BYTES).unwrap_or(u64::MAX);
    let mut bytes = Vec::new();
    if file.take(most).read_to_end(&mut bytes).is_err() {
        return false;
    }
    bytes
        .split(|b| *b == b'\n')
        .any(|line| line.trim_ascii() == b"[[bag]]")
}

/// `celldose validate`, for a person.
fn text(results: &[(String, Result<Validated, Refusal>)]) -> String {
    let mut out = String::new();
    for (file, result) in results {
        let _ = match result {
            Ok(Validated::Protocol(protocol, note)) => writeln!(
                out,
                "{file}: valid: {} ({}), sha256 {}{}",
                protocol.id(),
                protocol.version(),
                protocol.sha256(),
                note.as_deref()
                    .map(|note| format!("\n  note: {note}"))
                    .unwrap_or_default()
            ),
            Ok(Validated::Product(product)) => writeln!(
                out,
                "{file}: valid product: {}, {} bag{}, counting {}, sha256 {}",
                product.identity().id(),
                product.bags().len(),
                if product.bags().len() == 1 { "" } else { "s" },
                product.counts().cells_word(),
                product.identity().sha256()
            ),
            Ok(Validated::TrialState(state)) => writeln!(
                out,
                "{file}: valid trial state: {} opened steps, sha256 {}",
                state.openings().len(),
                state.sha256()
            ),
            Err(refusal) => {
                let message = [
                    format!("protocol file {file}: "),
                    format!("trial state file {file}: "),
                    format!("product file {file}: "),
                ]
                .iter()
                .find_map(|prefix| refusal.0.strip_prefix(prefix.as_str()))
                .unwrap_or(&refusal.0);
                writeln!(out, "{file}: invalid: {message}")
            }
        };
    }
    let invalid = results.iter().filter(|(_, r)| r.is_err()).count();
    let _ = writeln!(
        out,
        "{} valid, {invalid} invalid",
        results.len().saturating_sub(invalid)
    );
    out
}

/// `celldose validate --format json`.
fn json(results: &[(String, Result<Validated, Refusal>)]) -> String {
    #[derive(Serialize)]
    struct FileJson<'a> {
        file: &'a str,
        kind: &'static str,
        valid: bool,
        id: Option<&'a str>,
        version: Option<&'a str>,
        sha256: Option<&'a str>,
        note: Option<&'a str>,
        error: Option<&'a str>,
    }
    #[derive(Serialize)]
    struct Report<'a> {
        files: Vec<FileJson<'a>>,
        valid: usize,
        invalid: usize,
    }
    let files: Vec<FileJson<'_>> = results
        .iter()
        .map(|(file, result)| match result {
            Ok(Validated::Protocol(p, note)) => FileJson {
                file,
                kind: "protocol",
                valid: true,
                id: Some(p.id()),
                version: Some(p.version()),
                sha256: Some(p.sha256()),
                note: note.as_deref(),
                error: None,
            },
            Ok(Validated::Product(p)) => FileJson {
                file,
                kind: "product",
                valid: true,
                id: Some(p.identity().id()),
                version: None,
                sha256: Some(p.identity().sha256()),
                note: None,
                error: None,
            },
            Ok(Validated::TrialState(s)) => FileJson {
                file,
                kind: "trial-state",
                valid: true,
                id: None,
                version: None,
                sha256: Some(s.sha256()),
                note: None,
                error: None,
            },
            Err(refusal) => FileJson {
                file,
                kind: if refusal.0.starts_with("trial state file") {
                    "trial-state"
                } else if refusal.0.starts_with("product file") {
                    "product"
                } else {
                    "protocol"
                },
                valid: false,
                id: None,
                version: None,
                sha256: None,
                note: None,
                error: Some(&refusal.0),
            },
        })
        .collect();
    let invalid = files.iter().filter(|f| !f.valid).count();
    crate::json::render(&Report {
        valid: files.len().saturating_sub(invalid),
        invalid,
        files,
    })
}
