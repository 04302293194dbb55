//! Numbers written for people: grouped digits, an exponent form beside them, units spelled out.
//!
//! These are the "pretty" forms; the exact, round-tripping forms are each type's `Display`.
//! Every count is written twice, `1,160,000,000 cells (1.16 × 10⁹)`, because a superscript lost
//! in copying turns `10⁹` into `109`; the grouped digits stand whatever happens to the exponent.

use rust_decimal::Decimal;

/// How exponents are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Notation {
    /// `1.16 × 10⁹`.
    #[default]
    Unicode,
    /// `1.16 x 10^9`, for terminals, logs and anything that may lose non-ASCII characters.
    Ascii,
}

/// Values at or above this get an exponent form beside their digits.
const EXPONENT_FROM: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

/// Writes `value` with its digits grouped in threes: `1,160,000,000`, `72,574,779.2`, `0.5`.
///
/// ```
/// use rust_decimal::Decimal;
/// assert_eq!(celldose::human::grouped(Decimal::new(725747792, 1)), "72,574,779.2");
/// assert_eq!(celldose::human::grouped(Decimal::new(5, 1)), "0.5");
/// ```
pub fn grouped(value: Decimal) -> String {
    let text = crate::digits::Plain(value).to_string();
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let mut out = String::with_capacity(text.len().saturating_add(whole.len() / 3));
    out.push_str(sign);
    for (index, digit) in whole.chars().enumerate() {
        let remaining = whole.len().saturating_sub(index);
        if index > 0 && remaining % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// Writes `value` as a mantissa between 1 and 10 times a power of ten, with every significant
/// digit kept: `1.16 × 10⁹`, `7.25747792 × 10⁷`. Returns `None` below 10,000, where the grouped
/// digits alone are clear.
///
/// ```
/// use celldose::human::{scientific, Notation};
/// use rust_decimal::Decimal;
/// assert_eq!(scientific(Decimal::from(1_160_000_000), Notation::Unicode).as_deref(), Some("1.16 × 10⁹"));
/// assert_eq!(scientific(Decimal::from(1_160_000_000), Notation::Ascii).as_deref(), Some("1.16 x 10^9"));
/// assert_eq!(scientific(Decimal::from(20), Notation::Ascii), None);
/// ```
pub fn scientific(value: Decimal, notation: Notation) -> Option<String> {
    let value = value.normalize();
    if value.abs() < EXPONENT_FROM {
        return None;
    }
    let sign = if value.is_sign_negative() { "-" } else { "" };
    let text = crate::digits::Plain(value.abs()).to_string();
    let whole = text.split('.').next().unwrap_or_default();
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let exponent = whole.len().saturating_sub(1);
    let significant = digits.trim_end_matches('0');
    let (first, rest) = significant.split_at(1.min(significant.len()));
    let mantissa = if rest.is_empty() {
        first.to_owned()
    } else {
        format!("{first}.{rest}")
    };
    Some(match notation {
        Notation::Unicode => format!("{sign}{mantissa} × 10{}", superscript(exponent)),
        Notation::Ascii => format!("{sign}{mantissa} x 10^{exponent}"),
    })
}

/// The same text with its exponents in ASCII: `1.16 × 10⁹` becomes `1.16 x 10^9`. Text that is
/// already ASCII is returned as it is.
///
/// ```
/// assert_eq!(celldose::human::to_ascii("1.16 × 10⁹ and 5 × 10⁻³"), "1.16 x 10^9 and 5 x 10^-3");
/// ```
pub fn to_ascii(text: &str) -> std::borrow::Cow<'_, str> {
    crate::text::to_ascii(text, crate::text::AsciiTarget::Text)
}

/// Writes any amount for a message: grouped digits, and the exponent form beside them from
/// 10,000 up, each followed by `unit` as given (`" cells"`, `"%"`).
///
/// ```
/// use rust_decimal::Decimal;
/// assert_eq!(
///     celldose::human::amount(Decimal::from(1_000_000_000_000_000u64), " cells"),
///     "1,000,000,000,000,000 cells (1 × 10¹⁵ cells)"
/// );
/// assert_eq!(celldose::human::amount(Decimal::from(700), " kg"), "700 kg");
/// ```
pub fn amount(value: Decimal, unit: &str) -> String {
    match scientific(value, Notation::Unicode) {
        Some(exponent) => format!("{}{unit} ({exponent}{unit})", grouped(value)),
        None => format!("{}{unit}", grouped(value)),
    }
}

/// Writes a number of cells: `1,160,000,000 cells (1.16 × 10⁹)`.
///
/// ```
/// use celldose::human::{cells, Notation};
/// use rust_decimal::Decimal;
/// assert_eq!(cells(Decimal::from(1_160_000_000), Notation::Unicode), "1,160,000,000 cells (1.16 × 10⁹)");
/// assert_eq!(cells(Decimal::ZERO, Notation::Ascii), "0 cells");
/// ```
pub fn cells(value: Decimal, notation: Notation) -> String {
    with_exponent(value, "cells", notation)
}

/// Writes a dose per kilogram: `16,000,000 cells/kg (1.6 × 10⁷ cells/kg)`.
///
/// ```
/// use celldose::human::{cells_per_kg, Notation};
/// use rust_decimal::Decimal;
/// assert_eq!(
///     cells_per_kg(Decimal::from(16_000_000), Notation::Ascii),
///     "16,000,000 cells/kg (1.6 x 10^7 cells/kg)"
/// );
/// ```
pub fn cells_per_kg(value: Decimal, notation: Notation) -> String {
    with_exponent(value, "cells/kg", notation)
}

/// Writes a weight in kilograms: `72.5 kg`.
///
/// ```
/// use rust_decimal::Decimal;
/// assert_eq!(celldose::human::kg(Decimal::new(725, 1)), "72.5 kg");
/// ```
pub fn kg(value: Decimal) -> String {
    format!("{} kg", grouped(value))
}

fn with_exponent(value: Decimal, unit: &str, notation: Notation) -> String {
    let digits = grouped(value);
    match scientific(value, notation) {
        // A total reads `(1.16 × 10⁹)`; a per-kg dose repeats its unit so that neither form can
        // be taken for a total.
        Some(exponent) if unit == "cells" => format!("{digits} {unit} ({exponent})"),
        Some(exponent) => format!("{digits} {unit} ({exponent} {unit})"),
        None => format!("{digits} {unit}"),
    }
}

fn superscript(exponent: usize) -> String {
    exponent
        .to_string()
        .chars()
        .map(|digit| match digit {
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap_or_default()
    }

    #[test]
    fn formatter_conformance() {
        let table = [
            (
                "1160000000",
                "1,160,000,000 cells (1.16 × 10⁹)",
                "1,160,000,000 cells (1.16 x 10^9)",
            ),
            (
                "150000000",
                "150,000,000 cells (1.5 × 10⁸)",
                "150,000,000 cells (1.5 x 10^8)",
            ),
            (
                "200000000",
                "200,000,000 cells (2 × 10⁸)",
                "200,000,000 cells (2 x 10^8)",
            ),
            (
                "72574779.2",
                "72,574,779.2 cells (7.25747792 × 10⁷)",
                "72,574,779.2 cells (7.25747792 x 10^7)",
            ),
            (
                "4500000000.00",
                "4,500,000,000 cells (4.5 × 10⁹)",
                "4,500,000,000 cells (4.5 x 10^9)",
            ),
            ("9999", "9,999 cells", "9,999 cells"),
            ("10000", "10,000 cells (1 × 10⁴)", "10,000 cells (1 x 10^4)"),
            ("0", "0 cells", "0 cells"),
        ];
        for (value, unicode, ascii) in table {
            assert_eq!(cells(d(value), Notation::Unicode), unicode);
            assert_eq!(cells(d(value), Notation::Ascii), ascii);
            assert!(ascii.is_ascii());
        }
    }

    #[test]
    fn leading_zero_and_no_trailing_zero() {
        assert_eq!(grouped(d("0.50")), "0.5");
        assert_eq!(grouped(d("2.0")), "2");
        assert_eq!(grouped(d("1000.10")), "1,000.1");
        assert_eq!(grouped(d("-1234.5")), "-1,234.5");
        assert_eq!(kg(d("72.5747792")), "72.5747792 kg");
    }
}
