//! Where a report's fields go, one at a time and in order: a serde struct (any format, pretty or
//! compact), or a batch's JSON line; and how an exact number is written.

use rust_decimal::Decimal;
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use super::findings::Findings;
use crate::calculation::Finding;
use crate::human::Notation;
use crate::units::{CellCount, ExactCells};

/// A decimal written as its exact string, without trailing zeros.
pub(super) struct Exact(pub(super) Decimal);

impl Serialize for Exact {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(crate::digits::DecimalText::new(self.0).as_str())
    }
}

/// Any value written through its `Display`.
pub(super) struct Shown<T>(pub(super) T);

impl<T: core::fmt::Display> Serialize for Shown<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// A field's name, with its forms in a compact JSON record made once, at compile time: the
/// separator and key (`,"name":`), and the whole field when absent (`,"name":null`). Written with
/// [`key!`](crate::report::key).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key {
    pub(crate) name: &'static str,
    pub(crate) json: &'static str,
    pub(crate) json_null: &'static str,
}

/// The [`Key`] of a field named by a string literal.
macro_rules! key {
    ($name:literal) => {
        $crate::report::Key {
            name: $name,
            json: concat!(",\"", $name, "\":"),
            json_null: concat!(",\"", $name, "\":null"),
        }
    };
}
pub(crate) use key;

/// Where a report's fields go, one at a time and in order.
pub(crate) trait Fields {
    /// What writing a field can fail with.
    type Error;

    /// Writes one field.
    fn field<T: ?Sized + Serialize>(&mut self, key: Key, value: &T) -> Result<(), Self::Error>;

    /// Writes a value that may be absent (`null`): the same as [`field`](Fields::field) with the
    /// `Option`.
    fn optional<T: Serialize>(&mut self, key: Key, value: Option<&T>) -> Result<(), Self::Error> {
        self.field(key, &value)
    }

    /// Writes a text, or `null`: the same as [`optional`](Fields::optional) with the `&str`.
    fn text(&mut self, key: Key, value: Option<&str>) -> Result<(), Self::Error> {
        self.optional(key, value.as_ref())
    }

    /// Writes the findings, each as its severity, code, message (in `notation`) and clause:
    /// the same as [`field`](Fields::field) with [`Findings`].
    fn findings<'a, I: Iterator<Item = &'a Finding> + Clone>(
        &mut self,
        key: Key,
        findings: I,
        notation: Notation,
    ) -> Result<(), Self::Error> {
        self.field(
            key,
            &Findings {
                findings,
                notation,
                marker: core::marker::PhantomData,
            },
        )
    }

    /// Writes a value as the text of its `Display` (the way every unit serialises), or `null`:
    /// the same as [`optional`](Fields::optional) with [`Shown`].
    fn shown<T: core::fmt::Display>(
        &mut self,
        key: Key,
        value: Option<T>,
    ) -> Result<(), Self::Error> {
        self.optional(key, value.map(Shown).as_ref())
    }

    /// Writes a number as its exact string without trailing zeros, or `null`: the same as
    /// [`field`](Fields::field) with the value's own `Serialize`.
    fn decimal<T: AsDecimal>(&mut self, key: Key, value: Option<T>) -> Result<(), Self::Error> {
        self.field(key, &value.map(|v| Exact(v.decimal())))
    }

    /// Writes the three fields that name the protocol a result rests on: the same for every
    /// result of that protocol.
    fn provenance(&mut self, id: &str, version: &str, sha256: &str) -> Result<(), Self::Error> {
        self.field(key!("protocol"), id)?;
        self.field(key!("protocol_version"), version)?;
        self.field(key!("protocol_sha256"), sha256)
    }
}

/// A value written as its exact decimal: the cell amounts and [`Exact`], whose `Serialize` is
/// that string.
pub(crate) trait AsDecimal {
    fn decimal(&self) -> Decimal;
}

impl AsDecimal for Exact {
    fn decimal(&self) -> Decimal {
        self.0
    }
}

impl AsDecimal for CellCount {
    fn decimal(&self) -> Decimal {
        self.get()
    }
}

impl AsDecimal for ExactCells {
    fn decimal(&self) -> Decimal {
        self.get()
    }
}

/// A serde struct as [`Fields`]: the route of every format and of pretty JSON.
pub(super) struct Struct<S>(pub(super) S);

impl<S: SerializeStruct> Fields for Struct<S> {
    type Error = S::Error;

    fn field<T: ?Sized + Serialize>(&mut self, key: Key, value: &T) -> Result<(), S::Error> {
        self.0.serialize_field(key.name, value)
    }
}
