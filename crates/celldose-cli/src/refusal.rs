//! A request refused: the one line the command line writes on stderr, naming the input, the value
//! and what would be accepted.

/// A refused request: one line naming the flag, the value and what would be accepted.
#[derive(Debug)]
pub struct Refusal(pub String);

impl From<celldose::Error> for Refusal {
    fn from(error: celldose::Error) -> Self {
        Self(error.to_string())
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
