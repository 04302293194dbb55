//! Exact decimal arithmetic in machine integers, for the figures a dose meets.
//!
//! A non-negative [`Decimal`] whose digits fit in a `u64` is an integer and a scale: 72.5 kg is
//! 725 at scale 1, 1.6 × 10⁷ cells/kg is 16,000,000 at scale 0. Every weight, dose, count and
//! limit a dose meets is such a figure. On them, a product, a comparison, a test for a whole
//! number and the stripping of trailing zeros are a handful of integer instructions, where
//! `Decimal`'s general routines (any sign, 96-bit digits, any scale) take ten times as many.
//!
//! Each function here gives the same `Decimal`, bit for bit (digits, scale and sign), as the
//! `Decimal` operation it stands for, and falls back to that operation for every other figure:
//! property tests over the whole range of `Decimal` hold each to it.

use core::cmp::Ordering;

use rust_decimal::Decimal;

/// Ten to the powers 0 to 28. (Evaluated by the compiler: an index or a product out of range
/// would stop the build, not a dose.)
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
const POWERS_OF_TEN: [u128; 29] = {
    let mut powers = [1u128; 29];
    let mut power = 1;
    while power < powers.len() {
        powers[power] = powers[power - 1] * 10;
        power += 1;
    }
    powers
};

/// `10^power` for a power a `Decimal`'s scale can take.
fn ten_to(power: u32) -> Option<u128> {
    POWERS_OF_TEN.get(usize::try_from(power).ok()?).copied()
}

/// The digits and scale of a non-negative decimal whose digits fit in a `u64`; `None` for a
/// negative one (negative zero too) or one with more digits.
fn unsigned(value: Decimal) -> Option<(u64, u32)> {
    if value.is_sign_negative() {
        return None;
    }
    Some((u64::try_from(value.mantissa()).ok()?, value.scale()))
}

/// A decimal of non-negative digits and a scale, where the digits fit in 96 bits and the scale
/// is one a `Decimal` holds.
fn decimal(digits: u128, scale: u32) -> Option<Decimal> {
    Decimal::try_from_i128_with_scale(i128::try_from(digits).ok()?, scale).ok()
}

/// `a × b`, as [`Decimal::checked_mul`] gives it.
pub(crate) fn product(a: Decimal, b: Decimal) -> Option<Decimal> {
    fast_product(a, b).or_else(|| a.checked_mul(b))
}

/// The product of two figures in integers: the digits multiplied, the scales added and the
/// signs combined, where the result needs no rounding (96 bits of digits, scale at most 28), as
/// `Decimal` does it.
fn fast_product(a: Decimal, b: Decimal) -> Option<Decimal> {
    let ((a_digits, a_scale), (b_digits, b_scale)) = (unsigned(a.abs())?, unsigned(b.abs())?);
    if a_digits == 0 || b_digits == 0 {
        // `Decimal` gives a zero product without a scale or a sign.
        return Some(Decimal::ZERO);
    }
    // A scale above 28 is refused by `decimal`, as digits beyond 96 bits are: `Decimal` rounds
    // those products, and the general multiplication is left to do it.
    let scale = a_scale.checked_add(b_scale)?;
    let mut product = decimal(
        u128::from(a_digits).checked_mul(u128::from(b_digits))?,
        scale,
    )?;
    product.set_sign_negative(a.is_sign_negative() != b.is_sign_negative());
    Some(product)
}

/// How `a` compares with `b`, as [`Decimal`]'s `Ord` says.
pub(crate) fn compare(a: Decimal, b: Decimal) -> Ordering {
    fast_compare(a, b).unwrap_or_else(|| a.cmp(&b))
}

/// The comparison in integers: at one scale, the digits compare; at two, the digits of the
/// smaller scale are brought to the larger.
fn fast_compare(a: Decimal, b: Decimal) -> Option<Ordering> {
    let ((a_digits, a_scale), (b_digits, b_scale)) = (unsigned(a)?, unsigned(b)?);
    let (a_digits, b_digits) = (u128::from(a_digits), u128::from(b_digits));
    match a_scale.cmp(&b_scale) {
        Ordering::Equal => Some(a_digits.cmp(&b_digits)),
        Ordering::Less => {
            let raised = a_digits.checked_mul(ten_to(b_scale.checked_sub(a_scale)?)?)?;
            Some(raised.cmp(&b_digits))
        }
        Ordering::Greater => {
            let raised = b_digits.checked_mul(ten_to(a_scale.checked_sub(b_scale)?)?)?;
            Some(a_digits.cmp(&raised))
        }
    }
}

/// Whether `value` is a whole number, as `value.fract().is_zero()` says.
pub(crate) fn is_whole(value: Decimal) -> bool {
    match unsigned(value) {
        Some((digits, scale)) => match ten_to(scale) {
            Some(power) => u128::from(digits).checked_rem(power) == Some(0),
            None => value.fract().is_zero(),
        },
        None => value.fract().is_zero(),
    }
}

/// `value` without trailing zeros after the point, as [`Decimal::normalize`] gives it.
pub(crate) fn normalized(value: Decimal) -> Decimal {
    let Some((mut digits, mut scale)) = unsigned(value) else {
        return value.normalize();
    };
    if digits == 0 {
        return Decimal::ZERO;
    }
    while scale > 0 && digits.checked_rem(10) == Some(0) {
        digits = digits.checked_div(10).unwrap_or(digits);
        scale = scale.saturating_sub(1);
    }
    decimal(u128::from(digits), scale).unwrap_or_else(|| value.normalize())
}

/// `numerator ÷ denominator × 10^places` as a whole quotient and a remainder, with the
/// divisor, for a non-negative numerator and a positive denominator whose digits fit in a
/// `u64`: n/d × 10^p = n_digits × 10^(d_scale + p) ÷ (d_digits × 10^n_scale). `None` for other
/// figures, or where the scaled operands leave a `u128`.
pub(crate) fn quotient_and_remainder(
    numerator: Decimal,
    denominator: Decimal,
    places: u32,
) -> Option<(u128, u128, u128)> {
    let ((n_digits, n_scale), (d_digits, d_scale)) = (unsigned(numerator)?, unsigned(denominator)?);
    let num = u128::from(n_digits).checked_mul(ten_to(d_scale.checked_add(places)?)?)?;
    let den = u128::from(d_digits).checked_mul(ten_to(n_scale)?)?;
    if den == 0 {
        return None;
    }
    // Most quotients a dose meets fit in 64 bits, where a division is one instruction.
    match (u64::try_from(num), u64::try_from(den)) {
        (Ok(num), Ok(den)) => Some((
            u128::from(num.checked_div(den)?),
            u128::from(num.checked_rem(den)?),
            u128::from(den),
        )),
        _ => Some((num.checked_div(den)?, num.checked_rem(den)?, den)),
    }
}

/// A whole quotient at `places` decimal places as a `Decimal`, without trailing zeros.
pub(crate) fn quotient_decimal(digits: u128, places: u32) -> Option<Decimal> {
    decimal(digits, places).map(normalized)
}

/// Equality, order and hash for a unit that holds one `Decimal`, by its value, compared in
/// integers where the figures fit: what `derive` would give, without `Decimal`'s general
/// comparison on every limit a dose is held to.
macro_rules! compared_by_value {
    ($type:ty) => {
        impl PartialEq for $type {
            fn eq(&self, other: &Self) -> bool {
                $crate::units::scaled::compare(self.0, other.0).is_eq()
            }
        }

        impl Eq for $type {}

        impl PartialOrd for $type {
            fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $type {
            fn cmp(&self, other: &Self) -> core::cmp::Ordering {
                $crate::units::scaled::compare(self.0, other.0)
            }
        }

        impl core::hash::Hash for $type {
            fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
                // `Decimal` hashes its value, so equal values hash alike at any scale.
                self.0.hash(state);
            }
        }
    };
}
pub(crate) use compared_by_value;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]
    use super::*;
    use proptest::prelude::*;

    /// Any decimal: digits of every width (a few, a `u64`'s, all 96 bits), any scale, either
    /// sign, zero and negative zero among them.
    fn any_decimal() -> impl Strategy<Value = Decimal> {
        let digits = prop_oneof![
            0u128..1_000,
            0u128..=u128::from(u64::MAX),
            (u128::from(u64::MAX) - 1000)..=(u128::from(u64::MAX) + 1000),
            0u128..(1u128 << 96),
        ];
        (digits, 0u32..=28, any::<bool>()).prop_map(|(digits, scale, negative)| {
            Decimal::from_parts(
                u32::try_from(digits & 0xFFFF_FFFF).unwrap(),
                u32::try_from((digits >> 32) & 0xFFFF_FFFF).unwrap(),
                u32::try_from(digits >> 64).unwrap(),
                negative,
                scale,
            )
        })
    }

    /// The figures a dose meets: a count, a dose per kg, a weight, to six places.
    fn dose_figure() -> impl Strategy<Value = Decimal> {
        (0i64..=1_000_000_000_000_000, 0u32..=6)
            .prop_map(|(digits, scale)| Decimal::new(digits, scale))
    }

    /// A body weight: up to 1,000 kg, to three places.
    fn weight_figure() -> impl Strategy<Value = Decimal> {
        (0i64..=1_000_000, 0u32..=3).prop_map(|(digits, scale)| Decimal::new(digits, scale))
    }

    /// The same decimal, bit for bit: digits, scale and sign.
    fn same(a: Decimal, b: Decimal) -> bool {
        a.serialize() == b.serialize()
    }

    #[test]
    fn the_powers_of_ten_are_the_powers_of_ten() {
        for (power, value) in POWERS_OF_TEN.iter().enumerate() {
            assert_eq!(*value, 10u128.pow(u32::try_from(power).unwrap()));
        }
        assert_eq!(ten_to(29), None);
    }

    #[test]
    fn a_dose_takes_the_integer_path() {
        let weight = Decimal::new(725, 1);
        let per_kg = Decimal::new(16_000_000, 0);
        assert!(same(
            fast_product(per_kg, weight).unwrap(),
            Decimal::new(11_600_000_000, 1)
        ));
        assert_eq!(
            fast_compare(Decimal::new(12, 1), Decimal::new(119, 2)),
            Some(Ordering::Greater)
        );
        assert_eq!(
            fast_compare(Decimal::new(119, 2), Decimal::new(12, 1)),
            Some(Ordering::Less)
        );
        assert_eq!(
            fast_compare(Decimal::new(120, 2), Decimal::new(12, 1)),
            Some(Ordering::Equal)
        );
        assert_eq!(
            quotient_and_remainder(Decimal::from(1_200_000_000), weight, 2),
            Some((1_655_172_413, 575, 725))
        );
        // A zero product is `Decimal`'s zero, without the scales or a sign, whichever is zero.
        for (a, b) in [
            (Decimal::new(0, 3), weight),
            (weight, Decimal::new(0, 2)),
            (Decimal::new(-5, 1), Decimal::new(0, 4)),
        ] {
            assert_eq!(
                fast_product(a, b).unwrap().serialize(),
                Decimal::ZERO.serialize()
            );
        }
        // A product past 28 places is left to `Decimal`, which rounds it.
        assert_eq!(fast_product(Decimal::new(1, 20), Decimal::new(1, 9)), None);
        assert!(fast_product(Decimal::new(1, 20), Decimal::new(1, 8)).is_some());
        // A negative figure takes it too; digits beyond 64 bits are left to `Decimal`.
        assert!(same(
            fast_product(Decimal::new(-1, 0), weight).unwrap(),
            Decimal::new(-725, 1)
        ));
        assert_eq!(fast_product(Decimal::MAX, weight), None);
        assert_eq!(fast_compare(Decimal::MAX, weight), None);
        assert_eq!(quotient_and_remainder(weight, Decimal::ZERO, 2), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn the_product_is_decimals(a in any_decimal(), b in any_decimal()) {
            let expected = a.checked_mul(b);
            let got = product(a, b);
            prop_assert_eq!(got.is_some(), expected.is_some());
            if let (Some(got), Some(expected)) = (got, expected) {
                prop_assert!(same(got, expected), "{a} × {b}: {got:?} against {expected:?}");
            }
        }

        #[test]
        fn a_dose_figures_product_is_decimals(a in dose_figure(), b in weight_figure()) {
            let expected = a.checked_mul(b).unwrap();
            prop_assert!(fast_product(a, b).is_some_and(|got| same(got, expected)));
        }

        #[test]
        fn the_comparison_is_decimals(a in any_decimal(), b in any_decimal()) {
            prop_assert_eq!(compare(a, b), a.cmp(&b));
            prop_assert_eq!(compare(a, a), Ordering::Equal);
        }

        #[test]
        fn a_comparison_at_two_scales_is_decimals(digits in 0u64..1_000_000, scale in 0u32..=27, up in 1u32..=9) {
            // The same value at two scales, and its neighbours.
            let a = Decimal::from_i128_with_scale(i128::from(digits), scale);
            let raised = i128::from(digits) * 10i128.pow(up);
            let scale_b = (scale + up).min(28);
            let b = Decimal::from_i128_with_scale(raised / 10i128.pow(scale + up - scale_b), scale_b);
            for b in [b, b + Decimal::new(1, scale_b), b - Decimal::new(1, scale_b)] {
                prop_assert_eq!(compare(a, b), a.cmp(&b));
                prop_assert_eq!(compare(b, a), b.cmp(&a));
            }
        }

        #[test]
        fn wholeness_is_decimals(a in any_decimal()) {
            prop_assert_eq!(is_whole(a), a.fract().is_zero());
            let whole = a.trunc();
            prop_assert!(is_whole(whole));
        }

        #[test]
        fn normalizing_is_decimals(a in any_decimal(), zeros in 0u32..6) {
            prop_assert!(same(normalized(a), a.normalize()));
            // With trailing zeros added where they fit.
            let mut padded = a;
            padded.rescale(a.scale().saturating_add(zeros).min(28));
            if padded == a {
                prop_assert!(same(normalized(padded), padded.normalize()));
            }
        }

        #[test]
        fn the_quotient_is_the_exact_ones(n in dose_figure(), d in dose_figure(), places in 0u32..=6) {
            prop_assume!(!d.is_zero());
            let (whole, rest, divisor) = quotient_and_remainder(n, d, places).unwrap();
            // n ÷ d × 10^p = n_digits × 10^(d_scale + p) ÷ (d_digits × 10^n_scale), exactly:
            // whole × divisor + rest is the dividend, and rest is below the divisor.
            let int = |v: u128| Decimal::from_i128_with_scale(i128::try_from(v).unwrap(), 0);
            let dividend = Decimal::from_i128_with_scale(n.mantissa(), 0)
                * Decimal::from(10u64.pow(d.scale() + places));
            let expected_divisor =
                Decimal::from_i128_with_scale(d.mantissa(), 0) * Decimal::from(10u64.pow(n.scale()));
            prop_assert_eq!(int(divisor), expected_divisor);
            prop_assert!(rest < divisor);
            prop_assert_eq!(int(whole) * int(divisor) + int(rest), dividend);
        }
    }
}
