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
///
/// Made in one allocation of the right size: `format!` starting with an argument guesses no
/// capacity, and grows the text three or four times on the way.
pub(crate) fn clause_for(protocol: &str, arm: Option<&str>, regimen: &str, what: &str) -> String {
    let (place, name) = match arm {
        Some(arm) => (" arm ", arm),
        None => (" regimen ", regimen),
    };
    let mut clause = String::with_capacity(
        protocol
            .len()
            .saturating_add(place.len())
            .saturating_add(name.len())
            .saturating_add(2)
            .saturating_add(what.len()),
    );
    for part in [protocol, place, name, ": ", what] {
        clause.push_str(part);
    }
    clause
}

#[cfg(test)]
mod tests {
    use super::clause_for;

    #[test]
    fn a_clause_names_the_arm_or_else_the_regimen() {
        let by_arm = clause_for(
            "NCT06167473",
            Some("low-dose"),
            "low-dose",
            "infusions not stated",
        );
        assert_eq!(by_arm, "NCT06167473 arm low-dose: infusions not stated");
        assert_eq!(by_arm.capacity(), by_arm.len());
        let by_regimen = clause_for("NCT05227846", None, "escalation", "dose");
        assert_eq!(by_regimen, "NCT05227846 regimen escalation: dose");
        assert_eq!(by_regimen.capacity(), by_regimen.len());
    }
}
