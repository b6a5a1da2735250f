//! TLS for the `pg` backend: libpq's (and Terraform's lib/pq's) `sslmode` values over rustls.
//!
//! | `sslmode` | Plinth |
//! |---|---|
//! | `disable` | no TLS |
//! | `allow`, `prefer` | TLS when the server offers it, else plain; the certificate is not checked |
//! | `require` (the default, as lib/pq's) | TLS or fail; the certificate is not checked — unless `sslrootcert` is given, then as `verify-ca` (as libpq) |
//! | `verify-ca` | TLS, the chain must lead to `sslrootcert` (else the system's roots) |
//! | `verify-full` | `verify-ca` plus the host name (or IP address) must match the certificate |
//!
//! `sslmode` and `sslrootcert` are read from the connection string (URL query or `key=value`
//! form) or from `PGSSLMODE` / `PGSSLROOTCERT`, and removed before tokio-postgres parses the
//! rest (it knows neither `verify-*` nor `sslrootcert`). Client certificates (`sslcert`,
//! `sslkey`) are not supported yet: a diagnostic says so.

use plinth_sdk::Diagnostic;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};

/// libpq's `sslmode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(s: &str) -> Option<SslMode> {
        Some(match s {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    /// What tokio-postgres is told: whether TLS is optional or required.
    pub fn for_tokio_postgres(self) -> tokio_postgres::config::SslMode {
        match self {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Allow | SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => tokio_postgres::config::SslMode::Require,
        }
    }
}

/// The TLS settings taken out of a connection string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsSettings {
    pub mode: SslMode,
    pub root_cert: Option<PathBuf>,
}

fn invalid(detail: String) -> Diagnostic {
    Diagnostic::error("invalid pg backend connection string")
        .with_detail(detail)
        .with_help("Use a URL such as `postgres://user:pass@host:5432/dbname?sslmode=verify-full&sslrootcert=/path/ca.crt`, or `host=… user=… dbname=… sslmode=…`.")
}

fn take(params: &mut Vec<(String, String)>, key: &str) -> Option<String> {
    let mut found = None;
    params.retain(|(k, v)| {
        if k == key {
            found = Some(v.clone());
            false
        } else {
            true
        }
    });
    found
}

/// Splits `conn` into the connection string tokio-postgres should parse and the TLS
/// settings (`env` looks up `PGSSLMODE`/`PGSSLROOTCERT`).
pub fn split_conn_str(conn: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<(String, TlsSettings), Diagnostic> {
    let is_url = conn.starts_with("postgres://") || conn.starts_with("postgresql://");
    let (rest, mut params) = if is_url {
        let (base, query) = conn.split_once('?').unwrap_or((conn, ""));
        let params = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), v.to_string())
            })
            .collect::<Vec<_>>();
        (base.to_string(), params)
    } else {
        (String::new(), parse_key_values(conn)?)
    };
    let decode = |v: String| -> String {
        if is_url {
            percent_encoding::percent_decode_str(&v).decode_utf8_lossy().into_owned()
        } else {
            v
        }
    };
    let mode_text = take(&mut params, "sslmode").map(decode).or_else(|| env("PGSSLMODE"));
    let root_cert = take(&mut params, "sslrootcert").map(decode).or_else(|| env("PGSSLROOTCERT")).filter(|p| !p.is_empty());
    for unsupported in ["sslcert", "sslkey", "sslpassword"] {
        if params.iter().any(|(k, _)| k == unsupported) {
            return Err(Diagnostic::error(format!("{unsupported} is not supported yet by the pg backend"))
                .with_detail("Plinth connects to PostgreSQL over TLS (sslmode, sslrootcert) but cannot present a client certificate yet.")
                .with_help("Authenticate with a password (in the connection string or PGPASSWORD) instead of a client certificate."));
        }
    }
    let mode = match mode_text.as_deref() {
        // lib/pq, which Terraform's pg backend uses, requires TLS unless told otherwise.
        None | Some("") => SslMode::Require,
        Some(m) => SslMode::parse(m).ok_or_else(|| {
            invalid(format!(
                "sslmode {m:?} is not one of \"disable\", \"allow\", \"prefer\", \"require\", \"verify-ca\", \"verify-full\"."
            ))
        })?,
    };
    let rebuilt = if is_url {
        let q: Vec<String> = params.iter().map(|(k, v)| if v.is_empty() { k.clone() } else { format!("{k}={v}") }).collect();
        if q.is_empty() {
            rest
        } else {
            format!("{rest}?{}", q.join("&"))
        }
    } else {
        params
            .iter()
            .map(|(k, v)| format!("{k}='{}'", v.replace('\\', "\\\\").replace('\'', "\\'")))
            .collect::<Vec<_>>()
            .join(" ")
    };
    Ok((rebuilt, TlsSettings { mode, root_cert: root_cert.map(PathBuf::from) }))
}

/// libpq's `key=value` form: values may be single-quoted, with `\'` and `\\` escapes.
fn parse_key_values(s: &str) -> Result<Vec<(String, String)>, Diagnostic> {
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    loop {
        while i < b.len() && b[i].is_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            return Ok(out);
        }
        let start = i;
        while i < b.len() && b[i] != '=' && !b[i].is_whitespace() {
            i += 1;
        }
        let key: String = b[start..i].iter().collect();
        while i < b.len() && b[i].is_whitespace() {
            i += 1;
        }
        if i >= b.len() || b[i] != '=' {
            return Err(invalid(format!("expected `=` after {key:?}.")));
        }
        i += 1;
        while i < b.len() && b[i].is_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == '\'' {
            i += 1;
            loop {
                match b.get(i) {
                    None => return Err(invalid(format!("the value of {key:?} is not closed with a quote."))),
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some('\\') if i + 1 < b.len() => {
                        value.push(b[i + 1]);
                        i += 2;
                    }
                    Some(c) => {
                        value.push(*c);
                        i += 1;
                    }
                }
            }
        } else {
            while i < b.len() && !b[i].is_whitespace() {
                if b[i] == '\\' && i + 1 < b.len() {
                    i += 1;
                }
                value.push(b[i]);
                i += 1;
            }
        }
        out.push((key, value));
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The rustls client configuration for `settings`; `None` for `disable`. Reads the root
/// certificates now, so a missing or unreadable file is reported at `init`.
pub fn client_config(settings: &TlsSettings) -> Result<Option<Arc<ClientConfig>>, Diagnostic> {
    let verify = match settings.mode {
        SslMode::Disable => return Ok(None),
        SslMode::Allow | SslMode::Prefer => Verify::Nothing,
        SslMode::Require if settings.root_cert.is_none() => Verify::Nothing,
        SslMode::Require | SslMode::VerifyCa => Verify::Chain,
        SslMode::VerifyFull => Verify::ChainAndName,
    };
    let provider = provider();
    let verifier: Arc<dyn ServerCertVerifier> = match verify {
        Verify::Nothing => Arc::new(NoVerification(provider.clone())),
        Verify::Chain | Verify::ChainAndName => {
            let roots = Arc::new(roots(settings.root_cert.as_ref())?);
            let webpki = rustls::client::WebPkiServerVerifier::builder_with_provider(roots, provider.clone()).build().map_err(|e| {
                Diagnostic::error("cannot verify PostgreSQL's TLS certificate")
                    .with_detail(format!("The root certificates cannot be used: {e}."))
                    .with_help("Point sslrootcert at the PEM file of the CA that signed the server's certificate.")
            })?;
            if verify == Verify::Chain {
                Arc::new(ChainOnly(webpki))
            } else {
                webpki
            }
        }
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Diagnostic::bug("TLS setup failed", format!("{e}.")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Some(Arc::new(config)))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Verify {
    Nothing,
    Chain,
    ChainAndName,
}

fn roots(file: Option<&PathBuf>) -> Result<RootCertStore, Diagnostic> {
    let mut store = RootCertStore::empty();
    match file {
        Some(path) => {
            let text = std::fs::read(path).map_err(|e| {
                Diagnostic::error("cannot read sslrootcert")
                    .with_detail(format!("The root certificate file {} cannot be read: {e}.", path.display()))
                    .with_help("Point sslrootcert at the PEM file of the CA that signed the PostgreSQL server's certificate.")
            })?;
            for cert in CertificateDer::pem_slice_iter(&text) {
                let cert = cert.map_err(|e| {
                    Diagnostic::error("invalid sslrootcert")
                        .with_detail(format!("{} is not a PEM certificate file: {e}.", path.display()))
                        .with_help("Use the CA certificate in PEM form (-----BEGIN CERTIFICATE-----).")
                })?;
                store.add(cert).map_err(|e| {
                    Diagnostic::error("invalid sslrootcert")
                        .with_detail(format!("A certificate in {} cannot be used as a root: {e}.", path.display()))
                        .with_help("Use the CA certificate in PEM form (-----BEGIN CERTIFICATE-----).")
                })?;
            }
            if store.is_empty() {
                return Err(Diagnostic::error("invalid sslrootcert")
                    .with_detail(format!("{} holds no certificate.", path.display()))
                    .with_help("Use the CA certificate in PEM form (-----BEGIN CERTIFICATE-----)."));
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            for cert in found.certs {
                let _ = store.add(cert);
            }
            if store.is_empty() {
                return Err(Diagnostic::error("no root certificates to verify PostgreSQL's TLS certificate")
                    .with_detail("sslmode asks to verify the server's certificate, no sslrootcert is given and the system has no root certificates.")
                    .with_help("Add sslrootcert=/path/to/ca.crt to the connection string (or set PGSSLROOTCERT)."));
            }
        }
    }
    Ok(store)
}

/// `require` without a root certificate, `prefer`, `allow`: encrypted, not authenticated
/// (libpq's behaviour); the handshake signatures are still checked.
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
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
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain must lead to a root; the name is not checked.
#[derive(Debug)]
struct ChainOnly(Arc<rustls::client::WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // WebPKI checks the chain first, then the name: a name error means the chain is good.
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. })) => {
                Ok(ServerCertVerified::assertion())
            }
            r => r,
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// tokio-postgres' TLS connector over rustls.
#[derive(Clone)]
pub struct MakeRustls(pub Arc<ClientConfig>);

impl<S> MakeTlsConnect<S> for MakeRustls
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type TlsConnect = RustlsConnect;
    type Error = io::Error;

    fn make_tls_connect(&mut self, domain: &str) -> Result<RustlsConnect, io::Error> {
        let name = ServerName::try_from(domain.to_string()).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{domain:?} is not a host name for TLS: {e}")))?;
        Ok(RustlsConnect { config: self.0.clone(), name })
    }
}

pub struct RustlsConnect {
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
}

impl<S> TlsConnect<S> for RustlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<RustlsStream<S>, io::Error>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        Box::pin(async move {
            let tls = tokio_rustls::TlsConnector::from(self.config).connect(self.name, stream).await?;
            Ok(RustlsStream(tls))
        })
    }
}

pub struct RustlsStream<S>(tokio_rustls::client::TlsStream<S>);

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for RustlsStream<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for RustlsStream<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for RustlsStream<S> {
    /// No channel binding: SCRAM-SHA-256 without `-PLUS` (the `tls-server-end-point` hash
    /// would depend on the certificate's signature algorithm).
    fn channel_binding(&self) -> ChannelBinding {
        ChannelBinding::none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn no_env(_: &str) -> Option<String> {
        None
    }
    #[test]
    fn tls_settings_come_out_of_urls_and_key_values() {
        let (c, t) = split_conn_str("postgres://u:p@h:5432/db?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.crt&application_name=x", &no_env).unwrap();
        assert_eq!(c, "postgres://u:p@h:5432/db?application_name=x");
        assert_eq!(t, TlsSettings { mode: SslMode::VerifyFull, root_cert: Some("/tmp/ca.crt".into()) });
        let (c, t) = split_conn_str("postgres://u@h/db?sslmode=disable", &no_env).unwrap();
        assert_eq!((c.as_str(), t.mode), ("postgres://u@h/db", SslMode::Disable));
        // lib/pq's default.
        let (_, t) = split_conn_str("postgres://u@h/db", &no_env).unwrap();
        assert_eq!(t.mode, SslMode::Require);
        let (c, t) = split_conn_str("host=h user=u sslmode=verify-ca sslrootcert='/a b/ca.crt' password='it\\'s'", &no_env).unwrap();
        assert_eq!(c, "host='h' user='u' password='it\\'s'");
        assert_eq!(t, TlsSettings { mode: SslMode::VerifyCa, root_cert: Some("/a b/ca.crt".into()) });
        let env = |k: &str| (k == "PGSSLMODE").then(|| "prefer".to_string());
        assert_eq!(split_conn_str("host=h", &env).unwrap().1.mode, SslMode::Prefer);
        let e = split_conn_str("postgres://h/db?sslmode=sometimes", &no_env).unwrap_err();
        assert!(e.detail.unwrap().starts_with("sslmode \"sometimes\" is not one of"));
        let e = split_conn_str("postgres://h/db?sslcert=/c.crt", &no_env).unwrap_err();
        assert_eq!(e.summary, "sslcert is not supported yet by the pg backend");
        assert!(split_conn_str("host=h user", &no_env).is_err());
    }
    #[test]
    fn a_missing_root_certificate_is_reported() {
        let t = TlsSettings { mode: SslMode::VerifyFull, root_cert: Some("/nonexistent/ca.crt".into()) };
        let e = client_config(&t).err().unwrap();
        assert_eq!(e.summary, "cannot read sslrootcert");
        assert!(client_config(&TlsSettings { mode: SslMode::Disable, root_cert: None }).unwrap().is_none());
        assert!(client_config(&TlsSettings { mode: SslMode::Require, root_cert: None }).unwrap().is_some());
    }
}
