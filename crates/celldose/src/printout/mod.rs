//! Results and protocols as a pharmacist reads them: grouped digits with the exponent form beside
//! them, units spelled out, the weight used echoed, and the verdict in words. This is the text
//! `celldose` prints and the web page shows, so both say exactly the same.

mod check;
mod dose;
mod parts;
mod prepare;
mod protocols;

pub use check::check;
pub use dose::dose;
pub use prepare::prepare;
pub use protocols::{protocols, show};
