//! A site's protocol library on disk: the built-in protocols unless left out, a directory of
//! protocol files, single files, and the trial state, read through the same checks in that order;
//! and the same library kept current for a long-running page, which uses the files as they are
//! on disk at each request, never as they were when it started.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{Catalogue, PROTOCOL_MAX_BYTES, Protocol, TRIAL_STATE_MAX_BYTES, TrialState};
use crate::error::{Error, Result};
use crate::named_file;

/// Where a site's protocols and trial state are read from.
///
/// ```
/// use celldose::regimen::Library;
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/protocols");
/// let catalogue = Library::builtin().with_dir(dir).load()?;
/// assert!(catalogue.find("DEMO-SPLIT").is_ok() && catalogue.find("NCT07276568").is_ok());
/// let none = Library::empty().with_file("no-such-file.toml").load().unwrap_err();
/// assert!(none.to_string().starts_with("protocol file no-such-file.toml: cannot be read: "));
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Library {
    builtin: bool,
    dir: Option<PathBuf>,
    files: Vec<PathBuf>,
    trial_state: Option<PathBuf>,
}

/// What a library's files held when they were read: each protocol file's name and bytes in load
/// order, and the trial state's. Two readings are equal exactly when every file held the same
/// bytes, in the same directory order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reading {
    protocols: Vec<(PathBuf, Vec<u8>)>,
    trial_state: Option<(PathBuf, Vec<u8>)>,
}

impl Library {
    /// The five built-in protocols and nothing else, until files are added.
    #[must_use]
    pub fn builtin() -> Self {
        Self {
            builtin: true,
            ..Self::default()
        }
    }

    /// No protocols at all, until files are added: a site that runs on its own files only.
    #[must_use]
    pub fn empty() -> Self {
        Self::default()
    }

    /// The same library with every `*.toml` file of `dir` loaded as a protocol file, in name
    /// order, after the built-in ones.
    #[must_use]
    pub fn with_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// The same library with one more protocol file, loaded after the directory's.
    #[must_use]
    pub fn with_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.files.push(file.into());
        self
    }

    /// The same library with the site's trial state file.
    #[must_use]
    pub fn with_trial_state(mut self, file: impl Into<PathBuf>) -> Self {
        self.trial_state = Some(file.into());
        self
    }

    /// Whether the built-in protocols are part of it.
    #[must_use]
    pub fn has_builtin(&self) -> bool {
        self.builtin
    }

    /// The trial state file, where one is named.
    #[must_use]
    pub fn trial_state_file(&self) -> Option<&Path> {
        self.trial_state.as_deref()
    }

    /// The `*.toml` entries of the directory, in name order, whatever their kind: an entry that is
    /// not a regular file is listed, so that reading it refuses it by name rather than skipping it.
    ///
    /// # Errors
    /// [`Error::ProtocolDirectory`] when the directory cannot be listed.
    pub fn dir_files(&self) -> Result<Vec<PathBuf>> {
        let Some(dir) = &self.dir else {
            return Ok(Vec::new());
        };
        let refuse = |error: std::io::Error| Error::ProtocolDirectory {
            dir: named_file::shown(dir),
            message: format!("cannot be read: {error}"),
            cause: Some(crate::error::Cause::new(error)),
        };
        let entries = std::fs::read_dir(dir).map_err(refuse)?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(refuse)?;
            let path = entry.path();
            if path.extension().is_some_and(|ext| ext == "toml") {
                files.push(path);
            }
        }
        files.sort();
        Ok(files)
    }

    /// Every protocol file in load order: the directory's, then the single files.
    ///
    /// # Errors
    /// As [`Library::dir_files`].
    pub fn protocol_files(&self) -> Result<Vec<PathBuf>> {
        let mut files = self.dir_files()?;
        files.extend(self.files.iter().cloned());
        Ok(files)
    }

    /// The catalogue these files make, read now.
    ///
    /// # Errors
    /// A file that cannot be read, is not a regular file, is too large or is invalid; a protocol
    /// id defined twice; a trial state that does not fit the protocols. The message names the
    /// file.
    ///
    /// See [`Library`].
    pub fn load(&self) -> Result<Catalogue> {
        self.read()?.catalogue(self.builtin)
    }

    fn read(&self) -> Result<Reading> {
        let mut protocols = Vec::new();
        for path in self.protocol_files()? {
            let bytes = read_protocol_bytes(&path)?;
            protocols.push((path, bytes));
        }
        let trial_state = match &self.trial_state {
            Some(path) => Some((path.clone(), read_trial_state_bytes(path)?)),
            None => None,
        };
        Ok(Reading {
            protocols,
            trial_state,
        })
    }

    /// This library kept current: see [`LiveCatalogue`].
    ///
    /// # Errors
    /// As [`Library::load`], for the files as they are now.
    pub fn live(self) -> Result<LiveCatalogue> {
        let reading = self.read()?;
        let catalogue = Arc::new(reading.catalogue(self.builtin)?);
        Ok(LiveCatalogue {
            library: self,
            last: Mutex::new((reading, catalogue)),
        })
    }
}

impl Reading {
    fn catalogue(&self, builtin: bool) -> Result<Catalogue> {
        let mut catalogue = if builtin {
            Catalogue::builtin()?
        } else {
            Catalogue::default()
        };
        for (path, bytes) in &self.protocols {
            let protocol = protocol_from_bytes(path, bytes.clone())?;
            catalogue.add(protocol).map_err(|e| Error::ProtocolFile {
                source_name: named_file::shown(path),
                message: e.to_string(),
                cause: None,
            })?;
        }
        if let Some((path, bytes)) = &self.trial_state {
            catalogue.set_trial_state(trial_state_from_bytes(path, bytes.clone())?)?;
        }
        Ok(catalogue)
    }
}

fn read_protocol_bytes(path: &Path) -> Result<Vec<u8>> {
    named_file::read_bytes(path, "protocol file", PROTOCOL_MAX_BYTES).map_err(|unread| {
        Error::ProtocolFile {
            source_name: named_file::shown(path),
            message: unread.message,
            cause: unread.cause,
        }
    })
}

fn read_trial_state_bytes(path: &Path) -> Result<Vec<u8>> {
    named_file::read_bytes(path, "trial state file", TRIAL_STATE_MAX_BYTES).map_err(|unread| {
        Error::TrialStateFile {
            source_name: named_file::shown(path),
            message: unread.message,
            cause: unread.cause,
        }
    })
}

fn protocol_from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Protocol> {
    let name = named_file::shown(path);
    let text = named_file::utf8(bytes).map_err(|message| Error::ProtocolFile {
        source_name: name.clone(),
        message,
        cause: None,
    })?;
    Protocol::from_toml(&name, &text)
}

fn trial_state_from_bytes(path: &Path, bytes: Vec<u8>) -> Result<TrialState> {
    let name = named_file::shown(path);
    let text = named_file::utf8(bytes).map_err(|message| Error::TrialStateFile {
        source_name: name.clone(),
        message,
        cause: None,
    })?;
    TrialState::from_toml(&name, &text)
}

/// Reads and checks one protocol file: a regular file of at most [`PROTOCOL_MAX_BYTES`].
///
/// # Errors
/// [`Error::ProtocolFile`] naming the file: it cannot be read, is not a regular file, is too
/// large, or is invalid.
pub(crate) fn load_protocol_file(path: &Path) -> Result<Protocol> {
    protocol_from_bytes(path, read_protocol_bytes(path)?)
}

/// Reads and checks one trial state file: a regular file of at most [`TRIAL_STATE_MAX_BYTES`].
///
/// # Errors
/// [`Error::TrialStateFile`] naming the file: it cannot be read, is not a regular file, is too
/// large, or is invalid.
pub(crate) fn load_trial_state_file(path: &Path) -> Result<TrialState> {
    trial_state_from_bytes(path, read_trial_state_bytes(path)?)
}

impl Protocol {
    /// Reads and checks a protocol file from disk, with the command line's protections: a regular
    /// file only (never a device or a pipe), read no further than [`PROTOCOL_MAX_BYTES`].
    ///
    /// # Errors
    /// [`Error::ProtocolFile`] naming the file: it cannot be read, is not a regular file, is too
    /// large, or is invalid.
    ///
    /// ```
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/protocols/nct06167473.toml");
    /// let protocol = celldose::Protocol::from_path(std::path::Path::new(path))?;
    /// assert_eq!(protocol.id(), "NCT06167473");
    /// let error = celldose::Protocol::from_path(std::path::Path::new("/dev/zero")).unwrap_err();
    /// assert!(error.to_string().starts_with("protocol file /dev/zero: it is not a regular file"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn from_path(path: &Path) -> Result<Self> {
        load_protocol_file(path)
    }
}

impl TrialState {
    /// Reads and checks a trial state file from disk: a regular file only, read no further than
    /// [`TRIAL_STATE_MAX_BYTES`]. Check it against the protocols with
    /// [`Catalogue::set_trial_state`].
    ///
    /// # Errors
    /// As [`Protocol::from_path`], naming a trial state file.
    ///
    /// ```
    /// let error = celldose::TrialState::from_path(std::path::Path::new("/dev/zero")).unwrap_err();
    /// assert!(error.to_string().starts_with("trial state file /dev/zero: it is not a regular file"));
    /// ```
    pub fn from_path(path: &Path) -> Result<Self> {
        load_trial_state_file(path)
    }
}

impl Catalogue {
    /// The protocols of every `*.toml` file in `dir`, loaded in name order as a site's own
    /// library (the command line's `--protocol-dir --no-builtin`): each file read as
    /// [`Protocol::from_path`] reads it, and two files with one id refused.
    ///
    /// # Errors
    /// The directory cannot be listed; a file cannot be read or is invalid; an id is defined
    /// twice.
    ///
    /// ```
    /// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/protocols");
    /// let catalogue = celldose::Catalogue::from_dir(std::path::Path::new(dir))?;
    /// assert_eq!(catalogue.protocols().len(), 5);
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn from_dir(dir: &Path) -> Result<Self> {
        Library::empty().with_dir(dir).load()
    }
}

/// A [`Library`] kept current for a long-running server: [`LiveCatalogue::current`] reads every
/// file again and returns the catalogue of what is on disk now, parsing again only when a byte
/// changed. A file that became unreadable or invalid is an error, never the old content.
///
/// ```
/// use celldose::regimen::Library;
/// let path = std::env::temp_dir().join(format!("celldose-live-doc-{}.toml", std::process::id()));
/// std::fs::write(&path, "format = 1\n[[opened]]\nprotocol = \"NCT05227846\"\nlevel = 2\ndate = \"2026-03-14\"\ndecision = \"SRC minutes\"\n")?;
/// let live = Library::builtin().with_trial_state(&path).live()?;
/// assert_eq!(live.current()?.trial_state().map(|s| s.openings().len()), Some(1));
/// std::fs::write(&path, "format = 1\n")?;
/// assert_eq!(live.current()?.trial_state().map(|s| s.openings().len()), Some(0));
/// std::fs::write(&path, "format = 2\n")?;
/// assert!(live.current().is_err());
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct LiveCatalogue {
    library: Library,
    last: Mutex<(Reading, Arc<Catalogue>)>,
}

impl LiveCatalogue {
    /// The catalogue of the files as they are on disk now.
    ///
    /// # Errors
    /// As [`Library::load`]: the error of the files as they are now.
    pub fn current(&self) -> Result<Arc<Catalogue>> {
        let reading = self.library.read()?;
        // A poisoned lock only means another request failed while holding it; the reading
        // and catalogue it guards are replaced whole, never left half-written.
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if last.0 == reading {
            return Ok(Arc::clone(&last.1));
        }
        let catalogue = Arc::new(reading.catalogue(self.library.builtin)?);
        *last = (reading, Arc::clone(&catalogue));
        Ok(catalogue)
    }

    /// The library it reads.
    #[must_use]
    pub fn library(&self) -> &Library {
        &self.library
    }
}
