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

/// The value of a required flag, read by the library's own parser.
fn required<T: std::str::FromStr<Err = celldose::Error>>(
    flag: &str,
    text: &str,
) -> Result<T, Refusal> {
    text.parse().map_err(|e| Refusal::flag(flag, e))
}

/// The value of an optional flag, read by the library's own parser.
fn optional<T: std::str::FromStr<Err = celldose::Error>>(
    flag: &str,
    text: Option<&str>,
) -> Result<Option<T>, Refusal> {
    text.map(|text| required(flag, text)).transpose()
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
        (None, Some(dose)) => DoseChoice::Explicit(required("--dose", dose)?),
        (None, None) => DoseChoice::ArmDose,
        (Some(_), Some(_)) => {
            return Err(Refusal(
                "--level and --dose cannot be used together; give one".into(),
            ))
        }
    };
    let weight = required("--weight", &args.weight)?;
    let rounding = required("--rounding", &args.rounding)?;
    let mut request = DoseRequest::new(weight, choice, rounding);
    if let Some(arm) = &args.arm {
        request = request.with_arm(arm.as_str());
    }
    if let Some(reason) = &args.acknowledge {
        request = request
            .with_acknowledgement(reason.as_str())
            .map_err(|e| Refusal::flag("--acknowledge", e))?;
    }
    if let Some(age) = optional("--age", args.age.as_deref())? {
        request = request.with_age(age);
    }
    Ok((protocol, request))
}

/// The delivered count and tolerance for `check`.
pub fn delivered(args: &CheckArgs) -> Result<(CellCount, Option<Percent>), Refusal> {
    let cells = required("--cells", &args.cells)?;
    let tolerance = optional("--tolerance", args.tolerance.as_deref())?;
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
    let concentration = required("--concentration", &args.concentration)?;
    let viability = required("--viability", &args.viability)?;
    let positive = optional("--positive", args.positive.as_deref())?;
    let available = required("--available", &args.available)?;
    let step = required("--step", &args.step)?;
    let tolerance = optional("--tolerance", args.tolerance.as_deref())?;
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
