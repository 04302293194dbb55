//! The regimen model: protocols, arms, dose rules, levels, eligibility windows, and the protocol
//! files they are loaded from.

mod catalogue;
mod dose_rule;
mod dosing;
mod library;
mod product_rules;
mod protocol;
mod protocol_file;
mod stated;
mod trial_state;
mod window;

pub use crate::units::{Handling, ThawClock};
pub use catalogue::Catalogue;
pub use dose_rule::{DoseRule, describe_dose};
pub use dosing::{DoseLevel, Escalation, Regimen, Tolerance, WeightBand};
pub use library::{Library, LiveCatalogue};
pub use product_rules::{
    DMSO_DENSITY, DosingWeight, InfusionLimits, ProductRules, Split, SplitLimits, SplitPart,
    WeightBasis,
};
pub(crate) use protocol::Provenance;
pub use protocol::{Arm, CohortSize, Protocol, Source};
pub use protocol_file::{FORMAT_VERSION, PROTOCOL_MAX_BYTES};
pub use stated::Stated;
pub use trial_state::{Opening, Step, TRIAL_STATE_FORMAT, TRIAL_STATE_MAX_BYTES, TrialState};
pub use window::{Edge, Miss, Window};
