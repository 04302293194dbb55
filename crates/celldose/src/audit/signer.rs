//! Who a record was made by: a user signed in at the page, or a name claimed by the process that
//! made it (the command line's `--user`, or the account it runs as), which the log keeps as
//! claimed.

use serde::Serialize;

use crate::error::Result;

/// How a record's user is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Identified {
    /// Signed in with a password from the site's users file.
    SignedIn,
    /// Named by the process that made the record, and not checked.
    Claimed,
}

impl Identified {
    /// As written in a record: `signed-in`, `claimed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignedIn => "signed-in",
            Self::Claimed => "claimed",
        }
    }
}

/// The user a record names, with their role where known and how they are known.
///
/// ```
/// use celldose::audit::{Identified, Signer};
/// let claimed = Signer::claimed("alice")?;
/// assert_eq!(claimed.identified(), Identified::Claimed);
/// assert!(Signer::claimed("alice\u{1b}[2K").is_err());
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Signer {
    #[serde(rename = "user")]
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<String>,
    #[serde(serialize_with = "identified")]
    identified: Identified,
}

fn identified<S: serde::Serializer>(
    how: &Identified,
    serializer: S,
) -> core::result::Result<S::Ok, S::Error> {
    serializer.serialize_str(how.as_str())
}

impl Signer {
    /// A user signed in with their password, in their role (`pharmacist`, `technician`).
    ///
    /// # Errors
    /// A name or role that is not a user's name.
    pub fn signed_in(name: &str, role: &str) -> Result<Self> {
        // A role is a word of the users file (`pharmacist`, `technician`); one read back from a
        // log is held to the same rule as a name, so nothing else can reach a page or terminal.
        for text in [name, role] {
            if !crate::text::is_user_name(text) {
                return Err(crate::refusal::Refusal::UserName {
                    input: text.to_owned(),
                }
                .into());
            }
        }
        Ok(Self {
            name: name.to_owned(),
            role: Some(role.to_owned()),
            identified: Identified::SignedIn,
        })
    }

    /// A name the recording process claims, unchecked.
    ///
    /// # Errors
    /// A name that is not a user's name.
    pub fn claimed(name: &str) -> Result<Self> {
        if !crate::text::is_user_name(name) {
            return Err(crate::refusal::Refusal::UserName {
                input: name.to_owned(),
            }
            .into());
        }
        Ok(Self {
            name: name.to_owned(),
            role: None,
            identified: Identified::Claimed,
        })
    }

    /// The user's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The user's role, where they signed in.
    pub fn role(&self) -> Option<&str> {
        self.role.as_deref()
    }

    /// How the user is known.
    pub fn identified(&self) -> Identified {
        self.identified
    }
}

impl core::fmt::Display for Signer {
    /// `alice (pharmacist, signed in)`, `bob (claimed)`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match (&self.role, self.identified) {
            (Some(role), Identified::SignedIn) => write!(f, "{} ({role}, signed in)", self.name),
            (Some(role), _) => write!(f, "{} ({role}, claimed)", self.name),
            (None, Identified::SignedIn) => write!(f, "{} (signed in)", self.name),
            (None, _) => write!(f, "{} (claimed)", self.name),
        }
    }
}
