//! `celldose serve`: the page for the pharmacy counter, served from this binary until Ctrl-C.

use std::io::{self, Write};
use std::process::ExitCode;

use crate::audit::{audit_key, recorded_user};
use crate::cli::ServeArgs;
use crate::exit::{EXIT_WITHIN, refuse};
use crate::refusal::Refusal;

/// `celldose serve`: the web page, until Ctrl-C.
pub fn serve(
    args: &ServeArgs,
    library: &celldose::regimen::Library,
    key: Option<&std::path::Path>,
    user: Option<&str>,
) -> ExitCode {
    // Beyond this machine, only a site whose users sign in, over TLS.
    if !args.listen.is_loopback() {
        let mut missing = Vec::new();
        if args.users.is_none() {
            missing.push("--users FILE");
        }
        if args.tls_cert.is_none() {
            missing.push("--tls-cert FILE --tls-key FILE");
        }
        if !missing.is_empty() {
            return refuse(
                &format!(
                    "--listen {}: other machines can reach this address, so the page is served there only to signed-in users over TLS; give {} (or listen on 127.0.0.1)",
                    args.listen,
                    missing.join(" and ")
                ),
                false,
            );
        }
    }
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => match celldose_web::Tls::from_pem_files(cert, key) {
            Ok(tls) => Some(tls),
            Err(error) => return refuse(&error.to_string(), false),
        },
        _ => None,
    };
    // The files are checked now, and read again at every request.
    let live = match library.clone().live() {
        Ok(live) => live,
        Err(error) => return refuse(&error.to_string(), false),
    };
    let mut site = celldose_web::Site::live(live);
    for name in &args.allowed_hosts {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        {
            return refuse(
                &format!(
                    "--allowed-host {}: write a host name as the browser shows it, with an optional port, as in pharmacy.example or pharmacy.example:8080",
                    celldose::text::Shown(name)
                ),
                false,
            );
        }
        site = site.with_allowed_host(name);
    }
    if let Some(path) = &args.users {
        site = match site.with_users(path.clone(), celldose_web::SignInPolicy::default()) {
            Ok(site) => site,
            Err(error) => return refuse(&error.to_string(), false),
        };
    } else {
        // Without sign-in, records name the workstation's account, as claimed.
        match recorded_user(user) {
            Ok(Some(by)) => site = site.with_workstation_user(by),
            Ok(None) => {}
            Err(Refusal(message)) => return refuse(&message, false),
        }
    }
    // An audit log that cannot take records is refused now, not at the first calculation.
    if let Some(path) = &args.audit_log {
        let key = match audit_key(key) {
            Ok(key) => key,
            Err(Refusal(message)) => return refuse(&message, false),
        };
        site = match site.with_audit_log(path.clone(), key) {
            Ok(site) => site,
            Err(error) => return refuse(&error.to_string(), false),
        };
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return refuse(&format!("cannot start the server: {error}"), false),
    };
    let address = std::net::SocketAddr::new(args.listen, args.port);
    runtime.block_on(async {
        let listener = match tokio::net::TcpListener::bind(address).await {
            Ok(listener) => listener,
            Err(error) => return refuse(&format!("--listen {address}: cannot be bound: {error}"), false),
        };
        let bound = listener.local_addr().unwrap_or(address);
        let mut err = io::stderr().lock();
        if !args.listen.is_loopback() {
            let _ = writeln!(
                err,
                "celldose serve: listening on {bound}, which other machines can reach; only the users in --users can sign in, over TLS; it answers only requests addressed to this address, the loopback names and --allowed-host names"
            );
        }
        let scheme = if tls.is_some() { "https" } else { "http" };
        let users = if site.signs_in() { ", users sign in" } else { "" };
        let _ = writeln!(err, "celldose serve: serving {scheme}://{bound}/{users} (Ctrl-C to stop)");
        drop(err);
        let stop = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        let served = match tls {
            Some(tls) => celldose_web::serve_tls(listener, site, tls, stop).await,
            None => celldose_web::serve(listener, site, stop).await,
        };
        match served {
            Ok(()) => ExitCode::from(EXIT_WITHIN),
            Err(error) => refuse(&format!("the server stopped: {error}"), false),
        }
    })
}
