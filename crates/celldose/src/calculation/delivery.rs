//! What is given in one infusion: a count the caller states, or what is drawn from the bags of a
//! product; and, for a split dose, which infusion it is and what was given before.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::certificate::{Bag, Certificate, ProductIdentity};
use crate::error::{Error, Result};
use crate::refusal::Refusal;
use crate::regimen::SplitLimits;
use crate::units::{CellCount, DmsoAmount, EndotoxinPerMl, ExactCells, Percent, Volume};

/// What is taken from one bag: all of it, or a measured volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BagShare {
    pub(crate) id: String,
    pub(crate) whole: bool,
    pub(crate) volume_ml: Decimal,
    pub(crate) bag_volume_ml: Decimal,
    pub(crate) counted: ExactCells,
    pub(crate) bag_counted: ExactCells,
    pub(crate) viability: Percent,
    pub(crate) dmso: Option<Percent>,
    pub(crate) endotoxin: Option<EndotoxinPerMl>,
}

impl BagShare {
    /// `ml` millilitres of `bag` (its whole volume for the whole bag).
    pub(crate) fn of(bag: &Bag, ml: Decimal) -> Result<Self> {
        Ok(Self {
            id: bag.id().to_owned(),
            whole: ml == bag.volume().ml(),
            volume_ml: ml.normalize(),
            bag_volume_ml: bag.volume().ml(),
            counted: bag.counted_in(ml)?,
            bag_counted: bag.counted(),
            viability: bag.viability(),
            dmso: bag.dmso(),
            endotoxin: bag.endotoxin(),
        })
    }

    /// The bag's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether the whole bag is given.
    pub fn whole(&self) -> bool {
        self.whole
    }

    /// The volume given from the bag, in mL.
    pub fn volume_ml(&self) -> Decimal {
        self.volume_ml
    }

    /// The counted cells in that volume.
    pub fn counted(&self) -> ExactCells {
        self.counted
    }

    /// The bag's viability.
    pub fn viability(&self) -> Percent {
        self.viability
    }

    /// The volume left in the bag, in mL.
    pub fn left_ml(&self) -> Decimal {
        self.bag_volume_ml
            .checked_sub(self.volume_ml)
            .unwrap_or_default()
            .normalize()
    }

    /// The counted cells left in the bag.
    pub fn left_counted(&self) -> Decimal {
        self.bag_counted
            .get()
            .checked_sub(self.counted.get())
            .unwrap_or_default()
            .normalize()
    }
}

/// The product a delivery was taken from, and the bags it used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductUse {
    pub(crate) identity: Arc<ProductIdentity>,
    pub(crate) bags: Vec<BagShare>,
    /// Bags of the product not used at all.
    pub(crate) untouched: Vec<(String, Decimal, ExactCells)>,
}

impl ProductUse {
    /// Who the product is.
    pub fn identity(&self) -> &ProductIdentity {
        &self.identity
    }

    /// What is taken from each bag used, in the order given.
    pub fn bags(&self) -> &[BagShare] {
        &self.bags
    }

    /// The bags not used: id, volume in mL and counted cells.
    pub fn untouched(&self) -> &[(String, Decimal, ExactCells)] {
        &self.untouched
    }
}

/// The cells given in one infusion, and the product they came from where known.
///
/// ```
/// use celldose::calculation::Delivery;
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/products/car-t-two-bags.toml"))?;
/// let product = celldose::Certificate::from_toml("p.toml", &text)?;
/// let delivery = Delivery::bags(&product, &product.select(&[])?)?;
/// assert_eq!(delivery.cells().to_string(), "200550000");
/// assert_eq!(Delivery::count("1.2e9".parse()?).cells().to_string(), "1200000000");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub(crate) cells: ExactCells,
    pub(crate) product: Option<ProductUse>,
    pub(crate) dmso_given_today: Option<DmsoAmount>,
}

impl Delivery {
    /// A count stated by the caller.
    pub fn count(cells: CellCount) -> Self {
        Self {
            cells: cells.exact(),
            product: None,
            dmso_given_today: None,
        }
    }

    /// The same delivery, on a day when `dmso` was already given (from the request: see
    /// [`crate::DoseRequest::with_dmso_given_today`]).
    #[must_use]
    pub(crate) fn with_dmso_given_today(mut self, dmso: Option<DmsoAmount>) -> Self {
        self.dmso_given_today = dmso;
        self
    }

    /// The DMSO given earlier on the day of this delivery, where stated.
    pub fn dmso_given_today(&self) -> Option<DmsoAmount> {
        self.dmso_given_today
    }

    /// `bags` of `product`, each given whole.
    ///
    /// # Errors
    /// A bag that is not one of the product's, or named twice; more cells than celldose accepts.
    pub fn bags(product: &Certificate, bags: &[&Bag]) -> Result<Self> {
        let whole: Vec<(&Bag, Volume)> = bags.iter().map(|b| (*b, b.volume())).collect();
        Self::drawn_from(product, &whole)
    }

    /// Measured parts of bags of `product`: each bag with the volume drawn from it (its whole
    /// volume for the whole bag).
    ///
    /// # Errors
    /// A bag that is not one of the product's, or named twice; more than a bag holds; a part of a
    /// bag stated by a total that does not divide exactly by its volume; more cells than celldose
    /// accepts.
    ///
    /// ```
    /// use celldose::calculation::Delivery;
    /// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/products/car-t-two-bags.toml"))?;
    /// let product = celldose::Certificate::from_toml("p.toml", &text)?;
    /// let [one, two] = [&product.bags()[0], &product.bags()[1]];
    /// let delivery = Delivery::drawn_from(&product, &[(one, one.volume()), (two, "69.6mL".parse()?)])?;
    /// assert_eq!(delivery.cells().to_string(), "199974000");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn drawn_from(product: &Certificate, parts: &[(&Bag, Volume)]) -> Result<Self> {
        // Only this product's own bags, each once: a bag counted twice, or a bag of another
        // product, would give a count no certificate supports.
        for (index, (bag, _)) in parts.iter().enumerate() {
            if !product.bags().iter().any(|own| own == *bag) {
                return Err(Refusal::NoSuchBag {
                    product: product.identity().id().to_owned(),
                    bag: bag.id().to_owned(),
                    known: String::new(),
                }
                .into());
            }
            if parts
                .iter()
                .take(index)
                .any(|(other, _)| other.id() == bag.id())
            {
                return Err(Refusal::BagNamedTwice {
                    bag: bag.id().to_owned(),
                }
                .into());
            }
        }
        let shares = parts
            .iter()
            .map(|(bag, volume)| BagShare::of(bag, volume.ml()))
            .collect::<Result<Vec<_>>>()?;
        Self::drawn(product, shares)
    }

    /// What is drawn from the bags of `product`, as `shares`.
    pub(crate) fn drawn(product: &Certificate, shares: Vec<BagShare>) -> Result<Self> {
        let mut total = Decimal::ZERO;
        for share in &shares {
            total = total
                .checked_add(share.counted.get())
                .ok_or_else(|| Error::Overflow {
                    operation: "cells in the bags",
                    detail: format!("product {}", product.identity().id()),
                })?;
        }
        let untouched = product
            .bags()
            .iter()
            .filter(|bag| !shares.iter().any(|s| s.id == bag.id()))
            .map(|bag| (bag.id().to_owned(), bag.volume().ml(), bag.counted()))
            .collect();
        Ok(Self {
            cells: ExactCells::new(total)?,
            product: Some(ProductUse {
                identity: Arc::clone(&product.identity),
                bags: shares,
                untouched,
            }),
            dmso_given_today: None,
        })
    }

    /// The counted cells given.
    pub fn cells(&self) -> ExactCells {
        self.cells
    }

    /// The product and bags, where the delivery came from a product file.
    pub fn product(&self) -> Option<&ProductUse> {
        self.product.as_ref()
    }

    /// The volume given, in mL, where it came from a product file.
    pub fn volume_ml(&self) -> Option<Decimal> {
        self.product.as_ref().map(|p| {
            p.bags
                .iter()
                .map(|b| b.volume_ml)
                .sum::<Decimal>()
                .normalize()
        })
    }
}

/// Which infusion of a split dose this is, and what was given before it.
///
/// ```
/// use celldose::calculation::Course;
/// let course = Course::infusion(2).with_given_before("1.16e8".parse()?);
/// assert_eq!(course.number(), 2);
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Course {
    pub(crate) infusion: u32,
    pub(crate) given_before: Option<ExactCells>,
    /// Where `given_before` was read from an audit log: each earlier infusion, the record it
    /// was found in, and its count.
    pub(crate) from_log: Vec<(u32, u64, ExactCells)>,
}

impl Course {
    /// Infusion `number`, from 1.
    pub fn infusion(number: u32) -> Self {
        Self {
            infusion: number,
            given_before: None,
            from_log: Vec::new(),
        }
    }

    /// The same, with the counted cells given in the infusions before it.
    #[must_use]
    pub fn with_given_before(mut self, cells: CellCount) -> Self {
        self.given_before = Some(cells.exact());
        self
    }

    /// The same, with what was given before read from an audit log: each earlier infusion's
    /// number, the sequence number of the record it was found in, and its count (see
    /// [`crate::audit::given_before`]).
    ///
    /// # Errors
    /// A sum beyond what celldose accepts.
    pub fn with_given_from_log(mut self, earlier: Vec<(u32, u64, ExactCells)>) -> Result<Self> {
        let mut total = Decimal::ZERO;
        for (_, _, cells) in &earlier {
            total = total
                .checked_add(cells.get())
                .ok_or_else(|| Error::Overflow {
                    operation: "cells given before",
                    detail: "the audit log's earlier infusions".into(),
                })?;
        }
        self.given_before = Some(ExactCells::new(total)?);
        self.from_log = earlier;
        Ok(self)
    }

    /// The infusion's number.
    pub fn number(&self) -> u32 {
        self.infusion
    }

    /// What was given before, where stated.
    pub fn given_before(&self) -> Option<ExactCells> {
        self.given_before
    }
}

/// How one infusion of a split dose was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitCheck {
    pub(crate) infusion: u32,
    pub(crate) infusions: u32,
    pub(crate) day: u32,
    pub(crate) share: Percent,
    pub(crate) share_so_far: Decimal,
    pub(crate) limits: SplitLimits,
    pub(crate) target: Option<ExactCells>,
    pub(crate) given_before: Option<ExactCells>,
    pub(crate) cumulative: Option<ExactCells>,
    pub(crate) cumulative_target: Option<ExactCells>,
}

impl SplitCheck {
    /// This infusion's number, from 1.
    pub fn infusion(&self) -> u32 {
        self.infusion
    }
    /// How many infusions the split has.
    pub fn infusions(&self) -> u32 {
        self.infusions
    }
    /// This infusion's day.
    pub fn day(&self) -> u32 {
        self.day
    }
    /// This infusion's share of the dose.
    pub fn share(&self) -> Percent {
        self.share
    }
    /// The share of the dose given up to and including this infusion, in percent.
    pub fn share_so_far(&self) -> Decimal {
        self.share_so_far
    }
    /// Whether limits apply per infusion or to the running total.
    pub fn limits(&self) -> SplitLimits {
        self.limits
    }
    /// This infusion's target: its share of the whole target.
    pub fn target(&self) -> Option<ExactCells> {
        self.target
    }
    /// What was given before this infusion, where stated (nothing before the first).
    pub fn given_before(&self) -> Option<ExactCells> {
        self.given_before
    }
    /// The running total after this infusion, where what was given before is known.
    pub fn cumulative(&self) -> Option<ExactCells> {
        self.cumulative
    }
    /// The share of the target due by the end of this infusion.
    pub fn cumulative_target(&self) -> Option<ExactCells> {
        self.cumulative_target
    }
}

/// What goes in with the cells, in total and per kg of the dosing weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Excipients {
    pub(crate) volume_ml: Decimal,
    pub(crate) volume_ml_per_kg: Decimal,
    pub(crate) dmso_ml: Option<Decimal>,
    pub(crate) dmso_g: Option<Decimal>,
    pub(crate) dmso_g_per_kg: Option<Decimal>,
    pub(crate) dmso_density: Decimal,
    pub(crate) endotoxin_eu: Option<Decimal>,
    pub(crate) endotoxin_eu_per_kg: Option<Decimal>,
}

impl Excipients {
    /// The product volume given, mL.
    pub fn volume_ml(&self) -> Decimal {
        self.volume_ml
    }
    /// mL per kg, rounded half away from zero to 4 places (limits are compared exactly).
    pub fn volume_ml_per_kg(&self) -> Decimal {
        self.volume_ml_per_kg
    }
    /// DMSO given, mL, where every bag used states its DMSO fraction.
    pub fn dmso_ml(&self) -> Option<Decimal> {
        self.dmso_ml
    }
    /// DMSO given, g (mL × density).
    pub fn dmso_g(&self) -> Option<Decimal> {
        self.dmso_g
    }
    /// g per kg, rounded half away from zero to 4 places (limits are compared exactly).
    pub fn dmso_g_per_kg(&self) -> Option<Decimal> {
        self.dmso_g_per_kg
    }
    /// The density used, g/mL.
    pub fn dmso_density(&self) -> Decimal {
        self.dmso_density
    }
    /// Endotoxin given, EU, where every bag used states it.
    pub fn endotoxin_eu(&self) -> Option<Decimal> {
        self.endotoxin_eu
    }
    /// EU per kg, rounded half away from zero to 4 places (limits are compared exactly).
    pub fn endotoxin_eu_per_kg(&self) -> Option<Decimal> {
        self.endotoxin_eu_per_kg
    }
}
