//! The one error type of the escalation designs.

/// A design's parameter, or outcomes, that cannot be decided on. Messages are lower-case, name
/// what was refused and what would be accepted.
///
/// ```
/// let error = "1NXN".parse::<celldose_escalation::Outcomes>().unwrap_err();
/// assert!(error.to_string().starts_with("cohort outcomes \"1NXN\": "));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Outcomes or a name that do not follow their notation.
    #[error("{what} {input:?}: {reason}")]
    Malformed {
        /// What was being read, e.g. `cohort outcomes`.
        what: &'static str,
        /// The text as given.
        input: String,
        /// What is wrong, and what would be accepted.
        reason: String,
    },
    /// A parameter outside what the design accepts.
    #[error("{what} {value} is {problem}; accepted: {accepted}")]
    OutOfRange {
        /// The parameter.
        what: &'static str,
        /// The value given.
        value: String,
        /// How it misses.
        problem: String,
        /// What would be accepted.
        accepted: String,
    },
}

/// The escalation designs' result type.
pub type Result<T> = core::result::Result<T, Error>;
