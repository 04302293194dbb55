//! Escalation designs (3+3 and BOIN), from the `celldose-escalation` crate, which knows nothing
//! of the dose model; and one escalation question answered for a protocol and its trial state
//! ([`Assessment`]), in the words the command line and the page share.

mod assessment;

pub use assessment::Assessment;
pub use celldose_escalation::{
    Boin, BoundaryRow, Cohort, Decision, Design, Error, Outcomes, Step, Variant,
};
