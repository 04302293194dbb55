//! A result's findings as a list of objects: severity, code, message (in the report's
//! notation) and clause, in the order the calculation made them.

use serde::Serialize;
use serde::ser::{SerializeSeq, SerializeStruct, Serializer};

use crate::calculation::Finding;
use crate::human::Notation;

pub(super) struct Findings<'a, I> {
    pub(super) findings: I,
    pub(super) notation: Notation,
    pub(super) marker: core::marker::PhantomData<&'a Finding>,
}

impl<'a, I: Iterator<Item = &'a Finding> + Clone> Serialize for Findings<'a, I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for finding in self.findings.clone() {
            seq.serialize_element(&FindingReport {
                finding,
                notation: self.notation,
            })?;
        }
        seq.end()
    }
}

pub(super) struct FindingReport<'a> {
    pub(super) finding: &'a Finding,
    pub(super) notation: Notation,
}

impl Serialize for FindingReport<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("Finding", 4)?;
        state.serialize_field("severity", self.finding.severity().as_str())?;
        state.serialize_field("code", self.finding.code().as_str())?;
        state.serialize_field("message", &*self.finding.message(self.notation))?;
        state.serialize_field("clause", self.finding.clause())?;
        state.end()
    }
}
