//! Requests the library refuses to answer as asked, one variant each, with the offending values
//! kept as data so a caller can match on them ([`crate::Error::Refused`]). Each message names
//! the value and what would be accepted, in the library's own words: a front-end that names its
//! inputs otherwise (a flag, a column) says so where it prints.

use core::fmt;

use crate::text::Shown;

/// A request refused, as data. `Display` gives the message.
///
/// ```
/// use celldose::{Catalogue, DoseChoice, DoseRequest, Error, Refusal, Rounding};
/// let catalogue = Catalogue::builtin()?;
/// let request = DoseRequest::new("70kg".parse()?, DoseChoice::ArmDose, Rounding::HalfEven).with_arm("low-dose");
/// let error = catalogue.find("NCT06167473")?.check(&request, "7e7".parse()?, None).unwrap_err();
/// assert!(matches!(error, Error::Refused(Refusal::ToleranceNeeded { .. })));
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// A single target and no tolerance to judge against: the protocol states none, and none
    /// was given.
    ToleranceNeeded {
        /// What was being done: `checking a delivered count`, `preparing a volume`.
        doing: &'static str,
        /// The dose, in words, where there is one.
        dose: Option<String>,
    },
    /// A tolerance was given where the protocol states its own.
    ToleranceGivenTwice {
        /// The protocol id.
        protocol: String,
        /// The protocol's own tolerance, in words.
        stated: String,
        /// The tolerance given.
        given: String,
    },
    /// The protocol gives a range and no single dose, so there is no target to prepare.
    NoDoseToPrepare {
        /// The protocol id.
        protocol: String,
        /// The arm (`arm msc`) or shared regimen (`regimen escalation`).
        place: String,
        /// What would be prepared: `a volume`, `from the bags`.
        what: &'static str,
    },
    /// A placebo arm: there are no cells to draw or give.
    PlaceboArm {
        /// The protocol id.
        protocol: String,
        /// The arm.
        arm: String,
        /// `draw` or `give`.
        verb: &'static str,
    },
    /// The volume to draw is beyond what celldose handles and what is available.
    VolumeBeyond {
        /// The volume worked out, in mL.
        ml: String,
        /// The largest volume celldose handles.
        max: String,
        /// The volume available.
        available: String,
    },
    /// An arm dosed only by numbered level, and no level was chosen.
    LevelRequired {
        /// The protocol id.
        protocol: String,
        /// The arm or shared regimen.
        place: String,
        /// What would be accepted, in words.
        accepted: String,
    },
    /// An infusion number or what was given before, for a dose that is not split.
    NotSplit {
        /// The protocol id.
        protocol: String,
        /// The arm or shared regimen.
        place: String,
    },
    /// A split dose, and no infusion number.
    InfusionRequired {
        /// The protocol id.
        protocol: String,
        /// The arm or shared regimen.
        place: String,
        /// How many infusions the split has.
        infusions: usize,
        /// The split, in words: `10% on day 0, 30% on day 1, 60% on day 2`.
        split: String,
    },
    /// An infusion number the split does not have.
    NoSuchInfusion {
        /// The number given.
        infusion: u32,
        /// How many infusions the split has.
        infusions: usize,
        /// The protocol id.
        protocol: String,
        /// The arm or shared regimen, where named.
        place: Option<String>,
        /// The split, in words.
        split: String,
    },
    /// Something said to be given before infusion 1.
    GivenBeforeFirst {
        /// The count stated.
        given: String,
    },
    /// An infusion of a split dose, with a product described by its figures (a split dose is
    /// prepared from a product file's bags).
    InfusionWithFigures {
        /// The infusion number.
        infusion: u32,
    },
    /// A bag that is not one of the product's.
    NoSuchBag {
        /// The product id.
        product: String,
        /// The bag as named.
        bag: String,
        /// The product's bags, comma-separated; empty where the bag is another product's.
        known: String,
    },
    /// A bag named twice.
    BagNamedTwice {
        /// The bag as named.
        bag: String,
    },
    /// More drawn from a bag than it holds.
    MoreThanInBag {
        /// The bag.
        bag: String,
        /// The volume drawn, in mL.
        ml: String,
        /// The bag's volume, in words.
        volume: String,
    },
    /// A part of a bag that holds no volume.
    EmptyBag {
        /// The bag.
        bag: String,
    },
    /// A part of a bag whose count is not an exact decimal.
    InexactPart {
        /// The bag.
        bag: String,
        /// The volume drawn, in mL.
        ml: String,
        /// The count, as a fraction in words.
        cells: String,
    },
    /// A bag's certificate figures that cannot be used.
    BagFigures {
        /// The bag.
        bag: String,
        /// What is wrong, in words.
        reason: String,
    },
    /// Two protocols with one id in a catalogue.
    DuplicateProtocol {
        /// The id.
        id: String,
        /// Where the second came from.
        origin: String,
        /// Where the first came from.
        existing: String,
    },
    /// A date that is not written `YYYY-MM-DD`, or is not a date on the calendar.
    NotADate {
        /// The parameter: `date of birth`, `dosing date`.
        what: &'static str,
        /// The text as given.
        input: String,
        /// Whether it was written right but names no calendar date (`2026-02-30`).
        written_right: bool,
    },
    /// An acknowledgement with no reason.
    AcknowledgementBlank,
    /// An acknowledgement holding a control or bidirectional character.
    AcknowledgementCharacter {
        /// The character, named.
        character: String,
        /// Where it is, from 1.
        position: usize,
    },
    /// An acknowledgement longer than allowed.
    AcknowledgementTooLong {
        /// Its length in characters.
        length: usize,
        /// The most allowed.
        max: usize,
    },
    /// A patient identifier that is not accepted.
    PatientId {
        /// The text as given.
        input: String,
    },
    /// A protocol with no escalation, asked an escalation question.
    NoEscalation {
        /// The protocol id.
        protocol: String,
    },
    /// A design asked for that contradicts the one the protocol names.
    DesignContradicts {
        /// The protocol id.
        protocol: String,
        /// The design the protocol names.
        named: String,
    },
    /// A protocol that names no escalation design, and none was given.
    DesignRequired {
        /// The protocol id.
        protocol: String,
    },
    /// Cohort outcomes are read from a trial state, and there is none.
    OutcomesNeedTrialState,
    /// A user's name that is not accepted.
    UserName {
        /// The name as given.
        input: String,
    },
    /// A password too short.
    PasswordTooShort {
        /// Its length in characters.
        chars: usize,
        /// The fewest accepted.
        min: usize,
    },
    /// A user's name already taken.
    UserExists {
        /// The name.
        name: String,
    },
    /// A user who is not in the users file.
    NoSuchUser {
        /// The name.
        name: String,
    },
    /// An audit record asked for by sequence number that the log does not hold.
    NoSuchRecord {
        /// The sequence number asked for.
        seq: u64,
        /// The log's last sequence number (0 for an empty log).
        last: u64,
    },
    /// An audit record that is not a preparation to verify: not a `check` or `prepare`, a
    /// refusal, or one made before records had stages.
    NotAPreparation {
        /// Its sequence number.
        seq: u64,
        /// What it records.
        command: String,
    },
    /// A user verifying a preparation of their own: the double check is independent only when
    /// another person makes it.
    SelfVerification {
        /// The user.
        name: String,
        /// The preparation's sequence number.
        seq: u64,
    },
    /// A verifier whose role does not verify (only a pharmacist does).
    VerifierRole {
        /// The user.
        name: String,
        /// Their role.
        role: String,
    },
    /// A name a site gives for its FHIR record (a reference, a system, a base URL) that is not
    /// printable ASCII without spaces, or not an absolute http(s) URL where one is needed.
    FhirName {
        /// What it names.
        what: &'static str,
        /// The text as given.
        input: String,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ToleranceNeeded { doing, dose } => write!(
                f,
                "{doing} against the single dose{} needs a tolerance; the protocol states none, so give one such as 10%",
                dose.as_deref().map(|d| format!(" of {d}")).unwrap_or_default()
            ),
            Self::ToleranceGivenTwice {
                protocol,
                stated,
                given,
            } => write!(
                f,
                "protocol {protocol} states its own tolerance ({stated}), so a tolerance of {given} cannot be given as well"
            ),
            Self::NoDoseToPrepare {
                protocol,
                place,
                what,
            } => write!(
                f,
                "protocol {protocol} {place} gives a range and no single dose; give a dose to prepare {what}"
            ),
            Self::PlaceboArm {
                protocol,
                arm,
                verb,
            } => write!(
                f,
                "protocol {protocol} arm {arm} is a placebo arm: there are no cells to {verb}"
            ),
            Self::VolumeBeyond { ml, max, available } => write!(
                f,
                "the volume to draw, {ml} mL, is more than celldose handles ({max}) and more than the {available} available; check the concentration"
            ),
            Self::LevelRequired {
                protocol,
                place,
                accepted,
            } => write!(
                f,
                "protocol {protocol} {place} is dosed by numbered level; {accepted}"
            ),
            Self::NotSplit { protocol, place } => write!(
                f,
                "protocol {protocol} {place} does not split its dose over infusions, so an infusion number and what was given before do not apply"
            ),
            Self::InfusionRequired {
                protocol,
                place,
                infusions,
                split,
            } => write!(
                f,
                "protocol {protocol} {place} splits the dose over {infusions} infusions ({split}); say which infusion this is (1 to {infusions})"
            ),
            Self::NoSuchInfusion {
                infusion,
                infusions,
                protocol,
                place,
                split,
            } => match place {
                Some(place) => write!(
                    f,
                    "infusion {infusion} is not one of the {infusions} infusions of protocol {protocol} {place} ({split}); accepted: 1 to {infusions}"
                ),
                None => write!(
                    f,
                    "infusion {infusion} is not one of the {infusions} infusions of protocol {protocol} ({split})"
                ),
            },
            Self::GivenBeforeFirst { given } => write!(
                f,
                "infusion 1 is the first; nothing can have been given before it, yet {given} was stated"
            ),
            Self::InfusionWithFigures { infusion } => write!(
                f,
                "infusion {infusion} of a split dose is prepared from a product file's bags; with a product described by its figures, prepare the volume for this infusion's share as its own dose"
            ),
            Self::NoSuchBag {
                product,
                bag,
                known,
            } if known.is_empty() => write!(f, "bag {} is not a bag of product {product}", Shown(bag)),
            Self::NoSuchBag {
                product,
                bag,
                known,
            } => write!(
                f,
                "product {product} has no bag {}; its bags: {known}",
                Shown(bag)
            ),
            Self::BagNamedTwice { bag } => {
                write!(f, "bag {} is named twice; name each bag once", Shown(bag))
            }
            Self::MoreThanInBag { bag, ml, volume } => write!(
                f,
                "bag {}: {ml} mL is more than the {volume} in it",
                Shown(bag)
            ),
            Self::EmptyBag { bag } => write!(
                f,
                "bag {}: it holds no volume, so no part of it can be drawn",
                Shown(bag)
            ),
            Self::InexactPart { bag, ml, cells } => write!(
                f,
                "bag {}: {ml} mL of it holds {cells} counted cells, so it cannot be given as an exact count; draw a volume whose count is exact, give the bag whole, or give the certificate's concentration (cells/mL)",
                Shown(bag)
            ),
            Self::BagFigures { bag, reason } => write!(f, "bag {}: {reason}", Shown(bag)),
            Self::DuplicateProtocol {
                id,
                origin,
                existing,
            } => write!(
                f,
                "protocol id {id} from {origin} is already defined by {existing}; each protocol needs its own id, and one definition never replaces another"
            ),
            Self::NotADate {
                what,
                input,
                written_right: false,
            } => write!(
                f,
                "{what} {} is not a date written YYYY-MM-DD, as in 1960-12-01",
                Shown(input)
            ),
            Self::NotADate { what, input, .. } => write!(
                f,
                "{what} {} is not a calendar date; write a real date as YYYY-MM-DD, as in 1960-12-01",
                Shown(input)
            ),
            Self::AcknowledgementBlank => f.write_str(
                "an acknowledgement needs a reason; say why the dose is accepted, as in \"product short, approved by the investigator\"",
            ),
            Self::AcknowledgementCharacter {
                character,
                position,
            } => write!(
                f,
                "an acknowledgement may not hold {character} (at character {position}): control and bidirectional characters change what a terminal or page shows; write the reason as plain text on one line"
            ),
            Self::AcknowledgementTooLong { length, max } => write!(
                f,
                "an acknowledgement is at most {max} characters; this one has {length}"
            ),
            Self::PatientId { input } => write!(
                f,
                "patient {} is not accepted; write the trial's subject identifier: up to 64 letters, digits, '-', '_' or '.'",
                Shown(input)
            ),
            Self::NoEscalation { protocol } => write!(f, "protocol {protocol} has no escalation"),
            Self::DesignContradicts { protocol, named } => write!(
                f,
                "protocol {protocol} names its design ({named}); the design asked for must not say otherwise"
            ),
            Self::DesignRequired { protocol } => write!(
                f,
                "protocol {protocol} names no escalation design; give one: 3+3, or BOIN with its target rate"
            ),
            Self::UserName { input } => write!(
                f,
                "user name {} is not accepted; write letters, digits, '.', '-' or '_', at most 64 characters",
                Shown(input)
            ),
            Self::PasswordTooShort { chars, min } => write!(
                f,
                "the password has {chars} characters; a password needs at least {min}"
            ),
            Self::UserExists { name } => write!(
                f,
                "user {} already exists; remove them first, or set their password with user passwd",
                Shown(name)
            ),
            Self::NoSuchUser { name } => write!(f, "there is no user {}", Shown(name)),
            Self::NoSuchRecord { seq, last } => write!(
                f,
                "record {seq} is not in the audit log; its records are numbered 1 to {last}"
            ),
            Self::NotAPreparation { seq, command } => write!(
                f,
                "record {seq} is not a preparation to verify (it records {}); verify the record of a check or prepare that gave a result",
                Shown(command)
            ),
            Self::SelfVerification { name, seq } => write!(
                f,
                "{} prepared record {seq}, so cannot verify it: an independent double check is made by another pharmacist",
                Shown(name)
            ),
            Self::VerifierRole { name, role } => write!(
                f,
                "{} is a {}, and only a pharmacist verifies a preparation",
                Shown(name),
                crate::text::inert(role)
            ),
            Self::FhirName { what, input } => write!(
                f,
                "{what} {} is not accepted; write it in printable ASCII without spaces (a URL as https://…)",
                Shown(input)
            ),
            Self::OutcomesNeedTrialState => f.write_str(
                "the cohort outcomes are read from the trial state file, and there is none; give one",
            ),
        }
    }
}

impl std::error::Error for Refusal {}
