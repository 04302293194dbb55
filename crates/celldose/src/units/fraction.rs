//! Exact fractions for products and quotients of decimals: a part of a bag stated by its total,
//! a count times several percentages. A `Decimal` keeps at most 28 digits and rounds what it
//! cannot keep; a fraction of big integers never does. A fraction becomes a decimal only when it
//! is one exactly (its denominator has no prime factor but 2 and 5, and its digits fit), so no
//! figure is rounded on the way to a verdict.

// Big integers and fractions of them cannot overflow; every division here is by a power of ten,
// a prime, or a reduced fraction's denominator, none of them zero. Division by a value that could
// be zero goes through `divide`.
#![allow(clippy::arithmetic_side_effects)]

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

use rust_decimal::Decimal;

/// The most digits after the point a `Decimal` holds.
const MAX_SCALE: u32 = 28;

/// `value` as an exact fraction: its mantissa over 10^scale.
pub(crate) fn fraction(value: Decimal) -> BigRational {
    BigRational::new(
        BigInt::from(value.mantissa()),
        num_traits::pow(
            BigInt::from(10),
            usize::try_from(value.scale()).unwrap_or(0),
        ),
    )
}

/// `numerator ÷ divisor`, or `None` where the divisor is zero.
pub(crate) fn divide(numerator: BigRational, divisor: &BigRational) -> Option<BigRational> {
    (!divisor.is_zero()).then(|| numerator / divisor)
}

/// A percentage as the fraction it is: `95%` is 95/100.
pub(crate) fn percent(value: crate::Percent) -> BigRational {
    fraction(value.get()) / BigRational::from_integer(BigInt::from(100))
}

/// `value` as a decimal, only when it is one exactly and its digits fit; `None` otherwise,
/// never a rounded figure.
pub(crate) fn to_decimal(value: &BigRational) -> Option<Decimal> {
    let denom = value.denom();
    let mut rest = denom.clone();
    let (two, five) = (BigInt::from(2), BigInt::from(5));
    let (mut twos, mut fives) = (0u32, 0u32);
    while (&rest % &two).is_zero() {
        rest /= &two;
        twos = twos.saturating_add(1);
    }
    while (&rest % &five).is_zero() {
        rest /= &five;
        fives = fives.saturating_add(1);
    }
    if !rest.is_one() {
        return None;
    }
    let scale = twos.max(fives);
    if scale > MAX_SCALE {
        return None;
    }
    let ten_power = num_traits::pow(BigInt::from(10), usize::try_from(scale).ok()?);
    let mantissa = value.numer() * ten_power / denom;
    let mantissa = mantissa.to_i128()?;
    // Decimal's mantissa is 96 bits.
    if mantissa.unsigned_abs() >= 1u128 << 96 {
        return None;
    }
    Some(Decimal::from_i128_with_scale(mantissa, scale).normalize())
}

/// `value` rounded half away from zero to `places` decimal places, for showing a figure that is
/// not exact (a percentage, a volume); `None` when even that does not fit a decimal.
pub(crate) fn rounded(value: &BigRational, places: u32) -> Option<Decimal> {
    let scale = BigRational::from_integer(num_traits::pow(
        BigInt::from(10),
        usize::try_from(places).ok()?,
    ));
    // `round` on a ratio rounds half away from zero.
    to_decimal(&((value * &scale).round() / scale))
}

/// A fraction in words: its grouped digits where it is a decimal celldose keeps exactly;
/// otherwise its first digits and what it is: `33,333,333.3… (100,000,000 ÷ 3, not a terminating
/// decimal)`, or `… (more digits than celldose keeps exactly)`.
pub(crate) fn words(value: &BigRational) -> String {
    if let Some(exact) = to_decimal(value) {
        return crate::human::grouped(exact);
    }
    let sign = if value.is_negative() { "-" } else { "" };
    let magnitude = value.abs();
    let whole = magnitude.to_integer();
    let tenths = ((&magnitude - BigRational::from_integer(whole.clone()))
        * BigRational::from_integer(BigInt::from(10)))
    .to_integer();
    let approximate = format!("{sign}{}.{tenths}…", group(&whole.to_string()));
    let denom = value.denom();
    let mut rest = denom.clone();
    for p in [2, 5] {
        let p = BigInt::from(p);
        while (&rest % &p).is_zero() {
            rest /= &p;
        }
    }
    if rest.is_one() {
        format!("{approximate} (more digits than celldose keeps exactly)")
    } else {
        format!(
            "{approximate} ({sign}{} ÷ {}, not a terminating decimal)",
            group(&value.numer().abs().to_string()),
            group(&denom.to_string())
        )
    }
}

/// Digits grouped by thousands with commas.
fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len().saturating_add(digits.len() / 3));
    for (index, c) in digits.chars().enumerate() {
        let left = digits.len().saturating_sub(index);
        if index > 0 && left % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ratio(n: i64, d: i64) -> BigRational {
        BigRational::new(BigInt::from(n), BigInt::from(d))
    }

    #[test]
    fn a_fraction_is_a_decimal_only_when_it_is_one_exactly() {
        // 10⁸ × 2.1 ÷ 3 = 7 × 10⁷, exactly.
        let part = fraction(Decimal::new(100_000_000, 0)) * fraction(Decimal::new(21, 1))
            / fraction(Decimal::from(3));
        assert_eq!(to_decimal(&part), Some(Decimal::from(70_000_000)));
        assert_eq!(to_decimal(&ratio(100_000_000, 3)), None);
        assert_eq!(to_decimal(&ratio(1, 8)), Some(Decimal::new(125, 3)));
        assert_eq!(to_decimal(&ratio(-3, 4)), Some(Decimal::new(-75, 2)));
        // 2⁻²⁹ needs 29 places.
        assert_eq!(to_decimal(&ratio(1, 1 << 29)), None);
        let huge = BigRational::from_integer(num_traits::pow(BigInt::from(10), 30));
        assert_eq!(to_decimal(&huge), None);
    }

    #[test]
    fn rounding_for_show_is_half_away_from_zero() {
        assert_eq!(rounded(&ratio(2, 3), 2), Some(Decimal::new(67, 2)));
        assert_eq!(rounded(&ratio(-1, 8), 2), Some(Decimal::new(-13, 2)));
        assert_eq!(rounded(&ratio(1, 8), 3), Some(Decimal::new(125, 3)));
    }

    #[test]
    fn a_fraction_that_does_not_terminate_is_said_to_be_one() {
        assert_eq!(
            words(&ratio(100_000_000, 3)),
            "33,333,333.3… (100,000,000 ÷ 3, not a terminating decimal)"
        );
        assert_eq!(words(&ratio(7, 2)), "3.5");
    }
}
