//! Exact conversion between `Decimal` and the `Ratio<i64>` that uom's `rational64` storage uses.

use num_rational::Ratio;
use num_traits::CheckedMul;
use rust_decimal::Decimal;

/// `value` as a ratio, exactly: mantissa over 10^scale; `None` if it does not fit an `i64`.
pub(crate) fn to_ratio(value: Decimal) -> Option<Ratio<i64>> {
    let numer = i64::try_from(value.mantissa()).ok()?;
    let denom = 10i64.checked_pow(value.scale())?;
    Some(Ratio::new(numer, denom))
}

/// Whether `value` can be a ratio ([`to_ratio`] gives one), without building and reducing it.
fn fits_ratio(value: Decimal) -> bool {
    i64::try_from(value.mantissa()).is_ok() && 10i64.checked_pow(value.scale()).is_some()
}

/// `value` as a decimal, only when the division terminates exactly; anything else is refused
/// rather than rounded.
pub(crate) fn to_decimal(value: Ratio<i64>) -> Option<Decimal> {
    let numer = Decimal::from(*value.numer());
    let denom = Decimal::from(*value.denom());
    let quotient = numer.checked_div(denom)?;
    (quotient.checked_mul(denom)? == numer).then_some(quotient)
}

/// `amount × factor`, exactly, and only when the result can itself be read back as a ratio, so
/// that a converted value's `Display` and `FromStr` stay an exact pair.
pub(crate) fn convert(amount: Decimal, factor: Ratio<i64>) -> Option<Decimal> {
    if factor.is_integer() && *factor.numer() == 1 {
        // The unit is the base unit (kg, mL): the amount stands, if it can be a ratio at all.
        return fits_ratio(amount).then_some(amount);
    }
    to_ratio(amount)?
        .checked_mul(&factor)
        .and_then(to_decimal)
        .filter(|value| to_ratio(*value).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_are_exact_or_refused() {
        assert_eq!(
            convert(Decimal::from(160), Ratio::new(45_359_237, 100_000_000)),
            Some(Decimal::new(725_747_792, 7))
        );
        assert_eq!(
            convert(Decimal::ONE, Ratio::new(1, 3)),
            None,
            "a third does not terminate"
        );
        assert_eq!(
            convert(Decimal::from(i64::MAX), Ratio::new(2, 1)),
            None,
            "overflow is refused"
        );
        assert_eq!(
            convert(Decimal::new(725, 1), Ratio::from_integer(1)),
            Some(Decimal::new(725, 1)),
            "the base unit keeps the amount as it is"
        );
        assert_eq!(
            convert(
                Decimal::from_i128_with_scale(i128::from(i64::MAX) + 1, 0),
                Ratio::from_integer(1)
            ),
            None,
            "an amount that cannot be a ratio is refused in the base unit too"
        );
        assert_eq!(
            convert(Decimal::new(1, 19), Ratio::from_integer(1)),
            None,
            "10^19 does not fit an i64 denominator"
        );
    }
}
