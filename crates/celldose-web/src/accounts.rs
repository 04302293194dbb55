//! The site's users when it serves a users file: the file as it is on disk (read again whenever it
//! changes), the sessions of those signed in, and the names locked after failed sign-ins.
//!
//! A session is a random 256-bit id from the operating system's random source, kept on the
//! server; the browser holds only the id. It ends after [`SignInPolicy::idle`] without a request,
//! at sign-out, and when its user is removed from the file or their role or password changes.
//! [`SignInPolicy::lock_after`] failed sign-ins in a row for a name lock it for
//! [`SignInPolicy::lock_for`], whatever password comes next.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use celldose::audit::Signer;
use celldose::users::{User, Users};

/// 32 bytes from the operating system's random source, as hex; `None` when it gives none.
pub(crate) fn random_token() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// How long a session lasts without a request: 15 minutes.
pub const SESSION_IDLE: Duration = Duration::from_secs(15 * 60);
/// Failed sign-ins in a row that lock a name: 5.
pub const LOCK_AFTER: u32 = 5;
/// How long a name stays locked: 5 minutes.
pub const LOCK_FOR: Duration = Duration::from_secs(5 * 60);
/// The most sessions kept at once; the longest idle is ended to make room.
const SESSIONS_MAX: usize = 4096;
/// The most names whose failed sign-ins are counted at once.
const FAILURES_MAX: usize = 4096;

/// How long sessions last and when a name is locked.
///
/// ```
/// let policy = celldose_web::SignInPolicy::default();
/// assert_eq!(policy.idle, celldose_web::SESSION_IDLE);
/// assert_eq!((policy.lock_after, policy.lock_for), (5, celldose_web::LOCK_FOR));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignInPolicy {
    /// A session without a request for this long ends.
    pub idle: Duration,
    /// This many failed sign-ins in a row for a name lock it.
    pub lock_after: u32,
    /// For this long.
    pub lock_for: Duration,
}

impl Default for SignInPolicy {
    fn default() -> Self {
        Self {
            idle: SESSION_IDLE,
            lock_after: LOCK_AFTER,
            lock_for: LOCK_FOR,
        }
    }
}

impl SignInPolicy {
    /// The same policy with sessions ending after `idle` without a request.
    #[must_use]
    pub fn idle(mut self, idle: Duration) -> Self {
        self.idle = idle;
        self
    }

    /// The same policy locking a name for `lock_for` after `lock_after` failures in a row.
    #[must_use]
    pub fn locking(mut self, lock_after: u32, lock_for: Duration) -> Self {
        self.lock_after = lock_after.max(1);
        self.lock_for = lock_for;
        self
    }
}

/// Who is asking: the signed-in user (or the workstation's account where nobody signs in), and
/// the token their forms carry.
#[derive(Debug, Clone)]
pub(crate) struct Visitor {
    /// The user records name, if any.
    pub(crate) signer: Option<Signer>,
    /// The token every form they post must carry.
    pub(crate) token: String,
    /// Their session, where they signed in on the page.
    pub(crate) session: Option<String>,
}

impl Visitor {
    /// The signed-in user's name and role, for the page's header.
    pub(crate) fn signed_in(&self) -> Option<&Signer> {
        self.signer
            .as_ref()
            .filter(|signer| signer.identified() == celldose::audit::Identified::SignedIn)
    }
}

/// Why a sign-in was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NotSignedIn {
    /// The name or the password is not right (which one is not said).
    Wrong {
        /// Failures left before the name is locked.
        left: u32,
    },
    /// The name is locked for this long yet.
    Locked(Duration),
    /// The users file cannot be read now.
    Unavailable(String),
}

impl NotSignedIn {
    /// In words, for the page, the API and the audit log.
    pub(crate) fn message(&self) -> String {
        match self {
            Self::Wrong { left } if *left == 0 => {
                "the name or the password is not right; the name is now locked".to_owned()
            }
            Self::Wrong { left } => format!(
                "the name or the password is not right ({left} more failed sign-in{} will lock the name)",
                if *left == 1 { "" } else { "s" }
            ),
            Self::Locked(wait) => format!(
                "this name is locked after repeated failed sign-ins; try again in {} minute{}",
                minutes(*wait),
                if minutes(*wait) == 1 { "" } else { "s" }
            ),
            Self::Unavailable(reason) => reason.clone(),
        }
    }
}

/// Whole minutes, rounded up, at least one.
fn minutes(wait: Duration) -> u64 {
    wait.as_secs().div_ceil(60).max(1)
}

/// What identifies a version of the users file on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    length: u64,
    modified: Option<std::time::SystemTime>,
    inode: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let metadata = std::fs::metadata(path).ok()?;
    Some(Stamp {
        length: metadata.len(),
        modified: metadata.modified().ok(),
        inode: metadata.ino(),
    })
}

#[derive(Debug)]
struct Session {
    user: User,
    token: String,
    last_seen: Instant,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    locked_until: Option<Instant>,
}

#[derive(Debug)]
struct State {
    users: Arc<Users>,
    stamp: Option<Stamp>,
    unreadable: Option<String>,
    sessions: HashMap<String, Session>,
    failures: HashMap<String, Failures>,
}

/// The users, their sessions and their failed sign-ins.
#[derive(Debug)]
pub(crate) struct Accounts {
    path: PathBuf,
    policy: SignInPolicy,
    state: Mutex<State>,
}

impl Accounts {
    /// The users in the file at `path`, which must name at least one.
    ///
    /// # Errors
    /// A users file that cannot be read or holds no user.
    pub(crate) fn open(path: PathBuf, policy: SignInPolicy) -> celldose::Result<Self> {
        let before = stamp(&path);
        let users = Users::from_path(&path)?;
        if users.users().is_empty() {
            return Err(celldose::Error::UsersFile {
                source_name: celldose::text::inert(&path.display().to_string()).into_owned(),
                message: "it names no user; add one with celldose user add NAME --role pharmacist --users FILE"
                    .to_owned(),
                cause: None,
            });
        }
        Ok(Self {
            path,
            policy,
            state: Mutex::new(State {
                users: Arc::new(users),
                stamp: before,
                unreadable: None,
                sessions: HashMap::new(),
                failures: HashMap::new(),
            }),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The state with the users file as it is now: read again when it changed, and every
    /// session whose user is gone or changed ended.
    fn current(&self) -> MutexGuard<'_, State> {
        let now = stamp(&self.path);
        let mut state = self.state();
        if now != state.stamp || state.unreadable.is_some() {
            match Users::from_path(&self.path) {
                Ok(users) => {
                    state.sessions.retain(|_, session| {
                        users.find(session.user.name()) == Some(&session.user)
                    });
                    state.users = Arc::new(users);
                    state.unreadable = None;
                }
                Err(error) => {
                    // No one is signed in while the file cannot be read.
                    state.sessions.clear();
                    state.unreadable = Some(format!(
                        "{error}; nobody can sign in until the users file can be read"
                    ));
                }
            }
            state.stamp = now;
        }
        state
    }

    /// The users as they are now, and whether `name` is locked.
    fn before_sign_in(&self, name: &str) -> Result<Arc<Users>, NotSignedIn> {
        let mut state = self.current();
        if let Some(reason) = &state.unreadable {
            return Err(NotSignedIn::Unavailable(reason.clone()));
        }
        if let Some(failures) = state.failures.get(name).copied()
            && let Some(until) = failures.locked_until
        {
            let now = Instant::now();
            if until > now {
                return Err(NotSignedIn::Locked(until.saturating_duration_since(now)));
            }
            state.failures.remove(name);
        }
        Ok(Arc::clone(&state.users))
    }

    /// Checks `name` and `password` (off the server's async threads: a password hash takes tens
    /// of milliseconds by design) and counts a failure against the name.
    pub(crate) async fn check_password(
        &self,
        name: &str,
        password: &str,
    ) -> Result<User, NotSignedIn> {
        let users = self.before_sign_in(name)?;
        let (who, typed) = (name.to_owned(), password.to_owned());
        let found = tokio::task::spawn_blocking(move || users.verify(&who, &typed).cloned())
            .await
            .ok()
            .flatten();
        let mut state = self.state();
        match found {
            Some(user) => {
                state.failures.remove(name);
                Ok(user)
            }
            None => {
                if state.failures.len() >= FAILURES_MAX {
                    let now = Instant::now();
                    state
                        .failures
                        .retain(|_, f| f.locked_until.is_some_and(|until| until > now));
                }
                let policy = self.policy;
                let entry = state.failures.entry(name.to_owned()).or_insert(Failures {
                    count: 0,
                    locked_until: None,
                });
                entry.count = entry.count.saturating_add(1);
                let left = policy.lock_after.saturating_sub(entry.count);
                if left == 0 {
                    entry.locked_until = Instant::now().checked_add(policy.lock_for);
                    entry.count = 0;
                }
                Err(NotSignedIn::Wrong { left })
            }
        }
    }

    /// A new session for `user`: its id and the token its forms carry, or `None` when the
    /// operating system gives no random bytes (no session is better than a guessable one).
    pub(crate) fn start_session(&self, user: User) -> Option<(String, String)> {
        let id = random_token()?;
        let token = random_token()?;
        let mut state = self.current();
        if state.sessions.len() >= SESSIONS_MAX {
            let oldest = state
                .sessions
                .iter()
                .min_by_key(|(_, session)| session.last_seen)
                .map(|(id, _)| id.clone());
            if let Some(oldest) = oldest {
                state.sessions.remove(&oldest);
            }
        }
        state.sessions.insert(
            id.clone(),
            Session {
                user,
                token: token.clone(),
                last_seen: Instant::now(),
            },
        );
        Some((id, token))
    }

    /// The visitor holding session `id`, which counts as a request; `Err` with why there is none.
    pub(crate) fn visit(&self, id: &str) -> Result<Visitor, SessionEnded> {
        let idle = self.policy.idle;
        let mut state = self.current();
        if let Some(reason) = &state.unreadable {
            return Err(SessionEnded::Unavailable(reason.clone()));
        }
        let Some(session) = state.sessions.get_mut(id) else {
            return Err(SessionEnded::NoSession);
        };
        if session.last_seen.elapsed() > idle {
            state.sessions.remove(id);
            return Err(SessionEnded::Idle(idle));
        }
        session.last_seen = Instant::now();
        let signer = Signer::signed_in(session.user.name(), session.user.role().as_str())
            .map_err(|e| SessionEnded::Unavailable(e.to_string()))?;
        Ok(Visitor {
            signer: Some(signer),
            token: session.token.clone(),
            session: Some(id.to_owned()),
        })
    }

    /// Ends session `id`; the user it was, where there was one.
    pub(crate) fn end_session(&self, id: &str) -> Option<User> {
        self.state().sessions.remove(id).map(|session| session.user)
    }

    /// How long a session lasts without a request.
    pub(crate) fn idle(&self) -> Duration {
        self.policy.idle
    }
}

/// Why a request carries no live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SessionEnded {
    /// It names none, or one that was ended.
    NoSession,
    /// It went unused for this long.
    Idle(Duration),
    /// The users file cannot be read now.
    Unavailable(String),
}

impl SessionEnded {
    /// In words, for the sign-in page.
    pub(crate) fn message(&self) -> String {
        match self {
            Self::NoSession => "sign in to use this page".to_owned(),
            Self::Idle(idle) => format!(
                "your session ended after {} minute{} without use; sign in again",
                minutes(*idle),
                if minutes(*idle) == 1 { "" } else { "s" }
            ),
            Self::Unavailable(reason) => reason.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use celldose::users::Role;

    fn users_file(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("celldose-accounts-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("users.toml");
        let mut users = Users::default();
        users
            .add("alice", Role::Pharmacist, "alice's long password")
            .unwrap();
        users
            .add("bob", Role::Pharmacist, "bob's long password!")
            .unwrap();
        users.save(&path).unwrap();
        path
    }

    #[tokio::test]
    async fn five_failures_lock_a_name_and_the_lock_ends() {
        let path = users_file("lock");
        let policy = SignInPolicy::default().locking(5, Duration::from_millis(300));
        let accounts = Accounts::open(path, policy).unwrap();
        for left in (0..5).rev() {
            assert_eq!(
                accounts.check_password("alice", "not her password").await,
                Err(NotSignedIn::Wrong { left })
            );
        }
        // Locked: even the right password is not checked.
        let locked = accounts
            .check_password("alice", "alice's long password")
            .await;
        assert!(matches!(locked, Err(NotSignedIn::Locked(_))), "{locked:?}");
        assert!(
            locked
                .unwrap_err()
                .message()
                .contains("try again in 1 minute")
        );
        // Another name is not locked.
        assert!(
            accounts
                .check_password("bob", "bob's long password!")
                .await
                .is_ok()
        );
        std::thread::sleep(Duration::from_millis(350));
        assert!(
            accounts
                .check_password("alice", "alice's long password")
                .await
                .is_ok()
        );
    }

    #[test]
    fn an_idle_session_ends_and_a_removed_user_is_signed_out() {
        let path = users_file("sessions");
        let policy = SignInPolicy::default().idle(Duration::from_millis(200));
        let accounts = Accounts::open(path.clone(), policy).unwrap();
        let mut users = Users::from_path(&path).unwrap();
        let alice = users.find("alice").unwrap().clone();
        let bob = users.find("bob").unwrap().clone();
        let (idle_id, _) = accounts.start_session(alice.clone()).unwrap();
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(
            accounts.visit(&idle_id).unwrap_err(),
            SessionEnded::Idle(Duration::from_millis(200))
        );
        let (alice_id, token) = accounts.start_session(alice).unwrap();
        let (bob_id, _) = accounts.start_session(bob).unwrap();
        let visitor = accounts.visit(&alice_id).unwrap();
        assert_eq!(visitor.token, token);
        assert_eq!(visitor.signed_in().unwrap().name(), "alice");
        users.remove("alice").unwrap();
        users.save(&path).unwrap();
        assert_eq!(
            accounts.visit(&alice_id).unwrap_err(),
            SessionEnded::NoSession
        );
        assert!(accounts.visit(&bob_id).is_ok());
        assert_eq!(
            accounts.visit("not a session").unwrap_err(),
            SessionEnded::NoSession
        );
    }
}
