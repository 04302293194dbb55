//! A trial protocol: where its numbers come from, who may be dosed, and its arms, each dosed by a
//! regimen (`dosing.rs`).

use std::sync::Arc;

use super::dosing::Regimen;
use super::{ProductRules, Window};
use crate::units::{AgeYears, BodyWeight};

/// Where a protocol's numbers come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Source {
    pub(crate) registry: String,
    pub(crate) record: String,
    pub(crate) quote: String,
    pub(crate) note: Option<String>,
}

/// One arm (or eligibility group) of a trial, and the regimen it follows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Arm {
    pub(crate) id: Arc<str>,
    pub(crate) name: String,
    pub(crate) regimen: Regimen,
}

/// How many subjects a cohort takes, as the record states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CohortSize {
    pub(crate) min: u32,
    pub(crate) max: u32,
}

/// A validated trial protocol. Built only by loading a protocol file (see
/// [`Protocol::from_toml`]), so every protocol in hand has passed every check.
///
/// ```
/// let catalogue = celldose::Catalogue::builtin()?;
/// let protocol = catalogue.find("nct05727722")?;
/// assert_eq!(protocol.id(), "NCT05727722");
/// assert_eq!(protocol.arms().len(), 2);
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Protocol {
    /// The id, version and file hash, shared with every calculation made under the protocol.
    pub(crate) provenance: Arc<Provenance>,
    pub(crate) title: String,
    pub(crate) product: String,
    pub(crate) route: String,
    pub(crate) source: Source,
    pub(crate) arms: Vec<Arm>,
    pub(crate) weight_window: Option<Window<BodyWeight>>,
    pub(crate) age_window: Option<Window<AgeYears>>,
    pub(crate) follow_up: Vec<String>,
    pub(crate) cohort_size: Option<CohortSize>,
    pub(crate) product_rules: ProductRules,
    pub(crate) origin: Arc<str>,
}

/// Which protocol a result rests on: its id, its version and the SHA-256 of its file. One
/// shared value, so that a calculation takes it with one reference count, not three.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Provenance {
    pub(crate) id: Arc<str>,
    pub(crate) version: Arc<str>,
    pub(crate) sha256: Arc<str>,
}

impl Source {
    /// The registry the record is from, e.g. `ClinicalTrials.gov`.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT01218464")?.clone();
    /// assert_eq!(p.source().registry(), "ClinicalTrials.gov");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The record's identifier in that registry.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT01218464")?.clone();
    /// assert_eq!(p.source().record(), "NCT01218464");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn record(&self) -> &str {
        &self.record
    }

    /// The record's dose sentence, quoted as it stands.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT01218464")?.clone();
    /// assert!(p.source().quote().contains("0.5-1.0×106 cells/kg"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn quote(&self) -> &str {
        &self.quote
    }

    /// A note on how the quote was read, such as a superscript lost in the record's text.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT01218464")?.clone();
    /// assert!(p.source().note().is_some());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }
}

impl Arm {
    /// The arm's id, lower-case, as commands take it.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT06167473")?.clone();
    /// assert_eq!(p.arms()[1].id(), "medium-high-dose");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The arm's name as the record gives it.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// assert_eq!(p.arms()[0].name(), "Acute Liver Failure");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The regimen the arm follows.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// assert_eq!(p.arms()[0].regimen(), p.arms()[3].regimen());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn regimen(&self) -> &Regimen {
        &self.regimen
    }
}

impl CohortSize {
    /// The fewest subjects in a cohort.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05227846")?.clone();
    /// assert_eq!(p.cohort_size().map(|c| (c.min(), c.max())), Some((3, 6)));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn min(&self) -> u32 {
        self.min
    }

    /// The most subjects in a cohort.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05227846")?.clone();
    /// assert_eq!(p.cohort_size().map(|c| c.max()), Some(6));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn max(&self) -> u32 {
        self.max
    }
}

impl Protocol {
    /// The protocol's id, such as a registry number (`NCT07276568`).
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("nct07276568")?.clone();
    /// assert_eq!(p.id(), "NCT07276568");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn id(&self) -> &str {
        &self.provenance.id
    }

    /// The protocol's version or amendment.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// assert!(!p.version().is_empty());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn version(&self) -> &str {
        &self.provenance.version
    }

    /// The trial's title.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05227846")?.clone();
    /// assert!(p.title().contains("Decompensated Cirrhosis"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The cell product.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05727722")?.clone();
    /// assert!(p.product().contains("hepatocytes"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn product(&self) -> &str {
        &self.product
    }

    /// The route of administration.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05727722")?.clone();
    /// assert_eq!(p.route(), "intraperitoneal");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn route(&self) -> &str {
        &self.route
    }

    /// The source record and its dose sentence.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT06167473")?.clone();
    /// assert!(p.source().quote().contains("1×10^6cells/kg per infusion"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The arms, in the order the protocol file lists them.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// let ids: Vec<&str> = p.arms().iter().map(|a| a.id()).collect();
    /// assert_eq!(ids, ["alf", "aclf", "clf", "sfss"]);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn arms(&self) -> &[Arm] {
        &self.arms
    }

    /// The arm with this id, compared without regard to case.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// assert!(p.arm("ALF").is_some());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn arm(&self, id: &str) -> Option<&Arm> {
        self.arms
            .iter()
            .find(|arm| arm.id.eq_ignore_ascii_case(id.trim()))
    }

    /// Whether every arm follows the same regimen, so that an arm need not be named.
    ///
    /// ```
    /// let catalogue = celldose::Catalogue::builtin()?;
    /// assert!(catalogue.find("NCT07276568")?.arms_share_one_regimen());
    /// assert!(!catalogue.find("NCT01218464")?.arms_share_one_regimen());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn arms_share_one_regimen(&self) -> bool {
        self.arms
            .windows(2)
            .all(|pair| matches!(pair, [a, b] if a.regimen == b.regimen))
    }

    /// The body-weight window for eligibility, where the record states one.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05727722")?.clone();
    /// assert_eq!(p.weight_window().map(|w| w.to_string()).as_deref(), Some("above 40 kg"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn weight_window(&self) -> Option<&Window<BodyWeight>> {
        self.weight_window.as_ref()
    }

    /// The age window for eligibility, where the record states one.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT05727722")?.clone();
    /// assert_eq!(
    ///     p.age_window().map(|w| w.to_string()).as_deref(),
    ///     Some("at least 18 years and at most 65 years")
    /// );
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn age_window(&self) -> Option<&Window<AgeYears>> {
        self.age_window.as_ref()
    }

    /// Follow-up points, as the record states them.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT06167473")?.clone();
    /// assert_eq!(p.follow_up().len(), 6);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn follow_up(&self) -> &[String] {
        &self.follow_up
    }

    /// The SHA-256 of the protocol definition, in lower-case hex: the exact bytes of the file the
    /// protocol was loaded from, so a record can show which rules produced a number.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// assert_eq!(p.sha256().len(), 64);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn sha256(&self) -> &str {
        &self.provenance.sha256
    }

    /// Where the definition was loaded from: a file name as given, or `built-in:<id>`.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// assert_eq!(p.origin(), "built-in:NCT07276568");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// How many subjects a cohort takes, where the record states it.
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// assert!(p.cohort_size().is_none());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn cohort_size(&self) -> Option<&CohortSize> {
        self.cohort_size.as_ref()
    }

    /// What the protocol says about products: which cells the dose counts, the limits on what
    /// goes in with them, and which weight doses (docs/protocol-format.md).
    ///
    /// ```
    /// let p = celldose::Catalogue::builtin()?.find("NCT07276568")?.clone();
    /// assert!(p.product_rules().limits.is_empty() && p.product_rules().dosing_weight.is_none());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn product_rules(&self) -> &ProductRules {
        &self.product_rules
    }
}
