//! Where in the protocol a finding rests, in the words every finding's clause uses: the arm (or
//! the shared regimen) and the rule.

use crate::human::Notation;
use crate::regimen::DoseRule;

/// A rule in the words of a clause: `dose range 500000/kg to 1000000/kg`, `dose 1000000/kg`.
pub(crate) fn rule_clause(rule: DoseRule) -> String {
    let words = rule.describe(Notation::Unicode);
    if rule.bounds().is_some() {
        format!("dose range {words}")
    } else {
        format!("dose {words}")
    }
}

/// A clause names where in the protocol a finding rests: the arm, or the shared regimen where
/// no arm was named.
pub(crate) fn clause_for(protocol: &str, arm: Option<&str>, regimen: &str, what: &str) -> String {
    match arm {
        Some(arm) => format!("{protocol} arm {arm}: {what}"),
        None => format!("{protocol} regimen {regimen}: {what}"),
    }
}
