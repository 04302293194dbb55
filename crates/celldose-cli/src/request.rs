//! What the user typed, checked into the library's typed request.

use celldose::{
    Catalogue, CellCount, DoseRequest, FieldNames, Percent, Protocol, RequestText, TrialState,
};

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

/// Where the protocols come from: the built-in five unless left out, a site's directory, and
/// single files, loaded in that order through the same checks.
#[derive(Debug, Clone, Copy)]
pub struct Library<'a> {
    /// Whether the built-in protocols are loaded.
    pub builtin: bool,
    /// A directory whose `*.toml` files are loaded in name order.
    pub dir: Option<&'a std::path::Path>,
    /// Files given one by one.
    pub files: &'a [std::path::PathBuf],
}

impl Library<'_> {
    /// The built-in protocols (unless left out) and the directory's files, without `files`.
    pub fn base(&self) -> Result<Catalogue, Refusal> {
        let mut catalogue = if self.builtin {
            Catalogue::builtin()?
        } else {
            Catalogue::default()
        };
        for path in self.dir_files()? {
            add(&mut catalogue, load(&path)?, &path, "--protocol-dir")?;
        }
        Ok(catalogue)
    }

    /// The `*.toml` files of the directory, in name order.
    pub fn dir_files(&self) -> Result<Vec<std::path::PathBuf>, Refusal> {
        let Some(dir) = self.dir else {
            return Ok(Vec::new());
        };
        let name = celldose::text::inert(&dir.display().to_string()).into_owned();
        let entries = std::fs::read_dir(dir)
            .map_err(|e| Refusal(format!("--protocol-dir {name}: cannot be read: {e}")))?;
        let mut files: Vec<std::path::PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "toml") && path.is_file())
            .collect();
        files.sort();
        Ok(files)
    }
}

/// Adds a loaded protocol, naming where it came from when its id is already taken.
fn add(
    catalogue: &mut Catalogue,
    protocol: Protocol,
    path: &std::path::Path,
    flag: &str,
) -> Result<(), Refusal> {
    catalogue.add(protocol).map_err(|e| {
        let name = celldose::text::inert(&path.display().to_string()).into_owned();
        Refusal::flag(&format!("{flag} {name}"), e)
    })
}

/// The protocols of `library`, each file loaded through the same checks, with the site's trial
/// state where one is given.
pub fn catalogue(
    library: &Library<'_>,
    trial_state: Option<&std::path::Path>,
) -> Result<Catalogue, Refusal> {
    let mut catalogue = library.base()?;
    for path in library.files {
        add(&mut catalogue, load(path)?, path, "--protocol-file")?;
    }
    if let Some(path) = trial_state {
        let state = load_trial_state(path)?;
        catalogue.set_trial_state(state)?;
    }
    Ok(catalogue)
}

/// Reads a file as text, never more than `limit` bytes and one more (so that an endless input
/// such as `/dev/zero` is refused as too large, not read for ever). The name in messages is the
/// path with any control character escaped.
fn read_bounded(
    path: &std::path::Path,
    what: &str,
    limit: usize,
) -> Result<(String, String), Refusal> {
    use std::io::Read as _;
    let name = celldose::text::inert(&path.display().to_string()).into_owned();
    let cannot = |e: std::io::Error| Refusal(format!("{what} {name}: cannot be read: {e}"));
    let file = std::fs::File::open(path).map_err(cannot)?;
    let most = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    file.take(most).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() > limit {
        return Err(Refusal(format!(
            "{what} {name}: it is larger than the {} bytes such a file may have",
            celldose::human::grouped(limit.into())
        )));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok((name, text)),
        Err(error) => Err(Refusal(format!(
            "{what} {name}: it is not valid UTF-8 text (byte {} is not)",
            error.utf8_error().valid_up_to().saturating_add(1)
        ))),
    }
}

/// Reads and checks a trial state file.
pub fn load_trial_state(path: &std::path::Path) -> Result<TrialState, Refusal> {
    let (name, text) = read_bounded(
        path,
        "trial state file",
        celldose::regimen::TRIAL_STATE_MAX_BYTES,
    )?;
    Ok(TrialState::from_toml(&name, &text)?)
}

/// Reads and checks one protocol file.
pub fn load(path: &std::path::Path) -> Result<Protocol, Refusal> {
    let (name, text) = read_bounded(path, "protocol file", celldose::regimen::PROTOCOL_MAX_BYTES)?;
    Ok(Protocol::from_toml(&name, &text)?)
}

/// The fields of `dose`, `check` and `prepare` as typed.
fn text<'a>(args: &'a DoseArgs) -> RequestText<'a> {
    RequestText {
        protocol: &args.protocol,
        arm: args.arm.as_deref(),
        level: args.level.as_deref(),
        dose: args.dose.as_deref(),
        weight: &args.weight,
        age: args.age.as_deref(),
        born: args.born.as_deref(),
        on: args.on.as_deref(),
        rounding: Some(&args.rounding),
        acknowledge: args.acknowledge.as_deref(),
        cells: None,
        tolerance: None,
    }
}

/// The protocol and typed request for `dose`, `check` and `prepare`, converted by the same
/// library function `celldose batch` uses.
pub fn dose_request<'c>(
    catalogue: &'c Catalogue,
    args: &DoseArgs,
) -> Result<(&'c Protocol, DoseRequest), Refusal> {
    Ok(text(args).to_request(catalogue, FieldNames::Flags)?)
}

/// The delivered count and tolerance for `check`.
pub fn delivered(args: &CheckArgs) -> Result<(CellCount, Option<Percent>), Refusal> {
    let delivery = RequestText {
        cells: Some(&args.cells),
        tolerance: args.tolerance.as_deref(),
        ..text(&args.dose)
    };
    match delivery.delivery(FieldNames::Flags)? {
        (Some(cells), tolerance) => Ok((cells, tolerance)),
        (None, _) => Err(Refusal("--cells is required".into())),
    }
}

/// The product, step and tolerance for `prepare`, read by the same library function the web
/// page uses.
pub fn product(
    args: &PrepareArgs,
) -> Result<(celldose::Product, celldose::Volume, Option<Percent>), Refusal> {
    let text = celldose::ProductText {
        concentration: &args.concentration,
        viability: &args.viability,
        positive: args.positive.as_deref(),
        available: &args.available,
        step: Some(&args.step),
    };
    let (product, step) = text.to_product(FieldNames::Flags)?;
    let tolerance = optional("--tolerance", args.tolerance.as_deref())?;
    Ok((product, step, tolerance))
}
