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

/// What a barcode scanner types from an ISBT 128 label, read as one of the data structures a
/// cell product's label carries:
///
/// | data structure | as scanned | read as |
/// | --- | --- | --- |
/// | 001 donation identification number | `=` + 13 characters + 2 flag characters | the DIN; flags 60–96 carry its ISO/IEC 7064 MOD 37-2 check character (60 + its value), which is verified |
/// | 003 product code | `=<` + 8 characters | the product code (product description code, type of donation, division) |
/// | 004 expiration date | `=>` + `cyyjjj` | usable through the end of that day |
/// | 005 expiration date and time | `&>` + `cyyjjjhhmm` | usable until that minute |
///
/// `c` is the century (0 for 2000–2099), `yy` the year in it, `jjj` the day of the year, `hhmm`
/// the time on the label's clock, read in the infusion's UTC offset. A DIN typed by hand may be
/// followed by a space and the check character printed in the label's box, which is verified too.
///
/// ```
/// use celldose::certificate::Scan;
/// let din = Scan::parse("=W12342600041700")?;
/// assert_eq!(din.to_string(), "DIN W1234 26 000417");
/// assert_eq!(Scan::parse("=<S1234V01")?.to_string(), "product code S1234V01");
/// assert_eq!(Scan::parse("&>0263401330")?.to_string(), "expires 2026-12-06T13:30 (label time)");
/// assert!(Scan::parse("=<S12V01").is_err());
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scan {
    /// Data structure 001.
    Din(DonationId),
    /// Data structure 003.
    ProductCode(ProductCode),
    /// Data structures 004 and 005.
    Expires(crate::units::Expiry),
}

impl Scan {
    /// Reads one scan.
    ///
    /// # Errors
    /// A text that is none of the data structures above, a date that is not one, or a check
    /// character that does not match; the message names the scan and what would be accepted.
    pub fn parse(input: &str) -> crate::error::Result<Self> {
        let shown = crate::text::Shown(input);
        let fail = |why: String| crate::error::Error::Request(format!("scan {shown}: {why}"));
        let accepted = "accepted: a DIN (=, 13 characters and 2 flag characters), a product code (=<, 8 characters), an expiration date (=>cyyjjj) or an expiration date and time (&>cyyjjjhhmm), as the scanner types them from an ISBT 128 label";
        let text = input.trim_matches(' ');
        if let Some(code) = text.strip_prefix("=<") {
            return ProductCode::parse(code)
                .map(Self::ProductCode)
                .map_err(fail);
        }
        if let Some(date) = text.strip_prefix("=>") {
            if date.len() == 10 {
                return Err(fail(
                    "an expiration date and time is data structure 005, &>cyyjjjhhmm; =>cyyjjj (004) holds the date alone".into(),
                ));
            }
            return label_date(date)
                .map(|day| Self::Expires(crate::units::Expiry::Date(day)))
                .map_err(fail);
        }
        if let Some(time) = text.strip_prefix("&>") {
            let (date, clock) = (time.get(..6), time.get(6..));
            let (Some(date), Some(clock)) = (date, clock) else {
                return Err(fail(format!(
                    "data structure 005 is &> and 10 digits, cyyjjjhhmm; {accepted}"
                )));
            };
            let day = label_date(date).map_err(&fail)?;
            let (hour, minute) = match (clock.len(), clock.get(..2), clock.get(2..)) {
                (4, Some(h), Some(m)) if clock.bytes().all(|b| b.is_ascii_digit()) => {
                    (h.parse::<i8>().unwrap_or(-1), m.parse::<i8>().unwrap_or(-1))
                }
                _ => {
                    return Err(fail(format!(
                        "data structure 005 is &> and 10 digits, cyyjjjhhmm; {accepted}"
                    )));
                }
            };
            let time = jiff::civil::Time::new(hour, minute, 0, 0)
                .map_err(|_| fail(format!("{clock} is not a time of day (hhmm, 0000 to 2359)")))?;
            return Ok(Self::Expires(crate::units::Expiry::Local(
                day.to_datetime(time),
            )));
        }
        if let Some(rest) = text.strip_prefix('=') {
            let (structure, typed) = match rest.split_once(' ') {
                Some((structure, typed)) => (structure, Some(typed.trim_matches(' '))),
                None => (rest, None),
            };
            let (Some(number), Some(flags)) = (structure.get(..13), structure.get(13..)) else {
                return Err(fail(format!(
                    "data structure 001 is = and 15 characters; {accepted}"
                )));
            };
            if flags.len() != 2 || !flags.bytes().all(|b| b.is_ascii_digit()) {
                return Err(fail(format!(
                    "data structure 001 is = and 15 characters, the last 2 the flag digits; {accepted}"
                )));
            }
            let din = DonationId::parse(number).map_err(fail)?;
            let expected = din.check_character();
            let value = flags.parse::<u32>().unwrap_or(0);
            if (60..=96).contains(&value) {
                let carried = value.saturating_sub(60);
                if mod37_value(expected) != Some(carried) {
                    return Err(fail(format!(
                        "its flags {flags} carry check value {carried}, and the DIN's ISO/IEC 7064 MOD 37-2 check character is {expected} (value {}); the scan is damaged or not this label's",
                        mod37_value(expected).unwrap_or(0)
                    )));
                }
            }
            if let Some(typed) = typed {
                let mut chars = typed.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if c.to_ascii_uppercase() == expected => {}
                    _ => {
                        return Err(fail(format!(
                            "the check character typed, {}, does not match the DIN (ISO/IEC 7064 MOD 37-2 gives {expected}); check the label",
                            crate::text::Shown(typed)
                        )));
                    }
                }
            }
            return Ok(Self::Din(din));
        }
        Err(fail(accepted.to_owned()))
    }
}

/// `cyyjjj`: century, year, day of the year.
fn label_date(text: &str) -> Result<jiff::civil::Date, String> {
    if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{} is not a label date, cyyjjj (century, year, day of the year)",
            crate::text::Shown(text)
        ));
    }
    let number = |range: core::ops::Range<usize>| {
        text.get(range)
            .and_then(|d| d.parse::<i16>().ok())
            .unwrap_or(0)
    };
    let year = number(0..1)
        .checked_mul(100)
        .and_then(|c| c.checked_add(2000))
        .and_then(|c| c.checked_add(number(1..3)))
        .unwrap_or(0);
    let day = number(3..6);
    jiff::civil::Date::new(year, 1, 1)
        .ok()
        .and_then(|first| {
            let date = first
                .checked_add(jiff::Span::new().days(i64::from(day).saturating_sub(1)))
                .ok()?;
            (day >= 1 && date.year() == year).then_some(date)
        })
        .ok_or_else(|| format!("day {day} of {year} is not a date"))
}

impl fmt::Display for Scan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Din(din) => write!(f, "DIN {din}"),
            Self::ProductCode(code) => write!(f, "product code {code}"),
            Self::Expires(expiry) => write!(f, "expires {expiry}"),
        }
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
