//! Cohort outcomes, in the compact notation of the R package `escalation`: `1NNN 2NTN` is level
//! 1 with three patients and no DLT, then level 2 with three patients of whom the second had a
//! DLT (`T` for toxicity, `N` for none).

use core::fmt;
use core::str::FromStr;

use crate::{Error, Result};

/// One cohort: its level and, for each patient in order, whether a DLT was seen.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cohort {
    pub(crate) level: u32,
    pub(crate) dlt: Vec<bool>,
}

impl Cohort {
    /// A cohort at `level` with `treated` patients of whom `dlt` had a DLT.
    ///
    /// # Errors
    /// A level of 0, no patient, or more DLTs than patients.
    pub fn counted(level: u32, treated: u32, dlt: u32) -> Result<Self> {
        if level == 0 || treated == 0 || dlt > treated || treated > MAX_PATIENTS {
            return Err(Error::Malformed {
                what: "cohort outcome",
                input: format!("level {level}: {dlt} DLT in {treated} treated"),
                reason: format!(
                    "levels are numbered from 1, a cohort treats 1 to {MAX_PATIENTS} patients, and DLTs are at most the patients treated"
                ),
            });
        }
        let mut flags = vec![false; usize::try_from(treated).unwrap_or(0)];
        for flag in flags.iter_mut().take(usize::try_from(dlt).unwrap_or(0)) {
            *flag = true;
        }
        Ok(Self { level, dlt: flags })
    }

    /// The cohort's level.
    pub fn level(&self) -> u32 {
        self.level
    }

    /// Patients treated.
    pub fn treated(&self) -> u32 {
        u32::try_from(self.dlt.len()).unwrap_or(u32::MAX)
    }

    /// Patients with a DLT.
    pub fn dlts(&self) -> u32 {
        u32::try_from(self.dlt.iter().filter(|t| **t).count()).unwrap_or(u32::MAX)
    }
}

/// The most patients one cohort or one trial's outcomes may hold.
const MAX_PATIENTS: u32 = 1_000;

/// Every cohort so far, in the order treated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Outcomes {
    pub(crate) cohorts: Vec<Cohort>,
}

impl Outcomes {
    /// Outcomes from cohorts in the order treated.
    ///
    /// # Errors
    /// More than 1,000 patients in all.
    pub fn new(cohorts: Vec<Cohort>) -> Result<Self> {
        let total: u32 = cohorts
            .iter()
            .map(Cohort::treated)
            .fold(0, u32::saturating_add);
        if total > MAX_PATIENTS {
            return Err(Error::Malformed {
                what: "cohort outcomes",
                input: format!("{total} patients"),
                reason: format!("at most {MAX_PATIENTS} patients are accepted"),
            });
        }
        Ok(Self { cohorts })
    }

    /// The cohorts in the order treated.
    pub fn cohorts(&self) -> &[Cohort] {
        &self.cohorts
    }

    /// The level of the last cohort.
    pub fn current_level(&self) -> Option<u32> {
        self.cohorts.last().map(Cohort::level)
    }

    /// Patients treated and DLTs seen at `level`, over all its cohorts.
    pub fn at(&self, level: u32) -> (u32, u32) {
        self.cohorts
            .iter()
            .filter(|c| c.level == level)
            .fold((0u32, 0u32), |(n, t), c| {
                (n.saturating_add(c.treated()), t.saturating_add(c.dlts()))
            })
    }

    /// Patients treated in all.
    pub fn total(&self) -> u32 {
        self.cohorts
            .iter()
            .map(Cohort::treated)
            .fold(0, u32::saturating_add)
    }

    pub(crate) fn check_levels(&self, levels: u32) -> Result<()> {
        match self.cohorts.iter().find(|c| c.level > levels) {
            Some(cohort) => Err(Error::Malformed {
                what: "cohort outcomes",
                input: self.to_string(),
                reason: format!(
                    "a cohort is at level {}, but the ladder has {levels} levels",
                    cohort.level
                ),
            }),
            None => Ok(()),
        }
    }
}

impl FromStr for Outcomes {
    type Err = Error;

    /// Reads `1NNN 2NTN`: cohorts separated by spaces, each a level number followed by one
    /// letter per patient, `N` (no DLT) or `T` (a DLT), in either case.
    fn from_str(input: &str) -> Result<Self> {
        let malformed = |reason: String| Error::Malformed {
            what: "cohort outcomes",
            input: input.to_owned(),
            reason,
        };
        let mut cohorts = Vec::new();
        for word in input.split(' ').filter(|w| !w.is_empty()) {
            let digits = word.bytes().take_while(u8::is_ascii_digit).count();
            let (number, patients) = word.split_at(digits);
            let level: u32 = number.parse().map_err(|_| {
                malformed(format!(
                    "cohort {word:?} must start with its level number, as in 1NNN"
                ))
            })?;
            if level == 0 {
                return Err(malformed("levels are numbered from 1".into()));
            }
            if patients.is_empty() {
                return Err(malformed(format!(
                    "cohort {word:?} has no patients; write N for a patient without a DLT and T for one with"
                )));
            }
            let mut dlt = Vec::with_capacity(patients.len());
            for c in patients.chars() {
                match c {
                    'N' | 'n' => dlt.push(false),
                    'T' | 't' => dlt.push(true),
                    other => {
                        return Err(malformed(format!(
                            "cohort {word:?} holds {}; write N for a patient without a DLT and T for one with",
                            char_name(other)
                        )));
                    }
                }
            }
            cohorts.push(Cohort { level, dlt });
        }
        Self::new(cohorts).map_err(|e| malformed(e.to_string()))
    }
}

/// A character in words for a message: its Unicode number, and the character itself where it
/// can be shown.
fn char_name(c: char) -> String {
    if c.is_control() {
        format!("the control character U+{:04X}", u32::from(c))
    } else {
        format!("{c:?} (U+{:04X})", u32::from(c))
    }
}

impl fmt::Display for Outcomes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, cohort) in self.cohorts.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{}", cohort.level)?;
            for dlt in &cohort.dlt {
                f.write_str(if *dlt { "T" } else { "N" })?;
            }
        }
        Ok(())
    }
}
