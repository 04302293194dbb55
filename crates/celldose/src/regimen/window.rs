//! Eligibility windows whose every edge says whether it is inclusive.

use core::fmt;

/// One edge of a window: a value, and whether the value itself is inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Edge<T> {
    value: T,
    inclusive: bool,
}

/// A window on a patient value such as body weight or age, each edge inclusive or exclusive on
/// purpose: "body weight > 40 kg" excludes 40 kg, "aged 18 to 65" includes both.
///
/// ```
/// use celldose::{BodyWeight, Edge, Window};
/// let window = Window::new(Some(Edge::exclusive("40kg".parse::<BodyWeight>()?)), None);
/// assert!(window.check("40.01kg".parse()?).is_ok());
/// assert!(window.check("40kg".parse()?).is_err());
/// assert_eq!(window.to_string(), "above 40 kg");
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window<T> {
    lower: Option<Edge<T>>,
    upper: Option<Edge<T>>,
}

/// Which side of a window a value fell off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Miss<T> {
    /// Below the lower edge (or on it, when it is exclusive).
    Below(Edge<T>),
    /// Above the upper edge (or on it, when it is exclusive).
    Above(Edge<T>),
}

impl<T> Edge<T> {
    /// An edge whose value is inside the window.
    ///
    /// ```
    /// let edge = celldose::Edge::inclusive(18);
    /// assert!(edge.is_inclusive());
    /// ```
    pub fn inclusive(value: T) -> Self {
        Self {
            value,
            inclusive: true,
        }
    }

    /// An edge whose value is outside the window.
    ///
    /// ```
    /// let edge = celldose::Edge::exclusive(40);
    /// assert!(!edge.is_inclusive());
    /// ```
    pub fn exclusive(value: T) -> Self {
        Self {
            value,
            inclusive: false,
        }
    }

    /// The edge value.
    ///
    /// ```
    /// assert_eq!(*celldose::Edge::exclusive(40).value(), 40);
    /// ```
    pub fn value(&self) -> &T {
        &self.value
    }

    /// Whether the edge value itself is inside the window.
    ///
    /// ```
    /// assert!(celldose::Edge::inclusive(65).is_inclusive());
    /// ```
    pub fn is_inclusive(&self) -> bool {
        self.inclusive
    }
}

impl<T: PartialOrd + Copy> Window<T> {
    /// A window from its edges; `None` leaves that side open.
    ///
    /// ```
    /// use celldose::{Edge, Window};
    /// let adults = Window::new(Some(Edge::inclusive(18)), Some(Edge::inclusive(65)));
    /// assert!(adults.check(65).is_ok());
    /// ```
    pub fn new(lower: Option<Edge<T>>, upper: Option<Edge<T>>) -> Self {
        Self { lower, upper }
    }

    /// The lower edge, if the window has one.
    ///
    /// ```
    /// use celldose::{Edge, Window};
    /// assert_eq!(Window::new(Some(Edge::inclusive(18)), None).lower(), Some(Edge::inclusive(18)));
    /// ```
    pub fn lower(&self) -> Option<Edge<T>> {
        self.lower
    }

    /// The upper edge, if the window has one.
    ///
    /// ```
    /// use celldose::{Edge, Window};
    /// assert_eq!(Window::new(None, Some(Edge::inclusive(65))).upper(), Some(Edge::inclusive(65)));
    /// ```
    pub fn upper(&self) -> Option<Edge<T>> {
        self.upper
    }

    /// Whether `value` is inside the window, and if not, which edge it missed.
    ///
    /// # Errors
    /// The [`Miss`] naming the edge, when `value` is outside.
    ///
    /// ```
    /// use celldose::{Edge, Miss, Window};
    /// let window = Window::new(Some(Edge::inclusive(18)), Some(Edge::inclusive(65)));
    /// assert_eq!(window.check(66), Err(Miss::Above(Edge::inclusive(65))));
    /// assert_eq!(window.check(17), Err(Miss::Below(Edge::inclusive(18))));
    /// ```
    pub fn check(&self, value: T) -> Result<(), Miss<T>> {
        if let Some(lower) = self.lower {
            let inside = if lower.inclusive {
                value >= lower.value
            } else {
                value > lower.value
            };
            if !inside {
                return Err(Miss::Below(lower));
            }
        }
        if let Some(upper) = self.upper {
            let inside = if upper.inclusive {
                value <= upper.value
            } else {
                value < upper.value
            };
            if !inside {
                return Err(Miss::Above(upper));
            }
        }
        Ok(())
    }
}

impl<T: fmt::Display> fmt::Display for Edge<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}

impl<T: fmt::Display> fmt::Display for Window<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.lower, &self.upper) {
            (None, None) => f.write_str("any"),
            (Some(lower), None) => {
                let word = if lower.inclusive { "at least" } else { "above" };
                write!(f, "{word} {}", lower.value)
            }
            (None, Some(upper)) => {
                let word = if upper.inclusive { "at most" } else { "below" };
                write!(f, "{word} {}", upper.value)
            }
            (Some(lower), Some(upper)) => {
                let low = if lower.inclusive { "at least" } else { "above" };
                let high = if upper.inclusive { "at most" } else { "below" };
                write!(f, "{low} {} and {high} {}", lower.value, upper.value)
            }
        }
    }
}
