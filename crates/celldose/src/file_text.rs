//! Text in a file a user wrote (a protocol, trial state or product file), checked where it
//! enters, and the place of a span named by line and column: no control or bidirectional
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

/// The 1-based line and column (in characters) of byte `offset` in `text`; shared by every
/// file loader.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count().saturating_add(1);
    let line_start = before
        .rfind('\n')
        .map_or(0, |index| index.saturating_add(1));
    let column = before
        .get(line_start..)
        .map_or(0, |text| text.chars().count())
        .saturating_add(1);
    (line, column)
}
