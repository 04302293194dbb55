//! Which hosts the page answers to. A browser sends the host it thinks it is talking to; a page
//! on another site whose name was made to resolve to this machine (DNS rebinding) sends that
//! site's name. So a request is answered only when its `Host` names this server: the listen
//! address, `localhost`, `127.0.0.1` or `[::1]` with the served port, or a name the operator
//! allowed. A post's `Origin` (or `Referer`) must name one of them too.

use std::net::{IpAddr, SocketAddr};

/// The port `celldose serve` listens on unless told otherwise, which a [`crate::Site`] assumes
/// until [`crate::Site::listening_on`] says where it is served.
pub const DEFAULT_PORT: u16 = 8080;

/// The authorities (`host:port`, lower-case) a request may be addressed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AllowedHosts {
    port: u16,
    listen: Option<IpAddr>,
    names: Vec<String>,
}

impl AllowedHosts {
    pub(crate) fn new() -> Self {
        Self {
            port: DEFAULT_PORT,
            listen: None,
            names: Vec::new(),
        }
    }

    pub(crate) fn listening_on(&mut self, address: SocketAddr) {
        self.port = address.port();
        self.listen = (!address.ip().is_unspecified()).then_some(address.ip());
    }

    pub(crate) fn allow(&mut self, name: &str) {
        self.names.push(name.trim().to_ascii_lowercase());
    }

    /// Every host name allowed, without the port, for messages.
    pub(crate) fn names(&self) -> Vec<String> {
        let mut names = vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "[::1]".to_owned(),
        ];
        if let Some(ip) = self.listen {
            let shown = match ip {
                IpAddr::V4(v4) => v4.to_string(),
                IpAddr::V6(v6) => format!("[{v6}]"),
            };
            if !names.contains(&shown) {
                names.push(shown);
            }
        }
        for name in &self.names {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        names
    }

    /// Whether `authority` (a `Host` header, or the `host[:port]` of an origin) names this server.
    /// A name given with `--allowed-host` may carry its own port (a proxy in front); without one it
    /// is allowed on the served port.
    pub(crate) fn allows(&self, authority: &str) -> bool {
        let authority = authority.trim().to_ascii_lowercase();
        let (host, port) = split_authority(&authority);
        // Without a port, an http URL means port 80.
        let port = match port {
            Some(port) => port.parse::<u16>().ok(),
            None => Some(80),
        };
        let Some(port) = port else {
            return false;
        };
        if self.names.contains(&authority) {
            return true;
        }
        port == self.port && self.names().iter().any(|name| name == host)
    }

    /// The allowed authorities, for the one line a refused request gets.
    pub(crate) fn describe(&self) -> String {
        self.names()
            .iter()
            .map(|name| format!("{name}:{}", self.port))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `host` and `port` of `host[:port]`, where an IPv6 host is written in brackets.
fn split_authority(authority: &str) -> (&str, Option<&str>) {
    if authority.starts_with('[') {
        return match authority.find(']') {
            Some(end) => {
                let (host, rest) = authority.split_at(end.saturating_add(1));
                (host, rest.strip_prefix(':'))
            }
            None => (authority, None),
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    }
}

/// The authority of an `http://` or `https://` URL (an `Origin` or a `Referer`), or `None` for
/// anything else (`null`, another scheme).
pub(crate) fn url_authority(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..end)?;
    // Credentials before the host would let `http://127.0.0.1:8080@evil.example` pass.
    (!authority.contains('@') && !authority.is_empty()).then_some(authority)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_servers_names_on_its_port_are_allowed() {
        let mut hosts = AllowedHosts::new();
        hosts.listening_on(SocketAddr::from(([127, 0, 0, 1], 8081)));
        for allowed in [
            "127.0.0.1:8081",
            "localhost:8081",
            "LOCALHOST:8081",
            "[::1]:8081",
        ] {
            assert!(hosts.allows(allowed), "{allowed}");
        }
        for refused in [
            "attacker.example:8081",
            "127.0.0.1:8080",
            "127.0.0.1",
            "localhost",
            "127.0.0.1:8081.attacker.example",
            "",
            "[::1]",
            "127.0.0.1:99999",
        ] {
            assert!(!hosts.allows(refused), "{refused}");
        }
        hosts.allow("Pharmacy.Example");
        hosts.allow("proxy.example:443");
        assert!(hosts.allows("pharmacy.example:8081"));
        assert!(hosts.allows("proxy.example:443"));
        assert!(!hosts.allows("proxy.example:8081"));
        assert!(!hosts.allows("pharmacy.example.attacker.example:8081"));
    }

    #[test]
    fn port_80_may_be_left_out_as_a_browser_does() {
        let mut hosts = AllowedHosts::new();
        hosts.listening_on(SocketAddr::from(([127, 0, 0, 1], 80)));
        assert!(hosts.allows("localhost") && hosts.allows("127.0.0.1:80"));
    }

    #[test]
    fn a_url_gives_its_authority_and_nothing_else() {
        assert_eq!(
            url_authority("http://127.0.0.1:8080/dose"),
            Some("127.0.0.1:8080")
        );
        assert_eq!(
            url_authority("https://localhost:8080"),
            Some("localhost:8080")
        );
        assert_eq!(url_authority("http://127.0.0.1:8080@evil.example/"), None);
        assert_eq!(url_authority("null"), None);
        assert_eq!(url_authority("file:///etc"), None);
    }
}
