//! What a source record states, or that it does not: never a default in its place.

use core::fmt;

/// A value a source record either states or leaves out. What a record leaves out is never
/// filled with a default: the caller supplies it, or the calculation says it cannot answer.
///
/// ```
/// use celldose::Stated;
/// let infusions: Stated<u32> = Stated::NotStated;
/// assert_eq!(infusions.to_string(), "not stated");
/// assert_eq!(Stated::Value(1).to_string(), "1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stated<T> {
    /// The record states this value.
    Value(T),
    /// The record does not state it.
    NotStated,
}

impl<T: Copy> Stated<T> {
    /// The value, if stated.
    ///
    /// ```
    /// assert_eq!(celldose::Stated::Value(4).value(), Some(4));
    /// ```
    pub fn value(&self) -> Option<T> {
        match self {
            Self::Value(value) => Some(*value),
            Self::NotStated => None,
        }
    }
}

impl<T: fmt::Display> fmt::Display for Stated<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Value(value) => fmt::Display::fmt(value, f),
            Self::NotStated => f.write_str("not stated"),
        }
    }
}
