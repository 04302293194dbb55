//! Embedding celldose in a pharmacy system: compute one patient's dose, then check the count
//! that was actually dispensed.
//!
//! Run with `cargo run -p examples --example compute_and_check`.

use std::process::ExitCode;

use celldose::human::Notation;
use celldose::{Catalogue, DoseChoice, DoseRequest, Rounding, Verdict};

fn main() -> ExitCode {
    match run() {
        Ok(Verdict::Within) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(error) => {
            eprintln!("compute_and_check: {error}");
            ExitCode::from(2)
        }
    }
}

fn run() -> celldose::Result<Verdict> {
    let catalogue = Catalogue::builtin()?;
    let protocol = catalogue.find("NCT07276568")?;

    // What the order-entry screen collected, as typed.
    let request = DoseRequest::new(
        "160lb".parse()?,
        DoseChoice::Level(1),
        Rounding::HalfAwayFromZero,
    )
    .with_arm("alf");
    let calculation = protocol.calculate(&request)?;
    let cells = calculation
        .cells()
        .map(|c| celldose::human::cells(c.get(), Notation::Unicode))
        .unwrap_or_else(|| "no single target".to_owned());
    println!(
        "{} arm {}: {} for {} (entered as {})",
        calculation.protocol(),
        calculation.arm().unwrap_or("any"),
        cells,
        celldose::human::kg(calculation.weight().weight().kg()),
        calculation.weight()
    );
    for finding in calculation.findings() {
        println!(
            "  {} {}: {}",
            finding.severity(),
            finding.code(),
            finding.message(Notation::Unicode)
        );
    }

    // The product came back from the lab with 1.2 × 10⁹ cells; the site allows ±10 %.
    let check = protocol.check(&request, "1.2e9".parse()?, Some("10%".parse()?))?;
    println!(
        "dispensed {} ({}% from target): {}",
        celldose::human::cells(check.actual_cells().get(), Notation::Unicode),
        check
            .deviation_percent()
            .map_or_else(|| "-".to_owned(), |d| d.to_string()),
        check.verdict()
    );
    Ok(check.verdict())
}
