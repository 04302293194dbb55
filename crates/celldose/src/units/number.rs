//! The strict number grammar shared by every quantity.
//!
//! ```text
//! number   = [sign] digits ["." digits] [exponent]
//! exponent = ("e" | "E") [sign] digits
//!          | [" "] ("x" | "X" | "×") [" "] "10^" [sign] digits
//!          | [" "] "×" [" "] "10" superscript-digits
//! ```
//!
//! Nothing else is a number: no leading or trailing decimal point, no grouping commas, no
//! `NaN` or `inf`. The value is built from its digits exactly; `Decimal::from_str` is never
//! used because it rounds excess digits and takes exponents through a lossy path.

use rust_decimal::Decimal;

use crate::error::{Error, Result};

/// The largest exponent magnitude read; anything larger cannot fit a `Decimal` anyway.
const MAX_EXPONENT_DIGITS: usize = 3;

/// Parses `input` as an exact, signed decimal under the strict grammar.
///
/// The plain forms every order uses (`72.5`, `1.2e9`, `1.6x10^7`) are read in one pass over
/// their bytes ([`parse_plain`]); anything else, every error included, goes the careful way
/// ([`parse_careful`]), which gives the same value for every text both accept (a property test
/// holds them to it).
pub(crate) fn parse_number(what: &'static str, input: &str) -> Result<Decimal> {
    match parse_plain(input.as_bytes()) {
        Some(value) => Ok(value),
        None => parse_careful(what, input),
    }
}

/// The plain forms, read in one pass: `[sign] digits ["." digits] [("e" | "E" | "x10^" | "X10^")
/// [sign] digits]` in ASCII, with no spaces, at most 19 significant digits and an exponent of
/// one to three digits, giving a non-zero value of at most 28 decimal places. `None` for anything
/// else, which [`parse_careful`] then reads or refuses with its reason.
fn parse_plain(text: &[u8]) -> Option<Decimal> {
    let (negative, mut rest) = match text.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, text),
    };
    let mut mantissa: u64 = 0;
    let mut significant: u32 = 0;
    let mut integer_digits: u32 = 0;
    let mut fraction_digits: u32 = 0;
    let mut in_fraction = false;
    while let Some((&byte, after)) = rest.split_first() {
        match byte {
            b'0'..=b'9' => {
                if mantissa != 0 || byte != b'0' {
                    significant = significant.checked_add(1)?;
                    if significant > 19 {
                        return None;
                    }
                    mantissa = mantissa
                        .checked_mul(10)?
                        .checked_add(u64::from(byte.checked_sub(b'0')?))?;
                }
                if in_fraction {
                    fraction_digits = fraction_digits.checked_add(1)?;
                } else {
                    integer_digits = integer_digits.checked_add(1)?;
                }
            }
            // A point before any digit is refused below (no integer digits), with the rest.
            b'.' if !in_fraction => in_fraction = true,
            _ => break,
        }
        rest = after;
    }
    if integer_digits == 0 || (in_fraction && fraction_digits == 0) || mantissa == 0 {
        return None;
    }
    let exponent: i64 = match rest {
        [] => 0,
        [b'e' | b'E', exponent @ ..] => plain_exponent(exponent)?,
        [b'x' | b'X', b'1', b'0', b'^', exponent @ ..] => plain_exponent(exponent)?,
        _ => return None,
    };
    let shift = exponent.checked_sub(i64::from(fraction_digits))?;
    let (digits, scale) = if shift >= 0 {
        let factor = 10i128.checked_pow(u32::try_from(shift).ok()?)?;
        (i128::from(mantissa).checked_mul(factor)?, 0u32)
    } else {
        // No trailing zeros, as `Decimal::normalize` leaves a value (in 64 bits, where a
        // division by ten is a multiplication).
        let mut scale = u32::try_from(shift.checked_neg()?).ok()?;
        while scale > 0 && mantissa.is_multiple_of(10) {
            mantissa /= 10;
            scale = scale.checked_sub(1)?;
        }
        (i128::from(mantissa), scale)
    };
    if scale > 28 {
        return None;
    }
    let signed = if negative {
        digits.checked_neg()?
    } else {
        digits
    };
    Decimal::try_from_i128_with_scale(signed, scale).ok()
}

/// A plain exponent: an optional sign and one to three ASCII digits, and nothing after them.
fn plain_exponent(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, text),
    };
    if digits.is_empty() || digits.len() > MAX_EXPONENT_DIGITS {
        return None;
    }
    let mut magnitude: i64 = 0;
    for &byte in digits {
        if !byte.is_ascii_digit() {
            return None;
        }
        magnitude = magnitude
            .checked_mul(10)?
            .checked_add(i64::from(byte.checked_sub(b'0')?))?;
    }
    if negative {
        magnitude.checked_neg()
    } else {
        Some(magnitude)
    }
}

/// The whole grammar, with every refusal's reason: what [`parse_number`] falls back to.
fn parse_careful(what: &'static str, input: &str) -> Result<Decimal> {
    let malformed = |reason: String| Error::Malformed {
        what,
        input: input.to_owned(),
        reason,
    };
    // Spaces around a number are forgiven; a tab or a line break inside a value is not.
    let text = input.trim_matches(' ');
    if text.is_empty() {
        return Err(malformed(format!("it is empty{PLAIN}")));
    }
    if let Some(reason) = invisible_or_control(text) {
        return Err(malformed(reason));
    }
    if let Some(plain) = grouped_digits(text) {
        return Err(malformed(format!(
            "digits must not be grouped; write {plain} without separators"
        )));
    }
    if [
        "nan",
        "inf",
        "+inf",
        "-inf",
        "infinity",
        "+infinity",
        "-infinity",
    ]
    .iter()
    .any(|word| text.eq_ignore_ascii_case(word))
    {
        return Err(malformed(format!("it is not a finite number{PLAIN}")));
    }
    if text.contains(',') {
        return Err(malformed(
            "commas are not accepted (write 1.5 for one and a half, 1500 for fifteen hundred)"
                .into(),
        ));
    }

    // The characters left to read; a clone looks at the next one without taking it, and what is
    // left after the digits is read in place, with nothing copied.
    let mut chars = text.chars();
    let negative = match chars.clone().next() {
        Some('-') => {
            chars.next();
            true
        }
        Some('+') => {
            chars.next();
            false
        }
        _ => false,
    };

    let mut mantissa: i128 = 0;
    let mut significant_digits = 0usize;
    let mut integer_digits = 0usize;
    let mut fraction_digits = 0u32;
    let mut push_digit = |mantissa: &mut i128, digit: u32| -> Result<()> {
        if *mantissa == 0 && digit == 0 {
            return Ok(());
        }
        significant_digits = significant_digits.saturating_add(1);
        if significant_digits > 28 {
            return Err(Error::Malformed {
                what,
                input: input.to_owned(),
                reason: "it has more than 28 significant digits, more than can be held exactly"
                    .into(),
            });
        }
        *mantissa = mantissa
            .checked_mul(10)
            .and_then(|m| m.checked_add(i128::from(digit)))
            .ok_or_else(|| Error::Malformed {
                what,
                input: input.to_owned(),
                reason: "it has too many digits".into(),
            })?;
        Ok(())
    };

    while let Some(digit) = chars.clone().next().and_then(|c| c.to_digit(10)) {
        chars.next();
        integer_digits = integer_digits.saturating_add(1);
        push_digit(&mut mantissa, digit)?;
    }
    if integer_digits == 0 {
        return Err(match chars.clone().next() {
            Some('.') => {
                malformed("a decimal point needs a digit before it (write 0.5, not .5)".into())
            }
            Some(c) => malformed(format!(
                "it must start with a digit, not {}{PLAIN}",
                crate::text::char_name(c)
            )),
            None => malformed(format!("it has a sign but no digits{PLAIN}")),
        });
    }
    if chars.clone().next() == Some('.') {
        chars.next();
        while let Some(digit) = chars.clone().next().and_then(|c| c.to_digit(10)) {
            chars.next();
            fraction_digits = fraction_digits.saturating_add(1);
            push_digit(&mut mantissa, digit)?;
        }
        if fraction_digits == 0 {
            return Err(malformed(
                "a decimal point needs a digit after it (write 5 or 5.0, not 5.)".into(),
            ));
        }
    }

    let rest = chars.as_str();
    let exponent = parse_exponent(rest).map_err(malformed)?;

    // value = mantissa × 10^(exponent − fraction_digits)
    let shift = i64::from(exponent).saturating_sub(i64::from(fraction_digits));
    let too_large = || Error::Malformed {
        what,
        input: input.to_owned(),
        reason: "it is too large to be held exactly (at most about 7.9 × 10^28)".into(),
    };
    let (mut digits, mut scale) = if shift >= 0 {
        let factor = u32::try_from(shift)
            .ok()
            .and_then(|s| 10i128.checked_pow(s))
            .ok_or_else(too_large)?;
        (mantissa.checked_mul(factor).ok_or_else(too_large)?, 0u32)
    } else {
        let scale = u32::try_from(shift.unsigned_abs()).map_err(|_| too_large())?;
        (mantissa, scale)
    };
    while scale > 28 && digits % 10 == 0 && digits != 0 {
        digits /= 10;
        scale = scale.saturating_sub(1);
    }
    if scale > 28 {
        if digits == 0 {
            scale = 0;
        } else {
            return Err(malformed(
                "it has more than 28 decimal places, more than can be held exactly".into(),
            ));
        }
    }
    let signed = if negative {
        digits.checked_neg().ok_or_else(too_large)?
    } else {
        digits
    };
    let value = Decimal::try_from_i128_with_scale(signed, scale).map_err(|_| too_large())?;
    Ok(super::scaled::normalized(value))
}

/// Parses `number`, the numeric part of `input`, reporting errors against the whole `input`.
pub(crate) fn parse_number_within(
    what: &'static str,
    number: &str,
    input: &str,
) -> Result<Decimal> {
    if number.is_empty() {
        return parse_number(what, input);
    }
    parse_number(what, number).map_err(|error| match error {
        Error::Malformed { what, reason, .. } => Error::Malformed {
            what,
            input: input.to_owned(),
            reason,
        },
        other => other,
    })
}

/// Reads what follows the digits: nothing, or one exponent form.
fn parse_exponent(rest: &str) -> core::result::Result<i32, String> {
    if rest.is_empty() {
        return Ok(0);
    }
    if let Some(exponent) = rest.strip_prefix(['e', 'E']) {
        return signed_digits(exponent, "e");
    }
    let trimmed = rest.trim_start_matches(' ');
    let Some(after_times) = trimmed.strip_prefix(['x', 'X', '×']) else {
        return Err(unexpected(trimmed));
    };
    let after_times = after_times.trim_start_matches(' ');
    let Some(power) = after_times.strip_prefix("10") else {
        return Err(format!(
            "{:?} must be followed by 10^ and an exponent (as in 1.6x10^7)",
            trimmed.chars().next().unwrap_or('x')
        ));
    };
    if let Some(exponent) = power.strip_prefix('^') {
        return signed_digits(exponent, "10^");
    }
    if !power.is_empty() && power.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "\"10{power}\" looks like 10^{power} with its superscript lost; write the exponent after ^, as in 1.6x10^7"
        ));
    }
    superscript_digits(power)
}

fn signed_digits(text: &str, after: &str) -> core::result::Result<i32, String> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "{after} must be followed by a whole-number exponent"
        ));
    }
    exponent_value(negative, digits.chars().filter_map(|c| c.to_digit(10)))
}

fn superscript_digits(text: &str) -> core::result::Result<i32, String> {
    let (negative, digits) = match text.strip_prefix('⁻') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let values: Option<Vec<u32>> = digits.chars().map(superscript_value).collect();
    match values {
        Some(values) if !values.is_empty() => exponent_value(negative, values.into_iter()),
        _ => Err("x10 must be followed by ^ and an exponent (as in 1.6x10^7)".into()),
    }
}

fn superscript_value(c: char) -> Option<u32> {
    "⁰¹²³⁴⁵⁶⁷⁸⁹"
        .chars()
        .position(|s| s == c)
        .and_then(|p| u32::try_from(p).ok())
}

fn exponent_value(
    negative: bool,
    digits: impl Iterator<Item = u32>,
) -> core::result::Result<i32, String> {
    let mut magnitude = 0i32;
    for (count, digit) in digits.skip_while(|d| *d == 0).enumerate() {
        if count >= MAX_EXPONENT_DIGITS {
            return Err("its exponent is far too large".into());
        }
        magnitude = magnitude
            .saturating_mul(10)
            .saturating_add(i32::try_from(digit).unwrap_or(i32::MAX));
    }
    Ok(if negative {
        magnitude.saturating_neg()
    } else {
        magnitude
    })
}

fn unexpected(rest: &str) -> String {
    match rest.chars().next() {
        Some('.') => "it has a second decimal point".into(),
        Some(c) => format!(
            "unexpected {} after the digits{PLAIN}",
            crate::text::char_name(c)
        ),
        None => format!("it ends unexpectedly{PLAIN}"),
    }
}

/// The general advice, added only where no more specific hint was given.
const PLAIN: &str = "; write a plain decimal such as 72.5, 1.6e7 or 1.6x10^7";

/// A control, bidirectional or invisible character in `text`, named with its position.
fn invisible_or_control(text: &str) -> Option<String> {
    let (offset, c) = if text.is_ascii() {
        // The common case, checked byte by byte: only C0 controls and DEL can be wrong here.
        let offset = text.bytes().position(|b| b < 0x20 || b == 0x7f)?;
        (offset, char::from(*text.as_bytes().get(offset)?))
    } else {
        text.char_indices()
            .find(|(_, c)| crate::text::is_forbidden(*c) || crate::text::is_invisible(*c))?
    };
    let position = crate::text::char_position(text, offset);
    Some(format!(
        "it contains {} at character {position}; type the value again without it",
        crate::text::char_name(c)
    ))
}

/// When `text` starts with digits grouped in threes by spaces, commas or dots (`1 200 000`,
/// `1,200,000`, `1.200.000`), the same digits without separators.
fn grouped_digits(text: &str) -> Option<String> {
    let separators = text
        .bytes()
        .filter(|b| matches!(b, b' ' | b',' | b'.' | b'\''))
        .count();
    if separators < 2 && !text.bytes().any(|b| matches!(b, b' ' | b'\'')) {
        return None;
    }
    let body = text.trim_start_matches(['+', '-']);
    let end = body
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, ' ' | ',' | '.' | '\'')))
        .unwrap_or(body.len());
    let candidate = body.get(..end)?.trim_end_matches(' ');
    for separator in [' ', ',', '.', '\''] {
        let groups: Vec<&str> = candidate.split(separator).collect();
        let enough = match separator {
            // One dot or one comma may be a decimal point; two or more cannot.
            '.' | ',' => groups.len() >= 3,
            _ => groups.len() >= 2,
        };
        let shaped = groups.first().is_some_and(|first| {
            (1..=3).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_digit())
        }) && groups
            .iter()
            .skip(1)
            .all(|group| group.len() == 3 && group.bytes().all(|b| b.is_ascii_digit()));
        if enough && shaped {
            return Some(groups.concat());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::str::FromStr;

    fn ok(text: &str) -> String {
        match parse_number("value", text) {
            Ok(value) => value.to_string(),
            Err(error) => format!("error: {error}"),
        }
    }

    /// The value and its scale: `Decimal`'s `==` ignores trailing zeros, this does not.
    fn exactly(value: Decimal) -> (Decimal, u32) {
        (value, value.scale())
    }

    #[test]
    fn the_plain_forms_of_an_order_are_read_in_one_pass() {
        for (text, value) in [
            ("72.5", "72.5"),
            ("1.2e9", "1200000000"),
            ("1.6x10^7", "16000000"),
            ("1.6X10^+7", "16000000"),
            ("0.75e6", "750000"),
            ("10", "10"),
            ("2.50", "2.5"),
            ("-3", "-3"),
            ("+0.0005", "0.0005"),
            ("5e-1", "0.5"),
            ("1234567890123456789", "1234567890123456789"),
            // Trailing zeros taken off until the point is gone, a three-digit exponent, and 28
            // places, the most held.
            ("10.0", "10"),
            ("1e010", "10000000000"),
            ("1.20e1", "12"),
            (
                "0.0000000000000000000000000001",
                "0.0000000000000000000000000001",
            ),
        ] {
            let plain = parse_plain(text.as_bytes()).map(exactly);
            assert_eq!(plain, Decimal::from_str(value).ok().map(exactly), "{text}");
            assert_eq!(
                plain,
                parse_careful("value", text).ok().map(exactly),
                "{text}"
            );
        }
        // Everything else is left to the careful reading, which accepts or refuses it.
        for text in [
            "",
            "0",
            "0.0",
            "-0",
            "1.",
            ".5",
            "1..2",
            "1.2.3",
            "1e",
            "1e1234",
            "1e0007",
            "1x10^",
            "1x10⁷",
            "1 e7",
            "1,5",
            "1 200",
            "NaN",
            "12345678901234567890",
            "1e-40",
            "1e30",
            "1.6×10^7",
            "5 kg",
            "٣",
        ] {
            assert_eq!(parse_plain(text.as_bytes()), None, "{text:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        /// Whatever the one-pass reading accepts, the careful reading accepts as the same value
        /// with the same scale: the fast path is only ever a shortcut.
        #[test]
        fn the_one_pass_reading_agrees_with_the_careful_one(
            text in "[+-]?[0-9]{1,22}(\\.[0-9]{0,22})?(([eE]|[xX]10\\^)[+-]?[0-9]{0,4})?",
            noise in "[0-9.eExX^+ ,×⁷-]{0,24}",
        ) {
            for text in [text.as_str(), noise.as_str()] {
                if let Some(value) = parse_plain(text.as_bytes()) {
                    proptest::prop_assert_eq!(
                        parse_careful("value", text).ok().map(exactly),
                        Some(exactly(value)),
                        "{:?}", text
                    );
                }
            }
        }
    }

    #[test]
    fn accepts_every_documented_form() {
        assert_eq!(ok("1160000000"), "1160000000");
        assert_eq!(ok("1.16e9"), "1160000000");
        assert_eq!(ok("1.16E9"), "1160000000");
        assert_eq!(ok("1.16x10^9"), "1160000000");
        assert_eq!(ok("1.16×10^9"), "1160000000");
        assert_eq!(ok("1.16 × 10^9"), "1160000000");
        assert_eq!(ok("1.16 × 10⁹"), "1160000000");
        assert_eq!(ok("1.6e+7"), "16000000");
        assert_eq!(ok("5e-1"), "0.5");
        assert_eq!(ok("0.5"), "0.5");
        assert_eq!(ok("2.50"), "2.5");
        assert_eq!(ok("-3"), "-3");
        assert_eq!(ok("+3"), "3");
        // 28 significant digits are held exactly; the 29th is refused (see the rejection table).
        assert_eq!(
            ok("1234567890123456789012345678"),
            "1234567890123456789012345678"
        );
        assert_eq!(
            ok("0.0000000000000000000000000001"),
            "0.0000000000000000000000000001"
        );
        assert_eq!(ok("0"), "0");
        assert_eq!(ok("100e-30"), "0.0000000000000000000000000001");
    }

    #[test]
    fn exponent_forms_are_exact_where_from_str_is_not() {
        // Each digit is kept: 1.0000000000000000000000000001e0 has 29 significant digits and is
        // refused rather than rounded.
        assert!(ok("1.0000000000000000000000000001").starts_with("error"));
        assert_eq!(
            parse_number("value", "1.234567890123456789e9").ok(),
            Decimal::from_str("1234567890.123456789").ok()
        );
    }

    #[test]
    fn rejects_every_malformed_form_with_its_reason() {
        let cases = [
            ("", "it is empty"),
            ("   ", "it is empty"),
            ("NaN", "not a finite number"),
            ("inf", "not a finite number"),
            ("-Infinity", "not a finite number"),
            (".5", "a digit before it"),
            ("5.", "a digit after it"),
            ("1..2", "a digit after it"),
            ("1.2.3", "second decimal point"),
            ("1,5", "commas are not accepted"),
            ("1,000", "commas are not accepted"),
            ("-", "a sign but no digits"),
            ("e7", "must start with a digit"),
            ("1e", "whole-number exponent"),
            ("1e1.5", "whole-number exponent"),
            ("1x10", "must be followed by ^"),
            ("1x7", "must be followed by 10^"),
            ("1.6x10^", "whole-number exponent"),
            ("1e9999", "far too large"),
            ("1e100", "too large to be held exactly"),
            ("1e-100", "more than 28 decimal places"),
            ("1e40", "too large"),
            ("1e-40", "more than 28 decimal places"),
            (
                "12345678901234567890123456789",
                "more than 28 significant digits",
            ),
            ("5 kg", "unexpected 'k'"),
            ("0x10", "must be followed by ^"),
        ];
        for (input, reason) in cases {
            let message = ok(input);
            assert!(
                message.starts_with("error") && message.contains(reason),
                "{input:?} gave {message:?}, expected {reason:?}"
            );
            assert!(
                message.contains(&format!("{input:?}")),
                "{message} names the input"
            );
        }
    }
}
