//! The one error type of the library.

use crate::text::Shown;

/// Everything that can go wrong when parsing a value, loading a protocol or computing a dose.
///
/// Messages are lower-case, carry no trailing period, and name the parameter, the value that was
/// refused and what would have been accepted.
///
/// ```
/// let error = "25".parse::<celldose::BodyWeight>().unwrap_err();
/// assert!(matches!(error, celldose::Error::MissingUnit { .. }));
/// assert_eq!(
///     error.to_string(),
///     "body weight \"25\" has no unit; write it with one of: kg, g or lb (as in 72.5kg, 72500g, 160lb)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Text that should hold a number does not follow the number grammar.
    #[error("{what} {} is not a valid number: {reason}", Shown(.input))]
    Malformed {
        /// The parameter being parsed, e.g. `body weight`.
        what: &'static str,
        /// The text as given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A quantity that needs a unit was given without one.
    #[error("{what} {} has no unit; write it with one of: {accepted}", Shown(.input))]
    MissingUnit {
        /// The parameter being parsed.
        what: &'static str,
        /// The text as given.
        input: String,
        /// The units that would be accepted.
        accepted: &'static str,
    },
    /// A quantity carries a unit that is not accepted for it.
    #[error("{what} {} has unit {}, which is not accepted; write it with one of: {accepted}", Shown(.input), Shown(.unit))]
    UnknownUnit {
        /// The parameter being parsed.
        what: &'static str,
        /// The text as given.
        input: String,
        /// The unit found.
        unit: String,
        /// The units that would be accepted.
        accepted: &'static str,
    },
    /// A word that names none of the values a parameter takes (a rounding rule, a verdict, a
    /// finding code, a severity).
    #[error("{what} {} is not known; accepted: {accepted}", Shown(.input))]
    UnknownWord {
        /// The parameter.
        what: &'static str,
        /// The text as given.
        input: String,
        /// The words that would be accepted.
        accepted: String,
    },
    /// A value is well-formed but outside the range the parameter accepts.
    #[error("{what} {value} is {problem}; accepted: {accepted}")]
    OutOfRange {
        /// The parameter.
        what: &'static str,
        /// The refused value, with its unit.
        value: String,
        /// How it misses the range, e.g. `not above 0 kg`.
        problem: String,
        /// The accepted range in words.
        accepted: String,
    },
    /// A computation left the range that can be represented exactly.
    #[error("{operation} overflowed: {detail}")]
    Overflow {
        /// The operation that overflowed.
        operation: &'static str,
        /// The operands, in words.
        detail: String,
    },
    /// A protocol id that is not known.
    #[error("unknown protocol {}; known protocols: {known}", Shown(.input))]
    UnknownProtocol {
        /// The id as given.
        input: String,
        /// The known ids, comma-separated.
        known: String,
    },
    /// An arm that the protocol does not have.
    #[error("protocol {protocol} has no arm {}; its arms: {known}", Shown(.input))]
    UnknownArm {
        /// The protocol id.
        protocol: String,
        /// The arm as given.
        input: String,
        /// The protocol's arms, comma-separated.
        known: String,
    },
    /// The protocol's arms follow different regimens, so the arm must be named.
    #[error(
        "protocol {protocol} needs an arm, because its arms follow different regimens; choose one of: {known}"
    )]
    ArmRequired {
        /// The protocol id.
        protocol: String,
        /// The protocol's arms, comma-separated.
        known: String,
    },
    /// A dose level that the protocol does not state.
    #[error("protocol {protocol} {arm} has no dose level {}; {accepted}", crate::text::inert(.input))]
    UnknownLevel {
        /// The protocol id.
        protocol: String,
        /// The arm in words (`arm alf`), or the shared regimen where no arm was named.
        arm: String,
        /// The level as given.
        input: String,
        /// What would be accepted.
        accepted: String,
    },
    /// An audit log's hash chain is broken.
    #[error("line {line}: {reason}")]
    AuditChain {
        /// The first line (from 1) that does not hold.
        line: u64,
        /// What is wrong with it, in words.
        reason: String,
    },
    /// An audit log cannot take a record, or cannot be read.
    #[error("audit log {path}: {message}")]
    AuditLog {
        /// The log as named.
        path: String,
        /// What is wrong, and what was or was not done.
        message: String,
        /// What the operating system or a reader said, where it said it.
        #[source]
        cause: Option<Cause>,
    },
    /// An audit key cannot be made, read or used.
    #[error("audit key {path}: {message}")]
    AuditKey {
        /// The key file as named.
        path: String,
        /// What is wrong.
        message: String,
        /// What the operating system or a reader said, where it said it.
        #[source]
        cause: Option<Cause>,
    },
    /// A request refused, as data to match on (see [`Refusal`](crate::Refusal)).
    #[error(transparent)]
    Refused(#[from] crate::refusal::Refusal),
    /// A value refused, named by the field it was typed in (a flag, a column, a form's field);
    /// the refusal itself stays typed ([`Error::root`]).
    #[error("{field}: {error}")]
    Field {
        /// The field, as the place it was typed names it: `--weight`, `weight`.
        field: String,
        /// Why its value was refused.
        #[source]
        error: Box<Error>,
    },
    /// A request as typed that is incomplete or contradictory: fields given together that
    /// exclude each other, a field missing, a row of a log that cannot be read.
    #[error("{0}")]
    Request(String),
    /// A trial state file is invalid.
    #[error("trial state file {source_name}: {message}")]
    TrialStateFile {
        /// The file as named.
        source_name: String,
        /// What is wrong, with the line and column where known.
        message: String,
        /// What the operating system or a reader said, where it said it.
        #[source]
        cause: Option<Cause>,
    },
    /// A product file is invalid.
    #[error("product file {source_name}: {message}")]
    ProductFile {
        /// The file as named.
        source_name: String,
        /// What is wrong, with the line and column where known.
        message: String,
        /// What the operating system or a reader said, where it said it.
        #[source]
        cause: Option<Cause>,
    },
    /// A users file is invalid, or cannot be read or written.
    #[error("users file {source_name}: {message}")]
    UsersFile {
        /// The file as named.
        source_name: String,
        /// What is wrong.
        message: String,
        /// What the operating system or a reader said, where it said it.
        #[source]
        cause: Option<Cause>,
    },
    /// A directory of protocol files cannot be listed.
    #[error("protocol directory {dir}: {message}")]
    ProtocolDirectory {
        /// The directory as named.
        dir: String,
        /// What is wrong.
        message: String,
        /// What the operating system or a reader said, where it said it.
        #[source]
        cause: Option<Cause>,
    },
    /// An escalation design's parameter, or cohort outcomes, refused.
    #[error(transparent)]
    Escalation(#[from] celldose_escalation::Error),
    /// A protocol definition is invalid.
    #[error("protocol file {source_name}: {message}")]
    ProtocolFile {
        /// Where the definition came from (a file name, or `built-in:<id>`).
        source_name: String,
        /// What is wrong, with the line and column where known.
        message: String,
        /// What the operating system or a reader said, where it said it.
        #[source]
        cause: Option<Cause>,
    },
}

impl Error {
    /// The refusal itself, under any fields that name where it was typed.
    ///
    /// ```
    /// use celldose::{Catalogue, Error, FieldNames, RequestText};
    /// let text = RequestText { protocol: "NCT07276568", weight: "72.5", ..RequestText::default() };
    /// let error = text.to_request(&Catalogue::builtin()?, FieldNames::Flags).unwrap_err();
    /// assert!(matches!(error, Error::Field { .. }));
    /// assert!(matches!(error.root(), Error::MissingUnit { what: "body weight", .. }));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn root(&self) -> &Self {
        match self {
            Self::Field { error, .. } => error.root(),
            other => other,
        }
    }
}

/// What caused an error outside celldose (the operating system, the TOML reader), kept for
/// [`std::error::Error::source`]. Two causes are equal when they say the same.
#[derive(Clone)]
pub struct Cause(std::sync::Arc<dyn std::error::Error + Send + Sync>);

impl Cause {
    pub(crate) fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(std::sync::Arc::new(error))
    }
}

impl core::fmt::Debug for Cause {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&self.0, f)
    }
}

impl core::fmt::Display for Cause {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl PartialEq for Cause {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_string() == other.0.to_string()
    }
}

impl Eq for Cause {}

/// The library's result type.
pub type Result<T, E = Error> = core::result::Result<T, E>;
