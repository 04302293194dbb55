//! One bag of a cell product, as its certificate of analysis states it, and the cells in it that
//! count towards the dose.

use rust_decimal::Decimal;

use super::Counted;
use crate::error::{Error, Result};
use crate::units::{CellCount, Concentration, EndotoxinPerMl, ExactCells, Percent, Volume};

/// What the certificate states of a bag's cells: a concentration or a total count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BagContent {
    /// Nucleated cells per mL.
    Concentration(Concentration),
    /// Nucleated cells in the whole bag.
    Total(CellCount),
}

/// One bag: its id, volume, cells, viability, the fraction positive for the counted phenotype,
/// and what else goes in with the cells.
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
    dmso: Option<Percent>,
    endotoxin: Option<EndotoxinPerMl>,
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
    /// A viability of 0 %; a positive fraction missing where `counts` needs one, given where it
    /// does not, or 0 %; more cells than [`CellCount::MAX`].
    pub fn new(
        id: &str,
        volume: Volume,
        content: BagContent,
        viability: Percent,
        positive: Option<Percent>,
        counts: Counted,
    ) -> Result<Self> {
        let refuse =
            |message: String| Error::Request(format!("bag {}: {message}", crate::text::Shown(id)));
        if viability.get().is_zero() {
            return Err(refuse(
                "viability 0% is not above 0%; accepted: above 0% and at most 100%".into(),
            ));
        }
        let factor_positive = match (counts.uses_positive(), positive) {
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
            (true, Some(p)) => p.get(),
            (false, None) => Decimal::ONE_HUNDRED,
        };
        let factor_viability = if counts.uses_viability() {
            viability.get()
        } else {
            Decimal::ONE_HUNDRED
        };
        let overflow = || Error::Overflow {
            operation: "cells in a bag",
            detail: format!("bag {}", crate::text::Shown(id)),
        };
        // Percentages divide by 100 exactly in decimal, so every product here is exact.
        let scale = |value: Decimal| {
            value
                .checked_mul(factor_viability)
                .and_then(|v| v.checked_mul(factor_positive))
                .and_then(|v| v.checked_div(Decimal::from(10_000)))
                .map(|v| v.normalize())
        };
        let (cells, counted_per_ml) = match content {
            BagContent::Concentration(c) => (
                c.get().checked_mul(volume.ml()).ok_or_else(overflow)?,
                Some(scale(c.get()).ok_or_else(overflow)?),
            ),
            BagContent::Total(total) => (total.get(), None),
        };
        let counted = scale(cells).ok_or_else(overflow)?;
        let counted_per_ml = counted_per_ml.or_else(|| {
            // A total spread over the volume: kept only where the division terminates, so a
            // partial draw is always computed exactly or not at all.
            let per_ml = counted.checked_div(volume.ml())?;
            (per_ml.checked_mul(volume.ml())? == counted).then(|| per_ml.normalize())
        });
        let exact = |value: Decimal| {
            ExactCells::new(value).map_err(|_| {
                refuse(format!(
                    "{} cells is more than celldose accepts in a bag ({} cells); check the concentration and volume",
                    value.normalize(),
                    CellCount::MAX
                ))
            })
        };
        Ok(Self {
            id: id.to_owned(),
            volume,
            content,
            viability,
            positive,
            dmso: None,
            endotoxin: None,
            cells: exact(cells)?,
            counted: exact(counted)?,
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

    /// DMSO, % v/v, where the certificate states it.
    pub fn dmso(&self) -> Option<Percent> {
        self.dmso
    }

    /// Endotoxin per mL, where the certificate states it.
    pub fn endotoxin(&self) -> Option<EndotoxinPerMl> {
        self.endotoxin
    }

    /// All nucleated cells in the bag.
    pub fn cells(&self) -> ExactCells {
        self.cells
    }

    /// The cells in the whole bag that count towards the dose.
    ///
    /// See [`Bag`] for an example.
    pub fn counted(&self) -> ExactCells {
        self.counted
    }

    /// Counted cells per mL: exact for a concentration; for a total, only where total ÷ volume
    /// terminates as a decimal.
    ///
    /// See [`Bag`] for an example.
    pub fn counted_per_ml(&self) -> Option<Decimal> {
        self.counted_per_ml
    }

    /// The counted cells in `ml` millilitres drawn from this bag; the whole bag's count where
    /// `ml` is its volume.
    ///
    /// # Errors
    /// A part of a bag stated by a total that does not divide exactly by its volume; more than
    /// the bag holds.
    ///
    /// ```
    /// use celldose::certificate::{Bag, BagContent, Counted};
    /// let bag = Bag::new("B", "3mL".parse()?, BagContent::Total("1e8".parse()?), "90%".parse()?, None, Counted::Viable)?;
    /// assert_eq!(bag.counted_in(rust_decimal::Decimal::from(3))?.to_string(), "90000000");
    /// // 9 × 10⁷ ÷ 3 mL = 3 × 10⁷/mL exactly, so a part can be drawn.
    /// assert_eq!(bag.counted_in(rust_decimal::Decimal::ONE)?.to_string(), "30000000");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn counted_in(&self, ml: Decimal) -> Result<ExactCells> {
        if ml == self.volume.ml() {
            return Ok(self.counted);
        }
        if ml > self.volume.ml() {
            return Err(Error::Request(format!(
                "bag {}: {} mL is more than the {} in it",
                crate::text::Shown(&self.id),
                ml.normalize(),
                self.volume
            )));
        }
        let per_ml = self.counted_per_ml.ok_or_else(|| {
            Error::Request(format!(
                "bag {}: its total of {} cells over {} does not divide into an exact count per mL, so a part of it cannot be measured exactly; give the certificate's concentration (cells/mL) instead of the total",
                crate::text::Shown(&self.id),
                self.cells.get(),
                self.volume
            ))
        })?;
        let cells = per_ml.checked_mul(ml).ok_or_else(|| Error::Overflow {
            operation: "cells drawn from a bag",
            detail: format!("{per_ml} cells/mL × {ml} mL"),
        })?;
        ExactCells::new(cells)
    }
}
