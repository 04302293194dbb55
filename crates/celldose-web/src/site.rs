//! A site: the protocols it answers with (fixed, or read from disk at each request), the audit
//! log it records in, the host names it answers to, and its form token.

use std::path::PathBuf;
use std::sync::Arc;

use celldose::Catalogue;
use celldose::audit::AuditKey;
use celldose::regimen::LiveCatalogue;

use crate::accounts::{Accounts, SignInPolicy};
use crate::hosts;
use crate::recorder::{self, LOCK_WAIT};
use sha2::{Digest, Sha256};

/// Where the page's protocols come from: fixed when the site was made, or the files on disk as
/// they are at each request.
#[derive(Debug, Clone)]
enum Protocols {
    Fixed(Arc<Catalogue>),
    Live(Arc<LiveCatalogue>),
}

/// What the page serves: the protocols, where calculations are recorded, the hosts it answers
/// to, and the token every form post must carry.
#[derive(Debug, Clone)]
pub struct Site {
    protocols: Protocols,
    pub(crate) recorder: Option<recorder::Recorder>,
    pub(crate) hosts: hosts::AllowedHosts,
    token: String,
    pub(crate) workstation: Option<celldose::audit::Signer>,
    pub(crate) accounts: Option<Arc<Accounts>>,
    pub(crate) tls: bool,
}

impl Site {
    /// A site over `catalogue`, as it is now, appending every calculation to `audit_log` when
    /// given, with a fresh token for this process. It answers requests addressed to `localhost`,
    /// `127.0.0.1` or `[::1]` on port [`DEFAULT_PORT`](crate::DEFAULT_PORT) until [`Site::listening_on`] (or
    /// [`serve`](crate::serve)) says where it is served.
    #[must_use]
    pub fn new(catalogue: Catalogue, audit_log: Option<PathBuf>) -> Self {
        Self {
            protocols: Protocols::Fixed(Arc::new(catalogue)),
            recorder: audit_log.map(|path| recorder::Recorder::start(path, None, None)),
            hosts: hosts::AllowedHosts::new(),
            token: fresh_token(),
            workstation: None,
            accounts: None,
            tls: false,
        }
    }

    /// A site over a library on disk: every request uses the protocol files and trial state as
    /// they are then, and is refused (503) while one of them cannot be read or is invalid.
    #[must_use]
    pub fn live(catalogue: LiveCatalogue) -> Self {
        Self {
            protocols: Protocols::Live(Arc::new(catalogue)),
            recorder: None,
            hosts: hosts::AllowedHosts::new(),
            token: fresh_token(),
            workstation: None,
            accounts: None,
            tls: false,
        }
    }

    /// The same site recording every calculation (and refusal) in the audit log at `path`, each
    /// record signed with `key` where given. The log is checked now: a log that cannot be locked
    /// within [`LOCK_WAIT`], whose tail does not hold, or whose last record's HMAC does not
    /// verify is refused; from here on, records continue its chain, and a log replaced,
    /// truncated or deleted under the page refuses further records.
    ///
    /// # Errors
    /// When the log cannot take records.
    pub fn with_audit_log(
        mut self,
        path: PathBuf,
        key: Option<AuditKey>,
    ) -> celldose::Result<Self> {
        let how = celldose::audit::Appending::default()
            .wait_at_most(LOCK_WAIT)
            .key(key.clone());
        let last = celldose::audit::AuditLog::open_with(&path, &how)?
            .last()
            .cloned();
        self.recorder = Some(recorder::Recorder::start(path, key, last));
        Ok(self)
    }

    /// The same site answering requests addressed to `name` too (a host name as typed in the
    /// browser, with or without a port), beside the listen address and the loopback names.
    #[must_use]
    pub fn with_allowed_host(mut self, name: &str) -> Self {
        self.hosts.allow(name);
        self
    }

    /// The same site served at `address`: requests must be addressed to its port.
    #[must_use]
    pub fn listening_on(mut self, address: std::net::SocketAddr) -> Self {
        self.hosts.listening_on(address);
        self
    }

    /// The user records name when nobody signs in: the workstation's account, as claimed by the
    /// process that serves the page.
    #[must_use]
    pub fn with_workstation_user(mut self, signer: celldose::audit::Signer) -> Self {
        self.workstation = Some(signer);
        self
    }

    /// The same site for its users only: every page and API call needs a user of the users file
    /// at `path` (signed in on the page, HTTP Basic on the API), and every record names them. The
    /// file is read again whenever it changes; a user removed from it is signed out.
    ///
    /// # Errors
    /// A users file that cannot be read, is not valid, or names no user.
    pub fn with_users(mut self, path: PathBuf, policy: SignInPolicy) -> celldose::Result<Self> {
        self.accounts = Some(Arc::new(Accounts::open(path, policy)?));
        Ok(self)
    }

    /// Whether the site needs its users to sign in.
    #[must_use]
    pub fn signs_in(&self) -> bool {
        self.accounts.is_some()
    }

    /// The token the sign-in form carries (and, where nobody signs in, every form).
    #[must_use]
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The protocols for this request: the files as they are now on disk, for a live site.
    ///
    /// # Errors
    /// The reason a protocol or trial state file cannot be used now.
    pub(crate) fn catalogue(&self) -> Result<Arc<Catalogue>, String> {
        match &self.protocols {
            Protocols::Fixed(catalogue) => Ok(Arc::clone(catalogue)),
            Protocols::Live(live) => live.current().map_err(|e| e.to_string()),
        }
    }
}

/// A token no other process can guess: 32 bytes from the operating system's random source.
pub(crate) fn fresh_token() -> String {
    if let Some(token) = crate::accounts::random_token() {
        return token;
    }
    let mut bytes = [0u8; 32];
    // Without random bytes no token can be trusted; an all-zero token would be guessable, so the
    // process-specific fallback below is only ever a last resort that still differs per process.
    // Sessions are never made from it: without random bytes nobody can sign in.
    {
        let mut digest = Sha256::new();
        digest.update(std::process::id().to_le_bytes());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|since| since.as_nanos())
            .unwrap_or_default();
        digest.update(now.to_le_bytes());
        bytes.copy_from_slice(&digest.finalize());
    }
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::fresh_token;

    #[test]
    fn tokens_differ() {
        assert_ne!(fresh_token(), fresh_token());
        assert_eq!(fresh_token().len(), 64);
    }
}
