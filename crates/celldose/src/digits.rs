//! A decimal's exact digits as text, without trailing zeros: the wire form of every amount and
//! the digits every human form starts from. It depends on nothing else in the crate, so both the
//! clinical values (`units`) and the forms written for people (`human`) build on it.

/// Writes `value` without trailing zeros: the same text as `value.normalize().to_string()`,
/// written straight from its digits because `Decimal`'s general formatter dominated the cost of
/// a batch row.
pub(crate) fn write_decimal(
    out: &mut impl core::fmt::Write,
    value: rust_decimal::Decimal,
) -> core::fmt::Result {
    out.write_str(DecimalText::new(value).as_str())
}

/// A decimal's text without trailing zeros, on the stack: what [`write_decimal`] writes, and
/// what a serializer is handed as one string (no formatter in between).
pub(crate) struct DecimalText {
    // 96 bits of mantissa are at most 29 digits; with a sign, a point and a leading zero, 32.
    buffer: [u8; 40],
    start: usize,
}

impl DecimalText {
    pub(crate) fn new(value: rust_decimal::Decimal) -> Self {
        let mut text = Self::empty();
        let mut scale = value.scale();
        let wide = value.mantissa().unsigned_abs();
        // Division by ten is a multiplication for u64 but a library call for u128, so a mantissa
        // that fits 64 bits (every count and weight in practice) never touches u128 arithmetic.
        match u64::try_from(wide) {
            Ok(mut narrow) => {
                while scale > 0 && narrow % 10 == 0 && narrow != 0 {
                    narrow /= 10;
                    scale = scale.saturating_sub(1);
                }
                if narrow == 0 {
                    scale = 0;
                }
                if scale == 0 {
                    text.put_whole(narrow);
                } else {
                    text.put_digits(narrow, 0, scale);
                }
            }
            Err(_) => {
                let mut wide = wide;
                while scale > 0 && wide.is_multiple_of(10) {
                    wide /= 10;
                    scale = scale.saturating_sub(1);
                }
                text.put_wide(wide, scale);
            }
        }
        if value.is_sign_negative() && !value.is_zero() {
            text.put(b'-');
        }
        text
    }

    /// A decimal's text with every place its scale holds, trailing zeros and the sign of a
    /// negative zero included: the same text as `value.to_string()` (`Decimal`'s `Display`),
    /// written straight from its digits.
    #[cfg(feature = "batch")]
    pub(crate) fn displayed(value: rust_decimal::Decimal) -> Self {
        let mut text = Self::empty();
        let scale = value.scale();
        let wide = value.mantissa().unsigned_abs();
        match u64::try_from(wide) {
            Ok(narrow) => text.put_digits(narrow, 0, scale),
            Err(_) => text.put_wide(wide, scale),
        }
        if value.is_sign_negative() {
            text.put(b'-');
        }
        text
    }

    fn empty() -> Self {
        Self {
            buffer: [0u8; 40],
            start: 40,
        }
    }

    /// Writes a mantissa wider than 64 bits: the low 19 digits first, then the rest (below
    /// 10^10, as 96 bits are at most 29 digits), so both parts are written with u64 arithmetic.
    fn put_wide(&mut self, wide: u128, scale: u32) {
        const LOW: u128 = 10_000_000_000_000_000_000;
        let low = u64::try_from(wide % LOW).unwrap_or(0);
        match u64::try_from(wide / LOW) {
            Ok(0) | Err(_) => self.put_digits(low, 0, scale),
            Ok(high) => {
                self.put_fixed(low, 19, scale);
                self.put_digits(high, 19, scale);
            }
        }
    }

    fn put(&mut self, byte: u8) {
        self.start = self.start.saturating_sub(1);
        if let Some(slot) = self.buffer.get_mut(self.start) {
            *slot = byte;
        }
    }

    /// Writes `value`'s digits, least significant first, `written` digits having been written
    /// already, with the point after `scale` digits and a leading zero where all are fraction.
    fn put_digits(&mut self, mut value: u64, mut written: u32, scale: u32) {
        loop {
            if written == scale && scale > 0 {
                self.put(b'.');
            }
            self.put(b'0'.saturating_add(u8::try_from(value % 10).unwrap_or(0)));
            value /= 10;
            written = written.saturating_add(1);
            if value == 0 && written > scale {
                break;
            }
        }
    }

    /// Writes a whole number's digits, two at a time: a count (nearly every number written) has
    /// no point to place.
    fn put_whole(&mut self, mut value: u64) {
        const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
            2021222324252627282930313233343536373839\
            4041424344454647484950515253545556575859\
            6061626364656667686970717273747576777879\
            8081828384858687888990919293949596979899";
        while value >= 10 {
            let at = usize::try_from(value % 100).unwrap_or(0).saturating_mul(2);
            value /= 100;
            let start = self.start.saturating_sub(2);
            if let (Some(slot), Some(pair)) = (
                self.buffer.get_mut(start..self.start),
                PAIRS.get(at..at.saturating_add(2)),
            ) {
                slot.copy_from_slice(pair);
            }
            self.start = start;
        }
        // One digit left, or none where the pairs took them all (a pair is taken only from 10
        // up, so the last one never starts with a zero); zero itself is one digit.
        if value > 0 || self.start == self.buffer.len() {
            self.put(b'0'.saturating_add(u8::try_from(value).unwrap_or(0)));
        }
    }

    /// Writes exactly `digits` digits of `value`, zeros included, with the point where it falls.
    fn put_fixed(&mut self, mut value: u64, digits: u32, scale: u32) {
        for written in 0..digits {
            if written == scale && scale > 0 {
                self.put(b'.');
            }
            self.put(b'0'.saturating_add(u8::try_from(value % 10).unwrap_or(0)));
            value /= 10;
        }
    }

    #[cfg(feature = "batch")]
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buffer.get(self.start..).unwrap_or_default()
    }

    pub(crate) fn as_str(&self) -> &str {
        self.buffer
            .get(self.start..)
            .and_then(|bytes| core::str::from_utf8(bytes).ok())
            .unwrap_or("")
    }
}

/// A decimal displayed through [`write_decimal`].
pub(crate) struct Plain(pub(crate) rust_decimal::Decimal);

impl core::fmt::Display for Plain {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write_decimal(f, self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    proptest! {
        #[test]
        fn write_decimal_matches_the_normalized_display(mantissa in any::<i64>(), scale in 0u32..=28) {
            let value = Decimal::new(mantissa, scale);
            prop_assert_eq!(Plain(value).to_string(), value.normalize().to_string());
        }

        #[test]
        fn whole_numbers_are_written_two_digits_at_a_time(n in any::<i64>(), power in 0u32..=18) {
            let ten = 10i64.pow(power);
            for value in [Decimal::from(n), Decimal::from(ten), Decimal::from(ten.saturating_sub(1)), Decimal::from(ten.saturating_add(1))] {
                prop_assert_eq!(Plain(value).to_string(), value.to_string());
            }
        }

        #[cfg(feature = "batch")]
        #[test]
        fn displayed_is_decimals_own_display(lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(), narrow in any::<i64>(), negative in any::<bool>(), scale in 0u32..=28) {
            for value in [Decimal::from_parts(lo, mid, hi, negative, scale), Decimal::new(narrow, scale), { let mut zero = Decimal::new(0, scale); zero.set_sign_negative(negative); zero }] {
                let text = DecimalText::displayed(value);
                prop_assert_eq!(text.as_str(), value.to_string());
            }
        }

        #[test]
        fn write_decimal_matches_for_96_bit_mantissas(lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(), negative in any::<bool>(), scale in 0u32..=28) {
            let value = Decimal::from_parts(lo, mid, hi, negative, scale);
            prop_assert_eq!(Plain(value).to_string(), value.normalize().to_string());
        }
    }
}
