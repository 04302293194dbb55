//! The repository README's Rust example, compiled and run as a doctest of this crate (which ships
//! nothing: it holds the examples, and the README is the repository's, not a crate's).

/// The README's examples.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
