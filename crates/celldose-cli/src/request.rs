//! What the user typed, checked into the library's typed request.

use celldose::{Catalogue, CellCount, DoseChoice, DoseRequest, Percent, Protocol};

use crate::cli::{CheckArgs, DoseArgs, PrepareArgs};

/// A refused request: one line naming the flag, the value and what would be accepted.
#[derive(Debug)]
pub struct Refusal(pub String);

impl Refusal {
    fn flag(flag: &str, error: impl std::fmt::Display) -> Self {
        Self(format!("{flag}: {error}"))
    }
}

impl From<celldose::Error> for Refusal {
    fn from(error: celldose::Error) -> Self {
        Self(error.to_string())
    }
}

/// The built-in protocols and those in `files`, each file loaded through the same checks.
pub fn catalogue(files: &[std::path::PathBuf]) -> Result<Catalogue, Refusal> {
    let mut catalogue = Catalogue::builtin()?;
    for path in files {
        let protocol = load(path)?;
        catalogue
            .add(protocol)
            .map_err(|e| Refusal::flag(&format!("--protocol-file {}", path.display()), e))?;
    }
    Ok(catalogue)
}

/// Reads and checks one protocol file.
pub fn load(path: &std::path::Path) -> Result<Protocol, Refusal> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Refusal(format!("protocol file {name}: cannot be read: {e}")))?;
    Ok(Protocol::from_toml(&name, &text)?)
}

/// The protocol and typed request for `dose`.
pub fn dose_request<'c>(
    catalogue: &'c Catalogue,
    args: &DoseArgs,
) -> Result<(&'c Protocol, DoseRequest), Refusal> {
    let protocol = catalogue
        .find(&args.protocol)
        .map_err(|e| Refusal::flag("--protocol", e))?;
    let choice = match (&args.level, &args.dose) {
        (Some(level), None) => DoseChoice::Level(parse_level(level)?),
        (None, Some(dose)) => {
            DoseChoice::Explicit(dose.parse().map_err(|e| Refusal::flag("--dose", e))?)
        }
        (None, None) => DoseChoice::ArmDose,
        (Some(_), Some(_)) => {
            return Err(Refusal(
                "--level and --dose cannot be used together; give one".into(),
            ))
        }
    };
    let weight = args
        .weight
        .parse()
        .map_err(|e| Refusal::flag("--weight", e))?;
    let rounding = args
        .rounding
        .parse()
        .map_err(|e| Refusal::flag("--rounding", e))?;
    let mut request = DoseRequest::new(weight, choice, rounding);
    if let Some(arm) = &args.arm {
        request = request.with_arm(arm.as_str());
    }
    if let Some(reason) = &args.acknowledge {
        request = request
            .with_acknowledgement(reason.as_str())
            .map_err(|e| Refusal::flag("--acknowledge", e))?;
    }
    if let Some(age) = &args.age {
        request = request.with_age(age.parse().map_err(|e| Refusal::flag("--age", e))?);
    }
    Ok((protocol, request))
}

/// The delivered count and tolerance for `check`.
pub fn delivered(args: &CheckArgs) -> Result<(CellCount, Option<Percent>), Refusal> {
    let cells = args
        .cells
        .parse()
        .map_err(|e| Refusal::flag("--cells", e))?;
    let tolerance = args
        .tolerance
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e| Refusal::flag("--tolerance", e))?;
    Ok((cells, tolerance))
}

fn parse_level(text: &str) -> Result<u32, Refusal> {
    match text.trim().parse::<u32>() {
        Ok(level) if level >= 1 && text.trim().chars().all(|c| c.is_ascii_digit()) => Ok(level),
        _ => Err(Refusal(format!(
            "--level: dose level {text:?} is not accepted; write a whole number from 1, as in --level 2"
        ))),
    }
}

/// The product, step and tolerance for `prepare`.
pub fn product(
    args: &PrepareArgs,
) -> Result<(celldose::Product, celldose::Volume, Option<Percent>), Refusal> {
    let concentration = args
        .concentration
        .parse()
        .map_err(|e| Refusal::flag("--concentration", e))?;
    let viability = args
        .viability
        .parse()
        .map_err(|e| Refusal::flag("--viability", e))?;
    let positive = args
        .positive
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e| Refusal::flag("--positive", e))?;
    let available = args
        .available
        .parse()
        .map_err(|e| Refusal::flag("--available", e))?;
    let step = args.step.parse().map_err(|e| Refusal::flag("--step", e))?;
    let tolerance = args
        .tolerance
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e| Refusal::flag("--tolerance", e))?;
    let product =
        celldose::Product::new(concentration, viability, positive, available).map_err(|e| {
            let flag = if e.to_string().starts_with("viability") {
                "--viability"
            } else {
                "--positive"
            };
            Refusal::flag(flag, e)
        })?;
    Ok((product, step, tolerance))
}
