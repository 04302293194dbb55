//! A request refused: the one line the command line writes on stderr, naming the input, the value
//! and what would be accepted.

/// A refused request: one line naming the flag, the value and what would be accepted.
#[derive(Debug)]
pub struct Refusal(pub String);

impl From<celldose::Error> for Refusal {
    fn from(error: celldose::Error) -> Self {
        Self(in_flags(&error))
    }
}

/// The library's message, with the inputs it speaks of named as this command line's flags.
fn in_flags(error: &celldose::Error) -> String {
    use celldose::{Error, Refusal as Why};
    match error {
        Error::Field { field, error } => format!("{field}: {}", in_flags(error)),
        Error::Refused(Why::AcknowledgementBlank) => "an acknowledgement needs a reason; say why the dose is accepted, as in --acknowledge \"product short, approved by the investigator\"".to_owned(),
        Error::Refused(Why::DesignContradicts { protocol, named }) => format!(
            "protocol {protocol} names its design ({named}); --design must not say otherwise"
        ),
        Error::Refused(Why::DesignRequired { protocol }) => format!(
            "protocol {protocol} names no escalation design; give --design 3+3 or --design boin --target RATE"
        ),
        Error::Refused(Why::OutcomesNeedTrialState) => "escalation --protocol reads the cohort outcomes from the trial state file: give --trial-state FILE".to_owned(),
        other => other.to_string(),
    }
}

impl From<celldose::escalation::Error> for Refusal {
    fn from(error: celldose::escalation::Error) -> Self {
        Self(error.to_string())
    }
}

/// A path as shown in messages: any control character in it escaped.
pub fn display_name(path: &std::path::Path) -> String {
    celldose::text::inert(&path.display().to_string()).into_owned()
}
