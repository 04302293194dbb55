//! Which cells a count is of: all nucleated cells, viable cells, CAR-positive viable T cells or
//! CD34+ cells. A protocol's dose names it, and a product's certificate is read by it, so it
//! belongs to neither: it is part of what a cell count means.

/// Which cells the protocol's dose counts, and so which of a bag's figures multiply its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Counted {
    /// All nucleated cells (viability reported, not applied).
    TotalNucleated,
    /// Viable nucleated cells: cells × viability.
    Viable,
    /// CAR-positive viable T cells: cells × viability × positive fraction (of viable cells).
    CarPositiveViable,
    /// CD34+ cells: cells × positive fraction (the certificate's CD34+ percentage of nucleated
    /// cells, which already counts only viable CD34+ cells where the laboratory gates on
    /// viability; viability is not applied again).
    #[serde(rename = "cd34-positive")]
    Cd34Positive,
}

impl Counted {
    /// As written in files and output: `car-positive-viable`.
    ///
    /// ```
    /// assert_eq!(celldose::certificate::Counted::Cd34Positive.as_str(), "cd34-positive");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TotalNucleated => "total-nucleated",
            Self::Viable => "viable",
            Self::CarPositiveViable => "car-positive-viable",
            Self::Cd34Positive => "cd34-positive",
        }
    }

    /// The cells counted, in words: `CAR-positive viable T cells`.
    pub fn cells_word(self) -> &'static str {
        match self {
            Self::TotalNucleated => "total nucleated cells",
            Self::Viable => "viable cells",
            Self::CarPositiveViable => "CAR-positive viable T cells",
            Self::Cd34Positive => "CD34+ cells",
        }
    }

    pub(crate) fn uses_viability(self) -> bool {
        matches!(self, Self::Viable | Self::CarPositiveViable)
    }

    pub(crate) fn uses_positive(self) -> bool {
        matches!(self, Self::CarPositiveViable | Self::Cd34Positive)
    }
}
