//! Where a record stands in the release of a dose: a preparation (a `check` or `prepare` that
//! gave a result), its independent verification by another pharmacist, or a verification that
//! found the two did not agree.

use serde::Serialize;

/// The preparation a verification is of: its record and who made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verifies {
    seq: u64,
    sha256: String,
    user: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<String>,
}

impl Verifies {
    pub(crate) fn new(seq: u64, sha256: &str, user: &str, role: Option<&str>) -> Self {
        Self {
            seq,
            sha256: sha256.to_owned(),
            user: user.to_owned(),
            role: role.map(str::to_owned),
        }
    }

    /// The preparation's sequence number.
    #[must_use]
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The preparation record's SHA-256.
    #[must_use]
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Who prepared it.
    #[must_use]
    pub fn user(&self) -> &str {
        &self.user
    }
}

/// A record's stage, written as its `stage` field (and, for a verification, `verifies`).
///
/// ```
/// use celldose::audit::Stage;
/// assert_eq!(Stage::Prepared.as_str(), "prepared");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// A dose checked or prepared, not yet independently checked.
    Prepared,
    /// Another pharmacist worked it out again from the sources, and every figure agreed.
    Verified(Verifies),
    /// Another pharmacist worked it out again and a figure differed: nothing is released.
    VerificationFailed(Verifies),
}

impl Stage {
    /// As written in a record: `prepared`, `verified`, `verification-failed`.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Prepared => "prepared",
            Self::Verified(_) => "verified",
            Self::VerificationFailed(_) => "verification-failed",
        }
    }

    /// The preparation a verification is of.
    #[must_use]
    pub fn verifies(&self) -> Option<&Verifies> {
        match self {
            Self::Prepared => None,
            Self::Verified(of) | Self::VerificationFailed(of) => Some(of),
        }
    }
}

/// The stage fields of a record, flattened into it.
#[derive(Debug, Serialize)]
pub(crate) struct StageFields<'a> {
    stage: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    verifies: Option<&'a Verifies>,
}

impl<'a> From<&'a Stage> for StageFields<'a> {
    fn from(stage: &'a Stage) -> Self {
        Self {
            stage: stage.as_str(),
            verifies: stage.verifies(),
        }
    }
}
