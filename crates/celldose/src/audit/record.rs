//! One audit record as a line: how it is sealed with its own SHA-256 (and, under a key, an HMAC of
//! that hash), and how a line is checked as a record on its own.

use sha2::{Digest, Sha256};

use super::key::{AuditKey, hex};
use crate::error::Result;

/// The key of a record's own SHA-256, the first field after the record's body.
const SELF_HASH_KEY: &str = ",\"sha256\":\"";
/// The key of the HMAC a keyed record ends with.
const HMAC_KEY: &str = ",\"hmac_sha256\":\"";
/// Hex digits in a SHA-256 or an HMAC-SHA256.
const DIGITS: usize = 64;

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Seals a serialised record (a JSON object): its own SHA-256 covers the object as it reads
/// without that field; under a key an HMAC of that hash follows. Returns the line, without its
/// line break, and the hash the next record names.
pub(crate) fn seal(body: String, key: Option<&AuditKey>) -> Result<(Vec<u8>, String)> {
    let own = sha256_hex(body.as_bytes());
    let mut line = body;
    line.pop();
    line.push_str(SELF_HASH_KEY);
    line.push_str(&own);
    line.push('"');
    if let Some(key) = key {
        line.push_str(HMAC_KEY);
        line.push_str(&key.sign(&own)?);
        line.push('"');
    }
    line.push('}');
    let next = sha256_hex(line.as_bytes());
    Ok((line.into_bytes(), next))
}

/// A line checked as one record on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Checked {
    /// Its sequence number.
    pub(crate) seq: u64,
    /// The SHA-256 it names for the line before it.
    pub(crate) previous: String,
    /// Its own SHA-256, as written in it.
    pub(crate) own: String,
    /// Its HMAC, where it was written under a key.
    pub(crate) hmac: Option<String>,
}

/// `text` without `suffix`'s key, 64 hex digits and closing quote at its end: the text before and
/// the digits.
fn strip_field<'a>(text: &'a str, key: &str) -> Option<(&'a str, &'a str)> {
    let text = text.strip_suffix('"')?;
    let at = text.len().checked_sub(DIGITS)?;
    if !text.is_char_boundary(at) {
        return None;
    }
    let (before, digits) = text.split_at(at);
    let before = before.strip_suffix(key)?;
    digits
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        .then_some((before, digits))
}

/// Checks a line as one record: it ends with its own SHA-256 (and perhaps an HMAC), the hash
/// matches, and it is a JSON record with a sequence number. The reason it fails, in words.
pub(crate) fn check(line: &[u8]) -> core::result::Result<Checked, String> {
    let text = core::str::from_utf8(line)
        .map_err(|_| "it is not valid UTF-8: it was altered".to_owned())?;
    let not_sealed = || {
        "it does not end with its own SHA-256: it was altered or is not an audit record".to_owned()
    };
    let inner = text.strip_suffix('}').ok_or_else(not_sealed)?;
    let (inner, hmac) = match strip_field(inner, HMAC_KEY) {
        Some((before, hmac)) => (before, Some(hmac.to_owned())),
        None => (inner, None),
    };
    let (body, own) = strip_field(inner, SELF_HASH_KEY).ok_or_else(not_sealed)?;
    if sha256_hex(format!("{body}}}").as_bytes()) != own {
        return Err("its content does not match its own SHA-256: it was altered".into());
    }
    let record: serde_json::Value = serde_json::from_str(text)
        .map_err(|_| "it is not a JSON record: it was altered".to_owned())?;
    let seq = record
        .get("seq")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| "it has no sequence number: it was altered".to_owned())?;
    let previous = record
        .get("previous_sha256")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Ok(Checked {
        seq,
        previous,
        own: own.to_owned(),
        hmac,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_sealed_line_checks_with_and_without_a_key() {
        let body = r#"{"seq":1,"previous_sha256":"0"}"#.to_owned();
        let (plain, next) = seal(body.clone(), None).unwrap();
        assert_eq!(sha256_hex(&plain), next);
        let checked = check(&plain).unwrap();
        assert_eq!((checked.seq, checked.hmac), (1, None));
        let key = AuditKey::generate().unwrap();
        let (keyed, _) = seal(body, Some(&key)).unwrap();
        let checked = check(&keyed).unwrap();
        assert!(key.verifies(&checked.own, checked.hmac.as_deref().unwrap()));
        let text = String::from_utf8(keyed).unwrap();
        assert!(text.ends_with("\"}") && text.contains(",\"hmac_sha256\":\""));
        let altered = text.replace("\"seq\":1", "\"seq\":2");
        assert!(
            check(altered.as_bytes())
                .unwrap_err()
                .contains("does not match")
        );
    }
}
