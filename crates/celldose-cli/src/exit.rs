//! How a run ends: the exit codes every command shares, and a refusal written as one line on
//! stderr with nothing on stdout.

use std::io::{self, Write};
use std::process::ExitCode;

use celldose::Verdict;
use celldose::text::{AsciiTarget, to_ascii};

/// The verdict `within`, or a listing that succeeded.
pub const EXIT_WITHIN: u8 = 0;
/// The verdict `outside`.
pub const EXIT_OUTSIDE: u8 = 1;
/// The request itself is wrong.
pub const EXIT_REFUSED: u8 = 2;
/// The verdict `review`: a soft finding not acknowledged.
pub const EXIT_REVIEW: u8 = 3;
/// No dose was chosen on a range protocol: the result shows the range, and no verdict on a dose.
pub const EXIT_NO_DOSE: u8 = 4;

/// Writes one line on stderr and nothing on stdout. The message may quote untrusted text: every
/// library message shows it escaped, and this escapes anything left, so no control character
/// reaches the terminal.
pub fn refuse(message: &str, ascii: bool) -> ExitCode {
    let message = celldose::text::inert(message);
    let message = if ascii {
        to_ascii(&message, AsciiTarget::Text)
    } else {
        message
    };
    let _ = writeln!(io::stderr().lock(), "celldose: {message}");
    ExitCode::from(EXIT_REFUSED)
}

/// The exit code of a verdict.
pub fn exit_code(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::Within => EXIT_WITHIN,
        Verdict::Review => EXIT_REVIEW,
        Verdict::NoDoseChosen => EXIT_NO_DOSE,
        _ => EXIT_OUTSIDE,
    }
}
