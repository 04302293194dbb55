//! Who may be dosed: the protocol's weight and age windows, checked for one patient.

use super::{Finding, FindingCode, Severity};
use crate::human;
use crate::regimen::{Miss, Protocol};
use crate::units::{AgeYears, BodyWeight};

impl Protocol {
    /// Hard findings for a weight or an age outside the protocol's windows, and an info finding
    /// where an age window exists and no age was given. Ages compare in completed years: "aged 18
    /// to 65" admits 65.9 years.
    pub(crate) fn eligibility_findings(
        &self,
        weight: BodyWeight,
        age: Option<AgeYears>,
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        if let Some(window) = self.weight_window()
            && let Err(miss) = window.check(weight)
        {
            let clause = format!("{} eligibility: body weight {window}", self.id());
            findings.push(Finding::new(
                Severity::Hard,
                FindingCode::WeightOutsideWindow,
                clause,
                |_| {
                    format!(
                        "body weight {} is {}",
                        human::kg(weight.kg()),
                        miss_words(&miss)
                    )
                },
            ));
        }
        if let Some(window) = self.age_window() {
            // The clause is written only for a finding: most patients are inside the window.
            let clause = || format!("{} eligibility: age {window}", self.id());
            match age {
                None => findings.push(Finding::new(
                    Severity::Info,
                    FindingCode::AgeNotChecked,
                    clause(),
                    |_| format!("no age was given, so the age window ({window}) was not checked"),
                )),
                Some(age) => {
                    let completed = age.completed();
                    if let Err(miss) = window.check(completed) {
                        let age_words = if completed == age {
                            format!("age {age}")
                        } else {
                            format!("age {age} ({} completed)", completed)
                        };
                        findings.push(Finding::new(
                            Severity::Hard,
                            FindingCode::AgeOutsideWindow,
                            clause(),
                            |_| format!("{age_words} is {}", miss_words(&miss)),
                        ));
                    }
                }
            }
        }
        findings
    }
}

/// Which side of a window a value fell off, in words: `not above 40 kg`, `above 65 years`.
pub(crate) fn miss_words<T: core::fmt::Display>(miss: &Miss<T>) -> String {
    match miss {
        Miss::Below(edge) if edge.is_inclusive() => format!("below {edge}"),
        Miss::Below(edge) => format!("not above {edge}"),
        Miss::Above(edge) if edge.is_inclusive() => format!("above {edge}"),
        Miss::Above(edge) => format!("not below {edge}"),
    }
}
