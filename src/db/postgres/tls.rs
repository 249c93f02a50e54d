//! Opening the connection, with TLS as `sslmode` asks: rustls (with the
//! `ring` provider) through `tokio-postgres-rustls`, so no system OpenSSL
//! is needed.
//!
//! | sslmode | encrypted | chain verified | host name verified |
//! |---|---|---|---|
//! | disable | no | | |
//! | allow, prefer | when the server offers it | no | no |
//! | require | yes | no | no |
//! | verify-ca | yes | yes | no |
//! | verify-full | yes | yes | yes |
//!
//! Trusted authorities: the `sslrootcert` file, or with
//! `sslrootcert=system` the operating system's (`rustls-native-certs`,
//! which reads what OpenSSL would, `SSL_CERT_FILE` and `SSL_CERT_DIR`
//! included), else `~/.postgresql/root.crt` (libpq's default), else the
//! Mozilla roots of `webpki-roots`.
//!
//! A client certificate (`sslcert`, `sslkey`) is sent whenever TLS is on.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::{Client, Config, NoTls, Socket};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::connect::{ClientCert, RootCert, Ssl, Target};
use super::notices::Notices;

/// Why a connection could not be opened.
pub enum OpenError {
    /// The runtime that drives the connection could not start.
    Runtime(String),
    /// The TLS setup failed before any connection (e.g. `sslrootcert`).
    Setup(String),
    Connect(tokio_postgres::Error),
}

/// Connects, and spawns the task that drives the connection on the
/// runtime this runs on, for as long as the client lives, keeping the
/// server's notices in `notices`.
pub async fn open(target: &Target, notices: &Notices) -> Result<Client, OpenError> {
    if target.ssl == Ssl::Disable {
        return connect_with(&target.config, NoTls, notices).await;
    }
    let tls = client_config(
        target.ssl,
        target.root_cert.as_ref(),
        target.client_cert.as_ref(),
    )
    .map_err(OpenError::Setup)?;
    connect_with(&target.config, MakeRustlsConnect::new(tls), notices).await
}

async fn connect_with<T>(config: &Config, tls: T, notices: &Notices) -> Result<Client, OpenError>
where
    T: MakeTlsConnect<Socket> + Send + 'static,
    T::Stream: Send + 'static,
    T::TlsConnect: Send,
    <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
{
    let (client, connection) = config.connect(tls).await.map_err(OpenError::Connect)?;
    tokio::spawn(super::notices::drive(connection, notices.clone()));
    Ok(client)
}

/// The rustls configuration for a mode other than `disable`.
fn client_config(
    ssl: Ssl,
    root_cert: Option<&RootCert>,
    client_cert: Option<&ClientCert>,
) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match ssl {
        Ssl::Disable | Ssl::Prefer | Ssl::Require => Arc::new(EncryptOnly {
            algorithms: provider.signature_verification_algorithms,
        }),
        Ssl::VerifyCa | Ssl::VerifyFull => {
            let roots = Arc::new(root_store(root_cert)?);
            let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                .build()
                .map_err(|e| format!("cannot set up certificate verification: {e}"))?;
            if ssl == Ssl::VerifyFull {
                webpki
            } else {
                Arc::new(ChainOnly { inner: webpki })
            }
        }
    };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let Some(client) = client_cert else {
        return Ok(builder.with_no_client_auth());
    };
    let (chain, key) = client_identity(client)?;
    builder.with_client_auth_cert(chain, key).map_err(|e| {
        format!(
            "the client certificate {} and the key {} do not go together: {e}",
            client.cert.display(),
            client.key.display()
        )
    })
}

/// The certificate chain and private key of `sslcert` and `sslkey` (PEM:
/// the key PKCS#8, PKCS#1 or SEC1, not encrypted).
fn client_identity(
    client: &ClientCert,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    let unreadable = |what: &str, path: &Path, e: &dyn std::fmt::Display| {
        format!("cannot read {what} {}: {e}", path.display())
    };
    let chain = CertificateDer::pem_file_iter(&client.cert)
        .map_err(|e| unreadable("sslcert", &client.cert, &e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unreadable("sslcert", &client.cert, &e))?;
    if chain.is_empty() {
        return Err(unreadable(
            "sslcert",
            &client.cert,
            &"no certificate in the file",
        ));
    }
    let key = PrivateKeyDer::from_pem_file(&client.key).map_err(|e| {
        unreadable(
            "sslkey",
            &client.key,
            &format!("{e} (an unencrypted PEM private key is expected)"),
        )
    })?;
    Ok((chain, key))
}

/// The authorities trusted for `verify-ca` and `verify-full`.
fn root_store(root_cert: Option<&RootCert>) -> Result<RootCertStore, String> {
    let default =
        std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".postgresql/root.crt"));
    let file = match root_cert {
        Some(RootCert::System) => return system_roots(),
        Some(RootCert::File(path)) => Some(path.to_path_buf()),
        None => default.filter(|path| path.exists()),
    };
    let Some(file) = file else {
        return Ok(RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        });
    };
    let unreadable =
        |e: &dyn std::fmt::Display| format!("cannot read sslrootcert {}: {e}", file.display());
    let mut store = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&file).map_err(|e| unreadable(&e))? {
        let cert = cert.map_err(|e| unreadable(&e))?;
        store.add(cert).map_err(|e| unreadable(&e))?;
    }
    if store.is_empty() {
        return Err(unreadable(&"no certificate in the file"));
    }
    Ok(store)
}

/// `sslrootcert=system`: the operating system's trusted authorities.
/// Certificates the store holds that rustls cannot use are skipped, as
/// OpenSSL skips them; a store with none that it can is an error.
fn system_roots() -> Result<RootCertStore, String> {
    let found = rustls_native_certs::load_native_certs();
    let mut store = RootCertStore::empty();
    let (added, _ignored) = store.add_parsable_certificates(found.certs);
    if added == 0 {
        let why = found
            .errors
            .first()
            .map_or("it holds no certificate".to_owned(), |e| e.to_string());
        return Err(format!(
            "sslrootcert=system: cannot read the operating system's trusted certificates: {why}"
        ));
    }
    Ok(store)
}

/// `require` (and `prefer`): encrypts, and checks the handshake signatures,
/// but trusts any certificate, as libpq does.
#[derive(Debug)]
struct EncryptOnly {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain must lead to a trusted authority; the name in
/// the certificate need not match the host.
#[derive(Debug)]
struct ChainOnly {
    inner: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // webpki checks the name only after the chain, so a name error
        // means the chain is good.
        match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
