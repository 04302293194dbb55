//! Text for a person: the library's printout, with the audit record that holds it.

use std::fmt::Write as _;

pub use celldose::printout::{check, dose, prepare, protocols, show};

/// A result's text with the audit record that holds it, where one was written: its sequence
/// number and SHA-256 anchor the log on paper.
pub fn with_record(
    mut text: String,
    record: Option<&celldose::audit::RecordId>,
    by: Option<&celldose::audit::Signer>,
) -> String {
    if let Some(record) = record {
        let _ = writeln!(
            text,
            "  Audit record:     {}, sha256 {}, at {} by celldose {}",
            record.seq(),
            record.sha256(),
            record.time(),
            env!("CARGO_PKG_VERSION")
        );
        if let Some(by) = by {
            let _ = writeln!(text, "  Recorded by:      {by}");
        }
    }
    text
}

/// A check or preparation's text with the line that says it awaits its independent double
/// check, where it was recorded (only a recorded preparation can be verified).
pub fn awaiting_check(mut text: String, record: Option<&celldose::audit::RecordId>) -> String {
    if let Some(record) = record {
        let _ = writeln!(
            text,
            "  Double check:     NOT YET INDEPENDENTLY CHECKED: another pharmacist verifies it with celldose verify --record {}",
            record.seq()
        );
    }
    text
}
