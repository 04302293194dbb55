//! Reading a file named by a user: a regular file only, never more than its bound.
//!
//! A FIFO, a device or a directory named as a protocol, trial state or product file is refused
//! at once: opening a FIFO for reading waits for a writer, for ever if none comes, and a device
//! such as `/dev/zero` never ends. The type is checked before the file is opened and again on the
//! open file, so a name swapped between the two is caught too.

use std::io::Read as _;
use std::path::Path;

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

/// Checks that `path` names a regular file, without opening it.
///
/// # Errors
/// The reason in words: it cannot be read, or is not a regular file.
pub(crate) fn check_regular(path: &Path) -> Result<(), String> {
    let metadata = std::fs::metadata(path).map_err(|e| format!("cannot be read: {e}"))?;
    match not_regular(&metadata) {
        Some(reason) => Err(reason.to_owned()),
        None => Ok(()),
    }
}

/// The bytes of the regular file at `path`, at most `limit` of them.
///
/// # Errors
/// The reason in words: it cannot be read, is not a regular file, or is larger than `limit`
/// (`what` names the kind of file in that message).
pub(crate) fn read_bytes(path: &Path, what: &str, limit: usize) -> Result<Vec<u8>, String> {
    check_regular(path)?;
    let cannot = |e: std::io::Error| format!("cannot be read: {e}");
    let file = std::fs::File::open(path).map_err(cannot)?;
    if let Some(reason) = not_regular(&file.metadata().map_err(cannot)?) {
        return Err(reason.to_owned());
    }
    let most = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    file.take(most).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() > limit {
        return Err(format!(
            "it is larger than the {} bytes a {what} may have",
            crate::human::grouped(limit.into())
        ));
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
            read_bytes(&dir, "protocol file", 10).unwrap_err(),
            "it is a directory, not a regular file"
        );
        assert!(
            read_bytes(Path::new("/dev/zero"), "protocol file", 10)
                .unwrap_err()
                .starts_with("it is not a regular file")
        );
    }

    #[test]
    fn a_file_past_its_bound_is_refused() {
        let path = std::env::temp_dir().join(format!("celldose-named-{}", std::process::id()));
        std::fs::write(&path, b"0123456789A").unwrap();
        assert_eq!(
            read_bytes(&path, "protocol file", 10).unwrap_err(),
            "it is larger than the 10 bytes a protocol file may have"
        );
        assert_eq!(read_bytes(&path, "protocol file", 11).unwrap().len(), 11);
        std::fs::remove_file(&path).ok();
    }
}
