//! Text for a person: the library's printout, and the report of `celldose validate`.

use std::fmt::Write as _;

pub use celldose::printout::{check, dose, prepare, protocols, show};

/// A result's text with the audit record that holds it, where one was written: its sequence
/// number and SHA-256 anchor the log on paper.
pub fn with_record(mut text: String, record: Option<&celldose::audit::RecordId>) -> String {
    if let Some(record) = record {
        let _ = writeln!(
            text,
            "  Audit record:     {}, sha256 {}, at {} by celldose {}",
            record.seq(),
            record.sha256(),
            record.time(),
            env!("CARGO_PKG_VERSION")
        );
    }
    text
}

/// `celldose validate`.
pub fn validate(results: &[(String, Result<crate::Validated, crate::request::Refusal>)]) -> String {
    let mut out = String::new();
    for (file, result) in results {
        let _ = match result {
            Ok(crate::Validated::Protocol(protocol, note)) => writeln!(
                out,
                "{file}: valid: {} ({}), sha256 {}{}",
                protocol.id(),
                protocol.version(),
                protocol.sha256(),
                note.as_deref()
                    .map(|note| format!("\n  note: {note}"))
                    .unwrap_or_default()
            ),
            Ok(crate::Validated::Product(product)) => writeln!(
                out,
                "{file}: valid product: {}, {} bag{}, counting {}, sha256 {}",
                product.identity().id(),
                product.bags().len(),
                if product.bags().len() == 1 { "" } else { "s" },
                product.counts().cells_word(),
                product.identity().sha256()
            ),
            Ok(crate::Validated::TrialState(state)) => writeln!(
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
