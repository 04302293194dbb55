//! One way to prepare a stored calculation, whatever the product is described by: the volume to
//! draw from a product's figures, or which bags of a product file and how much of the last.

use super::options::PrepareOptions;
use super::{Calculation, DeliveryCheck, Preparation};
use crate::certificate::{Bag, Certificate};
use crate::error::Result;
use crate::refusal::Refusal;

/// What a preparation starts from.
#[derive(Debug, Clone, Copy)]
pub enum PrepareFrom<'a> {
    /// A product described by its certificate's figures (concentration, viability, the fraction
    /// that counts, the volume at hand): the volume to draw.
    Figures(&'a super::Product),
    /// Bags of a product file, in the order they are to be used (all of them where the slice is
    /// empty): which bags whole, and how much of the next.
    Bags(&'a Certificate, &'a [&'a Bag]),
}

/// What a preparation chooses.
#[derive(Debug, Clone)]
pub enum Prepared {
    /// The volume to draw from a product described by its figures.
    Volume(Preparation),
    /// Which bags of a product file, and how much of the last: checked as given.
    Bags(DeliveryCheck),
}

impl Prepared {
    /// The verdict on what is to be given.
    pub fn verdict(&self) -> super::Verdict {
        match self {
            Self::Volume(p) => p.verdict(),
            Self::Bags(c) => c.verdict(),
        }
    }
}

impl Calculation {
    /// What to give for this calculation as it stands, as logged or signed: from a product's
    /// figures, the volume to draw (as [`crate::Protocol::prepare`]); from a product file's
    /// bags, which bags and how much of the last (as [`crate::Protocol::prepare_from_bags`]).
    /// Each candidate is judged as [`Calculation::check`] judges what was given.
    ///
    /// # Errors
    /// A protocol that gives only a range and no dose; a placebo arm; a single target with no
    /// tolerance (the protocol's, one given, or the site's default); a tolerance given where the
    /// protocol states its own; an infusion of a split dose with a product described by its
    /// figures.
    ///
    /// ```
    /// use celldose::calculation::{PrepareFrom, PrepareOptions, Prepared};
    /// use celldose::{Catalogue, DoseChoice, DoseRequest, Product, Rounding};
    /// let catalogue = Catalogue::builtin()?;
    /// let request = DoseRequest::new("72.5kg".parse()?, DoseChoice::Level(1), Rounding::HalfAwayFromZero).with_arm("alf");
    /// let stored = catalogue.find("NCT07276568")?.calculate(&request)?;
    /// let product = Product::new("1e8/mL".parse()?, "89%".parse()?, None, "20mL".parse()?)?;
    /// let options = PrepareOptions::new().site_default("10%".parse()?);
    /// let Prepared::Volume(volume) = stored.prepare(PrepareFrom::Figures(&product), &options)? else {
    ///     unreachable!("figures give a volume");
    /// };
    /// assert_eq!(volume.volume().to_string(), "13.1 mL");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn prepare(&self, from: PrepareFrom<'_>, options: &PrepareOptions) -> Result<Prepared> {
        match from {
            PrepareFrom::Figures(product) => {
                if let Some(course) = options.check().infusion() {
                    return Err(Refusal::InfusionWithFigures {
                        infusion: course.number(),
                    }
                    .into());
                }
                self.prepare_volume(product, options).map(Prepared::Volume)
            }
            PrepareFrom::Bags(certificate, bags) => {
                let all;
                let bags = if bags.is_empty() {
                    all = certificate.select(&[])?;
                    all.as_slice()
                } else {
                    bags
                };
                self.prepare_bags(certificate, bags, options)
                    .map(Prepared::Bags)
            }
        }
    }
}
