//! The protocols at hand: the built-in five, and any a caller adds.

use std::sync::{Arc, OnceLock};

use super::{Protocol, TrialState};
use crate::error::{Error, Result};
use crate::refusal::Refusal;

/// The built-in protocol files, embedded at compile time and loaded through
/// [`Protocol::from_toml`], the same path a user's file takes.
const BUILT_IN: [(&str, &str); 5] = [
    (
        "built-in:NCT07276568",
        include_str!("../../protocols/nct07276568.toml"),
    ),
    (
        "built-in:NCT05727722",
        include_str!("../../protocols/nct05727722.toml"),
    ),
    (
        "built-in:NCT01218464",
        include_str!("../../protocols/nct01218464.toml"),
    ),
    (
        "built-in:NCT05227846",
        include_str!("../../protocols/nct05227846.toml"),
    ),
    (
        "built-in:NCT06167473",
        include_str!("../../protocols/nct06167473.toml"),
    ),
];

include!(concat!(env!("OUT_DIR"), "/builtin_sha256.rs"));

/// The id a built-in file states, as its source name gives it (a unit test holds each to the
/// parsed file's id), so that the built-in protocols are known without parsing them.
fn builtin_id(name: &'static str) -> &'static str {
    name.strip_prefix("built-in:").unwrap_or(name)
}

/// A set of protocols with distinct ids, looked up without regard to case.
///
/// The built-in protocols are parsed only when first asked for: a command that doses under one
/// of them reads that one file, not five.
///
/// ```
/// let catalogue = celldose::Catalogue::builtin()?;
/// assert_eq!(catalogue.protocols().len(), 5);
/// assert!(catalogue.find("NCT99999999").is_err());
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// One slot for each built-in file (none when the catalogue has no built-in protocols),
    /// filled when that protocol is first found.
    builtin: Vec<OnceLock<Protocol>>,
    /// The protocols added, after the built-in ones.
    added: Vec<Protocol>,
    /// Every protocol in order, made when the whole list is first asked for.
    all: OnceLock<Vec<Protocol>>,
    trial_state: Option<Arc<TrialState>>,
}

impl PartialEq for Catalogue {
    fn eq(&self, other: &Self) -> bool {
        self.protocols() == other.protocols() && self.trial_state == other.trial_state
    }
}

impl Eq for Catalogue {}

impl Catalogue {
    /// The five protocols built from the source records.
    ///
    /// # Errors
    /// None today: each built-in file is parsed when first asked for, and the test suite holds
    /// every one to its checks. The `Result` is kept for callers written against it.
    ///
    /// ```
    /// let catalogue = celldose::Catalogue::builtin()?;
    /// assert_eq!(catalogue.protocols()[0].id(), "NCT07276568");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn builtin() -> Result<Self> {
        Ok(Self {
            builtin: BUILT_IN.iter().map(|_| OnceLock::new()).collect(),
            ..Self::default()
        })
    }

    /// The built-in protocol of slot `index`, parsed the first time.
    fn builtin_protocol(&self, index: usize) -> Option<Result<&Protocol>> {
        let slot = self.builtin.get(index)?;
        if let Some(protocol) = slot.get() {
            return Some(Ok(protocol));
        }
        let ((name, text), sha256) = BUILT_IN.get(index).zip(BUILT_IN_SHA256.get(index))?;
        Some(Protocol::from_builtin(name, text, sha256).map(|parsed| slot.get_or_init(|| parsed)))
    }

    /// The ids of the built-in protocols this catalogue has, in order.
    fn builtin_ids(&self) -> impl Iterator<Item = &'static str> + '_ {
        BUILT_IN
            .iter()
            .take(self.builtin.len())
            .map(|(name, _)| builtin_id(name))
    }

    /// Adds a protocol.
    ///
    /// # Errors
    /// When a protocol with the same id (compared without regard to case) is already present;
    /// one never silently replaces another.
    ///
    /// ```
    /// let mut catalogue = celldose::Catalogue::builtin()?;
    /// let again = catalogue.find("NCT05727722")?.clone();
    /// let error = catalogue.add(again).unwrap_err().to_string();
    /// assert!(error.contains("NCT05727722"), "{error}");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn add(&mut self, protocol: Protocol) -> Result<()> {
        let existing = match self
            .builtin_ids()
            .zip(BUILT_IN)
            .find(|(id, _)| id.eq_ignore_ascii_case(protocol.id()))
        {
            Some((_, (name, _))) => Some(name.to_owned()),
            None => self
                .added
                .iter()
                .find(|p| p.id().eq_ignore_ascii_case(protocol.id()))
                .map(|p| p.origin().to_owned()),
        };
        if let Some(existing) = existing {
            return Err(Refusal::DuplicateProtocol {
                id: protocol.id().to_owned(),
                origin: protocol.origin().to_owned(),
                existing,
            }
            .into());
        }
        self.added.push(protocol);
        self.all = OnceLock::new();
        Ok(())
    }

    /// Sets the site's trial state, which every request converted through this catalogue
    /// ([`crate::RequestText::to_request`]) carries, after checking each of its openings against
    /// these protocols.
    ///
    /// # Errors
    /// When an opening names an unknown protocol, one without escalation, or a step that is not
    /// on its ladder (see [`TrialState::check_against`]).
    ///
    /// ```
    /// let mut catalogue = celldose::Catalogue::builtin()?;
    /// let state = celldose::TrialState::from_toml("s.toml", "format = 1\n[[opened]]\nprotocol = \"NCT05227846\"\nlevel = 2\ndate = \"2026-03-14\"\ndecision = \"SRC minutes\"\n")?;
    /// catalogue.set_trial_state(state)?;
    /// assert!(catalogue.trial_state().is_some());
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn set_trial_state(&mut self, state: TrialState) -> Result<()> {
        state.check_against(self)?;
        self.trial_state = Some(Arc::new(state));
        Ok(())
    }

    /// The site's trial state, where one was set.
    ///
    /// See [`Catalogue::set_trial_state`].
    pub fn trial_state(&self) -> Option<&Arc<TrialState>> {
        self.trial_state.as_ref()
    }

    /// Every protocol, in the order added (the built-in ones first). Asking for the whole list
    /// parses every built-in protocol not yet parsed.
    ///
    /// ```
    /// let ids: Vec<String> = celldose::Catalogue::builtin()?.protocols().iter().map(|p| p.id().to_owned()).collect();
    /// assert!(ids.contains(&"NCT06167473".to_owned()));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn protocols(&self) -> &[Protocol] {
        self.all.get_or_init(|| {
            // A built-in file that failed its checks (which the test suite rules out) is left out
            // of the list; finding it by id gives its error.
            (0..self.builtin.len())
                .filter_map(|index| self.builtin_protocol(index)?.ok().cloned())
                .chain(self.added.iter().cloned())
                .collect()
        })
    }

    /// The protocol with this id, compared without regard to case.
    ///
    /// # Errors
    /// When no protocol has this id; the message lists the known ids.
    ///
    /// ```
    /// let catalogue = celldose::Catalogue::builtin()?;
    /// assert_eq!(catalogue.find("nct06167473")?.id(), "NCT06167473");
    /// let error = catalogue.find("NCT0000").unwrap_err().to_string();
    /// assert!(error.starts_with("unknown protocol \"NCT0000\"; known protocols: NCT07276568, "));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn find(&self, id: &str) -> Result<&Protocol> {
        let wanted = id.trim();
        if let Some(found) = self
            .builtin_ids()
            .position(|builtin| builtin.eq_ignore_ascii_case(wanted))
            .and_then(|index| self.builtin_protocol(index))
        {
            return found;
        }
        self.added
            .iter()
            .find(|p| p.id().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                let mut known: Vec<&str> = self.builtin_ids().collect();
                known.extend(self.added.iter().map(Protocol::id));
                Error::UnknownProtocol {
                    input: id.to_owned(),
                    known: known.join(", "),
                }
            })
    }
}

impl TrialState {
    /// Checks every opening against the protocols it names: the protocol exists and escalates,
    /// a level is one of its escalation levels, a dose is of the ladder's kind and lies between
    /// its start and its ceiling.
    ///
    /// # Errors
    /// The first opening that does not fit, with its line and column.
    ///
    /// ```
    /// let text = "format = 1\n[[opened]]\nprotocol = \"NCT05227846\"\nlevel = 7\ndate = \"2026-03-14\"\ndecision = \"minutes\"\n";
    /// let state = celldose::TrialState::from_toml("s.toml", text)?;
    /// let error = state.check_against(&celldose::Catalogue::builtin()?).unwrap_err();
    /// assert!(error.to_string().starts_with("trial state file s.toml: line 2, column 1: protocol NCT05227846 has no escalation level 7"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn check_against(&self, catalogue: &Catalogue) -> Result<()> {
        self.check_with(&|id| catalogue.find(id))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The build-time hashes are of the texts the binary embeds, and those texts pass the checks
    /// every user's file gets, which the built-in path leaves out.
    #[test]
    fn the_built_in_hashes_and_texts_hold() {
        use sha2::{Digest, Sha256};
        for ((name, text), sha256) in BUILT_IN.into_iter().zip(BUILT_IN_SHA256) {
            let hex: String = Sha256::digest(text.as_bytes())
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect();
            assert_eq!(hex, sha256, "{name}");
            assert_eq!(crate::file_text::raw_refusal(text), None, "{name}");
            let parsed = Protocol::from_builtin(name, text, sha256).unwrap();
            assert_eq!(Protocol::from_toml(name, text).unwrap(), parsed);
            assert_eq!(
                builtin_id(name),
                parsed.id(),
                "the id known without parsing"
            );
            assert_eq!(parsed.origin(), name);
        }
    }
}
