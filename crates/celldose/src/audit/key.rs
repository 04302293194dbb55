//! A site's audit key: 32 random bytes from the operating system, kept in a file only its owner
//! can read. With it, each record carries an HMAC-SHA256 of its own SHA-256, so that someone who
//! can rewrite the log but does not hold the key cannot make a rewritten chain verify.

use std::io::Write as _;
use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{Error, Result};
use crate::named_file;

/// The number of random bytes in a key.
pub const KEY_BYTES: usize = 32;

/// A site's audit key. Its bytes are never shown: `Debug` prints only that it is a key.
///
/// ```
/// use celldose::audit::AuditKey;
/// let path = std::env::temp_dir().join(format!("celldose-key-doc-{}", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let key = AuditKey::create(&path)?;
/// assert_eq!(AuditKey::from_file(&path)?, key);
/// assert!(AuditKey::create(&path).unwrap_err().to_string().contains("already exists"));
/// assert_eq!(format!("{key:?}"), "AuditKey(..)");
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; KEY_BYTES]);

impl core::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("AuditKey(..)")
    }
}

fn key_error(path: &Path, message: impl core::fmt::Display) -> Error {
    Error::AuditKey {
        path: named_file::shown(path),
        message: message.to_string(),
        cause: None,
    }
}

impl AuditKey {
    /// A new key from the operating system's random source.
    ///
    /// # Errors
    /// When the operating system gives no random bytes.
    pub fn generate() -> Result<Self> {
        let mut bytes = [0u8; KEY_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| Error::AuditKey {
            path: String::new(),
            message: format!("the operating system gave no random bytes: {e}"),
            cause: Some(crate::error::Cause::new(e)),
        })?;
        Ok(Self(bytes))
    }

    /// A new key, written to a new file at `path` (readable and writable by its owner only) as
    /// 64 hexadecimal digits and a line break.
    ///
    /// # Errors
    /// When `path` already exists (a key is never overwritten: the records made under it could no
    /// longer be checked), or the file cannot be written.
    ///
    /// See [`AuditKey`].
    pub fn create(path: &Path) -> Result<Self> {
        let key = Self::generate()?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                key_error(
                    path,
                    "already exists; a key is never overwritten, because the records made under it could no longer be checked; name a new file",
                )
            } else {
                key_error(path, format!("cannot be created: {e}"))
            }
        })?;
        let mut text = hex(&key.0);
        text.push('\n');
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| key_error(path, format!("cannot be written: {e}")))?;
        Ok(key)
    }

    /// The key in the file at `path`: 64 hexadecimal digits, optionally followed by a line break.
    ///
    /// # Errors
    /// When the file cannot be read, is not a regular file, or does not hold a key.
    ///
    /// See [`AuditKey`].
    pub fn from_file(path: &Path) -> Result<Self> {
        let bytes =
            named_file::read_bytes(path, "key file", 128).map_err(|m| key_error(path, m))?;
        let text = named_file::utf8(bytes).map_err(|m| key_error(path, m))?;
        let digits = text.strip_suffix('\n').unwrap_or(&text);
        let digits = digits.strip_suffix('\r').unwrap_or(digits);
        Self::from_hex(digits).ok_or_else(|| {
            key_error(
                path,
                "does not hold a key: a key file is 64 hexadecimal digits on one line, as celldose audit keygen writes it",
            )
        })
    }

    fn from_hex(digits: &str) -> Option<Self> {
        if digits.len() != KEY_BYTES.saturating_mul(2) {
            return None;
        }
        let mut bytes = [0u8; KEY_BYTES];
        for (byte, pair) in bytes.iter_mut().zip(digits.as_bytes().chunks(2)) {
            let text = core::str::from_utf8(pair).ok()?;
            if !text.chars().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            *byte = u8::from_str_radix(text, 16).ok()?;
        }
        Some(Self(bytes))
    }

    /// The HMAC-SHA256 under this key of a record's `sha256` as written (64 hexadecimal digits),
    /// in lower-case hex.
    pub(crate) fn sign(&self, record_sha256: &str) -> Result<String> {
        let mac = self.mac(record_sha256).ok_or_else(|| Error::AuditKey {
            path: String::new(),
            message: "the key cannot be used for HMAC-SHA256".into(),
            cause: None,
        })?;
        Ok(hex(&mac.finalize().into_bytes()))
    }

    /// Whether `hmac` (hex) is the HMAC under this key of `record_sha256`, compared in constant
    /// time.
    pub(crate) fn verifies(&self, record_sha256: &str, hmac: &str) -> bool {
        let Some(expected) = Self::from_hex(hmac) else {
            return false;
        };
        self.mac(record_sha256)
            .is_some_and(|mac| mac.verify_slice(&expected.0).is_ok())
    }

    /// HMAC accepts a key of any length, so this is never `None` for a 32-byte key.
    fn mac(&self, record_sha256: &str) -> Option<Hmac<Sha256>> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).ok()?;
        mac.update(record_sha256.as_bytes());
        Some(mac)
    }
}

/// Bytes in lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use core::fmt::Write as _;
    let mut text = String::with_capacity(bytes.len().saturating_mul(2));
    for byte in bytes {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_signature_verifies_under_its_key_only() {
        let (one, two) = (AuditKey::generate().unwrap(), AuditKey::generate().unwrap());
        assert_ne!(one, two);
        let hash = "93ddf2d4ebfdf0ad93fe0e950bcdea4f1227dc5658c2fec083443169171c6e34";
        let signed = one.sign(hash).unwrap();
        assert_eq!(signed.len(), 64);
        assert!(one.verifies(hash, &signed));
        assert!(!two.verifies(hash, &signed));
        assert!(!one.verifies(&hash.replace('9', "8"), &signed));
        assert!(!one.verifies(hash, "zz"));
    }

    #[test]
    fn the_hmac_is_rfc_4231s() {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
