//! How a product is handled between thaw and infusion: the longest wait, and which moment of
//! the thaw it counts from.

use serde::{Deserialize, Serialize};

/// When the thaw clock starts: at the start of thawing, or when thawing is complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ThawClock {
    /// From the start of thawing (as idecabtagene vicleucel's label counts).
    Start,
    /// From the completion of thawing (the usual count).
    Completion,
}

impl ThawClock {
    /// As written: `start`, `completion`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Completion => "completion",
        }
    }
}

/// How a product is handled before it is given: the longest wait from thaw to the start of the
/// infusion, and which moment of the thaw that counts from (completion, unless stated).
///
/// ```
/// use celldose::regimen::{Handling, ThawClock};
/// let handling: Handling = toml::from_str("thaw_to_infusion_max = \"30 min\"\nthaw_clock = \"start\"")?;
/// assert_eq!(handling.thaw_limit().map(|(max, clock)| (max.get(), clock)), Some((30, ThawClock::Start)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Handling {
    /// The longest time from thaw to the start of the infusion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thaw_to_infusion_max: Option<super::Minutes>,
    /// Which moment of the thaw the limit counts from; completion where not stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thaw_clock: Option<ThawClock>,
}

impl Handling {
    /// The thaw limit and the moment it counts from, where a limit is stated.
    pub fn thaw_limit(&self) -> Option<(super::Minutes, ThawClock)> {
        self.thaw_to_infusion_max
            .map(|max| (max, self.thaw_clock.unwrap_or(ThawClock::Completion)))
    }

    /// Whether nothing is stated.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}
