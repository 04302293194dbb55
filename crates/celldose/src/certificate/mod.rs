//! A cell product as its certificate of analysis describes it: one or more bags, each with its
//! volume, its cells, their viability and the fraction that counts towards the dose, and what
//! else goes in with them (DMSO, endotoxin). Read from a product file (docs/product-format.md).

mod bag;
mod file;
mod isbt128;

use std::sync::Arc;

/// Which cells count is a property of the dose and of the product alike; it is also named here.
pub use crate::units::Counted;
pub use bag::{Bag, BagContent};
pub use file::{PRODUCT_FORMAT, PRODUCT_MAX_BYTES};
pub use isbt128::{DonationId, ProductCode, Scan};

use crate::error::{Error, Result};
use crate::refusal::Refusal;
use crate::units::ExactCells;

/// Who a product is: its id, its ISBT 128 identifiers where given, which cells its counts are of,
/// and the SHA-256 of the file it was read from. A check from its bags carries the same.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProductIdentity {
    pub(crate) id: String,
    pub(crate) din: Option<DonationId>,
    pub(crate) product_code: Option<ProductCode>,
    pub(crate) counts: Counted,
    pub(crate) sha256: Arc<str>,
    pub(crate) recipient: Option<Recipient>,
    pub(crate) expires: Option<crate::units::Expiry>,
    pub(crate) handling: crate::units::Handling,
}

/// Who a product was made for: one patient (an autologous or directed product), or any patient
/// (an off-the-shelf product, `recipient = "any"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Recipient {
    /// The patient identifier the product was made for.
    Patient(String),
    /// Any patient.
    Any,
}

impl core::fmt::Display for Recipient {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Patient(id) => f.write_str(id),
            Self::Any => f.write_str("any patient (off the shelf)"),
        }
    }
}

impl ProductIdentity {
    /// The product's id (lot or batch), as on the certificate.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The ISBT 128 donation identification number, where given.
    pub fn din(&self) -> Option<&DonationId> {
        self.din.as_ref()
    }

    /// The ISBT 128 product code, where given.
    pub fn product_code(&self) -> Option<&ProductCode> {
        self.product_code.as_ref()
    }

    /// Which cells the counts are of.
    pub fn counts(&self) -> Counted {
        self.counts
    }

    /// The SHA-256 of the product file, as 64 hex digits.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Who the product was made for, where the file says.
    pub fn recipient(&self) -> Option<&Recipient> {
        self.recipient.as_ref()
    }

    /// When the product expires, where the file says.
    pub fn expires(&self) -> Option<crate::units::Expiry> {
        self.expires
    }

    /// How long it may wait between thaw and infusion, where the file says (the protocol's
    /// limit applies too; the shorter binds).
    pub fn handling(&self) -> &crate::units::Handling {
        &self.handling
    }
}

/// A cell product: who it is, and its bags.
///
/// ```
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/products/car-t-two-bags.toml"))?;
/// let product = celldose::Certificate::from_toml("car-t-two-bags.toml", &text)?;
/// assert_eq!(product.identity().id(), "CART-2026-0417");
/// assert_eq!(product.bags().len(), 2);
/// assert_eq!(product.counted_total(&product.bags().iter().collect::<Vec<_>>())?.to_string(), "200550000");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub(crate) identity: Arc<ProductIdentity>,
    pub(crate) bags: Vec<Bag>,
    pub(crate) origin: String,
}

impl Certificate {
    /// Who the product is.
    pub fn identity(&self) -> &ProductIdentity {
        &self.identity
    }

    /// Which cells the counts are of.
    pub fn counts(&self) -> Counted {
        self.identity.counts
    }

    /// Every bag, in the file's order.
    pub fn bags(&self) -> &[Bag] {
        &self.bags
    }

    /// The file it was read from, as named.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The bags named by `ids`, in that order; every bag, in the file's order, where `ids` is
    /// empty.
    ///
    /// # Errors
    /// An id that names no bag (the message lists the bags), or an id named twice.
    ///
    /// ```
    /// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/products/car-t-two-bags.toml"))?;
    /// let product = celldose::Certificate::from_toml("p.toml", &text)?;
    /// assert_eq!(product.select(&["2"])?.len(), 1);
    /// assert_eq!(product.select(&["3"]).unwrap_err().to_string(), "product CART-2026-0417 has no bag \"3\"; its bags: 1, 2");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn select(&self, ids: &[&str]) -> Result<Vec<&Bag>> {
        if ids.is_empty() {
            return Ok(self.bags.iter().collect());
        }
        let mut chosen: Vec<&Bag> = Vec::with_capacity(ids.len());
        for id in ids {
            let bag = self.bags.iter().find(|b| b.id() == *id).ok_or_else(|| {
                Error::from(Refusal::NoSuchBag {
                    product: self.identity.id.clone(),
                    bag: (*id).to_owned(),
                    known: self.bags.iter().map(Bag::id).collect::<Vec<_>>().join(", "),
                })
            })?;
            if chosen.iter().any(|b| b.id() == bag.id()) {
                return Err(Refusal::BagNamedTwice {
                    bag: (*id).to_owned(),
                }
                .into());
            }
            chosen.push(bag);
        }
        Ok(chosen)
    }

    /// The counted cells of `bags`, each given whole.
    ///
    /// # Errors
    /// More cells than celldose accepts.
    pub fn counted_total(&self, bags: &[&Bag]) -> Result<ExactCells> {
        let mut total = rust_decimal::Decimal::ZERO;
        for bag in bags {
            total = total
                .checked_add(bag.counted().get())
                .ok_or_else(|| Error::Overflow {
                    operation: "cells in the bags",
                    detail: format!("product {}", self.identity.id),
                })?;
        }
        ExactCells::new(total)
    }
}
