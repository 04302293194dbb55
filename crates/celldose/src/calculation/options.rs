//! How a stored calculation is judged beyond what its protocol states: the tolerance a caller
//! gives, a site's default tolerance, the infusion of a split dose, and the measurable step.

use super::Calculation;
use super::delivery::Course;
use crate::units::{Percent, Volume};

/// How [`Calculation::check`] judges what was given.
///
/// A tolerance given here must not contradict the protocol: where the protocol states its own,
/// giving one is refused. A site's default applies only where the protocol states none and no
/// tolerance is given, so code that checks many protocols need not look inside each regimen.
///
/// ```
/// use celldose::calculation::CheckOptions;
/// let options = CheckOptions::new().site_default("10%".parse()?);
/// assert_eq!(options.tolerance(), None);
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckOptions {
    tolerance: Option<Percent>,
    site_default: Option<Percent>,
    course: Option<Course>,
}

impl CheckOptions {
    /// No tolerance but the protocol's, and no infusion of a split dose.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A hard tolerance around a single target, where the protocol states none; refused where
    /// the protocol states its own.
    #[must_use]
    pub fn with_tolerance(mut self, tolerance: Percent) -> Self {
        self.tolerance = Some(tolerance);
        self
    }

    /// The site's default tolerance: used only where the protocol states none and no tolerance
    /// is given.
    #[must_use]
    pub fn site_default(mut self, tolerance: Percent) -> Self {
        self.site_default = Some(tolerance);
        self
    }

    /// Which infusion of a split dose this is, and what was given before.
    #[must_use]
    pub fn course(mut self, course: Course) -> Self {
        self.course = Some(course);
        self
    }

    /// The tolerance given, if any.
    pub fn tolerance(&self) -> Option<Percent> {
        self.tolerance
    }

    /// The infusion of a split dose, if any.
    pub fn infusion(&self) -> Option<&Course> {
        self.course.as_ref()
    }

    /// The tolerance to hand the protocol's rules: the one given, else the site's default where
    /// the protocol states none.
    pub(crate) fn given_tolerance(&self, calculation: &Calculation) -> Option<Percent> {
        match (self.tolerance, calculation.protocol_tolerance()) {
            (Some(given), _) => Some(given),
            (None, Some(_)) => None,
            (None, None) => self.site_default,
        }
    }
}

/// How [`Calculation::prepare`] chooses what to give: the measurable step (0.1 mL unless given),
/// and the tolerance and infusion as for a check ([`CheckOptions`]).
///
/// ```
/// use celldose::calculation::PrepareOptions;
/// let options = PrepareOptions::new();
/// assert_eq!(options.step().to_string(), "0.1 mL");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrepareOptions {
    check: CheckOptions,
    step: Volume,
}

impl Default for PrepareOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl PrepareOptions {
    /// Steps of 0.1 mL, no tolerance but the protocol's, no infusion of a split dose.
    #[must_use]
    pub fn new() -> Self {
        Self {
            check: CheckOptions::new(),
            step: Volume::TENTH_ML,
        }
    }

    /// The smallest volume that can be measured.
    #[must_use]
    pub fn step_of(mut self, step: Volume) -> Self {
        self.step = step;
        self
    }

    /// As [`CheckOptions::with_tolerance`].
    #[must_use]
    pub fn with_tolerance(mut self, tolerance: Percent) -> Self {
        self.check = self.check.with_tolerance(tolerance);
        self
    }

    /// As [`CheckOptions::site_default`].
    #[must_use]
    pub fn site_default(mut self, tolerance: Percent) -> Self {
        self.check = self.check.site_default(tolerance);
        self
    }

    /// As [`CheckOptions::course`]; for a product file's bags only.
    #[must_use]
    pub fn course(mut self, course: Course) -> Self {
        self.check = self.check.course(course);
        self
    }

    /// The measurable step.
    pub fn step(&self) -> Volume {
        self.step
    }

    /// The options of the check each candidate is judged by.
    pub fn check(&self) -> &CheckOptions {
        &self.check
    }
}
