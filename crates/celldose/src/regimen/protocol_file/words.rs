//! A dose or a count of cells as a message about a protocol file writes it: grouped digits with
//! the exponent form beside them.

use crate::human::Notation;
use crate::units::Dose;

/// A dose for a message: grouped digits with the exponent form beside them.
pub(super) fn words(dose: Dose) -> String {
    crate::regimen::describe_dose(dose, Notation::Unicode)
}

/// A number of cells for a message, as [`words`].
pub(super) fn count_words(cells: rust_decimal::Decimal) -> String {
    crate::human::cells(cells, Notation::Unicode)
}
