//! Untrusted text made inert, and text made ASCII.
//!
//! Every string that comes from a file, a flag, a log row or an audit record may hold characters
//! that a terminal or a page acts on instead of showing: C0 and C1 control characters (an escape
//! sequence can move the cursor and write a false verdict over the real one), DEL, and the
//! bidirectional controls that reorder what is shown. Such text is checked where it enters
//! (`forbidden_char`) and, where it must be echoed back, shown escaped and shortened
//! ([`Shown`]). Refusals name an invisible character by name (`char_name`).
//!
//! [`to_ascii`] writes any output in ASCII without losing a number: `10⁶` becomes `10^6`, never
//! `106`.

use std::borrow::Cow;

/// The most characters of an untrusted value echoed back in a message.
pub const ECHO_MAX_CHARS: usize = 64;

/// Whether `c` may not appear in untrusted text: C0 and C1 controls, DEL, the line and paragraph
/// separators, and the bidirectional marks, embeddings, overrides and isolates.
#[must_use]
pub(crate) fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// The first forbidden character in `text` and its byte offset.
#[must_use]
pub(crate) fn forbidden_char(text: &str) -> Option<(usize, char)> {
    if text.is_ascii() {
        let offset = text.bytes().position(|b| b < 0x20 || b == 0x7f)?;
        return Some((offset, char::from(*text.as_bytes().get(offset)?)));
    }
    text.char_indices().find(|(_, c)| is_forbidden(*c))
}

/// The 1-based position, in characters, of the character at byte `offset` of `text`, for a
/// message that says where a fault is.
#[must_use]
pub(crate) fn char_position(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(0, |before| before.chars().count())
        .saturating_add(1)
}

/// Whether `c` looks like nothing, or like a plain space, on screen: no-break and other
/// typographic spaces, zero-width characters, the soft hyphen and the byte order mark.
#[must_use]
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}' | '\u{00AD}' | '\u{2000}'..='\u{200D}' | '\u{202F}' | '\u{205F}'..='\u{2064}'
            | '\u{3000}' | '\u{FEFF}'
    )
}

/// A character named for a message: `a carriage return (CR, U+000D)`, `a no-break space
/// (U+00A0)`, or the character itself in quotes when it is visible.
#[must_use]
pub(crate) fn char_name(c: char) -> String {
    let code = u32::from(c);
    let named = match c {
        '\0' => "a NUL character (U+0000)",
        '\t' => "a tab (U+0009)",
        '\n' => "a line feed (LF, U+000A)",
        '\r' => "a carriage return (CR, U+000D)",
        '\u{1b}' => "an escape character (ESC, U+001B)",
        '\u{7f}' => "a delete character (DEL, U+007F)",
        '\u{a0}' => "a no-break space (U+00A0)",
        '\u{ad}' => "a soft hyphen (U+00AD)",
        '\u{200B}' => "a zero-width space (U+200B)",
        '\u{200C}' => "a zero-width non-joiner (U+200C)",
        '\u{200D}' => "a zero-width joiner (U+200D)",
        '\u{202F}' => "a narrow no-break space (U+202F)",
        '\u{2009}' => "a thin space (U+2009)",
        '\u{FEFF}' => "a byte order mark (U+FEFF)",
        '\u{2028}' => "a line separator (U+2028)",
        '\u{2029}' => "a paragraph separator (U+2029)",
        '\u{202E}' => "a right-to-left override (U+202E)",
        '\u{202D}' => "a left-to-right override (U+202D)",
        _ => "",
    };
    if !named.is_empty() {
        return named.to_owned();
    }
    if c.is_control() {
        format!("a control character (U+{code:04X})")
    } else if is_forbidden(c) {
        format!("a bidirectional control character (U+{code:04X})")
    } else if is_invisible(c) {
        format!("an invisible space or joiner (U+{code:04X})")
    } else {
        format!("{c:?}")
    }
}

/// An untrusted value as echoed back in a message: in double quotes, with quotes, backslashes,
/// control, bidirectional and invisible characters escaped (`\u{1b}`), and cut after
/// [`ECHO_MAX_CHARS`] characters with the full length in bytes beside it. Ordinary text reads
/// exactly as Rust's `{:?}` would write it.
///
/// ```
/// use celldose::text::Shown;
/// assert_eq!(Shown("72.5\r").to_string(), r#""72.5\r""#);
/// assert_eq!(Shown("ok\u{1b}[4A").to_string(), r#""ok\u{1b}[4A""#);
/// let long = "9".repeat(1000);
/// assert_eq!(Shown(&long).to_string(), format!("\"{}…\" (1000 bytes)", "9".repeat(64)));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a>(pub &'a str);

impl core::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use core::fmt::Write as _;
        f.write_char('"')?;
        let mut chars = self.0.chars();
        for c in chars.by_ref().take(ECHO_MAX_CHARS) {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\t' => f.write_str("\\t")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                c if is_forbidden(c) || is_invisible(c) => write!(f, "\\u{{{:x}}}", u32::from(c))?,
                c => f.write_char(c)?,
            }
        }
        if chars.next().is_some() {
            write!(f, "…\" ({} bytes)", self.0.len())
        } else {
            f.write_char('"')
        }
    }
}

/// Untrusted text that is shown to people: `text` with every forbidden or invisible character
/// escaped as in [`Shown`], without the quotes and without shortening.
///
/// ```
/// assert_eq!(celldose::text::inert("a\u{1b}b"), "a\\u{1b}b");
/// ```
#[must_use]
pub fn inert(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| is_forbidden(c) || is_invisible(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().saturating_add(16));
    for c in text.chars() {
        if is_forbidden(c) || is_invisible(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Where ASCII output goes: plain text, or the inside of JSON strings (where a straight double
/// quote must be escaped and a character with no ASCII spelling is written `\uXXXX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AsciiTarget {
    /// Text for people.
    Text,
    /// JSON text: the result is still valid JSON, and reads back to the spelled-out text.
    Json,
}

fn superscript_ascii(c: char) -> Option<char> {
    Some(match c {
        '⁰' => '0',
        '¹' => '1',
        '²' => '2',
        '³' => '3',
        '⁴' => '4',
        '⁵' => '5',
        '⁶' => '6',
        '⁷' => '7',
        '⁸' => '8',
        '⁹' => '9',
        '⁻' => '-',
        '⁺' => '+',
        _ => return None,
    })
}

/// `text` with every byte ASCII: `×` → `x`, a run of superscripts → `^` and its digits (so
/// `10⁶` is `10^6`, never `106`), dashes → `-`, `≤` → `<=`, `≥` → `>=`, `…` → `...`, typographic
/// quotes and spaces → their plain forms, `µ` → `u`; any other character is written as its code
/// point (`U+00E9` in text, `\u00e9` in JSON, which reads back to the same character).
///
/// ```
/// use celldose::text::{to_ascii, AsciiTarget};
/// assert_eq!(to_ascii("0.5–1.0×10⁶ cells/kg", AsciiTarget::Text), "0.5-1.0x10^6 cells/kg");
/// assert_eq!(to_ascii("≤ 1.7 × 10⁸", AsciiTarget::Text), "<= 1.7 x 10^8");
/// assert_eq!(to_ascii("“a” é", AsciiTarget::Json), "\\\"a\\\" \\u00e9");
/// ```
#[must_use]
pub fn to_ascii(text: &str, target: AsciiTarget) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().saturating_add(16));
    let mut in_superscript = false;
    for c in text.chars() {
        if let Some(plain) = superscript_ascii(c) {
            if !in_superscript {
                out.push('^');
            }
            in_superscript = true;
            out.push(plain);
            continue;
        }
        in_superscript = false;
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        let spelled = match c {
            '×' => "x",
            '–' | '—' | '‐' | '‑' | '−' => "-",
            '≤' => "<=",
            '≥' => ">=",
            '≠' => "!=",
            '±' => "+/-",
            '…' => "...",
            '‘' | '’' | '′' => "'",
            '“' | '”' | '″' => match target {
                AsciiTarget::Text => "\"",
                AsciiTarget::Json => "\\\"",
            },
            'µ' | 'μ' => "u",
            '·' => ".",
            '°' => " deg",
            '→' => "->",
            '\u{a0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => " ",
            _ => "",
        };
        if !spelled.is_empty() {
            out.push_str(spelled);
            continue;
        }
        let code = u32::from(c);
        match target {
            AsciiTarget::Text => out.push_str(&format!("U+{code:04X}")),
            AsciiTarget::Json => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    Cow::Owned(out)
}

/// Whether `name` is a name a user may have: letters, digits, `.`, `-` and `_`, at most 64
/// characters.
#[cfg(any(feature = "audit", feature = "users"))]
pub(crate) fn is_user_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_forbidden_as_documented() {
        assert!(is_forbidden('\u{1b}'));
        assert!(is_forbidden('\u{202e}'));
        assert!(!is_forbidden('×'));
    }

    #[test]
    fn forbidden_char_as_documented() {
        assert_eq!(forbidden_char("ok\u{1b}[2K"), Some((2, '\u{1b}')));
        assert_eq!(forbidden_char("1.6 × 10⁷"), None);
    }

    #[test]
    fn char_position_as_documented() {
        assert_eq!(char_position("1×\r", 3), 3);
    }

    #[test]
    fn is_invisible_as_documented() {
        assert!(is_invisible('\u{a0}'));
        assert!(!is_invisible(' '));
    }

    #[test]
    fn char_name_as_documented() {
        assert_eq!(char_name('\r'), "a carriage return (CR, U+000D)");
        assert_eq!(char_name('\u{a0}'), "a no-break space (U+00A0)");
        assert_eq!(char_name('k'), "'k'");
    }
}
