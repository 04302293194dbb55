//! Text in a protocol or trial state file, checked where it enters: no control or bidirectional
//! character may reach a terminal or a page from a file, whether typed raw or written as a TOML
//! escape (`\u001b`, `\n`).

use serde::de::{Deserialize, Deserializer, Error as _};

use crate::text::{char_name, forbidden_char};

/// Why `value` is refused, or `None` when it is inert.
fn refusal(value: &str) -> Option<String> {
    let (offset, c) = forbidden_char(value)?;
    let position = crate::text::char_position(value, offset);
    Some(format!(
        "the text holds {} at character {position}; control and bidirectional characters are not accepted in a file's text, because they change what a terminal or page shows",
        char_name(c)
    ))
}

/// A string value, refused when it holds a forbidden character (the error carries the value's
/// line and column).
pub(crate) fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let value = String::deserialize(deserializer)?;
    match refusal(&value) {
        Some(message) => Err(D::Error::custom(message)),
        None => Ok(value),
    }
}

/// An optional string value, checked as [`text`].
pub(crate) fn optional_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    text(deserializer).map(Some)
}

/// A list of string values, each checked as [`text`].
pub(crate) fn text_list<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    let values = Vec::<String>::deserialize(deserializer)?;
    match values.iter().find_map(|value| refusal(value)) {
        Some(message) => Err(D::Error::custom(message)),
        None => Ok(values),
    }
}

/// The first forbidden character typed raw in a file, at its byte offset, with the refusal. A
/// line break (`\n` or `\r\n`) and a tab are the only control characters a file may hold raw.
pub(crate) fn raw_refusal(text: &str) -> Option<(usize, String)> {
    let bytes = text.as_bytes();
    text.char_indices()
        .find(|(offset, c)| match c {
            '\n' | '\t' => false,
            '\r' => bytes.get(offset.saturating_add(1)) != Some(&b'\n'),
            c => crate::text::is_forbidden(*c),
        })
        .map(|(offset, c)| {
            (
                offset,
                format!(
                    "the file holds {}; control and bidirectional characters are not accepted in a file, because they change what a terminal or page shows",
                    char_name(c)
                ),
            )
        })
}
