//! A request as it was entered: named text fields, typed on the command line, in the page's
//! forms or its JSON API, or in a row of a dispensing log, turned into a typed request and
//! computed. Every way in goes through [`RequestText`], so a value is read by the same parser and
//! refused in the same words wherever it was typed.

mod fields;
mod work;

pub use crate::calculation::Prepared;
pub use fields::{FieldNames, RequestText};
pub use work::{Job, LogInUse, Outcome};
