//! One bag of a cell product, as its certificate of analysis states it, and the cells in it that
//! count towards the dose.

use num_rational::BigRational;
use num_traits::One;
use rust_decimal::Decimal;

use super::Counted;
use crate::error::{Error, Result};
use crate::refusal::Refusal;
use crate::units::fraction::{divide, fraction, percent, to_decimal, words};
use crate::units::{CellCount, Concentration, EndotoxinPerMl, ExactCells, Percent, Volume};

/// What the certificate states of a bag's cells: nucleated cells (per mL, or in the bag), or
/// viable cells (per mL, or in the bag) where the certificate counts only the living ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BagContent {
    /// Nucleated cells per mL.
    Concentration(Concentration),
    /// Nucleated cells in the whole bag.
    Total(CellCount),
    /// Viable cells per mL: the viability is already in the figure, and is not applied again.
    ViableConcentration(Concentration),
    /// Viable cells in the whole bag: the viability is already in the figure.
    ViableTotal(CellCount),
}

impl BagContent {
    /// Whether the figure counts viable cells only.
    pub fn is_viable(self) -> bool {
        matches!(self, Self::ViableConcentration(_) | Self::ViableTotal(_))
    }

    /// The product file's key for this figure: `concentration`, `total`, `viable_concentration`
    /// or `viable_total`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Concentration(_) => "concentration",
            Self::Total(_) => "total",
            Self::ViableConcentration(_) => "viable_concentration",
            Self::ViableTotal(_) => "viable_total",
        }
    }
}

/// One bag: its id, volume, cells, viability, the fractions of them that count, and what else
/// goes in with the cells.
///
/// ```
/// use celldose::certificate::{Bag, BagContent, Counted};
/// let bag = Bag::new(
///     "A", "70mL".parse()?, BagContent::Concentration("2.5e6/mL".parse()?),
///     "95%".parse()?, Some("60.8%".parse()?), Counted::CarPositiveViable,
/// )?;
/// // 2.5 × 10⁶/mL × 70 mL = 1.75 × 10⁸ cells; × 95 % × 60.8 % = 101,080,000 counted.
/// assert_eq!(bag.counted().to_string(), "101080000");
/// assert_eq!(bag.counted_per_ml().map(|c| c.to_string()).as_deref(), Some("1444000"));
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bag {
    id: String,
    volume: Volume,
    content: BagContent,
    viability: Percent,
    positive: Option<Percent>,
    t_cells: Option<Percent>,
    dmso: Option<Percent>,
    endotoxin: Option<EndotoxinPerMl>,
    /// The bag's own ISBT 128 product code (its division tells the bags apart), where stated.
    product_code: Option<super::ProductCode>,
    /// When the bag expires, where its certificate states it.
    expires: Option<crate::units::Expiry>,
    /// The cells the certificate's figure counts in the whole bag (nucleated, or viable).
    cells: ExactCells,
    counted: ExactCells,
    counted_per_ml: Option<Decimal>,
}

impl Bag {
    /// A bag whose counted cells are worked out for `counts`: all nucleated cells, × viability
    /// for viable cells, × viability × positive for CAR-positive viable cells, × positive for
    /// CD34+ cells (the certificate's CD34+ percentage of nucleated cells).
    ///
    /// # Errors
    /// As [`Bag::stated`].
    pub fn new(
        id: &str,
        volume: Volume,
        content: BagContent,
        viability: Percent,
        positive: Option<Percent>,
        counts: Counted,
    ) -> Result<Self> {
        Self::stated(id, volume, content, viability, positive, None, counts)
    }

    /// A bag as its certificate states it, `t_cells` included (the CD3+ T-cell percentage of
    /// viable cells, for a CAR-T product whose CAR-positive percentage is of T cells):
    ///
    /// - `total-nucleated`: the nucleated cells; viability is reported, not applied;
    /// - `viable`: nucleated × viability, or the viable figure as stated;
    /// - `car-positive-viable`: viable cells × T cells (where stated) × positive;
    /// - `cd34-positive`: nucleated × positive.
    ///
    /// Every product is an exact fraction; the counted cells must be a decimal celldose keeps
    /// exactly.
    ///
    /// ```
    /// use celldose::certificate::{Bag, BagContent, Counted};
    /// // A certificate that prints viable cells per mL, CD3+ % of viable cells and CAR+ % of
    /// // CD3+ cells: 3 × 10⁶ viable/mL × 50 mL × 80 % × 45 % = 54,000,000.
    /// let bag = Bag::stated("1", "50mL".parse()?, BagContent::ViableConcentration("3e6/mL".parse()?),
    ///     "75%".parse()?, Some("45%".parse()?), Some("80%".parse()?), Counted::CarPositiveViable)?;
    /// assert_eq!(bag.counted().to_string(), "54000000");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    ///
    /// # Errors
    /// A viability of 0 %; a positive fraction missing where `counts` needs one, given where it
    /// does not, or 0 %; a T-cell fraction for any product but CAR-positive viable cells, or 0 %;
    /// a viable figure for a product counting nucleated or CD34+ cells; more cells than
    /// [`CellCount::MAX`], or a count with more digits than celldose keeps exactly.
    // Products of fractions of big integers cannot overflow; the one division is checked.
    #[allow(clippy::arithmetic_side_effects)]
    pub fn stated(
        id: &str,
        volume: Volume,
        content: BagContent,
        viability: Percent,
        positive: Option<Percent>,
        t_cells: Option<Percent>,
        counts: Counted,
    ) -> Result<Self> {
        let refuse = |reason: String| {
            Error::from(Refusal::BagFigures {
                bag: id.to_owned(),
                reason,
            })
        };
        if viability.get().is_zero() {
            return Err(refuse(
                "viability 0% is not above 0%; accepted: above 0% and at most 100%".into(),
            ));
        }
        let positive_share = match (counts.uses_positive(), positive) {
            (true, None) => {
                return Err(refuse(format!(
                    "the product counts {}, so each bag needs `positive`, the percentage of cells positive for that phenotype",
                    counts.cells_word()
                )));
            }
            (false, Some(p)) => {
                return Err(refuse(format!(
                    "`positive` {p} is given, but the product counts {}, which does not use it; remove it, or set `counts` to the phenotype it measures",
                    counts.cells_word()
                )));
            }
            (true, Some(p)) if p.get().is_zero() => {
                return Err(refuse(
                    "positive 0% is not above 0%; accepted: above 0% and at most 100%".into(),
                ));
            }
            (true, Some(p)) => percent(p),
            (false, None) => BigRational::one(),
        };
        let t_share = match (counts, t_cells) {
            (_, None) => BigRational::one(),
            (Counted::CarPositiveViable, Some(t)) if t.get().is_zero() => {
                return Err(refuse(
                    "t_cells 0% is not above 0%; accepted: above 0% and at most 100%".into(),
                ));
            }
            (Counted::CarPositiveViable, Some(t)) => percent(t),
            (_, Some(t)) => {
                return Err(refuse(format!(
                    "`t_cells` {t} is given, but the product counts {}; the T-cell percentage applies only to CAR-positive viable T cells",
                    counts.cells_word()
                )));
            }
        };
        if content.is_viable() && !counts.uses_viability() {
            return Err(refuse(format!(
                "`{}` states viable cells, but the product counts {}, which are not all viable; give the certificate's nucleated-cell figure (`concentration` or `total`) instead",
                content.key(),
                counts.cells_word()
            )));
        }
        // The viability is in a viable figure already; otherwise it is applied where it counts.
        let viability_share = if counts.uses_viability() && !content.is_viable() {
            percent(viability)
        } else {
            BigRational::one()
        };
        let stated = match content {
            BagContent::Concentration(c) | BagContent::ViableConcentration(c) => {
                fraction(c.get()) * fraction(volume.ml())
            }
            BagContent::Total(t) | BagContent::ViableTotal(t) => fraction(t.get()),
        };
        let counted = &stated * viability_share * t_share * positive_share;
        let exact = |value: &BigRational, what: &str| {
            let decimal = to_decimal(value).ok_or_else(|| {
                refuse(format!(
                    "its {what} come to {}, which celldose cannot keep exactly; check the figures",
                    words(value)
                ))
            })?;
            ExactCells::new(decimal).map_err(|_| {
                refuse(format!(
                    "{} cells is more than celldose accepts in a bag ({} cells); check the concentration and volume",
                    decimal.normalize(),
                    CellCount::MAX
                ))
            })
        };
        let cells = exact(&stated, "cells")?;
        let counted_cells = exact(&counted, "counted cells")?;
        // Kept only where the count per mL is itself a decimal; a part is computed from the
        // whole bag's count in any case.
        let counted_per_ml =
            divide(counted, &fraction(volume.ml())).and_then(|per_ml| to_decimal(&per_ml));
        Ok(Self {
            id: id.to_owned(),
            volume,
            content,
            viability,
            positive,
            t_cells,
            dmso: None,
            endotoxin: None,
            product_code: None,
            expires: None,
            cells,
            counted: counted_cells,
            counted_per_ml,
        })
    }

    /// The same bag with the DMSO fraction (% v/v) and endotoxin (EU/mL) from its certificate.
    pub fn with_excipients(
        mut self,
        dmso: Option<Percent>,
        endotoxin: Option<EndotoxinPerMl>,
    ) -> Self {
        self.dmso = dmso;
        self.endotoxin = endotoxin;
        self
    }

    /// The same bag with its own product code and expiry, as its label states them.
    pub fn with_label(
        mut self,
        product_code: Option<super::ProductCode>,
        expires: Option<crate::units::Expiry>,
    ) -> Self {
        self.product_code = product_code;
        self.expires = expires;
        self
    }

    /// The bag's own ISBT 128 product code, where its label states one.
    pub fn product_code(&self) -> Option<&super::ProductCode> {
        self.product_code.as_ref()
    }

    /// When the bag expires, where stated.
    pub fn expires(&self) -> Option<crate::units::Expiry> {
        self.expires
    }

    /// The bag's id, as on its label.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The volume in the bag.
    pub fn volume(&self) -> Volume {
        self.volume
    }

    /// The concentration or total the certificate states.
    pub fn content(&self) -> BagContent {
        self.content
    }

    /// The percentage of cells alive.
    pub fn viability(&self) -> Percent {
        self.viability
    }

    /// The percentage positive for the counted phenotype, where the phenotype uses one.
    pub fn positive(&self) -> Option<Percent> {
        self.positive
    }

    /// The CD3+ T-cell percentage of viable cells, where the certificate states it.
    pub fn t_cells(&self) -> Option<Percent> {
        self.t_cells
    }

    /// DMSO, % v/v, where the certificate states it.
    pub fn dmso(&self) -> Option<Percent> {
        self.dmso
    }

    /// Endotoxin per mL, where the certificate states it.
    pub fn endotoxin(&self) -> Option<EndotoxinPerMl> {
        self.endotoxin
    }

    /// The cells the certificate's figure counts in the whole bag: all nucleated cells, or the
    /// viable cells where it states those.
    pub fn cells(&self) -> ExactCells {
        self.cells
    }

    /// The cells in the whole bag that count towards the dose.
    ///
    /// See [`Bag`] for an example.
    pub fn counted(&self) -> ExactCells {
        self.counted
    }

    /// Counted cells per mL, where that is itself a decimal celldose keeps exactly (always for a
    /// concentration; for a total, where total ÷ volume terminates).
    ///
    /// See [`Bag`] for an example.
    pub fn counted_per_ml(&self) -> Option<Decimal> {
        self.counted_per_ml
    }

    /// The counted cells in `ml` millilitres drawn from this bag, as an exact fraction: the whole
    /// bag's count × `ml` ÷ its volume (`None` for a bag of no volume).
    #[allow(clippy::arithmetic_side_effects)] // a product of big fractions cannot overflow
    pub(crate) fn counted_fraction(&self, ml: Decimal) -> Option<BigRational> {
        divide(
            fraction(self.counted.get()) * fraction(ml),
            &fraction(self.volume.ml()),
        )
    }

    /// The counted cells in `ml` millilitres drawn from this bag; the whole bag's count where
    /// `ml` is its volume. The part is computed as an exact fraction (the whole bag's count ×
    /// `ml` ÷ its volume), never from a rounded count per mL.
    ///
    /// # Errors
    /// More than the bag holds; a part whose count is not a terminating decimal (say, a third of
    /// a bag stated by its total): it is refused, never rounded.
    ///
    /// ```
    /// use celldose::certificate::{Bag, BagContent, Counted};
    /// use rust_decimal::Decimal;
    /// let bag = Bag::new("T", "3mL".parse()?, BagContent::Total("1e8".parse()?), "100%".parse()?, None, Counted::Viable)?;
    /// // 10⁸ × 2.1 ÷ 3 = 70,000,000 exactly.
    /// assert_eq!(bag.counted_in(Decimal::new(21, 1))?.to_string(), "70000000");
    /// // 10⁸ × 1 ÷ 3 does not terminate: refused, never rounded.
    /// let error = bag.counted_in(Decimal::ONE).unwrap_err().to_string();
    /// assert!(error.contains("33,333,333.3… (100,000,000 ÷ 3, not a terminating decimal)"), "{error}");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn counted_in(&self, ml: Decimal) -> Result<ExactCells> {
        if ml == self.volume.ml() {
            return Ok(self.counted);
        }
        if ml > self.volume.ml() {
            return Err(Refusal::MoreThanInBag {
                bag: self.id.clone(),
                ml: ml.normalize().to_string(),
                volume: self.volume.to_string(),
            }
            .into());
        }
        let Some(part) = self.counted_fraction(ml) else {
            return Err(Refusal::EmptyBag {
                bag: self.id.clone(),
            }
            .into());
        };
        let cells = to_decimal(&part).ok_or_else(|| {
            Error::from(Refusal::InexactPart {
                bag: self.id.clone(),
                ml: ml.normalize().to_string(),
                cells: words(&part),
            })
        })?;
        ExactCells::new(cells)
    }
}
