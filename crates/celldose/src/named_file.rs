//! Reading a file named by a user: a regular file only, never more than its bound.
//!
//! A FIFO, a device or a directory named as a protocol, trial state or product file is refused
//! at once: opening a FIFO for reading waits for a writer, for ever if none comes, and a device
//! such as `/dev/zero` never ends. The type is checked before the file is opened and again on the
//! open file, so a name swapped between the two is caught too.

use std::io::Read as _;
use std::path::Path;

use crate::error::Cause;

/// A path as shown in messages: any control character in it escaped.
pub(crate) fn shown(path: &Path) -> String {
    crate::text::inert(&path.display().to_string()).into_owned()
}

/// Why a path is not a regular file, in words, or `None` when it is one.
fn not_regular(metadata: &std::fs::Metadata) -> Option<&'static str> {
    let kind = metadata.file_type();
    if kind.is_file() {
        return None;
    }
    Some(if kind.is_dir() {
        "it is a directory, not a regular file"
    } else {
        "it is not a regular file (a pipe, socket or device is never read, because it may never end)"
    })
}

/// Why a file was not read: the reason in words, and the operating system's error where there
/// was one.
#[derive(Debug)]
pub(crate) struct Unread {
    pub(crate) message: String,
    pub(crate) cause: Option<Cause>,
}

impl Unread {
    fn io(error: std::io::Error) -> Self {
        Self {
            message: format!("cannot be read: {error}"),
            cause: Some(Cause::new(error)),
        }
    }

    fn because(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            cause: None,
        }
    }
}

impl core::fmt::Display for Unread {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Checks that `path` names a regular file, without opening it.
///
/// # Errors
/// The reason: it cannot be read, or is not a regular file.
pub(crate) fn check_regular(path: &Path) -> Result<(), Unread> {
    let metadata = std::fs::metadata(path).map_err(Unread::io)?;
    match not_regular(&metadata) {
        Some(reason) => Err(Unread::because(reason)),
        None => Ok(()),
    }
}

/// The bytes of the regular file at `path`, at most `limit` of them.
///
/// # Errors
/// The reason in words: it cannot be read, is not a regular file, or is larger than `limit`
/// (`what` names the kind of file in that message).
pub(crate) fn read_bytes(path: &Path, what: &str, limit: usize) -> Result<Vec<u8>, Unread> {
    check_regular(path)?;
    let file = std::fs::File::open(path).map_err(Unread::io)?;
    if let Some(reason) = not_regular(&file.metadata().map_err(Unread::io)?) {
        return Err(Unread::because(reason));
    }
    let most = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    file.take(most)
        .read_to_end(&mut bytes)
        .map_err(Unread::io)?;
    if bytes.len() > limit {
        return Err(Unread::because(format!(
            "it is larger than the {} bytes a {what} may have",
            crate::human::grouped(limit.into())
        )));
    }
    Ok(bytes)
}

/// `bytes` as UTF-8 text.
///
/// # Errors
/// The first byte that is not UTF-8, in words.
pub(crate) fn utf8(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|error| {
        format!(
            "it is not valid UTF-8 text (byte {} is not)",
            error.utf8_error().valid_up_to().saturating_add(1)
        )
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_directory_and_a_device_are_refused_without_reading() {
        let dir = std::env::temp_dir();
        assert_eq!(
            read_bytes(&dir, "protocol file", 10).unwrap_err().message,
            "it is a directory, not a regular file"
        );
        assert!(
            read_bytes(Path::new("/dev/zero"), "protocol file", 10)
                .unwrap_err()
                .message
                .starts_with("it is not a regular file")
        );
    }

    #[test]
    fn a_file_past_its_bound_is_refused() {
        let path = std::env::temp_dir().join(format!("celldose-named-{}", std::process::id()));
        std::fs::write(&path, b"0123456789A").unwrap();
        assert_eq!(
            read_bytes(&path, "protocol file", 10).unwrap_err().message,
            "it is larger than the 10 bytes a protocol file may have"
        );
        assert_eq!(read_bytes(&path, "protocol file", 11).unwrap().len(), 11);
        std::fs::remove_file(&path).ok();
        // A file that is not there: the operating system's error is kept as the cause.
        let missing = read_bytes(&path, "protocol file", 11).unwrap_err();
        assert!(missing.message.starts_with("cannot be read: "));
        assert!(missing.cause.is_some());
    }
}
