//! ISBT 128 identifiers on a cell product's label: the donation identification number (DIN) and
//! the product code, checked for their structure, and the DIN's keyboard check character
//! (ISO/IEC 7064 MOD 37-2) where the label's boxed character is given.

use core::fmt;

/// An ISBT 128 donation identification number: a facility identification number (a letter or a
/// digit other than 0 and O, then four digits), a two-digit year and a six-digit sequence
/// number; 13 characters, written as printed with or without spaces.
///
/// ```
/// use celldose::certificate::DonationId;
/// let din = DonationId::parse("W1234 26 000417")?;
/// assert_eq!(din.to_string(), "W1234 26 000417");
/// // The boxed keyboard check character may follow, after a space; a wrong one is refused.
/// assert!(DonationId::parse(&format!("W1234 26 000417 {}", din.check_character())).is_ok());
/// assert!(DonationId::parse("W1234 26 00041").is_err());
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DonationId(String);

/// An ISBT 128 product description code as it appears in a product code: one letter, four
/// digits, then the type of donation and the division (three letters or digits), e.g.
/// `S1234V00`.
///
/// ```
/// use celldose::certificate::ProductCode;
/// assert_eq!(ProductCode::parse("S1234V00")?.to_string(), "S1234V00");
/// assert!(ProductCode::parse("S12V00").is_err());
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProductCode(String);

/// The value of an ISO/IEC 7064 MOD 37-2 character: 0–9, A–Z as 10–35, `*` as 36.
fn mod37_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        'A'..='Z' => u32::from(c)
            .checked_sub(u32::from('A'))
            .and_then(|v| v.checked_add(10)),
        '*' => Some(36),
        _ => None,
    }
}

/// The MOD 37-2 check character of `data` (upper-case letters and digits).
fn mod37_2(data: &str) -> char {
    let mut p = 0u32;
    for c in data.chars() {
        p = p
            .saturating_add(mod37_value(c).unwrap_or(0))
            .saturating_mul(2)
            .checked_rem(37)
            .unwrap_or(0);
    }
    let check = 38u32.saturating_sub(p).checked_rem(37).unwrap_or(0);
    match check {
        0..=9 => char::from_digit(check, 10).unwrap_or('?'),
        36 => '*',
        _ => char::from_u32(u32::from('A').saturating_add(check).saturating_sub(10)).unwrap_or('?'),
    }
}

impl DonationId {
    /// Reads a DIN: the 13 characters, spaces between groups allowed, optionally followed by a
    /// space and the keyboard check character, which must then match.
    ///
    /// # Errors
    /// A message saying what part is wrong and what would be accepted.
    pub fn parse(input: &str) -> Result<Self, String> {
        let shown = crate::text::Shown(input);
        let accepted = "accepted: 13 characters, a facility code (a letter or digit other than 0 or O, then 4 digits), a 2-digit year and a 6-digit sequence number, as in W1234 26 000417, optionally followed by the check character";
        let mut groups: Vec<&str> = input.split(' ').filter(|g| !g.is_empty()).collect();
        let joined: String = groups.concat();
        let (data, check) = match joined.len() {
            13 => (joined.clone(), None),
            14 if groups.len() > 1 && groups.last().is_some_and(|g| g.len() == 1) => {
                let check = groups.pop().and_then(|g| g.chars().next());
                (groups.concat(), check)
            }
            n => {
                return Err(format!(
                    "donation identification number {shown} has {n} characters, not 13; {accepted}"
                ));
            }
        };
        let chars: Vec<char> = data.chars().collect();
        let first_ok = chars
            .first()
            .is_some_and(|c| (c.is_ascii_uppercase() && *c != 'O') || ('1'..='9').contains(c));
        if !first_ok || !chars.iter().skip(1).all(char::is_ascii_digit) {
            return Err(format!(
                "donation identification number {shown} is not in the ISBT 128 form; {accepted}"
            ));
        }
        if let Some(given) = check {
            let expected = mod37_2(&data);
            if given.to_ascii_uppercase() != expected {
                return Err(format!(
                    "donation identification number {shown}: the check character {} does not match the number (ISO/IEC 7064 MOD 37-2 gives {expected}); check the label",
                    crate::text::Shown(&given.to_string())
                ));
            }
        }
        Ok(Self(data))
    }

    /// The keyboard check character of this DIN (ISO/IEC 7064 MOD 37-2).
    ///
    /// See [`DonationId`] for an example.
    pub fn check_character(&self) -> char {
        mod37_2(&self.0)
    }

    /// The 13 characters, without spaces.
    ///
    /// See [`DonationId`] for an example.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DonationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (facility, rest) = self.0.split_at(5);
        let (year, sequence) = rest.split_at(2);
        write!(f, "{facility} {year} {sequence}")
    }
}

impl ProductCode {
    /// Reads a product code: one letter, four digits, three letters or digits.
    ///
    /// # Errors
    /// A message saying what would be accepted.
    pub fn parse(input: &str) -> Result<Self, String> {
        let chars: Vec<char> = input.chars().collect();
        let ok = chars.len() == 8
            && chars.first().is_some_and(char::is_ascii_uppercase)
            && chars
                .get(1..5)
                .is_some_and(|d| d.iter().all(char::is_ascii_digit))
            && chars.get(5..).is_some_and(|d| {
                d.iter()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            });
        if ok {
            Ok(Self(input.to_owned()))
        } else {
            Err(format!(
                "product code {} is not an ISBT 128 product code; accepted: 8 characters, a letter and 4 digits (the product description code), then the type of donation and the division, as in S1234V00",
                crate::text::Shown(input)
            ))
        }
    }

    /// The code as written.
    ///
    /// See [`ProductCode`] for an example.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProductCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ISO/IEC 7064 pure systems: Σ value × 2^(position from the right, the check at 0) ≡ 1
    /// (mod 37), computed here by powers rather than by the standard's recursion.
    fn satisfies_mod37_2(with_check: &str) -> bool {
        let values: Vec<u64> = with_check
            .chars()
            .map(|c| u64::from(mod37_value(c).unwrap()))
            .collect();
        let n = values.len();
        let sum: u64 = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let power = u32::try_from(n.saturating_sub(1).saturating_sub(i)).unwrap();
                v.saturating_mul(2u64.pow(power).checked_rem(37).unwrap())
            })
            .sum();
        sum % 37 == 1
    }

    #[test]
    fn the_check_character_satisfies_the_standard_equation() {
        for din in [
            "W123426000417",
            "A999917123456",
            "G151714123456",
            "1000000000000",
        ] {
            let check = mod37_2(din);
            assert!(satisfies_mod37_2(&format!("{din}{check}")), "{din}{check}");
        }
    }

    #[test]
    fn malformed_numbers_are_refused_with_the_form() {
        let error = DonationId::parse("O1234 26 000417").unwrap_err();
        assert!(error.contains("not in the ISBT 128 form"), "{error}");
        let error = DonationId::parse("W1234 26 0004").unwrap_err();
        assert!(error.contains("has 11 characters"), "{error}");
        let wrong = if mod37_2("W123426000417") == 'A' {
            'B'
        } else {
            'A'
        };
        let error = DonationId::parse(&format!("W1234 26 000417 {wrong}")).unwrap_err();
        assert!(error.contains("does not match"), "{error}");
        assert!(ProductCode::parse("s1234V00").is_err());
    }
}
