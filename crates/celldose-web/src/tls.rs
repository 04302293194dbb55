//! The page over TLS: a certificate chain and its private key, read from PEM files, served with
//! rustls (TLS 1.2 and 1.3, aws-lc-rs, the default provider, no client certificates).

use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls;

/// A certificate and key the page is served with.
#[derive(Clone)]
pub struct Tls {
    config: Arc<rustls::ServerConfig>,
}

impl core::fmt::Debug for Tls {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tls").finish_non_exhaustive()
    }
}

/// Why a certificate or key cannot be served with: the file, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsError {
    file: String,
    message: String,
}

impl core::fmt::Display for TlsError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for TlsError {}

fn shown(flag: &str, path: &Path) -> String {
    format!(
        "{flag} {}",
        celldose::text::inert(&path.display().to_string())
    )
}

impl Tls {
    /// The certificate chain in the PEM file `certificate` (the server's certificate first) and
    /// the private key (PKCS #8, PKCS #1 or SEC1) in the PEM file `key`.
    ///
    /// # Errors
    /// A file that cannot be read, holds no certificate or no key, or a key that does not fit
    /// the certificate.
    pub fn from_pem_files(certificate: &Path, key: &Path) -> Result<Self, TlsError> {
        let cert_file = shown("--tls-cert", certificate);
        let key_file = shown("--tls-key", key);
        let fail = |file: &str, message: String| TlsError {
            file: file.to_owned(),
            message,
        };
        let chain = CertificateDer::pem_file_iter(certificate)
            .map_err(|e| fail(&cert_file, format!("cannot be read as PEM: {e}")))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| fail(&cert_file, format!("is not a PEM certificate chain: {e}")))?;
        if chain.is_empty() {
            return Err(fail(
                &cert_file,
                "holds no certificate (a PEM block BEGIN CERTIFICATE)".to_owned(),
            ));
        }
        let private = PrivateKeyDer::from_pem_file(key).map_err(|e| {
            fail(
                &key_file,
                format!("holds no private key that can be read (PEM PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY): {e}"),
            )
        })?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| fail(&cert_file, e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(chain, private)
            .map_err(|e| {
                fail(
                    &key_file,
                    format!("cannot be served with the certificate: {e}"),
                )
            })?;
        Ok(Self {
            config: Arc::new(config),
        })
    }

    pub(crate) fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        tokio_rustls::TlsAcceptor::from(Arc::clone(&self.config))
    }
}
