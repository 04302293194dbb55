//! What a batch found, row by row, added up.

use crate::calculation::Verdict;
use crate::error::Result;

use super::rows::Outcome;

/// What a batch found, row by row, added up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Data rows read (each gave exactly one output record).
    pub rows: u64,
    /// Rows whose verdict is `within`.
    pub within: u64,
    /// Rows whose verdict is `review`.
    pub review: u64,
    /// Rows whose verdict is `outside`.
    pub outside: u64,
    /// Dose rows on a range protocol that chose no dose (verdict `no-dose-chosen`).
    pub no_dose: u64,
    /// Rows that could not be computed.
    pub errors: u64,
}

impl core::fmt::Display for Summary {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{} rows: {} within, {} review, {} outside, {} in error",
            self.rows, self.within, self.review, self.outside, self.errors
        )?;
        if self.no_dose > 0 {
            write!(f, ", {} with no dose chosen", self.no_dose)?;
        }
        Ok(())
    }
}

impl Summary {
    /// Counts one row's outcome.
    pub(super) fn count(&mut self, outcome: &Result<Outcome>) {
        match outcome.as_ref().map(Outcome::verdict) {
            Ok(Verdict::Within) => self.within = self.within.saturating_add(1),
            Ok(Verdict::Review) => self.review = self.review.saturating_add(1),
            Ok(Verdict::NoDoseChosen) => self.no_dose = self.no_dose.saturating_add(1),
            Ok(_) => self.outside = self.outside.saturating_add(1),
            Err(_) => self.errors = self.errors.saturating_add(1),
        }
    }

    /// Adds another part's counts to these.
    pub(super) fn add(&mut self, other: Summary) {
        self.rows = self.rows.saturating_add(other.rows);
        self.within = self.within.saturating_add(other.within);
        self.review = self.review.saturating_add(other.review);
        self.outside = self.outside.saturating_add(other.outside);
        self.no_dose = self.no_dose.saturating_add(other.no_dose);
        self.errors = self.errors.saturating_add(other.errors);
    }
}
