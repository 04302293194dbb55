//! Formatter conformance: how every number reaches a person.

use celldose::human::{self, Notation};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// Checks one grouped number: a leading digit before any point, commas every three digits, no
/// trailing zero after a point.
fn well_grouped(text: &str) -> Result<(), String> {
    let (whole, fraction) = text
        .split_once('.')
        .map_or((text, None), |(w, f)| (w, Some(f)));
    let groups: Vec<&str> = whole.split(',').collect();
    let first_ok = !groups[0].is_empty()
        && groups[0].len() <= 3
        && groups[0].chars().all(|c| c.is_ascii_digit());
    let rest_ok = groups[1..]
        .iter()
        .all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()));
    let leading_zero_ok = groups.len() == 1 || !groups[0].starts_with('0');
    let fraction_ok = fraction.is_none_or(|f| {
        !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()) && !f.ends_with('0')
    });
    if first_ok && rest_ok && leading_zero_ok && fraction_ok {
        Ok(())
    } else {
        Err(format!(
            "{text:?} is not grouped digits with a leading digit and no trailing zero"
        ))
    }
}

#[test]
fn the_conformance_table() {
    let table = [
        // value, Unicode, ASCII
        ("0", "0 cells", "0 cells"),
        ("0.5", "0.5 cells", "0.5 cells"),
        ("7", "7 cells", "7 cells"),
        ("9999", "9,999 cells", "9,999 cells"),
        ("10000", "10,000 cells (1 × 10⁴)", "10,000 cells (1 x 10^4)"),
        (
            "150000000",
            "150,000,000 cells (1.5 × 10⁸)",
            "150,000,000 cells (1.5 x 10^8)",
        ),
        (
            "200000000.000",
            "200,000,000 cells (2 × 10⁸)",
            "200,000,000 cells (2 x 10^8)",
        ),
        (
            "1160000000",
            "1,160,000,000 cells (1.16 × 10⁹)",
            "1,160,000,000 cells (1.16 x 10^9)",
        ),
        (
            "72574779.2",
            "72,574,779.2 cells (7.25747792 × 10⁷)",
            "72,574,779.2 cells (7.25747792 x 10^7)",
        ),
        (
            "12325000000",
            "12,325,000,000 cells (1.2325 × 10¹⁰)",
            "12,325,000,000 cells (1.2325 x 10^10)",
        ),
        (
            "1000000000000000",
            "1,000,000,000,000,000 cells (1 × 10¹⁵)",
            "1,000,000,000,000,000 cells (1 x 10^15)",
        ),
    ];
    for (value, unicode, ascii) in table {
        let value: Decimal = value.parse().unwrap();
        assert_eq!(human::cells(value, Notation::Unicode), unicode);
        assert_eq!(human::cells(value, Notation::Ascii), ascii);
    }
    assert_eq!(
        human::cells_per_kg(Decimal::from(16_000_000), Notation::Unicode),
        "16,000,000 cells/kg (1.6 × 10⁷ cells/kg)"
    );
    assert_eq!(human::kg(Decimal::new(725747792, 7)), "72.5747792 kg");
    assert_eq!(human::to_ascii("2 × 10⁶ cells/kg"), "2 x 10^6 cells/kg");
}

proptest! {
    #[test]
    fn every_count_is_grouped_with_its_exponent_beside_it(mantissa in 0i64..=999_999_999_999_999, scale in 0u32..=6) {
        let value = Decimal::new(mantissa, scale);
        for notation in [Notation::Unicode, Notation::Ascii] {
            let text = human::cells(value, notation);
            let (digits, rest) = text.split_once(" cells").expect("the unit is always there");
            prop_assert!(well_grouped(digits).is_ok(), "{}", text);
            // The grouped digits are the exact value.
            prop_assert_eq!(digits.replace(',', "").parse::<Decimal>().unwrap(), value);
            if value >= Decimal::from(10_000) {
                let exponent = rest.strip_prefix(" (").and_then(|r| r.strip_suffix(')')).expect("an exponent form beside the digits");
                let (mantissa, power) = match notation {
                    Notation::Ascii => exponent.split_once(" x 10^").expect("ASCII exponent"),
                    _ => exponent.split_once(" × 10").expect("Unicode exponent"),
                };
                prop_assert!(mantissa.starts_with(|c: char| ('1'..='9').contains(&c)), "{}", text);
                prop_assert!(!mantissa.ends_with('0') || !mantissa.contains('.'), "{}", text);
                prop_assert!(!power.is_empty());
                // The exponent form is the same value.
                let ascii = human::to_ascii(exponent);
                let (m, p) = ascii.split_once(" x 10^").unwrap();
                let rebuilt = m.parse::<Decimal>().unwrap() * Decimal::from(10u64.pow(p.parse::<u32>().unwrap()));
                prop_assert_eq!(rebuilt, value);
            } else {
                prop_assert_eq!(rest, "");
            }
            if notation == Notation::Ascii {
                prop_assert!(text.is_ascii());
            }
            for banned in [" u ", "cc", "µg", "mcg", "IU", ".0 ", ".0)"] {
                prop_assert!(!text.contains(banned), "{} in {}", banned, text);
            }
        }
    }
}
