//! Lines read with a bound, so that no input, however long its lines or endless its stream, can
//! make a reader hold more than the bound in memory.

use std::io::BufRead;

/// How a line read by [`BoundedLines::read`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineEnd {
    /// The whole line is in the buffer.
    Complete,
    /// The line was longer than the bound: the buffer holds its first bytes, and the rest was
    /// read past and dropped.
    TooLong {
        /// The line's length in bytes, its line break excluded.
        bytes: u64,
    },
}

/// Why reading stopped before the end of the input.
#[derive(Debug)]
pub(crate) enum LineError {
    /// The input could not be read.
    Io(std::io::Error),
    /// A line past the bound holds a NUL byte: the input is binary data (`/dev/zero`, an image),
    /// not text, and reading on could last forever.
    Binary {
        /// Bytes of the line read before the NUL was met.
        bytes: u64,
    },
}

impl core::fmt::Display for LineError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Io(error) => write!(f, "{error}"),
            Self::Binary { bytes } => write!(
                f,
                "a line longer than {} bytes holds a NUL byte after {} bytes: this is binary data, not text",
                crate::human::grouped(BoundedLines::<&[u8]>::DEFAULT_MAX.into()),
                crate::human::grouped((*bytes).into())
            ),
        }
    }
}

/// Reads lines ending in `\n` (a `\r` before it is dropped too), keeping at most `max` bytes of
/// each.
pub(crate) struct BoundedLines<R> {
    inner: R,
    max: usize,
}

impl<R: BufRead> BoundedLines<R> {
    /// The bound for one row of a dispensing log: 64 KiB.
    pub(crate) const DEFAULT_MAX: usize = 1 << 16;

    pub(crate) fn new(inner: R, max: usize) -> Self {
        Self { inner, max }
    }

    /// Reads the next line into `line` (cleared first), without its line break. `Ok(None)` at
    /// the end of the input.
    pub(crate) fn read(&mut self, line: &mut Vec<u8>) -> Result<Option<LineEnd>, LineError> {
        line.clear();
        let mut total: u64 = 0;
        let mut read_any = false;
        loop {
            let buffer = match self.inner.fill_buf() {
                Ok(buffer) => buffer,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(LineError::Io(error)),
            };
            if buffer.is_empty() {
                if !read_any {
                    return Ok(None);
                }
                break;
            }
            read_any = true;
            let newline = buffer.iter().position(|byte| *byte == b'\n');
            let chunk = buffer
                .get(..newline.unwrap_or(buffer.len()))
                .unwrap_or_default();
            let room = self.max.saturating_add(1).saturating_sub(line.len());
            let kept = room.min(chunk.len());
            line.extend_from_slice(chunk.get(..kept).unwrap_or_default());
            // A NUL byte past the bound is binary data, however the input arrives in buffers.
            if chunk.get(kept..).is_some_and(|past| past.contains(&0)) {
                return Err(LineError::Binary { bytes: total });
            }
            let length = chunk.len();
            total = total.saturating_add(u64::try_from(length).unwrap_or(u64::MAX));
            self.inner
                .consume(length.saturating_add(usize::from(newline.is_some())));
            if newline.is_some() {
                break;
            }
        }
        if line.last() == Some(&b'\r') && u64::try_from(line.len()).ok() == Some(total) {
            line.pop();
            total = total.saturating_sub(1);
        }
        if total > u64::try_from(self.max).unwrap_or(u64::MAX) {
            line.truncate(self.max);
            return Ok(Some(LineEnd::TooLong { bytes: total }));
        }
        Ok(Some(LineEnd::Complete))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<(String, Option<LineEnd>)> {
        let mut reader = BoundedLines::new(std::io::BufReader::with_capacity(4, input), max);
        let mut out = Vec::new();
        let mut line = Vec::new();
        while let Some(end) = reader.read(&mut line).unwrap() {
            out.push((String::from_utf8_lossy(&line).into_owned(), Some(end)));
        }
        out
    }

    #[test]
    fn every_physical_line_is_a_line_and_long_ones_are_cut() {
        let got = lines(b"ab\r\n\ncdefghij\nlast", 5);
        assert_eq!(got.len(), 4);
        assert_eq!(got[0], ("ab".into(), Some(LineEnd::Complete)));
        assert_eq!(got[1], (String::new(), Some(LineEnd::Complete)));
        assert_eq!(
            got[2],
            ("cdefg".into(), Some(LineEnd::TooLong { bytes: 8 }))
        );
        assert_eq!(got[3], ("last".into(), Some(LineEnd::Complete)));
    }

    #[test]
    fn a_nul_past_the_bound_stops_reading() {
        let mut reader = BoundedLines::new(std::io::BufReader::with_capacity(4, &[0u8; 64][..]), 8);
        let mut line = Vec::new();
        assert!(matches!(
            reader.read(&mut line),
            Err(LineError::Binary { .. })
        ));
    }
}
