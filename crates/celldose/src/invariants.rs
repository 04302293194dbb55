//! Invariant checks on arbitrary input, shared by the fuzz targets in `fuzz/` and by the test
//! that replays their corpus, so that CI exercises every saved input without a fuzzer.
//!
//! Each check returns the invariant that failed instead of panicking; the fuzz target turns an
//! `Err` into a crash.
//!
//! Not part of the library's API: compiled for the library's own tests (the replay below) and,
//! through the `invariants` feature, for the fuzz targets.

use core::fmt::Display;
use core::str::FromStr;

use crate::batch::{self, BatchFormat};
use crate::human::Notation;
use crate::units::{
    AgeYears, CellCount, CellsPerKg, Concentration, Dose, EnteredWeight, ExactCells, Percent,
    Volume,
};
use crate::{Catalogue, Protocol};

/// The built-in catalogue, loaded once per process: fuzzing calls the checks millions of times.
fn builtin() -> Result<&'static Catalogue, String> {
    static BUILTIN: std::sync::OnceLock<Option<Catalogue>> = std::sync::OnceLock::new();
    BUILTIN
        .get_or_init(|| Catalogue::builtin().ok())
        .as_ref()
        .ok_or_else(|| "the built-in catalogue does not load".to_owned())
}

/// A parser must either refuse `text` or accept it with a `Display` that parses back to the same
/// value.
fn round_trips<T>(text: &str) -> Result<(), String>
where
    T: FromStr + Display + PartialEq + core::fmt::Debug,
    T::Err: Display,
{
    let Ok(value) = text.parse::<T>() else {
        return Ok(());
    };
    let shown = value.to_string();
    match shown.parse::<T>() {
        Ok(again) if again == value => Ok(()),
        Ok(again) => Err(format!(
            "{text:?} read as {value:?}, shown as {shown:?}, read back as {again:?}"
        )),
        Err(error) => Err(format!(
            "{text:?} read as {value:?}, shown as {shown:?}, refused on reading back: {error}"
        )),
    }
}

/// Every number-and-unit parser on `data`: no panic, and whatever is accepted round-trips.
///
/// # Errors
/// The invariant that failed, in words.
///
/// ```
/// assert!(celldose::invariants::numbers(b"160lb").is_ok());
/// ```
pub fn numbers(data: &[u8]) -> Result<(), String> {
    let Ok(text) = core::str::from_utf8(data) else {
        return Ok(());
    };
    round_trips::<CellCount>(text)?;
    round_trips::<ExactCells>(text)?;
    round_trips::<CellsPerKg>(text)?;
    round_trips::<Dose>(text)?;
    round_trips::<EnteredWeight>(text)?;
    round_trips::<crate::BodyWeight>(text)?;
    round_trips::<AgeYears>(text)?;
    round_trips::<Percent>(text)?;
    round_trips::<Volume>(text)?;
    round_trips::<Concentration>(text)
}

/// The protocol-file loader on `data`: no panic, and an accepted file writes back to a file
/// that loads to the same rules and writes the same text again.
///
/// # Errors
/// The invariant that failed, in words.
///
/// ```
/// assert!(celldose::invariants::protocol_file(b"format = 1").is_ok()); // refused, which is fine
/// ```
pub fn protocol_file(data: &[u8]) -> Result<(), String> {
    let Ok(text) = core::str::from_utf8(data) else {
        return Ok(());
    };
    let Ok(protocol) = Protocol::from_toml("fuzz.toml", text) else {
        return Ok(());
    };
    let written = protocol
        .to_toml()
        .map_err(|e| format!("an accepted file cannot be written: {e}"))?;
    let again = Protocol::from_toml("again.toml", &written)
        .map_err(|e| format!("a written file does not load again: {e}\n{written}"))?;
    if again.arms() != protocol.arms()
        || again.product_rules() != protocol.product_rules()
        || again.weight_window() != protocol.weight_window()
        || again.age_window() != protocol.age_window()
    {
        return Err(format!("a written file loads to other rules:\n{written}"));
    }
    let rewritten = again
        .to_toml()
        .map_err(|e| format!("a reloaded file cannot be written: {e}"))?;
    if rewritten != written {
        return Err(format!(
            "writing is not stable:\n{written}\n---\n{rewritten}"
        ));
    }
    Ok(())
}

/// The request path from raw strings to a result, as `celldose batch` and the command line take
/// it: `data` is split on line breaks into protocol, arm, level, dose, weight, age, cells and
/// tolerance, each quoted into one CSV row. The run must succeed with exactly one record.
///
/// # Errors
/// The invariant that failed, in words.
///
/// ```
/// assert!(celldose::invariants::request(b"NCT07276568\nalf\n1\n\n72.5kg\n\n\n").is_ok());
/// ```
pub fn request(data: &[u8]) -> Result<(), String> {
    let Ok(text) = core::str::from_utf8(data) else {
        return Ok(());
    };
    let mut log = String::from("protocol,arm,level,dose,weight,age,cells,tolerance\n");
    let fields: Vec<String> = text
        .split('\n')
        .chain(core::iter::repeat(""))
        .take(8)
        .map(|field| format!("\"{}\"", field.replace('"', "\"\"")))
        .collect();
    log.push_str(&fields.join(","));
    log.push('\n');
    let catalogue = builtin()?;
    let mut out = Vec::new();
    let summary = batch::run(
        catalogue,
        log.as_bytes(),
        &mut out,
        BatchFormat::Jsonl,
        Notation::Ascii,
        None,
    )
    .map_err(|e| format!("a one-row log could not be run: {e}"))?;
    let records = out.iter().filter(|byte| **byte == b'\n').count();
    if summary.rows != 1 || records != 1 {
        return Err(format!(
            "one row gave {} rows and {records} records",
            summary.rows
        ));
    }
    Ok(())
}

/// The trial state loader on `data`: no panic; an accepted file holds no control or
/// bidirectional character in any text it keeps, and checks against the built-in protocols
/// without a panic.
///
/// # Errors
/// The invariant that failed, in words.
///
/// ```
/// assert!(celldose::invariants::trial_state(b"format = 1\n").is_ok());
/// ```
pub fn trial_state(data: &[u8]) -> Result<(), String> {
    let Ok(text) = core::str::from_utf8(data) else {
        return Ok(());
    };
    let Ok(state) = crate::TrialState::from_toml("fuzz.toml", text) else {
        return Ok(());
    };
    let texts = state
        .site()
        .into_iter()
        .chain(state.openings().iter().map(crate::Opening::decision))
        .chain(state.openings().iter().map(crate::Opening::protocol));
    for kept in texts {
        if let Some((_, c)) = crate::text::forbidden_char(kept) {
            return Err(format!("an accepted trial state keeps {c:?} in {kept:?}"));
        }
    }
    let mut catalogue = builtin()?.clone();
    // Refused or accepted, checking against the catalogue must not panic.
    let _ = catalogue.set_trial_state(state);
    Ok(())
}

/// A product file of any bytes: refused, or accepted with inert ids, each bag's counted cells
/// equal to its cells times the fractions its phenotype uses, the whole bag drawn equal to its
/// count, and a check and a choice of bags against a built-in protocol that end in a result or a
/// refusal, a check from the bags equal to the check of the same count.
///
/// # Errors
/// The invariant that failed, in words.
///
/// ```
/// assert!(celldose::invariants::product_file(b"format = 1\nid = \"P\"\ncounts = \"viable\"\n[[bag]]\nid = \"A\"\nvolume = \"50mL\"\ntotal = \"1e8\"\nviability = \"90%\"\n").is_ok());
/// ```
#[allow(clippy::arithmetic_side_effects)] // big fractions, divided by 100 only
pub fn product_file(data: &[u8]) -> Result<(), String> {
    use crate::calculation::Delivery;
    use crate::certificate::{BagContent, Certificate};
    use rust_decimal::Decimal;
    let Ok(text) = core::str::from_utf8(data) else {
        return Ok(());
    };
    let Ok(product) = Certificate::from_toml("fuzz.toml", text) else {
        return Ok(());
    };
    for id in core::iter::once(product.identity().id()).chain(product.bags().iter().map(|b| b.id()))
    {
        if let Some((_, c)) = crate::text::forbidden_char(id) {
            return Err(format!("an accepted product keeps {c:?} in {id:?}"));
        }
    }
    for bag in product.bags() {
        use crate::units::fraction::fraction;
        let percent = crate::units::fraction::percent;
        let mut expected = match bag.content() {
            BagContent::Concentration(c) | BagContent::ViableConcentration(c) => {
                fraction(c.get()) * fraction(bag.volume().ml())
            }
            BagContent::Total(t) | BagContent::ViableTotal(t) => fraction(t.get()),
        };
        if product.counts().uses_viability() && !bag.content().is_viable() {
            expected *= percent(bag.viability());
        }
        for p in bag.t_cells().into_iter().chain(bag.positive()) {
            expected *= percent(p);
        }
        if expected != fraction(bag.counted().get()) {
            return Err(format!(
                "bag {} counts {} where its figures give {expected}",
                bag.id(),
                bag.counted()
            ));
        }
        let whole = bag
            .counted_in(bag.volume().ml())
            .map_err(|e| format!("the whole bag {} cannot be drawn: {e}", bag.id()))?;
        if whole != bag.counted() {
            return Err(format!("bag {} drawn whole gives {whole}", bag.id()));
        }
    }
    let bags = product
        .select(&[])
        .map_err(|e| format!("every bag cannot be chosen: {e}"))?;
    let Ok(delivery) = Delivery::bags(&product, &bags) else {
        return Ok(());
    };
    let catalogue = builtin()?;
    let protocol = catalogue
        .find("NCT06167473")
        .map_err(|e| format!("the built-in protocol is missing: {e}"))?;
    let request = crate::DoseRequest::new(
        "70kg".parse().map_err(|e| format!("{e}"))?,
        crate::DoseChoice::ArmDose,
        crate::units::Rounding::HalfAwayFromZero,
    )
    .with_arm("low-dose");
    let tolerance: Percent = "10%".parse().map_err(|e| format!("{e}"))?;
    let by_bags = protocol.check_delivery(&request, &delivery, Some(tolerance), None);
    if let (Ok(by_bags), true) = (&by_bags, delivery.cells().is_whole()) {
        let count = delivery
            .cells()
            .round(crate::units::Rounding::Down)
            .map_err(|e| e.to_string())?;
        let by_count = protocol
            .check(&request, count, Some(tolerance))
            .map_err(|e| format!("the count of the bags is refused: {e}"))?;
        if by_bags.verdict() != by_count.verdict()
            || by_bags.deviation_percent() != by_count.deviation_percent()
        {
            return Err("a check from bags differs from the check of the same count".into());
        }
    }
    let step: Volume = "0.1mL".parse().map_err(|e| format!("{e}"))?;
    if let Ok(given) =
        protocol.prepare_from_bags(&request, &product, &bags, step, Some(tolerance), None)
    {
        let drawn: Decimal = given
            .product()
            .map(|p| p.bags().iter().map(|b| b.counted().get()).sum())
            .unwrap_or_default();
        if drawn != given.actual_exact().get() {
            return Err("the bags chosen do not add up to what they deliver".into());
        }
    }
    Ok(())
}

/// A dispensing log body of any bytes after a fixed header: every physical line gives exactly
/// one record, in order, the same bytes on two threads as on one, and no record, in either
/// notation, carries a control character; under ASCII notation every byte is ASCII.
///
/// # Errors
/// The invariant that failed, in words.
///
/// ```
/// assert!(celldose::invariants::batch_rows(b"NCT07276568,alf,1,,72.5kg\n\"broken\n").is_ok());
/// ```
pub fn batch_rows(data: &[u8]) -> Result<(), String> {
    let mut log =
        b"protocol,arm,level,dose,weight,age,born,on,cells,tolerance,acknowledge,rounding\n"
            .to_vec();
    log.extend_from_slice(data);
    let body_lines = if data.is_empty() {
        0
    } else {
        data.split(|byte| *byte == b'\n')
            .count()
            .saturating_sub(usize::from(data.last() == Some(&b'\n')))
    };
    let catalogue = builtin()?;
    for notation in [Notation::Unicode, Notation::Ascii] {
        for format in [BatchFormat::Jsonl, BatchFormat::Csv] {
            let mut out = Vec::new();
            let on_one = batch::run_with_workers(
                catalogue,
                log.as_slice(),
                &mut out,
                format,
                notation,
                None,
                1,
            );
            // Two threads write the same bytes and come to the same end as one.
            let mut parallel = Vec::new();
            let on_two = batch::run_with_workers(
                catalogue,
                log.as_slice(),
                &mut parallel,
                format,
                notation,
                None,
                2,
            );
            if parallel != out || format!("{on_two:?}") != format!("{on_one:?}") {
                return Err("two threads wrote other records than one".into());
            }
            let summary = match on_one {
                Ok(summary) => summary,
                // Binary data past a row's bound stops the run; that is a refusal, not a loss.
                Err(error) if error.to_string().contains("binary data") => return Ok(()),
                Err(error) => return Err(format!("the run failed: {error}")),
            };
            let text =
                String::from_utf8(out).map_err(|_| "a record is not valid UTF-8".to_owned())?;
            let records = text
                .lines()
                .count()
                .saturating_sub(usize::from(format == BatchFormat::Csv));
            if usize::try_from(summary.rows).ok() != Some(body_lines) || records != body_lines {
                return Err(format!(
                    "{body_lines} lines gave {} rows and {records} records",
                    summary.rows
                ));
            }
            if let Some(c) = text
                .chars()
                .find(|c| crate::text::is_forbidden(*c) && *c != '\n')
            {
                return Err(format!("a record carries {c:?}"));
            }
            if notation == Notation::Ascii && !text.is_ascii() {
                return Err("an ASCII record holds a non-ASCII character".into());
            }
        }
    }
    Ok(())
}

/// Replays the committed fuzz corpus and every crash ever found through the same checks the fuzz
/// targets run, so an ordinary `cargo test` exercises them without a fuzzer.
#[cfg(test)]
mod replay {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::arithmetic_side_effects)]

    type Check = fn(&[u8]) -> Result<(), String>;

    fn replay(folder: &str, check: Check) -> usize {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fuzz")
            .join(folder);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return 0;
        };
        let mut count = 0;
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            if let Err(violation) = check(&data) {
                panic!("{}: {violation}", path.display());
            }
            count += 1;
        }
        count
    }

    #[test]
    fn the_fuzz_corpus_replays() {
        // The corpus is the repository's (`fuzz/`), not the packaged crate's: outside the
        // repository there is nothing to replay. Inside it, every target's corpus must be there.
        let fuzz = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/Cargo.toml");
        if !fuzz.exists() {
            return;
        }
        let targets: [(&str, Check); 6] = [
            ("numbers", super::numbers),
            ("protocol_file", super::protocol_file),
            ("request", super::request),
            ("trial_state", super::trial_state),
            ("batch_rows", super::batch_rows),
            ("product_file", super::product_file),
        ];
        for (target, check) in targets {
            let inputs = replay(&format!("corpus/{target}"), check);
            assert!(inputs > 0, "the {target} corpus is missing");
            replay(&format!("regressions/{target}"), check);
        }
    }
}
