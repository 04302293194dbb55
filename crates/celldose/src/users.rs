//! The people who prepare and check doses: a users file of names, roles and password hashes.
//!
//! A password is never kept: each user's is stored as an argon2id hash in the PHC string form
//! (`$argon2id$v=19$m=19456,t=2,p=1$…`), salted from the operating system's random source by the
//! `argon2` crate. The file is TOML, read as a protocol file is read (a regular file, bounded,
//! strict), and written whole to a new file beside it, readable by its owner only, then renamed
//! over it, so a reader never sees half a file.

use std::io::Write as _;
use std::path::Path;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use serde::{Deserialize, Serialize};

use crate::error::{Cause, Error, Result};
use crate::refusal::Refusal;

/// The format version of a users file this build reads and writes.
pub const USERS_FORMAT: u32 = 1;
/// The largest users file read, in bytes.
pub const USERS_MAX_BYTES: usize = 1 << 20;
/// The fewest characters a password may have.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// The most characters a user's name may have.
pub const NAME_MAX_CHARS: usize = 64;

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Role {
    /// Prepares doses; cannot verify another's.
    Technician,
    /// Prepares doses and independently checks another's.
    Pharmacist,
}

impl Role {
    /// As written in files and output: `pharmacist`, `technician`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Technician => "technician",
            Self::Pharmacist => "pharmacist",
        }
    }

    /// Whether the role may independently check another user's preparation.
    pub fn verifies(self) -> bool {
        self == Self::Pharmacist
    }
}

impl core::str::FromStr for Role {
    type Err = Error;

    /// `pharmacist` or `technician`.
    fn from_str(input: &str) -> Result<Self> {
        [Self::Pharmacist, Self::Technician]
            .into_iter()
            .find(|role| role.as_str() == input.trim())
            .ok_or_else(|| Error::UnknownWord {
                what: "role",
                input: input.to_owned(),
                accepted: "pharmacist, technician".to_owned(),
            })
    }
}

impl core::fmt::Display for Role {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// One user: a name, a role and the hash of a password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    name: String,
    role: Role,
    password_hash: String,
}

impl core::fmt::Debug for User {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("User")
            .field("name", &self.name)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl User {
    /// The user's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The user's role.
    pub fn role(&self) -> Role {
        self.role
    }
}

/// The users of a site, as its users file holds them.
///
/// ```
/// use celldose::users::{Role, Users};
/// let mut users = Users::default();
/// users.add("alice", Role::Pharmacist, "correct horse battery")?;
/// assert!(users.verify("alice", "correct horse battery").is_some());
/// assert!(users.verify("alice", "wrong horse battery").is_none());
/// assert!(users.add("alice", Role::Technician, "another long one").is_err());
/// let again = Users::from_toml("users.toml", &users.to_toml()?)?;
/// assert_eq!(again.find("alice").map(|u| u.role()), Some(Role::Pharmacist));
/// # Ok::<(), celldose::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Users {
    users: Vec<User>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersFile {
    format: u32,
    #[serde(rename = "user", default)]
    users: Vec<User>,
}

fn hash(password: &str) -> Result<String> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(Refusal::PasswordTooShort {
            chars,
            min: PASSWORD_MIN_CHARS,
        }
        .into());
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| Error::UsersFile {
            source_name: String::new(),
            message: format!("the password could not be hashed: {error}"),
            cause: None,
        })
}

impl Users {
    /// Reads and checks a users file.
    ///
    /// # Errors
    /// [`Error::UsersFile`] naming the file: not TOML, a key the format does not define, a
    /// format this build does not read, a name that is not accepted or given twice, or a
    /// password hash that is not an argon2id PHC string.
    pub fn from_toml(source_name: &str, text: &str) -> Result<Self> {
        let fail = |message: String, cause: Option<Cause>| Error::UsersFile {
            source_name: source_name.to_owned(),
            message,
            cause,
        };
        if text.len() > USERS_MAX_BYTES {
            return Err(fail(
                format!("it is larger than the {USERS_MAX_BYTES} bytes a users file may have"),
                None,
            ));
        }
        let file: UsersFile = toml::from_str(text)
            .map_err(|error| fail(error.message().trim().to_owned(), Some(Cause::new(error))))?;
        if file.format != USERS_FORMAT {
            return Err(fail(
                format!(
                    "format {} is not supported; this celldose reads users format {USERS_FORMAT}",
                    file.format
                ),
                None,
            ));
        }
        for (index, user) in file.users.iter().enumerate() {
            if !crate::text::is_user_name(&user.name) {
                let refused = Refusal::UserName {
                    input: user.name.clone(),
                };
                return Err(fail(refused.to_string(), None));
            }
            if file.users.iter().take(index).any(|u| u.name == user.name) {
                return Err(fail(format!("user {} is listed twice", user.name), None));
            }
            let parsed = PasswordHash::new(&user.password_hash).map_err(|_| {
                fail(
                    format!("user {}: the password hash is not a PHC string", user.name),
                    None,
                )
            })?;
            if parsed.algorithm.as_str() != "argon2id" {
                return Err(fail(
                    format!(
                        "user {}: the password hash is {}, not argon2id",
                        user.name, parsed.algorithm
                    ),
                    None,
                ));
            }
        }
        Ok(Self { users: file.users })
    }

    /// Reads a users file from disk: a regular file only, bounded; a file that is not there yet
    /// is an empty list, so the first `add` makes it.
    ///
    /// # Errors
    /// As [`Users::from_toml`], and a file that cannot be read.
    pub fn from_path(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Ok(Self::default());
        }
        let name = crate::named_file::shown(path);
        let bytes = crate::named_file::read_bytes(path, "users file", USERS_MAX_BYTES).map_err(
            |unread| Error::UsersFile {
                source_name: name.clone(),
                message: unread.message,
                cause: unread.cause,
            },
        )?;
        let text = crate::named_file::utf8(bytes).map_err(|message| Error::UsersFile {
            source_name: name.clone(),
            message,
            cause: None,
        })?;
        Self::from_toml(&name, &text)
    }

    /// The users file's text.
    ///
    /// # Errors
    /// Only if the TOML writer fails.
    pub fn to_toml(&self) -> Result<String> {
        let file = UsersFile {
            format: USERS_FORMAT,
            users: self.users.clone(),
        };
        toml::to_string(&file).map_err(|error| Error::UsersFile {
            source_name: String::new(),
            message: format!("cannot be written as TOML: {error}"),
            cause: Some(Cause::new(error)),
        })
    }

    /// Writes the users to `path`: the whole file to a new file beside it (readable and
    /// writable by its owner only), synced, then renamed over it.
    ///
    /// # Errors
    /// When the new file cannot be written, synced or renamed.
    pub fn save(&self, path: &Path) -> Result<()> {
        let name = crate::named_file::shown(path);
        let fail = |what: &str, error: std::io::Error| Error::UsersFile {
            source_name: name.clone(),
            message: format!("{what}: {error}"),
            cause: Some(Cause::new(error)),
        };
        let text = self.to_toml()?;
        let mut staged = path.as_os_str().to_owned();
        staged.push(format!(".new-{}", std::process::id()));
        let staged = std::path::PathBuf::from(staged);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let written = options.open(&staged).and_then(|mut file| {
            file.write_all(text.as_bytes())?;
            file.sync_all()
        });
        if let Err(error) = written {
            let _ = std::fs::remove_file(&staged);
            return Err(fail("cannot be written", error));
        }
        std::fs::rename(&staged, path).map_err(|error| {
            let _ = std::fs::remove_file(&staged);
            fail("cannot be replaced", error)
        })?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|error| fail("its directory cannot be synced", error))?;
        }
        Ok(())
    }

    /// Adds a user.
    ///
    /// # Errors
    /// A name that is not accepted or is taken; a password shorter than
    /// [`PASSWORD_MIN_CHARS`] characters.
    pub fn add(&mut self, name: &str, role: Role, password: &str) -> Result<()> {
        if !crate::text::is_user_name(name) {
            return Err(crate::refusal::Refusal::UserName {
                input: name.to_owned(),
            }
            .into());
        }
        if self.find(name).is_some() {
            return Err(Refusal::UserExists {
                name: name.to_owned(),
            }
            .into());
        }
        let password_hash = hash(password)?;
        self.users.push(User {
            name: name.to_owned(),
            role,
            password_hash,
        });
        Ok(())
    }

    /// Removes a user.
    ///
    /// # Errors
    /// A user who is not there.
    pub fn remove(&mut self, name: &str) -> Result<()> {
        let before = self.users.len();
        self.users.retain(|u| u.name != name);
        if self.users.len() == before {
            return Err(Refusal::NoSuchUser {
                name: name.to_owned(),
            }
            .into());
        }
        Ok(())
    }

    /// Sets a user's password.
    ///
    /// # Errors
    /// A user who is not there; a password shorter than [`PASSWORD_MIN_CHARS`] characters.
    pub fn set_password(&mut self, name: &str, password: &str) -> Result<()> {
        let hashed = hash(password)?;
        let user = self
            .users
            .iter_mut()
            .find(|u| u.name == name)
            .ok_or_else(|| {
                Error::from(Refusal::NoSuchUser {
                    name: name.to_owned(),
                })
            })?;
        user.password_hash = hashed;
        Ok(())
    }

    /// Every user, in the order added.
    pub fn users(&self) -> &[User] {
        &self.users
    }

    /// The user of that name.
    pub fn find(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }

    /// The user of that name, where `password` is theirs. An unknown name costs as long as a
    /// wrong password, so the time taken does not tell which names exist.
    pub fn verify(&self, name: &str, password: &str) -> Option<&User> {
        // A hash of nothing anyone can type, worked out once, checked against for unknown names.
        static DECOY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
        let user = self.find(name);
        let stored = match user {
            Some(user) => Some(user.password_hash.clone()),
            None => DECOY
                .get_or_init(|| {
                    Argon2::default()
                        .hash_password(b"\0 no user has this password \0")
                        .ok()
                        .map(|h| h.to_string())
                })
                .clone(),
        }?;
        let parsed = PasswordHash::new(&stored).ok()?;
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        user.filter(|_| matches)
    }
}
